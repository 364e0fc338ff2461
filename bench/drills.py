"""Failure drills (issue 16): what the api promises when things go wrong, measured on the real
binary, and one table of the figures against their goals.

  (a) PostgreSQL restarted under load: only 2xx and 503-with-Retry-After answers, no 5xx from 5 s
      after it is back, throughput back to >= 0.95 of before.
  (b) the api killed with SIGKILL (three times) during a stream of idempotent creates and payments,
      restarted, the client retrying with the same keys: 0 acknowledged writes lost, 0 duplicates.
  (c) a 10-minute soak of mixed traffic: peak RSS of the last minute within 5 % of the second
      minute's, no error answers.
  (d) the disk of the SQLite file full: clear 503 `storage_full`, never a 500; once space returns
      writes succeed again, every acknowledged write is there, `PRAGMA integrity_check` is ok.

Usage: python drills.py <backoffice binary> <drill letters, e.g. abcd> [--ci]
(b) runs on SQLite and on PostgreSQL (the server at BENCH_POSTGRES_URL); (a) on a private
PostgreSQL cluster it starts and restarts itself; (d) on a tmpfs it mounts (root). With --ci a
drill that cannot run here fails instead of being skipped. Exits non-zero when a figure misses
its goal."""

import json
import os
import random
import shutil
import signal
import socket
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import httpx

JWT_SECRET = "drills-secret-0123456789abcdef0123456789"
PASSWORD = "drill-password-1"
ROWS = []  # (drill, figure, value, goal, ok)


def row(drill, figure, value, goal, ok):
    ROWS.append((drill, figure, str(value), goal, ok))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """The backoffice binary serving one database, restartable."""

    def __init__(self, binary, database_url, work, extra=None):
        self.binary, self.work = binary, work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DATABASE_URL=database_url, BIND_ADDR=f"127.0.0.1:{self.port}",
                        JWT_SECRET=JWT_SECRET, RUST_LOG="warn", ASSETS_DIR=os.path.join(work, "assets"),
                        LOGIN_RATE_LIMIT="100000", LOGIN_FAILURES_PER_ACCOUNT="100000",
                        LOGIN_FAILURES_PER_ADDRESS="100000", SDK_RATE_LIMIT="100000000",
                        WEBHOOK_POLL_MS="0", **(extra or {}))
        self.proc = None
        self.log = open(os.path.join(work, f"api-{self.port}.log"), "ab")

    def command(self, *args):
        subprocess.run([self.binary, *args], env=self.env, check=True, stdout=subprocess.DEVNULL,
                       stderr=self.log)

    def start(self):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=self.log,
                                     stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"the api exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError("the api did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def token(self, email, password=PASSWORD):
        reply = httpx.post(f"{self.base}/api/v1/auth/login", json={"email": email, "password": password})
        reply.raise_for_status()
        return reply.json()["access_token"]


def admin_and_customer(api):
    """An administrator, a plan, a partner and its activated customer: (admin, customer) tokens."""
    api.command("create-admin", "--email", "admin@drill.test", "--password", PASSWORD)
    admin = api.token("admin@drill.test")
    auth = {"Authorization": f"Bearer {admin}"}
    client = httpx.Client(base_url=f"{api.base}/api/v1", headers=auth)
    partner = client.post("partners", json={"email": "partner@drill.test", "company": "Drill Agency",
                                            "first_name": "Pat", "last_name": "Partner",
                                            "password": PASSWORD})
    partner.raise_for_status()
    customer = client.post("customers", json={"email": "shop@drill.test", "first_name": "Sue",
                                              "last_name": "Shop", "status": "activated",
                                              "password": PASSWORD, "partner_id": partner.json()["id"]})
    customer.raise_for_status()
    plan = client.post("plans", json={"name": "Drill monthly", "edition": "standard",
                                      "interval": "month", "price": 1000, "currency": "EUR"})
    plan.raise_for_status()
    return admin, api.token("shop@drill.test"), plan.json()["id"]


