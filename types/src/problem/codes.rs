//! Every `code` a problem can carry, with the HTTP status it comes with: one list, read by the
//! server (which answers with them), the spec (which lists them) and the SPA (which matches on
//! them).

/// Declares the codes: `Variant = "wire_code", status, "what it means"`.
macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $doc:literal;)*) => {
        /// A problem's stable machine code. The wire carries it as a string (`as_str`), so that a
        /// client built before a code was added still reads the problem; new codes may be added.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order declared.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The snake_case code on the wire, e.g. `email_taken`.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status answered with this code.
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// What the code means, for the spec's list.
            pub const fn meaning(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* }
            }
        }
    };
}

error_codes! {
    // Any request.
    BadRequest = "bad_request", 400, "The request could not be understood.";
    MalformedBody = "malformed_body", 400, "The body is not JSON, or not of the expected shape.";
    InvalidBody = "invalid_body", 400, "The upload could not be read to its end.";
    InvalidQuery = "invalid_query", 400, "A query parameter is unknown or unreadable.";
    InvalidIdempotencyKey = "invalid_idempotency_key", 400, "The `Idempotency-Key` header is empty, too long or not printable.";
    IdempotencyKeyReused = "idempotency_key_reused", 422, "The `Idempotency-Key` was used before with another request.";
    ValidationFailed = "validation_failed", 422, "Fields are invalid: `errors` names each with its message.";
    NotFound = "not_found", 404, "No such resource, or not one you may see.";
    MethodNotAllowed = "method_not_allowed", 405, "The resource does not support this method (`Allow` lists those it does).";
    StaleVersion = "stale_version", 412, "`If-Match` does not match the resource's `ETag`: it changed since you read it.";
    PayloadTooLarge = "payload_too_large", 413, "The body is over the size limit.";
    UnsupportedMediaType = "unsupported_media_type", 415, "The body is not of the media type the operation takes.";
    RateLimited = "rate_limited", 429, "Too many requests: retry after `Retry-After` seconds.";
    InternalError = "internal_error", 500, "Something went wrong on the server; it has been logged with the request id.";
    DatabaseUnavailable = "database_unavailable", 503, "The database cannot be reached: retry after `Retry-After` seconds.";
    StorageFull = "storage_full", 503, "The database's disk is full: nothing was saved.";
    // Signing in and credentials.
    MissingToken = "missing_token", 401, "No bearer token was sent.";
    InvalidToken = "invalid_token", 401, "The bearer token is unknown, expired, revoked or malformed.";
    InvalidCredentials = "invalid_credentials", 401, "The email and password do not match an account.";
    InvalidRefreshToken = "invalid_refresh_token", 401, "The refresh token is unknown or expired.";
    InvalidCode = "invalid_code", 401, "The code is wrong, or was used already.";
    InvalidChallenge = "invalid_challenge", 401, "The sign-in challenge is unknown, used or expired: sign in again.";
    TwoFactorAlreadyOn = "two_factor_already_on", 409, "Two-factor sign-in is on already.";
    TwoFactorNotStarted = "two_factor_not_started", 409, "Start the enrolment first.";
    TwoFactorOff = "two_factor_off", 409, "Two-factor sign-in is not on.";
    RefreshTokenReused = "refresh_token_reused", 401, "A refresh token was used twice: the session is ended.";
    InvalidAppKey = "invalid_app_key", 401, "The SDK API's app key is unknown or rotated.";
    InvalidLink = "invalid_link", 404, "A one-time link or code is unknown, already used or expired.";
    AccountLocked = "account_locked", 403, "The account is locked.";
    AccountNotActivated = "account_not_activated", 403, "The account has not been activated yet.";
    WrongCurrentPassword = "wrong_current_password", 403, "The current password given is not the account's.";
    InsufficientScope = "insufficient_scope", 403, "The API token's scopes do not cover this operation.";
    AppLimitedToken = "app_limited_token", 403, "The API token is limited to other apps.";
    AdminOnly = "admin_only", 403, "Only administrators may do this.";
    PartnersOnly = "partners_only", 403, "Only partners and administrators may do this.";
    NotWhileImpersonating = "not_while_impersonating", 403, "Not possible in a \"log in as\" session.";
    ReadOnlyImpersonation = "read_only_impersonation", 403, "This \"log in as\" session may only read.";
    LogInAsDisabled = "log_in_as_disabled", 403, "The customer does not allow \"log in as\".";
    // Accounts.
    EmailTaken = "email_taken", 409, "Another account (or another user of the app) already uses this email address.";
    CustomerNotActivated = "customer_not_activated", 409, "Only activated customers can be opened with \"log in as\".";
    CustomerNotPending = "customer_not_pending", 409, "Only a customer that has not activated yet gets an activation email.";
    CustomerHasApps = "customer_has_apps", 409, "The customer still owns apps: delete them first.";
    PartnerHasApps = "partner_has_apps", 409, "The partner still owns apps: delete them first.";
    PartnerHasCustomers = "partner_has_customers", 409, "The partner still has customers: move or delete them first.";
    PartnerNotFound = "partner_not_found", 404, "`partner_id` names no partner.";
    OwnerNotFound = "owner_not_found", 404, "`owner_id` names no account of yours that can own apps.";
    IllegalTransition = "illegal_transition", 409, "The object's status does not allow this change.";
    // Apps, mobile users, the SDK API.
    EditionRequired = "edition_required", 403, "Orders and quote requests need the Standard edition of the app.";
    EditionFollowsPlan = "edition_follows_plan", 409, "The app's edition follows its subscription's plan: change the plan.";
    ManagedByMagento = "managed_by_magento", 403, "The mobile users of a Magento app are managed in the Magento store.";
    // Orders and quotes.
    OrderNumberTaken = "order_number_taken", 409, "The app already reported another order with this number.";
    QuoteAlreadyOrdered = "quote_already_ordered", 409, "The quote request has already been ordered.";
    QuoteExpired = "quote_expired", 409, "The quote's offer has expired.";
    QuoteMismatch = "quote_mismatch", 409, "The order does not match the accepted offer of its quote request.";
    QuoteNotAccepted = "quote_not_accepted", 409, "The quote has not been accepted.";
    // Billing.
    NoSubscription = "no_subscription", 404, "The app has no subscription.";
    SubscriptionExists = "subscription_exists", 409, "The app already has a subscription: change its plan instead.";
    SubscriptionRequired = "subscription_required", 409, "Publishing needs an active subscription (or a trial) for the app.";
    SubscriptionEnded = "subscription_ended", 409, "The subscription has ended: subscribe the app again.";
    HasActiveSubscription = "has_active_subscription", 409, "A paid subscription is running: cancel it first.";
    PlanInUse = "plan_in_use", 409, "Subscriptions use the plan: its terms are fixed; archive it and create another.";
    PaymentPending = "payment_pending", 409, "A payment of the invoice is still being processed by the payment provider.";
    CardDeclined = "card_declined", 402, "The payment method was declined.";
    PaymentProviderUnavailable = "payment_provider_unavailable", 503, "The payment provider cannot be reached: retry later.";
    CouponNotFound = "coupon_not_found", 422, "No such coupon (or another partner's).";
    CouponExpired = "coupon_expired", 422, "The coupon has expired.";
    CouponNotApplicable = "coupon_not_applicable", 422, "The coupon does not apply to this plan.";
    CouponCurrencyMismatch = "coupon_currency_mismatch", 422, "The coupon's amount is in another currency than the plan.";
    CouponExhausted = "coupon_exhausted", 422, "The coupon has been redeemed as often as it may be.";
    CouponAlreadyApplied = "coupon_already_applied", 409, "A coupon is already applied to the subscription.";
    CouponCodeTaken = "coupon_code_taken", 409, "You already have a coupon with this code (whatever its case).";
    // Publishing.
    ListingIncomplete = "listing_incomplete", 422, "The store listing lacks what the store requires: `errors` names the fields.";
    RequestInFlight = "request_in_flight", 409, "Another request of the app already waits for this store.";
    FileTooLarge = "file_too_large", 422, "The uploaded file is over the size limit.";
    FileTypeMismatch = "file_type_mismatch", 422, "The file's name or declared type does not say what it is.";
    UnsupportedFileType = "unsupported_file_type", 422, "The file is not a PNG or JPEG image.";
    InvalidDimensions = "invalid_dimensions", 422, "The image's dimensions are not ones the store takes.";
    // Webhooks.
    EndpointDisabled = "endpoint_disabled", 409, "The webhook endpoint is disabled: enable it first.";
    EndpointLimitReached = "endpoint_limit_reached", 409, "The account has as many webhook endpoints as it may.";
    // Payment providers' events.
    InvalidEvent = "invalid_event", 400, "A payment provider's event could not be read.";
    InvalidSignature = "invalid_signature", 400, "A payment provider's event is unsigned, or its signature does not verify.";
}

impl ErrorCode {
    /// The problem type: a URI naming the kind of problem.
    pub fn problem_type(self) -> String {
        format!("https://backoffice.dev/problems/{}", self.as_str())
    }

    /// The code a wire string names, if it is one of ours.
    pub fn from_wire(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_is_distinct_snake_case_with_an_error_status() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "{wire} twice");
            assert!(
                wire.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{wire} is not snake_case"
            );
            assert!((400..600).contains(&code.status()), "{wire}");
            assert_eq!(ErrorCode::from_wire(wire), Some(*code));
            assert!(code.meaning().ends_with('.'), "{wire}: {}", code.meaning());
        }
        assert_eq!(ErrorCode::from_wire("no_such_code"), None);
    }
}
