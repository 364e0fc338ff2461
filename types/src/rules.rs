//! Validation rules shared by the API and the browser forms, and the OpenAPI schemas that state
//! the same rules to generated clients.
//!
//! Passwords follow NIST SP 800-63B: a length range and no composition rules.

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use validator::ValidationError;

/// An email address: ASCII `local@domain` (RFC 5321 sizes; internationalised domains in their
/// punycode `xn--` form). Written here rather than taken from `validator` so the browser build
/// does not carry IDNA tables for it.
pub fn email_address(email: &str) -> Result<(), ValidationError> {
    fn dot_atom(s: &str) -> bool {
        !s.is_empty()
            && !s.starts_with('.')
            && !s.ends_with('.')
            && !s.contains("..")
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    }
    fn label(l: &str) -> bool {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }
    let valid = email.rsplit_once('@').is_some_and(|(local, domain)| {
        local.len() <= 64
            && dot_atom(local)
            && domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(label)
    });
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("email").with_message("must be a valid email address".into()))
    }
}

/// An id in a query string: a positive number.
pub fn numeric_id(id: &str) -> Result<(), ValidationError> {
    let ok = !id.is_empty()
        && id.len() <= 18
        && id.chars().all(|c| c.is_ascii_digit())
        && !id.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("id").with_message("must be an id (a positive number)".into()))
    }
}

/// The `Country` schema: an ISO 3166-1 alpha-2 code, one of `COUNTRIES`. One named schema, so
/// that generated clients get one `Country` type.
pub struct Country;

impl utoipa::PartialSchema for Country {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(COUNTRIES.iter().copied()))
            .description(Some("ISO 3166-1 alpha-2 country code"))
            .examples([serde_json::json!("NL")])
            .into()
    }
}

impl utoipa::ToSchema for Country {}

/// OpenAPI schema of an optional `country` field: a `Country`, or null.
pub fn country_schema() -> RefOr<Schema> {
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(Ref::from_schema_name("Country"))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    ))
}

/// ISO 3166-1 alpha-2 country codes.
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// `country` must be an ISO 3166-1 alpha-2 code in capitals (`NL`, `US`).
pub fn country_code(code: &str) -> Result<(), ValidationError> {
    if COUNTRIES.binary_search(&code).is_ok() {
        Ok(())
    } else {
        Err(ValidationError::new("country")
            .with_message("must be an ISO 3166-1 alpha-2 country code such as NL or US".into()))
    }
}

/// The `Currency` schema: an ISO 4217 code of a currency in circulation, one of `CURRENCIES`.
/// Amounts beside it are integers in its minor unit (cents for `EUR`, yen for `JPY`).
pub struct Currency;

impl utoipa::PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CURRENCIES.iter().copied()))
            .description(Some(
                "ISO 4217 currency code; amounts beside it are integers in its minor unit",
            ))
            .examples([serde_json::json!("EUR")])
            .into()
    }
}

impl utoipa::ToSchema for Currency {}

/// ISO 4217 codes of the currencies in circulation (no funds, metals or test codes; withdrawn
/// codes such as `HRK`, `SLL` or `ZWL` are refused).
pub const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD",
    "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN",
    "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
    "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES",
    "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN",
    "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP",
    "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
    "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT",
    "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// `currency` must be an ISO 4217 code in capitals (`EUR`, `USD`, `JPY`).
pub fn currency_code(code: &str) -> Result<(), ValidationError> {
    if CURRENCIES.binary_search(&code).is_ok() {
        Ok(())
    } else {
        Err(ValidationError::new("currency")
            .with_message("must be an ISO 4217 currency code such as EUR or USD".into()))
    }
}

/// A VAT identification number: 4 to 20 letters and digits (spaces and dots are not kept).
pub fn vat_id(id: &str) -> Result<(), ValidationError> {
    if (4..=20).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(ValidationError::new("vat_id").with_message(
            "must be a VAT number: 4 to 20 letters and digits, such as DE123456789".into(),
        ))
    }
}

/// A phone number: digits, spaces and `+ - ( ) .`, with 6 to 20 digits.
pub fn phone_number(phone: &str) -> Result<(), ValidationError> {
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if allowed && (6..=20).contains(&digits) {
        Ok(())
    } else {
        Err(ValidationError::new("phone")
            .with_message("must be a phone number of 6 to 20 digits".into()))
    }
}

/// A password someone chooses: 10 to 128 characters and, on the server, not one a cracker tries
/// early — the common and breached ones (`password12`, `1234567890`, `aaaaaaaaaa`), keyboard rows,
/// dates, names and words with digits stuck on. Strength is zxcvbn's estimate (Dropbox's, from
/// 30 000 common passwords and word lists), and at least 10¹⁰ guesses are asked — what it calls
/// "safely unguessable" against an online attack and a slow hash offline. The SPA checks the
/// length only: the word lists would weigh on every page load.
pub fn new_password(password: &str) -> Result<(), ValidationError> {
    if !(10..=128).contains(&password.chars().count()) {
        return Err(
            ValidationError::new("length").with_message("must be 10 to 128 characters".into())
        );
    }
    #[cfg(feature = "password-strength")]
    {
        let estimate = zxcvbn::zxcvbn(password, &[]);
        if estimate.score() < zxcvbn::Score::Three {
            let why = estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
                .unwrap_or_default();
            return Err(ValidationError::new("guessable").with_message(
                format!("is too easy to guess{why}: add a few uncommon words").into(),
            ));
        }
    }
    Ok(())
}

