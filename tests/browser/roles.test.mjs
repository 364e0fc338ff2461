// What a person meets at an address their role does not use, at an app that is not there, with an
// empty sign-in form, and where the API documentation is.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CUSTOMER, PARTNER, PHONE, assertAccessible, newPage, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

describe("addresses and roles", () => {
  test("the sign-in form names the fields left empty", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/login`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Enter your email and your password." }).waitFor();
    await page.getByLabel("Email").fill(CUSTOMER.email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Enter your password." }).waitFor();
    await shot(page, "70-sign-in-empty-password");
    await assertAccessible(page, "sign-in with an empty password");
  });

  test("a customer typing /customers, and a partner typing /partners, are told why, and nothing else", async () => {
    const customer = await newPage(env, PHONE);
    await customer.goto(`${env.server.url}/customers`);
    await signIn(customer, CUSTOMER);
    await customer.getByRole("heading", { name: "Customers are managed by partners" }).waitFor();
    assert.equal(await customer.getByRole("button", { name: "Add New Customer" }).count(), 0);
    assert.equal(await customer.getByRole("table").count(), 0);
    assert.equal(await customer.getByRole("alert").count(), 0, "no error from the API under it");
    await shot(customer, "71-customers-as-customer-phone");
    await assertAccessible(customer, "customers page as a customer");

    const partner = await newPage(env);
    await partner.goto(`${env.server.url}/partners`);
    await signIn(partner, PARTNER);
    await partner.getByRole("heading", { name: "Only administrators manage partners" }).waitFor();
    assert.equal(await partner.getByRole("button", { name: "Add partner" }).count(), 0);
    assert.deepEqual([...customer.errors, ...partner.errors], []);
  });

  test("an app that is not there is a not-found page with a way back; the API docs are in the account menu", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/apps/999999/orders`);
    await signIn(page, CUSTOMER);
    await page.getByRole("heading", { name: "App not found" }).waitFor();
    await shot(page, "72-app-not-found");
    await assertAccessible(page, "app not found");
    await page.getByRole("link", { name: "All apps", exact: true }).click();
    await page.getByRole("heading", { name: "Apps" }).waitFor();

    await page.getByRole("button", { name: /Emma de Vries/ }).click();
    const docs = page.getByRole("menuitem", { name: "API documentation" });
    assert.equal(await docs.getAttribute("href"), "/docs/");
    assert.deepEqual(page.errors, []);
  });
});
