//! Email: messages are written to the outbox in the same transaction as the change that causes
//! them; a background worker delivers queued ones over SMTP with retries.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};

use crate::db::emails::EmailRow;
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::settings::Settings;

/// The emails the back office sends.
pub enum Email<'a> {
    /// The link that activates a pending account. It greets nobody by name: whoever asked for
    /// it chose the name, and the person reading may not be them.
    Activation {
        token: &'a str,
    },
    /// A sign-up came for an email that already has an account: its holder is told, and the
    /// one who signed up learns nothing.
    AlreadyRegistered,
    SetPassword {
        name: &'a str,
        token: &'a str,
    },
    PasswordReset {
        name: &'a str,
        token: &'a str,
    },
    /// About a subscription or payment: a subject and a paragraph, with a link to Billing.
    Billing {
        name: &'a str,
        subject: &'a str,
        text: &'a str,
    },
    /// About a webhook endpoint (switched off by the sender).
    Webhooks {
        name: &'a str,
        subject: &'a str,
        text: &'a str,
    },
    /// A publish request moved (reviewed, published, rejected…).
    Publishing {
        name: &'a str,
        subject: &'a str,
        text: &'a str,
        app_id: i64,
    },
}

#[derive(Clone)]
pub struct Mailer {
    transport: Option<SmtpTransport>,
    from: Option<Mailbox>,
    public_url: String,
}

impl Mailer {
    pub fn new(settings: &Settings) -> Self {
        let transport = settings.smtp_url.as_deref().filter(|url| !url.is_empty()).and_then(|url| {
            SmtpTransport::from_url(url)
                .map(|b| b.timeout(Some(Duration::from_secs(10))).build())
                .map_err(|e| tracing::error!(error = %e, "SMTP_URL is invalid: emails will only be logged"))
                .ok()
        });
        let from = settings
            .smtp_from
            .parse()
            .map_err(|e| tracing::error!(error = %e, "SMTP_FROM is not a valid address"))
            .ok();
        Self {
            transport,
            from,
            public_url: settings.public_url(),
        }
    }

    /// Whether emails are delivered (SMTP configured) or only logged.
    pub fn delivers(&self) -> bool {
        self.transport.is_some() && self.from.is_some()
    }

    /// Writes `email` to the outbox (in the caller's transaction).
    pub fn enqueue(&self, conn: &mut DbConn, to: &str, email: &Email<'_>) -> AppResult<i64> {
        let (subject, body) = self.render(email);
        Ok(EmailRow::enqueue(
            conn,
            to,
            &subject,
            &body,
            self.delivers(),
        )?)
    }

    fn render(&self, email: &Email<'_>) -> (String, String) {
        let url = &self.public_url;
        match email {
            Email::Activation { token } => (
                "Activate your Back Office account".into(),
                format!(
                    "Hello,\n\nAn account was opened with this email address. To activate it, \
                     choose its password here:\n\n{url}/activate?token={token}\n\nThe link is \
                     valid for 7 days. If you did not expect this email, ignore it: nobody can \
                     sign in to the account until this link is used.\n"
                ),
            ),
            Email::AlreadyRegistered => (
                "Someone tried to sign up with your email".into(),
                format!(
                    "Hello,\n\nSomeone tried to create a Back Office account with this email \
                     address, which already has one. Nothing was changed.\n\nIf it was you, sign \
                     in at {url}/login, or choose a new password at {url}/forgot-password.\nIf it \
                     was not you, ignore this email.\n"
                ),
            ),
            Email::SetPassword { name, token } => (
                "Set the password of your Back Office account".into(),
                format!(
                    "Hello {name},\n\nAn account was created for you. Choose your password here:\n\n\
                     {url}/activate?token={token}\n\nThe link is valid for 7 days.\n"
                ),
            ),
            Email::PasswordReset { name, token } => (
                "Reset the password of your Back Office account".into(),
                format!(
                    "Hello {name},\n\nSomeone (probably you) asked to reset your password. Choose a \
                     new one here:\n\n{url}/reset-password?token={token}\n\nThe link works once, \
                     within an hour, and only the newest one works. Choosing the new password \
                     signs you out everywhere and, unless you untick it, revokes your personal \
                     API tokens (integrations using them must get new ones). If you did not ask \
                     for it, ignore this email: your password stays as it is.\n"
                ),
            ),
            Email::Billing {
                name,
                subject,
                text,
            } => (
                (*subject).to_owned(),
                format!("Hello {name},\n\n{text}\n\nBilling: {url}/billing\n"),
            ),
            Email::Webhooks {
                name,
                subject,
                text,
            } => (
                (*subject).to_owned(),
                format!("Hello {name},\n\n{text}\n\nWebhooks: {url}/webhooks\n"),
            ),
            Email::Publishing {
                name,
                subject,
                text,
                app_id,
            } => (
                (*subject).to_owned(),
                format!("Hello {name},\n\n{text}\n\nPublishing: {url}/apps/{app_id}/publish\n"),
            ),
        }
    }

    /// Delivers due emails until the server stops. Runs only when SMTP is configured.
    pub async fn run(self, db: Db) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = self.deliver_due(&db).await {
                tracing::warn!(error = %e, "email delivery round failed");
            }
        }
    }

    async fn deliver_due(&self, db: &Db) -> AppResult<()> {
        let (Some(transport), Some(from)) = (self.transport.clone(), self.from.clone()) else {
            return Ok(());
        };
        let due = db
            .run(|conn| {
                Ok(EmailRow::claim_due(
                    conn,
                    20,
                    chrono::Duration::seconds(60),
                )?)
            })
            .await?;
        for email in due {
            let (transport, from) = (transport.clone(), from.clone());
            let outcome = tokio::task::spawn_blocking({
                let email = email.clone();
                move || send(&transport, from, &email)
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            db.run(move |conn| match outcome {
                Ok(()) => Ok(EmailRow::mark_sent(conn, email.id)?),
                Err(error) => {
                    tracing::warn!(email_id = email.id, error, "email delivery failed");
                    Ok(EmailRow::mark_failed(conn, &email, &error)?)
                }
            })
            .await?;
        }
        Ok(())
    }
}

fn send(transport: &SmtpTransport, from: Mailbox, email: &EmailRow) -> Result<(), String> {
    let to: Mailbox = email
        .to_address
        .parse()
        .map_err(|e| format!("bad recipient: {e}"))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(&email.subject)
        .body(email.body.clone())
        .map_err(|e| e.to_string())?;
    transport
        .send(&message)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
