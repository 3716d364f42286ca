//! Catalog import and export, in JSON and CSV.
//!
//! An import reads and checks the whole file first: one bad row (reported
//! with its line number) means nothing is written. It then writes in batches,
//! one transaction each: products first, then barcode records. If the
//! process dies midway, the batches committed so far stay, and running the
//! same import again finishes it: records are matched by SKU and by
//! (productSku, barcodeType, uomCode), so rows already written are rewritten
//! with the same values, never duplicated.
//!
//! The file is streamed, never held whole: a check pass, then one pass per
//! kind of record that writes it, so memory is bounded by the batch (and
//! a 16-byte fingerprint per row for the uniqueness check), not by the
//! file, and time is linear in the rows.

mod rows;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use rows::{Kind, Row};

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{Barcode, Invalid, Product};

/// Rows written per transaction.
pub const BATCH_ROWS: usize = 20_000;

/// Most rows one import takes: the uniqueness check remembers a key per
/// row, so a larger file is split.
pub const MAX_ROWS: usize = 10_000_000;

/// Most row errors listed before the rest are counted.
const MAX_REPORTED_ERRORS: usize = 20;

/// File formats an import reads and an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// The format named by `path`'s extension.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Why an import wrote nothing, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Read(std::io::Error),
    /// The file has bad rows; each message starts with its line number.
    #[error("nothing imported; fix these rows and run the import again:{}", rows(.0))]
    Invalid(Vec<String>),
    /// The store failed while writing; the batches before it are committed.
    #[error(
        "{0}; the batches before it are committed, and running the same import again \
         completes it"
    )]
    Store(StoreError),
}

/// Bad rows, one per line, indented.
fn rows(errors: &[String]) -> String {
    errors.iter().map(|error| format!("\n  {error}")).collect()
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
}

/// How many records an import wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub products: usize,
    pub barcodes: usize,
}

impl Imported {
    pub fn total(&self) -> usize {
        self.products + self.barcodes
    }
}

/// Checks what `open` reads as `format` (it gives a fresh reader over the
/// file for each pass), and when every row is good, writes
/// it in batches of `BATCH_ROWS` (20,000), calling `progress` with the rows
/// committed so far and the rows in all after each batch.
pub fn import<R: Read>(
    store: &dyn Storage,
    open: &impl Fn() -> std::io::Result<R>,
    format: Format,
    mut progress: impl FnMut(usize, usize),
) -> Result<Imported, ImportError> {
    let counted = check(open, format)?;
    let mut done = 0;
    for (kind, count) in [
        (Kind::Product, counted.products),
        (Kind::Barcode, counted.barcodes),
    ] {
        if count == 0 {
            continue;
        }
        let mut batch = Batch::default();
        let mut failed = None;
        let mut flush = |batch: &mut Batch| -> Result<(), ImportError> {
            store
                .upsert_batch(&batch.products, &batch.barcodes)
                .map_err(ImportError::Store)?;
            done += batch.len();
            progress(done, counted.total());
            *batch = Batch::default();
            Ok(())
        };
        read(open, format, &mut |_, row| {
            if failed.is_some() {
                return;
            }
            match row {
                Ok(Row::Product(product)) if kind == Kind::Product => batch.products.push(product),
                Ok(Row::Barcode(barcode)) if kind == Kind::Barcode => batch.barcodes.push(barcode),
                _ => return,
            }
            if batch.len() == BATCH_ROWS {
                failed = flush(&mut batch).err();
            }
        })?;
        if let Some(error) = failed {
            return Err(error);
        }
        flush(&mut batch)?;
    }
    Ok(counted)
}

/// Records gathered for one transaction.
#[derive(Default)]
struct Batch {
    products: Vec<Product>,
    barcodes: Vec<Barcode>,
}

impl Batch {
    fn len(&self) -> usize {
        self.products.len() + self.barcodes.len()
    }
}

/// Reads every row, checking each and the file's uniqueness rules, and
/// counts the records of each kind.
fn check<R: Read>(
    open: &impl Fn() -> std::io::Result<R>,
    format: Format,
) -> Result<Imported, ImportError> {
    let mut checker = Checker::default();
    read(open, format, &mut |line, row| checker.row(line, row))?;
    checker.errors.into_result(checker.counted)
}

/// What the check pass keeps: one SKU and one (productSku, barcodeType,
/// uomCode) per file, since which row should win would be a guess. Keys
/// are remembered by a 128-bit fingerprint and their line, 40-odd bytes a
/// row whatever their length.
#[derive(Default)]
struct Checker {
    errors: Errors,
    counted: Imported,
    seen: HashMap<u128, usize>,
}

