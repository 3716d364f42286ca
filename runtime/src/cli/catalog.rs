//! `barcoded catalog`: import, export and edit products and barcode records.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use uuid::Uuid;

use barcoded_app::{Format, Office, StorePlace};
use barcoded_domain::{Barcode, Price, Product, SupplierPart};

use super::shell::{CliResult, by, wait};

/// The demo catalog `serve --demo` seeds into an empty store.
const DEMO_CATALOG: &str = include_str!("../demo-catalog.json");

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import products and barcode records from a JSON or CSV file.
    ///
    /// The whole file is checked first: if any row is bad, each is reported
    /// with its line number and nothing is written. Rows are then written in
    /// batches of 20,000, each one transaction, products before barcode
    /// records. The file is streamed, never held in memory whole; a row may
    /// be at most 1 MiB, an import at most 10,000,000 rows. Products are matched by sku
    /// and barcode records by (productSku, barcodeType, uomCode): existing
    /// records are updated, so importing the same file again is harmless,
    /// and an interrupted import is completed by running it again.
    ///
    /// JSON: {"products": [{"sku", "name", "category", "unitPrice",
    /// "currency"}], "barcodes": [{"barcode", "barcodeType", "format",
    /// "productSku", "uomCode", "quantity", "isDefault", "isActive", "id"}]}.
    /// CSV: one kind of record per file, with a header row naming the same
    /// columns. format defaults to barcodeType, isDefault to false, isActive
    /// to true, id to a new UUID.
    #[command(
        after_help = "Examples:\n  barcoded catalog import products.csv\n  barcoded catalog import barcodes.csv\n  barcoded catalog import catalog.json"
    )]
    Import {
        /// The file to import.
        file: PathBuf,
        /// The file's format [default: from its extension].
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
    /// Export the catalog: JSON holds products and barcodes (and imports
    /// back as is); CSV holds the barcode records.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: FileFormat,
        /// Write here instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Create a product, or replace the one with that SKU.
    Product(ProductArgs),
    /// Add a barcode record; prints it, with its new id.
    ///
    /// Refused if another record has the same productSku, barcodeType and
    /// uomCode; the message names that record.
    AddBarcode(AddBarcodeArgs),
    /// Change fields of a barcode record, by id.
    UpdateBarcode(UpdateBarcodeArgs),
    /// Deactivate a barcode record: lookups stop finding it at once.
    Deactivate {
        /// The record's id, as lookup and export show it.
        id: Uuid,
    },
    /// Reactivate a barcode record: lookups find it again at once.
    Reactivate {
        /// The record's id, as lookup and export show it.
        id: Uuid,
    },
    /// Link a barcode that no plugin knows (a supplier's own label, a
    /// reused box) to a product: scans and lookups of it resolve to the
    /// product from then on. Prints the link's record.
    ///
    /// The installed plugins are asked first and a barcode one of them
    /// recognises is refused; so is one that already resolves to an active
    /// record. A product has at most one link: linking another barcode
    /// replaces it. Separators and control characters are left out of the
    /// kept value, so the label resolves however a scanner sends them.
    #[command(
        after_help = "Example:\n  barcoded catalog link 'BOX-4471-A' --sku DV-KAT-SENIOR-2KG"
    )]
    Link {
        /// The barcode, as the scanner sent it (in bash, $'\x1d' for GS).
        barcode: String,
        /// The product it stands for.
        #[arg(long)]
        sku: String,
    },
    /// Remove a product's linked barcode: it no longer resolves.
    Unlink {
        /// The product whose link goes.
        sku: String,
    },
    /// List linked barcodes, active or not, as JSON lines.
    Links,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FileFormat {
    Json,
    Csv,
}

