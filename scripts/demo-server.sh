# Sourced by the scripts that test a running back office (schemathesis.sh, clients.sh).
# start_demo_server <backoffice binary>: in the environment the caller exported (DATABASE_URL,
# JWT_SECRET, …), adds the demo data and serves on a free port, logging to $work/server.log;
# stops the server and removes $work when the script exits. Sets `base` to the server's URL.
start_demo_server() {
  local bin=$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export BIND_ADDR=127.0.0.1:$port
  "$bin" seed-demo >/dev/null
  "$bin" serve >"$work/server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
  base=http://127.0.0.1:$port
  for _ in $(seq 1 100); do
    curl -fs "$base/health/ready" >/dev/null && break
    sleep 0.1
  done
}
