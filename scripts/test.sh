#!/usr/bin/env bash
# Runs every test: formatting, clippy, the OpenAPI lint, unit tests, the black-box API tests on
# SQLite and PostgreSQL (with the schema comparison of the two and the tenant matrix), generated
# Python and TypeScript clients driving a flow, two failure drills, schemathesis against the live spec
# (fixed seed; SCHEMATHESIS_SEED=<n> for another), the SPA's size budget and browser tests in
# headless Chromium (schemathesis and the browser tests side by side), and the Compose file check.
# Prints each stage's duration. Exits non-zero on any failure.
# With CI=true, PostgreSQL and Chromium are required; elsewhere their tests are skipped (loudly)
# when they are absent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ci_env=false
case "${CI:-}" in true | 1) ci_env=true ;; esac
# A fresh clone builds everything once: incremental compilation's bookkeeping would only cost time.
if $ci_env; then export CARGO_INCREMENTAL=0; fi
setup_started=$SECONDS
source scripts/setup.sh
setup_python_tools
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ] || $ci_env; then setup_chromium || true; fi
fi
if ! command -v pdftotext >/dev/null; then
  if [ "$(id -u)" -eq 0 ] || $ci_env; then setup_pdftotext || true; fi
fi

ci=$ci_env
export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_host=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.hostname or "127.0.0.1", p.port or 5432)' "$TEST_POSTGRES_URL")
postgres=false
if python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)' $pg_host 2>/dev/null; then
  postgres=true
elif $ci; then
  echo "CI=true but PostgreSQL is not reachable at $TEST_POSTGRES_URL" >&2
  exit 1
else
  printf '\n\033[1;33m!!! PostgreSQL is not reachable at %s: its tests will be SKIPPED (CI runs them).\033[0m\n\n' "$TEST_POSTGRES_URL"
fi

passed=0
failed=0
# Each stage's duration, printed as it ends and again in the summary; the set-up above (Rust's
# toolchain and targets, system packages, npm and Python tools, Chromium) first.
durations=("$(printf '%5ds  %s' $((SECONDS - setup_started)) "setting up (toolchain, packages, npm and Python tools, Chromium)")")
printf '  (setting up: %ds)\n' $((SECONDS - setup_started))
stage_name=
stage_start=$SECONDS
stage() {
  if [ -n "$stage_name" ]; then
    durations+=("$(printf '%5ds  %s' $((SECONDS - stage_start)) "$stage_name")")
    printf '  (%s: %ds)\n' "$stage_name" $((SECONDS - stage_start))
  fi
  stage_name=$1
  stage_start=$SECONDS
  [ -z "$1" ] || say "$1"
}
record() { if [ "$1" -eq 0 ]; then passed=$((passed + ${2:-1})); else failed=$((failed + 1)); fi; }

psql_admin() { psql "$TEST_POSTGRES_URL" -v ON_ERROR_STOP=1 -qAtc "$1"; }
# The test databases, dropped in one session (a psql per database costs a connection each).
drop_test_databases() {
  local started=$SECONDS n=0
  if $postgres && command -v psql >/dev/null; then
    n=$(psql_admin "SELECT count(*) FROM pg_database WHERE datname LIKE 'bo\_test\_%'")
    psql_admin "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE);', datname)
                FROM pg_database WHERE datname LIKE 'bo\_test\_%'" | psql "$TEST_POSTGRES_URL" -qX >/dev/null || true
  fi
  rm -rf "${TMPDIR:-/tmp}/backoffice-tests"
  if [ "${n:-0}" != 0 ]; then echo "  dropped $n test databases in $((SECONDS - started))s"; fi
}
trap drop_test_databases EXIT

stage "checking formatting"
cargo fmt --all --check

# Host commands build the default members (everything but the SPA, which is wasm32 only: its
# clippy runs for wasm32 below, its arithmetic is tested in web/figures), and all the same set, so
# that no command rebuilds with other features.
stage "building (dev profile)"
cargo build --locked --all-targets

stage "clippy (host crates, and the SPA on wasm32)"
set +e
cargo clippy --locked --all-targets -- -D warnings
record $?
cargo clippy --locked -p web --target wasm32-unknown-unknown -- -D warnings
record $?
set -e

stage "OpenAPI lint (redocly, recommended rules: 0 errors, 0 warnings)"
set +e
node_modules/.bin/redocly lint --format=stylish openapi/openapi.json
record $?
set -e

stage "unit and API tests (SQLite$($postgres && echo ' + PostgreSQL'))"
log=$(mktemp)
set +e
tests_started=$SECONDS
cargo test --locked -- --skip tenant_matrix 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "  the test binaries ran in $((SECONDS - tests_started))s"
# The tenant matrix on its own, to show how many operation × caller pairs it checked.
# (The same members as above: `-p tests` would unify features differently and rebuild the api.)
cargo test --locked -- tenant_matrix --nocapture 2>&1 | tee -a "$log" |
  grep -E '^tenant matrix|^test result|FAILED|panicked|^[A-Z]+ /api'
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e
count=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
record "$status" "$count"
# Dropping some 450 databases takes PostgreSQL most of a minute of disk work: done meanwhile, and
# waited for before schemathesis makes its own.
drop_log=$(mktemp)
drop_test_databases >"$drop_log" 2>&1 &
drop_pid=$!

