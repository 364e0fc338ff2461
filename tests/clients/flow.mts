// An integrator's flow through a TypeScript client: types generated from openapi/openapi.json by
// openapi-typescript, requests by openapi-fetch. Type-checked with `tsc --strict` first (a spec
// change that breaks the types fails there), then run: sign in, create a customer and an app,
// register a device through the SDK, read the devices and the analytics, page through a list
// with the cursor, handle a 422 and a 404 as typed problems. Usage: node flow.mjs <base url>.

import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

declare const process: { argv: string[]; exit(code: number): never };

type Problem = components["schemas"]["Problem"];

function expect(condition: unknown, what: string): asserts condition {
  if (!condition) {
    console.error(`typescript client: ${what}`);
    process.exit(1);
  }
}

const baseUrl = process.argv[2];
const run = Math.random().toString(16).slice(2, 10);

const anonymous = createClient<paths>({ baseUrl });
const signIn = await anonymous.POST("/api/v1/auth/login", {
  body: { email: "partner@demo.test", password: "demo-password-1" },
});
const signedIn = signIn.data;
expect(signedIn, `sign-in answered ${signIn.response.status}`);
// A person with two-factor sign-in gets a challenge instead of tokens: this demo partner has none.
expect("access_token" in signedIn, "tokens, not a second step");
const api = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${signedIn.access_token}` },
});

const customer = await api.POST("/api/v1/customers", {
  params: { header: { "Idempotency-Key": `customer-${run}` } },
  body: {
    email: `ts-${run}@client.example`,
    first_name: "Ts",
    last_name: "Client",
    status: "activated",
    company: "Generated Clients Ltd",
  },
});
expect(customer.data, `create customer: ${JSON.stringify(customer.error)}`);
const customerId: string = customer.data.id;

const app = await api.POST("/api/v1/apps", {
  body: { name: `Ts Shop ${run}`, kind: "standalone", edition: "basic", owner_id: customerId },
});
expect(app.data, `create app: ${JSON.stringify(app.error)}`);
const appId = app.data.id;

// The SDK authenticates with the app's key in X-App-Key.
const sdk = createClient<paths>({ baseUrl, headers: { "X-App-Key": app.data.app_key } });
const device = await sdk.POST("/api/v1/sdk/devices", {
  body: {
    installation_id: `install-${run}`,
    platform: "ios",
    model: "iPhone 15",
    os_version: "17.4",
    app_version: "1.0.0",
    push_enabled: true,
    push_token: `token-${run}`,
  },
});
expect(device.data?.created, `device: ${JSON.stringify(device.error)}`);

const devices = await api.GET("/api/v1/apps/{id}/devices", { params: { path: { id: appId } } });
expect(devices.data, `devices: ${JSON.stringify(devices.error)}`);
expect(
  devices.data.total === 1 && devices.data.items[0].id === device.data.device_id,
  "the device listed",
);

const today = new Date().toISOString().slice(0, 10);
const figures = await api.GET("/api/v1/apps/{id}/analytics", {
  params: { path: { id: appId }, query: { from: today, to: today } },
});
expect(figures.data, `analytics: ${JSON.stringify(figures.error)}`);
expect(figures.data.totals.installs === 1, `one install today, not ${figures.data.totals.installs}`);

// Every customer of the partner, three at a time by the cursor.
const seen: string[] = [];
let cursor: string | undefined;
let pages = 0;
let total = -1;
do {
  const page = await api.GET("/api/v1/customers", {
    params: { query: { per_page: 3, ...(cursor ? { cursor } : {}) } },
  });
  expect(page.data, `customers: ${JSON.stringify(page.error)}`);
  if (total < 0) total = page.data.total;
  seen.push(...page.data.items.map((c) => c.id));
  cursor = page.data.next_cursor ?? undefined;
  pages += 1;
} while (cursor);
expect(pages > 1, "the list took more than one page");
expect(seen.length === total && new Set(seen).size === total, `${seen.length} paged, total ${total}`);
expect(seen.includes(customerId), "the new customer is among them");

const invalid = await api.POST("/api/v1/customers", {
  body: { email: "not an email", first_name: "X", last_name: "Y", status: "activated" },
});
const problem: Problem | undefined = invalid.error;
expect(invalid.response.status === 422 && problem, `422: ${invalid.response.status}`);
expect(problem.code === "validation_failed", `the 422's code: ${problem.code}`);
expect(problem.errors?.map((e) => e.field).join() === "email", "the 422 names email");

const missing = await api.GET("/api/v1/customers/{id}", {
  params: { path: { id: "999999999" } },
});
const notFound: Problem | undefined = missing.error;
expect(missing.response.status === 404 && notFound?.status === 404, `404: ${missing.response.status}`);
expect(notFound.code.length > 0, "the 404 is a problem with a code");

console.log(
  `typescript client: ${pages} pages of ${total} customers, device ${device.data.device_id}, ` +
    "422 and 404 typed: ok",
);
