#!/usr/bin/env bash
# Runs the black-box API test binary N times in a row (default 20), on SQLite and PostgreSQL, with
# core dumps on, and stops at the first run that fails or dies by a signal (the SIGSEGV at exit
# this catches was one run in six). Prints each run's result and duration; the test databases and
# SQLite files of each run are removed before the next. Beside scripts/test.sh, give it its own
# PostgreSQL and TMPDIR (both remove what the other makes). Usage: scripts/soak-api-tests.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-20}
export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export CI=true # PostgreSQL is required, as in CI
bin=$(cargo test --locked --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "api" and m["target"]["kind"] == ["test"]:
        print(m["executable"])')
cores=$(mktemp -d)
# Its own copy: a build during the soak does not change the binary under test between runs.
cp "$bin" "$cores/api-tests"
bin=$cores/api-tests
ulimit -c unlimited
if [ -w /proc/sys/kernel/core_pattern ]; then echo "$cores/core.%p" >/proc/sys/kernel/core_pattern; fi
drop() {
  psql "$TEST_POSTGRES_URL" -qAtc "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE);', datname)
      FROM pg_database WHERE datname LIKE 'bo\_test\_%'" | psql "$TEST_POSTGRES_URL" -qX >/dev/null
  rm -rf "${TMPDIR:-/tmp}/backoffice-tests"
}
for i in $(seq 1 "$runs"); do
  started=$SECONDS
  set +e
  "$bin" -q >"$cores/run-$i.log" 2>&1
  status=$?
  set -e
  summary=$(grep -E '^test result' "$cores/run-$i.log" | tail -1)
  printf 'run %2d/%d: exit %d in %3ds  %s\n' "$i" "$runs" "$status" $((SECONDS - started)) "$summary"
  drop
  if [ "$status" -ne 0 ] || ls "$cores"/core.* >/dev/null 2>&1; then
    echo "run $i failed (exit $status; a status above 128 is a signal); its output and any core: $cores" >&2
    exit 1
  fi
done
echo "$runs runs in a row ended cleanly"