/// A fingerprint of a record's key: the kind of key, then each part with
/// its length, so that no two different keys share one but by chance
/// (about 2^-128 a pair).
fn fingerprint(kind: u8, parts: &[&str]) -> u128 {
    let mut hash = Sha256::new();
    hash.update([kind]);
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    u128::from_le_bytes(digest[..16].try_into().expect("16 of 32 bytes"))
}

impl Checker {
    fn row(&mut self, line: usize, row: Result<Row, Invalid>) {
        if self.counted.total() == MAX_ROWS {
            self.errors.add(
                line,
                format!("an import takes at most {MAX_ROWS} rows: split the file"),
            );
            return;
        }
        let checked = row.and_then(|row| match row {
            Row::Product(product) => product.validate().map(|()| Row::Product(product)),
            Row::Barcode(barcode) => barcode.validate().map(|()| Row::Barcode(barcode)),
        });
        match checked {
            Err(message) => self.errors.add(line, message),
            Ok(Row::Product(product)) => {
                self.counted.products += 1;
                if let Some(first) = self.seen.insert(fingerprint(0, &[&product.sku]), line) {
                    self.errors
                        .add(line, format!("sku {} is also on line {first}", product.sku));
                }
            }
            Ok(Row::Barcode(barcode)) => {
                self.counted.barcodes += 1;
                let (sku, kind, uom) = barcode.pack_key();
                if let Some(first) = self.seen.insert(fingerprint(1, &[sku, kind, uom]), line) {
                    self.errors.add(
                        line,
                        format!(
                            "productSku {}, barcodeType {} and uomCode {} are also on line {first}",
                            barcode.product_sku, barcode.barcode_type, barcode.uom_code
                        ),
                    );
                }
            }
        }
    }
}

/// Streams the rows of a fresh reader from `open` to `each`, with their
/// line numbers; a file that cannot be read as `format` at all is one row
/// error.
fn read<R: Read>(
    open: &impl Fn() -> std::io::Result<R>,
    format: Format,
    each: &mut dyn FnMut(usize, Result<Row, Invalid>),
) -> Result<(), ImportError> {
    let reader = open().map_err(ImportError::Read)?;
    let read = match format {
        Format::Json => rows::json(reader, each),
        Format::Csv => rows::csv(reader, each),
    };
    if let Err((line, message)) = read {
        each(line, Err(message));
    }
    Ok(())
}

/// Row errors, each with its line number.
#[derive(Default)]
struct Errors {
    messages: Vec<String>,
    count: usize,
}

impl Errors {
    fn add(&mut self, line: usize, message: impl std::fmt::Display) {
        self.count += 1;
        if self.messages.len() < MAX_REPORTED_ERRORS {
            self.messages.push(format!("line {line}: {message}"));
        }
    }

    fn into_result<T>(mut self, value: T) -> Result<T, ImportError> {
        if self.count == 0 {
            return Ok(value);
        }
        if self.count > self.messages.len() {
            let more = self.count - self.messages.len();
            self.messages.push(format!("... and {more} more"));
        }
        Err(ImportError::Invalid(self.messages))
    }
}

/// Writes the whole catalog as JSON (`{"products": [..], "barcodes": [..]}`,
/// one record per line) or, for CSV, the barcode records only.
pub fn export(store: &dyn Storage, format: Format, out: &mut dyn Write) -> Result<(), ExportError> {
    match format {
        Format::Json => export_json(store, out),
        Format::Csv => export_csv(store, out),
    }
}

fn export_json(store: &dyn Storage, out: &mut dyn Write) -> Result<(), ExportError> {
    let mut sink = Sink { out, error: None };
    sink.write(b"{\"products\": [");
    json_array(&mut sink, |each| store.for_each_product(each))?;
    sink.write(b"\n],\n\"barcodes\": [");
    json_array(&mut sink, |each| store.for_each_barcode(each))?;
    sink.write(b"\n]}\n");
    sink.finish()
}

/// The records `for_each` yields, one per line, comma-separated.
fn json_array<T: serde::Serialize>(
    sink: &mut Sink<'_>,
    for_each: impl FnOnce(&mut dyn FnMut(T)) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut first = true;
    for_each(&mut |record| {
        sink.write(if std::mem::take(&mut first) {
            b"\n"
        } else {
            b",\n"
        });
        sink.write(&serde_json::to_vec(&record).unwrap_or_default());
    })
}

fn export_csv(store: &dyn Storage, out: &mut dyn Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    let mut result = writer.write_record([
        "id",
        "barcode",
        "barcodeType",
        "format",
        "productSku",
        "uomCode",
        "quantity",
        "isDefault",
        "isActive",
    ]);
    store.for_each_barcode(&mut |b| {
        if result.is_ok() {
            result = writer.write_record([
                b.id.to_string(),
                b.barcode,
                b.barcode_type,
                b.format,
                b.product_sku,
                b.uom_code,
                b.quantity.to_string(),
                b.is_default.to_string(),
                b.is_active.to_string(),
            ]);
        }
    })?;
    result?;
    Ok(writer.flush()?)
}

