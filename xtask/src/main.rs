//! `cargo xtask web [--dev] [--watch]`: builds the SPA into `web/dist`.
//! `cargo xtask layers`: fails on a cycle between the modules of a layered crate (`layers.rs`).
//! `cargo xtask sizes`: fails on a hand-written source file past 400 lines (`sizes.rs`).
//!
//! wasm32 build of the `web` crate → split into the main module and the chunks of the lazy pages
//! (wasm_split_cli_support, the splitter leptos's `#[lazy]` is made for) → wasm-bindgen on the
//! main module (as a library pinned to the exact version of the `wasm-bindgen` crate in
//! Cargo.lock, so the two can never disagree) → wasm-opt -Oz when a working one is installed
//! (`npm ci` puts binaryen 132 in node_modules) → one content-hashed directory under `assets/`
//! named in `index.html`, with `.br` and `.gz` beside each file. No downloads, no CDN.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

mod layers;
mod sizes;

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
        Some("layers") => layers::check(&root()),
        Some("sizes") => sizes::check(&root()),
        _ => {
            eprintln!("usage: cargo xtask web [--dev] [--watch] | cargo xtask layers | cargo xtask sizes\n\n  --dev    unoptimised, faster build\n  --watch  rebuild whenever web/, types/ change");
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
    let bundle = staging.join("bundle");
    std::fs::create_dir_all(&bundle)?;

    // Code splitting: every `#[lazy]` function (each page, each app tab) and what only it uses go
    // to a chunk of their own, fetched the first time that page opens. The splitter needs the
    // linker's relocations (`--emit-relocs`, set in .cargo/config.toml for wasm32) and runs
    // before wasm-bindgen, which then processes the main module alone.
    let input = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let main_wasm = staging.join("main.wasm");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &bundle;
        opts.main_out_path = &main_wasm;
        opts.link_name = "./split.js";
        opts.main_module = "./app.js";
        opts
    })
    .map_err(|e| anyhow::anyhow!("wasm-split: {e:#}"))?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_wasm)
        .web(true)?
        .typescript(false)
        // The chunks import the function table from the main module.
        .keep_lld_exports(true)
        .out_name("app")
        .generate(&bundle)
        .context("wasm-bindgen")?;

    let bindgen_wasm = bundle.join("app_bg.wasm");
    if !dev {
        // Kept with its function names, for profiling: `twiggy top target/web-staging/names.wasm`.
        std::fs::copy(&bindgen_wasm, staging.join("names.wasm"))?;
        if let Some(wasm_opt) = find_wasm_opt(&root) {
            optimise(&wasm_opt, &bindgen_wasm)?;
        }
    }

    // The chunks carry the function names (half their size): dropped. Running wasm-opt on each
    // of them as well would take two minutes (binaryen's npm build starts slowly) for 8 % less.
    for chunk in &split.split_modules {
        strip_custom_sections(chunk)?;
    }
    let dist = root.join("web/dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(dist.join("assets"))?;
    // The modules refer to each other by relative names (`./app.js`, `./split.js`, the chunks), so
    // they are published together in a directory named by the hash of them all.
    // The SPA starts from a file, not an inline script: the Content-Security-Policy allows none.
    std::fs::write(bundle.join("boot.js"), BOOT_JS)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&bundle)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.sort();
    let mut hasher = Sha256::new();
    for file in &files {
        hasher.update(file.file_name().unwrap_or_default().as_encoded_bytes());
        hasher.update(std::fs::read(file)?);
    }
    let build = hex(&hasher.finalize()[..8]);
    let published = dist.join("assets").join(&build);
    std::fs::create_dir_all(&published)?;
    for file in &files {
        std::fs::copy(file, published.join(file.file_name().unwrap_or_default()))?;
    }
    let js = format!("/assets/{build}/app.js");
    let boot = format!("/assets/{build}/boot.js");
    let wasm = format!("/assets/{build}/app_bg.wasm");
    let css_source = std::fs::read_to_string(root.join("web/style.css"))?;
    std::fs::write(staging.join("style.css"), compact_css(&css_source))?;
    let css = publish(&staging.join("style.css"), &dist, "style", "css")?;
    let favicon = publish(&root.join("web/favicon.svg"), &dist, "favicon", "svg")?;
    let template = std::fs::read_to_string(root.join("web/index.html"))?;
    let html = template
        .replace("{{css}}", &css)
        .replace("{{js}}", &js)
        .replace("{{boot}}", &boot)
        .replace("{{wasm}}", &wasm)
        .replace("{{favicon}}", &favicon);
    std::fs::write(dist.join("index.html"), html)?;

    // Compressed once here, at the highest levels, instead of on every request: the api serves
    // `<file>.br` or `<file>.gz` by the browser's Accept-Encoding.
    let first_load = [
        boot.clone(),
        js.clone(),
        wasm.clone(),
        format!("/assets/{build}/split.js"),
        css.clone(),
    ];
    let mut chunks: Vec<String> = files
        .iter()
        .filter_map(|f| {
            f.file_name()?
                .to_str()
                .map(|n| format!("/assets/{build}/{n}"))
        })
        .filter(|asset| !first_load.contains(asset))
        .collect();
    chunks.sort();
    let mut first = (0, 0, 0);
    let mut lazy = (0, 0, 0);
    println!("web/dist built ({profile}):");
    for asset in first_load.iter().chain(&chunks).chain([&favicon]) {
        let path = dist.join(asset.trim_start_matches('/'));
        let bytes = std::fs::read(&path)?;
        // A dev build is five times larger: quicker levels there.
        let (gz, br) = if dev {
            (gzip(&bytes, 6)?, brotli(&bytes, 5)?)
        } else {
            (gzip(&bytes, 9)?, brotli(&bytes, 11)?)
        };
        let sum = if first_load.contains(asset) {
            &mut first
        } else {
            &mut lazy
        };
        if asset != &favicon {
            *sum = (sum.0 + bytes.len(), sum.1 + gz.len(), sum.2 + br.len());
            // Each file of the first load, and of the chunks only the pages' own (not the
            // hundreds of small shared ones).
            if first_load.contains(asset) || asset.contains("/split_") {
                println!(
                    "  {asset:<58} {:>9} bytes {:>8} gzipped {:>8} brotli",
                    bytes.len(),
                    gz.len(),
                    br.len()
                );
            }
        }
        std::fs::write(with_suffix(&path, "gz"), gz)?;
        std::fs::write(with_suffix(&path, "br"), br)?;
    }
    let kb = |n: usize| n as f64 / 1024.0;
    println!(
        "  first load (js + wasm + css): {:.1} KB, {:.1} KB gzipped, {:.1} KB brotli\n  pages loaded on demand ({} chunks): {:.1} KB, {:.1} KB gzipped, {:.1} KB brotli",
        kb(first.0), kb(first.1), kb(first.2), chunks.len(), kb(lazy.0), kb(lazy.1), kb(lazy.2)
    );
    Ok(())
}

