// Analytics charts as people read them: the figures of a period on hover and from the keyboard,
// labels that stay readable on a phone, the period not over yet marked, every IANA time zone on
// offer, a backwards date range caught in the form, filters in the address.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CUSTOMER, PHONE, assertAccessible, newPage, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

async function analytics(viewport, options) {
  const page = await newPage(env, viewport, options);
  await page.goto(`${env.server.url}/apps`);
  await signIn(page, CUSTOMER);
  await page.getByRole("link", { name: "Tulip Fashion", exact: true }).click();
  await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Analytics" }).click();
  await page.locator(".chart svg").first().waitFor();
  return page;
}

describe("analytics charts", () => {
  test("hover and arrow keys show a period's figures; the current period is marked partial", async () => {
    const page = await analytics(undefined, { locale: "de-DE", timezoneId: "Europe/Berlin" });
    const chart = page.getByRole("group", { name: /^Active devices and sessions/ });
    const label = await chart.getAttribute("aria-label");
    assert.match(label, /Sessions: [\d.]+ in all/, "sessions add up");
    assert.doesNotMatch(label, /Active devices: [\d.]+ in all/, "distinct devices do not: no total for them");
    assert.match(label, /Active devices: highest [\d.]+, latest [\d.]+/);

    // The pointer over the first period.
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    await page.mouse.move(box.x + 60, box.y + box.height / 2);
    const tip = page.locator(".chart-tip").first();
    await tip.waitFor();
    assert.match(await tip.textContent(), /Active devices: [\d.]+.*Sessions: [\d.]+/s);
    await shot(page, "95-chart-tooltip");

    // The keyboard: focus starts on the latest period, which is today's and not over yet.
    await page.mouse.move(0, 0);
    await chart.focus();
    await tip.waitFor();
    assert.match(await tip.textContent(), /not over yet/);
    await page.keyboard.press("ArrowLeft");
    assert.doesNotMatch(await tip.textContent(), /not over yet/, "yesterday is whole");
    await page.keyboard.press("Home");
    await page.getByText("Dashed: a period that is not over yet").first().waitFor();
    // German separators in the totals: 2.401, not 2,401.
    const totals = page.getByRole("region", { name: "Totals of the range" });
    const sessions = await totals.locator(".stat", { hasText: "Sessions" }).locator(".stat-value").textContent();
    assert.match(sessions, /^\d{1,3}(\.\d{3})*$/);
    await assertAccessible(page, "the analytics tab");

    // Every IANA zone; the choice and the range are in the address.
    const zones = await page.getByLabel("Time zone").locator("option").count();
    assert.ok(zones > 300, `only ${zones} time zones on offer`);
    assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Berlin", "the viewer's own zone first");
    await page.getByLabel("Time zone").selectOption("America/New_York");
    await page.waitForURL(/tz=America%2FNew_York/);
    await page.getByText("Days are counted in America/New_York.").waitFor();

    await page.getByLabel("From", { exact: true }).fill("2026-11-20");
    await page.getByLabel("To", { exact: true }).fill("2026-11-10");
    const error = page.locator("#range-error");
    await error.waitFor();
    assert.equal(await page.getByLabel("From", { exact: true }).getAttribute("aria-describedby"), "range-error");
    await shot(page, "96-chart-range-backwards");
    assert.deepEqual(page.errors, []);
  });

  test("on a phone the small charts keep labels a person can read", async () => {
    const page = await analytics(PHONE);
    await page.waitForFunction(() => document.querySelectorAll(".chart svg").length >= 5);
    const sizes = await page.evaluate(() =>
      [...document.querySelectorAll(".chart .tick")].map((t) => t.getBoundingClientRect().height));
    assert.ok(Math.min(...sizes) >= 9, `tick labels only ${Math.min(...sizes)} px tall`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    await shot(page, "97-charts-phone");
    await assertAccessible(page, "the analytics tab on a phone");
  });
});
