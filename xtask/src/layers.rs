//! The module graph inside a crate, and the cycles in it. Cargo refuses a cycle between crates;
//! this refuses one between the top-level modules of a layered crate, so that each crate reads
//! from the bottom up as the workspace does (`cargo xtask layers`, and a test below).
//!
//! A module names another by `crate::other`, `crate::{other, …}` or, from a top-level module,
//! `super::other`; a name the crate root re-exports (`pub use error::StoreError`) counts as its
//! module, and any other item of the root as the root itself (`lib`). Comment lines and the test
//! modules at the end of a file (`#[cfg(test)]`) are not read: tests may reach anywhere.
//!
//! It also refuses the http crate (`api/src`) raising a webhook event: the domain function that
//! makes a change announces it, so that no route can change a thing without its event.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The crates whose modules must form no cycle, by their source folder.
pub const LAYERED: &[&str] = &["api/store/src", "api/domain/src", "api/src", "types/src"];

/// The http crate's sources, which call the domain's rules and raise no event themselves.
const HTTP: &str = "api/src";

/// The root module's name in the graph.
const ROOT: &str = "lib";

/// Which modules of one level each module of that level names.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of the modules declared in `root` (a crate's `lib.rs`, or a folder module's
/// `mod.rs`), whose files are in `dir` and whose path from the crate is `prefix`
/// (`crate::routes::`).
fn graph_in(dir: &Path, root: &Path, prefix: &str) -> Result<Graph> {
    let root_text = fs::read_to_string(root).with_context(|| root.display().to_string())?;
    let modules = declared_modules(&root_text);
    let aliases = root_aliases(&root_text, &modules);
    let own = root_items(&code_of(&root_text, true));
    let mut graph = Graph::new();
    for (file, module) in files(dir, root, &modules)? {
        let text = fs::read_to_string(&file)?;
        // `super::` in these files is the folder's module.
        let top_level = file.parent() == Some(dir) || file == dir.join(&module).join("mod.rs");
        let named = graph.entry(module.clone()).or_default();
        let mut names = references(&code_of(&text, module == ROOT), prefix, top_level);
        if module == ROOT {
            // The root names its modules without a prefix (`rollups::rebuild_all`).
            names.extend(bare_references(&code_of(&text, true), &modules));
        }
        for name in names {
            let target = if modules.contains(&name) {
                name
            } else if let Some(module) = aliases.get(&name) {
                module.clone()
            } else if own.contains(&name) {
                ROOT.to_owned()
            } else {
                // Another crate's, re-exported by the root (`pub use store::*`).
                continue;
            };
            if target != module {
                named.insert(target);
            }
        }
    }
    Ok(graph)
}

/// Each cycle (a strongly connected set of more than one module), its modules in order.
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut found: Vec<Vec<String>> = Vec::new();
    for module in graph.keys() {
        if found.iter().any(|c| c.contains(module)) || !reaches(module, module) {
            continue;
        }
        let cycle = graph
            .keys()
            .filter(|other| *other == module || (reaches(module, other) && reaches(other, module)))
            .cloned()
            .collect();
        found.push(cycle);
    }
    found
}

/// `cargo xtask layers`: fails naming every cycle in the layered crates.
pub fn check(workspace: &Path) -> Result<()> {
    let mut problems = Vec::new();
    for src in LAYERED {
        let src = workspace.join(src);
        // The crate's top-level modules, then the modules inside each folder module.
        let mut levels = vec![(src.clone(), src.join("lib.rs"), "crate::".to_owned())];
        while let Some((dir, root, prefix)) = levels.pop() {
            for cycle in cycles(&graph_in(&dir, &root, &prefix)?) {
                let at = dir.strip_prefix(workspace).unwrap_or(&dir).display();
                problems.push(format!("{at}: {}", cycle.join(" <-> ")));
            }
            for module in declared_modules(&fs::read_to_string(&root)?) {
                let inner = dir.join(&module);
                if inner.join("mod.rs").exists() {
                    levels.push((
                        inner.clone(),
                        inner.join("mod.rs"),
                        format!("{prefix}{module}::"),
                    ));
                }
            }
        }
    }
    anyhow::ensure!(
        problems.is_empty(),
        "modules that name each other (move what both need below them):\n  {}",
        problems.join("\n  ")
    );
    let raising = events_raised_in(&workspace.join(HTTP), workspace)?;
    anyhow::ensure!(
        raising.is_empty(),
        "the http crate raises webhook events (call the domain function that makes the change and \
         let it emit):\n  {}",
        raising.join("\n  ")
    );
    Ok(())
}

/// The files under `dir` whose code names `webhooks::emit` (or `emit_with`).
fn events_raised_in(dir: &Path, workspace: &Path) -> Result<Vec<String>> {
    let mut sources = Vec::new();
    crate::sizes::rust_files(dir, &mut sources);
    let mut found = Vec::new();
    for path in sources {
        if raises_events(&code_of(&fs::read_to_string(&path)?, false)) {
            let at = path.strip_prefix(workspace).unwrap_or(&path);
            found.push(at.display().to_string());
        }
    }
    found.sort();
    Ok(found)
}

