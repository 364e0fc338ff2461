// Forms: an edit never silently overwrites someone else's change, and dialogs behave for keyboards.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, PARTNER, assertAccessible, newPage, shot, signIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

async function customersAsPartner() {
  const page = await newPage(env);
  await page.goto(`${env.server.url}/customers`);
  await signIn(page, PARTNER);
  await page.getByRole("row", { name: /Maison Sophie/ }).waitFor();
  return page;
}

async function openEdit(page) {
  await page.getByRole("row", { name: /Maison Sophie/ }).getByRole("button", { name: "Edit Maison Sophie" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit customer" });
  await dialog.getByLabel("Company").waitFor();
  // The form has read the record (and its ETag) when the OK button is enabled again.
  await dialog.locator('form[aria-busy="false"]').waitFor();
  return dialog;
}

describe("editing", () => {
  test("two people edit the same customer: the second save is refused and offers the fresh record", async () => {
    const first = await customersAsPartner();
    const second = await customersAsPartner();
    const mine = await openEdit(first);
    const theirs = await openEdit(second);

    await theirs.getByLabel("Phone").fill("+31 20 555 0101");
    await theirs.getByRole("button", { name: "OK" }).click();
    await second.getByText("Customer sophie@customer.demo.test saved.").waitFor();

    await mine.getByLabel("Last name").fill("Overwritten");
    await mine.getByRole("button", { name: "OK" }).click();
    await mine.getByRole("alert").getByText(/Someone else changed this record since you opened it/).waitFor();
    await shot(first, "16-edit-refused-stale");
    await assertAccessible(first, "the stale-edit notice");

    await mine.getByRole("button", { name: "Reload it" }).click();
    await assert.doesNotReject(async () => {
      for (let i = 0; i < 50; i++) {
        if ((await mine.getByLabel("Phone").inputValue()) === "+31 20 555 0101") return;
        await first.waitForTimeout(100);
      }
      throw new Error("the form did not show the other person's change");
    });
    assert.notEqual(await mine.getByLabel("Last name").inputValue(), "Overwritten", "the fresh record replaces the unsaved edit");
    await mine.getByLabel("Last name").fill("Dupont");
    await mine.getByRole("button", { name: "OK" }).click();
    await first.getByText("Customer sophie@customer.demo.test saved.").waitFor();
  });

  test("an administrator sets how much a partner's coupons may take off", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/partners`);
    await signIn(page, ADMIN);
    const row = page.getByRole("row", { name: /Appmakers Agency/ });
    await row.waitFor();
    const edit = async () => {
      await row.getByRole("button", { name: /^Edit / }).click();
      const dialog = page.getByRole("dialog", { name: "Edit partner" });
      await dialog.locator('form[aria-busy="false"]').waitFor();
      return dialog;
    };
    let dialog = await edit();
    const ceiling = dialog.getByLabel("Coupons take off at most (%)");
    assert.equal(await ceiling.inputValue(), "", "the installation's default until set");
    await ceiling.fill("130");
    await dialog.getByRole("button", { name: "OK" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Please correct: Coupons take off at most." }).waitFor();
    await ceiling.fill("30");
    await shot(page, "17-partner-coupon-ceiling");
    await dialog.getByRole("button", { name: "OK" }).click();
    await page.getByText("Partner partner@demo.test saved.").waitFor();
    dialog = await edit();
    assert.equal(await dialog.getByLabel("Coupons take off at most (%)").inputValue(), "30");
  });

  test("a dialog takes the focus, keeps it, closes on Escape and gives it back", async () => {
    const page = await customersAsPartner();
    const edit = page.getByRole("row", { name: /Maison Sophie/ }).getByRole("button", { name: "Edit Maison Sophie" });
    const dialog = await openEdit(page);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "email", "focus on the first field");
    for (let i = 0; i < 15; i++) await page.keyboard.press("Tab");
    assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, "Tab stays inside the dialog");
    await page.keyboard.press("Shift+Tab");
    assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, "Shift+Tab too");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(await edit.evaluate((b) => b === document.activeElement), true, "focus back on Edit");
  });

  test("a field error is tied to its input", async () => {
    const page = await customersAsPartner();
    const dialog = await openEdit(page);
    await dialog.getByLabel("Email (username)").fill("not an email");
    await dialog.getByRole("button", { name: "OK" }).click();
    const email = dialog.getByLabel("Email (username)");
    await dialog.locator("#email-error").waitFor();
    assert.equal(await email.getAttribute("aria-invalid"), "true");
    assert.equal(await email.getAttribute("aria-describedby"), "email-error");
    // The form's summary names the field too, at the top where a screen reader hears it first.
    await dialog.getByRole("alert").filter({ hasText: "Please correct: Email." }).waitFor();
    assert.deepEqual(page.errors, []);
  });
});
