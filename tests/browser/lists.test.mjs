// Lists as people use them: filters kept in the address (back, forward, a shared link), a search
// that applies as you type, row actions that fit (a "More" menu driven by the keyboard), and on a
// phone a menu button instead of a sideways-scrolling bar, with every row a card.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PARTNER, PHONE, assertAccessible, shot, signedIn as signedInAs, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

const rowNames = (page) =>
  page.evaluate(() => [...document.querySelectorAll("tbody tr td:first-child strong")].map((s) => s.textContent));

const signedIn = (viewport) => signedInAs(env, PARTNER, viewport);

describe("lists", () => {
  test("filters live in the address: back, forward and a shared link show the same list", async () => {
    const page = await signedIn();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers" }).click();
    await page.getByRole("heading", { name: "Customers" }).waitFor();
    await page.getByRole("row", { name: /Tulip Fashion/ }).waitFor();
    const all = (await rowNames(page)).length;

    await page.getByLabel("Status").selectOption("activated");
    await page.waitForURL(/status=activated/);
    await page.waitForFunction((n) => document.querySelectorAll("tbody tr").length < n, all);
    const activated = await rowNames(page);

    // Typing is enough: the list follows once typing pauses, with no button pressed.
    await page.getByLabel("Customer").pressSequentially("tulip");
    await page.waitForURL(/q=tulip/);
    await page.waitForFunction(() => [...document.querySelectorAll("tbody tr")].every((r) => /Tulip/.test(r.textContent)));
    assert.deepEqual(await rowNames(page), ["Tulip Fashion"]);
    const shared = page.url();

    await page.goBack();
    await page.waitForURL((u) => !u.search.includes("q="));
    await page.waitForFunction((n) => document.querySelectorAll("tbody tr").length === n, activated.length);
    assert.deepEqual(await rowNames(page), activated);
    assert.equal(await page.getByLabel("Customer").inputValue(), "", "the box follows the address");
    assert.equal(await page.getByLabel("Status").inputValue(), "activated");

    await page.goForward();
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    assert.equal(await page.getByLabel("Customer").inputValue(), "tulip");

    // Someone else opens the link.
    const other = await signedIn();
    await other.goto(shared);
    await other.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    assert.deepEqual(await rowNames(other), ["Tulip Fashion"]);
    assert.equal(await other.getByLabel("Status").inputValue(), "activated");
    assert.equal(await other.getByLabel("Customer").inputValue(), "tulip");

    // Sorting by name ignores case and uses the name shown.
    await other.getByLabel("Customer").fill("");
    await other.getByLabel("Sort by").selectOption("name");
    await other.waitForURL((u) => u.search.includes("sort=name") && !u.search.includes("q="));
    await other.waitForFunction(() => document.querySelectorAll("tbody tr").length > 1);
    const names = await rowNames(other);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" })));
    assert.deepEqual(page.errors, []);
  });

  test("a row's other actions are in a More menu that works with the keyboard", async () => {
    const page = await signedIn();
    await page.goto(`${env.server.url}/customers?q=tulip`);
    const more = page.getByRole("button", { name: "More actions for Tulip Fashion" });
    await more.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await menu.waitFor();
    assert.equal(await more.getAttribute("aria-expanded"), "true");
    const focused = () => page.evaluate(() => document.activeElement.textContent.trim());
    assert.equal(await focused(), "Apps", "opening the menu focuses its first item");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(), "Lock");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(), "Delete", "the arrows wrap around");
    await shot(page, "80-row-menu");
    await assertAccessible(page, "a row's More menu");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    assert.equal(await focused(), "More ▾", "Escape gives the focus back to More");
    // A click elsewhere closes it too.
    await more.click();
    await menu.waitFor();
    const heading = await page.getByRole("heading", { name: "Customers" }).boundingBox();
    await page.mouse.click(heading.x + 5, heading.y + 5);
    await menu.waitFor({ state: "detached" });
    // Every action is within the card at 1280 px: nothing hides behind a sideways scroll.
    const cut = await page.evaluate(() => {
      const wrap = document.querySelector(".table-wrap");
      return wrap.scrollWidth - wrap.clientWidth;
    });
    assert.ok(cut <= 1, `the customers table is ${cut} px wider than its card`);
    assert.deepEqual(page.errors, []);
  });

  test("the skip link takes the keyboard past the navigation to the content", async () => {
    const page = await signedIn();
    await page.locator("#content a").first().waitFor();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    assert.ok(await skip.evaluate((a) => a === document.activeElement), "the first Tab reaches the skip link");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "content");
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => document.activeElement.closest("#content") !== null);
    assert.ok(next, "the next Tab is inside the content, not the navigation");
  });

  test("on a phone: a Menu button, no sideways scrolling, every row a card with its name and actions", async () => {
    const page = await signedIn(PHONE);
    const toggle = page.getByRole("button", { name: "Menu" });
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    const nav = page.getByRole("navigation", { name: "Main" });
    assert.equal(await nav.getByRole("link", { name: "Customers" }).isVisible(), false, "the menu starts closed");
    await toggle.click();
    await shot(page, "81-phone-menu-open");
    await assertAccessible(page, "the phone menu");
    await nav.getByRole("link", { name: "Customers" }).click();
    await page.getByRole("heading", { name: "Customers" }).waitFor();
    assert.equal(await toggle.getAttribute("aria-expanded"), "false", "choosing a page closes the menu");
    await page.locator("tbody tr").first().waitFor();
    await shot(page, "82-phone-customers-cards");

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page is ${width} px wide on a ${PHONE.width} px phone`);
    const row = page.getByRole("row", { name: /Tulip Fashion/ });
    for (const part of [row.getByText("Tulip Fashion", { exact: true }), row.getByRole("button", { name: "Edit Tulip Fashion" }),
      row.getByRole("button", { name: "More actions for Tulip Fashion" })]) {
      const box = await part.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, "visible within the screen");
    }
    // The card names its values ("Created: 26 Nov 2026"), not bare figures.
    assert.equal(await row.locator("td").nth(3).getAttribute("data-label"), "Created");
    assert.deepEqual(page.errors, []);
  });
});
