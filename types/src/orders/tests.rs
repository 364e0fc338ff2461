use super::*;

fn order() -> CreateOrder {
    CreateOrder {
        order_number: "1001".into(),
        placed_at: DateTime::<Utc>::default(),
        currency: "EUR".into(),
        lines: vec![NewOrderLine {
            sku: "A".into(),
            name: "A thing".into(),
            quantity: 2,
            unit_price: 1000,
        }],
        shipping: 500,
        tax: 420,
        discount: 100,
        total: 2820,
        mobile_user_id: None,
        mobile_user_ref: None,
        guest_email: Some("guest@mail.example".into()),
        guest_name: Some("Guest".into()),
        installation_id: None,
        quote_id: None,
    }
}

#[test]
fn an_order_must_add_up_and_name_its_buyer() {
    assert!(order().validate().is_ok());
    let wrong = CreateOrder {
        total: 2821,
        ..order()
    };
    assert!(wrong.validate().is_err());
    let nobody = CreateOrder {
        guest_email: None,
        guest_name: None,
        ..order()
    };
    assert!(nobody.validate().is_err());
    let both = CreateOrder {
        mobile_user_id: Some("4".into()),
        ..order()
    };
    assert!(both.validate().is_err());
}

#[test]
fn every_status_but_canceled_leads_somewhere() {
    for status in OrderStatus::ALL {
        assert_eq!(status.next().is_empty(), *status == OrderStatus::Canceled);
    }
}
