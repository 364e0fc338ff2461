//! Two-factor sign-in with an authenticator app (`../shared/DESIGN.md` §6): enrolment confirmed
//! by a code, a sign-in that stops at a challenge, codes computed here as a phone would, never
//! accepted twice, recovery codes used once, challenges that expire and take few wrong codes.

use reqwest::StatusCode;
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{Reply, TestApp, PASSWORD};

/// The code an authenticator app holding `secret` shows `offset_secs` from the server's now.
fn code(app: &TestApp, secret: &str, offset_secs: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("base32"))
        .with_account_name("test")
        .build()
        .expect("totp");
    let at = app.clock.now().and_utc().timestamp() + offset_secs;
    totp.generate(u64::try_from(at).expect("after 1970"))
        .to_string()
}

/// A person with two-factor sign-in on: (its token, its secret, its recovery codes).
async fn enrolled(app: &TestApp, email: &str) -> (String, String, Vec<String>) {
    app.create_account(Role::Customer, AccountStatus::Activated, email, None)
        .await;
    let token = app.token_for(email).await;
    let started = app
        .post("me/two-factor/totp", Some(&token), json!({}))
        .await;
    started.assert_status(StatusCode::OK);
    let secret = started.body["secret"].as_str().expect("secret").to_owned();
    let confirmed = app
        .post(
            "me/two-factor/totp/confirm",
            Some(&token),
            json!({"code": code(app, &secret, 0)}),
        )
        .await;
    confirmed.assert_status(StatusCode::OK);
    let codes: Vec<String> = confirmed.body["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    (token, secret, codes)
}

/// Signs in with the password: the challenge of the second step.
async fn challenge(app: &TestApp, email: &str) -> String {
    let first = app
        .post(
            "auth/login",
            None,
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    first.assert_status(StatusCode::OK);
    assert_eq!(first.body["two_factor_required"], true, "{}", first.text);
    assert!(
        first.body.get("access_token").is_none(),
        "no tokens before the second step"
    );
    assert_eq!(first.body["methods"], json!(["totp", "recovery_code"]));
    first.body["challenge"]
        .as_str()
        .expect("challenge")
        .to_owned()
}

async fn answer(app: &TestApp, challenge: &str, with: Value) -> Reply {
    let mut body = json!({"challenge": challenge});
    if let (Some(body), Some(with)) = (body.as_object_mut(), with.as_object()) {
        body.extend(with.clone());
    }
    app.post("auth/login/two-factor", None, body).await
}

both_backends! {
    async fn an_app_code_is_the_second_step_and_is_never_accepted_twice(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "two@example.com", None).await;
        let token = app.token_for("two@example.com").await;
        assert_eq!(app.get("me/two-factor", &token).await.body["totp"], false);
        let started = app.post("me/two-factor/totp", Some(&token), json!({})).await;
        started.assert_status(StatusCode::OK);
        let secret = started.body["secret"].as_str().expect("secret").to_owned();
        let uri = started.body["otpauth_uri"].as_str().unwrap_or_default();
        assert!(uri.starts_with("otpauth://totp/Back%20Office:two%40example.com?"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")) && uri.contains("issuer=Back%20Office"), "{uri}");
        assert!(started.body["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")));
        // Not on until the app proves it works: a wrong code is refused by field.
        let login = app.post("auth/login", None, json!({"email": "two@example.com", "password": PASSWORD})).await;
        assert!(login.body["access_token"].is_string(), "still one step");
        let wrong = app.post("me/two-factor/totp/confirm", Some(&token), json!({"code": "abcdef"})).await;
        assert_eq!(wrong.error_fields(), ["code"]);
        let first = code(&app, &secret, 0);
        let confirmed = app.post("me/two-factor/totp/confirm", Some(&token), json!({"code": first})).await;
        confirmed.assert_status(StatusCode::OK);
        let codes = confirmed.body["recovery_codes"].as_array().cloned().unwrap_or_default();
        assert_eq!(codes.len(), 10);
        let status = app.get("me/two-factor", &token).await;
        assert_eq!((status.body["totp"].clone(), status.body["recovery_codes_left"].clone()), (json!(true), json!(10)));
        app.post("me/two-factor/totp", Some(&token), json!({})).await
            .assert_problem(StatusCode::CONFLICT, "two_factor_already_on");

        // The code that confirmed is spent: the sign-in needs a later one.
        let c1 = challenge(&app, "two@example.com").await;
        answer(&app, &c1, json!({"code": first})).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_code");
        // A phone 30 s fast is still believed; the next step's code signs in.
        let signed_in = answer(&app, &c1, json!({"code": code(&app, &secret, 30)})).await;
        signed_in.assert_status(StatusCode::OK);
        assert!(signed_in.body["access_token"].is_string() && signed_in.body["refresh_token"].is_string());
        // The challenge is spent, and a code two steps old is refused.
        answer(&app, &c1, json!({"code": code(&app, &secret, 60)})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_challenge");
        let c2 = challenge(&app, "two@example.com").await;
        answer(&app, &c2, json!({"code": code(&app, &secret, -60)})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_code");
        // Neither, or both, is a 422.
        answer(&app, &c2, json!({})).await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

        // A challenge lives 5 minutes.
        app.clock.advance(chrono::Duration::seconds(5 * 60 + 1));
        answer(&app, &c2, json!({"code": code(&app, &secret, 0)})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_challenge");

        // Off, with a code: the password alone signs in again.
        app.call(reqwest::Method::DELETE, "me/two-factor", Some(&token), Some(json!({"code": code(&app, &secret, 0)}))).await
            .assert_status(StatusCode::NO_CONTENT);
        let plain = app.post("auth/login", None, json!({"email": "two@example.com", "password": PASSWORD})).await;
        assert!(plain.body["access_token"].is_string(), "{}", plain.text);
        let events = app.get("audit-events?per_page=100", &token).await;
        let actions: Vec<&str> = events.body["items"].as_array().into_iter().flatten().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"two_factor.enable") && actions.contains(&"two_factor.disable"), "{actions:?}");
    }

    async fn a_recovery_code_signs_in_once(app) {
        let (token, _, codes) = enrolled(&app, "lost@example.com").await;
        let c1 = challenge(&app, "lost@example.com").await;
        // Typed from paper: upper case and spaces around are fine.
        let typed = format!("  {}  ", codes[3].to_uppercase());
        let signed_in = answer(&app, &c1, json!({"recovery_code": typed})).await;
        signed_in.assert_status(StatusCode::OK);
        let c2 = challenge(&app, "lost@example.com").await;
        answer(&app, &c2, json!({"recovery_code": codes[3]})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_code");
        assert_eq!(app.get("me/two-factor", &token).await.body["recovery_codes_left"], 9);
        answer(&app, &c2, json!({"recovery_code": codes[4]})).await.assert_status(StatusCode::OK);
    }

    async fn an_operator_resets_a_person_who_lost_every_factor(app) {
        let (token, _, _) = enrolled(&app, "phone-lost@example.com").await;
        // What `backoffice reset-two-factor --email …` runs.
        let db = app.db.clone();
        let reset = tokio::task::spawn_blocking(move || {
            let mut conn = db.get().expect("connection");
            api::auth::two_factor::reset(&mut conn, &types::email::Email::parse("Phone-Lost@example.com"))
        }).await.expect("ran").expect("reset");
        assert!(reset.is_some());
        let plain = app.post("auth/login", None, json!({"email": "phone-lost@example.com", "password": PASSWORD})).await;
        assert!(plain.body["access_token"].is_string(), "{}", plain.text);
        app.get("me", &token).await.assert_status(StatusCode::UNAUTHORIZED);
    }

    async fn wrong_codes_spend_the_challenge_then_the_person_waits(app) {
        let (_, secret, _) = enrolled(&app, "guess@example.com").await;
        let c1 = challenge(&app, "guess@example.com").await;
        for _ in 0..5 {
            answer(&app, &c1, json!({"code": "abcdef"})).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_code");
        }
        // Five wrong codes spend a challenge, even for the right one.
        answer(&app, &c1, json!({"code": code(&app, &secret, 30)})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_challenge");
        // Ten in 15 minutes stop the person, whatever the challenge.
        let c2 = challenge(&app, "guess@example.com").await;
        for _ in 0..5 {
            answer(&app, &c2, json!({"code": "abcdef"})).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_code");
        }
        let c3 = challenge(&app, "guess@example.com").await;
        let stopped = answer(&app, &c3, json!({"code": code(&app, &secret, 30)})).await;
        stopped.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert!(stopped.header("retry-after").is_some());
    }

    async fn a_stolen_session_cannot_guess_its_way_to_turning_it_off(app) {
        let (token, secret, _) = enrolled(&app, "stolen@example.com").await;
        let off = |code: String| app.call(reqwest::Method::DELETE, "me/two-factor", Some(&token), Some(json!({"code": code})));
        for _ in 0..10 {
            off("abcdef".into()).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_code");
        }
        off(code(&app, &secret, 30)).await.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        app.post("me/two-factor/recovery-codes", Some(&token), json!({"code": code(&app, &secret, 30)})).await
            .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert_eq!(app.get("me/two-factor", &token).await.body["totp"], true);
    }
}
