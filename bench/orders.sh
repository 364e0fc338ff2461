#!/usr/bin/env bash
# Orders benchmark (issue 12), on PostgreSQL with 1 000 000 orders of one Standard app:
#  (a) GET /apps/{id}/orders page 1 and a page 500 000 orders deep by cursor (median of 30 calls;
#      goal: at most 1.2× apart; the same depth by OFFSET is shown for comparison),
#  (b) POST /sdk/orders throughput (orders of two lines) at 32 connections, next to pgbench
#      replaying the SQL one intake sends, at the same concurrency.
# Not part of the pass/fail tests. Needs PostgreSQL (BENCH_POSTGRES_URL, default the local one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
command -v wrk >/dev/null || { say "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || { say "installing pgbench"; apt-get install -y -qq postgresql-contrib >/dev/null; }

admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db=bo_bench_orders
db_url="${admin_url%/*}/$db"
orders=${BENCH_ORDERS:-1000000}
duration=${BENCH_SECONDS:-10}
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

say "building the api (release)"
cargo build --locked --release -p api --features jemalloc -q
bin=target/release/backoffice
export DATABASE_URL=$db_url JWT_SECRET=bench-secret-0123456789abcdef0123456789 RUST_LOG=warn \
  LOGIN_RATE_LIMIT=100000 SDK_RATE_LIMIT=100000000 WEB_DIST="$root/web/dist"
"$bin" migrate >/dev/null
"$bin" create-admin --email admin@bench.test --password 'bench-password-1' >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BIND_ADDR=127.0.0.1:$port "$bin" serve &
server=$!
trap 'kill $server 2>/dev/null || true; psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null || true' EXIT
base=http://127.0.0.1:$port/api/v1
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
admin=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@bench.test","password":"bench-password-1"}' | json access_token)
curl -fs -X POST "$base/customers" -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
  -d '{"email":"shop@bench.test","first_name":"Bench","last_name":"Shop","status":"activated","password":"bench-password-1"}' >/dev/null
token=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"shop@bench.test","password":"bench-password-1"}' | json access_token)
created=$(curl -fs -X POST "$base/apps" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"Bench","kind":"standalone","edition":"standard"}')
app=$(echo "$created" | json id)
key=$(echo "$created" | json app_key)

say "loading $orders orders (one line each) over the last 90 days"
psql "$db_url" -q <<SQL
INSERT INTO orders (app_id, order_number, status, currency, placed_at, subtotal, shipping, tax, discount,
                    total, line_count, buyer_email, buyer_name, guest, content_hash, created_at, updated_at)
SELECT $app, 'B' || g, (ARRAY['pending','processing','shipped','completed','canceled','refunded'])[1 + g % 6],
       'EUR', now() - make_interval(secs => g * 7.7), 1000 + g % 9000, 495, 210, 0, 1705 + g % 9000, 1,
       'buyer' || g || '@mail.example', 'Buyer ' || g, true, md5(g::text), now(), now()
FROM generate_series(1, $orders) g;
INSERT INTO order_lines (order_id, position, sku, name, quantity, unit_price)
SELECT id, 0, 'SKU-' || (id % 500), 'Product ' || (id % 500), 1, subtotal FROM orders;
ANALYZE orders; ANALYZE order_lines;
SQL

median_ms() {
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$1" || { echo "GET $1 failed" >&2; exit 1; }
  for _ in $(seq 1 30); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$1"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] * 1000}'
}
say "(a) list latency, page 1 vs 500 000 orders deep"
half=$((orders / 2))
deep_key=$(psql "$db_url" -Atc "SELECT (extract(epoch FROM placed_at) * 1000000)::bigint || '.' || id FROM orders WHERE app_id = $app ORDER BY placed_at DESC, id DESC OFFSET $((half - 1)) LIMIT 1")
deep_cursor=$(python3 -c "import base64,sys; print(base64.urlsafe_b64encode(('v1:' + sys.argv[1]).encode()).decode().rstrip('='))" "$deep_key")
first_ms=$(median_ms "$base/apps/$app/orders?per_page=20")
deep_ms=$(median_ms "$base/apps/$app/orders?per_page=20&cursor=$deep_cursor")
offset_ms=$(median_ms "$base/apps/$app/orders?per_page=20&page=$((half / 20))")

