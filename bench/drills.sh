#!/usr/bin/env bash
# Failure drills (issue 16), one table of figures against their goals (bench/drills.py says what
# each drill does): (a) PostgreSQL restarted under load, (b) the api SIGKILLed during idempotent
# creates and payments (SQLite and PostgreSQL), (c) a 10-minute soak of mixed traffic
# (DRILL_SOAK_MINUTES shortens it), (d) the SQLite disk full. Builds the release api; about 13
# minutes on 2 cores. `bench/drills.sh bd` runs some only. Needs root (a private PostgreSQL
# cluster for (a), a small tmpfs for (d)), wrk, and PostgreSQL at BENCH_POSTGRES_URL for (b).
# The test command runs (b) and (d) with the debug build: `scripts/test.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
setup_python_tools
command -v wrk >/dev/null || { say "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
say "building the api (release)"
cargo build --locked --release -p api --features jemalloc -q
exec .tools/venv/bin/python bench/drills.py target/release/backoffice "${1:-abcd}"
