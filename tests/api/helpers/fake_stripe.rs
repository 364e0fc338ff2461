//! A local fake of the parts of Stripe's API the `stripe` provider uses, on a real port: it
//! checks the secret key, the form bodies and the `Idempotency-Key`s as Stripe does, keeps
//! customers and attached payment methods, and answers with Stripe's objects and errors.
//!
//! Payment methods behave as Stripe's test ids do (`pm_card_visa` succeeds,
//! `pm_card_chargeDeclined…` decline, `pm_card_authenticationRequired` needs the cardholder);
//! `pm_usBankAccount` leaves the PaymentIntent `processing` (a bank debit). Attaching a `pm_card_…`
//! id gives a new id, as Stripe does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub const SECRET_KEY: &str = "sk_test_fake_0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_fake_0123456789";

/// A request as the fake received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub idempotency_key: String,
    pub form: HashMap<String, String>,
}

/// What was answered under an idempotency key: the form it came with, the status and the body.
type Answered = (Vec<(String, String)>, u16, Value);

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    customers: Vec<String>,
    /// Attached payment method id → (customer, the test id it was made from).
    attached: HashMap<String, (String, String)>,
    /// PaymentIntents confirmed: id → amount.
    intents: Vec<(String, i64)>,
    /// Idempotency-Key → (the form it came with, the status and body answered).
    answers: HashMap<String, Answered>,
    /// The path whose next answer is dropped after doing the work (a lost connection): the
    /// client sees a 500.
    lose_answer_at: Option<String>,
    /// Requests refused with a 500 before doing anything.
    outage: usize,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl FakeStripe {
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let port = super::serve_locally(state.clone(), handle);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("fake state"))
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    /// PaymentIntents confirmed (each is money moved): (id, amount).
    pub fn intents(&self) -> Vec<(String, i64)> {
        self.with(|s| s.intents.clone())
    }

    pub fn customers(&self) -> Vec<String> {
        self.with(|s| s.customers.clone())
    }

    /// The next request to `path` is done but its answer lost (the client gets a 500).
    pub fn lose_next_answer(&self, path: &str) {
        self.with(|s| s.lose_answer_at = Some(path.to_owned()));
    }

    /// The next `n` requests are refused with a 500 before anything is done.
    pub fn outage(&self, n: usize) {
        self.with(|s| s.outage = n);
    }
}

fn error(status: u16, kind: &str, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"error": {"type": kind, "code": code, "message": message}}),
    )
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let reply = |(status, body): (u16, Value)| {
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status"))
            .json(body)
    };
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if header("Authorization").as_deref() != Some(&format!("Bearer {SECRET_KEY}")) {
        return reply(error(
            401,
            "invalid_request_error",
            "",
            "Invalid API Key provided.",
        ));
    }
    if header("Content-Type").as_deref() != Some("application/x-www-form-urlencoded") {
        return reply(error(400, "invalid_request_error", "", "Send a form body."));
    }
    let Some(key) = header("Idempotency-Key") else {
        return reply(error(
            400,
            "invalid_request_error",
            "",
            "The client always sends a key.",
        ));
    };
    let form: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => return reply(error(400, "invalid_request_error", "", "Unreadable form.")),
    };
    let path = req.path().to_owned();
    let mut state = state.lock().expect("fake state");
    state.seen.push(Seen {
        path: path.clone(),
        idempotency_key: key.clone(),
        form: form.iter().cloned().collect(),
    });
    if state.outage > 0 {
        state.outage -= 1;
        return reply(error(
            500,
            "api_error",
            "",
            "Something went wrong on Stripe's end.",
        ));
    }
    // Stripe replays the first answer to a key; another request under it is refused.
    let answer = match state.answers.get(&key) {
        Some((first, _, _)) if *first != form => error(
            400,
            "idempotency_error",
            "",
            "Keys for idempotent requests can only be used with the same parameters.",
        ),
        Some((_, status, body)) => (*status, body.clone()),
        None => {
            let answer = act(&mut state, &path, &form.iter().cloned().collect());
            state
                .answers
                .insert(key, (form, answer.0, answer.1.clone()));
            answer
        }
    };
    if state.lose_answer_at.as_deref() == Some(path.as_str()) {
        state.lose_answer_at = None;
        return reply(error(500, "api_error", "", "The answer was lost."));
    }
    reply(answer)
}

