//! The length rule of STYLE.md: a source file is split before it passes 400 lines. Generated
//! files are exempt (`api/store/src/schema.rs`, written by diesel).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

/// Most lines a hand-written Rust file may have.
pub const MAX_LINES: usize = 400;

/// The folders whose Rust files are held to it.
const FOLDERS: &[&str] = &["api", "types", "web", "tests", "xtask", "bench"];

/// Generated files, by their path from the workspace.
const GENERATED: &[&str] = &["api/store/src/schema.rs"];

/// `cargo xtask sizes`: fails naming every file past [`MAX_LINES`].
pub fn check(workspace: &Path) -> Result<()> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        rust_files(&workspace.join(folder), &mut files);
    }
    let mut long = Vec::new();
    for file in files {
        let path = file.strip_prefix(workspace).unwrap_or(&file);
        let shown = path.to_string_lossy().replace('\\', "/");
        if GENERATED.contains(&shown.as_str()) {
            continue;
        }
        let lines = fs::read_to_string(&file)?.lines().count();
        if lines > MAX_LINES {
            long.push(format!("{shown}: {lines} lines"));
        }
    }
    long.sort();
    anyhow::ensure!(
        long.is_empty(),
        "files past {MAX_LINES} lines (split them by concern, as a folder module):\n  {}",
        long.join("\n  ")
    );
    Ok(())
}

/// The `.rs` files under `dir`, build output and dependencies left out.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !matches!(
                name.to_str(),
                Some("target" | "node_modules" | "dist" | ".tools")
            ) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_hand_written_file_passes_400_lines() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        if let Err(e) = check(&workspace) {
            panic!("{e:#}");
        }
    }
}