say "(b) POST /sdk/orders: api under wrk vs pgbench, 32 connections, ${duration}s each"
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
-- Each thread numbers its own orders: "W<thread>-<n>", so no two requests share a number.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", tostring(threads))
end
local counter = 0
request = function()
  counter = counter + 1
  local placed = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 60)
  local body = string.format([[{"order_number":"W%s-%d","placed_at":"%s","currency":"EUR",
    "lines":[{"sku":"TEE","name":"T-shirt","quantity":2,"unit_price":1000},{"sku":"MUG","name":"Mug","quantity":1,"unit_price":550}],
    "shipping":495,"tax":525,"discount":200,"total":3370,"guest_email":"buyer@mail.example","guest_name":"Bea Buyer"}]],
    prefix, counter, placed)
  return wrk.format("POST", nil, nil, body)
end
LUA
wrk_out=$(wrk -t2 -c32 -d"${duration}s" -s "$lua" -H "X-App-Key: $key" -H 'content-type: application/json' \
  "$base/sdk/orders")
echo "$wrk_out"
answered=$(echo "$wrk_out" | awk '/requests in/ {print $1}')
failed=$(echo "$wrk_out" | awk '/Non-2xx/ {print $NF}')
stored=$(psql "$db_url" -Atc "SELECT count(*) FROM orders WHERE order_number LIKE 'W%'")
# Only stored orders count: orders per second is what reached the database.
api_rps=$(python3 -c "print(f'{$stored/$duration:.1f}')")
# The SQL one intake sends: the app by its key (its own pool check-out), then in one transaction
# the order by number, the insert of the order, its lines and the first step of its trace, and
# the reads of the answer (order, lines, trace). Each check-out tests the connection (SELECT 1).
sql=$(mktemp)
cat >"$sql" <<SQL
\set n random(1, 2000000000)
SELECT 1;
SELECT id, owner_id, name, kind, edition, store_url, icon_url, ios_bundle_id, android_package_name, app_key, version, created_at, updated_at FROM apps WHERE app_key = '$key' LIMIT 1;
SELECT 1;
BEGIN;
SELECT * FROM orders WHERE app_id = $app AND order_number = 'P' || :client_id || '-' || :n LIMIT 1;
INSERT INTO orders (app_id, order_number, status, currency, placed_at, subtotal, shipping, tax, discount, total, line_count, buyer_email, buyer_name, guest, content_hash, created_at, updated_at)
  VALUES ($app, 'P' || :client_id || '-' || :n, 'pending', 'EUR', now(), 2550, 495, 525, 200, 3370, 2, 'buyer@mail.example', 'Bea Buyer', true, md5(:n::text), now(), now()) RETURNING id \gset
INSERT INTO order_lines (order_id, position, sku, name, quantity, unit_price) VALUES (:id, 0, 'TEE', 'T-shirt', 2, 1000), (:id, 1, 'MUG', 'Mug', 1, 550);
INSERT INTO order_events (order_id, status, created_at) VALUES (:id, 'pending', now());
SELECT * FROM orders WHERE app_id = $app AND id = :id LIMIT 1;
SELECT * FROM order_lines WHERE order_id = :id ORDER BY position;
SELECT * FROM order_events WHERE order_id = :id ORDER BY id;
COMMIT;
SQL
pg_tps=$(pgbench -n -c 32 -j 2 -T "$duration" -f "$sql" "$db_url" 2>/dev/null | awk '/^tps/ {print $3; exit}')
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

echo
printf '%-62s %12s %8s\n' "figure ($orders orders, PostgreSQL, $(nproc) cores)" "value" "goal"
printf '%-62s %12s %8s\n' "(a) list page 1, median ms" "$first_ms" ""
printf '%-62s %12s %8s\n' "(a) list $half orders deep (cursor), median ms" "$deep_ms" ""
printf '%-62s %12s %8s\n' "(a) ratio deep / first" "$(python3 -c "print(f'{$deep_ms/$first_ms:.2f}')")" "<= 1.2"
printf '%-62s %12s %8s\n' "    (for comparison: the same depth by OFFSET, median ms)" "$offset_ms" ""
printf '%-62s %12s %8s\n' "(b) api POST /sdk/orders, orders/s (32 connections)" "$api_rps" ""
printf '%-62s %12s %8s\n' "    answered / non-2xx / stored by that run" "$answered / ${failed:-0} / $stored" ""
printf '%-62s %12s %8s\n' "(b) pgbench, same SQL, transactions/s (32 connections)" "$pg_tps" ""
printf '%-62s %12s %8s\n' "(b) ratio api / pgbench" "$(python3 -c "print(f'{$api_rps/$pg_tps:.2f}')")" ""
printf '%-62s %12s %8s\n' "api peak memory (VmHWM), MB" "$((peak_kb / 1024))" ""
