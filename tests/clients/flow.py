"""An integrator's flow through the Python client that openapi-python-client generated from
openapi/openapi.json: sign in, subscribe a webhook endpoint, create a customer (and receive its
`customer.created` event, verified by the `standardwebhooks` library) and an app, register a
device through the SDK, read the devices and the analytics, page through a list with the cursor,
and handle a 422 and a 404 as typed problems. Usage: python flow.py <base url> (with the
generated `client` package on the path; the server delivers webhooks to loopback). Exits non-zero
on the first thing that is not as the spec says."""

import datetime
import http.server
import queue
import sys
import threading
import uuid

from standardwebhooks.webhooks import Webhook

from client import AuthenticatedClient, Client
from client.api.analytics import app_analytics
from client.api.apps import create_app
from client.api.auth import login
from client.api.customers import create_customer, get_customer, list_customers
from client.api.devices import list_devices
from client.api.sdk import register_device
from client.api.webhooks import create_endpoint
from client.models import (
    AccountStatus,
    Analytics,
    AppEdition,
    AppKind,
    CreateApp,
    CreateCustomer,
    CreateWebhookEndpoint,
    DeviceRegistered,
    LoginRequest,
    Platform,
    Problem,
    RegisterDevice,
    TokenResponse,
    WebhookEventType,
)
from client.types import UNSET


def expect(condition, what):
    if not condition:
        sys.exit(f"python client: {what}")


def receiver():
    """A local HTTP server that keeps what is POSTed to it: (its URL, a queue of (headers, body))."""
    received = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/hooks", received


def main(base_url):
    run = uuid.uuid4().hex[:8]
    signed_in = login.sync(
        client=Client(base_url=base_url),
        body=LoginRequest(email="partner@demo.test", password="demo-password-1"),
    )
    expect(isinstance(signed_in, TokenResponse), f"sign-in answered {signed_in!r}")
    api = AuthenticatedClient(base_url=base_url, token=signed_in.access_token)

    url, received = receiver()
    endpoint = create_endpoint.sync(
        client=api,
        body=CreateWebhookEndpoint(url=url, event_types=[WebhookEventType.CUSTOMER_CREATED]),
    )
    expect(not isinstance(endpoint, Problem), f"webhook endpoint: {endpoint!r}")
    expect(isinstance(endpoint.secret, str), "the endpoint's secret, shown once")

    customer = create_customer.sync(
        client=api,
        body=CreateCustomer(
            email=f"py-{run}@client.example",
            first_name="Py",
            last_name="Client",
            status=AccountStatus.ACTIVATED,
            company="Generated Clients Ltd",
        ),
        idempotency_key=f"customer-{run}",
    )
    expect(not isinstance(customer, Problem), f"create customer: {customer!r}")
    expect(customer.email == f"py-{run}@client.example", "the customer's email")
    try:
        headers, body = received.get(timeout=30)
    except queue.Empty:
        sys.exit("python client: no customer.created event within 30 s")
    event = Webhook(endpoint.secret).verify(body, headers)
    expect(event["type"] == "customer.created", f"the event: {event['type']}")
    expect(event["data"]["id"] == customer.id, "the event is about the new customer")

    app = create_app.sync(
        client=api,
        body=CreateApp(
            name=f"Py Shop {run}",
            kind=AppKind.STANDALONE,
            edition=AppEdition.BASIC,
            owner_id=customer.id,
        ),
    )
    expect(not isinstance(app, Problem), f"create app: {app!r}")

    # The SDK authenticates with the app's key in X-App-Key.
    sdk = AuthenticatedClient(
        base_url=base_url, token=app.app_key, auth_header_name="X-App-Key", prefix=""
    )
    registered = register_device.sync(
        client=sdk,
        body=RegisterDevice(
            installation_id=f"install-{run}",
            platform=Platform.ANDROID,
            model="Pixel 8",
            os_version="14",
            app_version="1.0.0",
            push_enabled=True,
            push_token=f"token-{run}",
        ),
    )
    expect(isinstance(registered, DeviceRegistered) and registered.created, f"device: {registered!r}")

    devices = list_devices.sync(app.id, client=api)
    expect(not isinstance(devices, Problem), f"devices: {devices!r}")
    expect(devices.total == 1 and devices.items[0].id == registered.device_id, "the device listed")

    today = datetime.datetime.now(datetime.timezone.utc).date()
    figures = app_analytics.sync(app.id, client=api, from_=today, to=today)
    expect(isinstance(figures, Analytics), f"analytics: {figures!r}")
    expect(figures.totals.installs == 1, f"one install today, not {figures.totals.installs}")

    # Every customer of the partner, three at a time by the cursor.
    first = list_customers.sync(client=api, per_page=3)
    expect(not isinstance(first, Problem), f"customers: {first!r}")
    seen, page, pages = [c.id for c in first.items], first, 1
    while isinstance(page.next_cursor, str):
        page = list_customers.sync(client=api, per_page=3, cursor=page.next_cursor)
        expect(not isinstance(page, Problem), f"next page: {page!r}")
        seen += [c.id for c in page.items]
        pages += 1
    expect(pages > 1, "the list took more than one page")
    expect(len(seen) == first.total == len(set(seen)), f"{len(seen)} customers paged, total {first.total}")
    expect(customer.id in seen, "the new customer is among them")

    invalid = create_customer.sync_detailed(
        client=api,
        body=CreateCustomer(
            email="not an email", first_name="X", last_name="Y", status=AccountStatus.ACTIVATED
        ),
    )
    problem = invalid.parsed
    expect(invalid.status_code == 422 and isinstance(problem, Problem), f"422: {invalid!r}")
    expect(problem.code == "validation_failed", f"the 422's code: {problem.code}")
    expect(problem.errors is not UNSET and [e.field for e in problem.errors] == ["email"], "422 names email")

    missing = get_customer.sync_detailed("999999999", client=api)
    expect(missing.status_code == 404 and isinstance(missing.parsed, Problem), f"404: {missing!r}")
    expect(missing.parsed.status == 404 and missing.parsed.code, "the 404 is a problem with a code")

    print(f"python client: {pages} pages of {first.total} customers, device {registered.device_id}, "
          f"customer.created verified by standardwebhooks, 422 and 404 typed: ok")


if __name__ == "__main__":
    main(sys.argv[1])
