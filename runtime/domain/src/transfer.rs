//! Every record a store holds, of every kind, as `barcoded store migrate`
//! moves them from one backend to another and compares the two.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    AuditEntry, Barcode, HistoryEntry, Movement, PluginRecord, Product, PurchaseOrder, Quarantine,
    StoredKey, TrustedKey,
};

/// One stored record. A store exports them kind by kind in the order of
/// [`Kind::ALL`], each kind in the order of its key, so that two stores with
/// the same contents export the same sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// By SKU.
    Product(Product),
    /// By id.
    Barcode(Barcode),
    /// By name; the digest of the secret, never the secret.
    Key(StoredKey),
    /// By name.
    Plugin(Box<PluginRecord>),
    /// An installed plugin's component, by digest.
    Component { digest: String, bytes: Vec<u8> },
    /// Scans and failures summed over the servers' lifetimes, by name.
    PluginStats {
        name: String,
        scans: u64,
        failures: u64,
    },
    /// By plugin name.
    Quarantined {
        name: String,
        quarantine: Quarantine,
    },
    /// By (SKU, location).
    Level {
        sku: String,
        location: String,
        level: i64,
    },
    /// By id.
    Movement(Movement),
    /// By number.
    Order(PurchaseOrder),
    /// By id, with the Unix milliseconds it was written at (for pruning).
    Scan { millis: u64, entry: HistoryEntry },
    /// By id.
    Audit(AuditEntry),
    /// By name.
    Trusted(TrustedKey),
    /// Whether plugins need a trusted signature; one record.
    RequireSigned(bool),
}

/// The kinds of record, in export order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Products,
    Barcodes,
    Keys,
    Plugins,
    Components,
    PluginStats,
    Quarantine,
    StockLevels,
    Movements,
    Orders,
    History,
    Audit,
    Trust,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Products,
        Kind::Barcodes,
        Kind::Keys,
        Kind::Plugins,
        Kind::Components,
        Kind::PluginStats,
        Kind::Quarantine,
        Kind::StockLevels,
        Kind::Movements,
        Kind::Orders,
        Kind::History,
        Kind::Audit,
        Kind::Trust,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Products => "products",
            Kind::Barcodes => "barcodes",
            Kind::Keys => "api-keys",
            Kind::Plugins => "plugins",
            Kind::Components => "components",
            Kind::PluginStats => "plugin-stats",
            Kind::Quarantine => "quarantine",
            Kind::StockLevels => "stock-levels",
            Kind::Movements => "stock-movements",
            Kind::Orders => "purchase-orders",
            Kind::History => "scan-history",
            Kind::Audit => "audit-trail",
            Kind::Trust => "trusted-keys",
        }
    }
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Product(_) => Kind::Products,
            Record::Barcode(_) => Kind::Barcodes,
            Record::Key(_) => Kind::Keys,
            Record::Plugin(_) => Kind::Plugins,
            Record::Component { .. } => Kind::Components,
            Record::PluginStats { .. } => Kind::PluginStats,
            Record::Quarantined { .. } => Kind::Quarantine,
            Record::Level { .. } => Kind::StockLevels,
            Record::Movement(_) => Kind::Movements,
            Record::Order(_) => Kind::Orders,
            Record::Scan { .. } => Kind::History,
            Record::Audit(_) => Kind::Audit,
            Record::Trusted(_) | Record::RequireSigned(_) => Kind::Trust,
        }
    }
}

/// How many records of each kind went by, and the SHA-256 of their
/// sequence: two stores with equal tallies hold the same records.
#[derive(Debug, Clone)]
pub struct Tally {
    kinds: Vec<(Kind, u64, Sha256)>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            kinds: Kind::ALL.iter().map(|k| (*k, 0, Sha256::new())).collect(),
        }
    }
}

impl Tally {
    pub fn add(&mut self, record: &Record) {
        let kind = record.kind();
        if let Some((_, count, hash)) = self.kinds.iter_mut().find(|(k, ..)| *k == kind) {
            *count += 1;
            hash.update(serde_json::to_vec(record).expect("records always serialise"));
            hash.update(b"\n");
        }
    }

    /// (kind, records, hex SHA-256) for every kind.
    pub fn rows(&self) -> Vec<(Kind, u64, String)> {
        self.kinds
            .iter()
            .map(|(kind, count, hash)| (*kind, *count, crate::hex(&hash.clone().finalize())))
            .collect()
    }

    pub fn records(&self) -> u64 {
        self.kinds.iter().map(|(_, count, _)| count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(level: i64) -> Record {
        Record::Level {
            sku: "A".into(),
            location: "DOCK".into(),
            level,
        }
    }

    #[test]
    fn tallies_agree_only_on_the_same_records_in_the_same_order() {
        let tally = |records: &[Record]| {
            let mut tally = Tally::default();
            records.iter().for_each(|r| tally.add(r));
            tally
        };
        assert_eq!(
            tally(&[level(1), level(2)]).rows(),
            tally(&[level(1), level(2)]).rows()
        );
        assert_ne!(
            tally(&[level(1), level(2)]).rows(),
            tally(&[level(2), level(1)]).rows()
        );
        assert_ne!(
            tally(&[level(1)]).rows(),
            tally(&[level(1), level(1)]).rows()
        );
        assert_eq!(tally(&[level(1), level(2)]).records(), 2);
    }
}
