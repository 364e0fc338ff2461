use super::*;

#[test]
#[cfg(feature = "password-strength")]
fn common_and_patterned_passwords_are_refused_and_passphrases_pass() {
    for weak in [
        "aaaaaaaaaa",
        "1234567890",
        "password12",
        "qwertyuiop",
        "Password2026!",
        "iloveyou12",
    ] {
        let refused = new_password(weak).expect_err(weak);
        assert_eq!(refused.code, "guessable", "{weak}");
    }
    for strong in [
        "correct horse 42",
        "demo-password-1",
        "a brand new pass 7",
        "yet another 12",
        "bench-password-1",
        "victims own 42",
        "janes own pass 1",
        "attacker pass 1",
        "another pass 12",
        "a new secret 77",
        "older link pass 1",
        "brand new pass 9",
        "a brand new password",
        "yet another password",
        "lindqvist bikes 7",
    ] {
        assert!(new_password(strong).is_ok(), "{strong} should pass");
    }
}

#[test]
fn a_password_is_10_to_128_characters() {
    assert_eq!(new_password("short").expect_err("short").code, "length");
    assert_eq!(
        new_password(&"é".repeat(129)).expect_err("long").code,
        "length"
    );
}

#[test]
fn country_and_currency_lists_are_sorted_so_binary_search_works() {
    assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
    assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn countries_are_checked_against_iso_3166() {
    assert!(country_code("NL").is_ok());
    assert!(country_code("nl").is_err());
    assert!(country_code("XX").is_err());
}

#[test]
fn email_addresses_are_checked() {
    for ok in [
        "jane@example.com",
        "j.doe+apps@mail.example.co.uk",
        "x@xn--bcher-kva.example",
    ] {
        assert!(email_address(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "jane",
        "jane@",
        "@example.com",
        "jane@example",
        "ja..ne@example.com",
        "jane@-x.com",
        "jané@example.com",
        "a b@example.com",
    ] {
        assert!(email_address(bad).is_err(), "{bad}");
    }
}

#[test]
fn an_id_is_a_positive_number() {
    assert!(numeric_id("42").is_ok());
    assert!(numeric_id("").is_err());
    assert!(numeric_id("4a").is_err());
    assert!(numeric_id("0").is_err());
}

#[test]
fn web_addresses_are_http_or_https() {
    for ok in [
        "https://shop.example",
        "http://shop.example:8080/store/?a=1",
        // IPv6 literals, bracketed; which of them may be called is the server's check.
        "http://[2606:4700::1111]/h",
        "https://[2606:4700::1111]:8443",
        "http://[::ffff:127.0.0.1]/h",
    ] {
        assert!(web_url(ok).is_ok(), "{ok}");
    }
    for bad in [
        "ftp://x",
        "https://",
        "https://a b",
        "https://x:port",
        "shop.example",
        "http://[2606:4700::1111",
        "http://[not-an-address]/h",
        "http://[::1]x/h",
        "http://[::1]:/h",
    ] {
        assert!(web_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn app_identifiers_are_reverse_domain_names() {
    assert!(app_identifier("com.example.shop").is_ok());
    assert!(app_identifier("com.example_2.my-shop").is_ok());
    for bad in ["shop", "com..shop", "1com.shop", "com.shop.", "com. shop"] {
        assert!(app_identifier(bad).is_err(), "{bad}");
    }
}

#[test]
fn phone_numbers_need_digits() {
    assert!(phone_number("+31 20 123 4567").is_ok());
    assert!(phone_number("call me").is_err());
    assert!(phone_number("123").is_err());
}

#[test]
fn event_ids_are_short_printable_tokens() {
    assert!(event_id("0b9e4c1a-7f3d-4e2b-8c6a-5d4e3f2a1b0c").is_ok());
    assert!(event_id("batch7:event.12").is_ok());
    assert!(event_id("short").is_err());
    assert!(event_id("with space here").is_err());
    assert!(event_id(&"x".repeat(65)).is_err());
    assert!(event_id("ünïcödé-ïd").is_err());
}
