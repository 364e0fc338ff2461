// Push messages as people use them: a customer composes a message watching the phone preview
// and the count of devices the target reaches, schedules it and cancels it; sends another now and
// watches its report fill; sets quiet hours. The demo installation has no provider keys: pushes
// go to the log gateway, which counts them as sent. Desktop and phone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, CUSTOMER, moreAction, PHONE, shot, signedIn, useBackOffice } from "./helpers.mjs";

/** The number in the composer's "Reaches N devices" line, once it has counted. */
async function reach(dialog) {
  const line = dialog.locator(".reach");
  await line.filter({ hasText: /Reaches/ }).waitFor();
  const text = await line.textContent();
  return Number(text.replace(/[^0-9]/g, ""));
}

async function openPushTab(page, url) {
  await page.goto(`${url}/apps`);
  await page.locator("table tbody tr").first().getByRole("link").first().click();
  await page.getByRole("link", { name: "Push", exact: true }).click();
  await page.getByRole("heading", { name: "Push messages" }).waitFor();
}

describe("push messages", () => {
  const env = useBackOffice();

  test("compose with a preview, schedule, cancel; send now and watch the report fill", async () => {
    const page = await signedIn(env, CUSTOMER);
    await openPushTab(page, env.server.url);
    // The demo installation only logs pushes (PUSH_GATEWAY=log), and says so.
    await page.getByText("records pushes in its server log only").waitFor();

    await page.getByRole("button", { name: "New message" }).click();
    const dialog = page.getByRole("dialog", { name: "New push message" });
    await dialog.getByLabel("Title").fill("Spring sale");
    await dialog.getByLabel("Message").fill("Everything 20 % off until Sunday.");
    // The phone shows it as typed, on iOS and on Android.
    await dialog.locator(".phone .notification-title", { hasText: "Spring sale" }).waitFor();
    const everyone = await reach(dialog);
    assert.ok(everyone > 0, `the demo app has devices with push on (${everyone})`);
    await dialog.getByLabel("iOS", { exact: true }).check();
    await dialog.locator(".reach", { hasText: /Reaches/ }).filter({ hasNotText: `Reaches ${everyone} ` }).waitFor();
    const iphones = await reach(dialog);
    assert.ok(iphones > 0 && iphones < everyone, `iPhones only: ${iphones} of ${everyone}`);
    await dialog.getByRole("button", { name: "Android" }).click();
    await dialog.locator(".phone-android").waitFor();
    await assertAccessible(page, "the composer");
    await shot(page, "push-composer");

    // Scheduled for tomorrow 10:00 (the viewer's time), then canceled.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, "0")}-${String(tomorrow.getDate()).padStart(2, "0")}`;
    await dialog.getByLabel("At a date and time").check();
    await dialog.getByLabel("Send at (your time)").fill(`${day}T10:00`);
    await dialog.getByRole("button", { name: "Schedule" }).click();
    await page.getByText("“Spring sale” is scheduled.").waitFor();
    const row = page.getByRole("row", { name: /Spring sale/ });
    await row.getByText("Scheduled").waitFor();
    await moreAction(page, "Spring sale", "Cancel");
    await page.getByRole("dialog", { name: "Cancel this message?" }).getByRole("button", { name: "Cancel message" }).click();
    await row.getByText("Canceled").waitFor();

    // Sent now: the report fills as the sender works (every second).
    await page.getByRole("button", { name: "New message" }).click();
    const second = page.getByRole("dialog", { name: "New push message" });
    await second.getByLabel("Title").fill("Flash sale");
    await second.getByLabel("Message").fill("Two hours only: free delivery.");
    await second.getByLabel("Send now").check();
    const targeted = await reach(second);
    await second.getByRole("button", { name: "Send now" }).click();
    await page.getByText("“Flash sale” is sending.").waitFor();
    await page.getByRole("button", { name: "Report of Flash sale" }).click();
    const report = page.getByRole("dialog", { name: "Push message report" });
    await report.locator(".badge", { hasText: "Sent" }).waitFor({ timeout: 30_000 });
    const figures = await report.getByRole("region", { name: "Figures" }).locator(".stat-value").allTextContents();
    assert.equal(figures[0].replace(/[^0-9]/g, ""), String(targeted), `targeted: ${figures}`);
    assert.equal(figures[1].replace(/[^0-9]/g, ""), String(targeted), `all sent (log gateway): ${figures}`);
    await report.getByRole("img", { name: /Sent per hour/ }).or(report.getByText("Sent per hour")).first().waitFor();
    await assertAccessible(page, "the report");
    await shot(page, "push-report");
    await report.getByRole("button", { name: "Close" }).click();
    await shot(page, "push-list");

    // Quiet hours.
    await page.getByRole("button", { name: "Push settings" }).click();
    const settings = page.getByRole("dialog", { name: "Push settings" });
    await settings.getByText("Not configured. Upload the service account key file").waitFor();
    await settings.getByLabel(/Quiet hours/).check();
    await settings.getByLabel("From").fill("21:30");
    await assertAccessible(page, "the push settings");
    await shot(page, "push-settings");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Push settings saved.").waitFor();
    assert.deepEqual(page.errors, []);
  });

  test("the composer and the list on a phone", async () => {
    const page = await signedIn(env, CUSTOMER, PHONE);
    await openPushTab(page, env.server.url);
    await page.getByRole("button", { name: "New message" }).click();
    const dialog = page.getByRole("dialog", { name: "New push message" });
    await dialog.getByLabel("Title").fill("Weekend offer");
    await dialog.getByLabel("Message").fill("A gift with every order this weekend.");
    await reach(dialog);
    await shot(page, "push-composer-phone");
    await dialog.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("“Weekend offer” saved as a draft.").waitFor();
    await page.getByRole("row", { name: /Weekend offer/ }).getByText("Draft").waitFor();
    await assertAccessible(page, "the push list on a phone");
    await shot(page, "push-list-phone");
    assert.deepEqual(page.errors, []);
  });
});
