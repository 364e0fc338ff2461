//! Orders and quote requests for the demo's Standard apps, through the same code the SDK routes
//! and the owner's routes run (`crate::orders`, `crate::quotes`): orders in every status over the
//! 90 days, and quote requests in every status, one of them ordered.

use chrono::{Duration, NaiveDateTime, Timelike};
use rand::rngs::StdRng;
use rand::Rng;
use types::mobile_users::MobileUserFilter;
use types::orders::{CreateOrder, NewOrderLine, OrderStatus, UpdateOrder};
use types::quotes::{CreateQuoteRequest, CreateQuoteResponse, QuoteLine, QuotedPrice};

use crate::db::accounts::AccountRow;
use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::mobile_users::MobileUserRow;
use crate::db::page::Paging;
use crate::db::quotes;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::orders::{self, Intake};

/// A shop's catalogue: (sku, name, unit price in cents), and what it sells only on request.
struct Catalogue {
    prefix: &'static str,
    products: [(&'static str, &'static str, i64); 8],
    on_request: [(&'static str, &'static str); 4],
}

const FASHION: Catalogue = Catalogue {
    prefix: "TF",
    products: [
        ("TEE-WHT-M", "T-shirt, white, M", 1995),
        ("JEANS-SLIM-32", "Slim jeans, 32", 7995),
        ("DRESS-FLR-S", "Floral dress, S", 5995),
        ("SNEAKER-42", "Canvas sneakers, 42", 6495),
        ("SCARF-WOOL", "Wool scarf", 2995),
        ("BELT-LTHR", "Leather belt", 3495),
        ("SOCKS-3P", "Socks, 3 pairs", 1295),
        ("JACKET-RAIN", "Rain jacket", 11995),
    ],
    on_request: [
        ("BRIDAL-CUSTOM", "Made-to-measure bridal dress"),
        ("SUIT-TAILORED", "Tailored suit"),
        ("UNIFORM-STAFF", "Staff uniforms"),
        ("EMBROIDERY-LOGO", "Logo embroidery"),
    ],
};

const BIKE_PARTS: Catalogue = Catalogue {
    prefix: "BP",
    products: [
        ("CHAIN-11S", "Chain, 11-speed", 3495),
        ("TYRE-700-28", "Road tyre 700×28", 4250),
        ("BRAKE-PADS", "Disc brake pads", 1895),
        ("SADDLE-PRO", "Saddle, carbon rails", 12900),
        ("LIGHT-SET", "Front and rear light set", 5995),
        ("TUBE-700", "Inner tube 700c", 795),
        ("CASSETTE-11", "Cassette 11-32", 6950),
        ("BOTTLE-750", "Water bottle 750 ml", 895),
    ],
    on_request: [
        ("FRAME-CUSTOM", "Custom-built frame"),
        ("WHEELSET-CARBON", "Carbon wheelset"),
        ("FLEET-SERVICE", "Fleet service contract"),
        ("EBIKE-KIT", "E-bike conversion kit"),
    ],
};