# --- (b) SIGKILL during idempotent creates and payments ---------------------------------------

def kill_drill(binary, database_url, label, work, items=120, kills=3):
    api = Api(binary, database_url, work)
    api.command("migrate")
    api.start()
    try:
        _, token, plan_id = admin_and_customer(api)
        acknowledged = {"app": {}, "subscription": {}, "payment": {}}
        counts = {"sent": 0, "retried": 0, "errors": []}
        lock = threading.Lock()

        def call(client, path, body, key, chance):
            """POST until answered: a dead or restarting api is retried with the same key, and one
            answer in five is taken as lost (a client timing out) and asked again, which must
            replay it."""
            first = None
            while True:
                with lock:
                    counts["sent"] += 1
                try:
                    reply = client.post(path, json=body, headers={"Idempotency-Key": key}, timeout=20)
                except httpx.HTTPError:
                    reply = None
                if reply is not None and reply.is_success:
                    if first is not None and (reply.json() != first
                                              or reply.headers.get("idempotent-replayed") != "true"):
                        with lock:
                            counts["errors"].append(f"{path}: a retry did not replay the first answer")
                    if first is None and chance.random() < 0.2:
                        first = reply.json()
                        with lock:
                            counts["retried"] += 1
                        continue
                    return reply.json()
                if reply is not None and reply.status_code != 503:
                    with lock:
                        counts["errors"].append(f"{path} {reply.status_code} {reply.text[:200]}")
                    return None
                with lock:
                    counts["retried"] += 1
                time.sleep(0.1)

        def worker(w, indexes):
            chance = random.Random(w)
            client = httpx.Client(base_url=f"{api.base}/api/v1", headers={"Authorization": f"Bearer {token}"})
            for i in indexes:
                app = call(client, "apps", {"name": f"Drill {i}", "kind": "standalone", "edition": "basic"},
                           f"{label}-app-{i}", chance)
                if app is None:
                    continue
                with lock:
                    acknowledged["app"][i] = app["id"]
                sub = call(client, f"apps/{app['id']}/subscription", {"plan_id": plan_id}, f"{label}-sub-{i}", chance)
                if sub is None:
                    continue
                with lock:
                    acknowledged["subscription"][i] = sub["id"]
                paid = call(client, f"subscriptions/{sub['id']}/pay", {"payment_method": "pm_card_visa"},
                            f"{label}-pay-{i}", chance)
                if paid is not None and paid.get("payment"):
                    with lock:
                        acknowledged["payment"][i] = paid["payment"]["id"]

        threads = [threading.Thread(target=worker, args=(w, range(w, items, 8))) for w in range(8)]
        for t in threads:
            t.start()
        chance = random.Random(20261127)
        for _ in range(kills):
            time.sleep(chance.uniform(0.8, 1.6))
            api.kill()
            time.sleep(0.3)
            api.start()
        for t in threads:
            t.join()

        # What the database holds, read back through the API.
        client = httpx.Client(base_url=f"{api.base}/api/v1", headers={"Authorization": f"Bearer {token}"})
        apps = paged(client, "apps")
        subs = paged(client, "subscriptions")
        payments = paged(client, "payments")
        drill_apps = [a for a in apps if a["name"].startswith("Drill ")]
        names = [a["name"] for a in drill_apps]
        ids = {a["id"] for a in drill_apps}
        sub_ids = {s["id"] for s in subs}
        pay_ids = {p["id"] for p in payments if p["status"] == "succeeded"}
        lost = (sum(1 for i in acknowledged["app"].values() if i not in ids)
                + sum(1 for i in acknowledged["subscription"].values() if i not in sub_ids)
                + sum(1 for i in acknowledged["payment"].values() if i not in pay_ids))
        duplicates = (len(names) - len(set(names))
                      + len(subs) - len({s["app_id"] for s in subs})
                      + len([p for p in payments if p["status"] == "succeeded"])
                      - len({p["subscription_id"] for p in payments if p["status"] == "succeeded"}))
        writes = sum(len(v) for v in acknowledged.values())
        complete = len(acknowledged["payment"]) == items
        row("b", f"{label}: acknowledged writes ({kills} SIGKILLs, {counts['retried']} retries "
                 f"of {counts['sent']} requests)", writes, f"= {3 * items}", writes == 3 * items and complete)
        row("b", f"{label}: acknowledged writes lost", lost, "0", lost == 0)
        row("b", f"{label}: duplicates (apps, subscriptions, payments)", duplicates, "0", duplicates == 0)
        for error in counts["errors"][:5]:
            print(f"  (b) {label}: unexpected answer: {error}")
        if counts["errors"]:
            row("b", f"{label}: answers other than 2xx or 503", len(counts["errors"]), "0", False)
    finally:
        api.stop()


