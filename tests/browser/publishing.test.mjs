// Publishing as people use it: a customer takes a paid app through the wizard (stores → listing
// with uploaded icon and screenshots → billing → terms) and submits it; an administrator works the
// queue and rejects it with the store's reason; the owner fixes it and resubmits; the administrator
// publishes it and the owner sees the version live. Desktop and phone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { ADMIN, assertAccessible, CUSTOMER, newPage, PHONE, shot, signIn, useBackOffice } from "./helpers.mjs";

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A real `width`×`height` PNG: a colour gradient, so the thumbnails show something. */
function png(width, height, hue) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (hue + x) % 256;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = 180;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("publishing", () => {
  const env = useBackOffice();

  test("a customer submits through the wizard, an administrator publishes, the owner sees it live", async () => {
    const page = await newPage(env);
    await page.goto(`${env.server.url}/apps`);
    await signIn(page, CUSTOMER);
    await page.getByRole("link", { name: "Tulip Fashion", exact: true }).click();
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Publish" }).click();
    await page.getByRole("region", { name: "Google Play" }).getByText("Not published yet").waitFor();
    await page.getByRole("button", { name: "New publish request" }).click();

    // 1. Stores and version.
    await page.getByRole("checkbox", { name: "App Store" }).uncheck();
    await page.getByLabel("Version name").fill("2.0.0");
    await page.getByLabel("Build number").fill("200");
    await page.getByLabel(/Release notes \(/).fill("A new look and a faster checkout.");
    await page.locator(".wizard").getByRole("button", { name: "Next" }).click();

    // 2. The listing: the checklist says what is missing until it is complete.
    const checklist = page.getByRole("list", { name: "What the store needs" });
    await checklist.getByText("✗ Icon — missing").waitFor();
    await page.getByLabel("App name").fill("Tulip Fashion");
    await page.getByLabel("Short description").fill("Dutch fashion in your pocket");
    await page.getByLabel("Full description").fill("Browse the collection, order and track your parcels.");
    await page.getByLabel("Keywords (comma-separated)").fill("fashion,tulip,clothes");
    await page.getByLabel("Support URL").fill("https://tulip.example/help");
    await page.getByLabel("Privacy policy URL").fill("https://tulip.example/privacy");
    await page.getByLabel(/^Icon/).setInputFiles({ name: "icon.png", mimeType: "image/png", buffer: png(512, 512, 10) });
    await checklist.getByText("✓ Icon").waitFor();
    await page.getByLabel(/^Screenshots/).setInputFiles([
      { name: "home.png", mimeType: "image/png", buffer: png(360, 640, 60) },
      { name: "product.png", mimeType: "image/png", buffer: png(360, 640, 140) },
    ]);
    await checklist.getByText("✓ 2 to 10 screenshots").waitFor();
    await page.locator(".thumbs img").nth(2).waitFor();
    assert.equal(await checklist.getByText("missing").count(), 0);
    await shot(page, "50-publish-listing");
    await assertAccessible(page, "the publish wizard's listing step");
    await page.locator(".wizard").getByRole("button", { name: "Next" }).click();

    // 3. Billing: the app's subscription is paid (the demo's yearly plan). 4. Terms.
    await page.getByText("The app’s subscription is active").waitFor();
    await page.locator(".wizard").getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Submit for publishing" }).click();
    await page.getByText("must be true").waitFor();
    await page.getByRole("checkbox", { name: "I accept the publishing terms" }).check();
    await page.getByRole("button", { name: "Submit for publishing" }).click();
    await page.getByText("Submitted to the store.").waitFor();
    const request = page.locator(".request").filter({ hasText: "Google Play 2.0.0 (200)" });
    await request.getByText("Submitted", { exact: true }).first().waitFor();
    await shot(page, "51-publish-tab");
    await assertAccessible(page, "an app's publish tab");
    assert.deepEqual(page.errors, []);

    // The administrator works the queue.
    const admin = await newPage(env);
    await admin.goto(`${env.server.url}/publishing`);
    await signIn(admin, ADMIN);
    const row = admin.locator("tbody tr").filter({ hasText: "Tulip Fashion" });
    await row.getByRole("button", { name: "Start review" }).click();
    await admin.getByText("Tulip Fashion 2.0.0: in review.").waitFor();
    await row.getByRole("button", { name: "Publish" }).waitFor();
    await shot(admin, "52-publishing-queue");
    await assertAccessible(admin, "the publishing queue");
    await row.getByRole("button", { name: "Reject" }).click();
    const reject = admin.getByRole("dialog", { name: /^Reject Tulip Fashion/ });
    await reject.getByLabel("The store's reason").fill("Metadata: the screenshots show another app.");
    await assertAccessible(admin, "the reject dialog");
    await reject.getByRole("button", { name: "Reject" }).click();
    await admin.getByText("Rejected; the owner is told why.").waitFor();

    // The owner reads why, fixes the request and submits it again (its second revision).
    await page.reload();
    const rejected = page.locator(".request").filter({ hasText: "Google Play 2.0.0 (200)" });
    await rejected.getByText("Metadata: the screenshots show another app.").first().waitFor();
    await rejected.getByRole("button", { name: "Fix and resubmit" }).click();
    await page.getByLabel("Build number").fill("201");
    for (let i = 0; i < 3; i++) await page.locator(".wizard").getByRole("button", { name: "Next" }).click();
    await page.getByRole("checkbox", { name: "I accept the publishing terms" }).check();
    await page.getByRole("button", { name: "Submit for publishing" }).click();
    await page.getByText("Submitted to the store.").waitFor();
    const resubmitted = page.locator(".request").filter({ hasText: "Google Play 2.0.0 (201)" });
    await resubmitted.getByText("revision 2").waitFor();

    await admin.reload();
    await row.getByRole("button", { name: "Start review" }).click();
    await admin.getByText("Tulip Fashion 2.0.0: in review.").waitFor();
    await row.getByRole("button", { name: "Publish" }).click();
    await admin.getByText("Tulip Fashion 2.0.0: published.").waitFor();
    assert.deepEqual(admin.errors, []);

    // The owner sees the version live, and the request's timeline with every step.
    await page.reload();
    await page.getByRole("region", { name: "Google Play" }).getByText(/^2\.0\.0 \(201\) since/).waitFor();
    await resubmitted.getByText("Published", { exact: true }).first().waitFor();
    await resubmitted.locator(".timeline li").nth(5).waitFor();
    await shot(page, "54-publish-published");

    const phone = await newPage(env, PHONE);
    await phone.goto(`${env.server.url}/apps`);
    await signIn(phone, CUSTOMER);
    await phone.getByRole("link", { name: "Tulip Fashion", exact: true }).click();
    await phone.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Publish" }).click();
    await phone.getByText(/^2\.0\.0 \(201\) since/).waitFor();
    await shot(phone, "53-publish-phone");
    await assertAccessible(phone, "an app's publish tab on a phone");
  });
});
