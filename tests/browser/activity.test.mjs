// The activity log as people read it: actions in words with their subject's name and a link to
// it, who acted (and who was behind them during "log in as"), times in the viewer's own zone,
// filters kept in the address and a date range checked before it is sent.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, CUSTOMER, PARTNER, PHONE, assertAccessible, shot, signedIn as signedInAs, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();
const AMSTERDAM = { timezoneId: "Europe/Amsterdam", locale: "en-GB" };

const signedIn = (account, viewport, options) => signedInAs(env, account, viewport, options);

describe("activity", () => {
  test("an administrator reads what happened in words, filters it and follows a subject", async () => {
    const page = await signedIn(ADMIN, undefined, AMSTERDAM);
    await page.goto(`${env.server.url}/partners`);
    await page.getByRole("button", { name: "Add partner" }).click();
    const dialog = page.getByRole("dialog", { name: "Add partner" });
    await dialog.getByLabel("Email (username)").fill("studio@example.com");
    await dialog.getByLabel("First name").fill("Sara");
    await dialog.getByLabel("Last name").fill("Stone");
    await dialog.getByLabel("Company").fill("Stone Studio");
    await dialog.getByLabel("Country (ISO code)").fill("NL");
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByText("Partner studio@example.com created.").waitFor();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Activity" }).click();
    await page.getByLabel("About").selectOption("partner");
    await page.getByLabel("Action").selectOption("partner.create");
    await page.waitForURL(/subject_type=partner.*action=partner\.create|action=partner\.create.*subject_type=partner/);
    const row = page.getByRole("row", { name: /Created partner Stone Studio/ });
    await row.waitFor();
    // The filtered list: this partner and the demo's two, which the demo admin made.
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll("tbody tr")];
      return rows.length === 3 && rows.every((r) => /Created partner/.test(r.textContent));
    });
    assert.match(await row.locator("td").nth(1).textContent(), /^You/, "the viewer's own actions are theirs");
    // The time is in the viewer's zone and says so: Amsterdam is UTC+1 in winter, UTC+2 in summer
    // (the event is recorded now, whatever the date of the run).
    assert.match(await row.locator("td").nth(2).textContent(), /CES?T|GMT\+[12]/);
    await shot(page, "90-activity-filtered");
    await assertAccessible(page, "the activity page, filtered");

    await row.getByRole("link", { name: "Stone Studio" }).click();
    await page.getByRole("heading", { name: "Partners" }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    await page.getByRole("row", { name: /Stone Studio/ }).waitFor();

    // Back keeps the filters; a backwards date range is caught before it is sent.
    await page.goBack();
    await page.getByRole("row", { name: /Created partner Stone Studio/ }).waitFor();
    assert.equal(await page.getByLabel("Action").inputValue(), "partner.create");
    await page.getByLabel("From", { exact: true }).fill("2026-12-10");
    await page.getByLabel("To", { exact: true }).fill("2026-12-01");
    await page.getByText("“From” is after “To”").waitFor();
    assert.deepEqual(page.errors, []);
  });

  test("a customer sees who acted as them during log in as, by name", async () => {
    const partner = await signedIn(PARTNER);
    await partner.goto(`${env.server.url}/customers?q=tulip`);
    await partner.getByRole("button", { name: "Log in as Tulip Fashion" }).click();
    const [tab] = await Promise.all([
      partner.context().waitForEvent("page"),
      partner.getByRole("dialog", { name: "Log in as Tulip Fashion" }).getByRole("button", { name: "Open back office" }).click(),
    ]);
    await tab.getByRole("heading", { name: "Welcome, Emma" }).waitFor();
    await tab.goto(`${env.server.url}/profile`);
    await tab.locator("#first_name").fill("Emma-Louise");
    await tab.getByRole("button", { name: "Save" }).first().click();
    await tab.getByText(/saved/i).first().waitFor();

    const customer = await signedIn(CUSTOMER, PHONE);
    await customer.goto(`${env.server.url}/activity?action=account.update`);
    const row = customer.getByRole("row", { name: /Changed the profile of/ }).first();
    await row.waitFor();
    const who = await row.locator("td").nth(1).textContent();
    assert.match(who, /Peter Partner \(Appmakers Agency\)/);
    assert.match(who, /logged in as you/);
    await shot(customer, "91-activity-log-in-as-phone");
    await assertAccessible(customer, "the customer's activity on a phone");
    assert.deepEqual(customer.errors, []);
  });
});
