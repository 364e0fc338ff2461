#!/usr/bin/env bash
# Analytics benchmark (issues 5 and 11): one app with 200 000 devices and 10 000 000 events spread
# over the last 90 days, on PostgreSQL and on SQLite, loaded by SQL and then rolled up by
# `backoffice rebuild-analytics` (timed). Reports the median latency (30 calls) of
#   GET /apps/{id}/analytics for the last 30 days by day, 90 days by day in UTC, in
#   Europe/Amsterdam and in Asia/Kolkata (active devices from raw events there: 5 calls), 90 days by week
#   in Europe/Amsterdam, and of GET /apps/{id}/devices/summary.
# Goal (issue 11): 90 days by day in any zone with whole-hour offsets ≤ 50 ms on PostgreSQL,
# ≤ 100 ms on SQLite. BENCH_EVENTS and BENCH_DEVICES change the load.
# Not part of the pass/fail tests. PostgreSQL: BENCH_POSTGRES_URL (default the local one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
events=${BENCH_EVENTS:-10000000}
devices=${BENCH_DEVICES:-200000}

say "building the api (release)"
cargo build --locked --release -p api --features jemalloc -q
bin=$root/target/release/backoffice
work=$(mktemp -d)
export JWT_SECRET=bench-secret-0123456789abcdef0123456789 RUST_LOG=warn,actix_files=off LOGIN_RATE_LIMIT=100000

# The median of ${2:-30} calls of $1, in ms; the first call must succeed (a failing call is fast).
median_ms() {
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$1" || { echo "GET $1 failed" >&2; exit 1; }
  for _ in $(seq 1 "${2:-30}"); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$1"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] * 1000}'
}

# Starts the api on $1, creates a customer and its app through the API; sets base, token, app.
start() {
  export DATABASE_URL=$1
  "$bin" migrate >/dev/null
  "$bin" create-admin --email admin@bench.test --password 'bench-password-1' >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BIND_ADDR=127.0.0.1:$port "$bin" serve &
  server=$!
  base=http://127.0.0.1:$port/api/v1
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
  local admin
  admin=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"admin@bench.test","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -fs -X POST "$base/customers" -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
    -d '{"email":"shop@bench.test","first_name":"Bench","last_name":"Shop","status":"activated","password":"bench-password-1"}' >/dev/null
  token=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d '{"email":"shop@bench.test","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  app=$(curl -fs -X POST "$base/apps" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"Bench","kind":"standalone","edition":"standard"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
}

# Rolls up what was loaded by SQL, as an upgrade does; the time it took is a row of the table.
rollup() {
  local started=$SECONDS
  "$bin" rebuild-analytics
  row "$1: rebuild-analytics of $events events and $devices devices, s" "$((SECONDS - started))"
  psql_vacuum "$1"
}
psql_vacuum() { [ "$1" != PostgreSQL ] || psql "$DATABASE_URL" -qc 'VACUUM ANALYZE analytics_quarters' -c 'VACUUM ANALYZE analytics_device_hours'; }

measure() {
  local label=$1 from30 from90 today
  today=$(date -u +%F)
  from30=$(date -u -d '29 days ago' +%F)
  from90=$(date -u -d '89 days ago' +%F)
  # What the 90-day range holds, to show that the whole load is counted.
  curl -fsS -H "Authorization: Bearer $token" "$base/apps/$app/analytics?from=$from90&to=$today" |
    python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print("'"$label"' 90-day totals:", {k: t[k] for k in ("installs","active_devices","sessions","push_opens")})'
  row "$label: analytics, 30 days by day, median ms" "$(median_ms "$base/apps/$app/analytics?from=$from30&to=$today")"
  row "$label: analytics, 90 days by day, median ms" "$(median_ms "$base/apps/$app/analytics?from=$from90&to=$today")" "<= $goal"
  row "$label: analytics, 90 days by day, Europe/Amsterdam, median ms" "$(median_ms "$base/apps/$app/analytics?from=$from90&to=$today&tz=Europe/Amsterdam")" "<= $goal"
  row "$label: analytics, 90 days by day, Asia/Kolkata, median ms" "$(median_ms "$base/apps/$app/analytics?from=$from90&to=$today&tz=Asia/Kolkata" 5)"
  row "$label: analytics, 90 days by week, Europe/Amsterdam, median ms" "$(median_ms "$base/apps/$app/analytics?from=$from90&to=$today&interval=week&tz=Europe/Amsterdam")"
  row "$label: devices/summary, median ms" "$(median_ms "$base/apps/$app/devices/summary")"
  kill "$server"; wait "$server" 2>/dev/null || true
}

