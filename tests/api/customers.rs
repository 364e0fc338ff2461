//! Customers, as the partner's article describes them, and "log in as".

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};

fn customer_form(email: &str, status: &str) -> Value {
    json!({"email": email, "first_name": "Cas", "last_name": "Tomer", "company": "Shop BV", "status": status, "password": PASSWORD, "country": "NL"})
}

async fn create(app: &TestApp, token: &str, email: &str, status: &str) -> String {
    let reply = app
        .post("customers", Some(token), customer_form(email, status))
        .await;
    reply.assert_status(StatusCode::CREATED);
    reply.body["id"].as_str().unwrap_or_default().to_owned()
}

fn emails(reply: &crate::helpers::Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["email"].as_str().map(str::to_owned))
        .collect()
}

/// Moves an account's creation time, to test the date filters.
async fn set_created_at(app: &TestApp, email: &str, at: &str) {
    let db = app.db.clone();
    let sql = format!("UPDATE accounts SET created_at = '{at}' WHERE email = '{email}'");
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = db.get().expect("connection");
        diesel::sql_query(sql).execute(&mut *conn).expect("update");
    })
    .await
    .expect("blocking");
}

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap_or_default())
        .unwrap_or(Value::Null)
}

/// A partner, one of its activated customers, and a "log in as" session: (partner id, partner token,
/// customer id, the exchange reply).
pub(crate) async fn impersonation(
    app: &TestApp,
    read_only: bool,
) -> (i64, String, String, crate::helpers::Reply) {
    let (partner_id, partner) = app.partner("agency@example.com").await;
    let customer = create(app, &partner, "shop@example.com", "activated").await;
    let code = app
        .post(
            &format!("customers/{customer}/impersonate"),
            Some(&partner),
            json!({"read_only": read_only}),
        )
        .await;
    code.assert_status(StatusCode::CREATED);
    assert_eq!(code.body["expires_in"], 60);
    assert!(code.body["url"]
        .as_str()
        .unwrap_or_default()
        .starts_with("/impersonate?code="));
    let session = app
        .post(
            "auth/impersonation/exchange",
            None,
            json!({"code": code.body["code"]}),
        )
        .await;
    (partner_id, partner, customer, session)
}