/// A working wasm-opt (node_modules, then PATH), if there is one. Debian's binaryen 108 is
/// skipped: it breaks modules from current wasm-bindgen.
fn find_wasm_opt(root: &Path) -> Option<String> {
    let local = root.join("node_modules/.bin/wasm-opt");
    for candidate in [local.display().to_string(), "wasm-opt".to_owned()] {
        let Ok(out) = Command::new(&candidate).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout);
        let number: u32 = version
            .split(|c: char| !c.is_ascii_digit())
            .find(|s| !s.is_empty())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if number >= 116 {
            return Some(candidate);
        }
        eprintln!(
            "warning: skipping {candidate} ({}): too old",
            version.trim()
        );
    }
    eprintln!("warning: no working wasm-opt (run `npm ci`): the wasm is not size-optimised");
    None
}

/// Rewrites a wasm module without its custom sections (names, producers, target features).
fn strip_custom_sections(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path)?;
    let mut module = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let Some((id, range)) = payload?.as_section() {
            if id != 0 {
                let range = usize::try_from(range.start)?..usize::try_from(range.end)?;
                module.section(&wasm_encoder::RawSection {
                    id,
                    data: &bytes[range],
                });
            }
        }
    }
    std::fs::write(path, module.finish())?;
    Ok(())
}

/// Runs `wasm-opt -Oz` on the module, in place.
fn optimise(wasm_opt: &str, wasm: &Path) -> Result<()> {
    let status = Command::new(wasm_opt)
        .args(["-Oz", "--enable-bulk-memory"])
        .args(["--enable-nontrapping-float-to-int", "--enable-sign-ext"])
        .args(["--enable-mutable-globals", "--enable-reference-types"])
        .arg("--enable-multivalue")
        .arg(wasm)
        .arg("-o")
        .arg(wasm)
        .status()?;
    if !status.success() {
        bail!("wasm-opt failed");
    }
    Ok(())
}

/// Copies `file` to `dist/assets/<stem>-<hash>.<ext>`; returns its URL path.
/// The module that starts the SPA, published beside `app.js` (so its imports are relative).
const BOOT_JS: &str = "import init from \"./app.js\";\n\
    init({ module_or_path: new URL(\"./app_bg.wasm\", import.meta.url) });\n";

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

fn gzip(bytes: &[u8], level: u32) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli(bytes: &[u8], quality: i32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality,
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
