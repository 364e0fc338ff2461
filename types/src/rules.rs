//! Validation rules shared by the API and the browser forms.

use validator::ValidationError;

/// Shortest accepted password.
pub const PASSWORD_MIN: u64 = 10;
/// Longest accepted password (argon2 cost is bounded by it).
pub const PASSWORD_MAX: u64 = 128;

/// A password must mix at least two kinds of characters (letters, digits, others) so that
/// `aaaaaaaaaa` and `1234567890` are refused.
pub fn password_strength(password: &str) -> Result<(), ValidationError> {
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    let has_other = password.chars().any(|c| !c.is_alphanumeric());
    let kinds = [has_letter, has_digit, has_other].iter().filter(|k| **k).count();
    if kinds >= 2 {
        Ok(())
    } else {
        Err(ValidationError::new("weak_password")
            .with_message("must mix letters with digits or symbols".into()))
    }
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

/// A phone number: digits, spaces and `+ - ( ) .`, with 6 to 20 digits.
pub fn phone_number(phone: &str) -> Result<(), ValidationError> {
    let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if allowed && (6..=20).contains(&digits) {
        Ok(())
    } else {
        Err(ValidationError::new("phone")
            .with_message("must be a phone number of 6 to 20 digits".into()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_list_is_sorted_so_binary_search_works() {
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn countries_are_checked_against_iso_3166() {
        assert!(country_code("NL").is_ok());
        assert!(country_code("nl").is_err());
        assert!(country_code("XX").is_err());
    }

    #[test]
    fn a_password_of_one_kind_of_character_is_weak() {
        assert!(password_strength("aaaaaaaaaaaa").is_err());
        assert!(password_strength("123456789012").is_err());
        assert!(password_strength("correct horse battery").is_ok());
        assert!(password_strength("s3cretpassw0rd").is_ok());
    }

    #[test]
    fn phone_numbers_need_digits() {
        assert!(phone_number("+31 20 123 4567").is_ok());
        assert!(phone_number("call me").is_err());
        assert!(phone_number("123").is_err());
    }
}