def paged(client, path):
    items, cursor = [], None
    while True:
        params = {"per_page": 100, **({"cursor": cursor} if cursor else {})}
        reply = client.get(path, params=params)
        reply.raise_for_status()
        body = reply.json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


# --- (d) the SQLite disk full ------------------------------------------------------------------

def disk_full_drill(binary, work, ci):
    mount = os.path.join(work, "small-disk")
    os.makedirs(mount)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount],
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        row("d", f"skipped: cannot mount a small tmpfs ({done.stderr.strip()})", "-", "runs as root", not ci)
        return
    api = None
    try:
        db = os.path.join(mount, "backoffice.db")
        api = Api(binary, db, work)
        api.command("migrate")
        api.start()
        _, token, _ = admin_and_customer(api)
        client = httpx.Client(base_url=f"{api.base}/api/v1", headers={"Authorization": f"Bearer {token}"})
        app = client.post("apps", json={"name": "Full", "kind": "standalone", "edition": "basic"})
        app.raise_for_status()
        users = f"apps/{app.json()['id']}/mobile-users"
        # Fill the disk but for 1 MB.
        free = shutil.disk_usage(mount).free
        with open(os.path.join(mount, "filler"), "wb") as filler:
            filler.write(b"\0" * max(0, free - 1024 * 1024))
        acknowledged, statuses, codes = set(), {}, set()
        note = "x" * 2000

        def write(n):
            reply = client.post(users, json={"email": f"user{n}@mail.example", "first_name": "Fay",
                                             "last_name": note[:100]})
            statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
            if reply.is_success:
                acknowledged.add(reply.json()["id"])
            elif reply.status_code == 503:
                codes.add((reply.json().get("code"), reply.headers.get("retry-after") is not None))
            return reply.status_code

        n, full_at = 0, None
        while n < 20000 and full_at is None:
            if write(n) == 503:
                full_at = n
            n += 1
        # Some more while full: each one a clear 503, nothing half-written.
        for _ in range(30):
            write(n)
            n += 1
        while_full = dict(statuses)
        os.remove(os.path.join(mount, "filler"))
        after = [write(n + k) for k in range(30)]
        api.stop()
        api = None
        with sqlite3.connect(db) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            stored = conn.execute("SELECT count(*) FROM mobile_users").fetchone()[0]
        others = {s: c for s, c in while_full.items() if s not in (201, 503)}
        clear = codes == {("storage_full", True)}
        row("d", f"writes until the disk was full; answers then {sorted(while_full.items())}",
            full_at if full_at is not None else "never full", "full", full_at is not None)
        row("d", "answers other than 201 and 503 storage_full with Retry-After", sum(others.values()) + (0 if clear else 1),
            "0", not others and clear)
        row("d", "writes after space returned that succeeded", f"{after.count(201)}/30", "30/30", after.count(201) == 30)
        row("d", "acknowledged writes missing once the api stopped", len(acknowledged) - stored if stored <= len(acknowledged) else 0,
            "0", stored == len(acknowledged))
        row("d", "PRAGMA integrity_check", integrity, "ok", integrity == "ok")
    finally:
        if api:
            api.stop()
        subprocess.run(["umount", "-l", mount], check=False)


