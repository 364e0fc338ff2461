use super::*;

#[test]
fn a_unique_violation_is_answered_by_its_index_on_either_backend() {
    let pg = unique_violation(Some("mobile_users_email_key"), "duplicate key value");
    let sqlite = unique_violation(
        None,
        "UNIQUE constraint failed: mobile_users.app_id, mobile_users.email",
    );
    for found in [pg, sqlite] {
        let answer = found.map(|f| f().problem());
        assert_eq!(
            answer.map(|p| (p.status, p.code)),
            Some((409, "email_taken".into()))
        );
    }
    assert!(unique_violation(Some("accounts_email_key"), "").is_some());
}

#[test]
fn another_unique_violation_is_not_mistaken_for_a_taken_email() {
    // Before, any message that mentioned "email" became `email_taken`.
    assert!(unique_violation(Some("apps_app_key_key"), "duplicate key (email)").is_none());
    assert!(unique_violation(None, "UNIQUE constraint failed: emails.to_address").is_none());
}
