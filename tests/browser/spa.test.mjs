// The SPA in a real headless Chromium against the real api on a real port.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ADMIN, CUSTOMER, PARTNER, PHONE, assertAccessible, moreAction, newPage as pageOf, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();
const newPage = (viewport) => pageOf(env, viewport);

describe("the back office SPA", () => {
  test("the SPA and the API explorer run under the Content-Security-Policy", async () => {
    const page = await newPage();
    const answer = await page.goto(`${env.server.url}/login`);
    assert.match(answer.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    // Charts set their bar widths through the CSSOM (allowed), never a style attribute (refused).
    const refused = await page.evaluate(() => new Promise((resolve) => {
      document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true });
      const probe = document.createElement("span");
      probe.setAttribute("style", "width: 1px");
      document.body.append(probe);
    }));
    assert.match(refused, /^style-src/);

    const explorer = await newPage();
    await explorer.goto(`${env.server.url}/docs/`);
    await explorer.locator(".swagger-ui .info .title").waitFor();
    await explorer.locator(".opblock").first().waitFor();
    await shot(explorer, "00-api-explorer");
    assert.deepEqual(explorer.errors, []);
    assert.deepEqual(explorer.consoleErrors, []);
  });

  test("an admin signs in, creates, finds, locks, edits and deletes a partner, and signs out", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/login`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shot(page, "01-sign-in");
    await assertAccessible(page, "sign-in page");

    await signIn(page);
    await page.getByRole("heading", { name: /Welcome, Ada/ }).waitFor();
    await page.getByText("Recent activity").waitFor();
    const partners = await page.locator(".stat", { hasText: "Partners" }).first().locator(".stat-value").textContent();
    assert.equal(partners.trim(), "2", "the demo data has two partners");
    await shot(page, "02-dashboard");
    await assertAccessible(page, "dashboard");

    await page.getByRole("link", { name: "Partners" }).first().click();
    await page.getByRole("heading", { name: "Partners" }).waitFor();
    await page.getByRole("row", { name: /Appmakers Agency/ }).waitFor();
    await shot(page, "03-partners");
    await assertAccessible(page, "partners page");

    await page.getByRole("button", { name: "Add partner" }).click();
    const dialog = page.getByRole("dialog", { name: "Add partner" });
    await dialog.getByLabel("Email (username)").fill("not-an-email");
    await dialog.getByRole("button", { name: "OK" }).click();
    await dialog.getByText("must be a valid email address").waitFor();
    await shot(page, "04-partner-form-errors");
    await assertAccessible(page, "partner form");
    await dialog.getByLabel("Email (username)").fill("newagency@example.com");
    await dialog.getByLabel("First name").fill("Nora");
    await dialog.getByLabel("Last name").fill("Newman");
    await dialog.getByLabel("Company").fill("Northwind Apps");
    await dialog.getByLabel("Country (ISO code)").fill("SE");
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByText("Partner newagency@example.com created.").waitFor();

    await page.getByLabel("Search").fill("northwind");
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.getByRole("row", { name: /Northwind Apps/ });
    // The new partner is on the unfiltered list too: wait for the search's answer, not the row.
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    await row.waitFor();

    // The search is in the address: a shared link or a reload shows the same list.
    assert.match(page.url(), /[?&]q=northwind/);
    await moreAction(page, "Northwind Apps", "Lock");
    await page.getByRole("dialog", { name: "Lock partner?" }).getByRole("button", { name: "Lock", exact: true }).click();
    await page.getByText("Northwind Apps locked.").waitFor();
    await row.getByText("Locked", { exact: true }).waitFor();
    await shot(page, "05-partner-locked");

    await row.getByRole("button", { name: "Edit Northwind Apps" }).click();
    const edit = page.getByRole("dialog", { name: "Edit partner" });
    await edit.getByLabel("Company").fill("Northwind Mobile");
    await edit.getByRole("button", { name: "OK" }).click();
    await page.getByText("Partner newagency@example.com saved.").waitFor();
    const renamed = page.getByRole("row", { name: /Northwind Mobile/ });
    await page.getByLabel("Search").fill("northwind");
    await page.getByRole("button", { name: "Search" }).click();
    await renamed.waitFor();

    await moreAction(page, "Northwind Mobile", "Delete");
    const confirm = page.getByRole("dialog", { name: "Delete partner?" });
    await shot(page, "06-delete-confirmation");
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByText("newagency@example.com deleted.").waitFor();
    await page.getByText("No partners found").waitFor();

    await page.getByRole("button", { name: /Ada Admin/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.match(page.url(), /\/login$/);
    assert.deepEqual(page.errors, []);
  });

  test("a wrong password shows the API's message", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/login`);
    await signIn(page, { email: ADMIN.email, password: "not the password" });
    await page.getByRole("alert").getByText("The email or password is wrong.").waitFor();
    await shot(page, "07-wrong-password");
  });

  test("a locked account is told so", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/login`);
    await signIn(page, { email: "mia@customer.demo.test", password: ADMIN.password });
    await page.getByRole("alert").getByText("This account is locked.").waitFor();
  });

  test("a deep link to a protected page goes through sign-in and back", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/partners?status=activated`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.match(page.url(), /\/login\?next=%2Fpartners%3Fstatus%3Dactivated$/);
    await signIn(page);
    await page.getByRole("heading", { name: "Partners" }).waitFor();
    assert.match(page.url(), /\/partners\?status=activated$/);
    await page.reload();
    await page.getByRole("heading", { name: "Partners" }).waitFor();
  });

  test("on a phone the pages still work", async () => {
    const page = await newPage(PHONE);
    await page.goto(`${env.server.url}/login`);
    await signIn(page);
    await page.getByRole("heading", { name: /Welcome/ }).waitFor();
    await page.getByRole("link", { name: "Partners" }).first().click();
    await page.getByRole("row", { name: /Appmakers Agency/ }).waitFor();
    await shot(page, "08-partners-phone");
  });
});

