// What every browser test file shares: one real api (with the demo data) and one headless Chromium
// per file, pages at a desktop or phone size, screenshots, sign-in and the axe-core check.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { startServer } from "./server.mjs";

const artifacts = resolve(import.meta.dirname, "../artifacts");
mkdirSync(artifacts, { recursive: true });

export const PASSWORD = "demo-password-1";
export const ADMIN = { email: "admin@demo.test", password: PASSWORD };
export const PARTNER = { email: "partner@demo.test", password: PASSWORD };
export const CUSTOMER = { email: "emma@customer.demo.test", password: PASSWORD };
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Starts the server and the browser for this file; `env.server.url` once `before` has run. */
export function useBackOffice() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** The browser's own report of an answer that was not a success ("Failed to load resource: the
 * server responded with a status of 422"): expected where a test provokes it. */
const FAILED_RESOURCE = /^Failed to load resource/;

/** A page in a fresh browser context (its own cookies; `options` such as `timezoneId` for the
 * context). `page.errors` collects uncaught page errors and every console error the page itself
 * logs (a panic, a Content-Security-Policy refusal); `page.consoleErrors` every console error,
 * the browser's reports of failed requests included (a page merely visited should cause none:
 * the tour checks it). */
export async function newPage(env, viewport = DESKTOP, options = {}) {
  const context = await env.browser.newContext({ viewport, ...options });
  // Whatever the Content-Security-Policy refuses is an error of the page (the browser's own
  // report of it is a console message too; this one names the directive).
  await context.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) =>
    console.error(`CSP refused ${e.blockedURI || "inline code"} (${e.violatedDirective})`)));
  const page = await context.newPage();
  const errors = [];
  const consoleErrors = [];
  // A Rust panic reaches the page as "unreachable"; its message was logged to the console just
  // before (console_error_panic_hook): keep it with the error.
  let lastConsoleError = "";
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    lastConsoleError = m.text();
    const at = m.location()?.url;
    consoleErrors.push(at ? `${m.text()} (${at})` : m.text());
    if (!FAILED_RESOURCE.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(e.message === "unreachable" && lastConsoleError ? `unreachable: ${lastConsoleError}` : e.message));
  page.errors = errors;
  page.consoleErrors = consoleErrors;
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

export async function signIn(page, { email, password } = ADMIN) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A new page signed in as `account`, on its dashboard. */
export async function signedIn(env, account, viewport = DESKTOP, options = {}) {
  const page = await newPage(env, viewport, options);
  await page.goto(`${env.server.url}/login`);
  await signIn(page, account);
  await page.locator("#content h1").waitFor();
  return page;
}

/** axe-core: no violation of any impact (minor ones included). */
export async function assertAccessible(page, what) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  assert.deepEqual(bad, [], `${what} has accessibility violations`);
}

/** Chooses `item` in the "More" menu of the row named `name`. */
export async function moreAction(page, name, item) {
  await page.getByRole("button", { name: `More actions for ${name}` }).click();
  await page.getByRole("menu").getByRole("menuitem", { name: item, exact: true }).click();
}
