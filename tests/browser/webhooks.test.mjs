// Webhooks as an integrator sets them up: add an endpoint (its secret shown once), send a test
// event and watch its delivery succeed, with the signature checked here by this file's own code;
// then edit, disable, rotate the secret and delete.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { CUSTOMER, DESKTOP, PHONE, assertAccessible, moreAction, shot, signedIn, useBackOffice } from "./helpers.mjs";

const env = useBackOffice();

/** A receiver on a free local port that keeps every request. */
async function receiver() {
  const received = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, received, close: () => server.close() };
}

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's bytes. */
function signedWith({ headers, body }, secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest("base64");
  return headers["webhook-signature"].split(" ").includes(`v1,${mac}`);
}

describe("webhooks", () => {
  const hooks = { close() {} };
  after(() => hooks.close());

  test("a customer adds an endpoint, sends a test event, reads the log, and manages the endpoint", async () => {
    const sink = await receiver();
    hooks.close = sink.close;
    const page = await signedIn(env, CUSTOMER);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByText("No endpoints yet").waitFor();

    await page.getByRole("button", { name: "Add endpoint" }).click();
    const dialog = page.getByRole("dialog", { name: "Add endpoint" });
    await dialog.getByLabel(/^URL/).fill("http://10.0.0.8/hooks");
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    await dialog.getByText(/must be a public web address/).waitFor();
    await dialog.getByLabel(/^URL/).fill(sink.url);
    await dialog.getByLabel("Description").fill("ERP sync");
    await dialog.getByLabel("Only the types chosen below").check();
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    await dialog.getByText("Please correct").waitFor();
    await dialog.getByRole("checkbox", { name: "order.created" }).check();
    await dialog.getByRole("checkbox", { name: "order.updated" }).check();
    await shot(page, "95-webhook-form");
    await dialog.getByRole("button", { name: "Add endpoint" }).click();

    const secret = (await page.getByLabel("Signing secret").textContent()).trim();
    assert.match(secret, /^whsec_/);
    await page.getByRole("button", { name: "Done" }).click();
    assert.equal(await page.getByLabel("Signing secret").count(), 0, "the secret is shown once");
    const row = page.getByRole("row", { name: /ERP sync/ });
    await row.getByText("order.created, order.updated").waitFor();
    await row.getByText("Enabled").waitFor();

    await row.getByRole("button", { name: `Send test to ${sink.url}` }).click();
    await page.getByText(`Test event queued for ${sink.url}.`).waitFor();
    const log = page.getByRole("region", { name: "Deliveries" });
    await log.getByText("webhook.test").first().waitFor();
    // The sender runs every 200 ms: refresh until the log shows the answer.
    const succeeded = log.locator("tbody .badge", { hasText: "Succeeded" });
    for (let i = 0; i < 100 && (await succeeded.count()) === 0; i++) {
      await log.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(100);
    }
    await succeeded.waitFor();
    await log.getByText(/HTTP 200/).waitFor();
    assert.equal(sink.received.length, 1);
    const [hook] = sink.received;
    assert.ok(signedWith(hook, secret), "signed with the secret shown");
    assert.equal(JSON.parse(hook.body).type, "webhook.test");
    await log.getByRole("button", { name: /^Payload of webhook\.test/ }).click();
    const payload = page.getByRole("dialog", { name: "webhook.test" });
    await payload.getByText(/"endpoint_id"/).waitFor();
    await shot(page, "96-webhook-payload");
    // A dialog with nothing to fill closes from the keyboard too.
    await page.keyboard.press("Escape");
    await payload.waitFor({ state: "detached" });
    await shot(page, "97-webhooks");
    await assertAccessible(page, "the webhooks page with its delivery log");
    await page.setViewportSize(PHONE);
    await shot(page, "97-webhooks-phone");
    await assertAccessible(page, "the webhooks page on a phone");
    await page.setViewportSize(DESKTOP);

    await log.getByRole("button", { name: /^Send again webhook\.test / }).click();
    await page.getByText("webhook.test queued again.").waitFor();
    for (let i = 0; i < 100 && sink.received.length < 2; i++) await page.waitForTimeout(100);
    assert.equal(sink.received.length, 2);
    assert.equal(sink.received[1].headers["webhook-id"], hook.headers["webhook-id"], "sent again under the same id");

    await moreAction(page, sink.url, "Edit");
    const edit = page.getByRole("dialog", { name: "Edit endpoint" });
    await edit.getByLabel("All events, including types added later").check();
    await edit.getByRole("button", { name: "Save" }).click();
    await page.getByText("Endpoint saved.").waitFor();
    await row.getByText("All events").waitFor();

    await moreAction(page, sink.url, "Disable");
    await row.getByText("Disabled").waitFor();
    assert.ok(await row.getByRole("button", { name: `Send test to ${sink.url}` }).isDisabled());
    await moreAction(page, sink.url, "Enable");
    await row.getByText("Enabled").waitFor();

    await moreAction(page, sink.url, "Rotate secret");
    await page.getByRole("dialog", { name: "Rotate the signing secret?" }).getByRole("button", { name: "Rotate", exact: true }).click();
    const rotated = (await page.getByLabel("Signing secret").textContent()).trim();
    assert.notEqual(rotated, secret);
    await page.getByRole("button", { name: "Done" }).click();

    await moreAction(page, sink.url, "Delete");
    await page.getByRole("dialog", { name: "Delete endpoint?" }).getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByText("No endpoints yet").waitFor();
    assert.deepEqual(page.errors, []);
  });
});
