use super::*;
use std::cmp::Ordering;

#[test]
fn versions_compare_number_by_number() {
    assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
    assert_eq!(compare_versions("1.0", "1"), Ordering::Equal);
    assert_eq!(compare_versions("2", "1.99.99"), Ordering::Greater);
    assert_eq!(compare_versions("1.4.0", "1.4.1"), Ordering::Less);
    assert!(valid_version_name("1.4.0").is_ok());
    assert!(valid_version_name("1..4").is_err());
    assert!(valid_version_name("v1").is_err());
    assert!(valid_version_name("1.2.3.4.5").is_err());
    assert!(locale("en-US").is_ok() && locale("fr").is_ok());
    assert!(locale("EN").is_err() && locale("en_US").is_err());
}
