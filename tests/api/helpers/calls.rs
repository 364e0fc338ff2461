//! What tests do through the server: requests as each kind of caller, accounts and apps made
//! the way the API makes them, and the background jobs' rounds run at the test's instant.

use super::*;

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.address)
        } else {
            format!("{}/api/v1/{path}", self.address)
        }
    }

    /// Sends a request; `path` without a leading `/` is relative to `/api/v1/`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Reply::from(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Creates an account directly (as `create-admin` or the partner form would); returns its id.
    pub async fn create_account(
        &self,
        role: Role,
        status: AccountStatus,
        email: &str,
        partner_id: Option<i64>,
    ) -> i64 {
        let db = self.db.clone();
        let settings = self.settings.clone();
        let email = types::email::Email::parse(email);
        tokio::task::spawn_blocking(move || {
            let mailer = api::mailer::Mailer::new(&settings);
            let mut conn = db.get().expect("connection");
            let spec = AccountSpec {
                email,
                password_hash: Some(password_hash().to_owned()),
                role,
                status,
                first_name: "Test".into(),
                last_name: format!("{role:?}"),
                company: Some(format!("{role:?} Company")),
                phone: None,
                country: Some("NL".into()),
                partner_id,
            };
            create_account(&mut conn, &mailer, &spec)
                .expect("account created")
                .id
        })
        .await
        .expect("blocking task")
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// Signs in and returns the access token.
    pub async fn token_for(&self, email: &str) -> String {
        let reply = self.login(email, PASSWORD).await;
        reply.assert_status(StatusCode::OK);
        reply.body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// A new activated admin and its access token.
    pub async fn admin(&self) -> String {
        let email = format!("admin-{}@example.com", unique_name());
        self.create_account(Role::Admin, AccountStatus::Activated, &email, None)
            .await;
        self.token_for(&email).await
    }

    /// A new activated partner: (id, access token).
    pub async fn partner(&self, email: &str) -> (i64, String) {
        let id = self
            .create_account(Role::Partner, AccountStatus::Activated, email, None)
            .await;
        (id, self.token_for(email).await)
    }

    /// A new activated customer of `partner_id`: (id, access token).
    pub async fn customer(&self, email: &str, partner_id: Option<i64>) -> (i64, String) {
        let id = self
            .create_account(Role::Customer, AccountStatus::Activated, email, partner_id)
            .await;
        (id, self.token_for(email).await)
    }

    /// Creates an app as `token` from `body` (kind, name and edition filled in when absent);
    /// returns the app.
    ///
    /// A Standard app is made Basic and then granted Standard by an administrator: an app is
    /// Standard by its subscription, or by such a grant.
    pub async fn create_app(&self, token: &str, body: Value) -> Value {
        let mut form = json!({"name": "Shop App", "kind": "standalone", "edition": "basic"});
        if let (Some(form), Some(body)) = (form.as_object_mut(), body.as_object()) {
            form.extend(body.clone());
        }
        let standard = form["edition"] == "standard";
        form["edition"] = json!("basic");
        let reply = self.post("apps", Some(token), form).await;
        reply.assert_status(StatusCode::CREATED);
        if !standard {
            return reply.body;
        }
        let id = reply.body["id"].as_str().expect("id");
        let granted = self
            .patch(
                &format!("apps/{id}"),
                &self.admin().await,
                json!({"edition": "standard"}),
            )
            .await;
        granted.assert_status(StatusCode::OK);
        granted.body
    }

    /// Sends an SDK request with the app key `key`.
    pub async fn sdk(&self, path: &str, key: &str, body: Value) -> Reply {
        let req = self
            .client
            .post(self.url(&format!("sdk/{path}")))
            .header("X-App-Key", key)
            .json(&body);
        Reply::from(req.send().await.expect("request sent")).await
    }

    /// Registers a device by the SDK; `extra` overrides the defaults (an iPhone with push).
    pub async fn register_device(&self, key: &str, installation_id: &str, extra: Value) -> Reply {
        let mut form = json!({"installation_id": installation_id, "platform": "ios", "model": "iPhone 15",
            "os_version": "17.4", "app_version": "2.0.0", "push_enabled": true, "push_token": "tok"});
        if let (Some(form), Some(extra)) = (form.as_object_mut(), extra.as_object()) {
            form.extend(extra.clone());
        }
        self.sdk("devices", key, form).await
    }

    /// Sends every webhook delivery due at the server's clock, as its sender job would.
    pub async fn deliver_webhooks(&self) -> api::webhooks::sender::Report {
        let mailer = api::mailer::Mailer::new(&self.settings);
        let sender = api::webhooks::sender::Sender::new(&self.settings, mailer).expect("sender");
        sender
            .deliver_due(&self.db, &self.clock)
            .await
            .expect("delivery round")
    }

    /// Does every push job due at the server's clock, as its sender would: starts scheduled
    /// messages, fans out, sends.
    pub async fn send_pushes(&self) -> api::push::sender::Report {
        api::push::sender::send_due(&self.push, &self.db, &self.clock)
            .await
            .expect("push round")
    }

    /// The token from the newest email to `to` (read through the admin outbox API).
    pub async fn link_token_sent_to(&self, admin_token: &str, to: &str) -> String {
        let reply = self.get(&format!("outbox?to={to}"), admin_token).await;
        reply.assert_status(StatusCode::OK);
        let body = reply.body["items"][0]["body"]
            .as_str()
            .expect("an email to this address");
        body.split("token=")
            .nth(1)
            .expect("a link")
            .split_whitespace()
            .next()
            .expect("token")
            .to_owned()
    }
}
