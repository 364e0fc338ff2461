//! "Manage Mobile Users": stand-alone apps only.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;

fn user(email: &str, first: &str) -> serde_json::Value {
    json!({"email": email, "first_name": first, "last_name": "Bakker", "phone": "+31 6 1234 5678"})
}

both_backends! {
    async fn owner_adds_edits_blocks_and_deletes_mobile_users(app) {
        let (_, token) = app.customer("shop@example.com", None).await;
        let shop = app.create_app(&token, json!({})).await;
        let base = format!("apps/{}/mobile-users", shop["id"].as_str().expect("id"));
        let sam = app.post(&base, Some(&token), user("sam@mail.example", "Sam")).await;
        sam.assert_status(StatusCode::CREATED);
        let sam_url = format!("{base}/{}", sam.body["id"].as_str().expect("id"));
        app.post(&base, Some(&token), user("mila@mail.example", "Mila")).await.assert_status(StatusCode::CREATED);
        app.post(&base, Some(&token), user("SAM@mail.example", "Other")).await
            .assert_problem(StatusCode::CONFLICT, "email_taken");

        let blocked = app.patch(&sam_url, &token, json!({"status": "blocked", "first_name": "Samuel"})).await;
        blocked.assert_status(StatusCode::OK);
        assert_eq!(blocked.body["status"], "blocked");
        assert_eq!(blocked.body["first_name"], "Samuel");
        assert_eq!(app.get(&format!("{base}?status=blocked"), &token).await.body["total"], 1);
        assert_eq!(app.get(&format!("{base}?q=mila"), &token).await.body["total"], 1);
        assert_eq!(app.get(&base, &token).await.body["total"], 2);
        app.patch(&sam_url, &token, json!({"email": "mila@mail.example"})).await
            .assert_problem(StatusCode::CONFLICT, "email_taken");
        app.patch(&sam_url, &token, json!({"status": "active"})).await.assert_status(StatusCode::OK);

        let audit = app.get("audit-events?subject_type=mobile_user", &token).await;
        let actions: Vec<&str> = audit.body["items"].as_array().into_iter().flatten()
            .filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, ["mobile_user.unblock", "mobile_user.block", "mobile_user.create", "mobile_user.create"]);

        app.delete(&sam_url, &token).await.assert_status(StatusCode::NO_CONTENT);
        app.get(&sam_url, &token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(app.get(&base, &token).await.body["total"], 1);
    }

    async fn mobile_users_export_as_csv_with_the_list_filters(app) {
        let (_, token) = app.customer("shop@example.com", None).await;
        let shop = app.create_app(&token, json!({})).await;
        let base = format!("apps/{}/mobile-users", shop["id"].as_str().expect("id"));
        app.post(&base, Some(&token), user("sam@mail.example", "Sam")).await.assert_status(StatusCode::CREATED);
        app.post(&base, Some(&token), user("eve@mail.example", "=HYPERLINK(\"x\")")).await.assert_status(StatusCode::CREATED);

        let csv = app.get(&format!("{base}/export"), &token).await;
        csv.assert_status(StatusCode::OK);
        assert!(csv.header("content-type").is_some_and(|t| t.starts_with("text/csv")));
        assert!(csv.header("content-disposition").is_some_and(|d| d.contains("attachment")));
        let lines: Vec<&str> = csv.text.lines().collect();
        assert_eq!(lines[0], "id,email,first_name,last_name,phone,status,created_at");
        assert_eq!(lines.len(), 3);
        assert!(lines[1].contains("eve@mail.example,\"'=HYPERLINK(\"\"x\"\")\""), "formulas are defused: {}", lines[1]);
        let filtered = app.get(&format!("{base}/export?q=sam"), &token).await;
        assert_eq!(filtered.text.lines().count(), 2);
    }

    async fn magento_apps_refuse_every_mobile_user_route(app) {
        let (_, token) = app.customer("shop@example.com", None).await;
        let magento = app.create_app(&token, json!({"kind": "magento", "store_url": "https://shop.example"})).await;
        let base = format!("apps/{}/mobile-users", magento["id"].as_str().expect("id"));
        for (method, path, body) in [
            (Method::GET, base.clone(), None),
            (Method::POST, base.clone(), Some(user("sam@mail.example", "Sam"))),
            (Method::GET, format!("{base}/export"), None),
            (Method::GET, format!("{base}/1"), None),
            (Method::PATCH, format!("{base}/1"), Some(json!({"status": "blocked"}))),
            (Method::DELETE, format!("{base}/1"), None),
        ] {
            app.call(method, &path, Some(&token), body).await
                .assert_problem(StatusCode::FORBIDDEN, "managed_by_magento");
        }
    }
}
