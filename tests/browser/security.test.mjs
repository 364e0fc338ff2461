// A person's own security: its sessions in the profile (ending the one it does not recognise signs
// that browser out), and a customer's consent to "log in as", which its partner sees at once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ADMIN, CUSTOMER, PARTNER, PHONE, assertAccessible, newPage, shot, signIn, signedIn as signedInAs, useBackOffice } from "./helpers.mjs";

/** The 6-digit code an authenticator app holding the base32 `secret` shows `offset` seconds from
 * now (RFC 6238: HMAC-SHA1, 30 s steps), computed here as a phone would. */
function totp(secret, offset = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + offset) / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const number = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, "0");
}

const env = useBackOffice();
const signedIn = (account, viewport) => signedInAs(env, account, viewport);

describe("account security", () => {
  test("an administrator turns on two-step sign-in with an app, then signs in with its code", async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${env.server.url}/profile`);
    const card = page.getByRole("region", { name: "Two-step sign-in" });
    await card.getByRole("button", { name: "Set up an authenticator app" }).click();
    await card.getByRole("img", { name: "QR code to scan with your authenticator app" }).waitFor();
    const secret = (await card.getByLabel("Key for your authenticator app").textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await shot(page, "98-two-factor-enrol");
    await assertAccessible(page, "setting up two-step sign-in");
    await card.getByLabel("Code from the app").fill(totp(secret));
    await card.getByRole("button", { name: "Turn on" }).click();
    const codes = card.getByRole("list", { name: "Recovery codes" });
    await codes.waitFor();
    assert.equal(await codes.getByRole("listitem").count(), 10);
    await card.getByRole("button", { name: "I have kept them" }).click();
    await card.getByText("10 recovery codes left.").waitFor();

    // Signing in now takes the password, then a code (the next one: each is accepted once).
    const again = await newPage(env);
    await again.goto(`${env.server.url}/login`);
    await signIn(again, ADMIN);
    await again.getByRole("heading", { name: "Two-step sign-in" }).waitFor();
    await shot(again, "99-two-factor-sign-in");
    await assertAccessible(again, "the second step of a sign-in");
    // A code no step near now has (so wrong whenever the server checks it).
    const near = new Set([-60, -30, 0, 30, 60].map((o) => totp(secret, o)));
    let wrong = 0;
    while (near.has(String(wrong).padStart(6, "0"))) wrong += 1;
    await again.getByLabel("Code from your authenticator app").fill(String(wrong).padStart(6, "0"));
    await again.getByRole("button", { name: "Sign in" }).click();
    await again.getByText(/The code is wrong/).waitFor();
    await again.getByLabel("Code from your authenticator app").fill(totp(secret, 30));
    await again.getByRole("button", { name: "Sign in" }).click();
    await again.getByRole("heading", { name: /Welcome, Ada/ }).waitFor();
    assert.deepEqual(page.errors, []);
    assert.deepEqual(again.errors, []);
  });

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