/// An output that keeps the first write error and skips writes after it.
struct Sink<'a> {
    out: &'a mut dyn Write,
    error: Option<std::io::Error>,
}

impl Sink<'_> {
    fn write(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(error) = self.out.write_all(bytes)
        {
            self.error = Some(error);
        }
    }

    fn finish(self) -> Result<(), ExportError> {
        self.error.map_or(Ok(()), |e| Err(ExportError::Write(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open<'a>(text: &'a str) -> impl Fn() -> std::io::Result<&'a [u8]> {
        move || Ok(text.as_bytes())
    }

    fn invalid(text: &str, format: Format) -> Vec<String> {
        let opener = open(text);
        match check(&opener, format) {
            Err(ImportError::Invalid(errors)) => errors,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    /// The rows of `text`, which must all be good.
    fn rows(text: &str, format: Format) -> Vec<Row> {
        let opener = open(text);
        check(&opener, format).expect("valid");
        let mut rows = Vec::new();
        read(&opener, format, &mut |_, row| rows.push(row.unwrap())).unwrap();
        rows
    }

    #[test]
    fn json_rows_keep_their_fields_and_defaults() {
        let text = r#"{"products": [
            {"sku": "S1", "name": "One", "category": "C", "unitPrice": 12.99, "currency": "EUR"}
        ], "barcodes": [
            {"barcode": "123", "barcodeType": "EAN", "productSku": "S1", "uomCode": "EA", "quantity": 1, "notes": "x"}
        ], "_meta": {"any": ["thing"]}}"#;
        let rows = rows(text, Format::Json);
        let [Row::Product(product), Row::Barcode(barcode)] = rows.as_slice() else {
            panic!("{rows:?}");
        };
        assert_eq!(product.unit_price.as_str(), "12.99");
        assert_eq!(
            (
                barcode.format.as_str(),
                barcode.is_default,
                barcode.is_active
            ),
            ("EAN", false, true)
        );
    }

    #[test]
    fn bad_json_rows_are_reported_with_their_line() {
        let text = "{\"barcodes\": [\n{\"barcode\": \"1\", \"barcodeType\": \"EAN\", \"productSku\": \"S\", \"uomCode\": \"EA\", \"quantity\": 1},\n{\"barcode\": \"2\", \"barcodeType\": \"EAN\", \"productSku\": \"S\", \"uomCode\": \"CA\", \"quantity\": 0}\n]}";
        assert_eq!(
            invalid(text, Format::Json),
            ["line 3: quantity must be a positive integer"]
        );
    }

    #[test]
    fn lines_are_right_when_barcodes_come_before_products() {
        let text = "{\"barcodes\": [\n{\"barcode\": \"1\", \"barcodeType\": \"EAN\", \"productSku\": \"S\", \"uomCode\": \"EA\", \"quantity\": 0}\n],\n\"products\": [\n{\"sku\": \"\", \"name\": \"n\"}\n]}";
        let errors = invalid(text, Format::Json);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors.iter().any(|e| e.starts_with("line 2: quantity")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.starts_with("line 5: ")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_file_that_is_not_a_catalog_is_one_error_with_its_line() {
        let errors = invalid("{\"products\": [],\n\"prices\": []}", Format::Json);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("line 2: not a catalog file"),
            "{errors:?}"
        );
        let errors = invalid("[1, 2]", Format::Json);
        assert!(
            errors[0].starts_with("line 1: not a catalog file"),
            "{errors:?}"
        );
    }

    #[test]
    fn bad_csv_rows_are_reported_with_their_line_and_column() {
        let text = "barcode,barcodeType,productSku,uomCode,quantity\n1,EAN,S,EA,1\n2,EAN,S,CA,many\n3,EAN,S,EA,2\n";
        assert_eq!(
            invalid(text, Format::Csv),
            [
                "line 3: quantity: invalid digit found in string",
                "line 4: productSku S, barcodeType EAN and uomCode EA are also on line 2",
            ]
        );
    }

    #[test]
    fn csv_prices_keep_every_digit() {
        let text = "sku,name,category,unitPrice,currency\nS,N,C,123456789012.3456,EUR\n";
        let rows = rows(text, Format::Csv);
        let [Row::Product(product)] = rows.as_slice() else {
            panic!("{rows:?}");
        };
        assert_eq!(product.unit_price.as_str(), "123456789012.3456");
    }
}
