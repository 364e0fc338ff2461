// Billing as people use it: an administrator adds a coupon; a customer subscribes an app with it
// (the first charge priced as the code is typed), pays with a test card and downloads the invoice;
// the Billing page lists subscriptions and payments, on a desktop and on a phone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ADMIN, assertAccessible, CUSTOMER, newPage, PHONE, shot, signIn, useBackOffice } from "./helpers.mjs";

describe("billing", () => {
  const env = useBackOffice();

  test("an administrator adds a coupon; a customer subscribes with it, pays and downloads the invoice", async () => {
    const admin = await newPage(env);
    await admin.goto(`${env.server.url}/coupons`);
    await signIn(admin, ADMIN);
    await admin.getByRole("button", { name: "Add coupon" }).click();
    const form = admin.getByRole("dialog", { name: "Add coupon" });
    await form.getByLabel("Code").fill("WELCOME20");
    await form.getByLabel("Percent off").fill("20");
    await form.getByRole("button", { name: "Add coupon" }).click();
    await admin.getByText("Coupon WELCOME20 added.").waitFor();
    await admin.getByRole("cell", { name: "WELCOME20", exact: true }).waitFor();
    await shot(admin, "40-coupons");
    await assertAccessible(admin, "the coupons page");
    await admin.goto(`${env.server.url}/plans`);
    await admin.getByRole("cell", { name: "Standard yearly", exact: true }).waitFor();
    await shot(admin, "41-plans");
    await assertAccessible(admin, "the plans page");
    assert.deepEqual(admin.errors, []);

    const page = await newPage(env);
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Outlet", exact: true }).click();
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Billing" }).click();
    await page.getByRole("heading", { name: "Subscribe" }).waitFor();
    await page.getByRole("radio", { name: /Basic monthly/ }).check();
    // The first charge is priced by the API: 19.00 + 20 % VAT.
    await page.locator(".totals").filter({ hasText: "22.80" }).waitFor();
    await page.getByLabel("Coupon code (optional)").fill("NOPE");
    await page.getByText("No such coupon.").waitFor();
    await page.getByLabel("Coupon code (optional)").fill("welcome20");
    // 19.00 − 20 % = 15.20, + 20 % VAT = 18.24.
    await page.locator(".totals").filter({ hasText: "18.24" }).waitFor();
    await shot(page, "42-subscribe");
    await assertAccessible(page, "the subscribe form");
    await page.getByRole("button", { name: "Subscribe" }).click();

    const pay = page.getByRole("dialog", { name: "Pay" });
    await pay.getByRole("radio", { name: /declined/ }).first().check();
    await pay.getByRole("button", { name: /Pay/ }).click();
    await pay.getByRole("alert").filter({ hasText: "declined" }).waitFor();
    await pay.getByRole("radio", { name: /succeeds/ }).check();
    await shot(page, "43-pay");
    await assertAccessible(page, "the pay dialog");
    await pay.getByRole("button", { name: /Pay/ }).click();
    await page.getByText(/^Paid .*18\.24/).waitFor();
    await page.getByRole("heading", { name: /Basic monthly\s+Active/ }).waitFor();

    const row = page.locator("tbody tr").filter({ hasText: "Paid" });
    await row.waitFor();
    const number = (await row.locator("td:nth-child(3)").textContent()).trim();
    assert.match(number, /^\d{4}-\d{6}$/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: `PDF of invoice ${number}` }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `invoice-${number}.pdf`);
    assert.equal(readFileSync(await download.path()).subarray(0, 5).toString(), "%PDF-");
    await shot(page, "44-app-billing");
    await assertAccessible(page, "an app's billing tab");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Billing" }).click();
    await page.getByRole("heading", { name: "Payments" }).waitFor();
    await page.getByRole("cell", { name: number, exact: true }).first().waitFor();
    await shot(page, "45-billing");
    await assertAccessible(page, "the billing page");
    assert.deepEqual(page.errors, []);

    const phone = await newPage(env, PHONE);
    await phone.goto(`${env.server.url}/billing`);
    await signIn(phone, CUSTOMER);
    // On a phone each row is a card whose cells carry their column's name: "Invoice: 2026-…".
    await phone.getByRole("cell", { name: `Invoice: ${number}`, exact: true }).first().waitFor();
    await shot(phone, "46-billing-phone");
    await assertAccessible(phone, "the billing page on a phone");
  });
});