describe("customers, as the partner's article describes them", () => {


  test("a partner filters its customers by Customer, Status and Date", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/customers`);
    await signIn(page, PARTNER);
    await page.getByRole("heading", { name: "Customers" }).waitFor();
    await page.getByRole("row", { name: /Tulip Fashion/ }).waitFor();
    assert.equal(await page.locator("tbody tr").count(), 6, "its six demo customers, not the other partner's");
    await shot(page, "10-customers");
    await assertAccessible(page, "customers page");

    await page.getByLabel("Customer", { exact: true }).fill("maison");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("1–1 of 1").waitFor();
    await page.getByRole("row", { name: /Maison Sophie/ }).waitFor();
    await page.getByLabel("Customer", { exact: true }).fill("");
    await page.getByRole("button", { name: "Search" }).click();

    await page.getByLabel("Status").selectOption("locked");
    await page.getByText("1–1 of 1").waitFor();
    await page.getByRole("row", { name: /Pasta Fresca/ }).waitFor();
    await page.getByLabel("Status").selectOption("");

    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("Date").fill(today);
    await page.getByText("1–6 of 6").waitFor();
    await page.getByLabel("Date").fill("2001-01-01");
    await page.getByText("No customers found").waitFor();
    await shot(page, "11-customers-filtered-empty");
  });

  test("a partner adds, edits and locks a customer", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/customers`);
    await signIn(page, PARTNER);
    await page.getByRole("button", { name: "Add New Customer" }).click();
    const form = page.getByRole("dialog", { name: "Customer info" });
    await form.getByLabel("Email (username)").fill("owner@newshop.example");
    await form.getByRole("button", { name: "OK" }).click();
    await form.locator("#first_name-error").getByText("is required").waitFor();
    await shot(page, "12-customer-form-errors");
    await form.getByLabel("First name").fill("Olga");
    await form.getByLabel("Last name").fill("Owner");
    await form.getByLabel("Company").fill("New Shop");
    await form.getByLabel("Status").selectOption("pending_activation");
    await form.getByRole("button", { name: "OK" }).click();
    await page.getByText("Customer owner@newshop.example created.").waitFor();
    const row = page.getByRole("row", { name: /New Shop/ });
    await row.getByText("Pending activation").waitFor();

    await row.getByRole("button", { name: "Edit New Shop" }).click();
    const edit = page.getByRole("dialog", { name: "Edit customer" });
    await edit.getByLabel("Company").fill("Newer Shop");
    await edit.getByLabel("Status").selectOption("activated");
    await edit.getByRole("button", { name: "OK" }).click();
    await page.getByText("Customer owner@newshop.example saved.").waitFor();
    const renamed = page.getByRole("row", { name: /Newer Shop/ });
    await renamed.getByText("Activated", { exact: true }).waitFor();

    await moreAction(page, "Newer Shop", "Lock");
    await page.getByRole("dialog", { name: "Lock customer?" }).getByRole("button", { name: "Lock", exact: true }).click();
    await renamed.getByText("Locked", { exact: true }).waitFor();
  });

  test("a customer creates an app, rotates its key and deletes it", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Fashion", exact: true }).waitFor();
    await shot(page, "20-apps-list");
    await assertAccessible(page, "the apps list");

    await page.getByRole("button", { name: "New app" }).click();
    const form = page.getByRole("dialog", { name: "New app" });
    await form.getByLabel("Kind").selectOption("magento");
    await form.getByLabel(/^Name/).fill("Browser Shop");
    await form.getByRole("button", { name: "Create app" }).click();
    await form.getByText("is required for magento apps").waitFor();
    await form.getByLabel(/Magento store URL/).fill("https://browser-shop.example");
    await form.getByLabel("iOS bundle id").fill("not a bundle id");
    await form.getByRole("button", { name: "Create app" }).click();
    await form.getByText(/reverse-domain identifier/).waitFor();
    await form.getByLabel("iOS bundle id").fill("com.browser.shop");
    await form.getByRole("button", { name: "Create app" }).click();
    await page.getByText("Browser Shop created.").waitFor();

    await page.getByRole("link", { name: "Browser Shop", exact: true }).click();
    await page.getByRole("heading", { name: "Browser Shop" }).waitFor();
    const key = await page.getByLabel("App key").textContent();
    assert.match(key, /^ak_/);
    await page.getByRole("button", { name: "Rotate key" }).click();
    await page.getByRole("dialog", { name: "Rotate the app key?" }).getByRole("button", { name: "Rotate key" }).click();
    await page.getByText("New key created.").waitFor();
    await page.waitForFunction((old) => document.querySelector('[aria-label="App key"]')?.textContent !== old, key);

    await page.getByRole("link", { name: "Mobile users" }).click();
    await page.getByText("Mobile users are managed in the Magento store").waitFor();

    await page.getByRole("link", { name: "← All apps" }).click();
    await moreAction(page, "Browser Shop", "Delete");
    await page.getByRole("dialog", { name: "Delete app?" }).getByRole("button", { name: "Delete" }).click();
    await page.getByText("Browser Shop deleted.").waitFor();
    assert.deepEqual(page.errors, []);
  });

  test("an app's analytics and devices are drawn from its SDK traffic", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Fashion", exact: true }).click();
    const chart = page.getByRole("group", { name: /Active devices and sessions/ });
    await chart.waitFor();
    // The seeded traffic gives one point per day of the 30-day range.
    const dots = () => page.evaluate(() => document.querySelector(".chart svg").querySelectorAll("circle.series-2").length);
    assert.equal(await dots(), 30);
    const totals = page.getByRole("region", { name: "Totals of the range" });
    const sessions = Number((await totals.locator(".stat", { hasText: "Sessions" }).locator(".stat-value").textContent()).replace(/\D/g, ""));
    assert.ok(sessions > 100, `sessions from the demo traffic: ${sessions}`);
    await page.getByLabel("Interval").selectOption("week");
    await page.waitForFunction(() => document.querySelector(".chart svg")?.querySelectorAll("circle.series-2").length <= 6);
    await shot(page, "21-app-analytics");
    await assertAccessible(page, "the analytics tab");

    await page.getByRole("link", { name: "Devices" }).click();
    const platforms = page.getByRole("region", { name: "Platforms" });
    await platforms.getByText("iOS", { exact: true }).waitFor();
    await platforms.getByText("Android", { exact: true }).waitFor();
    await page.getByRole("cell", { name: /demo-1-/ }).first().waitFor();
    await page.getByRole("combobox", { name: /^Platform/ }).selectOption("android");
    await page.waitForFunction(() => !document.querySelector('[aria-label="Platforms"]')?.textContent.includes("iOS"));
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText(/page 2/).waitFor();
    await shot(page, "22-app-devices");
    await assertAccessible(page, "the devices tab");
    assert.deepEqual(page.errors, []);
  });

  test("a stand-alone app's mobile users are searched, blocked and exported", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Outlet", exact: true }).click();
    await page.getByRole("link", { name: "Mobile users" }).click();
    await page.getByRole("columnheader", { name: "Joined" }).waitFor();
    await page.getByRole("button", { name: "Add user" }).click();
    const form = page.getByRole("dialog", { name: "Add mobile user" });
    await form.getByLabel("Email").fill("browser.user@mail.example");
    await form.getByLabel("First name").fill("Browser");
    await form.getByLabel("Last name").fill("User");
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByText("browser.user@mail.example saved.").waitFor();
    await page.getByPlaceholder("Name or email").fill("browser.user");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("button", { name: "Block Browser User" }).click();
    await page.getByRole("button", { name: "Unblock Browser User" }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8");
    assert.match(csv, /^id,email,first_name/);
    assert.match(csv, /browser\.user@mail\.example,Browser,User,,blocked/);
    await shot(page, "23-mobile-users");
    await assertAccessible(page, "the mobile users tab");
  });
});

