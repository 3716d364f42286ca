//! A scanned label's text as InvenTree reads it: the `barcode_hash` its
//! clients compare, and the value a linked barcode is kept under.
//!
//! Both drop what scanners send differently for the same label (surrounding
//! whitespace, GS and RS separators, anything outside ASCII's printable
//! characters), so one label hashes and resolves alike however it arrived.

use md5::{Digest, Md5};

/// The text InvenTree hashes: the data stripped of leading and trailing
/// whitespace as Python's `str.strip` sees it (GS and RS included), then
/// only the characters in Python's `string.printable`.
fn printable(data: &str) -> String {
    let python_space = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    data.trim_matches(python_space)
        .chars()
        .filter(|&c| c.is_ascii_graphic() || " \t\n\r\x0b\x0c".contains(c))
        .collect()
}

/// InvenTree's `barcode_hash`: the MD5 of its printable text (see the module docs), in hex.
pub fn barcode_hash(data: &str) -> String {
    crate::hex(&Md5::digest(printable(data).as_bytes()))
}

/// The value a link to `data` is kept under: its printable text without
/// line ends or tabs, trimmed, so that the label resolves however the
/// scanner sent its separators. `None` when nothing printable is left.
pub fn link_value(data: &str) -> Option<String> {
    let value: String = printable(data)
        .chars()
        .filter(|c| !c.is_ascii_control())
        .collect();
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{barcode_hash, link_value};

    #[test]
    fn barcode_hashes_match_inventrees() {
        // hashlib.md5(b"4006381333931").hexdigest()
        assert_eq!(
            barcode_hash("4006381333931"),
            "c1a8a4073d832f6e5d43cea45034c777"
        );
        // GS separators and a trailing line end do not change the hash.
        assert_eq!(
            barcode_hash("]d2\x1d0109521234543213\x1d10ABC\r\n"),
            barcode_hash("]d2010952123454321310ABC")
        );
        // Non-ASCII characters are dropped, as `string.printable` drops them.
        assert_eq!(barcode_hash("café"), barcode_hash("caf"));
        // Stripped first, filtered after: the space after \\x01 stays.
        assert_eq!(
            barcode_hash(" \x01 abc"),
            "12cfaf7fd98f33be8038b3d56c18f061"
        );
    }

    #[test]
    fn a_label_links_under_one_value_however_it_was_sent() {
        let sent = [
            "[)>\x1e06\x1dPBOX-17\x1d1T42\x1e\x04",
            "[)>06PBOX-171T42",
            "  [)>\x1e06\x1dPBOX-17\x1d1T42\r\n",
        ];
        for data in sent {
            assert_eq!(
                link_value(data).as_deref(),
                Some("[)>06PBOX-171T42"),
                "{data:?}"
            );
        }
        assert_eq!(link_value("a\tb c\n").as_deref(), Some("ab c"));
        assert_eq!(link_value(" \x01 x").as_deref(), Some("x"));
        for nothing in ["", " \r\n", "\x1d\x1e\x04", "ééé"] {
            assert_eq!(link_value(nothing), None, "{nothing:?}");
        }
    }
}
