#!/usr/bin/env bash
# Generates the two API clients integrators would generate from openapi/openapi.json — Python by
# openapi-python-client, TypeScript by openapi-typescript + openapi-fetch (type-checked with
# `tsc --strict`) — and drives an integrator's flow with each against a running back office on a
# fresh SQLite database with the demo data (tests/clients/flow.py, tests/clients/flow.mts). The
# Python flow also receives a webhook and verifies it with the `standardwebhooks` library.
# A spec change that breaks either client fails here.
# Usage: scripts/clients.sh <backoffice binary>
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
# Inside the repository so that Node finds node_modules (openapi-fetch) from the compiled flow.
ts=$root/target/clients/ts
export DATABASE_URL=sqlite://$work/clients.db JWT_SECRET=clients-secret-0123456789abcdef0123 \
  ASSETS_DIR=$work/assets RUST_LOG=warn WEBHOOK_ALLOW_LOOPBACK=true WEBHOOK_POLL_MS=100
source scripts/demo-server.sh
start_demo_server "$bin"
status=0

echo "Python: openapi-python-client"
if "$root/.tools/venv/bin/openapi-python-client" generate --path openapi/openapi.json \
  --output-path "$work/py/client" --meta none >"$work/py-generate.log" 2>&1; then
  grep -E '^WARNING' "$work/py-generate.log" | sed 's/^/  generator: /' || true
  PYTHONPATH=$work/py "$root/.tools/venv/bin/python" tests/clients/flow.py "$base" || status=1
else
  cat "$work/py-generate.log"
  status=1
fi

echo "TypeScript: openapi-typescript + openapi-fetch, tsc --strict"
rm -rf "$ts" && mkdir -p "$ts"
cp tests/clients/flow.mts "$ts/"
if node_modules/.bin/openapi-typescript openapi/openapi.json -o "$ts/api.d.ts" --silent &&
  node_modules/.bin/tsc --strict --target es2022 --module nodenext --moduleResolution nodenext \
    --lib es2022,dom --skipLibCheck --outDir "$ts/out" "$ts/flow.mts"; then
  node "$ts/out/flow.mjs" "$base" || status=1
else
  status=1
fi

if [ $status -ne 0 ]; then
  echo "--- server log"
  tail -n 50 "$work/server.log"
fi
exit $status
