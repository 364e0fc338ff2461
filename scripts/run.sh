#!/usr/bin/env bash
# Builds everything and runs the back office on the embedded SQLite database with demo data.
# Configuration comes from the environment (see the README's table), e.g. BIND_ADDR=0.0.0.0:8080.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh

build_web
say "building the back office (release)"
cargo build --locked --release -p api --features jemalloc

bin=$root/target/release/backoffice
"$bin" migrate
"$bin" seed-demo
say "starting: stop with Ctrl-C"
exec "$bin" serve
