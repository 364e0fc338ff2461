//! A database that goes away answers 503 problem+json, and the server recovers by itself.
//! PostgreSQL only: the test cuts the network between the api and the database with a local TCP
//! proxy, as a failover or a restart would.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use types::accounts::{AccountStatus, Role};

use crate::helpers::{fresh_database, postgres_admin_url, test_settings, Backend, TestApp};

/// A TCP proxy to the database that can cut every connection and refuse new ones, then let
/// them through again, on one port it holds throughout (releasing the port and binding it again
/// would race with whatever else on the machine takes an ephemeral port meanwhile).
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    pipes: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let pipes: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (open, registry) = (up.clone(), pipes.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !open.load(Ordering::SeqCst) {
                    continue; // dropped: the database is "gone"
                }
                let upstream = upstream.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                registry.lock().expect("lock").push(pipe);
            }
        });
        Self {
            port,
            up,
            pipes,
            accept,
        }
    }

    /// Closes every open connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for pipe in self.pipes.lock().expect("lock").drain(..) {
            pipe.abort();
        }
    }

    /// Lets connections through again.
    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

async fn ready_status(app: &TestApp) -> StatusCode {
    app.call(reqwest::Method::GET, "/health/ready", None, None)
        .await
        .status
}

// Multi-threaded: the proxy must accept while the server starts up synchronously.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_and_the_server_recovers_when_it_returns() {
    let Some(probe) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    drop(probe);
    let admin_url = postgres_admin_url();
    let upstream = admin_url
        .split('@')
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("host:port")
        .to_owned();
    let direct = fresh_database(Backend::Postgres);
    let proxy = Proxy::start(upstream.clone()).await;
    let through_proxy = direct.replace(&upstream, &format!("127.0.0.1:{}", proxy.port));
    let app = TestApp::start(test_settings(through_proxy));
    app.create_account(
        Role::Admin,
        AccountStatus::Activated,
        "root@example.com",
        None,
    )
    .await;
    let token = app.token_for("root@example.com").await;
    assert_eq!(ready_status(&app).await, StatusCode::OK);

    proxy.cut();
    let down = app
        .call(reqwest::Method::GET, "/health/ready", None, None)
        .await;
    down.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable");
    assert!(down.header("retry-after").is_some());
    app.get("me", &token)
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable");

    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if ready_status(&app).await == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the server did not recover after the database came back"
    );
    app.get("me", &token).await.assert_status(StatusCode::OK);
}