impl From<FileFormat> for Format {
    fn from(format: FileFormat) -> Format {
        match format {
            FileFormat::Json => Format::Json,
            FileFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Args)]
pub struct ProductArgs {
    /// The product's SKU; a product with this SKU is replaced.
    #[arg(long)]
    sku: String,
    /// The name tills show.
    #[arg(long)]
    name: String,
    /// Free text, such as Pet food.
    #[arg(long)]
    category: String,
    /// Unit price as a decimal, such as 12.99.
    #[arg(long)]
    price: String,
    /// ISO 4217 currency code, such as EUR.
    #[arg(long)]
    currency: String,
    /// A supplier's number for it, as SUPPLIER:PART (repeatable), so that
    /// supplier labels resolve to this product.
    #[arg(long = "supplier-part", value_name = "SUPPLIER:PART", value_parser = SupplierPart::parse)]
    supplier_parts: Vec<SupplierPart>,
}

#[derive(Debug, Args)]
pub struct AddBarcodeArgs {
    /// The scanned value.
    #[arg(long)]
    barcode: String,
    /// EAN, UPC, GTIN, SSCC, GS1-128, CODE128, QR, DATAMATRIX, INTERNAL, ...
    #[arg(long = "type")]
    barcode_type: String,
    /// Such as EAN-13 [default: the type].
    #[arg(long)]
    format: Option<String>,
    /// The product's SKU.
    #[arg(long)]
    sku: String,
    /// Unit of measure: EA, CA, PL, ...
    #[arg(long)]
    uom: String,
    /// Units of the product in one scanned pack.
    #[arg(long, default_value_t = 1)]
    quantity: u32,
    /// Prefer this record when several share the barcode.
    #[arg(long)]
    default: bool,
    /// Add it deactivated.
    #[arg(long)]
    inactive: bool,
}

#[derive(Debug, Args)]
pub struct UpdateBarcodeArgs {
    /// The record's id.
    id: Uuid,
    #[arg(long)]
    barcode: Option<String>,
    #[arg(long = "type")]
    barcode_type: Option<String>,
    #[arg(long)]
    format: Option<String>,
    #[arg(long)]
    sku: Option<String>,
    #[arg(long)]
    uom: Option<String>,
    #[arg(long)]
    quantity: Option<u32>,
    #[arg(long)]
    default: Option<bool>,
    #[arg(long)]
    active: Option<bool>,
}

pub fn run(data_dir: &Path, place: &StorePlace, command: CatalogCommand) -> CliResult {
    // Opened by the commands that need it; a link opens the whole service.
    let office = || Office::open(place);
    match command {
        CatalogCommand::Import { file, format } => {
            import_file(&office()?, &file, format.map(Format::from))
        }
        CatalogCommand::Export { format, output } => {
            export(&office()?, format.into(), output.as_deref())
        }
        CatalogCommand::Product(args) => {
            let product = Product {
                sku: args.sku,
                name: args.name,
                category: args.category,
                unit_price: Price::parse(args.price.trim())?,
                currency: args.currency,
                supplier_parts: args.supplier_parts,
            };
            wait(office()?.put_product(&by(), product.clone()))?;
            print_record(&product)
        }
        CatalogCommand::AddBarcode(args) => {
            let barcode = Barcode {
                id: Uuid::now_v7(),
                format: args.format.unwrap_or_else(|| args.barcode_type.clone()),
                barcode: args.barcode,
                barcode_type: args.barcode_type,
                product_sku: args.sku,
                uom_code: args.uom,
                quantity: args.quantity,
                is_default: args.default,
                is_active: !args.inactive,
            };
            wait(office()?.add_barcode(&by(), barcode.clone()))?;
            print_record(&barcode)
        }
        CatalogCommand::UpdateBarcode(args) => {
            let id = args.id;
            let barcode = wait(
                office()?.edit_barcode(&by(), id, move |barcode| apply_updates(barcode, args)),
            )?
            .ok_or_else(|| format!("no barcode record with id {id}"))?;
            print_record(&barcode)
        }
        CatalogCommand::Deactivate { id } => set_active(&office()?, id, false),
        CatalogCommand::Reactivate { id } => set_active(&office()?, id, true),
        CatalogCommand::Link { barcode, sku } => link(data_dir, place, &barcode, &sku),
        CatalogCommand::Unlink { sku } => match wait(office()?.unlink(&by(), &sku))? {
            Some(removed) => print_record(&removed),
            None => Err(format!("product {sku} has no linked barcode").into()),
        },
        CatalogCommand::Links => {
            for link in wait(office()?.links())? {
                println!("{}", serde_json::to_string(&link)?);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Links through the service, so that its plugins are asked first.
fn link(data_dir: &Path, place: &StorePlace, barcode: &str, sku: &str) -> CliResult {
    let service = super::shell::local_service(data_dir, place)?;
    let linked = wait(service.link(&by(), barcode, sku));
    service.close();
    let linked = linked?;
    if let Some(replaced) = &linked.replaced {
        eprintln!("{sku} was linked to {replaced:?}, which no longer resolves");
    }
    print_record(&linked.barcode)
}

fn apply_updates(barcode: &mut Barcode, args: UpdateBarcodeArgs) {
    let UpdateBarcodeArgs {
        id: _,
        barcode: value,
        barcode_type,
        format,
        sku,
        uom,
        quantity,
        default,
        active,
    } = args;
    barcode.barcode = value.unwrap_or(std::mem::take(&mut barcode.barcode));
    barcode.barcode_type = barcode_type.unwrap_or(std::mem::take(&mut barcode.barcode_type));
    barcode.format = format.unwrap_or(std::mem::take(&mut barcode.format));
    barcode.product_sku = sku.unwrap_or(std::mem::take(&mut barcode.product_sku));
    barcode.uom_code = uom.unwrap_or(std::mem::take(&mut barcode.uom_code));
    barcode.quantity = quantity.unwrap_or(barcode.quantity);
    barcode.is_default = default.unwrap_or(barcode.is_default);
    barcode.is_active = active.unwrap_or(barcode.is_active);
}

fn set_active(office: &Office, id: Uuid, active: bool) -> CliResult {
    let barcode = wait(office.set_barcode_active(&by(), id, active))?;
    print_record(&barcode)
}

fn print_record(record: &impl serde::Serialize) -> CliResult {
    let json = serde_json::to_string_pretty(record)?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

fn import_file(office: &Office, file: &Path, format: Option<Format>) -> CliResult {
    let format = format.or_else(|| Format::of(file)).ok_or_else(|| {
        format!(
            "cannot tell the format of {}: name it *.json or *.csv, or pass --format",
            file.display()
        )
    })?;
    let started = Instant::now();
    let path = file.to_owned();
    let open = move || std::fs::File::open(&path);
    eprintln!("checking {}...", file.display());
    let mut progress = Progress::new();
    let bar = progress;
    let imported = wait(office.import(&by(), open, format, move |done, total| {
        progress.update(done, total)
    }))
    .map_err(|e| format!("{}: {e}", file.display()))?;
    bar.finish();
    eprintln!(
        "imported {} products and {} barcode records from {} in {:.1}s",
        imported.products,
        imported.barcodes,
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(office: &Office, format: Format, output: Option<&Path>) -> CliResult {
    let out: Box<dyn Write + Send> = match output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let mut out = wait(office.export(format, std::io::BufWriter::new(out)))?;
    out.flush()
        .map_err(|e| format!("cannot write the export: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Seeds the demo catalog into an empty store; leaves any other alone.
pub async fn seed_demo(office: &Office) -> CliResult<()> {
    let counts = office.counts().await?;
    if counts.products > 0 || counts.barcodes > 0 {
        tracing::info!("--demo: the catalog is not empty, so the demo catalog was not seeded");
        return Ok(());
    }
    let open = || Ok(DEMO_CATALOG.as_bytes());
    let imported = office.import(&by(), open, Format::Json, |_, _| {}).await?;
    tracing::info!(
        "--demo: seeded the demo catalog ({} records)",
        imported.total()
    );
    Ok(())
}

/// Import progress on stderr: a bar redrawn in place on a terminal, a line
/// per committed batch otherwise (so logs show how far a failed run got).
#[derive(Clone, Copy)]
struct Progress {
    terminal: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn update(&mut self, done: usize, total: usize) {
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        if self.terminal {
            let filled = percent / 4;
            eprint!(
                "\r[{}{}] {percent:>3}%  {done}/{} rows",
                "#".repeat(filled),
                " ".repeat(25 - filled),
                total
            );
        } else {
            eprintln!("committed {done} of {total} rows");
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
