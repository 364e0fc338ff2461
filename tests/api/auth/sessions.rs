//! A person's sessions: listed with where they signed in from, ended one by one or all but
//! this one, and an ended session refused at once (`../shared/DESIGN.md` §6, sessions).

use reqwest::StatusCode;
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{Reply, TestApp, PASSWORD};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Signs `email` in from a browser naming itself `user_agent`: (access token, refresh token).
async fn sign_in(app: &TestApp, email: &str, user_agent: &str) -> (String, String) {
    let reply = app
        .client
        .post(app.url("auth/login"))
        .header("user-agent", user_agent)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    let reply = Reply::from(reply).await;
    reply.assert_status(StatusCode::OK);
    let token = |name: &str| reply.body[name].as_str().unwrap_or_default().to_owned();
    (token("access_token"), token("refresh_token"))
}

fn items(reply: &Reply) -> Vec<Value> {
    reply.assert_status(StatusCode::OK);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

both_backends! {
    async fn a_person_sees_its_sessions_and_ends_one_or_all_others(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "many@example.com", None).await;
        let (laptop, laptop_refresh) = sign_in(&app, "many@example.com", FIREFOX).await;
        let (office, office_refresh) = sign_in(&app, "many@example.com", CHROME).await;

        let listed = items(&app.get("me/sessions", &laptop).await);
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert_eq!(listed[0]["current"], true, "this one first");
        assert_eq!(listed[0]["device"], "Firefox on Linux");
        assert_eq!(listed[0]["user_agent"], FIREFOX);
        assert_eq!(listed[0]["ip"], "127.0.0.1");
        assert_eq!(listed[1]["current"], false);
        assert_eq!(listed[1]["device"], "Chrome on Windows");
        assert!(listed[1]["created_at"].is_string() && listed[1]["last_used_at"].is_string());

        // Ending the office session: its refresh token and its access token are refused at once.
        let office_id = listed[1]["id"].as_str().unwrap_or_default().to_owned();
        app.delete(&format!("me/sessions/{office_id}"), &laptop).await.assert_status(StatusCode::NO_CONTENT);
        app.post("auth/refresh", None, json!({"refresh_token": office_refresh})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        app.get("me", &office).await.assert_status(StatusCode::UNAUTHORIZED);
        assert_eq!(items(&app.get("me/sessions", &laptop).await).len(), 1);
        // Ended is ended: a second time, or an id that is not a session of this person, is a 404.
        app.delete(&format!("me/sessions/{office_id}"), &laptop).await.assert_problem(StatusCode::NOT_FOUND, "not_found");

        // Refreshing is using: the session's last use moves, and it stays the same session.
        let refreshed = app.post("auth/refresh", None, json!({"refresh_token": laptop_refresh})).await;
        refreshed.assert_status(StatusCode::OK);
        let laptop = refreshed.body["access_token"].as_str().unwrap_or_default().to_owned();
        let after = items(&app.get("me/sessions", &laptop).await);
        assert_eq!(after.len(), 1);
        assert_eq!(after[0]["current"], true);

        // All but this one.
        let (_, phone_refresh) = sign_in(&app, "many@example.com", "curl/8.5.0").await;
        let (_, tablet_refresh) = sign_in(&app, "many@example.com", CHROME).await;
        assert_eq!(items(&app.get("me/sessions", &laptop).await).len(), 3);
        app.post("me/sessions/revoke-others", Some(&laptop), json!({})).await.assert_status(StatusCode::NO_CONTENT);
        for gone in [phone_refresh, tablet_refresh] {
            app.post("auth/refresh", None, json!({"refresh_token": gone})).await
                .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        }
        let left = items(&app.get("me/sessions", &laptop).await);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["current"], true);
        app.get("me", &laptop).await.assert_status(StatusCode::OK);

        // Each ending is on the person's activity.
        let events = app.get("audit-events", &laptop).await;
        let actions: Vec<&str> = events.body["items"].as_array().into_iter().flatten().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"session.revoke") && actions.contains(&"session.revoke_others"), "{actions:?}");
    }

    async fn nobody_sees_or_ends_another_persons_sessions(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "mine@example.com", None).await;
        app.create_account(Role::Customer, AccountStatus::Activated, "theirs@example.com", None).await;
        let (mine, _) = sign_in(&app, "mine@example.com", FIREFOX).await;
        let (theirs, theirs_refresh) = sign_in(&app, "theirs@example.com", CHROME).await;
        let their_session = items(&app.get("me/sessions", &theirs).await)[0]["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(items(&app.get("me/sessions", &mine).await).len(), 1, "only its own");
        app.delete(&format!("me/sessions/{their_session}"), &mine).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.delete("me/sessions/not-a-number", &mine).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.post("auth/refresh", None, json!({"refresh_token": theirs_refresh})).await.assert_status(StatusCode::OK);
    }

    async fn a_password_change_ends_every_other_session(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "change@example.com", None).await;
        let (here, _) = sign_in(&app, "change@example.com", FIREFOX).await;
        let (_, elsewhere) = sign_in(&app, "change@example.com", CHROME).await;
        let changed = app.post("me/password", Some(&here), json!({"current_password": PASSWORD, "new_password": "a much better pass 7"})).await;
        changed.assert_status(StatusCode::OK);
        let fresh = changed.body["access_token"].as_str().unwrap_or_default().to_owned();
        let listed = items(&app.get("me/sessions", &fresh).await);
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["current"], true);
        app.post("auth/refresh", None, json!({"refresh_token": elsewhere})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    }
}
