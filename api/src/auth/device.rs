//! Device cookies (OWASP's pattern against lockout as a weapon): a browser that signed in to an
//! account before holds a signed cookie naming that account, and its sign-ins are judged by their
//! own failures, not by those of strangers who guess at the same email or share its address.
//!
//! The cookie is `nonce.mac`, where `mac` is an HMAC under the server secret of the nonce and the
//! email it was issued for: it proves a past successful sign-in to that email from this browser,
//! and nothing else (it is no session and opens nothing by itself).

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::secrets::random_token;
use crate::state::AppState;

/// Name of the device cookie; like the refresh cookie it only goes to `/api/v1/auth`.
pub const DEVICE_COOKIE: &str = "bo_device";

/// How long a browser stays known after its last successful sign-in.
const DEVICE_TTL_DAYS: i64 = 365;

/// A browser known to have signed in to one account before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// The limiter key its own failures are counted under.
    pub key: String,
}

/// The device cookie of `req`, when it was issued for `email` by this server.
pub fn recognise(req: &HttpRequest, secret: &str, email: &str) -> Option<KnownDevice> {
    let cookie = req.cookie(DEVICE_COOKIE)?;
    let (nonce, mac) = cookie.value().split_once('.')?;
    let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
    signer(secret, email, nonce).verify_slice(&mac).ok()?;
    Some(KnownDevice {
        key: format!("device:{nonce}"),
    })
}

/// A fresh device cookie for `email`, set on every successful sign-in.
pub fn cookie_for(email: &str, state: &AppState) -> Cookie<'static> {
    let secret = state.settings.jwt_secret.as_deref().unwrap_or_default();
    let nonce = random_token(16);
    let mac = URL_SAFE_NO_PAD.encode(signer(secret, email, &nonce).finalize().into_bytes());
    Cookie::build(DEVICE_COOKIE, format!("{nonce}.{mac}"))
        .path("/api/v1/auth")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.public_url().starts_with("https://"))
        .max_age(CookieDuration::days(DEVICE_TTL_DAYS))
        .finish()
}

fn signer(secret: &str, email: &str, nonce: &str) -> Hmac<Sha256> {
    crate::auth::secrets::signer(secret, &format!("device-cookie:{nonce}:{email}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn with_cookie(value: &str) -> HttpRequest {
        TestRequest::default()
            .cookie(Cookie::new(DEVICE_COOKIE, value.to_owned()))
            .to_http_request()
    }

    fn issued(secret: &str, email: &str) -> String {
        let nonce = "n0nce";
        let mac = URL_SAFE_NO_PAD.encode(signer(secret, email, nonce).finalize().into_bytes());
        format!("{nonce}.{mac}")
    }

    #[test]
    fn a_cookie_is_known_only_for_the_email_and_secret_it_was_issued_under() {
        let value = issued("s3cret", "ann@shop.example");
        let known = recognise(&with_cookie(&value), "s3cret", "ann@shop.example");
        assert_eq!(known.map(|d| d.key), Some("device:n0nce".to_owned()));
        assert_eq!(
            recognise(&with_cookie(&value), "s3cret", "bob@shop.example"),
            None
        );
        assert_eq!(
            recognise(&with_cookie(&value), "other", "ann@shop.example"),
            None
        );
        assert_eq!(
            recognise(&with_cookie("n0nce.AAAA"), "s3cret", "ann@shop.example"),
            None
        );
        assert_eq!(
            recognise(&with_cookie("garbage"), "s3cret", "ann@shop.example"),
            None
        );
        assert_eq!(
            recognise(
                &TestRequest::default().to_http_request(),
                "s3cret",
                "ann@shop.example"
            ),
            None
        );
    }
}
