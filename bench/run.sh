#!/usr/bin/env bash
# Every benchmark, one table (issue 11): builds the release api once, then runs
#   bench/customers.sh  GET /customers/{id} and GET /apps/{id}/devices page 1 next to pgbench
#                       replaying their SQL (32 connections, rounds interleaved, medians), list
#                       depth, the api's peak memory;
#   bench/ingest.sh     POST /sdk/events batches next to pgbench (PostgreSQL), SQLite beside it,
#                       events lost or stored twice;
#   bench/analytics.sh  analytics over 10 000 000 events and 200 000 devices, both backends;
#   bench/push.sh       one push message to 100 000 devices through a fake FCM: deliveries per
#                       second, time to the first push, the api's peak memory;
# and prints every figure with its goal, and the machine it ran on. Not part of the pass/fail
# tests. Takes about ten minutes on 2 cores (BENCH_SECONDS, BENCH_ROUNDS, BENCH_EVENTS and
# BENCH_DEVICES shorten it). Needs PostgreSQL (BENCH_POSTGRES_URL, default the local one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
export BENCH_TABLE
BENCH_TABLE=$(mktemp)
trap 'rm -f "$BENCH_TABLE"' EXIT
say "building the api (release)"
cargo build --locked --release -p api --features jemalloc -q
for bench in customers ingest analytics push; do
  start=$SECONDS
  bash "bench/$bench.sh"
  printf 'run\t%s\t%s\t\n' "bench/$bench.sh, seconds" "$((SECONDS - start))" >>"$BENCH_TABLE"
done

echo
say "results"
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM," \
  "$(psql "${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -Atc 'SHOW server_version' 2>/dev/null | sed 's/^/PostgreSQL /;s/ (.*//')," \
  "SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') (Python's; the api bundles its own), $(date -u +%F)"
echo
printf '| %-9s | %-62s | %12s | %9s |\n' bench figure value goal
printf '|%s|%s|%s|%s|\n' "-----------" "$(printf -- '-%.0s' $(seq 1 64))" "--------------" "-----------"
while IFS=$'\t' read -r bench figure value goal; do
  printf '| %-9s | %-62s | %12s | %9s |\n' "$bench" "$figure" "$value" "$goal"
done <"$BENCH_TABLE"
