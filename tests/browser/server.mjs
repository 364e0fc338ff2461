// Starts the real back office (api + built SPA) on a free port with a fresh SQLite database and the
// demo data, for the browser tests.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

function freePort() {
  return new Promise((ok) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

export async function startServer() {
  const bin = process.env.BACKOFFICE_BIN ?? join(root, "target/debug/backoffice");
  const dir = mkdtempSync(join(tmpdir(), "backoffice-browser-"));
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: join(dir, "backoffice.db"),
    BIND_ADDR: `127.0.0.1:${port}`,
    JWT_SECRET: "browser-tests-secret-0123456789abcdef",
    WEB_DIST: join(root, "web/dist"),
    // Each file's server keeps its uploads apart: the test files may run side by side.
    ASSETS_DIR: join(dir, "assets"),
    LOGIN_RATE_LIMIT: "1000",
    LOGIN_FAILURES_PER_ACCOUNT: "100000",
    LOGIN_FAILURES_PER_ADDRESS: "100000",
    // The webhook test's receiver listens on this machine.
    WEBHOOK_ALLOW_LOOPBACK: "true",
    WEBHOOK_POLL_MS: "200",
    RUST_LOG: "warn",
  };
  execFileSync(bin, ["seed-demo"], { env, stdio: "ignore" });
  const child = spawn(bin, ["serve"], { env, stdio: ["ignore", "inherit", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
