//! CSV: semicolon-separated, UTF-8 with a byte-order mark, one header row: what German
//! Excel opens directly with umlauts intact, and what any CSV reader parses (RFC 4180
//! quoting by the `csv` crate). Rows go straight into the response stream.

use super::rows::Cell;
use super::{ExportError, Sink};
use std::io::Write;

pub struct CsvSink<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> CsvSink<W> {
    pub fn new(mut out: W, headers: &[&str]) -> Result<Self, ExportError> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut out = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
        out.write_record(headers)?;
        Ok(Self { out })
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        for cell in cells {
            match cell {
                Cell::Text(t) => self.out.write_field(t)?,
                Cell::Count(n) => self.out.write_field(n.to_string())?,
            }
        }
        self.out.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), ExportError> {
        let mut inner = self
            .out
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        inner.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_back_with_quotes_newlines_and_umlauts() {
        let mut buf = Vec::new();
        let mut sink = Box::new(CsvSink::new(&mut buf, &["a", "b"]).unwrap());
        sink.row(&[
            Cell::Text("Grüße; \"zitiert\"\nzweite Zeile".into()),
            Cell::Count(3),
        ])
        .unwrap();
        sink.finish().unwrap();
        assert!(buf.starts_with("\u{feff}".as_bytes()));
        let mut r = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&buf[3..]);
        assert_eq!(r.headers().unwrap(), vec!["a", "b"]);
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "Grüße; \"zitiert\"\nzweite Zeile");
        assert_eq!(&row[1], "3");
    }
}
