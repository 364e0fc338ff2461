#!/usr/bin/env bash
# Push benchmark (issue 13): one message to BENCH_PUSH_DEVICES (default 100 000) Android devices
# through a local fake of FCM HTTP v1 (`api/examples/fake_fcm.rs`, HTTP/2 in clear) on
# PostgreSQL, the release api with `PUSH_GATEWAY=live`:
#   deliveries per second (first to last accepted push; goal >= 10 000/s, FCM's default quota),
#   the time from `POST …/send` to the first push the fake accepts (goal <= 1 s),
#   the api's peak memory while it sends (goal <= 96 MB),
#   and that every device got exactly one push.
# Not part of the pass/fail tests. Needs PostgreSQL (BENCH_POSTGRES_URL, default the local one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh

admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db=bo_bench_push
db_url="${admin_url%/*}/$db"
devices=${BENCH_PUSH_DEVICES:-100000}
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"

say "building the api and the fake FCM (release)"
cargo build --locked --release -p api --features jemalloc -q --bin backoffice --example fake_fcm
bin=target/release/backoffice
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fcm_port=$(free_port)
port=$(free_port)
target/release/examples/fake_fcm "$fcm_port" &
fake=$!
export DATABASE_URL=$db_url JWT_SECRET=bench-secret-0123456789abcdef0123456789 RUST_LOG=warn \
  LOGIN_RATE_LIMIT=100000 WEB_DIST="$root/web/dist" PUSH_GATEWAY=live \
  FCM_API_BASE=http://127.0.0.1:$fcm_port FCM_TOKEN_URL=http://127.0.0.1:$fcm_port/token
"$bin" migrate >/dev/null
"$bin" create-admin --email admin@bench.test --password 'bench-password-1' >/dev/null
BIND_ADDR=127.0.0.1:$port "$bin" serve &
server=$!
trap 'kill $server $fake 2>/dev/null || true; psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done

key=$(mktemp)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null
python3 bench/push.py --base "http://127.0.0.1:$port" --fake "http://127.0.0.1:$fcm_port" --pid "$server" \
  --db "$db_url" --devices "$devices" --key "$key"
rm -f "$key"
