#!/usr/bin/env bash
# Billing benchmark (issue 14), on PostgreSQL:
#  (a) invoice PDF rendering in-process, p50 and p99 (goal: p50 ≤ 10 ms), and `GET
#      payments/{id}/invoice` over HTTP (median of 30 calls);
#  (b) one renewal run over BENCH_SUBSCRIPTIONS (default 100 000) subscriptions whose period has
#      ended: each is billed (invoice numbered, finalised) and charged with its saved test card —
#      invoices per second;
#  (c) GET /payments page 1 and a page 100 000 payments deep by cursor (of the 200 000 there are
#      then: last year's history and the run's) (median of 30 calls; the
#      same depth by OFFSET for comparison).
# Not part of the pass/fail tests. Needs PostgreSQL (BENCH_POSTGRES_URL, default the local one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh

admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db=bo_bench_billing
db_url="${admin_url%/*}/$db"
subs=${BENCH_SUBSCRIPTIONS:-100000}
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

say "building the api and the PDF benchmark (release)"
cargo build --locked --release -p api --features jemalloc -q --bin backoffice --example invoice_pdf
bin=target/release/backoffice
export DATABASE_URL=$db_url JWT_SECRET=bench-secret-0123456789abcdef0123456789 RUST_LOG=warn \
  LOGIN_RATE_LIMIT=100000 WEB_DIST="$root/web/dist"
"$bin" migrate >/dev/null
"$bin" create-admin --email admin@bench.test --password 'bench-password-1' >/dev/null