rows=()
# "figure  value  goal" lines, kept for the end; also to $BENCH_TABLE when set (bench/run.sh).
row() {
  rows+=("$(printf '%-62s %12s %10s' "$1" "$2" "${3:-}")")
  [ -z "${BENCH_TABLE:-}" ] || printf 'analytics\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$BENCH_TABLE"
}
admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if psql "$admin_url" -qc 'SELECT 1' >/dev/null 2>&1; then
  db_url="${admin_url%/*}/bo_bench_analytics"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS bo_bench_analytics WITH (FORCE)" -c "CREATE DATABASE bo_bench_analytics"
  start "$db_url"
  say "PostgreSQL: loading $devices devices and $events events"
  psql "$db_url" -v ON_ERROR_STOP=1 -q <<SQL
INSERT INTO devices (app_id, installation_id, platform, model, os_version, app_version, push_enabled,
                     first_seen_at, last_seen_at, created_at, updated_at)
SELECT $app, 'bench-' || g, CASE WHEN g % 5 < 3 THEN 'ios' ELSE 'android' END,
       'Model ' || (g % 17), (12 + g % 6)::text, '2.' || (g % 4) || '.0', g % 3 > 0,
       (now() at time zone 'utc') - make_interval(secs => (g::bigint * 7919) % 7776000),
       (now() at time zone 'utc'), (now() at time zone 'utc'), (now() at time zone 'utc')
FROM generate_series(1, $devices) g;
INSERT INTO events (app_id, device_id, kind, occurred_at, duration_secs, message_id, created_at)
SELECT $app, d.id, k.kind, (now() at time zone 'utc') - make_interval(secs => (g::bigint * 104729) % 7776000),
       CASE WHEN k.kind = 'session_end' THEN 30 + g % 600 END,
       CASE WHEN k.kind = 'push_open' THEN 'm' || g % 12 END, (now() at time zone 'utc')
FROM generate_series(1, $events) g
JOIN devices d ON d.app_id = $app AND d.installation_id = 'bench-' || (1 + g % $devices)
CROSS JOIN LATERAL (SELECT (ARRAY['session_start', 'session_end', 'session_start', 'session_end', 'push_open'])[1 + g % 5] AS kind) k;
-- The steady state autovacuum reaches: statistics, and a visibility map for index-only scans.
VACUUM ANALYZE devices; VACUUM ANALYZE events;
SQL
  rollup PostgreSQL
  goal=50 measure PostgreSQL
  psql "$admin_url" -qc "DROP DATABASE bo_bench_analytics WITH (FORCE)"
else
  echo "PostgreSQL not reachable at $admin_url: measuring SQLite only" >&2
fi

start "$work/bench.db"
say "SQLite: loading $devices devices and $events events"
python3 - "$work/bench.db" "$app" "$devices" "$events" <<'PY'
import sqlite3, sys
db, app, devices, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
c.execute(f"""
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {devices})
INSERT INTO devices (app_id, installation_id, platform, model, os_version, app_version, push_enabled,
                     first_seen_at, last_seen_at, created_at, updated_at)
SELECT {app}, 'bench-' || n, CASE WHEN n % 5 < 3 THEN 'ios' ELSE 'android' END, 'Model ' || (n % 17),
       CAST(12 + n % 6 AS TEXT), '2.' || (n % 4) || '.0', n % 3 > 0,
       strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || ((n * 7919) % 7776000) || ' seconds'),
       strftime('%Y-%m-%d %H:%M:%S', 'now'), strftime('%Y-%m-%d %H:%M:%S', 'now'), strftime('%Y-%m-%d %H:%M:%S', 'now')
FROM g""")
c.execute(f"""
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {events}),
     e AS (SELECT n, CASE n % 5 WHEN 4 THEN 'push_open' WHEN 1 THEN 'session_end' WHEN 3 THEN 'session_end' ELSE 'session_start' END AS kind FROM g)
INSERT INTO events (app_id, device_id, kind, occurred_at, duration_secs, message_id, created_at)
SELECT {app}, (SELECT id FROM devices WHERE app_id = {app} AND installation_id = 'bench-' || (1 + n % {devices})), kind,
       strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || ((n * 104729) % 7776000) || ' seconds'),
       CASE WHEN kind = 'session_end' THEN 30 + n % 600 END,
       CASE WHEN kind = 'push_open' THEN 'm' || n % 12 END, strftime('%Y-%m-%d %H:%M:%S', 'now')
FROM e""")
c.commit()
c.execute("ANALYZE")
c.close()
PY
rollup SQLite
goal=100 measure SQLite
rm -rf "$work"

echo
printf '%s\n' "${rows[@]}"
