// Signed out: a forgotten password comes back through an emailed link, and a new agency or
// business signs up — all from the sign-in page.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, CUSTOMER, PARTNER, PHONE, assertAccessible, newPage, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

/** The newest email the back office wrote to `to`, read from the outbox as an admin would. */
async function lastEmailTo(to) {
  const api = `${env.server.url}/api/v1`;
  const login = await fetch(`${api}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  const { access_token } = await login.json();
  const page = await fetch(`${api}/outbox?to=${encodeURIComponent(to)}&per_page=1`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  const { items } = await page.json();
  return items[0];
}

describe("signed out", () => {
  test("a customer who forgot the password gets a link by email and signs in with a new one", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/login`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.getByText("must be a valid email address").waitFor();
    await page.getByLabel("Email").fill(CUSTOMER.email);
    await page.getByRole("button", { name: "Send the link" }).click();
    await page.getByText("a link is on its way").waitFor();
    await shot(page, "60-forgot-password-sent");
    await assertAccessible(page, "forgot password, sent");

    const email = await lastEmailTo(CUSTOMER.email);
    const link = email.body.match(/\/reset-password\?token=\S+/)[0];
    await page.goto(`${env.server.url}${link}`);
    await page.locator("#new_password").fill("a brand new password");
    assert.ok(await page.getByLabel(/Also revoke my API tokens/).isChecked(), "API tokens are revoked unless unticked");
    await page.locator("#repeat_password").fill("a different one entirely");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("does not match the new password").waitFor();
    await shot(page, "61-reset-password-mismatch");
    await assertAccessible(page, "reset password form");
    await page.locator("#repeat_password").fill("a brand new password");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Your password is changed.").waitFor();

    // The link worked once.
    await page.goto(`${env.server.url}${link}`);
    await page.locator("#new_password").fill("yet another password");
    await page.locator("#repeat_password").fill("yet another password");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("alert").filter({ hasText: /link/i }).waitFor();

    await page.goto(`${env.server.url}/login`);
    await signIn(page, { email: CUSTOMER.email, password: "a brand new password" });
    await page.getByRole("heading", { name: "Welcome, Emma" }).waitFor();
    assert.deepEqual(page.errors, []);
  });

  test("a shop signs up from the sign-in page on a phone and chooses its password from the emailed link", async () => {
    const page = await newPage(env, PHONE);
    await page.goto(`${env.server.url}/login`);
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create an account" }).waitFor();
    // No password here: whoever holds the email chooses it.
    assert.equal(await page.getByLabel("Password").count(), 0);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#first_name-error").waitFor();
    await shot(page, "62-sign-up-errors-phone");
    await assertAccessible(page, "sign-up form with errors");

    await page.getByLabel("Email").fill("hello@new-shop.example");
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Lindqvist");
    await page.getByLabel("Company").fill("Lindqvist Bikes");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("we sent a link to").waitFor();
    await shot(page, "63-sign-up-done-phone");

    const email = await lastEmailTo("hello@new-shop.example");
    assert.doesNotMatch(email.body, /Ada/, "the activation email echoes nothing the requester typed");
    const link = email.body.match(/\/activate\?token=\S+/)[0];
    await page.goto(`${env.server.url}${link}`);
    await page.getByRole("heading", { name: "Activate your account" }).waitFor();
    await page.getByLabel("Password").fill("lindqvist bikes 7");
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByRole("heading", { name: "Your account is ready" }).waitFor();
    await shot(page, "63b-activated-phone");
    await page.getByRole("link", { name: "Sign in" }).click();
    await signIn(page, { email: "hello@new-shop.example", password: "lindqvist bikes 7" });
    await page.getByRole("heading", { name: "Welcome, Ada" }).waitFor();
    assert.deepEqual(page.errors, []);
  });

  test("an administrator reads the emails in the Outbox; a customer is told it is not theirs", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/`);
    await signIn(page, ADMIN);
    await page.getByRole("link", { name: "Outbox" }).click();
    await page.getByRole("heading", { name: "Outbox" }).waitFor();
    await page.getByLabel("Recipient").fill(CUSTOMER.email);
    await page.getByRole("button", { name: "Search" }).click();
    const read = page.getByRole("button", { name: /^Read .* to emma@customer\.demo\.test$/ }).first();
    await read.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll("tbody tr td:nth-child(2)")]
      .every((td) => td.textContent === "emma@customer.demo.test"));
    await shot(page, "64-outbox");
    await assertAccessible(page, "outbox");
    await read.click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/token=/).waitFor();
    await shot(page, "65-outbox-email");
    await assertAccessible(page, "an email in the outbox");
    await dialog.getByRole("button", { name: "Close" }).click();

    const customer = await newPage(env, PHONE);
    await customer.goto(`${env.server.url}/outbox`);
    await signIn(customer, { email: "lucas@customer.demo.test", password: "demo-password-1" });
    await customer.getByRole("heading", { name: "Only administrators read the outbox" }).waitFor();
    assert.equal(await customer.getByRole("table").count(), 0);
    await shot(customer, "66-outbox-not-for-customers-phone");
    assert.deepEqual(page.errors, []);
    assert.deepEqual(customer.errors, []);
  });

  test("a partner sends a pending customer its activation link again", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/customers`);
    await signIn(page, PARTNER);
    const row = page.getByRole("row", { name: /olivia@customer\.demo\.test/ });
    await row.getByRole("button", { name: /^Resend activation to / }).click();
    await page.getByText("A new activation link is on its way to olivia@customer.demo.test.").waitFor();
    await shot(page, "67-activation-resent");
    const email = await lastEmailTo("olivia@customer.demo.test");
    assert.match(email.body, /\/activate\?token=/);
    // Activated customers have nothing to resend.
    const emma = page.getByRole("row", { name: /emma@customer\.demo\.test/ });
    assert.equal(await emma.getByRole("button", { name: /^Resend/ }).count(), 0);
    assert.deepEqual(page.errors, []);
  });
});