/// Seeds `orders` orders and a handful of quote requests into a Standard `app` owned by
/// `owner_id`; `installations` are the app's demo devices.
pub fn seed(
    conn: &mut DbConn,
    app: &AppRow,
    owner_id: i64,
    installations: &[String],
    orders: u32,
    rng: &mut StdRng,
    now: NaiveDateTime,
) -> AppResult<()> {
    let catalogue = if app.name.contains("Bike") {
        &BIKE_PARTS
    } else {
        &FASHION
    };
    let owner = AccountRow::find(conn, owner_id)?.ok_or_else(AppError::not_found)?;
    let actor = Actor::for_account(&owner.principal(), None, None);
    let (users, _) = MobileUserRow::list(
        conn,
        app.id,
        &MobileUserFilter::default(),
        &Paging::chunk(None, 200),
    )?;
    for n in 0..orders {
        // More orders lately, as the app grows.
        let days_ago = (1.0 - f64::from(rng.gen_range(0_u32..1000)) / 1000.0).powi(2) * 88.0;
        let placed_at = (now - Duration::minutes((days_ago * 1440.0) as i64))
            .with_nanosecond(0)
            .unwrap_or(now);
        let order = demo_order(catalogue, rng, n, placed_at, installations, &users);
        let Intake::Created(mut stored) = orders::take_order(conn, app, &order, placed_at)? else {
            continue;
        };
        // Older orders have moved further along.
        let age = (now - placed_at).num_days();
        let mut path = vec![];
        if age >= 1 {
            path.push(OrderStatus::Processing);
        }
        if age >= 2 {
            path.push(OrderStatus::Shipped);
        }
        if age >= 6 {
            path.push(OrderStatus::Completed);
        }
        let roll = rng.gen_range(0..100);
        if roll < 6 {
            path.truncate(usize::from(age >= 1));
            path.push(OrderStatus::Canceled);
        } else if roll < 10 && age >= 6 {
            path.push(OrderStatus::Refunded);
        }
        for (i, status) in path.into_iter().enumerate() {
            let at = placed_at + Duration::hours(6 + 20 * i as i64);
            let change = UpdateOrder {
                status,
                note: match status {
                    OrderStatus::Shipped => Some(format!(
                        "PostNL 3S{:010}",
                        rng.gen_range(0..10_000_000_000_u64)
                    )),
                    OrderStatus::Canceled => Some("Out of stock".into()),
                    OrderStatus::Refunded => Some("Returned by the buyer".into()),
                    _ => None,
                },
                refunded_amount: None,
            };
            stored = orders::move_order(conn, &stored, &change, &actor, at.min(now))?;
        }
    }
    seed_quotes(conn, app, catalogue, &actor, installations, rng, now)
}

fn demo_order(
    catalogue: &Catalogue,
    rng: &mut StdRng,
    n: u32,
    placed_at: NaiveDateTime,
    installations: &[String],
    users: &[MobileUserRow],
) -> CreateOrder {
    let mut lines: Vec<NewOrderLine> = Vec::new();
    for _ in 0..rng.gen_range(1..=3) {
        let (sku, name, price) = catalogue.products[rng.gen_range(0..catalogue.products.len())];
        if lines.iter().any(|l| l.sku == sku) {
            continue;
        }
        lines.push(NewOrderLine {
            sku: sku.into(),
            name: name.into(),
            quantity: rng.gen_range(1..=2),
            unit_price: price,
        });
    }
    let subtotal: i64 = lines.iter().map(|l| l.quantity * l.unit_price).sum();
    let shipping = if subtotal >= 5000 { 0 } else { 495 };
    let discount = if rng.gen_bool(0.15) { subtotal / 10 } else { 0 };
    let tax = (subtotal - discount) * 21 / 121;
    let user =
        (!users.is_empty() && rng.gen_bool(0.6)).then(|| &users[rng.gen_range(0..users.len())]);
    CreateOrder {
        order_number: format!("{}-{:06}", catalogue.prefix, 100_000 + n),
        placed_at: placed_at.and_utc(),
        currency: "EUR".into(),
        total: subtotal + shipping + tax - discount,
        lines,
        shipping,
        tax,
        discount,
        mobile_user_id: user.map(|u| u.id.to_string()),
        mobile_user_ref: None,
        guest_email: user.is_none().then(|| format!("guest{n}@mail.demo.test")),
        guest_name: user.is_none().then(|| "Guest Buyer".to_owned()),
        installation_id: (!installations.is_empty())
            .then(|| installations[rng.gen_range(0..installations.len())].clone()),
        quote_id: None,
    }
}

