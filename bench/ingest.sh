#!/usr/bin/env bash
# SDK ingest benchmark (issue 11, point 3): POST /sdk/events with batches of 100 events (two per
# device, 50 devices, every event with its own id, as the SDK sends them) at 32 connections.
#  PostgreSQL: events per second next to pgbench replaying the SQL one batch needs (the app's
#    key, the devices' ids, the 100-row INSERT, the rollup upsert and the hour's device sketch,
#    the devices' last-seen update, in one transaction), rounds interleaved, medians
#    (goal: ratio ≥ 0.7).
#  SQLite: events per second beside it.
#  Both: after the load, no event lost or stored twice — every acknowledged batch is stored, the
#    stored events are whole batches, no event id is stored twice, and the rollups count every
#    stored event once.
# Not part of the pass/fail tests. Prints "row<TAB>figure<TAB>value<TAB>goal" lines to $BENCH_TABLE
# when set (bench/run.sh collects them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
command -v wrk >/dev/null || { say "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || { say "installing pgbench"; apt-get install -y -qq postgresql-contrib >/dev/null; }

admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
duration=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
work=$(mktemp -d)
say "building the api (release)"
cargo build --locked --release -p api --features jemalloc -q
bin=$root/target/release/backoffice
export JWT_SECRET=bench-secret-0123456789abcdef0123456789 RUST_LOG=warn,actix_files=off \
  LOGIN_RATE_LIMIT=100000 SDK_RATE_LIMIT=100000000 WEB_DIST="$root/web/dist"
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

row() {
  printf '%-62s %12s %10s\n' "$1" "$2" "${3:-}"
  [ -z "${BENCH_TABLE:-}" ] || printf 'ingest\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$BENCH_TABLE"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sql_on() { if [ "$backend" = PostgreSQL ]; then psql "$DATABASE_URL" -Atc "$1"; else python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DATABASE_URL" "$1"; fi; }

# Starts the api on $DATABASE_URL with one app and its 50 devices; sets base, app, key, server.
start() {
  "$bin" migrate >/dev/null
  "$bin" create-admin --email admin@bench.test --password 'bench-password-1' >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BIND_ADDR=127.0.0.1:$port "$bin" serve &
  server=$!
  base=http://127.0.0.1:$port/api/v1
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
  local admin token created
  admin=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"admin@bench.test","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -fs -X POST "$base/customers" -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
    -d '{"email":"shop@bench.test","first_name":"Bench","last_name":"Shop","status":"activated","password":"bench-password-1"}' >/dev/null
  token=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"shop@bench.test","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  created=$(curl -fs -X POST "$base/apps" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"Bench","kind":"standalone","edition":"standard"}')
  app=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$created")
  key=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["app_key"])' "$created")
  for n in $(seq -w 1 50); do
    curl -fs -o /dev/null -X POST "$base/sdk/devices" -H "X-App-Key: $key" -H 'content-type: application/json' \
      -d "{\"installation_id\":\"bench-device-$n\",\"platform\":\"android\",\"model\":\"Pixel 8\",\"os_version\":\"14\",\"app_version\":\"2.0.0\",\"push_enabled\":false}"
  done
}

# The wrk script: each request a batch of 100 events with ids of its own (thread, request,
# event), two per device, a minute ago.
at=$(date -u -d '1 minute ago' +%Y-%m-%dT%H:%M:%SZ)
cat >"$work/ingest.lua" <<LUA
local counter = 0
-- Ids differ from one round to the next (a repeated id would be skipped as a duplicate).
local round = os.getenv("BENCH_ROUND") or "0"
thread_id = 0
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_id", #threads)
end
function request()
  counter = counter + 1
  local events = {}
  for n = 1, 50 do
    local device = string.format("bench-device-%02d", n)
    local id = string.format("r%s-w%d-%d-%d", round, thread_id, counter, n)
    events[#events + 1] = '{"id":"' .. id .. '-s","type":"session_start","installation_id":"' .. device .. '","at":"$at"}'
    events[#events + 1] = '{"id":"' .. id .. '-e","type":"session_end","installation_id":"' .. device .. '","at":"$at","duration_secs":42}'
  end
  return wrk.format("POST", nil, nil, '{"events":[' .. table.concat(events, ",") .. ']}')
end
accepted = 0
function response(status)
  if status == 202 then accepted = accepted + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("accepted") end
  io.write(string.format("accepted %d\n", total))
end
LUA

# Runs wrk for round $1; prints events per second (202 batches × 100 / seconds).
wrk_round() {
  BENCH_ROUND=$1 wrk -t2 -c32 -d"${duration}s" -s "$work/ingest.lua" -H "X-App-Key: $key" -H 'content-type: application/json' \
    "$base/sdk/events" >"$work/wrk.out"
  if grep -q 'Non-2xx' "$work/wrk.out"; then
    echo "non-2xx answers during the load:" >&2
    cat "$work/wrk.out" >&2
    exit 1
  fi
  # Requests still in flight when wrk stops are finished by the server: wait until the count
  # stands still.
  local before=-1 now
  while now=$(sql_on "SELECT COUNT(*) FROM events") && [ "$now" != "$before" ]; do
    before=$now
    sleep 1
  done
  awk '/Requests\/sec/ {printf "%.0f", $2 * 100}' "$work/wrk.out"
  awk '/^accepted/ {print $2}' "$work/wrk.out" >>"$work/accepted"
}

# After the load: no acknowledged batch lost, whole batches only, no event twice, rollups equal.
check_counts() {
  local stored distinct sessions acknowledged
  acknowledged=$(awk '{s += $1} END {print s + 0}' "$work/accepted")
  rm -f "$work/accepted"
  stored=$(sql_on "SELECT COUNT(*) FROM events")
  distinct=$(sql_on "SELECT COUNT(DISTINCT client_id) FROM events")
  # The fold job runs every second: what is still queued counts too.
  sessions=$(sql_on "SELECT (SELECT COALESCE(SUM(sessions), 0) FROM analytics_quarters) + (SELECT COALESCE(SUM(sessions), 0) FROM analytics_pending)")
  echo "  $backend: $acknowledged batches acknowledged, $stored events stored, $distinct distinct ids, $sessions sessions in the rollups"
  local ok=yes
  [ "$stored" -ge $((acknowledged * 100)) ] || ok="no: acknowledged events lost"
  [ $((stored % 100)) -eq 0 ] || ok="no: a partial batch is stored"
  [ "$stored" -eq "$distinct" ] || ok="no: an event is stored twice"
  [ $((sessions * 2)) -eq "$stored" ] || ok="no: the rollups miscount"
  row "$backend: events lost or stored twice (of $stored)" "$([ "$ok" = yes ] && echo 0 || echo "$ok")" "0"
}

# PostgreSQL: api and pgbench rounds, interleaved.
if psql "$admin_url" -qc 'SELECT 1' >/dev/null 2>&1; then
  backend=PostgreSQL
  db=bo_bench_ingest
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  export DATABASE_URL="${admin_url%/*}/$db"
  say "PostgreSQL: one app, 50 devices"
  start
  # The SQL of one batch, as the api sends it (diesel prepares statements: -M prepared). Events
  # and the queued rollup rows go to copies of their tables, so the api's counts stay its own.
  psql "$DATABASE_URL" -qc "CREATE TABLE events_replay (LIKE events INCLUDING ALL)" \
    -c "CREATE TABLE analytics_pending_replay (LIKE analytics_pending INCLUDING ALL)"
  quarter=$(python3 -c 'import sys,datetime as d; t=d.datetime.fromisoformat(sys.argv[1].replace("Z","")); print(t.replace(minute=t.minute//15*15, second=0))' "$at")
  ids=$(psql "$DATABASE_URL" -Atc "SELECT string_agg(id::text, ',' ORDER BY installation_id) FROM devices WHERE app_id = $app")
  python3 - "$work/batch.sql" "$app" "$key" "$ids" "${at/T/ }" "$quarter" <<'PY'
import sys
out, app, key, ids, at, quarter = sys.argv[1:]
at = at.rstrip("Z")
ids = ids.split(",")
names = ", ".join(f"'bench-device-{n:02d}'" for n in range(1, 51))
rows = []
for n, device in enumerate(ids, 1):
    for kind, duration, suffix in (("session_start", "NULL", "s"), ("session_end", "42", "e")):
        rows.append(f"({app}, {device}, '{kind}', '{at}', {duration}, NULL, 'p' || :r || '-{n}-{suffix}', now())")
lines = [
    r"\set r random(1, 1000000000000)",
    "BEGIN;",
    f"SELECT id, owner_id, name, app_key FROM apps WHERE app_key = '{key}' LIMIT 1;",
    f"SELECT installation_id, id FROM devices WHERE app_id = {app} AND installation_id IN ({names});",
    "INSERT INTO events_replay (app_id, device_id, kind, occurred_at, duration_secs, message_id, client_id, created_at) VALUES "
    + ", ".join(rows) + " ON CONFLICT DO NOTHING RETURNING device_id, kind, occurred_at, duration_secs;",
    # The batch's addition to the rollups, queued: its quarter's sums and its 50 devices' sketch.
    f"INSERT INTO analytics_pending_replay (app_id, starts_at, sessions, push_opens, ended, duration, installs, devices) "
    f"VALUES ({app}, '{quarter}', 50, 0, 50, 2100, 0, decode(repeat('00', 401), 'hex'));",
]
# The devices' last-seen times, in one statement (rows locked in id order).
seen = ", ".join(f"({d}, TIMESTAMP '{at}')" for d in sorted(ids, key=int))
lines.append(
    f"WITH seen (id, at) AS (VALUES {seen}), locked AS (SELECT d.id FROM devices d JOIN seen ON seen.id = d.id "
    "WHERE d.last_seen_at < seen.at ORDER BY d.id FOR UPDATE OF d) UPDATE devices SET last_seen_at = seen.at "
    "FROM seen, locked WHERE devices.id = seen.id AND locked.id = seen.id AND devices.last_seen_at < seen.at;"
)
lines.append("COMMIT;")
open(out, "w").write("\n".join(lines) + "\n")
PY
  say "PostgreSQL: api under wrk vs pgbench, 32 connections, ${duration}s each, $rounds rounds interleaved"
  echo 5 >/proc/$server/clear_refs # peak memory over the load, not the set-up's sign-ins
  api_runs=()
  pg_runs=()
  for round in $(seq 1 "$rounds"); do
    api_runs+=("$(wrk_round "$round")")
    pg_runs+=("$(pgbench -n -M prepared -c 32 -j 2 -T "$duration" -f "$work/batch.sql" "$DATABASE_URL" 2>/dev/null |
      awk '/^tps/ {printf "%.0f", $3 * 100; exit}')")
  done
  echo "  api events/s: ${api_runs[*]}; pgbench events/s: ${pg_runs[*]}"
  api_eps=$(median "${api_runs[@]}")
  pg_eps=$(median "${pg_runs[@]}")
  peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
  row "PostgreSQL: api POST /sdk/events, events/s (batches of 100)" "$api_eps"
  row "PostgreSQL: pgbench, the same SQL, events/s" "$pg_eps"
  row "PostgreSQL: ratio api / pgbench (medians)" "$(python3 -c "print(f'{$api_eps/$pg_eps:.2f}')")" ">= 0.7"
  row "PostgreSQL: api peak memory (VmHWM) during ingest, MB" "$((peak_kb / 1024))" "<= 48"
  check_counts
  kill "$server"; wait "$server" 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
else
  echo "PostgreSQL not reachable at $admin_url: measuring SQLite only" >&2
fi

backend=SQLite
export DATABASE_URL=$work/ingest.db
say "SQLite: one app, 50 devices; api under wrk, 32 connections, ${duration}s, $rounds rounds"
start
echo 5 >/proc/$server/clear_refs
runs=()
for round in $(seq 1 "$rounds"); do
  runs+=("$(wrk_round "$round")")
done
echo "  api events/s: ${runs[*]}"
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
row "SQLite: api POST /sdk/events, events/s (batches of 100)" "$(median "${runs[@]}")"
row "SQLite: api peak memory (VmHWM) during ingest, MB" "$((peak_kb / 1024))" "<= 48"
check_counts
