//! Benchmark (not a test): renders an invoice PDF in-process many times and prints the median
//! and 99th percentile. `cargo run --release -p api --example invoice_pdf [count]`; bench/billing.sh
//! runs it.

use std::time::Instant;

use api::billing::pdf;
use api::db::invoices::{InvoiceLineRow, InvoiceRow};
use chrono::Duration;
use types::billing::InvoiceStatus;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let now = api::clock::Clock::default().now();
    let invoice = InvoiceRow {
        id: 1,
        subscription_id: 1,
        app_id: Some(1),
        owner_id: Some(1),
        number: Some("2026-000042".into()),
        status: InvoiceStatus::Paid,
        currency: "EUR".into(),
        period_start: now,
        period_end: now + Duration::days(30),
        subtotal: 4900,
        discount: 980,
        discount_code: Some("WELCOME20".into()),
        tax: 784,
        total: 4704,
        amount_paid: 4704,
        reverse_charge: false,
        customer_name: "Tulip Fashion B.V.".into(),
        customer_email: "emma@customer.demo.test".into(),
        customer_address: Some("Keizersgracht 1\n1015 CJ Amsterdam".into()),
        customer_country: Some("NL".into()),
        customer_vat_id: None,
        seller_name: "Mobile Back Office SAS".into(),
        seller_address: "1 Example Street\n75001 Paris\nFrance".into(),
        seller_vat_id: Some("FR40303265045".into()),
        attempt_count: 0,
        next_payment_attempt: None,
        issued_at: Some(now),
        paid_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    let lines = vec![InvoiceLineRow {
        id: 1,
        invoice_id: 1,
        description: "Standard monthly (monthly), app Tulip Fashion".into(),
        quantity: 1,
        unit_price: 4900,
        amount: 4900,
        vat_rate: 2000,
        period_start: now,
        period_end: now + Duration::days(30),
    }];
    let mut times: Vec<f64> = (0..count)
        .map(|_| {
            let started = Instant::now();
            let bytes = pdf::render(&invoice, &lines);
            std::hint::black_box(bytes);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let size = pdf::render(&invoice, &lines).len();
    println!(
        "invoice PDF: {count} renders, p50 {:.3} ms, p99 {:.3} ms, {size} bytes",
        times[count / 2],
        times[count * 99 / 100]
    );
}
