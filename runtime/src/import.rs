//! Catalog import and export, in JSON and CSV.
//!
//! An import reads and checks the whole file first: one bad row (reported
//! with its line number) means nothing is written. It then writes in batches,
//! one transaction each. If the process dies midway, the batches committed so
//! far stay, and running the same import again finishes it: records are
//! matched by SKU and by (productSku, barcodeType, uomCode), so rows already
//! written are rewritten with the same values, never duplicated.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::store::records::{Barcode, Price, Product, SupplierPart};
use crate::store::{Store, StoreError};

/// Rows written per transaction.
pub const BATCH_ROWS: usize = 20_000;

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

/// Records read from a file, checked and ready to write.
#[derive(Debug, Default)]
pub struct Records {
    pub products: Vec<Product>,
    pub barcodes: Vec<Barcode>,
}

impl Records {
    pub fn len(&self) -> usize {
        self.products.len() + self.barcodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why an import wrote nothing, or stopped.
#[derive(Debug)]
pub enum ImportError {
    /// The file has bad rows; each message starts with its line number.
    Invalid(Vec<String>),
    /// The store failed while writing; the batches before it are committed.
    Store(StoreError),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Invalid(errors) => {
                write!(
                    f,
                    "nothing imported; fix these rows and run the import again:"
                )?;
                for error in errors {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
            ImportError::Store(error) => write!(
                f,
                "{error}; the batches before it are committed, and running the same import \
                 again completes it"
            ),
        }
    }
}

/// Reads and checks `text` as `format`.
pub fn parse(text: &str, format: Format) -> Result<Records, ImportError> {
    let mut errors = Errors::default();
    let records = match format {
        Format::Json => parse_json(text, &mut errors),
        Format::Csv => parse_csv(text, &mut errors),
    };
    check_unique(&records, &mut errors);
    errors.into_result(records)
}

/// Writes `records` in batches of [`BATCH_ROWS`], calling `progress` with the
/// number of rows committed after each batch.
pub fn write(
    store: &Store,
    records: &Records,
    mut progress: impl FnMut(usize),
) -> Result<(), ImportError> {
    let mut done = 0;
    for batch in records.products.chunks(BATCH_ROWS) {
        store.upsert_batch(batch, &[]).map_err(ImportError::Store)?;
        done += batch.len();
        progress(done);
    }
    for batch in records.barcodes.chunks(BATCH_ROWS) {
        store.upsert_batch(&[], batch).map_err(ImportError::Store)?;
        done += batch.len();
        progress(done);
    }
    Ok(())
}

/// Writes the whole catalog as JSON (`{"products": [..], "barcodes": [..]}`,
/// one record per line) or, for CSV, the barcode records only.
pub fn export(store: &Store, format: Format, out: &mut dyn Write) -> Result<(), String> {
    match format {
        Format::Json => export_json(store, out),
        Format::Csv => export_csv(store, out),
    }
}

fn export_json(store: &Store, out: &mut dyn Write) -> Result<(), String> {
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
) -> Result<(), String> {
    let mut first = true;
    for_each(&mut |record| {
        sink.write(if std::mem::take(&mut first) {
            b"\n"
        } else {
            b",\n"
        });
        sink.write(&serde_json::to_vec(&record).unwrap_or_default());
    })
    .map_err(|e| e.to_string())
}

fn export_csv(store: &Store, out: &mut dyn Write) -> Result<(), String> {
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
    store
        .for_each_barcode(|b| {
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
        })
        .map_err(|e| e.to_string())?;
    result
        .and_then(|()| Ok(writer.flush()?))
        .map_err(|e| format!("cannot write the export: {e}"))
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

    fn finish(self) -> Result<(), String> {
        self.error
            .map_or(Ok(()), |e| Err(format!("cannot write the export: {e}")))
    }
}

/// A barcode row as files spell it. `format` defaults to `barcodeType`,
/// `isDefault` to false and `isActive` to true; `notes` is accepted and
/// ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BarcodeRow {
    #[serde(default)]
    id: Option<Uuid>,
    barcode: String,
    barcode_type: String,
    #[serde(default)]
    format: Option<String>,
    product_sku: String,
    uom_code: String,
    quantity: u32,
    #[serde(default)]
    is_default: Option<bool>,
    #[serde(default)]
    is_active: Option<bool>,
    #[serde(default, rename = "notes")]
    _notes: IgnoredAny,
}

impl BarcodeRow {
    fn into_record(self) -> Barcode {
        Barcode {
            id: self.id.unwrap_or_else(Uuid::now_v7),
            format: self
                .format
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| self.barcode_type.clone()),
            barcode: self.barcode,
            barcode_type: self.barcode_type,
            product_sku: self.product_sku,
            uom_code: self.uom_code,
            quantity: self.quantity,
            is_default: self.is_default.unwrap_or(false),
            is_active: self.is_active.unwrap_or(true),
        }
    }
}

