//! Invoice PDFs, drawn in-process with `pdf-writer` in the standard Helvetica fonts (which every
//! PDF reader has, so nothing is embedded and the text extracts as written). Text is encoded in
//! WinAnsi; Helvetica's published widths place right-aligned amounts.

use chrono::NaiveDateTime;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use types::billing::InvoiceStatus;

use crate::db::invoices::{InvoiceLineRow, InvoiceRow};

mod figures;
mod typeset;
pub use figures::*;
use typeset::*;

/// One VAT rate's share of the invoice: the net amount it applies to and the VAT.
fn rates(invoice: &InvoiceRow, lines: &[InvoiceLineRow]) -> Vec<(i32, i64, i64)> {
    let mut out: Vec<(i32, i64, i64)> = Vec::new();
    for line in lines {
        match out.iter_mut().find(|(rate, ..)| *rate == line.vat_rate) {
            Some(entry) => entry.1 += line.amount,
            None => out.push((line.vat_rate, line.amount, 0)),
        }
    }
    // The discount is shared among the rates in proportion; the VAT is the invoice's.
    let subtotal: i64 = out.iter().map(|r| r.1).sum();
    let single = out.len() == 1;
    for entry in &mut out {
        let share = if subtotal == 0 {
            0
        } else {
            i64::try_from(i128::from(invoice.discount) * i128::from(entry.1) / i128::from(subtotal))
                .unwrap_or(0)
        };
        entry.1 -= share;
        entry.2 = if single {
            invoice.tax
        } else {
            super::amounts(entry.1, None, None, entry.0).tax
        };
    }
    out
}

