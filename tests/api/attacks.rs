//! The holes two black-box probes found (issue "Holes a careful attacker finds"), each shut and
//! kept shut: every test here failed before its fix.

use reqwest::StatusCode;
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::customers::impersonation;
use crate::helpers::{TestApp, PASSWORD};

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// A personal API token of `access`'s account.
async fn api_token(app: &TestApp, access: &str) -> String {
    let made = app
        .post(
            "me/tokens",
            Some(access),
            json!({"name": "sync", "scope": "write"}),
        )
        .await;
    made.assert_status(StatusCode::CREATED);
    text(&made.body["secret"])
}

/// Asks for a reset link for `email` and answers it with `new_password`.
async fn reset_password(app: &TestApp, admin: &str, email: &str, new_password: &str, extra: Value) {
    app.post("auth/password-reset", None, json!({"email": email}))
        .await
        .assert_status(StatusCode::ACCEPTED);
    let token = app.link_token_sent_to(admin, email).await;
    let mut body = json!({"token": token, "new_password": new_password});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.post("auth/password-reset/confirm", None, body)
        .await
        .assert_status(StatusCode::NO_CONTENT);
}

both_backends! {
    async fn a_locked_partners_log_in_as_session_ends_at_once_and_never_renews(app) {
        let admin = app.admin().await;
        let (partner_id, _, _, session) = impersonation(&app, false).await;
        session.assert_status(StatusCode::OK);
        let access = text(&session.body["access_token"]);
        app.get("me", &access).await.assert_status(StatusCode::OK);

        app.patch(&format!("partners/{partner_id}"), &admin, json!({"status": "locked"})).await.assert_status(StatusCode::OK);
        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.post("apps", Some(&access), json!({"name": "Shop", "kind": "standalone", "edition": "basic"})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");

        // Unlocking the partner brings none of it back.
        app.patch(&format!("partners/{partner_id}"), &admin, json!({"status": "activated"})).await.assert_status(StatusCode::OK);
        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await
            .assert_status(StatusCode::UNAUTHORIZED);
    }

    async fn signing_out_ends_the_sessions_access_token_at_once(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "out@example.com", None).await;
        let login = app.login("out@example.com", PASSWORD).await;
        let access = text(&login.body["access_token"]);
        let other = app.token_for("out@example.com").await;
        app.get("me", &access).await.assert_status(StatusCode::OK);
        app.post("auth/logout", None, json!({"refresh_token": login.body["refresh_token"]})).await.assert_status(StatusCode::NO_CONTENT);
        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        // The account's other session goes on.
        app.get("me", &other).await.assert_status(StatusCode::OK);
    }

    async fn a_password_reset_ends_every_session_and_revokes_the_api_tokens(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Activated, "victim@example.com", None).await;
        let access = app.token_for("victim@example.com").await;
        let token = api_token(&app, &access).await;
        app.get("me", &token).await.assert_status(StatusCode::OK);

        reset_password(&app, &admin, "victim@example.com", "a fresh secret 42", json!({})).await;
        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.get("me", &token).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");

        // Untick the box and the integrations keep their tokens (the sessions still end).
        let fresh = app.login("victim@example.com", "a fresh secret 42").await;
        let access = text(&fresh.body["access_token"]);
        let kept = api_token(&app, &access).await;
        reset_password(&app, &admin, "victim@example.com", "another secret 42", json!({"revoke_api_tokens": false})).await;
        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.get("me", &kept).await.assert_status(StatusCode::OK);
    }

    async fn tokens_refused_while_an_account_was_locked_stay_dead_after_unlocking(app) {
        let admin = app.admin().await;
        let (partner_id, partner) = app.partner("agency@example.com").await;
        app.patch(&format!("partners/{partner_id}"), &admin, json!({"status": "locked"})).await.assert_status(StatusCode::OK);
        app.get("me", &partner).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.patch(&format!("partners/{partner_id}"), &admin, json!({"status": "activated"})).await.assert_status(StatusCode::OK);
        app.get("me", &partner).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.login("agency@example.com", PASSWORD).await.assert_status(StatusCode::OK);
    }

    async fn a_sign_up_with_someone_elses_email_never_sets_their_password(app) {
        let admin = app.admin().await;
        // The attacker signs up first, with a password of its choosing.
        let attack = json!({"email": "victim@example.com", "password": "attacker pass 1", "first_name": "Vic", "last_name": "Tim"});
        app.post("auth/register", None, attack.clone()).await.assert_status(StatusCode::ACCEPTED);
        app.post("auth/register", None, attack).await.assert_status(StatusCode::ACCEPTED);
        // The victim opens the (newest) link and chooses a password there.
        let token = app.link_token_sent_to(&admin, "victim@example.com").await;
        app.post("auth/activate", None, json!({"token": token, "password": "victims own 42"})).await.assert_status(StatusCode::OK);
        app.login("victim@example.com", "attacker pass 1").await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
        app.login("victim@example.com", "victims own 42").await.assert_status(StatusCode::OK);
    }

    async fn names_that_carry_lines_direction_overrides_or_links_are_refused(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        for name in ["URGENT - verify at https://evil.example/login", "Jane\r\nBcc: all@example.com", "Jane\u{202E}moc.live", "www.evil.example"] {
            let reply = app.post("auth/register", None, json!({"email": "x@example.com", "first_name": name, "last_name": "Doe"})).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(reply.error_fields(), ["first_name"], "{name:?}: {:?}", reply.body);
            let reply = app.post("customers", Some(&partner), json!({"email": "y@example.com", "first_name": "Jo", "last_name": name, "status": "activated"})).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(reply.error_fields(), ["last_name"], "{name:?}");
        }
    }

    async fn emails_to_one_address_are_limited_whoever_asks(app) {
        let admin = app.admin().await;
        let body = json!({"email": "inbox@example.com", "first_name": "In", "last_name": "Box"});
        for _ in 0..api::state::ACCOUNT_MAILS_PER_HOUR {
            app.post("auth/register", None, body.clone()).await.assert_status(StatusCode::ACCEPTED);
        }
        app.post("auth/register", None, body).await.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        let sent = app.get("outbox?to=inbox@example.com", &admin).await;
        assert_eq!(sent.body["total"], api::state::ACCOUNT_MAILS_PER_HOUR);

        let (_, partner) = app.partner("agency@example.com").await;
        let made = app.post("customers", Some(&partner), json!({"email": "late@shop.example", "first_name": "Late",
            "last_name": "Comer", "status": "pending_activation"})).await;
        let id = text(&made.body["id"]);
        let resend = format!("customers/{id}/resend-activation");
        for _ in 0..api::state::ACCOUNT_MAILS_PER_HOUR {
            app.post(&resend, Some(&partner), json!({})).await.assert_status(StatusCode::ACCEPTED);
        }
        app.post(&resend, Some(&partner), json!({})).await.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    }

    async fn only_the_newest_reset_link_works(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Activated, "twice@example.com", None).await;
        app.post("auth/password-reset", None, json!({"email": "twice@example.com"})).await.assert_status(StatusCode::ACCEPTED);
        let older = app.link_token_sent_to(&admin, "twice@example.com").await;
        app.post("auth/password-reset", None, json!({"email": "twice@example.com"})).await.assert_status(StatusCode::ACCEPTED);
        app.post("auth/password-reset/confirm", None, json!({"token": older, "new_password": "older link pass 1"})).await
            .assert_problem(StatusCode::NOT_FOUND, "invalid_link");
    }

    async fn an_app_is_standard_only_by_its_subscription_or_an_administrators_grant(app) {
        let admin = app.admin().await;
        let (_, customer) = app.customer("shop@example.com", None).await;
        app.post("apps", Some(&customer), json!({"name": "Free ride", "kind": "standalone", "edition": "standard"})).await
            .assert_problem(StatusCode::CONFLICT, "edition_follows_plan");
        let basic = app.create_app(&customer, json!({"edition": "basic"})).await;
        let id = text(&basic["id"]);
        app.patch(&format!("apps/{id}"), &customer, json!({"edition": "standard"})).await
            .assert_problem(StatusCode::CONFLICT, "edition_follows_plan");
        // A subscription that is not paid (no trial, first invoice open) makes nothing Standard.
        let plan = app.post("plans", Some(&admin), json!({"name": "Standard", "edition": "standard", "interval": "month",
            "price": 4900, "currency": "EUR", "trial_days": 0})).await;
        plan.assert_status(StatusCode::CREATED);
        app.post(&format!("apps/{id}/subscription"), Some(&customer), json!({"plan_id": plan.body["id"]})).await
            .assert_status(StatusCode::CREATED);
        app.patch(&format!("apps/{id}"), &customer, json!({"edition": "standard"})).await
            .assert_problem(StatusCode::CONFLICT, "edition_follows_plan");
        assert_eq!(app.get(&format!("apps/{id}"), &customer).await.body["edition"], "basic");

        let other = app.create_app(&customer, json!({"name": "Granted"})).await;
        let other_id = text(&other["id"]);
        let granted = app.patch(&format!("apps/{other_id}"), &admin, json!({"edition": "standard"})).await;
        granted.assert_status(StatusCode::OK);
        assert_eq!(granted.body["edition"], "standard");
        let audit = app.get(&format!("audit-events?action=app.edition_grant&subject_id={other_id}"), &admin).await;
        assert_eq!(audit.body["total"], 1);
    }

    async fn a_partner_cannot_give_itself_or_its_customers_a_plan_for_free(app) {
        let admin = app.admin().await;
        let (partner, customer, app_id) = crate::billing::customer_app(&app, 1).await;
        let plan = crate::billing::plan(&app, &admin, json!({})).await;
        for coupon in [
            json!({"code": "EVILFREE", "percent_off": 100, "duration": "forever"}),
            json!({"code": "HALF", "percent_off": 50, "duration": "once"}),
            json!({"code": "BIGCUT", "amount_off": 4000, "currency": "EUR", "duration": "once", "plan_ids": [plan]}),
        ] {
            let field = if coupon.get("amount_off").is_some() { "amount_off" } else { "percent_off" };
            let refused = app.post("coupons", Some(&partner), coupon).await;
            refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(refused.error_fields(), [field]);
        }
        let unbounded = app.post("coupons", Some(&partner), json!({"code": "ANYPLAN", "amount_off": 100, "currency": "EUR", "duration": "once"})).await;
        assert_eq!(unbounded.error_fields(), ["plan_ids"]);
        app.post("coupons", Some(&partner), json!({"code": "FRIENDS", "percent_off": 20, "duration": "forever"})).await
            .assert_status(StatusCode::CREATED);
        // An administrator may give what it likes.
        app.post("coupons", Some(&admin), json!({"code": "EVILFREE", "percent_off": 100, "duration": "forever"})).await
            .assert_status(StatusCode::CREATED);
        let sub = crate::billing::subscribe(&app, &customer, &app_id, json!({"plan_id": plan, "coupon_code": "FRIENDS"})).await;
        sub.assert_status(StatusCode::CREATED);
        assert_eq!(sub.body["discount"]["percent_off"], 20);
    }

    async fn an_administrator_sets_how_much_each_partners_coupons_may_take_off(app) {
        let admin = app.admin().await;
        let (partner_id, partner) = app.partner("generous@agency.example").await;
        let (_, other) = app.partner("thrifty@agency.example").await;
        let thirty = |code: &str| json!({"code": code, "percent_off": 30, "duration": "once"});
        app.post("coupons", Some(&partner), thirty("THIRTY")).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        app.patch(&format!("partners/{partner_id}"), &partner, json!({"coupon_max_percent_off": 100})).await
            .assert_problem(StatusCode::FORBIDDEN, "admin_only");
        let set = app.patch(&format!("partners/{partner_id}"), &admin, json!({"coupon_max_percent_off": 35})).await;
        set.assert_status(StatusCode::OK);
        assert_eq!(set.body["coupon_max_percent_off"], 35);
        app.post("coupons", Some(&partner), thirty("THIRTY")).await.assert_status(StatusCode::CREATED);
        let over = app.post("coupons", Some(&partner), json!({"code": "FORTY", "percent_off": 40, "duration": "once"})).await;
        assert_eq!(over.error_fields(), ["percent_off"]);
        assert!(over.text.contains("at most 35 %"), "{}", over.text);
        app.post("coupons", Some(&other), thirty("THIRTY")).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Even at 100, free forever stays an administrator's; null goes back to the default.
        app.patch(&format!("partners/{partner_id}"), &admin, json!({"coupon_max_percent_off": 100})).await.assert_status(StatusCode::OK);
        let free = app.post("coupons", Some(&partner), json!({"code": "FREE", "percent_off": 100, "duration": "forever"})).await;
        assert_eq!(free.error_fields(), ["percent_off"]);
        let reset = app.patch(&format!("partners/{partner_id}"), &admin, json!({"coupon_max_percent_off": null})).await;
        assert!(reset.body.get("coupon_max_percent_off").is_none(), "{}", reset.text);
        app.patch(&format!("partners/{partner_id}"), &admin, json!({"coupon_max_percent_off": 101})).await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn coupon_codes_are_unique_per_issuer_so_no_partner_learns_or_squats_anothers(app) {
        let admin = app.admin().await;
        let (partner, customer, app_id) = crate::billing::customer_app(&app, 1).await;
        let (other, _, _) = crate::billing::customer_app(&app, 2).await;
        let plan = crate::billing::plan(&app, &admin, json!({})).await;
        for (issuer, code, off) in [(&admin, "SPRING", 10), (&partner, "spring", 15), (&other, "Spring", 5)] {
            app.post("coupons", Some(issuer), json!({"code": code, "percent_off": off, "duration": "forever"})).await
                .assert_status(StatusCode::CREATED);
        }
        for issuer in [&admin, &partner] {
            app.post("coupons", Some(issuer), json!({"code": "SPRING", "percent_off": 5, "duration": "once"})).await
                .assert_problem(StatusCode::CONFLICT, "coupon_code_taken");
        }
        // The customer's partner's coupon comes before the installation's; another partner's never.
        let sub = crate::billing::subscribe(&app, &customer, &app_id, json!({"plan_id": plan, "coupon_code": "SPRING"})).await;
        sub.assert_status(StatusCode::CREATED);
        assert_eq!(sub.body["discount"]["percent_off"], 15, "{}", sub.text);
    }

    async fn a_coupon_is_not_redeemed_twice_by_replacing_itself_nor_after_its_date(app) {
        let admin = app.admin().await;
        let (_, customer, app_id) = crate::billing::customer_app(&app, 1).await;
        let plan = crate::billing::plan(&app, &admin, json!({})).await;
        app.post("coupons", Some(&admin), json!({"code": "TWICE", "percent_off": 10, "duration": "forever", "max_redemptions": 5})).await
            .assert_status(StatusCode::CREATED);
        let sub = crate::billing::subscribe(&app, &customer, &app_id, json!({"plan_id": plan, "coupon_code": "TWICE"})).await;
        let sub_id = text(&sub.body["id"]);
        app.post(&format!("subscriptions/{sub_id}/coupon"), Some(&customer), json!({"code": "TWICE", "replace": true})).await
            .assert_problem(StatusCode::CONFLICT, "coupon_already_applied");
        let coupons = app.get("coupons", &admin).await;
        assert_eq!(coupons.body["items"][0]["times_redeemed"], 1, "{}", coupons.text);

        // A redeem-by date in the past is refused when the coupon is made; one that passes later
        // stops the coupon.
        let past = (api::clock::now().and_utc() - chrono::Duration::days(1)).to_rfc3339();
        let made = app.post("coupons", Some(&admin), json!({"code": "LATE", "percent_off": 10, "duration": "once", "redeem_by": past})).await;
        assert_eq!(made.error_fields(), ["redeem_by"]);
        let soon = (api::clock::now().and_utc() + chrono::Duration::days(1)).to_rfc3339();
        app.post("coupons", Some(&admin), json!({"code": "SOON", "percent_off": 10, "duration": "once", "redeem_by": soon})).await
            .assert_status(StatusCode::CREATED);
        app.clock.advance(chrono::Duration::days(2));
        let late = app.post(&format!("subscriptions/{sub_id}/coupon"), Some(&customer), json!({"code": "SOON", "replace": true})).await;
        late.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "coupon_expired");
    }

    async fn answers_with_tokens_are_never_cached_and_nothing_is_sniffed(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "cache@example.com", None).await;
        let login = app.login("cache@example.com", PASSWORD).await;
        assert_eq!(login.header("cache-control"), Some("no-store"));
        assert_eq!(login.header("x-content-type-options"), Some("nosniff"));
        let access = text(&login.body["access_token"]);
        let made = app.post("me/tokens", Some(&access), json!({"name": "sync", "scope": "read"})).await;
        assert_eq!(made.header("cache-control"), Some("no-store"));
        assert_eq!(app.get("me", &access).await.header("cache-control"), Some("no-store"));
    }

    async fn a_body_that_nests_too_deeply_is_told_so_in_our_words(app) {
        let admin = app.admin().await;
        let deep = format!("{}{}", "[".repeat(400), "]".repeat(400));
        let reply = app.client.post(app.url("customers")).bearer_auth(&admin)
            .header("content-type", "application/json").body(format!("{{\"a\": {deep}}}")).send().await.expect("sent");
        let reply = crate::helpers::Reply::from(reply).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "malformed_body");
        let detail = text(&reply.body["detail"]);
        assert!(detail.contains("nests too deeply") && !detail.contains("line 1 column"), "{detail}");
    }

    async fn webhooks_go_to_web_ports_only_and_a_refusal_tells_nothing_of_the_network(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        let refused = |url: &'static str| {
            let app = &app;
            let partner = partner.clone();
            async move {
                let reply = app.post("webhook-endpoints", Some(&partner), json!({"url": url})).await;
                reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
                reply.body["errors"][0]["message"].as_str().unwrap_or_default().to_owned()
            }
        };
        let port_22 = refused("https://93.184.215.14:22/hook").await;
        let private = refused("https://10.0.0.8/hook").await;
        let unknown = refused("https://no-such-host.invalid/hook").await;
        assert_eq!(port_22, private);
        assert_eq!(private, unknown, "an unknown name and a private address read the same");
        app.post("webhook-endpoints", Some(&partner), json!({"url": "http://127.0.0.1:8081/hook"})).await
            .assert_status(StatusCode::CREATED);
    }
}

mod metrics {
    use super::*;

    async fn metrics_need_their_token_when_one_is_set(backend: crate::helpers::Backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.metrics_token = Some("scrape-secret-1".into())
        })
        .await
        else {
            return;
        };
        let url = app.address.clone() + "/metrics";
        let anonymous = app.client.get(&url).send().await.expect("sent");
        assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
        let wrong = app
            .client
            .get(&url)
            .bearer_auth("guess")
            .send()
            .await
            .expect("sent");
        assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
        let scraper = app
            .client
            .get(&url)
            .bearer_auth("scrape-secret-1")
            .send()
            .await
            .expect("sent");
        assert_eq!(scraper.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn sqlite() {
        metrics_need_their_token_when_one_is_set(crate::helpers::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        metrics_need_their_token_when_one_is_set(crate::helpers::Backend::Postgres).await;
    }
}
