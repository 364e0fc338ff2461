//! Email delivery: through a local fake SMTP server that speaks just enough SMTP for the real
//! client (lettre) to deliver to it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{Backend, TestApp};

/// Accepts SMTP sessions on a free port and keeps each message's DATA.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let store = messages.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake.smtp ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().expect("lock").push(std::mem::take(body));
                            data = None;
                            let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-fake.smtp\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, messages)
}

/// Polls the outbox (bounded) until the email to `to` leaves the `queued` state.
async fn wait_until_delivered(
    app: &TestApp,
    admin: &str,
    to: &str,
    want: &str,
) -> serde_json::Value {
    for _ in 0..100 {
        let outbox = app.get(&format!("outbox?to={to}"), admin).await;
        let email = outbox.body["items"][0].clone();
        if email["status"] == want || (want == "retrying" && email["attempts"].as_i64() >= Some(1))
        {
            return email;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the email to {to} never reached {want}");
}

async fn emails_are_delivered_over_smtp(backend: Backend) {
    let (port, messages) = fake_smtp().await;
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))
    })
    .await
    else {
        return;
    };
    let admin = app.admin().await;
    app.post(
        "auth/register",
        None,
        json!({"email": "mail@example.com", "first_name": "M", "last_name": "L"}),
    )
    .await
    .assert_status(StatusCode::ACCEPTED);

    let email = wait_until_delivered(&app, &admin, "mail@example.com", "sent").await;
    assert_eq!(email["attempts"], 1);
    assert!(email["sent_at"].is_string());
    let delivered = messages.lock().expect("lock").join("\n");
    assert!(delivered.contains("To: mail@example.com"), "{delivered}");
    assert!(
        delivered.contains("/activate?token="),
        "the link is in the message: {delivered}"
    );
}

async fn a_failed_delivery_is_kept_for_retry(backend: Backend) {
    // A mail server that hangs up at once: the port stays ours for the whole test (a freed port
    // could be taken by anything else meanwhile).
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { while listener.accept().await.is_ok() {} });
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))
    })
    .await
    else {
        return;
    };
    let admin = app.admin().await;
    app.post(
        "auth/register",
        None,
        json!({"email": "retry@example.com", "first_name": "R", "last_name": "T"}),
    )
    .await
    .assert_status(StatusCode::ACCEPTED);
    let email = wait_until_delivered(&app, &admin, "retry@example.com", "retrying").await;
    assert_eq!(email["status"], "queued");
    assert!(email["last_error"].is_string());
}

#[tokio::test]
async fn emails_are_delivered_over_smtp_sqlite() {
    emails_are_delivered_over_smtp(Backend::Sqlite).await;
}

#[tokio::test]
async fn emails_are_delivered_over_smtp_postgres() {
    emails_are_delivered_over_smtp(Backend::Postgres).await;
}

#[tokio::test]
async fn a_failed_delivery_is_kept_for_retry_sqlite() {
    a_failed_delivery_is_kept_for_retry(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_failed_delivery_is_kept_for_retry_postgres() {
    a_failed_delivery_is_kept_for_retry(Backend::Postgres).await;
}
