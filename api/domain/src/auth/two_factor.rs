//! Two-factor sign-in with an authenticator app (RFC 6238: SHA-1, 6 digits, 30 s steps, one
//! step of clock skew either way) and ten single-use recovery codes. A code is never accepted
//! twice: the last accepted step is kept, and only later ones pass. A sign-in of a person with a
//! second factor stops at a challenge (5 minutes, single use, 5 wrong codes at most), answered
//! by `answer`.

use chrono::NaiveDateTime;
use rand::Rng;
use totp_rs::{Builder, Secret, Totp};
use types::auth::{TotpEnrolment, TwoFactorMethod, TwoFactorStatus};
use types::ErrorCode;

use crate::auth::secrets;
use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::two_factor::{ChallengeRow, RecoveryCodes, TwoFactorRow};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// How long the second step of a sign-in may wait.
pub const CHALLENGE_MINUTES: i64 = 5;

/// Wrong codes one challenge takes before it is spent (the person signs in again).
pub const CHALLENGE_TRIES: i32 = 5;

/// How many recovery codes a person gets.
pub const RECOVERY_CODES: usize = 10;

/// The name the authenticator app shows above the codes.
const ISSUER: &str = "Back Office";

/// Letters and digits that cannot be mistaken for one another when typed from paper.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn totp(secret: &str, account_name: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret)
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e:?}")))?;
    Builder::new()
        .with_secret(secret)
        .with_skew(1)
        .with_account_name(account_name)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e:?}")))
}

fn unix_seconds(now: NaiveDateTime) -> u64 {
    u64::try_from(now.and_utc().timestamp()).unwrap_or_default()
}

fn invalid_code() -> AppError {
    AppError::new(
        ErrorCode::InvalidCode,
        "The code is wrong, or was used already.",
    )
}

/// Where `account_id` stands: an app confirmed or not, and recovery codes left.
pub fn status(conn: &mut DbConn, account_id: i64) -> AppResult<TwoFactorStatus> {
    Ok(TwoFactorStatus {
        totp: TwoFactorRow::is_on(conn, account_id)?,
        recovery_codes_left: RecoveryCodes::left(conn, account_id)?,
    })
}

/// Starts (or starts again) an enrolment: a new secret, not used for sign-in until confirmed.
pub fn start(
    conn: &mut DbConn,
    account: &AccountRow,
    now: NaiveDateTime,
) -> AppResult<TotpEnrolment> {
    if TwoFactorRow::is_on(conn, account.id)? {
        return Err(AppError::new(
            ErrorCode::TwoFactorAlreadyOn,
            "Two-factor sign-in is on already: turn it off first to use another app.",
        ));
    }
    let mut bytes = [0_u8; 20];
    rand::rngs::OsRng.fill(&mut bytes);
    let secret = Secret::from(bytes).to_base32();
    TwoFactorRow::start(conn, account.id, &secret, now)?;
    let otpauth_uri = totp(&secret, &account.email)?
        .to_url()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e:?}")))?;
    let qr_svg = qrcode::QrCode::new(otpauth_uri.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(TotpEnrolment {
        secret,
        otpauth_uri,
        qr_svg,
    })
}

/// Checks an app's `code` for `account` at `now` and takes its step: a wrong code, or one whose
/// step was taken already, is `false`.
fn take_code(
    conn: &mut DbConn,
    row: &TwoFactorRow,
    email: &str,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(step) = totp(&row.totp_secret, email)?.check(&code, unix_seconds(now)) else {
        return Ok(false);
    };
    Ok(TwoFactorRow::take_step(
        conn,
        row.account_id,
        i64::try_from(step).unwrap_or(i64::MAX),
    )?)
}

/// Spends one of `account_id`'s recovery codes: `false` when it is not one (or was used).
fn spend_recovery_code(
    conn: &mut DbConn,
    account_id: i64,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    Ok(RecoveryCodes::spend(
        conn,
        account_id,
        &secrets::hash_token(&normalised(code)),
        now,
    )?)
}

/// A recovery code as stored: lower case, without spaces.
fn normalised(code: &str) -> String {
    code.trim().to_lowercase().replace(' ', "")
}

/// New recovery codes for `account_id` (the old ones stop working); shown once.
fn new_recovery_codes(conn: &mut DbConn, account_id: i64) -> AppResult<Vec<String>> {
    let mut rng = rand::rngs::OsRng;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut half = || -> String {
                (0..5)
                    .map(|_| {
                        char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())])
                    })
                    .collect()
            };
            format!("{}-{}", half(), half())
        })
        .collect();
    let hashes: Vec<String> = codes.iter().map(|c| secrets::hash_token(c)).collect();
    RecoveryCodes::replace(conn, account_id, &hashes)?;
    Ok(codes)
}

/// Confirms the enrolment of `account` with a code from its app: two-factor sign-in is on, and
/// here are its recovery codes.
pub fn confirm(
    conn: &mut DbConn,
    actor: &Actor,
    account: &AccountRow,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<Vec<String>> {
    let row = TwoFactorRow::find(conn, account.id)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::TwoFactorNotStarted,
            "Start the enrolment first (POST me/two-factor/totp).",
        )
    })?;
    if row.confirmed_at.is_some() {
        return Err(AppError::new(
            ErrorCode::TwoFactorAlreadyOn,
            "Two-factor sign-in is on already.",
        ));
    }
    if !take_code(conn, &row, &account.email, code, now)? {
        return Err(AppError::invalid_field(
            "code",
            "is not the code the app shows now: check the phone's clock, and type the 6 digits again",
        ));
    }
    TwoFactorRow::confirm(conn, account.id, now)?;
    let codes = new_recovery_codes(conn, account.id)?;
    audit(conn, actor, account, "two_factor.enable")?;
    Ok(codes)
}

