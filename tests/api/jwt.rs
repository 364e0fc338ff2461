//! Access tokens that must be refused: each gets 401 `invalid_token` with `WWW-Authenticate`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{TestApp, JWT_SECRET};

/// An admin's signed-in session, whose claims the tests forge variants of.
struct Session {
    id: i64,
    sid: String,
}

fn claims(session: &Session, exp_offset: i64, aud: &str) -> Value {
    let now = api::clock::system_time().timestamp();
    json!({"iss": "backoffice", "aud": aud, "sub": session.id.to_string(), "role": "admin", "iat": now,
        "nbf": now, "exp": now + exp_offset, "sid": session.sid})
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

async fn assert_refused(app: &TestApp, token: &str) {
    let reply = app.get("me", token).await;
    reply.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "challenge: {challenge}");
    assert!(challenge.contains("invalid_token"));
}

async fn admin_id(app: &TestApp) -> Session {
    let id = app
        .create_account(
            Role::Admin,
            AccountStatus::Activated,
            "jwt-admin@example.com",
            None,
        )
        .await;
    let token = app.token_for("jwt-admin@example.com").await;
    let payload = token.split('.').nth(1).unwrap_or_default();
    let payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json");
    Session {
        id,
        sid: payload["sid"].as_str().expect("a session id").to_owned(),
    }
}

both_backends! {
    async fn a_correctly_signed_token_is_accepted(app) {
        let id = admin_id(&app).await;
        app.get("me", &sign(&claims(&id, 60, "backoffice-api"), JWT_SECRET)).await.assert_status(StatusCode::OK);
    }

    async fn an_unsigned_alg_none_token_is_refused(app) {
        let id = admin_id(&app).await;
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims(&id, 60, "backoffice-api").to_string());
        assert_refused(&app, &format!("{header}.{payload}.")).await;
    }

    async fn a_token_signed_with_another_key_is_refused(app) {
        let id = admin_id(&app).await;
        assert_refused(&app, &sign(&claims(&id, 60, "backoffice-api"), "another-secret-0123456789abcdef0123")).await;
    }

    async fn an_expired_token_is_refused(app) {
        let id = admin_id(&app).await;
        assert_refused(&app, &sign(&claims(&id, -120, "backoffice-api"), JWT_SECRET)).await;
    }

    async fn a_tampered_payload_is_refused(app) {
        let id = admin_id(&app).await;
        let customer = app.create_account(Role::Customer, AccountStatus::Activated, "c@example.com", None).await;
        let token = sign(&claims(&Session { id: customer, sid: id.sid.clone() }, 60, "backoffice-api"), JWT_SECRET);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(claims(&id, 60, "backoffice-api").to_string());
        assert_refused(&app, &parts.join(".")).await;
    }

    async fn a_token_for_another_audience_is_refused(app) {
        let id = admin_id(&app).await;
        assert_refused(&app, &sign(&claims(&id, 60, "some-other-api"), JWT_SECRET)).await;
    }

    async fn a_token_of_another_algorithm_is_refused(app) {
        let id = admin_id(&app).await;
        let token = encode(
            &Header::new(jsonwebtoken::Algorithm::HS512),
            &claims(&id, 60, "backoffice-api"),
            &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
        ).expect("sign");
        assert_refused(&app, &token).await;
    }

    async fn garbage_is_refused(app) {
        assert_refused(&app, "not.a.jwt").await;
    }

    async fn no_token_is_a_401_challenge(app) {
        let reply = app.call(reqwest::Method::GET, "me", None, None).await;
        reply.assert_problem(StatusCode::UNAUTHORIZED, "missing_token");
        assert!(reply.header("www-authenticate").unwrap_or_default().starts_with("Bearer"));
    }

    async fn a_token_of_a_deleted_account_is_refused(app) {
        let session = Session { id: 999_999, sid: "none".into() };
        assert_refused(&app, &sign(&claims(&session, 60, "backoffice-api"), JWT_SECRET)).await;
    }

    async fn a_token_not_yet_valid_or_issued_in_the_future_is_refused(app) {
        let id = admin_id(&app).await;
        let now = api::clock::system_time().timestamp();
        for (claim, value) in [("nbf", now + 600), ("iat", now + 600)] {
            let mut forged = claims(&id, 1200, "backoffice-api");
            forged[claim] = json!(value);
            assert_refused(&app, &sign(&forged, JWT_SECRET)).await;
        }
        // Without `nbf`, or naming no live session of the account, it is refused too.
        let mut forged = claims(&id, 60, "backoffice-api");
        forged.as_object_mut().map(|c| c.remove("nbf"));
        assert_refused(&app, &sign(&forged, JWT_SECRET)).await;
        let mut forged = claims(&id, 60, "backoffice-api");
        forged["sid"] = json!("made-up-session");
        assert_refused(&app, &sign(&forged, JWT_SECRET)).await;
    }
}