/// Quote requests in every status: new, quoted, accepted (and ordered), declined, expired.
fn seed_quotes(
    conn: &mut DbConn,
    app: &AppRow,
    catalogue: &Catalogue,
    actor: &Actor,
    installations: &[String],
    rng: &mut StdRng,
    now: NaiveDateTime,
) -> AppResult<()> {
    let contacts = [
        ("Lotte de Vries", "lotte@velo-club.demo.test"),
        ("Ruben Jansen", "ruben@courier.demo.test"),
        ("Anouk Peters", "anouk@mail.demo.test"),
        ("Thijs Bos", "thijs@bikeshare.demo.test"),
        ("Eva Smit", "eva@mail.demo.test"),
        ("Bram Mulder", "bram@mail.demo.test"),
    ];
    // (days ago sent, what happened next).
    let plan = [
        (1, "new"),
        (2, "new"),
        (5, "quoted"),
        (9, "accepted"),
        (12, "declined"),
        (30, "expired"),
    ];
    for ((days, fate), (name, email)) in plan.into_iter().zip(contacts) {
        let sent_at = now - Duration::days(days) - Duration::hours(rng.gen_range(0..8));
        let wanted: Vec<QuoteLine> = catalogue
            .on_request
            .iter()
            .take(rng.gen_range(1..=2))
            .map(|(sku, name)| QuoteLine {
                sku: (*sku).into(),
                name: (*name).into(),
                quantity: rng.gen_range(1..=4),
            })
            .collect();
        let quote = crate::quotes::take_request(
            conn,
            app,
            &CreateQuoteRequest {
                lines: wanted.clone(),
                message: Some("Could you send me your best price, delivery included?".into()),
                contact_name: name.into(),
                contact_email: email.into(),
                contact_phone: None,
                mobile_user_id: None,
                mobile_user_ref: None,
            },
            sent_at,
        )?;
        if fate == "new" {
            continue;
        }
        let answered_at = sent_at + Duration::hours(20);
        let prices: Vec<QuotedPrice> = wanted
            .iter()
            .map(|l| QuotedPrice {
                sku: l.sku.clone(),
                unit_price: rng.gen_range(40..400) * 1000,
            })
            .collect();
        let offer = CreateQuoteResponse {
            currency: "EUR".into(),
            lines: Some(prices.clone()),
            total: None,
            message: Some("Delivery included.".into()),
            valid_until: (answered_at + Duration::days(14)).and_utc(),
        };
        let quote = crate::quotes::respond(conn, &quote, &offer, actor, answered_at)?;
        match fate {
            "accepted" => {
                let accepted_at = answered_at + Duration::days(1);
                let quote = crate::quotes::answer(conn, (app, &quote), true, accepted_at)?;
                let lines: Vec<NewOrderLine> = wanted
                    .iter()
                    .zip(&prices)
                    .map(|(l, p)| NewOrderLine {
                        sku: l.sku.clone(),
                        name: l.name.clone(),
                        quantity: l.quantity,
                        unit_price: p.unit_price,
                    })
                    .collect();
                let subtotal: i64 = lines.iter().map(|l| l.quantity * l.unit_price).sum();
                let order = CreateOrder {
                    order_number: format!("{}-Q{}", catalogue.prefix, quote.id),
                    placed_at: (accepted_at + Duration::hours(1)).and_utc(),
                    currency: "EUR".into(),
                    lines,
                    shipping: 0,
                    tax: subtotal * 21 / 121,
                    discount: 0,
                    total: subtotal + subtotal * 21 / 121,
                    mobile_user_id: None,
                    mobile_user_ref: None,
                    guest_email: Some(email.into()),
                    guest_name: Some(name.into()),
                    installation_id: installations.first().cloned(),
                    quote_id: Some(quote.id.to_string()),
                };
                orders::take_order(conn, app, &order, accepted_at + Duration::hours(1))?;
            }
            "declined" => {
                crate::quotes::answer(conn, (app, &quote), false, answered_at + Duration::days(2))?;
            }
            _ => {}
        }
    }
    // The 30-day-old offer ran out two weeks after it was made.
    quotes::expire(conn, Some(app.id), now)?;
    Ok(())
}
