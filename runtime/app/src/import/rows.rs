//! Rows of an import file, streamed one at a time with their line numbers.

use std::cell::Cell;
use std::fmt;
use std::io::{BufReader, Read};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use barcoded_domain::{Barcode, Invalid, Price, Product, SupplierPart};
use serde::Deserialize;
use uuid::Uuid;

/// A record read from a file.
#[derive(Debug)]
pub(super) enum Row {
    Product(Product),
    Barcode(Barcode),
}

/// Which kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Product,
    Barcode,
}

/// What `each` is handed: the line a row starts on, and the row or what is
/// wrong with it.
type Each<'a> = &'a mut dyn FnMut(usize, Result<Row, Invalid>);

/// Streams `{"products": [..], "barcodes": [..]}` (either may be missing,
/// `_meta` is ignored). A file that is not of that shape is an error at
/// the line where it stops being so.
pub(super) fn json(reader: impl Read, each: Each<'_>) -> Result<(), (usize, Invalid)> {
    let position = Position::default();
    let metered = Metered {
        inner: BufReader::new(reader),
        position: &position,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(metered);
    let file = CatalogFile {
        each,
        position: &position,
    };
    file.deserialize(&mut deserializer)
        .and_then(|()| deserializer.end())
        .map_err(|e| {
            (
                e.line(),
                Invalid(format!(
                    "not a catalog file ({e}); expected {{\"products\": [..], \"barcodes\": [..]}}"
                )),
            )
        })
}

/// Streams a CSV file of products (a `sku` column) or of barcode records
/// (a `barcode` column).
pub(super) fn csv(reader: impl Read, each: Each<'_>) -> Result<(), (usize, Invalid)> {
    let position = Position::default();
    let metered = Metered {
        inner: BufReader::new(reader),
        position: &position,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(metered);
    let headers = reader
        .headers()
        .map_err(|e| (1, Invalid(format!("cannot read the header: {e}"))))?
        .clone();
    let is_barcodes = headers.iter().any(|h| h == "barcode");
    if !is_barcodes && !headers.iter().any(|h| h == "sku") {
        return Err((
            1,
            "the header must name product columns (sku,name,category,unitPrice,currency) \
             or barcode columns (barcode,barcodeType,format,productSku,uomCode,quantity,isDefault,isActive)"
                .to_owned()
                .into(),
        ));
    }
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => position.row_ended(),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                let line = e
                    .position()
                    .map_or(position.newlines.get() + 1, |p| p.line() as usize);
                return Err((line, Invalid(e.to_string())));
            }
            Err(e) => {
                position.row_ended();
                let line = e.position().map_or(0, |p| p.line() as usize);
                each(line, Err(Invalid(e.to_string())));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        let field_error = |e: csv::Error| match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => {
                let column = err
                    .field()
                    .and_then(|i| headers.get(i as usize))
                    .unwrap_or("row");
                Invalid(format!("{column}: {}", err.kind()))
            }
            _ => Invalid(e.to_string()),
        };
        let row = if is_barcodes {
            record
                .deserialize::<BarcodeRow>(Some(&headers))
                .map(|row| Row::Barcode(row.into_record()))
                .map_err(field_error)
        } else {
            record
                .deserialize::<ProductCsvRow>(Some(&headers))
                .map_err(field_error)
                .and_then(|row| row.into_product().map(Row::Product))
        };
        each(line, row);
    }
}

/// Longest stretch of a file without a whole row ending in it: a row is
/// held in memory while it is read, so one row cannot be the whole file.
pub(super) const MAX_ROW_BYTES: usize = 1 << 20;

/// What a [`Metered`] reader has seen.
#[derive(Default)]
struct Position {
    /// Line ends read so far.
    newlines: Cell<usize>,
    /// Bytes read since the last row ended.
    since_row: Cell<usize>,
}

impl Position {
    fn row_ended(&self) {
        self.since_row.set(0);
    }
}

/// Counts the line ends read through it, and fails a read once more than
/// [`MAX_ROW_BYTES`] have passed without a row ending. serde_json reads a
/// byte at a time, so after a value is parsed the count of line ends stands
/// at that value's last line.
struct Metered<'a, R> {
    inner: BufReader<R>,
    position: &'a Position,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let position = self.position;
        let found = buf[..read].iter().filter(|&&b| b == b'\n').count();
        position.newlines.set(position.newlines.get() + found);
        position.since_row.set(position.since_row.get() + read);
        if position.since_row.get() > MAX_ROW_BYTES {
            return Err(std::io::Error::other(format!(
                "a row is longer than {MAX_ROW_BYTES} bytes"
            )));
        }
        Ok(read)
    }
}

/// The top-level object, whose arrays are handed on row by row.
struct CatalogFile<'a, 'b> {
    each: Each<'a>,
    position: &'b Position,
}

impl<'de> DeserializeSeed<'de> for CatalogFile<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CatalogFile<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `products` and `barcodes` arrays")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let kind = match key.as_str() {
                "products" => Kind::Product,
                "barcodes" => Kind::Barcode,
                "_meta" => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["products", "barcodes", "_meta"],
                    ));
                }
            };
            map.next_value_seed(Rows {
                kind,
                each: &mut *self.each,
                position: self.position,
            })?;
        }
        Ok(())
    }
}

/// One array of rows.
struct Rows<'a, 'b> {
    kind: Kind,
    each: Each<'a>,
    position: &'b Position,
}

impl<'de> DeserializeSeed<'de> for Rows<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.position.row_ended();
            let text = raw.get();
            let last_line = self.position.newlines.get() + 1;
            let line = last_line - text.bytes().filter(|&b| b == b'\n').count();
            let row = match self.kind {
                Kind::Product => serde_json::from_str::<Product>(text)
                    .map(Row::Product)
                    .map_err(|e| (e.line(), Invalid(format!("product: {e}")))),
                Kind::Barcode => serde_json::from_str::<BarcodeRow>(text)
                    .map(|row| Row::Barcode(row.into_record()))
                    .map_err(|e| (e.line(), Invalid(format!("barcode: {e}")))),
            };
            match row {
                Ok(row) => (self.each)(line, Ok(row)),
                Err((within, message)) => (self.each)(line + within - 1, Err(message)),
            }
        }
        Ok(())
    }
}

/// A barcode row as files spell it. `format` defaults to `barcodeType`,
/// `isDefault` to false and `isActive` to true; `notes` is accepted and
/// ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct BarcodeRow {
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
    pub(crate) fn into_record(self) -> Barcode {
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
pub(crate) struct ProductCsvRow {
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
    pub(crate) fn into_product(self) -> Result<Product, Invalid> {
        Ok(Product {
            unit_price: Price::parse(&self.unit_price)?,
            supplier_parts: self
                .supplier_parts
                .split(';')
                .filter(|entry| !entry.trim().is_empty())
                .map(SupplierPart::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| Invalid(format!("supplierParts: {e}")))?,
            sku: self.sku,
            name: self.name,
            category: self.category,
            currency: self.currency,
        })
    }
}
