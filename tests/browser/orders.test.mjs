// Orders and quote requests of a Standard app, as its owner works them: filter the orders, open
// one and ship it, see the step in its trace; answer a quote request with a price per line.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, CUSTOMER, newPage, PHONE, shot, signIn, useBackOffice } from "./helpers.mjs";

describe("orders and quote requests", () => {
  const env = useBackOffice();

  async function openTulipFashion(page) {
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Fashion", exact: true }).click();
    await page.getByRole("heading", { name: "Tulip Fashion" }).waitFor();
  }

  test("filter the orders, open one, ship it and see the trace", async () => {
    const page = await newPage(env);
    await openTulipFashion(page);
    await page.getByRole("link", { name: "Orders" }).click();
    await page.getByRole("columnheader", { name: "Buyer" }).waitFor();

    await page.getByLabel("Status").selectOption("processing");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForFunction(() => {
      const badges = [...document.querySelectorAll("tbody td:nth-child(4)")].map((td) => td.textContent);
      return badges.length > 0 && badges.every((t) => t === "Processing");
    });
    await shot(page, "30-orders");
    await assertAccessible(page, "the orders tab");

    const first = page.locator("tbody tr").first();
    const number = (await first.getByRole("button").textContent()).trim();
    await first.getByRole("button").click();
    const dialog = page.getByRole("dialog", { name: "Order" });
    await dialog.getByRole("heading", { name: number }).waitFor();
    await dialog.getByRole("table", { name: "Order lines" }).waitFor();
    assert.match(await dialog.locator(".totals").textContent(), /Total/);

    await dialog.getByRole("button", { name: "Mark shipped" }).click();
    await dialog.getByLabel("Note for the trace (optional)").fill("PostNL 3STEST0001");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await page.getByText(`Order ${number}: Shipped.`).waitFor();
    const trace = dialog.locator(".timeline li");
    await trace.filter({ hasText: "PostNL 3STEST0001" }).waitFor();
    assert.match(await trace.last().textContent(), /Shipped.*emma@customer\.demo\.test/s);
    // Shipped orders move on to completed only.
    assert.deepEqual(await dialog.locator(".order-actions button").allTextContents(), ["Mark completed"]);
    await shot(page, "31-order-shipped");
    await assertAccessible(page, "an order's detail");

    await dialog.getByRole("button", { name: "Close" }).click();
    // The list no longer shows it among the processing orders.
    await page.waitForFunction((n) => ![...document.querySelectorAll("tbody button")].some((b) => b.textContent === n), number);
    assert.deepEqual(page.errors, []);
  });

  test("a tab click asks only for that tab's data, and an idle orders tab asks for nothing", async () => {
    const page = await newPage(env);
    await openTulipFashion(page);
    // The app page as it first opens (its key figures, its analytics tab) has shown all it asked for.
    await page.getByRole("region", { name: "Key figures" }).waitFor();
    await page.getByRole("region", { name: "Totals of the range" }).waitFor();
    const asked = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/api/v1/")) asked.push(path);
    });
    await page.getByRole("link", { name: "Orders" }).click();
    await page.getByRole("columnheader", { name: "Buyer" }).waitFor();
    // The page stays: the app, its key figures and its analytics are not fetched again.
    assert.deepEqual(asked.filter((p) => !p.endsWith("/orders")), [], `a tab click asked for ${asked}`);
    // Idle: the list asked once, and asks no more (it once refetched itself forever).
    asked.length = 0;
    await page.waitForTimeout(3000);
    assert.deepEqual(asked, [], "an idle orders tab keeps asking");
  });

  test("answer a quote request with a price per line", async () => {
    const page = await newPage(env);
    await openTulipFashion(page);
    await page.getByRole("link", { name: "Quote requests" }).click();
    const newChip = page.getByRole("button", { name: /^New/ });
    await newChip.click();
    const before = Number(await newChip.locator(".chip-count").textContent());
    assert.ok(before >= 1, "the demo has new requests");
    await page.waitForFunction(() => {
      const badges = [...document.querySelectorAll("tbody td:nth-child(4)")].map((td) => td.textContent);
      return badges.length > 0 && badges.every((t) => t === "New");
    });

    await page.locator("tbody tr").first().getByRole("button").click();
    const dialog = page.getByRole("dialog", { name: "Quote request" });
    await dialog.getByText("No offer yet.").waitFor();
    const prices = dialog.getByRole("textbox", { name: /Unit price of/ });
    const count = await prices.count();
    for (let i = 0; i < count; i++) {
      await prices.nth(i).fill(`${100 + i}.50`);
    }
    // The total follows as you type.
    await dialog.locator(".offer-total strong").filter({ hasText: /\d/ }).waitFor();
    await shot(page, "32-quote-respond");
    await assertAccessible(page, "the respond form");
    await dialog.getByRole("button", { name: "Send offer" }).click();
    await page.getByText("Offer sent.").waitFor();
    await dialog.locator(".badge", { hasText: "Quoted" }).waitFor();
    await dialog.getByRole("heading", { name: "Send a new offer" }).waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.waitForFunction((n) => Number(document.querySelector("[aria-pressed=true] .chip-count")?.textContent) === n - 1, before);
    assert.deepEqual(page.errors, []);
  });

  test("a Basic app has no orders tab, and says why at its address", async () => {
    const page = await newPage(env, PHONE);
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Outlet", exact: true }).click();
    await page.getByRole("link", { name: "Devices" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Orders" }).count(), 0);
    await page.goto(`${page.url().replace(/\/(analytics|devices|users)$/, "")}/orders`);
    await page.getByRole("heading", { name: /need the Standard edition/ }).waitFor();
    await shot(page, "33-basic-app-orders");
    assert.deepEqual(page.errors, []);
  });
});