/// A mobile user's SDK handle as `POST /sdk/mobile-users` answers it: `mu_` and up to 60
/// base64url characters.
pub fn mobile_user_ref(value: &str) -> Result<(), ValidationError> {
    let ok = value.strip_prefix("mu_").is_some_and(|rest| {
        (1..=60).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("mobile_user_ref")
            .with_message("must be a handle that POST /sdk/mobile-users answered (mu_…)".into()))
    }
}

/// Names and other free text must not be blank.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new("blank").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}

/// A person's name (or a company's) as it appears in emails and on screen: not blank, and free
/// of what would let a stranger write to someone through it — control characters (CR, LF, NUL,
/// tab…), invisible direction overrides (U+202E and kin, which make text read backwards) and web
/// addresses (a sign-up form is not a way to mail a link to anyone).
pub fn person_name(value: &str) -> Result<(), ValidationError> {
    not_blank(value)?;
    plain_text(value)
}

/// Free text shown to other people (a company name): as [`person_name`], but may be blank.
pub fn plain_text(value: &str) -> Result<(), ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() || is_direction_mark(c))
    {
        return Err(ValidationError::new("control_character")
            .with_message("must not contain control or text-direction characters".into()));
    }
    if looks_like_a_link(value) {
        return Err(
            ValidationError::new("link").with_message("must not contain a web address".into())
        );
    }
    Ok(())
}

/// Unicode's bidirectional formatting characters (embeddings, overrides, isolates, marks).
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `scheme://…`, `www.…`, or a word with a dot followed by a path (`evil.example/login`).
fn looks_like_a_link(value: &str) -> bool {
    let lower = value.to_lowercase();
    lower.contains("://")
        || lower.split_whitespace().any(|word| {
            word.starts_with("www.")
                || word
                    .find('.')
                    .is_some_and(|dot| word[dot..].contains('/') && dot > 0)
        })
}

/// A web address: `http(s)://host[:port][/path]`, printable ASCII only, the host a name or a
/// bracketed IPv6 literal (the schemas state it as
/// `^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[!-~]*)?$`). Whether the host
/// may be called at all (public addresses only) is the server's check, not this one.
pub fn web_url(url: &str) -> Result<(), ValidationError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let valid = rest.is_some_and(|rest| {
        let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        let (host_ok, port) = match authority.strip_prefix('[') {
            Some(literal) => match literal.split_once(']') {
                Some((ip, after)) => (
                    ip.parse::<std::net::Ipv6Addr>().is_ok(),
                    if after.is_empty() {
                        Some("1")
                    } else {
                        after.strip_prefix(':')
                    },
                ),
                None => (false, None),
            },
            None => {
                let (host, port) = authority.split_once(':').unwrap_or((authority, "1"));
                let name = !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
                (name, Some(port))
            }
        };
        host_ok
            && port.is_some_and(|port| {
                (1..=5).contains(&port.len()) && port.chars().all(|c| c.is_ascii_digit())
            })
            && path.chars().all(|c| c.is_ascii_graphic())
    });
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("url")
            .with_message("must be an http:// or https:// address".into()))
    }
}

/// An iOS bundle id or Android package name: dot-separated segments of letters, digits, `-`
/// (iOS) or `_` (Android), at least two of them (`com.example.shop`).
pub fn app_identifier(id: &str) -> Result<(), ValidationError> {
    let segments: Vec<&str> = id.split('.').collect();
    let valid = segments.len() >= 2
        && segments.iter().all(|s| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("app_identifier")
            .with_message("must be a reverse-domain identifier such as com.example.shop".into()))
    }
}

/// An id an app gives its own event: 8 to 64 of `A-Z a-z 0-9 . _ : -` (a UUID fits).
pub fn event_id(id: &str) -> Result<(), ValidationError> {
    let valid = (8..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("event_id")
            .with_message("must be 8 to 64 letters, digits or . _ : - (a UUID fits)".into()))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod name_tests {
    use super::person_name;

    #[test]
    fn names_of_people_pass() {
        for name in [
            "Jane",
            "Jean-Luc",
            "O'Brien",
            "J.R.R.",
            "Zoë Ångström",
            "李小龙",
            "Doe & Co. 2/3",
        ] {
            assert!(person_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_carrying_lines_overrides_or_links_are_refused() {
        for name in [
            "Jane\r\nBcc: x@y.z",
            "Ja\0ne",
            "Jane\u{202E}gpj.exe",
            "URGENT - verify at https://evil.example/login",
            "see www.evil.example",
            "evil.example/login",
            " ",
        ] {
            assert!(person_name(name).is_err(), "{name:?}");
        }
    }
}
