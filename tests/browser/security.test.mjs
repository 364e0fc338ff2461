// A person's own security: its sessions in the profile (ending the one it does not recognise signs
// that browser out), and a customer's consent to "log in as", which its partner sees at once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CUSTOMER, PARTNER, PHONE, assertAccessible, shot, signedIn as signedInAs, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();
const signedIn = (account, viewport) => signedInAs(env, account, viewport);

describe("account security", () => {
  test("a customer ends a session it does not recognise, and that browser is signed out", async () => {
    const here = await signedIn(CUSTOMER);
    const elsewhere = await signedIn(CUSTOMER, PHONE);
    await here.goto(`${env.server.url}/profile`);
    const card = here.getByRole("region", { name: "Sessions" });
    await card.getByRole("row").nth(2).waitFor();
    assert.equal(await card.getByRole("row").count(), 3, "a header and two sessions");
    await card.getByText("This one").waitFor();
    assert.match(await card.locator("tbody tr").first().textContent(), /Chrome on Linux/);
    await shot(here, "95-profile-sessions");
    await assertAccessible(here, "the profile with its sessions");

    await card.getByRole("button", { name: /^End the session of/ }).click();
    await here.getByRole("dialog", { name: "End session?" }).getByRole("button", { name: "End session" }).click();
    await here.getByText("Session ended: that browser is signed out.").waitFor();
    await here.waitForFunction(() => document.querySelectorAll("section[aria-labelledby='sessions-title'] tbody tr").length === 1);

    // The other browser's next page finds its session gone.
    await elsewhere.goto(`${env.server.url}/apps`);
    await elsewhere.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.deepEqual(here.errors, []);
  });

  test("a customer switches “log in as” off, and its partner sees why it cannot", async () => {
    const customer = await signedIn(CUSTOMER);
    await customer.goto(`${env.server.url}/profile`);
    const consent = customer.getByRole("region", { name: "Help from your partner" });
    const box = consent.getByLabel(/Allow my partner to “log in as” me/);
    assert.equal(await box.isChecked(), true, "allowed until the customer says otherwise");
    await box.uncheck();
    await customer.getByText(/can no longer log in as you/).waitFor();
    await shot(customer, "96-profile-log-in-as-off");

    const partner = await signedIn(PARTNER);
    await partner.goto(`${env.server.url}/customers?q=tulip`);
    const off = partner.getByRole("button", { name: "Log in as: off for Tulip Fashion, by the customer's choice" });
    await off.waitFor();
    assert.equal(await off.isDisabled(), true);
    await shot(partner, "97-customers-log-in-as-off");
    await assertAccessible(partner, "the customer list with log in as switched off");

    // The customer's activity says what it decided.
    await customer.goto(`${env.server.url}/activity`);
    await customer.getByRole("row", { name: /Switched off “log in as” for Tulip Fashion/ }).waitFor();
    assert.deepEqual(customer.errors, []);
    assert.deepEqual(partner.errors, []);
  });
});
