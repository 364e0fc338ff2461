// Written by hand (not `diesel print-schema`): one schema must serve both backends, so every column
// uses a SQL type both support (`Timestamp` holds UTC times).

diesel::table! {
    accounts (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        status -> Text,
        first_name -> Text,
        last_name -> Text,
        company -> Nullable<Text>,
        phone -> Nullable<Text>,
        country -> Nullable<Text>,
        partner_id -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        billing_name -> Nullable<Text>,
        billing_address -> Nullable<Text>,
        vat_id -> Nullable<Text>,
        coupon_max_percent_off -> Nullable<Integer>,
        allow_log_in_as -> Bool,
    }
}

diesel::table! {
    two_factor (account_id) {
        account_id -> BigInt,
        totp_secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        account_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_challenges (id) {
        id -> BigInt,
        account_id -> BigInt,
        challenge_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        failures -> Integer,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        account_id -> BigInt,
        family_id -> Text,
        impersonator_id -> Nullable<BigInt>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        family_id -> Text,
        token_hash -> Text,
        impersonator_id -> Nullable<BigInt>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        read_only -> Bool,
        session_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        prefix -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        scope -> Text,
        app_ids -> Nullable<Text>,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        read_only -> Bool,
    }
}

diesel::table! {
    emails (id) {
        id -> BigInt,
        to_address -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamp,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        actor_email -> Nullable<Text>,
        actor_partner_id -> Nullable<BigInt>,
        impersonator_id -> Nullable<BigInt>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
        subject_name -> Nullable<Text>,
    }
}

diesel::table! {
    apps (id) {
        id -> BigInt,
        owner_id -> BigInt,
        name -> Text,
        kind -> Text,
        edition -> Text,
        store_url -> Nullable<Text>,
        icon_url -> Nullable<Text>,
        ios_bundle_id -> Nullable<Text>,
        android_package_name -> Nullable<Text>,
        app_key -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    devices (id) {
        id -> BigInt,
        app_id -> BigInt,
        installation_id -> Text,
        platform -> Text,
        model -> Text,
        os_version -> Text,
        app_version -> Text,
        locale -> Nullable<Text>,
        timezone -> Nullable<Text>,
        push_token -> Nullable<Text>,
        push_enabled -> Bool,
        first_seen_at -> Timestamp,
        last_seen_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        dead_push_token -> Nullable<Text>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        app_id -> BigInt,
        device_id -> BigInt,
        kind -> Text,
        occurred_at -> Timestamp,
        duration_secs -> Nullable<Integer>,
        message_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mobile_users (id) {
        id -> BigInt,
        app_id -> BigInt,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        phone -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sdk_ref -> Nullable<Text>,
    }
}

diesel::table! {
    quote_requests (id) {
        id -> BigInt,
        app_id -> BigInt,
        status -> Text,
        message -> Nullable<Text>,
        contact_name -> Text,
        contact_email -> Text,
        contact_phone -> Nullable<Text>,
        mobile_user_id -> Nullable<BigInt>,
        valid_until -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quote_lines (id) {
        id -> BigInt,
        quote_id -> BigInt,
        position -> Integer,
        sku -> Text,
        name -> Text,
        quantity -> BigInt,
    }
}

diesel::table! {
    quote_responses (id) {
        id -> BigInt,
        quote_id -> BigInt,
        currency -> Text,
        total -> BigInt,
        message -> Nullable<Text>,
        valid_until -> Timestamp,
        responder_id -> Nullable<BigInt>,
        responder_email -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    quote_response_lines (id) {
        id -> BigInt,
        response_id -> BigInt,
        sku -> Text,
        unit_price -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        app_id -> BigInt,
        order_number -> Text,
        status -> Text,
        currency -> Text,
        placed_at -> Timestamp,
        subtotal -> BigInt,
        shipping -> BigInt,
        tax -> BigInt,
        discount -> BigInt,
        total -> BigInt,
        refunded_amount -> BigInt,
        line_count -> BigInt,
        mobile_user_id -> Nullable<BigInt>,
        buyer_email -> Nullable<Text>,
        buyer_name -> Nullable<Text>,
        guest -> Bool,
        installation_id -> Nullable<Text>,
        device_id -> Nullable<BigInt>,
        quote_id -> Nullable<BigInt>,
        content_hash -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_lines (id) {
        id -> BigInt,
        order_id -> BigInt,
        position -> Integer,
        sku -> Text,
        name -> Text,
        quantity -> BigInt,
        unit_price -> BigInt,
    }
}

diesel::table! {
    order_events (id) {
        id -> BigInt,
        order_id -> BigInt,
        status -> Text,
        actor_id -> Nullable<BigInt>,
        actor_email -> Nullable<Text>,
        impersonator_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        refunded_amount -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plans (id) {
        id -> BigInt,
        name -> Text,
        edition -> Text,
        billing_interval -> Text,
        price -> BigInt,
        currency -> Text,
        trial_days -> Integer,
        active -> Bool,
        publish_in_trial -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coupons (id) {
        id -> BigInt,
        code -> Text,
        code_key -> Text,
        partner_id -> Nullable<BigInt>,
        percent_off -> Nullable<Integer>,
        amount_off -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        duration -> Text,
        duration_in_months -> Nullable<Integer>,
        redeem_by -> Nullable<Timestamp>,
        max_redemptions -> Nullable<Integer>,
        times_redeemed -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coupon_plans (coupon_id, plan_id) {
        coupon_id -> BigInt,
        plan_id -> BigInt,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> BigInt,
        app_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        app_name -> Text,
        plan_id -> BigInt,
        next_plan_id -> Nullable<BigInt>,
        status -> Text,
        billing_anchor -> Timestamp,
        current_period_start -> Timestamp,
        current_period_end -> Timestamp,
        trial_end -> Nullable<Timestamp>,
        cancel_at_period_end -> Bool,
        canceled_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        payment_method -> Nullable<Text>,
        coupon_id -> Nullable<BigInt>,
        discount_code -> Nullable<Text>,
        discount_percent_off -> Nullable<Integer>,
        discount_amount_off -> Nullable<BigInt>,
        discount_currency -> Nullable<Text>,
        discount_duration -> Nullable<Text>,
        discount_start -> Nullable<Timestamp>,
        discount_end -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invoices (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        app_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        number -> Nullable<Text>,
        status -> Text,
        currency -> Text,
        period_start -> Timestamp,
        period_end -> Timestamp,
        subtotal -> BigInt,
        discount -> BigInt,
        discount_code -> Nullable<Text>,
        tax -> BigInt,
        total -> BigInt,
        amount_paid -> BigInt,
        reverse_charge -> Bool,
        customer_name -> Text,
        customer_email -> Text,
        customer_address -> Nullable<Text>,
        customer_country -> Nullable<Text>,
        customer_vat_id -> Nullable<Text>,
        seller_name -> Text,
        seller_address -> Text,
        seller_vat_id -> Nullable<Text>,
        attempt_count -> Integer,
        next_payment_attempt -> Nullable<Timestamp>,
        issued_at -> Nullable<Timestamp>,
        paid_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invoice_lines (id) {
        id -> BigInt,
        invoice_id -> BigInt,
        description -> Text,
        quantity -> BigInt,
        unit_price -> BigInt,
        amount -> BigInt,
        vat_rate -> Integer,
        period_start -> Timestamp,
        period_end -> Timestamp,
    }
}

diesel::table! {
    invoice_counters (year) {
        year -> Integer,
        last_number -> BigInt,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        invoice_id -> BigInt,
        invoice_number -> Text,
        subscription_id -> BigInt,
        app_id -> Nullable<BigInt>,
        app_name -> Text,
        owner_id -> Nullable<BigInt>,
        amount -> BigInt,
        currency -> Text,
        status -> Text,
        payment_method -> Text,
        failure_code -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        provider -> Text,
        provider_reference -> Nullable<Text>,
        created_at -> Timestamp,
        settled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    provider_customers (account_id, provider) {
        account_id -> BigInt,
        provider -> Text,
        reference -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        account_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        response_headers -> Nullable<Text>,
    }
}

diesel::table! {
    assets (id) {
        id -> BigInt,
        app_id -> BigInt,
        kind -> Text,
        sha256 -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        width -> Integer,
        height -> Integer,
        file_name -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    publish_requests (id) {
        id -> BigInt,
        app_id -> BigInt,
        store -> Text,
        version_name -> Text,
        build_number -> BigInt,
        release_notes -> Text,
        listing -> Text,
        status -> Text,
        revision -> Integer,
        review_note -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    publish_events (id) {
        id -> BigInt,
        request_id -> BigInt,
        status -> Text,
        revision -> Integer,
        note -> Nullable<Text>,
        actor_email -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    analytics_quarters (app_id, starts_at) {
        app_id -> BigInt,
        starts_at -> Timestamp,
        sessions -> BigInt,
        push_opens -> BigInt,
        ended -> BigInt,
        duration -> BigInt,
        installs -> BigInt,
    }
}

diesel::table! {
    analytics_device_hours (app_id, starts_at) {
        app_id -> BigInt,
        starts_at -> Timestamp,
        devices -> Binary,
    }
}

diesel::table! {
    analytics_pending (id) {
        id -> BigInt,
        app_id -> BigInt,
        starts_at -> Timestamp,
        sessions -> BigInt,
        push_opens -> BigInt,
        ended -> BigInt,
        duration -> BigInt,
        installs -> BigInt,
        devices -> Nullable<Binary>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        account_id -> BigInt,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Nullable<Text>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        event_type -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        response_status -> Nullable<Integer>,
        response_ms -> Nullable<Integer>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    push_settings (app_id) {
        app_id -> BigInt,
        fcm_credentials -> Nullable<Text>,
        fcm_project_id -> Nullable<Text>,
        fcm_client_email -> Nullable<Text>,
        fcm_key_id -> Nullable<Text>,
        apns_credentials -> Nullable<Text>,
        apns_key_id -> Nullable<Text>,
        apns_team_id -> Nullable<Text>,
        apns_topic -> Nullable<Text>,
        apns_environment -> Nullable<Text>,
        quiet_start -> Nullable<Integer>,
        quiet_end -> Nullable<Integer>,
        daily_cap -> Nullable<Integer>,
        order_status_enabled -> Bool,
        order_status_template -> Nullable<Text>,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    push_messages (id) {
        id -> BigInt,
        app_id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        deep_link -> Nullable<Text>,
        image_url -> Nullable<Text>,
        data -> Nullable<Text>,
        target -> Nullable<Text>,
        status -> Text,
        send_at -> Nullable<Timestamp>,
        local_time -> Nullable<Text>,
        fanout_after -> Nullable<BigInt>,
        fanned_out -> Bool,
        targeted -> Integer,
        sent -> Integer,
        failed -> Integer,
        created_by -> Nullable<BigInt>,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    push_deliveries (id) {
        id -> BigInt,
        message_id -> BigInt,
        device_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        reason -> Nullable<Text>,
        error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(api_tokens -> accounts (account_id));
diesel::joinable!(one_time_tokens -> accounts (account_id));
diesel::joinable!(apps -> accounts (owner_id));
diesel::joinable!(devices -> apps (app_id));
diesel::joinable!(events -> devices (device_id));
diesel::joinable!(mobile_users -> apps (app_id));
diesel::joinable!(quote_requests -> apps (app_id));
diesel::joinable!(quote_lines -> quote_requests (quote_id));
diesel::joinable!(quote_responses -> quote_requests (quote_id));
diesel::joinable!(quote_response_lines -> quote_responses (response_id));
diesel::joinable!(orders -> apps (app_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(subscriptions -> apps (app_id));
diesel::joinable!(invoices -> subscriptions (subscription_id));
diesel::joinable!(invoice_lines -> invoices (invoice_id));
diesel::joinable!(payments -> invoices (invoice_id));
diesel::joinable!(payments -> subscriptions (subscription_id));
diesel::joinable!(coupon_plans -> coupons (coupon_id));
diesel::joinable!(provider_customers -> accounts (account_id));
diesel::joinable!(assets -> apps (app_id));
diesel::joinable!(publish_requests -> apps (app_id));
diesel::joinable!(publish_events -> publish_requests (request_id));
diesel::joinable!(webhook_endpoints -> accounts (account_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(push_settings -> apps (app_id));
diesel::joinable!(push_messages -> apps (app_id));
diesel::joinable!(push_deliveries -> push_messages (message_id));
diesel::joinable!(push_deliveries -> devices (device_id));
diesel::allow_tables_to_appear_in_same_query!(
    push_settings,
    push_messages,
    push_deliveries,
    accounts,
    refresh_tokens,
    sessions,
    two_factor,
    recovery_codes,
    login_challenges,
    api_tokens,
    one_time_tokens,
    emails,
    audit_events,
    apps,
    devices,
    events,
    mobile_users,
    quote_requests,
    quote_lines,
    quote_responses,
    quote_response_lines,
    orders,
    order_lines,
    order_events,
    plans,
    coupons,
    coupon_plans,
    subscriptions,
    invoices,
    invoice_lines,
    invoice_counters,
    payments,
    provider_customers,
    idempotency_keys,
    assets,
    publish_requests,
    publish_events,
    analytics_quarters,
    analytics_device_hours,
    analytics_pending,
    webhook_endpoints,
    webhook_events,
    webhook_deliveries,
);