/// Does what `path` asks (first time under its key).
fn act(state: &mut State, path: &str, form: &HashMap<String, String>) -> (u16, Value) {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    if path == "/v1/customers" {
        let id = format!("cus_fake{}", state.customers.len() + 1);
        state.customers.push(id.clone());
        return (
            200,
            json!({"id": id, "object": "customer", "email": field("email")}),
        );
    }
    if let Some(pm) = path
        .strip_prefix("/v1/payment_methods/")
        .and_then(|p| p.strip_suffix("/attach"))
    {
        let customer = field("customer");
        if !state.customers.contains(&customer) {
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                "No such customer.",
            );
        }
        let (id, made_from) = match state.attached.get(pm) {
            Some((_, made_from)) => (pm.to_owned(), made_from.clone()),
            None if pm.starts_with("pm_card_") || pm == "pm_usBankAccount" => (
                format!("pm_fake{}", state.attached.len() + 1),
                pm.to_owned(),
            ),
            None => {
                return error(
                    404,
                    "invalid_request_error",
                    "resource_missing",
                    "No such PaymentMethod.",
                )
            }
        };
        state
            .attached
            .insert(id.clone(), (customer.clone(), made_from));
        return (
            200,
            json!({"id": id, "object": "payment_method", "customer": customer}),
        );
    }
    if path == "/v1/payment_intents" {
        let pm = field("payment_method");
        let Some((owner, made_from)) = state.attached.get(&pm).cloned() else {
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                "No such PaymentMethod.",
            );
        };
        if owner != field("customer") {
            return error(
                400,
                "invalid_request_error",
                "",
                "The provided PaymentMethod does not belong to the Customer.",
            );
        }
        if field("confirm") != "true" || field("off_session") != "true" {
            return error(400, "invalid_request_error", "", "Confirm off-session.");
        }
        let Ok(amount) = field("amount").parse::<i64>() else {
            return error(400, "invalid_request_error", "", "Invalid integer: amount.");
        };
        let id = format!("pi_fake{}", state.intents.len() + 1);
        let declined = |decline_code: &str, code: &str, message: &str| {
            let intent = json!({"id": id, "object": "payment_intent",
                "status": "requires_payment_method"});
            (
                402,
                json!({"error": {"type": "card_error", "code": code, "decline_code": decline_code,
                    "message": message, "payment_intent": intent}}),
            )
        };
        let status = match made_from.as_str() {
            "pm_card_chargeDeclined" => {
                return declined(
                    "generic_decline",
                    "card_declined",
                    "Your card was declined.",
                )
            }
            "pm_card_chargeDeclinedInsufficientFunds" => {
                return declined(
                    "insufficient_funds",
                    "card_declined",
                    "Your card has insufficient funds.",
                )
            }
            "pm_card_authenticationRequired" => {
                let (status, mut body) = declined(
                    "authentication_required",
                    "authentication_required",
                    "Your card was declined. This transaction requires authentication.",
                );
                body["error"]["decline_code"] = Value::Null;
                return (status, body);
            }
            "pm_usBankAccount" => "processing",
            _ => "succeeded",
        };
        state.intents.push((id.clone(), amount));
        return (
            200,
            json!({"id": id, "object": "payment_intent", "status": status, "amount": amount,
                "currency": field("currency"), "customer": field("customer")}),
        );
    }
    error(
        404,
        "invalid_request_error",
        "",
        "Unrecognized request URL.",
    )
}
