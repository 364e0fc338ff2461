// Every page of the back office, as each role sees it, at a desktop and a phone size: a screenshot
// of each (tests/artifacts/tour-<role>-<page>-<size>.png), axe-core with no violation of any impact
// (every page on the desktop, the first of each role on the phone),
// nothing wider than the window, no API requests while a page sits idle, no uncaught error and
// nothing in the console (not even the browser's report of a failed request).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, CUSTOMER, DESKTOP, PARTNER, PHONE, assertAccessible, newPage, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

const SIZES = [["desktop", DESKTOP], ["phone", PHONE]];

/** The pages each role has, by a short name, with what shows once the page has loaded. */
const COMMON = [
  ["dashboard", "/", "h1"],
  ["apps", "/apps", "tbody tr"],
  ["app", "/apps/{app}", ".tabs"],
  ["app-analytics", "/apps/{app}/analytics", "svg, .empty"],
  ["app-devices", "/apps/{app}/devices", "tbody tr, .empty"],
  ["app-users", "/apps/{app}/users", "tbody tr, .empty, .card h2"],
  ["app-orders", "/apps/{app}/orders", "tbody tr, .empty"],
  ["app-quotes", "/apps/{app}/quotes", "tbody tr, .empty"],
  ["app-push", "/apps/{app}/push", "tbody tr, .empty"],
  ["app-billing", "/apps/{app}/billing", "h2"],
  ["app-publish", "/apps/{app}/publish", "h2"],
  ["billing", "/billing", "tbody tr, .empty"],
  ["publishing", "/publishing", "tbody tr, .empty"],
  ["activity", "/activity", "tbody tr"],
  ["webhooks", "/webhooks", "tbody tr, .empty"],
  ["profile", "/profile", "form"],
];
const PAGES = {
  admin: [
    ...COMMON,
    ["partners", "/partners", "tbody tr"],
    ["customers", "/customers", "tbody tr"],
    ["plans", "/plans", "tbody tr"],
    ["coupons", "/coupons", "tbody tr, .empty"],
    ["outbox", "/outbox", "tbody tr, .empty"],
  ],
  partner: [...COMMON, ["customers", "/customers", "tbody tr"], ["coupons", "/coupons", "tbody tr, .empty"]],
  customer: COMMON,
};
const SIGNED_OUT = [
  ["sign-in", "/login", "form"],
  ["sign-up", "/register", "form"],
  ["forgot-password", "/forgot-password", "form"],
  ["reset-password", "/reset-password?token=x", "h1"],
];

/** The first Standard app the account sees (every tab shows on it), from the apps list. */
async function firstApp(page) {
  await page.goto(`${env.server.url}/apps`);
  await page.locator("tbody tr").first().waitFor();
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll("tbody tr")];
    const row = rows.find((r) => /Standard/.test(r.textContent)) ?? rows[0];
    return row.querySelector("a[href^='/apps/']").getAttribute("href").split("/")[2];
  });
}

/** How many API requests `page` has sent so far (counted from the first call). */
function apiRequests(page) {
  if (page.apiRequests === undefined) {
    page.apiRequests = 0;
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/")) page.apiRequests += 1;
    });
  }
  return page.apiRequests;
}

/** What a page may still ask for once it shows no loading state (a late key figure, a chart);
 * a page that asks again and again (the orders tab once refetched itself ~13 times a second) sends
 * more while axe-core reads it. */
const IDLE_REQUESTS = 4;

/** Opens one page and returns what is wrong with it (nothing, when all is well). axe-core runs on
 * every page at the desktop size, and on the phone for the first page of each role: the phone
 * changes the layout's chrome (the menu), which every page shares, not what a page holds, and axe
 * is half of the tour's time. */
async function visit(page, role, size, [name, path, ready], app, axe = true) {
  const where = `${role}'s ${name} page (${size})`;
  const problems = [];
  const loggedBefore = page.consoleErrors.length;
  await page.goto(`${env.server.url}${path.replace("{app}", app)}`);
  try {
    await page.locator(ready).first().waitFor({ timeout: 10000 });
  } catch {
    await shot(page, `tour-${role}-${name}-${size}-not-ready`);
    return [`${where} did not show ${ready} (at ${page.url()})`];
  }
  await page.waitForFunction(() => !document.querySelector(".loading"));
  const askedBefore = apiRequests(page);
  await shot(page, `tour-${role}-${name}-${size}`);
  if (axe) {
    try {
      await assertAccessible(page, where);
    } catch (e) {
      problems.push(`${where}: ${e.actual.join("; ")}`);
    }
  }
  // Nothing in the console: no failed request (a signed-out visitor's page load once asked to
  // refresh a session it did not have: a 401 on every load), no refused script.
  const logged = page.consoleErrors.slice(loggedBefore);
  if (logged.length) problems.push(`${where} logged ${logged.join("; ")}`);
  const asked = apiRequests(page) - askedBefore;
  if (axe && asked > IDLE_REQUESTS) problems.push(`${where} sent ${asked} API requests while idle`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${where} is ${overflow} px wider than the window`);
  // A table fits its card: no column (and no row action) is cut off behind a sideways scroll.
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll(".table-wrap")].map((w) => w.scrollWidth - w.clientWidth).filter((d) => d > 1));
  if (cut.length) problems.push(`${where} has a table ${cut.join(", ")} px wider than its card`);
  return problems;
}

/** Visits each page in turn; every problem of every page is reported at once. */
async function tour(page, role, size, pages, app = "") {
  const problems = [];
  for (const [i, entry] of pages.entries()) {
    const axe = size === "desktop" || i === 0 || role === "visitor";
    problems.push(...(await visit(page, role, size, entry, app, axe)));
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
}

describe("a tour of every page", () => {
  for (const [size, viewport] of SIZES) {
    test(`signed out, ${size}`, async () => {
      const page = await newPage(env, viewport);
      await tour(page, "visitor", size, SIGNED_OUT);
    });
    for (const [role, account] of [["admin", ADMIN], ["partner", PARTNER], ["customer", CUSTOMER]]) {
      test(`${role}, ${size}`, async () => {
        const page = await newPage(env, viewport);
        await page.goto(`${env.server.url}/login`);
        await signIn(page, account);
        await page.locator("#content h1").waitFor();
        const app = await firstApp(page);
        await tour(page, role, size, PAGES[role], app);
      });
    }
  }
});
