//! barcoded's operations, whichever edge asks for them: scanning (the
//! plugin chain joined to the catalog, bookings and history), linking,
//! installing and loading plugins, importing and exporting the catalog, and
//! moving a whole store to another backend.
//! They answer with domain outcomes and typed errors; the CLI and the HTTP
//! API turn those into exit codes and statuses.

mod audit;
mod backend;
mod backup;
pub mod catalog;
mod code_cache;
mod foreign;
mod history_writer;
mod import;
mod metrics;
mod migrate;
mod office;
mod place;
pub mod plugins;
mod receiving;
mod registry;
mod server;
mod service;
pub mod signing;
mod trial;

pub use backup::{BackupError, backup, restore};
pub use barcoded_domain::store::{CatalogCounts, Lookup, StoreError, StoreState};
pub use barcoded_store::TableCopy;
pub use foreign::FOREIGN_DATA;
pub use import::{ExportError, Format, ImportError, Imported};
pub use metrics::{Levels, Metrics};
pub use migrate::{MigrateError, migrate};
pub use office::{KeyError, Office, StockOverview, Transfer};
pub use place::{NotAStoreUrl, StorePlace};
pub use receiving::{ReceiptAnswer, ReceiveError, Received};
pub use registry::{EngineError, InstallError, InstallRequest, Installed, install};
pub use service::{CatalogMatch, Health, LinkError, OpenError, Policy, Scanned, Service, Setup};
pub use trial::{Trial, TrialError};
