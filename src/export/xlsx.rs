//! Excel (.xlsx) in rust_xlsxwriter's constant-memory mode: each worksheet keeps one row in
//! memory and writes the rest to a temporary file, which the crate creates with
//! `tempfile::tempfile_in` in plauder's data directory: mode 0600 and unlinked at once
//! (no name on disk, so nothing is left behind after an error or a crash; the space is
//! freed when the export ends). On `finish` the zip is assembled straight into the response
//! stream (rust_xlsxwriter writes the zip as a stream; no seekable output needed).
//! Every value is written as a string cell (`write_string`: "=…" stays text), counts as
//! numbers; ids are strings too, since Excel keeps only 15 significant digits.
//! A sheet holds at most 1,048,576 rows: past that the export goes on in a new sheet.
//! A cell holds at most 32,767 characters (UTF-16 units): a longer transcript is cut
//! with a note, and the full text is in the CSV or the per-message layout.

use super::rows::Cell;
use super::{ExportError, Sink};
use rust_xlsxwriter::{Format, Workbook};
use std::io::Write;
use std::path::Path;

/// Rows per sheet, Excel's limit.
const SHEET_ROWS: u32 = 1_048_576;
/// Characters per cell, Excel's limit (UTF-16 units).
const CELL_CHARS: usize = 32_767;

pub struct XlsxSink<W: Write + Send> {
    book: Workbook,
    out: W,
    sheet_name: String,
    headers: Vec<String>,
    cut_note: String,
    bold: Format,
    sheets: usize,
    /// The next row of the current sheet.
    row: u32,
}

/// `value` cut to Excel's cell limit, with `note` appended when cut.
fn fit(value: &str, note: &str) -> String {
    if value.encode_utf16().count() <= CELL_CHARS {
        return value.to_string();
    }
    let budget = CELL_CHARS - note.encode_utf16().count();
    let mut used = 0;
    let mut end = 0;
    for (i, c) in value.char_indices() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        end = i + c.len_utf8();
    }
    format!("{}{note}", &value[..end])
}

impl<W: Write + Send> XlsxSink<W> {
    /// `temp_dir`: where the worksheets' temporary files go (the data directory).
    pub fn new(
        out: W,
        temp_dir: &Path,
        sheet_name: &str,
        headers: &[&str],
        cut_note: &str,
    ) -> Result<Self, ExportError> {
        let mut book = Workbook::new();
        book.set_tempdir(temp_dir)?;
        let mut sink = Self {
            book,
            out,
            sheet_name: sheet_name.chars().take(25).collect(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            cut_note: cut_note.to_string(),
            bold: Format::new().set_bold(),
            sheets: 0,
            row: 0,
        };
        sink.new_sheet()?;
        Ok(sink)
    }

    fn new_sheet(&mut self) -> Result<(), ExportError> {
        self.sheets += 1;
        let name = if self.sheets == 1 {
            self.sheet_name.clone()
        } else {
            format!("{} {}", self.sheet_name, self.sheets)
        };
        let sheet = self.book.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        for (col, header) in (0u16..).zip(&self.headers) {
            // Wide enough to read; the transcript column wider.
            let width = if col + 1 == u16::try_from(self.headers.len()).unwrap_or(0) {
                80
            } else {
                18
            };
            sheet.set_column_width(col, width)?;
            sheet.write_string_with_format(0, col, header, &self.bold)?;
        }
        self.row = 1;
        Ok(())
    }
}

impl<W: Write + Send> Sink for XlsxSink<W> {
    fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        if self.row >= SHEET_ROWS {
            self.new_sheet()?;
        }
        let index = self.sheets - 1;
        let sheet = self.book.worksheet_from_index(index)?;
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(self.row, col, fit(t, &self.cut_note))?;
                }
                Cell::Count(n) => {
                    // Counts stay far below 2^53: exact as a number.
                    sheet.write_number(self.row, col, *n as f64)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), ExportError> {
        let Self { book, out, .. } = &mut *self;
        book.save_to_writer(&mut *out)?;
        out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn long_values_are_cut_at_the_cell_limit_with_a_note() {
        assert_eq!(fit("kurz", " […]"), "kurz");
        let long = "ä".repeat(40_000);
        let cut = fit(&long, " […]");
        assert_eq!(cut.encode_utf16().count(), CELL_CHARS);
        assert!(cut.ends_with(" […]"));
        // A character outside the BMP counts twice and is never split.
        let emoji = "😀".repeat(20_000);
        let cut = fit(&emoji, "…");
        assert!(cut.encode_utf16().count() <= CELL_CHARS);
        assert!(cut.ends_with('…'));
    }
}
