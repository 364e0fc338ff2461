#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there. Sourced by
# scripts/run.sh and scripts/test.sh; safe to run again.
#   - Debian packages: C toolchain, pkg-config, libpq (PostgreSQL client library), Python venv, curl
#   - Rust: the toolchain, components and targets pinned in rust-toolchain.toml (rustup fetches them)
#   - node_modules (npm ci): binaryen's wasm-opt for the SPA; Playwright + axe-core for browser tests;
#     redocly for the OpenAPI lint; openapi-typescript, openapi-fetch and tsc for the generated client
#   - .tools/venv: schemathesis, openapi-python-client and the Compose v2 binary (PyPI), for the
#     test command only
#   - Chromium (Debian), for the browser tests only; poppler-utils (pdftotext), for the invoice tests
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_packages=()
command -v cc >/dev/null || apt_packages+=(build-essential)
# jemalloc (the release build's allocator) builds with make.
command -v make >/dev/null || apt_packages+=(make)
command -v pkg-config >/dev/null || apt_packages+=(pkg-config)
command -v curl >/dev/null || apt_packages+=(curl)
command -v python3 >/dev/null || apt_packages+=(python3)
command -v npm >/dev/null || apt_packages+=(nodejs npm)
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_packages+=(python3-venv)
pkg-config --exists libpq 2>/dev/null || apt_packages+=(libpq-dev)
if ((${#apt_packages[@]})); then
  say "installing Debian packages: ${apt_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
# rustup installs the toolchain named in rust-toolchain.toml on first use.
(cd "$root" && rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install)
# An already-installed toolchain does not get the targets of rust-toolchain.toml by itself.
(cd "$root" && rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown)
(cd "$root" && rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt)

# npm packages (exact versions from package-lock.json), when missing or out of date.
if [ ! -x "$root/node_modules/.bin/wasm-opt" ] || [ ! -x "$root/node_modules/.bin/tsc" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  say "installing npm packages (wasm-opt, Playwright, axe-core, redocly, openapi-typescript, tsc)"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Builds the SPA into web/dist (release: optimised and size-checked by the test command).
build_web() {
  say "building the web SPA"
  (cd "$root" && cargo xtask web)
}

# Chromium for the browser tests.
setup_chromium() {
  if ! command -v chromium >/dev/null; then
    say "installing Chromium (Debian) for the browser tests"
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

# pdftotext (Debian poppler-utils): the tests read the text of invoice PDFs with it.
setup_pdftotext() {
  if ! command -v pdftotext >/dev/null; then
    say "installing poppler-utils (pdftotext) for the invoice tests"
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq poppler-utils >/dev/null
  fi
}

# Python tools used by the test command only.
setup_python_tools() {
  local venv=$root/.tools/venv
  # Reinstalled whenever the requirements change (the stamp holds their hash).
  local wanted
  wanted=$(sha256sum "$root/scripts/requirements-test.txt" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/schemathesis" ] || [ "$(cat "$venv/.complete" 2>/dev/null)" != "$wanted" ]; then
    say "installing schemathesis, openapi-python-client and the Compose checker into .tools/venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/scripts/requirements-test.txt"
    echo "$wanted" >"$venv/.complete"
  fi
}