/// The invoice as a one-page A4 PDF.
pub fn render(invoice: &InvoiceRow, lines: &[InvoiceLineRow]) -> Vec<u8> {
    let mut page = Page {
        content: Content::new(),
    };
    let cur = invoice.currency.as_str();
    let right = WIDTH - MARGIN;

    // The seller, and what this document is.
    page.text(MARGIN, 70.0, 16.0, true, &invoice.seller_name);
    let mut y = 88.0;
    for line in invoice.seller_address.lines() {
        page.text(MARGIN, y, 9.5, false, line);
        y += 12.0;
    }
    if let Some(vat) = &invoice.seller_vat_id {
        page.text(MARGIN, y, 9.5, false, &format!("VAT ID: {vat}"));
    }
    page.right(right, 72.0, 22.0, true, "INVOICE");
    let number = invoice.number.as_deref().unwrap_or("DRAFT");
    let facts = [
        ("Invoice number", number.to_owned()),
        (
            "Issue date",
            invoice.issued_at.map_or_else(|| "-".into(), day),
        ),
        (
            "Service period",
            format!(
                "{} to {}",
                day(invoice.period_start),
                day(invoice.period_end)
            ),
        ),
        (
            "Status",
            match (invoice.status, invoice.paid_at) {
                (InvoiceStatus::Paid, Some(at)) => format!("Paid on {}", day(at)),
                (InvoiceStatus::Open, _) => "Awaiting payment".into(),
                (InvoiceStatus::Void, _) => "Void".into(),
                (InvoiceStatus::Uncollectible, _) => "Uncollectible".into(),
                _ => "Draft".into(),
            },
        ),
    ];
    let mut fy = 96.0;
    for (label, value) in &facts {
        page.right(right - 140.0, fy, 9.5, false, label);
        page.right(right, fy, 9.5, true, value);
        fy += 13.0;
    }

    // The buyer.
    y = 180.0;
    page.text(MARGIN, y, 8.5, true, "BILL TO");
    y += 15.0;
    page.text(MARGIN, y, 11.0, true, &invoice.customer_name);
    y += 13.0;
    for line in invoice
        .customer_address
        .as_deref()
        .unwrap_or_default()
        .lines()
    {
        page.text(MARGIN, y, 9.5, false, line);
        y += 12.0;
    }
    if let Some(country) = &invoice.customer_country {
        page.text(MARGIN, y, 9.5, false, country);
        y += 12.0;
    }
    if let Some(vat) = &invoice.customer_vat_id {
        page.text(MARGIN, y, 9.5, false, &format!("VAT ID: {vat}"));
        y += 12.0;
    }
    page.text(MARGIN, y, 9.5, false, &invoice.customer_email);

    // The lines.
    y = 300.0;
    let (qty_x, unit_x, vat_x) = (345.0, 425.0, 480.0);
    page.band(y - 13.0, 19.0, 0.92);
    page.text(MARGIN + 6.0, y, 9.0, true, "Description");
    page.right(qty_x, y, 9.0, true, "Qty");
    page.right(unit_x, y, 9.0, true, "Unit price");
    page.right(vat_x, y, 9.0, true, "VAT");
    page.right(right - 6.0, y, 9.0, true, "Amount");
    y += 22.0;
    for line in lines {
        page.text(MARGIN + 6.0, y, 9.5, false, &line.description);
        page.right(qty_x, y, 9.5, false, &line.quantity.to_string());
        page.right(unit_x, y, 9.5, false, &money(line.unit_price, cur));
        page.right(vat_x, y, 9.5, false, &percent(line.vat_rate));
        page.right(right - 6.0, y, 9.5, false, &money(line.amount, cur));
        y += 12.0;
        page.text(
            MARGIN + 6.0,
            y,
            8.0,
            false,
            &format!("{} to {}", day(line.period_start), day(line.period_end)),
        );
        y += 16.0;
    }
    page.rule(y - 6.0, 0.75);

    // The totals.
    y += 10.0;
    let label_x = right - 150.0;
    let total_line = |page: &mut Page, y: &mut f32, label: &str, value: String, bold: bool| {
        page.right(label_x, *y, 9.5, bold, label);
        page.right(right - 6.0, *y, 9.5, bold, &value);
        *y += 15.0;
    };
    total_line(
        &mut page,
        &mut y,
        "Subtotal",
        money(invoice.subtotal, cur),
        false,
    );
    if invoice.discount > 0 {
        let label = match &invoice.discount_code {
            Some(code) => format!("Discount ({code})"),
            None => "Discount".into(),
        };
        total_line(
            &mut page,
            &mut y,
            &label,
            money(-invoice.discount, cur),
            false,
        );
    }
    for (rate, net, vat) in rates(invoice, lines) {
        total_line(
            &mut page,
            &mut y,
            &format!("VAT {} on {}", percent(rate), money(net, cur)),
            money(vat, cur),
            false,
        );
    }
    total_line(&mut page, &mut y, "Total", money(invoice.total, cur), true);
    let due = match invoice.status {
        InvoiceStatus::Open | InvoiceStatus::Draft => invoice.total - invoice.amount_paid,
        _ => 0,
    };
    total_line(&mut page, &mut y, "Amount due", money(due, cur), true);

    // The notes a reader (or a tax office) looks for.
    y += 20.0;
    if invoice.reverse_charge {
        page.text(
            MARGIN,
            y,
            9.0,
            true,
            "Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).",
        );
        y += 13.0;
    } else if lines.iter().all(|l| l.vat_rate == 0) && invoice.subtotal > 0 {
        page.text(
            MARGIN,
            y,
            9.0,
            false,
            "VAT not applicable: services supplied outside the EU.",
        );
        y += 13.0;
    }
    page.text(
        MARGIN,
        y,
        9.0,
        false,
        &format!("All amounts in {cur}. Thank you for your business."),
    );
    page.rule(HEIGHT - 60.0, 0.85);
    page.text(
        MARGIN,
        HEIGHT - 45.0,
        8.0,
        false,
        &format!("{} - invoice {number}", invoice.seller_name),
    );

    let mut pdf = Pdf::new();
    let (catalog, tree, page_id, regular, bold, content, info) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
        Ref::new(7),
    );
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut p = pdf.page(page_id);
    p.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
    p.parent(tree);
    p.contents(content);
    p.resources()
        .fonts()
        .pair(REGULAR, regular)
        .pair(BOLD, bold);
    p.finish();
    for (id, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.stream(content, &page.content.finish());
    pdf.document_info(info)
        .title(TextStr(&format!("Invoice {number}")))
        .producer(TextStr("Mobile Back Office"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(money(4900, "EUR"), "49.00 EUR");
        assert_eq!(money(123_456_789, "USD"), "1,234,567.89 USD");
        assert_eq!(money(-980, "EUR"), "-9.80 EUR");
        assert_eq!(money(5000, "JPY"), "5,000 JPY");
        assert_eq!(money(1500, "KWD"), "1.500 KWD");
        assert_eq!(percent(2000), "20 %");
        assert_eq!(percent(550), "5.5 %");
        assert_eq!(percent(0), "0 %");
    }

    #[test]
    fn text_is_measured_and_encoded_for_helvetica() {
        assert_eq!(win_ansi("€ é"), vec![0x80, b' ', 0xe9]);
        assert_eq!(win_ansi("漢"), vec![b'?']);
        // "Total" in Helvetica 10: T 611 + o 556 + t 278 + a 556 + l 222 = 2223.
        assert!((width(b"Total", 10.0, false) - 22.23).abs() < 0.001);
    }
}
