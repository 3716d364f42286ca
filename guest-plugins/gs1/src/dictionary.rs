//! Every Application Identifier in GS1's syntax dictionary, as `build.rs`
//! generated it, and how to find the one a piece of data starts with.

/// The characters a component may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Digits.
    Numeric,
    /// GS1 AI encodable character set 82.
    Cset82,
    /// GS1 AI encodable character set 39.
    Cset39,
    /// base64url (file-safe base64) characters.
    Cset64,
}

/// Content checks named by the dictionary (GS1's "linters").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linter {
    Couponcode,
    Couponposoffer,
    Csum,
    Csumalpha,
    Gcppos1,
    Gcppos2,
    Hasnondigit,
    Hh,
    Hhmi,
    Hyphen,
    Iban,
    Importeridx,
    Iso3166,
    Iso3166999,
    Iso3166alpha2,
    Iso4217,
    Iso5218,
    Latitude,
    Longitude,
    Mediatype,
    Mi,
    Nonzero,
    Nozeroprefix,
    Packagetype,
    Pcenc,
    Pieceoftotal,
    Posinseqslash,
    Ss,
    Winding,
    Yesno,
    Yymmd0,
    Yymmdd,
    Yyyymmdd,
    Zero,
}

/// One part of an AI's value.
#[derive(Debug)]
pub struct Component {
    pub charset: Charset,
    pub min: u8,
    pub max: u8,
    /// May be left out when the data ends before it.
    pub optional: bool,
    pub linters: &'static [Linter],
}

/// An Application Identifier.
#[derive(Debug)]
pub struct Ai {
    pub code: &'static str,
    /// Whether a variable-length value must be ended by FNC1 (GS) when
    /// another AI follows; predefined-length AIs need none.
    pub fnc1: bool,
    /// For a Digital Link primary key: the qualifier sequences it accepts
    /// in the path, in order (each may stop early).
    pub dl_key: Option<&'static [&'static [&'static str]]>,
    pub title: &'static str,
    pub components: &'static [Component],
}

impl Ai {
    /// The value's length when every component is fixed, as for
    /// predefined-length AIs.
    pub fn fixed_length(&self) -> Option<usize> {
        self.components
            .iter()
            .map(|c| (c.min == c.max && !c.optional).then_some(usize::from(c.max)))
            .sum()
    }
}

include!(concat!(env!("OUT_DIR"), "/ai_table.rs"));

/// The AI that `data` starts with. GS1 AIs are prefix-free, so at most one
/// of the 2-, 3- and 4-digit prefixes is an AI.
pub fn ai_at_start(data: &str) -> Option<&'static Ai> {
    (2..=4)
        .filter_map(|len| data.get(..len))
        .find_map(|prefix| {
            AIS.binary_search_by(|ai| ai.code.cmp(prefix))
                .ok()
                .map(|index| &AIS[index])
        })
}

/// The AI with exactly this code.
pub fn ai(code: &str) -> Option<&'static Ai> {
    AIS.binary_search_by(|ai| ai.code.cmp(code))
        .ok()
        .map(|index| &AIS[index])
}
