//! Access tokens: HS256 JWTs, 15 minutes, with `iss`, `aud`, `sub`, `role`, `iat`, `nbf`, `exp`,
//! `sid` (the session, so that signing out or a password reset ends its access tokens at once)
//! and `act` naming the real actor during "log in as". Any other algorithm is refused, and so is a
//! token not yet valid (`nbf`) or issued in the future (`iat`), beyond a few seconds of leeway.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use types::accounts::Role;
use types::ErrorCode;

use crate::error::AppError;

pub const ISSUER: &str = "backoffice";
pub const AUDIENCE: &str = "backoffice-api";
/// Lifetime of an access token, in seconds.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// The session (refresh-token family) the token belongs to; the request gate refuses the
    /// token once that session is revoked.
    pub sid: String,
    /// RFC 8693 actor: the account really acting, during impersonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<ActorClaim>,
    /// A read-only "log in as" session: writes are refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ro: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActorClaim {
    pub sub: String,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        }
    }

    /// Issues an access token; returns it with its lifetime in seconds.
    pub fn issue(
        &self,
        account_id: i64,
        role: Role,
        session: &str,
        act: Option<i64>,
        read_only: bool,
        ttl_secs: i64,
    ) -> anyhow::Result<(String, i64)> {
        let now = crate::clock::system_time().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: account_id.to_string(),
            role,
            iat: now,
            nbf: now,
            exp: now + ttl_secs,
            sid: session.to_owned(),
            act: act.map(|id| ActorClaim {
                sub: id.to_string(),
            }),
            ro: read_only,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, ttl_secs))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let detail = match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                        "The access token has expired."
                    }
                    _ => "The access token is invalid.",
                };
                AppError::new(ErrorCode::InvalidToken, detail)
            })?;
        // jsonwebtoken checks `exp` and `nbf` but not `iat`: a token from the future is forged
        // (or minted by a server whose clock is wrong), never one to trust.
        if claims.iat > crate::clock::system_time().timestamp() + LEEWAY_SECS as i64 {
            return Err(AppError::new(
                ErrorCode::InvalidToken,
                "The access token is invalid.",
            ));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let keys = JwtKeys::new("0123456789abcdef0123456789abcdef");
        let (token, ttl) = keys
            .issue(7, Role::Partner, "s1", None, false, ACCESS_TTL_SECS)
            .expect("issue");
        assert_eq!(ttl, 900);
        let claims = keys.verify(&token).expect("valid");
        assert_eq!(claims.sub, "7");
        assert_eq!(claims.role, Role::Partner);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let ours = JwtKeys::new("0123456789abcdef0123456789abcdef");
        let theirs = JwtKeys::new("fedcba9876543210fedcba9876543210");
        let (token, _) = theirs
            .issue(7, Role::Admin, "s1", None, false, 60)
            .expect("issue");
        assert!(ours.verify(&token).is_err());
    }
}