/// Whether `code` calls or imports the webhooks' `emit` or `emit_with`.
fn raises_events(code: &str) -> bool {
    let flat: String = code.split_whitespace().collect();
    let listed = ["emit,", "emit}", "emit_with"]
        .iter()
        .any(|n| flat.contains(n));
    flat.contains("webhooks::emit") || (flat.contains("webhooks::{") && listed)
}

/// The items the root defines itself (not its re-exports).
fn root_items(code: &str) -> BTreeSet<String> {
    const KINDS: &[&str] = &[
        "fn ",
        "struct ",
        "enum ",
        "type ",
        "const ",
        "static ",
        "trait ",
        "macro_rules! ",
    ];
    code.lines()
        .filter_map(|l| {
            let mut l = l.trim_start();
            for lead in ["pub(crate) ", "pub ", "async ", "unsafe "] {
                l = l.strip_prefix(lead).unwrap_or(l);
            }
            KINDS.iter().find_map(|k| l.strip_prefix(k)).map(ident)
        })
        .collect()
}

fn declared_modules(root: &str) -> BTreeSet<String> {
    root.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// The root's `pub use module::{A, B};` and `pub use module::A;`: each name to its module.
fn root_aliases(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut aliases = BTreeMap::new();
    for line in root.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim_end_matches(';').trim_start_matches("crate::");
        let Some((module, names)) = path.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        let names = names.trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or_default();
            if !name.is_empty() {
                aliases.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    aliases
}

/// Every source file with the module of `root` it belongs to (`root` itself as [`ROOT`]).
fn files(src: &Path, root: &Path, modules: &BTreeSet<String>) -> Result<Vec<(PathBuf, String)>> {
    let mut out = vec![(root.to_path_buf(), ROOT.to_owned())];
    for module in modules {
        let file = src.join(format!("{module}.rs"));
        if file.exists() {
            out.push((file, module.clone()));
        }
        let dir = src.join(module);
        if dir.is_dir() {
            let mut stack = vec![dir];
            while let Some(dir) = stack.pop() {
                for entry in fs::read_dir(&dir)? {
                    let path = entry?.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "rs") {
                        out.push((path, module.clone()));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The file's code: no comment lines, nothing from its test module on, and for the root none of
/// its `mod` and `pub use` lines (they declare and alias, they do not use).
fn code_of(text: &str, root: bool) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        let declares = root
            && (trimmed.starts_with("pub use ")
                || trimmed.starts_with("mod ")
                || trimmed.starts_with("pub mod "));
        if !trimmed.starts_with("//") && !declares {
            code.push_str(line);
            code.push('\n');
        }
    }
    code
}

/// The first path segment after each `prefix` (`crate::`, `crate::routes::`; and, from a module
/// right under the root, `super::`), braces opened: `crate::{a, b::c}` names `a` and `b`.
fn references(code: &str, prefix: &str, top_level: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut prefixes = vec![prefix];
    if top_level {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | ':')) {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let end = group
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += i32::from(c == '{') - i32::from(c == '}');
                        depth < 0
                    })
                    .map_or(group.len(), |(i, _)| i);
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in group[..end].char_indices().chain([(end, ',')]) {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.insert(ident(&group[start..i]));
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                names.insert(ident(rest));
            }
        }
    }
    names.remove("");
    names.remove("self");
    names
}

/// The declared modules that `code` names by a bare path (`module::item`).
fn bare_references(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    modules
        .iter()
        .filter(|m| {
            code.match_indices(&format!("{m}::")).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | ':'))
            })
        })
        .cloned()
        .collect()
}

fn ident(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_first_module() {
        let code = "use crate::{a, b::{C, D}, E};\nlet x = crate::f::g(super::h, x::crate::i);";
        let named: Vec<String> = references(code, "crate::", true).into_iter().collect();
        assert_eq!(named, ["E", "a", "b", "f", "h"]);
        assert!(references("super::h", "crate::", false).is_empty());
        let inner = references("use crate::routes::{csv, x};", "crate::routes::", false);
        assert_eq!(inner.into_iter().collect::<Vec<_>>(), ["csv", "x"]);
    }

    #[test]
    fn a_cycle_is_found_with_all_its_modules() {
        let mut graph = Graph::new();
        for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")] {
            graph.entry(from.into()).or_default().insert(to.into());
        }
        assert_eq!(cycles(&graph), [["a", "b", "c"]]);
        graph.get_mut("c").map(|c| c.remove("a"));
        assert!(cycles(&graph).is_empty());
    }

    #[test]
    fn raising_an_event_is_found_however_it_is_written() {
        assert!(raises_events("crate::webhooks::emit(conn, id, e, &w)?;"));
        assert!(raises_events(
            "use crate::webhooks::emit;\nemit(conn, id, e, &w)?;"
        ));
        assert!(raises_events(
            "use crate::webhooks::{\n    emit_with, Sender};"
        ));
        assert!(raises_events(
            "crate::webhooks::\n    emit_with(conn, id, e, f)"
        ));
        assert!(!raises_events(
            "crate::orders::report(conn, app, &order, now)?;"
        ));
        assert!(!raises_events(&code_of(
            "// see `webhooks::emit`\nlet x = 1;",
            false
        )));
    }

    #[test]
    fn the_layered_crates_have_no_cycle_inside() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        if let Err(e) = check(&workspace) {
            panic!("{e:#}");
        }
    }
}