# --- (a) PostgreSQL restarted under load -----------------------------------------------------

WRK_SCRIPT = r"""
-- Counts answers per second of the run by status, and 503s without Retry-After.
per_second = {}
local path = os.getenv("DRILL_PATH")
local auth = os.getenv("DRILL_AUTH")
request = function()
  return wrk.format("GET", path, { ["Authorization"] = auth })
end
response = function(status, headers, body)
  local key = tostring(status)
  if status == 503 and headers["Retry-After"] == nil and headers["retry-after"] == nil then key = "503-no-retry-after" end
  key = os.time() .. " " .. key
  per_second[key] = (per_second[key] or 0) + 1
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local out = io.open(os.getenv("DRILL_OUT"), "w")
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("per_second")) do out:write(key, " ", n, "\n") end
  end
  out:close()
end
"""


def wrk(base, path, token, seconds, out, script, connections=16):
    env = dict(os.environ, DRILL_PATH=path, DRILL_AUTH=f"Bearer {token}", DRILL_OUT=out)
    log = open(f"{out}.log", "w")
    return subprocess.Popen(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, base],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def read_buckets(out):
    """{second: {status: answers}} from the lines "<second> <status> <answers>" of each thread."""
    buckets = {}
    with open(out) as lines:
        for line in lines:
            second, key, n = line.split()
            bucket = buckets.setdefault(int(second), {})
            bucket[key] = bucket.get(key, 0) + int(n)
    return buckets