describe("your profile", () => {
  test("a customer creates an API token, sees its secret once, uses it and revokes it", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/profile`);
    await signIn(page, CUSTOMER);
    const tokens = page.getByRole("region", { name: "API tokens" });
    await tokens.waitFor();
    await tokens.getByRole("button", { name: "Create token" }).click();
    await tokens.locator(".field-error").first().waitFor();

    await tokens.getByLabel(/^Token name/).fill("ERP sync");
    await tokens.getByRole("combobox", { name: /^Expires after/ }).selectOption("30");
    assert.equal(await tokens.getByRole("combobox", { name: /^Access/ }).inputValue(), "read", "read only unless asked");
    await tokens.getByRole("button", { name: "Create token" }).click();
    const secret = (await tokens.getByLabel("Secret of the new token").textContent()).trim();
    assert.match(secret, /^bo_pat_/);
    const me = (token) => page.evaluate(async (t) => {
      const r = await fetch("/api/v1/me", { headers: { authorization: `Bearer ${t}` } });
      return { status: r.status, body: await r.json() };
    }, token);
    const used = await me(secret);
    assert.equal(used.status, 200);
    assert.equal(used.body.email, CUSTOMER.email);
    const write = await page.evaluate(async (t) => {
      const r = await fetch("/api/v1/me", { method: "PATCH", headers: { authorization: `Bearer ${t}`, "content-type": "application/json" }, body: JSON.stringify({ first_name: "Changed" }) });
      return { status: r.status, body: await r.json() };
    }, secret);
    assert.equal(write.status, 403);
    assert.equal(write.body.code, "insufficient_scope");
    await shot(page, "30-api-token-created");
    await assertAccessible(page, "the profile page");

    await tokens.getByRole("button", { name: "Done" }).click();
    assert.equal(await tokens.getByLabel("Secret of the new token").count(), 0, "the secret is shown once");
    const row = tokens.getByRole("row", { name: /ERP sync/ });
    await row.getByText(secret.slice(0, 11)).waitFor();
    await row.getByText("Read only").waitFor();
    await row.getByRole("button", { name: "Revoke ERP sync" }).click();
    await page.getByRole("dialog", { name: "Revoke API token?" }).getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByText("Token “ERP sync” revoked; it no longer works.").waitFor();
    await tokens.getByText("No API tokens yet.").waitFor();
    assert.equal((await me(secret)).status, 401);

    // A token for one app reaches that app alone.
    await tokens.getByLabel(/^Token name/).fill("Shop sync");
    const apps = tokens.getByRole("combobox", { name: /^Apps/ });
    await apps.locator("option").nth(1).waitFor({ state: "attached" });
    const only = (await apps.locator("option").nth(1).textContent()).replace(/^Only /, "");
    await apps.selectOption({ index: 1 });
    await tokens.getByRole("button", { name: "Create token" }).click();
    const limited = (await tokens.getByLabel("Secret of the new token").textContent()).trim();
    const call = (path) => page.evaluate(async ([t, p]) => {
      const r = await fetch(p, { headers: { authorization: `Bearer ${t}` } });
      return { status: r.status, body: await r.json() };
    }, [limited, path]);
    const list = await call("/api/v1/apps");
    assert.equal(list.body.total, 1);
    assert.equal(list.body.items[0].name, only);
    const elsewhere = await call("/api/v1/subscriptions");
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.body.code, "app_limited_token");
    await tokens.getByRole("button", { name: "Done" }).click();
    await tokens.getByRole("row", { name: /Shop sync/ }).getByText(only, { exact: true }).waitFor();
    await shot(page, "30-api-token-limited");
    assert.deepEqual(page.errors, []);
  });
});

describe("dashboards", () => {
  test("a customer sees its apps' last 30 days, a partner its customers by status", async () => {
    const page = await newPage();
    await page.goto(`${env.server.url}/`);
    await signIn(page, CUSTOMER);
    const apps = page.getByRole("region", { name: "Apps · last 30 days" });
    const fashion = apps.getByRole("row", { name: /Tulip Fashion/ });
    await fashion.waitFor();
    const sessions = Number(await fashion.getByRole("cell").nth(4).textContent());
    assert.ok(sessions > 100, `sessions of the demo traffic: ${sessions}`);
    await shot(page, "24-customer-dashboard");
    await assertAccessible(page, "the customer's dashboard");
    await fashion.getByRole("link", { name: "Tulip Fashion" }).click();
    await page.getByRole("heading", { name: "Tulip Fashion" }).waitFor();

    const partner = await newPage();
    await partner.goto(`${env.server.url}/`);
    await signIn(partner, { email: "partner@demo.test", password: CUSTOMER.password });
    const customers = partner.getByRole("region", { name: "Customers" });
    await customers.waitFor();
    const all = Number(await customers.locator(".stat-value").first().textContent());
    const parts = await customers.locator(".stat-value").allTextContents();
    assert.ok(all > 0, "the partner has demo customers");
    assert.ok(parts.slice(1).map(Number).reduce((a, b) => a + b) <= all);
    await partner.getByRole("region", { name: "Apps · last 30 days" }).getByRole("row").nth(1).waitFor();
    await shot(partner, "25-partner-dashboard");
    assert.deepEqual([...page.errors, ...partner.errors], []);
  });
});
