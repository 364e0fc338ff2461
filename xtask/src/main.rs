//! `cargo xtask web [--dev] [--watch]`: builds the SPA into `web/dist`.
//!
//! wasm32 build of the `web` crate → wasm-bindgen (as a library pinned to the exact version of the
//! `wasm-bindgen` crate in Cargo.lock, so the two can never disagree) → wasm-opt -Oz when a working
//! one is installed (`npm ci` puts binaryen 132 in node_modules) → content-hashed file names under
//! `assets/`, written into `index.html`. No downloads, no CDN.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("web") => {
            let dev = args.iter().any(|a| a == "--dev");
            if args.iter().any(|a| a == "--watch") {
                watch(dev)
            } else {
                build_web(dev)
            }
        }
        _ => {
            eprintln!("usage: cargo xtask web [--dev] [--watch]\n\n  --dev    unoptimised, faster build\n  --watch  rebuild whenever web/, types/ change");
            std::process::exit(2)
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn build_web(dev: bool) -> Result<()> {
    let root = root();
    let profile = if dev { "dev" } else { "wasm-release" };
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args([
            "build",
            "--locked",
            "-p",
            "web",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            profile,
        ])
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("building the web crate failed");
    }
    let dir = if dev { "debug" } else { profile };
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let wasm = target
        .join("wasm32-unknown-unknown")
        .join(dir)
        .join("web.wasm");

    let staging = root.join("target/web-staging");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .typescript(false)
        .out_name("app")
        .generate(&staging)
        .context("wasm-bindgen")?;

    let bindgen_wasm = staging.join("app_bg.wasm");
    if !dev {
        // Kept with its function names, for profiling: `twiggy top target/web-staging/names.wasm`.
        std::fs::copy(&bindgen_wasm, staging.join("names.wasm"))?;
        optimise(&root, &bindgen_wasm)?;
    }

    let dist = root.join("web/dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(dist.join("assets"))?;
    let js = publish(&staging.join("app.js"), &dist, "app", "js")?;
    let wasm = publish(&bindgen_wasm, &dist, "app_bg", "wasm")?;
    let css_source = std::fs::read_to_string(root.join("web/style.css"))?;
    std::fs::write(staging.join("style.css"), compact_css(&css_source))?;
    let css = publish(&staging.join("style.css"), &dist, "style", "css")?;
    let favicon = publish(&root.join("web/favicon.svg"), &dist, "favicon", "svg")?;
    let template = std::fs::read_to_string(root.join("web/index.html"))?;
    let html = template
        .replace("{{css}}", &css)
        .replace("{{js}}", &js)
        .replace("{{wasm}}", &wasm)
        .replace("{{favicon}}", &favicon);
    std::fs::write(dist.join("index.html"), html)?;

    // Compressed once here, at the highest levels, instead of on every request: the api serves
    // `<file>.br` or `<file>.gz` by the browser's Accept-Encoding.
    let mut sizes = (0, 0, 0);
    for asset in [&js, &wasm, &css, &favicon] {
        let path = dist.join(asset.trim_start_matches('/'));
        let bytes = std::fs::read(&path)?;
        let (gz, br) = (gzip(&bytes)?, brotli(&bytes)?);
        if asset != &favicon {
            sizes = (
                sizes.0 + bytes.len(),
                sizes.1 + gz.len(),
                sizes.2 + br.len(),
            );
        }
        std::fs::write(with_suffix(&path, "gz"), gz)?;
        std::fs::write(with_suffix(&path, "br"), br)?;
    }
    println!(
        "web/dist built ({profile}): {js} {wasm} {css}\n  js + wasm + css: {:.1} KB, {:.1} KB gzipped, {:.1} KB brotli",
        sizes.0 as f64 / 1024.0,
        sizes.1 as f64 / 1024.0,
        sizes.2 as f64 / 1024.0
    );
    Ok(())
}

/// Runs wasm-opt -Oz in place when a working wasm-opt is found (node_modules, then PATH).
/// Debian's binaryen 108 is skipped: it breaks modules from current wasm-bindgen.
fn optimise(root: &Path, wasm: &Path) -> Result<()> {
    let local = root.join("node_modules/.bin/wasm-opt");
    let candidates = [local.display().to_string(), "wasm-opt".to_owned()];
    for candidate in candidates {
        let Ok(out) = Command::new(&candidate).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout);
        let number: u32 = version
            .split(|c: char| !c.is_ascii_digit())
            .find(|s| !s.is_empty())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if number < 116 {
            eprintln!(
                "warning: skipping {candidate} ({}): too old",
                version.trim()
            );
            continue;
        }
        let status = Command::new(&candidate)
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
            ])
            .args([
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(wasm)
            .arg("-o")
            .arg(wasm)
            .status()?;
        if !status.success() {
            bail!("wasm-opt failed");
        }
        return Ok(());
    }
    eprintln!("warning: no working wasm-opt (run `npm ci`): the wasm is not size-optimised");
    Ok(())
}

/// Copies `file` to `dist/assets/<stem>-<hash>.<ext>`; returns its URL path.
fn publish(file: &Path, dist: &Path, stem: &str, ext: &str) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let hash = hex(&Sha256::digest(&bytes)[..8]);
    let name = format!("{stem}-{hash}.{ext}");
    std::fs::write(dist.join("assets").join(&name), bytes)?;
    Ok(format!("/assets/{name}"))
}

/// The stylesheet without its comments, indentation and blank lines (nothing inside a rule
/// changes, so nothing can break).
fn compact_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rebuilds whenever a source file of the SPA changes; the api serves `web/dist` directly, so a
/// browser reload shows the new build.
fn watch(dev: bool) -> Result<()> {
    let root = root();
    let dirs = [root.join("web/src"), root.join("types/src")];
    let files = [root.join("web/style.css"), root.join("web/index.html")];
    let mut last = SystemTime::UNIX_EPOCH;
    loop {
        let newest = dirs
            .iter()
            .flat_map(|d| walk(d))
            .chain(files.iter().cloned())
            .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .max()
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if newest > last {
            last = newest;
            if let Err(e) = build_web(dev) {
                eprintln!("build failed: {e:#}");
            }
            println!("watching web/ and types/ for changes (Ctrl-C to stop)");
        }
        std::thread::sleep(Duration::from_millis(700));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::compact_css;

    #[test]
    fn compacting_css_drops_comments_and_indentation_only() {
        let css =
            "/* forms */\n.a { color: red; }\n\n  .b > .c { margin: 0 calc(1px + 2px); } /* x */\n";
        assert_eq!(
            compact_css(css),
            ".a { color: red; }\n.b > .c { margin: 0 calc(1px + 2px); }"
        );
    }
}