/// New recovery codes, given a code from the app.
pub fn regenerate_recovery_codes(
    conn: &mut DbConn,
    actor: &Actor,
    account: &AccountRow,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<Vec<String>> {
    let row = confirmed(conn, account.id)?;
    if !take_code(conn, &row, &account.email, code, now)? {
        return Err(invalid_code());
    }
    let codes = new_recovery_codes(conn, account.id)?;
    audit(conn, actor, account, "two_factor.recovery_codes")?;
    Ok(codes)
}

/// Records `action` on `account`'s second factor, by `actor`.
fn audit(conn: &mut DbConn, actor: &Actor, account: &AccountRow, action: &str) -> AppResult<()> {
    let subject = Some(account.id.to_string());
    Ok(actor.record(conn, action, account.role().as_str(), subject)?)
}

fn confirmed(conn: &mut DbConn, account_id: i64) -> AppResult<TwoFactorRow> {
    TwoFactorRow::find(conn, account_id)?
        .filter(|r| r.confirmed_at.is_some())
        .ok_or_else(|| AppError::new(ErrorCode::TwoFactorOff, "Two-factor sign-in is not on."))
}

/// Turns two-factor sign-in off, given a code from the app or a recovery code.
pub fn disable(
    conn: &mut DbConn,
    actor: &Actor,
    account: &AccountRow,
    code: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let row = confirmed(conn, account.id)?;
    if !take_code(conn, &row, &account.email, code, now)?
        && !spend_recovery_code(conn, account.id, code, now)?
    {
        return Err(invalid_code());
    }
    TwoFactorRow::remove(conn, account.id)?;
    audit(conn, actor, account, "two_factor.disable")?;
    Ok(())
}

/// The second step a sign-in of `account_id` needs, if any: a challenge (its secret, which only
/// its hash is kept of) and the ways to answer it.
pub fn challenge_for(
    conn: &mut DbConn,
    account_id: i64,
    now: NaiveDateTime,
) -> AppResult<Option<(String, Vec<TwoFactorMethod>)>> {
    if !TwoFactorRow::is_on(conn, account_id)? {
        return Ok(None);
    }
    let challenge = secrets::random_token(32);
    let expires_at = now + chrono::Duration::minutes(CHALLENGE_MINUTES);
    ChallengeRow::sweep(conn, now - chrono::Duration::days(1))?;
    ChallengeRow::insert(
        conn,
        account_id,
        &secrets::hash_token(&challenge),
        expires_at,
    )?;
    Ok(Some((
        challenge,
        vec![TwoFactorMethod::Totp, TwoFactorMethod::RecoveryCode],
    )))
}

/// What answering a challenge came to.
pub enum Answer {
    /// The account whose sign-in may go on.
    Passed(Box<AccountRow>),
    /// A wrong code: counted against the challenge (and, by the caller, the person).
    Wrong { account_id: i64 },
}

/// Answers the challenge `challenge` with an app's `code` or a `recovery_code`; `may_try` is
/// asked first whether the person may try again now (its wrong codes are rate limited).
pub fn answer(
    conn: &mut DbConn,
    challenge: &str,
    (code, recovery_code): (Option<&str>, Option<&str>),
    may_try: &dyn Fn(i64) -> AppResult<()>,
    now: NaiveDateTime,
) -> AppResult<Answer> {
    let invalid_challenge = || {
        AppError::new(
            ErrorCode::InvalidChallenge,
            "This sign-in has expired or was finished already: sign in again.",
        )
    };
    let found =
        ChallengeRow::find_open(conn, &secrets::hash_token(challenge), now, CHALLENGE_TRIES)?
            .ok_or_else(invalid_challenge)?;
    may_try(found.account_id)?;
    let account = AccountRow::find(conn, found.account_id)?.ok_or_else(invalid_challenge)?;
    let row = confirmed(conn, account.id).map_err(|_| invalid_challenge())?;
    let passed = match (code, recovery_code) {
        (Some(code), None) => take_code(conn, &row, &account.email, code, now)?,
        (None, Some(recovery)) => {
            let spent = spend_recovery_code(conn, account.id, recovery, now)?;
            if spent {
                Actor::for_account(&account.principal(), None, None).record(
                    conn,
                    "two_factor.recovery_code_used",
                    account.role().as_str(),
                    Some(account.id.to_string()),
                )?;
            }
            spent
        }
        _ => {
            return Err(AppError::invalid_field(
                "code",
                "give either `code` (from the app) or `recovery_code`, one of them",
            ))
        }
    };
    if !passed {
        ChallengeRow::failed(conn, found.id)?;
        return Ok(Answer::Wrong {
            account_id: account.id,
        });
    }
    if !ChallengeRow::spend(conn, found.id, now)? {
        return Err(invalid_challenge());
    }
    Ok(Answer::Passed(Box::new(account)))
}

/// Turns off the second factor of the account with `email` (the operator's command for a person
/// who lost every factor) and ends its sessions; the account, if there is one.
pub fn reset(conn: &mut DbConn, email: &types::email::Email) -> AppResult<Option<AccountRow>> {
    let Some(account) = AccountRow::find_by_email(conn, email)? else {
        return Ok(None);
    };
    TwoFactorRow::remove(conn, account.id)?;
    crate::db::tokens::RefreshTokenRow::revoke_all_of(conn, account.id)?;
    audit(conn, &Actor::default(), &account, "two_factor.reset")?;
    Ok(Some(account))
}
