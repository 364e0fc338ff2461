// "Log in as": the customer's back office in its own tab, which never touches the partner's own
// session and never turns into it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PARTNER, PHONE, assertAccessible, moreAction, newPage, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

/** The partner's customers page, and the "log in as" tab it opens for Tulip Fashion. */
async function openTulipFashion({ readOnly = false } = {}) {
  const page = await newPage(env);
  await page.goto(`${env.server.url}/customers`);
  await signIn(page, PARTNER);
  const row = page.getByRole("row", { name: /Tulip Fashion/ });
  await row.getByRole("button", { name: "Log in as Tulip Fashion" }).click();
  const dialog = page.getByRole("dialog", { name: "Log in as Tulip Fashion" });
  if (readOnly) await dialog.getByLabel("Read-only: look without changing anything").check();
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    dialog.getByRole("button", { name: "Open back office" }).click(),
  ]);
  await tab.getByRole("heading", { name: "Welcome, Emma" }).waitFor();
  return { page, tab };
}

const banner = (tab) => tab.getByRole("status").filter({ hasText: "Signed in as" });

async function assertStillThePartner(page) {
  await page.reload();
  await page.getByRole("heading", { name: "Customers" }).waitFor();
  await page.getByRole("button", { name: /Peter Partner/ }).waitFor();
}

describe("log in as", () => {
  test("opens the customer's back office in a new tab, naming both accounts", async () => {
    const { page, tab } = await openTulipFashion();
    await banner(tab).getByText("Tulip Fashion").waitFor();
    await banner(tab).getByText("partner@demo.test").waitFor();
    assert.equal(await tab.getByRole("link", { name: "Customers" }).count(), 0, "a customer's navigation");
    await shot(tab, "13-log-in-as-customer");
    await assertAccessible(tab, "the customer's dashboard during log in as");
    await assertStillThePartner(page);
  });

  test("Exit ends only the customer's session: the partner stays signed in", async () => {
    const { page, tab } = await openTulipFashion();
    await Promise.all([tab.waitForEvent("close"), banner(tab).getByRole("button", { name: "Exit" }).click()]);
    await assertStillThePartner(page);
    // And the partner can open it again at once.
    const again = await openTulipFashion();
    await banner(again.tab).getByText("Tulip Fashion").waitFor();
  });

  test("a reload keeps the customer's session, and once it ended says so instead of becoming the partner", async () => {
    const { page, tab } = await openTulipFashion();
    await tab.reload();
    await tab.getByRole("heading", { name: "Welcome, Emma" }).waitFor();
    await banner(tab).getByText("Tulip Fashion").waitFor();
    await tab.getByRole("link", { name: "Apps" }).click();
    await tab.reload();
    await tab.getByRole("heading", { name: "Apps" }).waitFor();
    await banner(tab).getByText("Tulip Fashion").waitFor();

    // The partner locks the customer: every session of the customer ends.
    const row = page.getByRole("row", { name: /Tulip Fashion/ });
    await moreAction(page, "Tulip Fashion", "Lock");
    await page.getByRole("dialog", { name: "Lock customer?" }).getByRole("button", { name: "Lock", exact: true }).click();
    await row.getByText("Locked", { exact: true }).waitFor();

    await tab.reload();
    await tab.getByRole("heading", { name: "The “log in as” session has ended" }).waitFor();
    assert.equal(await tab.getByRole("button", { name: /Peter Partner/ }).count(), 0, "never the partner's own session");
    await shot(tab, "14-log-in-as-ended");
    await assertAccessible(tab, "the ended log-in-as tab");
    await tab.reload();
    await tab.getByRole("heading", { name: "The “log in as” session has ended" }).waitFor();
    await assertStillThePartner(page);

    // Unlock again for the other tests of this file.
    await moreAction(page, "Tulip Fashion", "Unlock");
    await page.getByRole("dialog", { name: "Unlock customer?" }).getByRole("button", { name: "Unlock", exact: true }).click();
    await page.getByRole("row", { name: /Tulip Fashion/ }).getByText("Activated", { exact: true }).waitFor();
  });

  test("can be opened read-only, and then refuses changes", async () => {
    const { page, tab } = await openTulipFashion({ readOnly: true });
    await banner(tab).getByText("read-only").waitFor();
    await tab.getByRole("button", { name: /Emma/ }).click();
    await tab.getByRole("menuitem", { name: "Your profile" }).click();
    await tab.getByLabel("First name").fill("Changed");
    await tab.getByRole("button", { name: "Save", exact: true }).click();
    await tab.getByText("This is a read-only \"log in as\" session: changes are not allowed.").waitFor();
    await shot(tab, "15-log-in-as-read-only");
    await assertStillThePartner(page);
  });

  test("on a phone, the choice and the customer's tab work with the keyboard alone", async () => {
    const page = await newPage(env, PHONE);
    await page.goto(`${env.server.url}/customers`);
    await signIn(page, PARTNER);
    await page.getByRole("button", { name: "Log in as Tulip Fashion" }).click();
    const dialog = page.getByRole("dialog", { name: "Log in as Tulip Fashion" });
    await dialog.waitFor();
    await shot(page, "13b-log-in-as-dialog-phone");
    await assertAccessible(page, "the log-in-as dialog on a phone");
    // Focus starts in the dialog; Space ticks read-only, Tab reaches Open, Enter opens the tab.
    await page.keyboard.press("Space");
    assert.equal(await dialog.getByLabel("Read-only: look without changing anything").isChecked(), true);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const [tab] = await Promise.all([page.context().waitForEvent("page"), page.keyboard.press("Enter")]);
    await tab.getByRole("heading", { name: "Welcome, Emma" }).waitFor();
    await banner(tab).getByText("read-only").waitFor();
    // The dashboard's wide tables on a phone are issue 17's "tables that fit"; the banner must fit.
    await shot(tab, "13c-log-in-as-customer-phone");
    assert.equal(await banner(tab).evaluate((b) => b.scrollWidth <= b.clientWidth), true, "the banner fits a phone");
  });
});