def pg_restart_drill(binary, work, ci):
    pg_bin = next((d for d in sorted(os.listdir("/usr/lib/postgresql"), reverse=True)), None) \
        if os.path.isdir("/usr/lib/postgresql") else None
    if pg_bin is None or shutil.which("wrk") is None:
        row("a", "skipped: needs PostgreSQL's server binaries and wrk", "-", "installed", not ci)
        return
    bindir = f"/usr/lib/postgresql/{pg_bin}/bin"
    data = os.path.join(work, "pg")
    os.makedirs(data)
    shutil.chown(work, "postgres")
    shutil.chown(data, "postgres")
    port = free_port()

    def pg(*args, check=True):
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=check,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    pg(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg(f"{bindir}/pg_ctl", "-D", data, "-o", options, "-w", "start")
    api = Api(binary, f"postgres://postgres@127.0.0.1:{port}/postgres", work, {"DB_POOL_SIZE": "16"})
    try:
        api.command("migrate")
        api.start()
        _, token, _ = admin_and_customer(api)
        client = httpx.Client(base_url=f"{api.base}/api/v1", headers={"Authorization": f"Bearer {token}"})
        app = client.post("apps", json={"name": "Under load", "kind": "standalone", "edition": "basic"}).json()
        script = os.path.join(work, "count.lua")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        out = os.path.join(work, "wrk.out")
        load = wrk(api.base, f"/api/v1/apps/{app['id']}", token, 55, out, script)
        started = time.time()
        time.sleep(20)
        down = time.time()
        pg(f"{bindir}/pg_ctl", "-D", data, "-o", options, "-m", "fast", "-w", "restart")
        up = time.time()
        load.wait()
        if not os.path.exists(out):
            with open(f"{out}.log") as log:
                raise RuntimeError(f"wrk wrote no counts: {log.read()[-500:]!r}")
        buckets = read_buckets(out)
        before = [sum(b.get(k, 0) for k in b if k.startswith("2")) for s, b in buckets.items()
                  if started + 2 <= s < down - 1]
        after = [sum(b.get(k, 0) for k in b if k.startswith("2")) for s, b in buckets.items()
                 if up + 5 <= s < max(buckets)]
        bad = sum(n for b in buckets.values() for k, n in b.items() if not (k.startswith("2") or k == "503"))
        late_5xx = sum(n for s, b in buckets.items() if s >= up + 5 for k, n in b.items() if k.startswith("5"))
        unavailable = sum(b.get("503", 0) for b in buckets.values())
        # Medians of the seconds: the machine's own noise is about ±15 % from one to the next.
        rate_before = statistics.median(before)
        rate_after = statistics.median(after)
        ratio = rate_after / rate_before if rate_before else 0
        shape = [sum(n for k, n in buckets[t].items() if k.startswith("2")) for t in sorted(buckets)]
        print(f"  (a) 2xx per second: {shape}; PostgreSQL restarted at second "
              f"{int(down - min(buckets))}, back at {int(up - min(buckets))}")
        row("a", f"PostgreSQL down for {up - down:.1f} s under load: 503 with Retry-After answered",
            unavailable, "any", True)
        row("a", "answers other than 2xx and 503 with Retry-After", bad, "0", bad == 0)
        row("a", "5xx from 5 s after PostgreSQL is back", late_5xx, "0", late_5xx == 0)
        row("a", f"throughput after / before, medians of the seconds ({rate_after:.0f} / {rate_before:.0f} req/s)",
            f"{ratio:.2f}", ">= 0.95", ratio >= 0.95)
    finally:
        api.stop()
        pg(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop", check=False)


# --- (c) soak -----------------------------------------------------------------------------------

SOAK_SCRIPT = r"""
-- Mixed traffic: back-office reads, SDK device registrations (updates of the 2 000 devices
-- registered before the soak) and event batches of those devices, in turn; counts answers >= 400
-- by status.
local n = 0
bad = {}
first_error = ""
local auth = "Bearer " .. os.getenv("DRILL_TOKEN")
local key = os.getenv("DRILL_KEY")
local app = os.getenv("DRILL_APP")
request = function()
  n = n + 1
  local kind = n % 4
  if kind == 0 then
    return wrk.format("GET", "/api/v1/apps/" .. app .. "/devices?per_page=20", { ["Authorization"] = auth })
  elseif kind == 1 then
    return wrk.format("GET", "/api/v1/apps/" .. app .. "/analytics", { ["Authorization"] = auth })
  elseif kind == 2 then
    local body = string.format('{"installation_id":"soak-install-%d","platform":"android","model":"Pixel","os_version":"14","app_version":"1.0.0","push_enabled":false}', n % 2000)
    return wrk.format("POST", "/api/v1/sdk/devices", { ["X-App-Key"] = key, ["Content-Type"] = "application/json" }, body)
  else
    local body = string.format('{"events":[{"id":"soak-event-%d-%d","installation_id":"soak-install-%d","type":"session_end","at":"%s","duration_secs":30}]}', n, math.random(1000000), n % 2000, os.date("!%Y-%m-%dT%H:%M:%SZ"))
    return wrk.format("POST", "/api/v1/sdk/events", { ["X-App-Key"] = key, ["Content-Type"] = "application/json" }, body)
  end
end
response = function(status, headers, body)
  if status >= 400 then
    local key = tostring(status)
    bad[key] = (bad[key] or 0) + 1
    if first_error == "" then first_error = string.sub(body, 1, 300) end
  end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function()
  local out = io.open(os.getenv("DRILL_OUT"), "w")
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("bad")) do out:write(key, " ", n, "\n") end
    local first = thread:get("first_error")
    if first ~= "" then io.stderr:write("first error answer: ", first, "\n") end
  end
  out:close()
end
"""


def soak_drill(binary, work, minutes):
    if shutil.which("wrk") is None:
        row("c", "skipped: needs wrk", "-", "installed", False)
        return
    api = Api(binary, os.path.join(work, "soak.db"), work)
    api.command("migrate")
    api.start()
    try:
        _, token, _ = admin_and_customer(api)
        client = httpx.Client(base_url=f"{api.base}/api/v1", headers={"Authorization": f"Bearer {token}"})
        app = client.post("apps", json={"name": "Soak", "kind": "standalone", "edition": "basic"}).json()
        sdk = httpx.Client(base_url=f"{api.base}/api/v1/sdk", headers={"X-App-Key": app["app_key"]})
        for i in range(2000):
            sdk.post("devices", json={"installation_id": f"soak-install-{i}", "platform": "android",
                                      "model": "Pixel", "os_version": "14", "app_version": "1.0.0",
                                      "push_enabled": False}).raise_for_status()
        script = os.path.join(work, "soak.lua")
        with open(script, "w") as f:
            f.write(SOAK_SCRIPT)
        out = os.path.join(work, "soak.out")
        env = dict(os.environ, DRILL_TOKEN=token, DRILL_KEY=app["app_key"], DRILL_APP=app["id"], DRILL_OUT=out)
        load = subprocess.Popen(["wrk", "-t2", "-c8", f"-d{minutes * 60}s", "-s", script, api.base],
                                env=env, stdout=subprocess.PIPE, stderr=None, text=True)
        start = time.monotonic()
        samples = []
        while load.poll() is None:
            samples.append((time.monotonic() - start, api.rss_kb()))
            time.sleep(1)
        summary = load.stdout.read()
        with open(out) as f:
            errors = {}
            for line in f:
                status, n = line.split()
                errors[status] = errors.get(status, 0) + int(n)
        bad = sum(errors.values())
        second = max(kb for t, kb in samples if 60 <= t < 120)
        last = max(kb for t, kb in samples if t >= (minutes - 1) * 60)
        growth = (last - second) / second
        requests = next((line.split()[0] for line in summary.splitlines() if "requests in" in line), "?")
        row("c", f"{minutes}-minute soak, {requests} requests: error answers {sorted(errors.items())}",
            bad, "0", bad == 0)
        row("c", f"peak RSS, last minute vs second minute ({last // 1024} / {second // 1024} MB)",
            f"{growth * 100:+.1f} %", "<= +5 %", growth <= 0.05)
    finally:
        api.stop()


def main():
    binary, letters = os.path.abspath(sys.argv[1]), sys.argv[2]
    ci = "--ci" in sys.argv
    postgres = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    for letter in letters:
        work = tempfile.mkdtemp(prefix=f"drill-{letter}-")
        began = time.monotonic()
        try:
            if letter == "a":
                pg_restart_drill(binary, work, ci)
            elif letter == "b":
                kill_drill(binary, os.path.join(work, "kill.db"), "SQLite", work)
                database = f"bo_drill_{os.getpid()}"
                admin_url = postgres
                if subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {database}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                    try:
                        kill_drill(binary, f"{admin_url.rsplit('/', 1)[0]}/{database}", "PostgreSQL", work)
                    finally:
                        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE {database} WITH (FORCE)"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                else:
                    row("b", "PostgreSQL: skipped (not reachable)", "-", "reachable", not ci)
            elif letter == "c":
                soak_drill(binary, work, int(os.environ.get("DRILL_SOAK_MINUTES", "10")))
            elif letter == "d":
                disk_full_drill(binary, work, ci)
        except Exception as error:  # a drill that breaks is a failed drill, with its reason
            print(f"  drill ({letter}) broke: {error!r}")
            row(letter, "the drill broke (above)", "-", "runs", False)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"  drill ({letter}): {time.monotonic() - began:.0f} s", flush=True)

    print()
    print(f"| {'drill':5} | {'figure':92} | {'value':>12} | {'goal':>9} |    |")
    print(f"|{'-' * 7}|{'-' * 94}|{'-' * 14}|{'-' * 11}|----|")
    for drill, figure, value, goal, ok in ROWS:
        print(f"| {drill:5} | {figure[:92]:92} | {value:>12} | {goal:>9} | {'ok' if ok else 'NO'} |")
    sys.exit(0 if all(ok for *_, ok in ROWS) else 1)


if __name__ == "__main__":
    main()
