// Decodes shelf labels: `SHELF-<aisle>-<bay>`, such as `SHELF-12-3`.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, config, export_plugin};

pub struct Shelf;

impl Plugin for Shelf {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "shelf".into(),
            title: "Shelf labels".into(),
            description: "Decodes SHELF-<aisle>-<bay> location labels.".into(),
            version: "0.1.0".into(),
            author: "Example Stores <dev@example.com>".into(),
        }
    }

    // The server asks this plugin only about data these patterns match:
    // cover everything `scan` decodes or rejects.
    const CLAIMS: &'static [&'static str] = &["^SHELF-"];

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        // Not ours: answer None, so that the next plugin is asked.
        let Some(rest) = data.strip_prefix("SHELF-") else {
            return Ok(None);
        };
        // Ours, but broken: say why, in words a till operator can act on.
        let (aisle, bay) = rest.split_once('-').unwrap_or((rest, ""));
        let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !number(aisle) || !number(bay) {
            return Err(ScanError::new("SHELF", "expected SHELF-<aisle>-<bay>, both numbers"));
        }
        // An operator setting (`barcoded plugin config shelf site=north`).
        let site = config("site").unwrap_or_else(|| "main".into());
        // What a plugin prints goes to the server log, tagged with its name.
        println!("shelf label: aisle {aisle}, bay {bay} at {site}");
        Ok(Some(
            ScanResult::new("SHELF")
                .field("site", site)
                .field("aisle", aisle)
                .field("bay", bay),
        ))
    }
}

export_plugin!(Shelf);

#[cfg(test)]
mod tests {
    use super::*;
    use barcode_plugin_sdk::testing::FakeHost;

    #[test]
    fn decodes_a_shelf_label_with_the_site_setting() {
        let (answer, _) = FakeHost::new().config("site", "north").run(|| Shelf::scan("SHELF-12-3"));
        let result = answer.unwrap().unwrap();
        assert_eq!(result.fields[0].value, "north");
        assert_eq!(result.fields[1].value, "12");
    }

    #[test]
    fn a_broken_shelf_label_is_invalid_and_other_data_not_ours() {
        assert!(Shelf::scan("SHELF-12-x").is_err());
        assert!(Shelf::scan("4006381333931").unwrap().is_none());
    }
}
