//! The push credentials kept in the database are sealed with AES-256-GCM under a key from the
//! settings (`CREDENTIALS_KEY`, else derived from `JWT_SECRET`). The app's id is the associated
//! data, so a sealed key copied to another app's row does not open.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use sha2::Sha256;

use crate::settings::Settings;

/// What sealed text starts with (a later format would use another prefix).
const PREFIX: &str = "v1:";

pub struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let bytes: Vec<u8> = match &settings.credentials_key {
            Some(key) => {
                let bytes = STANDARD
                    .decode(key.trim())
                    .map_err(|_| anyhow::anyhow!("CREDENTIALS_KEY must be base64"))?;
                anyhow::ensure!(
                    bytes.len() == 32,
                    "CREDENTIALS_KEY must be 32 bytes (base64)"
                );
                bytes
            }
            None => {
                let secret = settings
                    .jwt_secret
                    .as_deref()
                    .ok_or_else(|| anyhow::anyhow!("JWT secret not resolved"))?;
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                mac.update(b"backoffice push credentials v1");
                mac.finalize().into_bytes().to_vec()
            }
        };
        Self::from_key(&bytes)
    }

    pub fn from_key(bytes: &[u8]) -> anyhow::Result<Self> {
        let key = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| anyhow::anyhow!("unusable credentials key"))?;
        Ok(Self {
            key: LessSafeKey::new(key),
        })
    }

    /// `plain`, sealed for app `app_id`.
    pub fn seal(&self, app_id: i64, plain: &str) -> String {
        let mut nonce = [0_u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        // Sealing in place fails only for inputs over 64 GiB.
        if self
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(app_id.to_be_bytes()),
                &mut data,
            )
            .is_err()
        {
            data.clear();
        }
        let mut out = nonce.to_vec();
        out.extend(data);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// What `seal` sealed for `app_id`; `None` when it does not open (another key, another
    /// app, tampered).
    pub fn open(&self, app_id: i64, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(app_id.to_be_bytes()), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_for_its_app_only() {
        let sealer = Sealer::from_key(&[7_u8; 32]).expect("sealer");
        let sealed = sealer.seal(7, "-----BEGIN PRIVATE KEY-----");
        assert!(!sealed.contains("PRIVATE"));
        assert_eq!(
            sealer.open(7, &sealed).as_deref(),
            Some("-----BEGIN PRIVATE KEY-----")
        );
        assert_eq!(sealer.open(8, &sealed), None);
        let other = Sealer::from_key(&[1_u8; 32]).expect("sealer");
        assert_eq!(other.open(7, &sealed), None);
        assert_ne!(
            sealer.seal(7, "x"),
            sealer.seal(7, "x"),
            "a fresh nonce each time"
        );
    }
}