/// A product row in CSV, where the price arrives as text.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProductCsvRow {
    sku: String,
    name: String,
    category: String,
    unit_price: String,
    currency: String,
    /// `SUPPLIER:PART` entries separated by `;`.
    #[serde(default)]
    supplier_parts: String,
}

impl ProductCsvRow {
    fn into_product(self) -> Result<Product, String> {
        Ok(Product {
            unit_price: Price::parse(&self.unit_price)?,
            supplier_parts: self
                .supplier_parts
                .split(';')
                .filter(|entry| !entry.trim().is_empty())
                .map(SupplierPart::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("supplierParts: {e}"))?,
            sku: self.sku,
            name: self.name,
            category: self.category,
            currency: self.currency,
        })
    }
}

/// A JSON import file: either array may be missing; `_meta` is ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile<'a> {
    #[serde(default, borrow)]
    products: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    barcodes: Vec<&'a RawValue>,
    #[serde(default, rename = "_meta")]
    _meta: IgnoredAny,
}

/// Row errors, each with its line number, and where each record came from.
#[derive(Default)]
struct Errors {
    messages: Vec<String>,
    count: usize,
    product_lines: Vec<usize>,
    barcode_lines: Vec<usize>,
}

impl Errors {
    fn add(&mut self, line: usize, message: impl std::fmt::Display) {
        self.count += 1;
        if self.messages.len() < MAX_REPORTED_ERRORS {
            self.messages.push(format!("line {line}: {message}"));
        }
    }

    fn into_result(mut self, records: Records) -> Result<Records, ImportError> {
        if self.count == 0 {
            return Ok(records);
        }
        if self.count > self.messages.len() {
            let more = self.count - self.messages.len();
            self.messages.push(format!("... and {more} more"));
        }
        Err(ImportError::Invalid(self.messages))
    }
}

fn parse_json(text: &str, errors: &mut Errors) -> Records {
    let mut records = Records::default();
    let file: JsonFile = match serde_json::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            errors.add(
                e.line(),
                format!(
                    "not a catalog file ({e}); expected {{\"products\": [..], \"barcodes\": [..]}}"
                ),
            );
            return records;
        }
    };
    // Rows of one array come in file order, so each line count starts where
    // the last ended (and from the top again for an array earlier in the file).
    let (mut counted_to, mut line) = (0, 1);
    let mut line_of = |raw: &RawValue| {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        if offset < counted_to {
            (counted_to, line) = (0, 1);
        }
        line += text.as_bytes()[counted_to..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = offset;
        line
    };
    for raw in file.products {
        let line = line_of(raw);
        match serde_json::from_str::<Product>(raw.get()) {
            Ok(product) => add_product(&mut records, errors, line, product),
            Err(e) => errors.add(line + e.line() - 1, format!("product: {e}")),
        }
    }
    for raw in file.barcodes {
        let line = line_of(raw);
        match serde_json::from_str::<BarcodeRow>(raw.get()) {
            Ok(row) => add_barcode(&mut records, errors, line, row.into_record()),
            Err(e) => errors.add(line + e.line() - 1, format!("barcode: {e}")),
        }
    }
    records
}

