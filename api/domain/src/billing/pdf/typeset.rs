//! Typesetting an A4 page in Helvetica: WinAnsi text, advance widths, and a page drawn from the top.

use super::*;

pub(super) const WIDTH: f32 = 595.0;
pub(super) const HEIGHT: f32 = 842.0;
pub(super) const MARGIN: f32 = 50.0;
pub(super) const REGULAR: Name<'static> = Name(b"F1");
pub(super) const BOLD: Name<'static> = Name(b"F2");

/// Helvetica's advance widths (thousandths of the size) for ASCII 32–126, from Adobe's AFM.
pub(super) const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/// Helvetica-Bold's, likewise.
pub(super) const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// `text` in WinAnsi (Latin-1 plus the euro sign and typographic marks); anything else is `?`.
pub(super) fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            c if (c as u32) < 0x7f || (0xa0..=0xff).contains(&(c as u32)) => c as u8,
            _ => b'?',
        })
        .collect()
}

pub(super) fn width(text: &[u8], size: f32, bold: bool) -> f32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let units: u32 = text
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(table[usize::from(b - 32)]),
            0x80 | 0x96 => 556,
            0x97 => 1000,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// A page being drawn, with `y` measured from the top.
pub(super) struct Page {
    pub(super) content: Content,
}

impl Page {
    pub(super) fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = win_ansi(text);
        self.content
            .begin_text()
            .set_font(if bold { BOLD } else { REGULAR }, size)
            .next_line(x, HEIGHT - y)
            .show(Str(&bytes))
            .end_text();
    }

    pub(super) fn right(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let w = width(&win_ansi(text), size, bold);
        self.text(x - w, y, size, bold, text);
    }

    pub(super) fn rule(&mut self, y: f32, gray: f32) {
        self.content
            .set_stroke_gray(gray)
            .set_line_width(0.6)
            .move_to(MARGIN, HEIGHT - y)
            .line_to(WIDTH - MARGIN, HEIGHT - y)
            .stroke();
    }

    pub(super) fn band(&mut self, y: f32, height: f32, gray: f32) {
        self.content
            .set_fill_gray(gray)
            .rect(MARGIN, HEIGHT - y - height, WIDTH - 2.0 * MARGIN, height)
            .fill_nonzero()
            .set_fill_gray(0.0);
    }
}
