//! Partners, administered by admins only.

use reqwest::StatusCode;
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};

fn partner_form(email: &str, company: &str) -> Value {
    json!({"email": email, "first_name": "Pat", "last_name": "Ner", "company": company, "password": PASSWORD, "country": "NL"})
}

async fn create(app: &TestApp, admin: &str, email: &str, company: &str) -> String {
    let reply = app
        .post("partners", Some(admin), partner_form(email, company))
        .await;
    reply.assert_status(StatusCode::CREATED);
    reply.body["id"].as_str().unwrap_or_default().to_owned()
}

both_backends! {
    async fn an_admin_creates_reads_edits_and_deletes_a_partner(app) {
        let admin = app.admin().await;
        let created = app.post("partners", Some(&admin), partner_form("p@example.com", "Appmakers")).await;
        created.assert_status(StatusCode::CREATED);
        let id = created.body["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(created.header("location"), Some(format!("/api/v1/partners/{id}").as_str()));
        assert_eq!(created.body["role"], "partner");
        assert_eq!(created.body["status"], "activated");
        assert!(created.body.get("password").is_none());
        assert!(created.header("etag").is_some());

        let read = app.get(&format!("partners/{id}"), &admin).await;
        read.assert_status(StatusCode::OK);
        assert_eq!(read.body["company"], "Appmakers");

        let edited = app.patch(&format!("partners/{id}"), &admin, json!({"company": "Appmakers BV", "phone": "+31 6 1234 5678"})).await;
        edited.assert_status(StatusCode::OK);
        assert_eq!(edited.body["company"], "Appmakers BV");
        assert_ne!(edited.header("etag"), read.header("etag"));

        app.delete(&format!("partners/{id}"), &admin).await.assert_status(StatusCode::NO_CONTENT);
        app.get(&format!("partners/{id}"), &admin).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.login("p@example.com", PASSWORD).await.assert_status(StatusCode::UNAUTHORIZED);
    }

    async fn a_new_partner_without_password_gets_a_set_password_email(app) {
        let admin = app.admin().await;
        let reply = app.post("partners", Some(&admin), json!({"email": "np@example.com", "first_name": "N", "last_name": "P", "company": "C"})).await;
        reply.assert_status(StatusCode::CREATED);
        let outbox = app.get("outbox?to=np@example.com", &admin).await;
        assert_eq!(outbox.body["total"], 1);
        assert!(outbox.body["items"][0]["subject"].as_str().unwrap_or_default().contains("password"));
        assert_eq!(outbox.body["items"][0]["status"], "logged");
    }

    async fn a_pending_partner_gets_an_activation_email(app) {
        let admin = app.admin().await;
        let mut form = partner_form("pend@example.com", "Pending Co");
        form["status"] = json!("pending_activation");
        app.post("partners", Some(&admin), form).await.assert_status(StatusCode::CREATED);
        let outbox = app.get("outbox?to=pend@example.com", &admin).await;
        assert!(outbox.body["items"][0]["subject"].as_str().unwrap_or_default().contains("Activate"));
        app.login("pend@example.com", PASSWORD).await.assert_problem(StatusCode::FORBIDDEN, "account_not_activated");
    }

    async fn a_partner_email_must_be_unique_across_all_accounts(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Activated, "cust@example.com", None).await;
        app.post("partners", Some(&admin), partner_form("CUST@example.com", "X")).await.assert_problem(StatusCode::CONFLICT, "email_taken");
        let id = create(&app, &admin, "p2@example.com", "Y").await;
        app.patch(&format!("partners/{id}"), &admin, json!({"email": "cust@example.com"})).await.assert_problem(StatusCode::CONFLICT, "email_taken");
    }

    async fn partner_fields_are_validated(app) {
        let admin = app.admin().await;
        let reply = app.post("partners", Some(&admin), json!({"email": "x", "first_name": "", "last_name": "L", "company": "C", "country": "Netherlands", "phone": "abc"})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["country", "email", "first_name", "first_name", "phone"]);
        let missing = app.post("partners", Some(&admin), json!({"email": "x@example.com"})).await;
        missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }

    async fn the_partner_list_filters_sorts_and_pages(app) {
        let admin = app.admin().await;
        for (email, company) in [("a@example.com", "Alpha Apps"), ("b@example.com", "Beta Mobile"), ("c@example.com", "Gamma Apps")] {
            create(&app, &admin, email, company).await;
        }
        let id = create(&app, &admin, "d@example.com", "Delta 100% Apps").await;
        app.patch(&format!("partners/{id}"), &admin, json!({"status": "locked"})).await.assert_status(StatusCode::OK);

        let apps = app.get("partners?q=APPS&sort=email", &admin).await;
        apps.assert_status(StatusCode::OK);
        let emails: Vec<&str> = apps.body["items"].as_array().into_iter().flatten().filter_map(|p| p["email"].as_str()).collect();
        assert_eq!(emails, ["a@example.com", "c@example.com", "d@example.com"]);
        assert_eq!(apps.body["total"], 3);

        let percent = app.get("partners?q=100%25", &admin).await;
        assert_eq!(percent.body["total"], 1, "% in a search matches itself");

        let locked = app.get("partners?status=locked", &admin).await;
        assert_eq!(locked.body["total"], 1);
        assert_eq!(locked.body["items"][0]["email"], "d@example.com");

        let page2 = app.get("partners?per_page=3&page=2&sort=-email", &admin).await;
        assert_eq!(page2.body["total"], 4);
        assert_eq!(page2.body["page"], 2);
        assert_eq!(page2.body["per_page"], 3);
        assert_eq!(page2.body["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(page2.body["items"][0]["email"], "a@example.com");

        app.get("partners?per_page=101", &admin).await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        app.get("partners?status=sleeping", &admin).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
    }

    async fn a_stale_if_match_gets_412_and_changes_nothing(app) {
        let admin = app.admin().await;
        let id = create(&app, &admin, "e@example.com", "Etag Co").await;
        let read = app.get(&format!("partners/{id}"), &admin).await;
        let etag = read.header("etag").unwrap_or_default().to_owned();
        app.patch(&format!("partners/{id}"), &admin, json!({"company": "First"})).await.assert_status(StatusCode::OK);

        let stale = app.client.patch(app.url(&format!("partners/{id}"))).bearer_auth(&admin)
            .header("If-Match", &etag).json(&json!({"company": "Second"})).send().await.expect("sent");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(app.get(&format!("partners/{id}"), &admin).await.body["company"], "First");

        let fresh_etag = app.get(&format!("partners/{id}"), &admin).await.header("etag").unwrap_or_default().to_owned();
        let fresh = app.client.patch(app.url(&format!("partners/{id}"))).bearer_auth(&admin)
            .header("If-Match", &fresh_etag).json(&json!({"company": "Second"})).send().await.expect("sent");
        assert_eq!(fresh.status(), StatusCode::OK);
    }

    async fn locking_a_partner_signs_it_out_at_once(app) {
        let admin = app.admin().await;
        let id = create(&app, &admin, "lockme@example.com", "Lock Co").await;
        let session = app.login("lockme@example.com", PASSWORD).await;
        let access = session.body["access_token"].as_str().unwrap_or_default().to_owned();
        let api_token = app.post("me/tokens", Some(&access), json!({"name": "t", "scope": "read"})).await.body["secret"].as_str().unwrap_or_default().to_owned();

        let locked = app.patch(&format!("partners/{id}"), &admin, json!({"status": "locked"})).await;
        locked.assert_status(StatusCode::OK);
        assert_eq!(locked.body["status"], "locked");

        app.get("me", &access).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.get("me", &api_token).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.post("auth/refresh", None, json!({"refresh_token": session.body["refresh_token"]})).await.assert_status(StatusCode::UNAUTHORIZED);
        app.login("lockme@example.com", PASSWORD).await.assert_problem(StatusCode::FORBIDDEN, "account_locked");

        app.patch(&format!("partners/{id}"), &admin, json!({"status": "activated"})).await.assert_status(StatusCode::OK);
        app.login("lockme@example.com", PASSWORD).await.assert_status(StatusCode::OK);
    }

    async fn a_partner_with_customers_cannot_be_deleted(app) {
        let admin = app.admin().await;
        let id = create(&app, &admin, "busy@example.com", "Busy Co").await;
        app.create_account(Role::Customer, AccountStatus::Activated, "theirs@example.com", id.parse().ok()).await;
        app.delete(&format!("partners/{id}"), &admin).await.assert_problem(StatusCode::CONFLICT, "partner_has_customers");
        app.get(&format!("partners/{id}"), &admin).await.assert_status(StatusCode::OK);
    }

    async fn ids_that_are_not_partners_are_404(app) {
        let admin = app.admin().await;
        let customer = app.create_account(Role::Customer, AccountStatus::Activated, "c@example.com", None).await;
        for path in [format!("partners/{customer}"), "partners/999999".into(), "partners/not-a-number".into(), "partners/-1".into()] {
            app.get(&path, &admin).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            app.patch(&path, &admin, json!({"company": "X"})).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            app.delete(&path, &admin).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        }
    }

    async fn partners_and_customers_cannot_use_the_partner_endpoints(app) {
        let admin = app.admin().await;
        let id = create(&app, &admin, "target@example.com", "Target").await;
        let (partner_id, partner) = app.partner("other@example.com").await;
        app.create_account(Role::Customer, AccountStatus::Activated, "cust@example.com", Some(partner_id)).await;
        let customer = app.token_for("cust@example.com").await;
        for token in [&partner, &customer] {
            app.get("partners", token).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
            app.post("partners", Some(token), partner_form("new@example.com", "N")).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
            app.get(&format!("partners/{id}"), token).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
            app.patch(&format!("partners/{id}"), token, json!({"status": "locked"})).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
            app.delete(&format!("partners/{id}"), token).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
            app.get("outbox", token).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
        }
        assert_eq!(app.get(&format!("partners/{id}"), &admin).await.body["status"], "activated");
    }
}