fn parse_csv(text: &str, errors: &mut Errors) -> Records {
    let mut records = Records::default();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            errors.add(1, format!("cannot read the header: {e}"));
            return records;
        }
    };
    let is_barcodes = headers.iter().any(|h| h == "barcode");
    if !is_barcodes && !headers.iter().any(|h| h == "sku") {
        errors.add(
            1,
            "the header must name product columns (sku,name,category,unitPrice,currency) \
             or barcode columns (barcode,barcodeType,format,productSku,uomCode,quantity,isDefault,isActive)",
        );
        return records;
    }
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.add(line, e);
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line() as usize);
        let field_error = |e: csv::Error| match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => {
                let column = err
                    .field()
                    .and_then(|i| headers.get(i as usize))
                    .unwrap_or("row");
                format!("{column}: {}", err.kind())
            }
            _ => e.to_string(),
        };
        if is_barcodes {
            match row.deserialize::<BarcodeRow>(Some(&headers)) {
                Ok(barcode) => add_barcode(&mut records, errors, line, barcode.into_record()),
                Err(e) => errors.add(line, field_error(e)),
            }
        } else {
            match row.deserialize::<ProductCsvRow>(Some(&headers)) {
                Ok(row) => match row.into_product() {
                    Ok(product) => add_product(&mut records, errors, line, product),
                    Err(message) => errors.add(line, message),
                },
                Err(e) => errors.add(line, field_error(e)),
            }
        }
    }
    records
}

fn add_product(records: &mut Records, errors: &mut Errors, line: usize, product: Product) {
    match product.validate() {
        Ok(()) => {
            records.products.push(product);
            errors.product_lines.push(line);
        }
        Err(message) => errors.add(line, message),
    }
}

fn add_barcode(records: &mut Records, errors: &mut Errors, line: usize, barcode: Barcode) {
    match barcode.validate() {
        Ok(()) => {
            records.barcodes.push(barcode);
            errors.barcode_lines.push(line);
        }
        Err(message) => errors.add(line, message),
    }
}

/// Refuses a file that names one SKU, or one (productSku, barcodeType,
/// uomCode), twice: which row should win would be a guess.
fn check_unique(records: &Records, errors: &mut Errors) {
    let mut skus: HashMap<&str, usize> = HashMap::new();
    let mut clashes = Vec::new();
    for (product, &line) in records.products.iter().zip(&errors.product_lines) {
        if let Some(first) = skus.insert(&product.sku, line) {
            clashes.push((line, format!("sku {} is also on line {first}", product.sku)));
        }
    }
    let mut packs: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (barcode, &line) in records.barcodes.iter().zip(&errors.barcode_lines) {
        if let Some(first) = packs.insert(barcode.pack_key(), line) {
            clashes.push((
                line,
                format!(
                    "productSku {}, barcodeType {} and uomCode {} are also on line {first}",
                    barcode.product_sku, barcode.barcode_type, barcode.uom_code
                ),
            ));
        }
    }
    for (line, message) in clashes {
        errors.add(line, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str, format: Format) -> Vec<String> {
        match parse(text, format) {
            Err(ImportError::Invalid(errors)) => errors,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    #[test]
    fn json_rows_keep_their_fields_and_defaults() {
        let text = r#"{"products": [
            {"sku": "S1", "name": "One", "category": "C", "unitPrice": 12.99, "currency": "EUR"}
        ], "barcodes": [
            {"barcode": "123", "barcodeType": "EAN", "productSku": "S1", "uomCode": "EA", "quantity": 1, "notes": "x"}
        ]}"#;
        let records = parse(text, Format::Json).expect("valid");
        assert_eq!(records.products[0].unit_price.as_str(), "12.99");
        let barcode = &records.barcodes[0];
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
        let records = parse(text, Format::Csv).expect("valid");
        assert_eq!(records.products[0].unit_price.as_str(), "123456789012.3456");
    }
}
