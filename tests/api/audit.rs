//! The audit log: every mutation, readable by the right people only.

use reqwest::StatusCode;
use serde_json::json;
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::PASSWORD;

both_backends! {
    async fn a_mutation_is_recorded_with_its_actor_subject_and_ip(app) {
        let admin = app.admin().await;
        let created = app.post("partners", Some(&admin), json!({"email": "p@example.com", "first_name": "P", "last_name": "Q", "company": "C", "password": PASSWORD})).await;
        let id = created.body["id"].as_str().unwrap_or_default().to_owned();
        app.patch(&format!("partners/{id}"), &admin, json!({"status": "locked"})).await.assert_status(StatusCode::OK);

        let events = app.get(&format!("audit-events?subject_id={id}"), &admin).await;
        events.assert_status(StatusCode::OK);
        let actions: Vec<&str> = events.body["items"].as_array().into_iter().flatten().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, ["partner.lock", "partner.create"], "newest first");
        let me = app.get("me", &admin).await;
        assert_eq!(events.body["items"][0]["actor_id"], me.body["id"]);
        assert_eq!(events.body["items"][0]["actor_email"], me.body["email"]);
        assert_eq!(events.body["items"][0]["subject_type"], "partner");
        assert_eq!(events.body["items"][0]["ip"], "127.0.0.1");
    }

    async fn events_name_their_subject_as_it_was_and_their_actor(app) {
        let admin = app.admin().await;
        let created = app.post("partners", Some(&admin), json!({"email": "n@example.com", "first_name": "Nora", "last_name": "Newman", "company": "Northwind Apps", "password": PASSWORD})).await;
        let id = created.body["id"].as_str().unwrap_or_default().to_owned();
        let renamed = app.patch(&format!("partners/{id}"), &admin, json!({"company": "Northwind Mobile"})).await;
        renamed.assert_status(StatusCode::OK);
        app.delete(&format!("partners/{id}"), &admin).await.assert_status(StatusCode::NO_CONTENT);

        let events = app.get(&format!("audit-events?subject_id={id}&subject_type=partner"), &admin).await;
        let seen: Vec<(&str, &str)> = events.body["items"].as_array().into_iter().flatten()
            .map(|e| (e["action"].as_str().unwrap_or_default(), e["subject_name"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(seen, [
            ("partner.delete", "Northwind Mobile"),
            ("partner.update", "Northwind Mobile"),
            ("partner.create", "Northwind Apps"),
        ], "each event keeps the name of its time, the deletion too");
        let me = app.get("me", &admin).await;
        let name = format!("{} {} ({})", me.body["first_name"].as_str().unwrap_or_default(), me.body["last_name"].as_str().unwrap_or_default(), me.body["company"].as_str().unwrap_or_default());
        assert_eq!(events.body["items"][0]["actor_name"], name, "the person, and the company they work for");
        assert_eq!(events.body["items"][0]["impersonator_name"], serde_json::Value::Null);

        // Kinds without a name (a session) have none.
        let (_, partner) = app.partner("p@example.com").await;
        let app_id = app.create_app(&partner, json!({"name": "Tulip Outlet"})).await["id"].as_str().unwrap_or_default().to_owned();
        let app_events = app.get(&format!("audit-events?subject_type=app&subject_id={app_id}"), &partner).await;
        assert_eq!(app_events.body["items"][0]["subject_name"], "Tulip Outlet");
        let sign_ins = app.get("audit-events?action=session.create", &partner).await;
        assert_eq!(sign_ins.body["items"][0]["subject_name"], serde_json::Value::Null);
    }

    async fn a_partner_reads_its_own_and_its_customers_events_only(app) {
        let (a_id, a) = app.partner("a@example.com").await;
        let (_, b) = app.partner("b@example.com").await;
        app.create_account(Role::Customer, AccountStatus::Activated, "ca@example.com", Some(a_id)).await;
        let customer = app.token_for("ca@example.com").await;
        app.patch("me", &customer, json!({"first_name": "Cust"})).await.assert_status(StatusCode::OK);
        app.patch("me", &a, json!({"first_name": "PartnerA"})).await.assert_status(StatusCode::OK);
        app.patch("me", &b, json!({"first_name": "PartnerB"})).await.assert_status(StatusCode::OK);

        let seen_by_a = app.get("audit-events?action=account.update", &a).await;
        assert_eq!(seen_by_a.body["total"], 2, "{}", seen_by_a.text);
        assert!(!seen_by_a.text.contains("b@example.com"));

        let seen_by_customer = app.get("audit-events?action=account.update", &customer).await;
        assert_eq!(seen_by_customer.body["total"], 1);
        assert_eq!(seen_by_customer.body["items"][0]["actor_email"], "ca@example.com");
    }

    async fn the_audit_log_pages_by_keyset(app) {
        let admin = app.admin().await;
        for n in 0..5 {
            app.patch("me", &admin, json!({"first_name": format!("Name{n}")})).await.assert_status(StatusCode::OK);
        }
        let first = app.get("audit-events?action=account.update&per_page=2", &admin).await;
        assert_eq!(first.body["total"], 5);
        assert_eq!(first.body["items"].as_array().map(Vec::len), Some(2));
        let mut seen: Vec<String> = Vec::new();
        let mut page = first;
        loop {
            seen.extend(page.body["items"].as_array().into_iter().flatten().filter_map(|e| e["id"].as_str().map(str::to_owned)));
            let Some(cursor) = page.body["next_cursor"].as_str().map(str::to_owned) else { break };
            page = app.get(&format!("audit-events?action=account.update&per_page=2&cursor={cursor}"), &admin).await;
        }
        assert_eq!(seen.len(), 5);
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique.len(), 5, "no event twice");

        app.get("audit-events?cursor=abc", &admin).await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        app.get("audit-events?from=yesterday", &admin).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
    }

    async fn the_demo_data_is_made_by_its_people_and_its_activity_says_so(app) {
        let (db, settings) = (app.db.clone(), app.settings.clone());
        tokio::task::spawn_blocking(move || api::seed::seed_demo(&db, &settings))
            .await
            .expect("seed ran")
            .expect("seeded");
        let actions = |reply: crate::helpers::Reply| -> Vec<(String, String)> {
            reply.assert_status(StatusCode::OK);
            reply.body["items"].as_array().into_iter().flatten()
                .map(|e| (e["action"].as_str().unwrap_or_default().to_owned(), e["subject_name"].as_str().unwrap_or_default().to_owned()))
                .collect()
        };
        let server = &app;
        let token = |email: &str| {
            let email = email.to_owned();
            async move {
                let login = server.login(&email, api::seed::DEMO_PASSWORD).await;
                login.body["access_token"].as_str().unwrap_or_default().to_owned()
            }
        };
        // The shop owner made its apps and pays for the Standard one.
        let emma = token("emma@customer.demo.test").await;
        let own = actions(app.get("audit-events?per_page=100", &emma).await);
        for expected in [("app.create", "Tulip Fashion"), ("app.create", "Tulip Outlet"), ("subscription.create", "Tulip Fashion"), ("subscription.payment_method", "Tulip Fashion")] {
            assert!(own.iter().any(|(a, s)| a == expected.0 && s == expected.1), "{expected:?} in {own:?}");
        }
        assert!(own.iter().any(|(a, _)| a == "payment.succeeded"), "{own:?}");
        // Its partner made it, and reads its events beside its own.
        let partner = token("partner@demo.test").await;
        let partners = actions(app.get("audit-events?per_page=100", &partner).await);
        assert!(partners.contains(&("customer.create".to_owned(), "Tulip Fashion".to_owned())), "{partners:?}");
        assert!(partners.iter().any(|(a, s)| a == "app.create" && s == "Appmakers Showcase"), "{partners:?}");
        // The admin made the partners and the price list.
        let admin = token(api::seed::DEMO_ADMIN).await;
        let all = actions(app.get("audit-events?per_page=100", &admin).await);
        for expected in [("partner.create", "Appmakers Agency"), ("plan.create", "Standard yearly")] {
            assert!(all.iter().any(|(a, s)| a == expected.0 && s == expected.1), "{expected:?} in {all:?}");
        }
    }

    async fn a_sign_in_is_recorded(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "in@example.com", None).await;
        let token = app.token_for("in@example.com").await;
        let events = app.get("audit-events?action=session.create", &token).await;
        assert_eq!(events.body["total"], 1);
    }
}