both_backends! {
    async fn a_partner_adds_reads_edits_and_deletes_its_customer(app) {
        let (partner_id, partner) = app.partner("agency@example.com").await;
        let created = app.post("customers", Some(&partner), customer_form("Owner@Shop.example", "activated")).await;
        created.assert_status(StatusCode::CREATED);
        let id = created.body["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(created.body["email"], "owner@shop.example");
        assert_eq!(created.body["role"], "customer");
        assert_eq!(created.body["partner_id"], partner_id.to_string());
        assert_eq!(created.header("location"), Some(format!("/api/v1/customers/{id}").as_str()));
        app.login("owner@shop.example", PASSWORD).await.assert_status(StatusCode::OK);

        let read = app.get(&format!("customers/{id}"), &partner).await;
        read.assert_status(StatusCode::OK);
        let edited = app.patch(&format!("customers/{id}"), &partner, json!({"last_name": "Smith", "company": null, "phone": "+31 6 1234 5678"})).await;
        edited.assert_status(StatusCode::OK);
        assert_eq!(edited.body["last_name"], "Smith");
        assert_eq!(edited.body["company"], Value::Null);

        app.delete(&format!("customers/{id}"), &partner).await.assert_status(StatusCode::NO_CONTENT);
        app.get(&format!("customers/{id}"), &partner).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.login("owner@shop.example", PASSWORD).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }

    async fn a_new_customer_follows_its_status(app) {
        let admin = app.admin().await;
        let (_, partner) = app.partner("agency@example.com").await;
        for (email, status) in [("p@example.com", "pending_activation"), ("a@example.com", "activated"), ("l@example.com", "locked")] {
            let mut form = customer_form(email, status);
            form.as_object_mut().map(|f| f.remove("password"));
            app.post("customers", Some(&partner), form).await.assert_status(StatusCode::CREATED);
        }
        let subject = |to: &str| {
            let app = &app;
            let admin = admin.clone();
            let to = to.to_owned();
            async move { app.get(&format!("outbox?to={to}"), &admin).await.body["items"][0]["subject"].as_str().unwrap_or_default().to_owned() }
        };
        assert!(subject("p@example.com").await.contains("Activate"), "pending: must activate first");
        assert!(subject("a@example.com").await.contains("password"), "activated: sets a password and goes");
        assert_eq!(subject("l@example.com").await, "", "locked: no email");
    }

    async fn customer_fields_follow_the_rules(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        let reply = app.post("customers", Some(&partner), json!({"email": "not-an-email", "first_name": "", "last_name": "X", "status": "activated", "country": "Holland"})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["country", "email", "first_name", "first_name"]);
        let no_status = app.post("customers", Some(&partner), json!({"email": "x@example.com", "first_name": "A", "last_name": "B"})).await;
        no_status.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(no_status.error_fields(), ["status"]);
        create(&app, &partner, "taken@example.com", "activated").await;
        app.post("customers", Some(&partner), customer_form("TAKEN@example.com", "activated")).await.assert_problem(StatusCode::CONFLICT, "email_taken");
    }

    async fn the_customer_list_filters_by_customer_status_and_date(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        let mut form = customer_form("anna@flowers.example", "activated");
        form["first_name"] = json!("Anna");
        form["company"] = json!("Flower Power");
        app.post("customers", Some(&partner), form).await.assert_status(StatusCode::CREATED);
        create(&app, &partner, "bob@bikes.example", "pending_activation").await;
        create(&app, &partner, "carl@cars.example", "locked").await;
        set_created_at(&app, "anna@flowers.example", "2026-01-15 23:59:59").await;
        set_created_at(&app, "bob@bikes.example", "2026-01-16 00:00:00").await;
        set_created_at(&app, "carl@cars.example", "2026-02-01 12:00:00").await;

        assert_eq!(emails(&app.get("customers?q=FLOWER", &partner).await), ["anna@flowers.example"], "company, any case");
        assert_eq!(emails(&app.get("customers?q=anna", &partner).await), ["anna@flowers.example"], "name");
        assert_eq!(emails(&app.get("customers?q=bikes.example", &partner).await), ["bob@bikes.example"], "email");
        assert_eq!(emails(&app.get("customers?status=locked", &partner).await), ["carl@cars.example"]);
        assert_eq!(emails(&app.get("customers?created_on=2026-01-16", &partner).await), ["bob@bikes.example"], "exact day, its first second");
        assert_eq!(emails(&app.get("customers?created_on=2026-01-15", &partner).await), ["anna@flowers.example"], "exact day, its last second");
        assert_eq!(emails(&app.get("customers?created_from=2026-01-16&created_to=2026-02-01&sort=created_at", &partner).await), ["bob@bikes.example", "carl@cars.example"]);
        assert_eq!(emails(&app.get("customers?sort=-email", &partner).await), ["carl@cars.example", "bob@bikes.example", "anna@flowers.example"]);
        assert_eq!(emails(&app.get("customers?sort=name&per_page=1&page=2", &partner).await).len(), 1);
        app.get("customers?created_on=16-01-2026", &partner).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
    }

    async fn sorting_by_name_follows_the_name_shown_whatever_its_case(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        for (email, first, last, company) in [
            ("z@example.com", "Ann", "Aa", "zeta Shop"),
            ("a@example.com", "Zed", "Zz", "Alpha"),
            ("b@example.com", "bob", "Builder", ""),
            ("c@example.com", "Carl", "anders", ""),
        ] {
            let mut form = customer_form(email, "activated");
            form["first_name"] = json!(first);
            form["last_name"] = json!(last);
            form["company"] = json!(company);
            app.post("customers", Some(&partner), form).await.assert_status(StatusCode::CREATED);
        }
        let ascending = ["a@example.com", "b@example.com", "c@example.com", "z@example.com"];
        assert_eq!(emails(&app.get("customers?sort=name", &partner).await), ascending, "Alpha, bob Builder, Carl anders, zeta Shop");
        let descending: Vec<_> = ascending.iter().rev().copied().collect();
        assert_eq!(emails(&app.get("customers?sort=-name", &partner).await), descending);
    }

    async fn the_customer_list_pages_by_keyset_at_any_depth(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        for n in 0..5 {
            create(&app, &partner, &format!("c{n}@example.com"), "activated").await;
        }
        let mut seen = Vec::new();
        let mut page = app.get("customers?per_page=2", &partner).await;
        loop {
            assert_eq!(page.body["total"], 5);
            seen.extend(emails(&page));
            let Some(cursor) = page.body["next_cursor"].as_str().map(str::to_owned) else { break };
            page = app.get(&format!("customers?per_page=2&cursor={cursor}"), &partner).await;
        }
        assert_eq!(seen, ["c4@example.com", "c3@example.com", "c2@example.com", "c1@example.com", "c0@example.com"]);
        let first = app.get("customers?per_page=2", &partner).await;
        let cursor = first.body["next_cursor"].as_str().unwrap_or_default().to_owned();
        let cursor_wins = app.get(&format!("customers?per_page=2&sort=email&cursor={cursor}"), &partner).await;
        assert_eq!(emails(&cursor_wins), ["c2@example.com", "c1@example.com"], "a cursor pages newest first whatever `sort` says");
        let by_email = app.get("customers?per_page=2&sort=email", &partner).await;
        assert!(by_email.body.get("next_cursor").is_none(), "other sorts page by `page`");
        for foreign in ["garbage", "9182847226241325269.627004", "42"] {
            let refused = app.get(&format!("customers?cursor={foreign}"), &partner).await;
            refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(refused.error_fields(), ["cursor"]);
        }
    }

    async fn an_admin_sees_every_customer_and_may_choose_the_partner(app) {
        let admin = app.admin().await;
        let (a_id, a) = app.partner("a@agency.example").await;
        let (b_id, _) = app.partner("b@agency.example").await;
        create(&app, &a, "ca@example.com", "activated").await;
        let mut form = customer_form("cb@example.com", "activated");
        form["partner_id"] = json!(b_id.to_string());
        let made = app.post("customers", Some(&admin), form).await;
        made.assert_status(StatusCode::CREATED);
        assert_eq!(made.body["partner_id"], b_id.to_string());
        assert_eq!(app.get("customers", &admin).await.body["total"], 2);
        assert_eq!(emails(&app.get(&format!("customers?partner_id={a_id}"), &admin).await), ["ca@example.com"]);
        let mut bad = customer_form("cc@example.com", "activated");
        bad["partner_id"] = json!(a_id.to_string());
        bad["partner_id"] = json!(made.body["id"]);
        let refused = app.post("customers", Some(&admin), bad).await;
        refused.assert_problem(StatusCode::NOT_FOUND, "partner_not_found");
    }

    async fn another_partners_customer_is_404_everywhere(app) {
        let (_, a) = app.partner("a@agency.example").await;
        let (_, b) = app.partner("b@agency.example").await;
        let id = create(&app, &a, "theirs@example.com", "activated").await;
        let path = format!("customers/{id}");
        app.get(&path, &b).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.patch(&path, &b, json!({"status": "locked"})).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.delete(&path, &b).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.post(&format!("{path}/impersonate"), Some(&b), json!({})).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(app.get("customers", &b).await.body["total"], 0);
        assert_eq!(app.get(&path, &a).await.body["status"], "activated", "nothing changed");
    }

    async fn a_customer_cannot_use_the_customers_endpoints(app) {
        let (partner_id, partner) = app.partner("a@agency.example").await;
        let id = create(&app, &partner, "me@example.com", "activated").await;
        app.create_account(Role::Customer, AccountStatus::Activated, "other@example.com", Some(partner_id)).await;
        let customer = app.token_for("other@example.com").await;
        let path = format!("customers/{id}");
        app.get("customers", &customer).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
        app.post("customers", Some(&customer), customer_form("n@example.com", "activated")).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
        app.get(&path, &customer).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
        app.patch(&path, &customer, json!({"status": "locked"})).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
        app.delete(&path, &customer).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
        app.post(&format!("{path}/impersonate"), Some(&customer), json!({})).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
    }

    async fn a_stale_edit_of_a_customer_is_412(app) {
        let (_, partner) = app.partner("a@agency.example").await;
        let id = create(&app, &partner, "c@example.com", "activated").await;
        let etag = app.get(&format!("customers/{id}"), &partner).await.header("etag").unwrap_or_default().to_owned();
        app.patch(&format!("customers/{id}"), &partner, json!({"first_name": "New"})).await.assert_status(StatusCode::OK);
        let stale = app.client.patch(app.url(&format!("customers/{id}"))).bearer_auth(&partner)
            .header("If-Match", etag).json(&json!({"first_name": "Old"})).send().await.expect("sent");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    }

    async fn locking_a_customer_signs_it_out_and_unlocking_lets_it_back(app) {
        let (_, partner) = app.partner("a@agency.example").await;
        let id = create(&app, &partner, "c@example.com", "activated").await;
        let session = app.login("c@example.com", PASSWORD).await;
        let access = session.body["access_token"].as_str().unwrap_or_default().to_owned();
        app.patch(&format!("customers/{id}"), &partner, json!({"status": "locked"})).await.assert_status(StatusCode::OK);
        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        // Also where the request fails before its handler reads anything.
        app.post("me/password", Some(&access), json!({"current_password": "", "new_password": "x"}))
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await.assert_status(StatusCode::UNAUTHORIZED);
        app.login("c@example.com", PASSWORD).await.assert_problem(StatusCode::FORBIDDEN, "account_locked");
        let events = app.get(&format!("audit-events?subject_id={id}&action=customer.lock"), &partner).await;
        assert_eq!(events.body["total"], 1);
        app.patch(&format!("customers/{id}"), &partner, json!({"status": "activated"})).await.assert_status(StatusCode::OK);
        app.login("c@example.com", PASSWORD).await.assert_status(StatusCode::OK);
    }

    async fn log_in_as_gives_a_session_as_the_customer_naming_the_partner(app) {
        let (partner_id, _, customer, session) = impersonation(&app, false).await;
        session.assert_status(StatusCode::OK);
        let access = session.body["access_token"].as_str().unwrap_or_default().to_owned();
        let claims = jwt_claims(&access);
        assert_eq!(claims["sub"], customer.as_str());
        assert_eq!(claims["act"]["sub"], partner_id.to_string());
        let me = app.get("me", &access).await;
        assert_eq!(me.body["email"], "shop@example.com");
        assert_eq!(me.body["impersonated_by"], partner_id.to_string());
        assert_eq!(me.body["impersonated_by_email"], "agency@example.com");

        // A write during it is audited with both accounts.
        app.patch("me", &access, json!({"first_name": "Changed"})).await.assert_status(StatusCode::OK);
        let events = app.get("audit-events?action=account.update", &access).await;
        assert_eq!(events.body["items"][0]["actor_id"], customer.as_str());
        assert_eq!(events.body["items"][0]["impersonator_id"], partner_id.to_string());
        assert_eq!(events.body["items"][0]["impersonator_email"], "agency@example.com", "the customer sees who acted as them");
        assert!(events.body["items"][0]["impersonator_name"].as_str().is_some_and(|n| !n.is_empty()));

        // Never past an hour, even when refreshed.
        let now = api::clock::system_time().timestamp();
        let refreshed = app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await;
        refreshed.assert_status(StatusCode::OK);
        let again = jwt_claims(refreshed.body["access_token"].as_str().unwrap_or_default());
        assert_eq!(again["act"]["sub"], partner_id.to_string(), "the actor survives a refresh");
        assert!(again["exp"].as_i64().unwrap_or(i64::MAX) <= now + 3600 + 5);

        // The partner cannot change the customer's password on its behalf.
        app.post("me/password", Some(&access), json!({"current_password": PASSWORD, "new_password": "another pass 12"})).await
            .assert_problem(StatusCode::FORBIDDEN, "not_while_impersonating");
        // Nor give itself an API token that would outlive the hour.
        app.post("me/tokens", Some(&access), json!({"name": "backdoor", "scope": "write"})).await
            .assert_problem(StatusCode::FORBIDDEN, "not_while_impersonating");
        assert_eq!(app.get("me/tokens", &access).await.body["items"], json!([]));
    }

    async fn ending_a_log_in_as_session_leaves_the_partners_browser_session_alone(app) {
        let (_, _, _, session) = impersonation(&app, false).await;
        session.assert_status(StatusCode::OK);
        let login = app.post("auth/login", None, json!({"email": "agency@example.com", "password": PASSWORD, "use_cookie": true})).await;
        let partner_cookie = login.header("set-cookie").unwrap_or_default().split(';').next().unwrap_or_default().to_owned();
        assert!(partner_cookie.starts_with("bo_refresh="), "{partner_cookie}");

        // The "log in as" tab signs out with its own token; the browser sends the partner's cookie along.
        let out = app.client.post(app.url("auth/logout")).header("cookie", partner_cookie.clone())
            .json(&json!({"refresh_token": session.body["refresh_token"]})).send().await.expect("sent");
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        assert!(out.headers().get("set-cookie").is_none(), "the partner's cookie is not cleared");

        app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        let partner = app.client.post(app.url("auth/refresh")).header("cookie", partner_cookie).json(&json!({})).send().await.expect("sent");
        let partner = crate::helpers::Reply::from(partner).await;
        partner.assert_status(StatusCode::OK);
        let me = app.get("me", partner.body["access_token"].as_str().unwrap_or_default()).await;
        assert_eq!(me.body["email"], "agency@example.com", "still the partner's own session");
    }

    async fn a_log_in_as_code_works_once(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        let customer = create(&app, &partner, "shop@example.com", "activated").await;
        let code = app.post(&format!("customers/{customer}/impersonate"), Some(&partner), json!({})).await;
        app.post("auth/impersonation/exchange", None, json!({"code": code.body["code"]})).await.assert_status(StatusCode::OK);
        app.post("auth/impersonation/exchange", None, json!({"code": code.body["code"]})).await.assert_problem(StatusCode::NOT_FOUND, "invalid_link");
        app.post("auth/impersonation/exchange", None, json!({"code": "made-up"})).await.assert_problem(StatusCode::NOT_FOUND, "invalid_link");
        // Nor is a code an activation link, or the other way round.
        app.post("auth/activate", None, json!({"token": code.body["code"], "password": PASSWORD})).await.assert_problem(StatusCode::NOT_FOUND, "invalid_link");
    }

    async fn a_read_only_log_in_as_may_only_read(app) {
        let (_, _, _, session) = impersonation(&app, true).await;
        let access = session.body["access_token"].as_str().unwrap_or_default().to_owned();
        let me = app.get("me", &access).await;
        me.assert_status(StatusCode::OK);
        assert_eq!(me.body["read_only"], true, "the SPA shows the session as read-only");
        app.patch("me", &access, json!({"first_name": "Nope"})).await.assert_problem(StatusCode::FORBIDDEN, "read_only_impersonation");
        app.post("me/tokens", Some(&access), json!({"name": "x", "scope": "read"})).await.assert_problem(StatusCode::FORBIDDEN, "read_only_impersonation");
        let refreshed = app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await;
        let access = refreshed.body["access_token"].as_str().unwrap_or_default().to_owned();
        app.patch("me", &access, json!({"first_name": "Nope"})).await.assert_problem(StatusCode::FORBIDDEN, "read_only_impersonation");
    }

    async fn pending_and_locked_customers_cannot_be_opened(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        for status in ["pending_activation", "locked"] {
            let id = create(&app, &partner, &format!("{status}@example.com"), status).await;
            app.post(&format!("customers/{id}/impersonate"), Some(&partner), json!({})).await
                .assert_problem(StatusCode::CONFLICT, "customer_not_activated");
        }
    }

    async fn a_code_dies_with_the_customers_lock(app) {
        let (_, partner) = app.partner("agency@example.com").await;
        let id = create(&app, &partner, "shop@example.com", "activated").await;
        let code = app.post(&format!("customers/{id}/impersonate"), Some(&partner), json!({})).await;
        app.patch(&format!("customers/{id}"), &partner, json!({"status": "locked"})).await.assert_status(StatusCode::OK);
        app.post("auth/impersonation/exchange", None, json!({"code": code.body["code"]})).await
            .assert_problem(StatusCode::CONFLICT, "customer_not_activated");
    }

    async fn an_admin_can_open_any_activated_customer(app) {
        let admin = app.admin().await;
        let (_, partner) = app.partner("agency@example.com").await;
        let id = create(&app, &partner, "shop@example.com", "activated").await;
        let code = app.post(&format!("customers/{id}/impersonate"), Some(&admin), json!({})).await;
        code.assert_status(StatusCode::CREATED);
        app.post("auth/impersonation/exchange", None, json!({"code": code.body["code"]})).await.assert_status(StatusCode::OK);
    }
}
