//! An email address as the back office stores and compares it: without the spaces around it, in
//! lower case (sign-in, uniqueness and look-ups ignore case, as every peer does). Parsed once,
//! where a person's input arrives; the store's look-ups take it, so none normalises again.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// What a person typed, normalised. Whether it is an address at all is the validator's
    /// (`#[validate(email)]`) to say, before.
    pub fn parse(input: &str) -> Self {
        Self(input.trim().to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn an_address_is_kept_trimmed_and_in_lower_case() {
        assert_eq!(
            Email::parse("  Mark.Eting@Tulip.EXAMPLE \n").as_str(),
            "mark.eting@tulip.example"
        );
        assert_eq!(Email::parse("a@b.c"), Email::parse("A@B.C"));
    }
}
