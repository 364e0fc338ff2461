"""Drives the push benchmark (bench/push.sh): an app with Firebase credentials, DEVICES Android
devices with push on (inserted with psql), one message sent now; then reads the fake FCM's count
and the api's peak memory, and prints the figures (and adds them to $BENCH_TABLE)."""

import argparse
import json
import os
import subprocess
import time
import urllib.error
import urllib.request


def call(base, method, path, token=None, body=None):
    req = urllib.request.Request(f"{base}/api/v1/{path}", method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(req, data) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()}") from e


def stats(fake):
    with urllib.request.urlopen(f"{fake}/stats") as answer:
        return json.load(answer)


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    p = argparse.ArgumentParser()
    for name in ("base", "fake", "pid", "db", "devices", "key"):
        p.add_argument(f"--{name}", required=True)
    a = p.parse_args()
    n = int(a.devices)
    token = call(a.base, "POST", "auth/login", body={"email": "admin@bench.test", "password": "bench-password-1"})["access_token"]
    owner = subprocess.run(["psql", a.db, "-Atqc", """
        INSERT INTO accounts (email, password_hash, role, status, first_name, last_name, company, country,
                              created_at, updated_at)
        VALUES ('shop@bench.test', NULL, 'customer', 'activated', 'Bench', 'Shop', 'Bench Shop', 'FR', now(), now())
        RETURNING id"""], check=True, capture_output=True, text=True).stdout.split()[0]
    app = call(a.base, "POST", "apps", token,
               {"name": "Bench Shop", "kind": "standalone", "edition": "basic", "owner_id": owner})
    with open(a.key) as key:
        account = {"type": "service_account", "project_id": "bench", "private_key_id": "k1",
                   "private_key": key.read(), "client_email": "bench@bench.iam.gserviceaccount.com"}
    call(a.base, "PUT", f"apps/{app['id']}/push-settings", token, {"fcm_service_account": json.dumps(account)})
    subprocess.run(["psql", a.db, "-qc", f"""
        INSERT INTO devices (app_id, installation_id, platform, model, os_version, app_version, push_token,
                             push_enabled, timezone, first_seen_at, last_seen_at, created_at, updated_at)
        SELECT {app['id']}, 'install-' || g, 'android', 'Pixel 8', '14', '2.0.0', 'token-' || g, true,
               'Europe/Paris', now(), now(), now(), now()
        FROM generate_series(1, {n}) g; ANALYZE devices;"""], check=True)
    msg = call(a.base, "POST", f"apps/{app['id']}/push-messages", token,
               {"title": "Bench sale", "body": "Everything 20 % off."})
    # Peak memory over the sending only (the sign-in's argon2 buffer is set-up).
    with open(f"/proc/{a.pid}/clear_refs", "w") as refs:
        refs.write("5")
    sent_at = time.time() * 1000
    call(a.base, "POST", f"apps/{app['id']}/push-messages/{msg['id']}/send", token, {})
    deadline = time.time() + 600
    while time.time() < deadline:
        s = stats(a.fake)
        if s["sent"] >= n:
            break
        time.sleep(0.2)
    s = stats(a.fake)
    peak = peak_kib(a.pid) / 1024
    while time.time() < deadline:
        done = call(a.base, "GET", f"apps/{app['id']}/push-messages/{msg['id']}", token)
        if done["status"] in ("sent", "failed"):
            break
        time.sleep(0.2)
    retried = subprocess.run(["psql", a.db, "-Atc", """
        SELECT count(*) FILTER (WHERE attempts > 1) || ' | ' || coalesce(string_agg(DISTINCT left(error, 100), ' / '), '')
        FROM push_deliveries"""], check=True, capture_output=True, text=True).stdout.strip()
    retried_count, _, errors_met = (part.strip() for part in retried.partition("|"))
    secs = max(s["last_ms"] - s["first_ms"], 1) / 1000
    rate = s["sent"] / secs
    first = (s["first_ms"] - sent_at) / 1000
    rows = [
        ("devices targeted / sent (message stats)", f"{done['stats']['targeted']} / {done['stats']['sent']}", ""),
        ("pushes accepted by the fake / distinct devices", f"{s['sent']} / {s['distinct']}", f"{n} / {n}"),
        ("deliveries per second (first to last push)", f"{rate:.0f}", ">= 10000"),
        ("seconds from send to the last push", f"{(s['last_ms'] - sent_at) / 1000:.1f}", ""),
        ("seconds from send to the first push", f"{first:.2f}", "<= 1"),
        ("api peak memory while sending, MB", f"{peak:.0f}", "<= 96"),
        ("deliveries tried more than once", retried_count, "0"),
    ]
    if errors_met:
        print("errors met:", errors_met)
    print()
    print(f"{'figure (' + str(n) + ' devices, PostgreSQL, ' + str(os.cpu_count()) + ' cores)':<62} {'value':>14} {'goal':>10}")
    for figure, value, goal in rows:
        print(f"{figure:<62} {value:>14} {goal:>10}")
    table = os.environ.get("BENCH_TABLE")
    if table:
        with open(table, "a") as out:
            for figure, value, goal in rows:
                out.write(f"push\t{figure}\t{value}\t{goal}\n")


if __name__ == "__main__":
    main()