stage "generated clients: Python (openapi-python-client), TypeScript (openapi-typescript + openapi-fetch)"
set +e
scripts/clients.sh target/debug/backoffice
record $?
set -e

stage "failure drills: (b) the api SIGKILLed during idempotent creates and payments, (d) the SQLite disk full"
set +e
.tools/venv/bin/python bench/drills.py target/debug/backoffice bd $($ci && echo --ci)
record $?
set -e

# What a browser downloads before the first page shows: the main wasm module, its JS glue, the
# split loader and the stylesheet. Every other page is split off (leptos `#[lazy]`), fetched the first
# time it opens, and does not count here: a new page must be lazy, or trim something to fit.
spa_budget_kb=380
stage "SPA: release build and first-load size budget ($spa_budget_kb KB gzipped)"
set +e
build_web
web_status=$?
set -e
if [ $web_status -eq 0 ]; then
  # Sizes as sent: the .gz and .br files the build writes beside each asset.
  total=0
  total_br=0
  for f in web/dist/assets/*/app_bg.wasm web/dist/assets/*/app.js web/dist/assets/*/split.js web/dist/assets/*.css; do
    gz=$(wc -c <"$f.gz")
    br=$(wc -c <"$f.br")
    printf '  %-50s %8d bytes, %7d gzipped, %7d brotli\n' "${f#web/dist/assets/}" "$(wc -c <"$f")" "$gz" "$br"
    total=$((total + gz))
    total_br=$((total_br + br))
  done
  lazy=$(find web/dist/assets -mindepth 2 -name '*.wasm.gz' ! -name 'app_bg.wasm.gz' -printf '%s\n' | awk '{s+=$1} END {print int(s/1024)}')
  printf '  SPA first load: %d KB gzipped (budget %d KB), %d KB brotli; pages on demand: %d KB gzipped\n' \
    $((total / 1024)) "$spa_budget_kb" $((total_br / 1024)) "$lazy"
  [ $total -le $((spa_budget_kb * 1024)) ]
  record $?
else
  record 1
fi

# The long runs go side by side: schemathesis on each database (single-threaded Python) and the
# browser test files, two at a time (each with its own server and Chromium, mostly waiting on
# each other); each one's output is shown when it ends, with its own duration.
wait "$drop_pid" || true
cat "$drop_log"
stage "side by side: schemathesis (SQLite$($postgres && echo ', PostgreSQL')), browser tests (headless Chromium)"
jobs_dir=$(mktemp -d)
jobs=()
# job <name> <command…>: runs in the background, output and "<status> <seconds>" kept for report.
job() {
  local name=$1
  shift
  jobs+=("$name")
  (
    start=$SECONDS
    set +e
    "$@" >"$jobs_dir/$name.log" 2>&1
    echo "$? $((SECONDS - start))" >"$jobs_dir/$name.status"
  ) &
}
browser_tests() {
  CHROMIUM=$(command -v chromium) BACKOFFICE_BIN=target/debug/backoffice node --test --test-concurrency=2 tests/browser/
}
job schemathesis-sqlite scripts/schemathesis.sh target/debug/backoffice "$jobs_dir/schemathesis.db"
if $postgres; then
  if command -v psql >/dev/null; then
    db=bo_test_schemathesis_$$
    psql_admin "CREATE DATABASE $db"
    job schemathesis-postgresql scripts/schemathesis.sh target/debug/backoffice "${TEST_POSTGRES_URL%/*}/$db"
  elif $ci; then
    echo "CI=true but psql is missing: cannot create the schemathesis database" >&2
    record 1
  else
    printf '\033[1;33m!!! psql is missing: schemathesis on PostgreSQL SKIPPED.\033[0m\n'
  fi
fi
browser=false
if command -v chromium >/dev/null && [ -f web/dist/index.html ]; then
  browser=true
  job browser-tests browser_tests
elif $ci; then
  echo "CI=true but Chromium or the SPA build is missing" >&2
  record 1
else
  printf '\n\033[1;33m!!! Chromium is not installed: browser tests SKIPPED (CI runs them).\033[0m\n\n'
fi
wait
for name in "${jobs[@]}"; do
  read -r status seconds <"$jobs_dir/$name.status"
  say "$name: exit $status in ${seconds}s"
  cat "$jobs_dir/$name.log"
  durations+=("$(printf '%5ds    %s (side by side)' "$seconds" "$name")")
  if [ "$name" = browser-tests ]; then
    record "$status" "$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$jobs_dir/$name.log" | tail -n 1)"
  else
    record "$status"
  fi
done
$browser && echo "  screenshots: tests/artifacts/"
rm -rf "$jobs_dir"

stage "docker-compose.yml is a valid Compose file"
compose=$(find .tools/venv -path '*compose/docker-compose' -type f | head -n 1)
set +e
JWT_SECRET=check-only-0123456789abcdef0123456789 "$compose" -f docker-compose.yml config -q
record $?
set -e

stage ""
echo
echo "stage durations:"
printf '%s\n' "${durations[@]}"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
