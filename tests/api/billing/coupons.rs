//! Coupons: the invoices they discount, prices previewed with them, and the reasons one is refused.

use super::*;

both_backends! {
    async fn coupons_discount_the_invoices_their_duration_covers(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({"price": 10000})).await;
        app.post("coupons", Some(&admin), json!({"code": "Spring25", "percent_off": 25,
            "duration": "repeating", "duration_in_months": 2})).await.assert_status(StatusCode::CREATED);
        app.post("coupons", Some(&admin), json!({"code": "SPRING25", "percent_off": 10,
            "duration": "once"})).await.assert_problem(StatusCode::CONFLICT, "coupon_code_taken");
        app.post("coupons", Some(&admin), json!({"code": "TENOFF", "amount_off": 1000,
            "currency": "EUR", "duration": "forever"})).await.assert_status(StatusCode::CREATED);

        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id, "coupon_code": "spring25"})).await;
        sub.assert_status(StatusCode::CREATED);
        assert_eq!(sub.body["discount"]["code"], "Spring25");
        assert_eq!(sub.body["open_invoice"]["total"], 9000, "100.00 − 25 % + 20 % VAT");
        let sub_id = id(&sub);
        pay(&app, &customer, &sub_id, "pm_card_visa").await.assert_status(StatusCode::OK);

        // A second coupon is refused unless it replaces the first, and the first stays.
        let second = app.post(&format!("subscriptions/{sub_id}/coupon"), Some(&customer),
            json!({"code": "TENOFF"})).await;
        second.assert_problem(StatusCode::CONFLICT, "coupon_already_applied");

        // Month 2 is still within the two months; month 3 is not.
        assert_eq!(later(&app, 31).await.rolled, 1);
        let charged = payments(&app, &customer, &sub_id).await;
        assert_eq!(charged.len(), 2);
        assert_eq!(charged[0]["amount"], 9000);
        assert_eq!(charged[0]["status"], "succeeded");
        later(&app, 31).await;
        let charged = payments(&app, &customer, &sub_id).await;
        assert_eq!(charged[0]["amount"], 12000);
        let current = app.get(&format!("subscriptions/{sub_id}"), &customer).await;
        assert!(current.body.get("discount").is_none(), "the discount has ended");

        // With no discount in force, another coupon applies; an amount off lasts forever.
        let replaced = app.post(&format!("subscriptions/{sub_id}/coupon"), Some(&customer),
            json!({"code": "TENOFF"})).await;
        replaced.assert_status(StatusCode::OK);
        assert_eq!(replaced.body["upcoming"]["total"], 10800, "(100 − 10) + 20 %");
        for _ in 0..2 {
            later(&app, 31).await;
            assert_eq!(payments(&app, &customer, &sub_id).await[0]["amount"], 10800);
        }
    }

    async fn a_subscription_is_priced_before_it_is_made(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({"price": 10000, "trial_days": 14})).await;
        app.post("coupons", Some(&admin), json!({"code": "QUARTER", "percent_off": 25, "duration": "once"}))
            .await.assert_status(StatusCode::CREATED);
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let path = |query: &str| format!("apps/{app_id}/subscription/preview?{query}");
        let priced = app.get(&path(&format!("plan_id={plan_id}&coupon_code=quarter")), &customer).await;
        priced.assert_status(StatusCode::OK);
        assert_eq!((priced.body["discount"].clone(), priced.body["tax"].clone(), priced.body["total"].clone()),
            (json!(2500), json!(1500), json!(9000)));
        let at = priced.body["at"].as_str().expect("at").parse::<chrono::DateTime<chrono::Utc>>().expect("time");
        assert!(at > api::clock::now().and_utc() + chrono::Duration::days(13), "charged after the trial");
        let refused = app.get(&path(&format!("plan_id={plan_id}&coupon_code=NOPE")), &customer).await;
        refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "coupon_not_found");
        assert_eq!(refused.error_fields(), ["coupon_code"]);
        assert_eq!(app.get(&path("plan_id=999"), &customer).await.error_fields(), ["plan_id"]);
        // An EU business elsewhere than the seller pays no VAT (reverse charge).
        app.patch("me", &customer, json!({"country": "DE", "vat_id": "DE123456789"})).await
            .assert_status(StatusCode::OK);
        let business = app.get(&path(&format!("plan_id={plan_id}")), &customer).await;
        assert_eq!((business.body["tax"].clone(), business.body["total"].clone()), (json!(0), json!(10000)));
        // Nothing was stored, and another tenant's app is not found.
        assert_eq!(app.get("subscriptions", &customer).await.body["total"], 0);
        let (_, other, _) = customer_app(&app, 2).await;
        app.get(&format!("apps/{app_id}/subscription/preview?plan_id={plan_id}"), &other).await
            .assert_status(StatusCode::NOT_FOUND);
    }

    async fn coupons_are_refused_with_a_reason(app) {
        let admin = app.admin().await;
        let eur = plan(&app, &admin, json!({})).await;
        let other_plan = plan(&app, &admin, json!({"name": "Other"})).await;
        // Made while it could still be redeemed; an hour later it no longer can.
        let soon = (api::clock::now().and_utc() + chrono::Duration::minutes(30)).to_rfc3339();
        for coupon in [
            json!({"code": "OLD", "percent_off": 10, "duration": "once", "redeem_by": soon}),
            json!({"code": "ONCE-ONLY", "percent_off": 10, "duration": "once", "max_redemptions": 1}),
            json!({"code": "OTHER-PLAN", "percent_off": 10, "duration": "once", "plan_ids": [other_plan]}),
            json!({"code": "DOLLARS", "amount_off": 500, "currency": "USD", "duration": "once"}),
            json!({"code": "ONCE", "percent_off": 50, "duration": "once"}),
        ] {
            app.post("coupons", Some(&admin), coupon).await.assert_status(StatusCode::CREATED);
        }
        let bad = app.post("coupons", Some(&admin), json!({"code": "BOTH", "percent_off": 10,
            "amount_off": 100, "currency": "EUR", "duration": "once"})).await;
        assert_eq!(bad.error_fields(), ["percent_off"]);
        app.clock.advance(chrono::Duration::hours(1));

        let (partner, customer, app_id) = customer_app(&app, 1).await;
        for (code, refusal) in [("OLD", "coupon_expired"), ("OTHER-PLAN", "coupon_not_applicable"),
            ("DOLLARS", "coupon_currency_mismatch"), ("NOPE", "coupon_not_found")] {
            let refused = subscribe(&app, &customer, &app_id, json!({"plan_id": eur, "coupon_code": code})).await;
            refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, refusal);
            assert_eq!(refused.error_fields(), ["coupon_code"]);
        }
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": eur, "coupon_code": "ONCE-ONLY"})).await);
        let (_, other, other_app) = customer_app(&app, 2).await;
        subscribe(&app, &other, &other_app, json!({"plan_id": eur, "coupon_code": "once-only"})).await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "coupon_exhausted");

        // The first invoice used up that `once` discount; the next one waits for the next invoice,
        // and replacing it must be asked for.
        let current = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert!(current.body.get("discount").is_none());
        assert_eq!(current.body["open_invoice"]["total"], 5292, "(49.00 − 10 %) + 20 %");
        let coupon = format!("subscriptions/{sub}/coupon");
        let applied = app.post(&coupon, Some(&customer), json!({"code": "ONCE"})).await;
        applied.assert_status(StatusCode::OK);
        assert_eq!(applied.body["open_invoice"]["total"], 5292, "an issued invoice does not change");
        app.post(&coupon, Some(&customer), json!({"code": "ONCE"})).await
            .assert_problem(StatusCode::CONFLICT, "coupon_already_applied");
        app.post("coupons", Some(&admin), json!({"code": "QUARTER", "percent_off": 25, "duration": "forever"}))
            .await.assert_status(StatusCode::CREATED);
        let replaced = app.post(&coupon, Some(&customer), json!({"code": "QUARTER", "replace": true})).await;
        replaced.assert_status(StatusCode::OK);
        assert_eq!(replaced.body["discount"]["percent_off"], 25);

        // A partner's coupon is for its own customers.
        app.post("coupons", Some(&partner), json!({"code": "AGENCY1", "percent_off": 5, "duration": "forever"}))
            .await.assert_status(StatusCode::CREATED);
        subscribe(&app, &other, &other_app, json!({"plan_id": eur, "coupon_code": "AGENCY1"})).await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "coupon_not_found");
        app.get("coupons", &customer).await.assert_problem(StatusCode::FORBIDDEN, "partners_only");
        let own = app.get("coupons", &partner).await;
        assert_eq!(own.body["total"], 1);
    }
}
