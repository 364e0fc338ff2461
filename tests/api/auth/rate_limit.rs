//! Sign-in limits: failed sign-ins per account and per address, and the device cookie that keeps
//! a known browser out of a stranger's lockout.

use super::*;

/// An app allowing 3 failed sign-ins per account and 5 per address (and 3 sign-ups and reset
/// requests a minute, which successful sign-ins do not count against).
async fn spawn(backend: crate::helpers::Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.login_rate_limit = 3;
        s.login_failures_per_account = 3;
        s.login_failures_per_address = 5;
    })
    .await
}

async fn failed_sign_ins_are_limited_per_account(app: TestApp) {
    app.create_account(
        Role::Customer,
        AccountStatus::Activated,
        "busy@example.com",
        None,
    )
    .await;
    app.create_account(
        Role::Customer,
        AccountStatus::Activated,
        "calm@example.com",
        None,
    )
    .await;
    for _ in 0..3 {
        app.login("busy@example.com", "wrong password 1")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now; another account of the same address does not.
    let limited = app.login("busy@example.com", PASSWORD).await;
    limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let wait: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=900).contains(&wait), "{wait}");
    app.login("calm@example.com", PASSWORD)
        .await
        .assert_status(StatusCode::OK);
}

async fn an_office_signs_in_from_one_address_and_failures_there_are_limited_higher(app: TestApp) {
    // Twelve people of one agency, one address, each signing in (twice): no failure, no limit.
    for n in 0..12 {
        app.create_account(
            Role::Partner,
            AccountStatus::Activated,
            &format!("staff{n}@agency.example"),
            None,
        )
        .await;
    }
    for _ in 0..2 {
        for n in 0..12 {
            app.login(&format!("staff{n}@agency.example"), PASSWORD)
                .await
                .assert_status(StatusCode::OK);
        }
    }
    // A failure followed by a success starts the account's count afresh: 2 failures, a
    // success, 1 failure, a success.
    for failures in [2, 1] {
        for _ in 0..failures {
            app.login("staff0@agency.example", "wrong password 1")
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
        }
        app.login("staff0@agency.example", PASSWORD)
            .await
            .assert_status(StatusCode::OK);
    }
    // Failures over several accounts add up per address: 5 so far (2 + 1 + 2 more); then every
    // sign-in from it waits, whatever the account.
    for n in 1..3 {
        app.login(&format!("staff{n}@agency.example"), "wrong password 1")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    app.login("staff5@agency.example", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

/// The `bo_device` cookie a successful sign-in set, as a `Cookie` header value.
fn device_cookie(reply: &crate::helpers::Reply) -> String {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bo_device="))
        .and_then(|v| v.split(';').next())
        .expect("a device cookie")
        .to_owned()
}

async fn sign_in_from(
    app: &TestApp,
    cookie: &str,
    email: &str,
    password: &str,
) -> crate::helpers::Reply {
    let req = app
        .client
        .post(app.url("auth/login"))
        .header("cookie", cookie)
        .json(&json!({"email": email, "password": password}));
    crate::helpers::Reply::from(req.send().await.expect("sent")).await
}

/// OWASP's device cookie: strangers' failures lock an email (and an address) out, but not the
/// browser its owner signed in from before, which is judged by its own failures alone.
async fn a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app: TestApp) {
    app.create_account(
        Role::Customer,
        AccountStatus::Activated,
        "owner@shop.example",
        None,
    )
    .await;
    app.create_account(
        Role::Customer,
        AccountStatus::Activated,
        "other@shop.example",
        None,
    )
    .await;
    let first = app.login("owner@shop.example", PASSWORD).await;
    first.assert_status(StatusCode::OK);
    let known = device_cookie(&first);
    assert!(first.headers.get_all("set-cookie").iter().any(|v| {
        let v = v.to_str().unwrap_or_default();
        v.starts_with("bo_device=") && v.contains("HttpOnly") && v.contains("Path=/api/v1/auth")
    }));

    // A stranger spends the account's failures and the address's: everyone else now waits.
    for email in [
        "owner@shop.example",
        "owner@shop.example",
        "owner@shop.example",
        "other@shop.example",
        "other@shop.example",
    ] {
        app.login(email, "wrong password 1")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    app.login("owner@shop.example", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // The owner's browser signs in all the same, and gets a fresh cookie.
    let again = sign_in_from(&app, &known, "owner@shop.example", PASSWORD).await;
    again.assert_status(StatusCode::OK);
    assert_ne!(device_cookie(&again), known);
    // The cookie speaks for its own email only, and a forged one for none.
    sign_in_from(&app, &known, "other@shop.example", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let forged = format!("{}x", known);
    sign_in_from(&app, &forged, "owner@shop.example", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // A known browser has its own limit: three wrong passwords from it, and it waits too.
    for _ in 0..3 {
        sign_in_from(&app, &known, "owner@shop.example", "wrong password 1")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    sign_in_from(&app, &known, "owner@shop.example", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn sqlite() {
    a_browser_that_signed_in_before_is_not_locked_out_by_strangers(
        spawn(crate::helpers::Backend::Sqlite)
            .await
            .expect("sqlite"),
    )
    .await;
    failed_sign_ins_are_limited_per_account(
        spawn(crate::helpers::Backend::Sqlite)
            .await
            .expect("sqlite"),
    )
    .await;
    an_office_signs_in_from_one_address_and_failures_there_are_limited_higher(
        spawn(crate::helpers::Backend::Sqlite)
            .await
            .expect("sqlite"),
    )
    .await;
}

#[tokio::test]
async fn postgres() {
    if let Some(app) = spawn(crate::helpers::Backend::Postgres).await {
        a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app).await;
    }
    if let Some(app) = spawn(crate::helpers::Backend::Postgres).await {
        failed_sign_ins_are_limited_per_account(app).await;
    }
    if let Some(app) = spawn(crate::helpers::Backend::Postgres).await {
        an_office_signs_in_from_one_address_and_failures_there_are_limited_higher(app).await;
    }
}