say "(a) invoice PDF, in-process"
pdf_line=$(target/release/examples/invoice_pdf 2000)
echo "$pdf_line"
pdf_p50=$(echo "$pdf_line" | sed -E 's/.*p50 ([0-9.]+) ms.*/\1/')
pdf_p99=$(echo "$pdf_line" | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')

say "loading $subs apps of one customer, each on a monthly plan whose period ended an hour ago"
psql "$db_url" -q <<SQL
INSERT INTO accounts (email, password_hash, role, status, first_name, last_name, company, country, created_at, updated_at)
VALUES ('shop@bench.test', NULL, 'customer', 'activated', 'Bench', 'Shop', 'Bench Shop', 'FR', now(), now());
INSERT INTO plans (name, edition, billing_interval, price, currency, trial_days, active, created_at, updated_at)
VALUES ('Standard monthly', 'standard', 'month', 4900, 'EUR', 0, true, now(), now());
INSERT INTO apps (owner_id, name, kind, edition, app_key, created_at, updated_at)
SELECT a.id, 'App ' || g, 'standalone', 'standard', 'ak_bench_' || g, now(), now()
FROM generate_series(1, $subs) g, (SELECT id FROM accounts WHERE email = 'shop@bench.test') a;
INSERT INTO subscriptions (app_id, owner_id, app_name, plan_id, status, billing_anchor, current_period_start,
                           current_period_end, payment_method, created_at, updated_at)
SELECT apps.id, apps.owner_id, apps.name, (SELECT id FROM plans LIMIT 1), 'active',
       now() - interval '1 month 1 hour', now() - interval '1 month 1 hour', now() - interval '1 hour',
       'pm_card_visa', now() - interval '1 month 1 hour', now() - interval '1 month 1 hour'
FROM apps;
-- Last year's history (an invoice and a payment per subscription), so that the tables the run
-- writes to are not empty when their statistics are taken: a server that has been billing a
-- while, not a first run.
INSERT INTO invoices (subscription_id, app_id, owner_id, number, status, currency, period_start, period_end,
                      subtotal, discount, tax, total, amount_paid, reverse_charge, customer_name, customer_email,
                      seller_name, seller_address, issued_at, paid_at, created_at, updated_at)
SELECT s.id, s.app_id, s.owner_id, '2025-' || lpad(s.id::text, 6, '0'), 'paid', 'EUR',
       now() - interval '13 months', now() - interval '12 months', 4900, 0, 980, 5880, 5880, false,
       'Bench Shop', 'shop@bench.test', 'Seller', 'Address', now() - interval '13 months',
       now() - interval '13 months', now() - interval '13 months', now() - interval '13 months'
FROM subscriptions s;
INSERT INTO invoice_lines (invoice_id, description, quantity, unit_price, amount, vat_rate, period_start, period_end)
SELECT id, 'Standard monthly', 1, 4900, 4900, 2000, period_start, period_end FROM invoices;
INSERT INTO payments (invoice_id, invoice_number, subscription_id, app_id, app_name, owner_id, amount, currency,
                      status, payment_method, provider, created_at)
SELECT i.id, i.number, i.subscription_id, i.app_id, 'App', i.owner_id, 5880, 'EUR', 'succeeded', 'pm_card_visa',
       'test', i.created_at
FROM invoices i;
ANALYZE;
SQL

say "(b) one renewal run"
run_line=$("$bin" billing-run)
echo "$run_line"
run_secs=$(echo "$run_line" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
invoices=$(psql "$db_url" -Atc "SELECT count(*) FROM invoices WHERE status = 'paid' AND number NOT LIKE '2025-%'")
numbers=$(psql "$db_url" -Atc "SELECT count(DISTINCT number) || ' distinct, max ' || max(number) FROM invoices WHERE number NOT LIKE '2025-%'")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BIND_ADDR=127.0.0.1:$port "$bin" serve &
server=$!
trap 'kill $server 2>/dev/null || true; psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null || true' EXIT
base=http://127.0.0.1:$port/api/v1
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -X POST "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@bench.test","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

median_ms() {
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$1" || { echo "GET $1 failed" >&2; exit 1; }
  for _ in $(seq 1 30); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$1"
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] * 1000}'
}
say "(c) payments list, page 1 vs $subs payments deep; (a) the invoice over HTTP"
depth=$((subs - 20))
deep_key=$(psql "$db_url" -Atc "SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '.' || id FROM payments ORDER BY created_at DESC, id DESC OFFSET $((depth - 1)) LIMIT 1")
deep_cursor=$(python3 -c "import base64,sys; print(base64.urlsafe_b64encode(('v1:' + sys.argv[1]).encode()).decode().rstrip('='))" "$deep_key")
first_ms=$(median_ms "$base/payments?per_page=20")
deep_ms=$(median_ms "$base/payments?per_page=20&cursor=$deep_cursor")
offset_ms=$(median_ms "$base/payments?per_page=20&page=$((depth / 20))")
payment=$(psql "$db_url" -Atc "SELECT id FROM payments ORDER BY id LIMIT 1")
pdf_http_ms=$(median_ms "$base/payments/$payment/invoice")

echo
printf '%-62s %12s %8s\n' "figure ($subs subscriptions, PostgreSQL, $(nproc) cores)" "value" "goal"
printf '%-62s %12s %8s\n' "(a) invoice PDF in-process, p50 ms" "$pdf_p50" "<= 10"
printf '%-62s %12s %8s\n' "(a) invoice PDF in-process, p99 ms" "$pdf_p99" ""
printf '%-62s %12s %8s\n' "(a) GET payments/{id}/invoice over HTTP, median ms" "$pdf_http_ms" ""
printf '%-62s %12s %8s\n' "(b) renewal run, seconds" "$run_secs" ""
printf '%-62s %12s %8s\n' "(b) invoices issued and paid per second" "$(python3 -c "print(f'{$invoices/$run_secs:.0f}')")" ""
printf '%-62s %12s %8s\n' "(b) invoices paid / numbers" "$invoices / $numbers" ""
printf '%-62s %12s %8s\n' "(c) payments page 1, median ms" "$first_ms" ""
printf '%-62s %12s %8s\n' "(c) payments $depth deep (cursor), median ms" "$deep_ms" ""
printf '%-62s %12s %8s\n' "(c) ratio deep / first" "$(python3 -c "print(f'{$deep_ms/$first_ms:.2f}')")" ""
printf '%-62s %12s %8s\n' "    (for comparison: the same depth by OFFSET, median ms)" "$offset_ms" ""
