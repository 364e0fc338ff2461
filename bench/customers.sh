#!/usr/bin/env bash
# Customers benchmark (issue 4): on PostgreSQL with 100 000 customers across 50 partners, reports
#  (a) GET /customers/{id} throughput at 32 connections next to pgbench replaying the statements
#      the request sent (captured from PostgreSQL's log) at the same concurrency, rounds
#      interleaved, medians (goal: ratio ≥ 0.85),
#  (b) list latency at page 1 and 100 000 rows deep (keyset cursor; goal ≤ 1.2× apart; the
#      OFFSET page is shown for comparison),
#  (c) the api's peak memory under that load (goal ≤ 48 MB),
#  (d) GET /apps/{id}/devices page 1 (an app of 10 000 devices) next to pgbench replaying the
#      statements the request sent, captured from PostgreSQL's log (goal: ratio ≥ 0.85).
# Not part of the pass/fail tests. Needs PostgreSQL (BENCH_POSTGRES_URL, default the local one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
command -v wrk >/dev/null || { say "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || { say "installing pgbench"; apt-get install -y -qq postgresql-contrib >/dev/null; }

admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db=bo_bench
db_url="${admin_url%/*}/$db"
duration=${BENCH_SECONDS:-10}
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

say "building the api (release)"
cargo build --locked --release -p api --features jemalloc -q
bin=target/release/backoffice
export DATABASE_URL=$db_url JWT_SECRET=bench-secret-0123456789abcdef0123456789 RUST_LOG=warn \
  LOGIN_RATE_LIMIT=100000 WEB_DIST="$root/web/dist"
"$bin" migrate >/dev/null
"$bin" create-admin --email admin@bench.test --password 'bench-password-1' >/dev/null

say "loading 50 partners and 100 000 customers"
psql "$db_url" -q <<'SQL'
INSERT INTO accounts (email, password_hash, role, status, first_name, last_name, company, created_at, updated_at)
SELECT 'partner' || g || '@bench.test', (SELECT password_hash FROM accounts WHERE email = 'admin@bench.test'),
       'partner', 'activated', 'Partner', 'No ' || g, 'Agency ' || g, now() - make_interval(days => 400), now()
FROM generate_series(1, 50) g;
INSERT INTO accounts (email, role, status, first_name, last_name, company, country, partner_id, created_at, updated_at)
SELECT 'customer' || g || '@bench.test', 'customer', (ARRAY['activated', 'pending_activation', 'locked'])[1 + g % 3],
       'First' || g, 'Last' || g, 'Company ' || g, 'NL', p.id,
       now() - make_interval(secs => g * 37), now()
FROM generate_series(1, 100000) g
JOIN accounts p ON p.email = 'partner' || (1 + g % 50) || '@bench.test';
ANALYZE accounts;
SQL

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BIND_ADDR=127.0.0.1:$port "$bin" serve &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
base=http://127.0.0.1:$port/api/v1
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
login() {
  curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"bench-password-1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
partner_token=$(login partner1@bench.test)
admin_token=$(login admin@bench.test)
partner_id=$(psql "$db_url" -Atc "SELECT id FROM accounts WHERE email = 'partner1@bench.test'")
customer_id=$(psql "$db_url" -Atc "SELECT id FROM accounts WHERE partner_id = $partner_id ORDER BY id LIMIT 1")

# What one request sends, captured from a second server (one connection) whose statements
# PostgreSQL logs: `capture URL OUT` writes them to OUT as a pgbench script and shows them.
pg_log=$(ls /var/log/postgresql/postgresql-*-main.log | head -n 1)
capture() {
  local port pid offset
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  psql "$admin_url" -qc "ALTER DATABASE $db SET log_min_duration_statement = 0"
  BIND_ADDR=127.0.0.1:$port DB_POOL_SIZE=1 "$bin" serve &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.1; done
  # A first request warms the connection up; the second follows at once, as under load (a
  # connection idle for more than 500 ms is checked with `SELECT 1` before use).
  curl -fs -o /dev/null -H "Authorization: Bearer $partner_token" "http://127.0.0.1:$port/api/v1/$1"
  offset=$(stat -c %s "$pg_log")
  curl -fs -o /dev/null -H "Authorization: Bearer $partner_token" "http://127.0.0.1:$port/api/v1/$1"
  sleep 0.5
  kill $pid; wait $pid 2>/dev/null || true
  psql "$admin_url" -qc "ALTER DATABASE $db RESET log_min_duration_statement"
  echo "  $(python3 bench/capture_sql.py "$pg_log" "$offset" "$db" "$2") statements per request:"
  sed 's/^/    /' "$2" | cut -c1-160
}
sql=$(mktemp)
capture "customers/$customer_id" "$sql"
# Peak memory is taken over the load from here on: the set-up's sign-ins (argon2 holds 19 MiB
# while each one runs) are not part of it ("5" resets VmHWM to the current RSS).
echo 5 >/proc/$server/clear_refs
rss_before_kb=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
rounds=${BENCH_ROUNDS:-3}
say "(a) GET /customers/$customer_id: api under wrk vs pgbench, 32 connections, ${duration}s each, $rounds rounds interleaved"
api_runs=()
pg_runs=()
for _ in $(seq 1 "$rounds"); do
  api_runs+=("$(wrk -t2 -c32 -d"${duration}s" -H "Authorization: Bearer $partner_token" "$base/customers/$customer_id" \
    | awk '/Requests\/sec/ {print $2}')")
  pg_runs+=("$(pgbench -n -M prepared -c 32 -j 2 -T "$duration" -f "$sql" "$db_url" 2>/dev/null \
    | awk '/^tps/ {print $3; exit}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
api_rps=$(median "${api_runs[@]}")
pg_tps=$(median "${pg_runs[@]}")
echo "  api req/s: ${api_runs[*]}; pgbench tps: ${pg_runs[*]}"
peak_a_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

say "(b) list latency, page 1 vs 100 000 rows deep (admin, all customers, 20 per page)"
deep_key=$(psql "$db_url" -Atc "SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '.' || id FROM accounts WHERE role = 'customer' ORDER BY created_at DESC, id DESC OFFSET 99959 LIMIT 1")
deep_cursor=$(python3 -c "import base64,sys; print(base64.urlsafe_b64encode(('v1:' + sys.argv[1]).encode()).decode().rstrip('='))" "$deep_key")
median_ms() {
  for _ in $(seq 1 30); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $admin_token" "$1"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] * 1000}'
}
first_ms=$(median_ms "$base/customers?per_page=20")
deep_ms=$(median_ms "$base/customers?per_page=20&cursor=$deep_cursor")
offset_ms=$(median_ms "$base/customers?per_page=20&page=4999")
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

say "(d) GET /apps/{id}/devices page 1: api under wrk vs pgbench replaying its statements"
app_id=$(curl -fs -X POST "$base/apps" -H "Authorization: Bearer $partner_token" -H 'content-type: application/json' \
  -d "{\"name\":\"Bench\",\"kind\":\"standalone\",\"edition\":\"standard\",\"owner_id\":\"$customer_id\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
psql "$db_url" -q <<SQL
INSERT INTO devices (app_id, installation_id, platform, model, os_version, app_version, push_enabled,
                     first_seen_at, last_seen_at, created_at, updated_at)
SELECT $app_id, 'bench-' || g, CASE WHEN g % 5 < 3 THEN 'ios' ELSE 'android' END, 'Model ' || (g % 17),
       (12 + g % 6)::text, '2.' || (g % 4) || '.0', g % 3 > 0,
       now() - make_interval(secs => g * 61), now(), now(), now()
FROM generate_series(1, 10000) g;
VACUUM ANALYZE devices;
SQL
devices_url="$base/apps/$app_id/devices"
devices_sql=$(mktemp)
capture "apps/$app_id/devices" "$devices_sql"
api_runs=()
pg_runs=()
for _ in $(seq 1 "$rounds"); do
  api_runs+=("$(wrk -t2 -c32 -d"${duration}s" -H "Authorization: Bearer $partner_token" "$devices_url" \
    | awk '/Requests\/sec/ {print $2}')")
  pg_runs+=("$(pgbench -n -M prepared -c 32 -j 2 -T "$duration" -f "$devices_sql" "$db_url" 2>/dev/null \
    | awk '/^tps/ {print $3; exit}')")
done
echo "  api req/s: ${api_runs[*]}; pgbench tps: ${pg_runs[*]}"
devices_rps=$(median "${api_runs[@]}")
devices_tps=$(median "${pg_runs[@]}")
peak_d_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

echo
row() {
  printf '%-62s %12s %10s\n' "$1" "$2" "${3:-}"
  [ -z "${BENCH_TABLE:-}" ] || printf 'customers\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$BENCH_TABLE"
}
printf '%-62s %12s %10s\n' figure value goal
row "(a) api GET /customers/{id}, req/s (32 connections)" "$api_rps"
row "(a) pgbench, same SQL, transactions/s (32 connections)" "$pg_tps"
row "(a) ratio api / pgbench (medians)" "$(python3 -c "print(f'{$api_rps/$pg_tps:.2f}')")" ">= 0.85"
row "(b) list page 1, median ms" "$first_ms"
row "(b) list 100 000 rows deep (cursor), median ms" "$deep_ms"
row "(b) ratio deep / first" "$(python3 -c "print(f'{$deep_ms/$first_ms:.2f}')")" "<= 1.2"
row "    (for comparison: the same depth by OFFSET, median ms)" "$offset_ms"
row "(c) api memory (VmRSS) before the load, MB" "$((rss_before_kb / 1024))"
row "(c) api peak memory (VmHWM) during (a), MB" "$((peak_a_kb / 1024))" "<= 48"
row "(c) api peak memory (VmHWM) during (a) and (b), MB" "$((peak_kb / 1024))"
row "(d) api GET /apps/{id}/devices page 1, req/s" "$devices_rps"
row "(d) pgbench, the statements it sent, transactions/s" "$devices_tps"
row "(d) ratio api / pgbench (medians)" "$(python3 -c "print(f'{$devices_rps/$devices_tps:.2f}')")" ">= 0.85"
row "(c) api peak memory (VmHWM) during (a), (b) and (d), MB" "$((peak_d_kb / 1024))" "<= 48"
kill "$server"; wait "$server" 2>/dev/null || true
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null || true
