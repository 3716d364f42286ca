//! Label symbols (`GET /api/barcode/label/{code}`): each symbology drawn by
//! the real server, rendered by Chromium and read back by an independent
//! decoder (zxing-cpp from PyPI, tests/e2e/read_symbols.py) to the data it
//! encodes, GS separators and symbology identifiers included.

use std::path::Path;

use serde_json::Value;

use crate::browser::Browser;
use crate::harness::{Server, TempDir, data_dir_with};

/// What the decoder read in `png`: format, text and symbology identifier.
fn read_symbols(png: &Path) -> Vec<(String, String, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/read_symbols.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(png)
        .output()
        .expect("running python3 (`just test` installs zxing-cpp and pillow)");
    assert!(
        output.status.success(),
        "read_symbols.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|code| {
            let field = |name: &str| code[name].as_str().unwrap().to_owned();
            (field("format"), field("text"), field("symbology"))
        })
        .collect()
}

#[test]
fn every_symbology_is_read_back_by_an_independent_decoder_to_the_data_it_encodes() {
    let server = Server::start_with(data_dir_with(&[]), &["--demo"]);
    let dir = TempDir::new();
    let browser = Browser::start();
    let cases = [
        (
            "4006381333931?symbology=ean13",
            "EAN-13",
            "4006381333931",
            "]E0",
        ),
        (
            "012345678912?symbology=upca",
            "EAN-13",
            "0012345678912",
            "]E0",
        ),
        (
            "OLD-VIT-001?symbology=code128",
            "Code 128",
            "OLD-VIT-001",
            "]C0",
        ),
        (
            "4006381333931?symbology=gs1-128&batch=LOT42&expiry=271231",
            "Code 128",
            "010400638133393110LOT42\u{1d}17271231",
            "]C1",
        ),
        (
            "OLD-VIT-001?symbology=datamatrix",
            "Data Matrix",
            "OLD-VIT-001",
            "]d1",
        ),
        (
            "4006381333931?symbology=gs1-datamatrix&batch=LOT42&expiry=271231",
            "Data Matrix",
            "010400638133393110LOT42\u{1d}17271231",
            "]d2",
        ),
        // Without a symbology, the record's format decides: a carton's
        // GTIN-14 and a pallet's SSCC as GS1-128, an EAN-13 as EAN-13.
        (
            "14006381333938?uomCode=CA",
            "Code 128",
            "0114006381333938",
            "]C1",
        ),
        (
            "00123456789123456789",
            "Code 128",
            "00123456789123456789",
            "]C1",
        ),
        ("4006381333931", "EAN-13", "4006381333931", "]E0"),
    ];
    for (at, (query, format, text, symbology)) in cases.into_iter().enumerate() {
        let answer = server.get(&format!("/api/barcode/label/{query}"));
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        assert_eq!(answer.header("content-type"), Some("image/svg+xml"));
        let svg = dir.path().join(format!("{at}.svg"));
        std::fs::write(&svg, &answer.body).unwrap();
        let page = dir.path().join(format!("{at}.html"));
        std::fs::write(
            &page,
            format!(
                "<html><body style=\"margin:0;background:#fff\">\
                 <img src=\"{at}.svg\" style=\"width:600px;margin:40px\"></body></html>"
            ),
        )
        .unwrap();
        browser.goto(&format!("file://{}", page.display()));
        browser.wait_until(
            "the symbol to be drawn",
            "const i = document.images[0]; return !!i && i.complete && i.naturalWidth > 0;",
        );
        let png = dir.path().join(format!("{at}.png"));
        browser.screenshot(&png);
        assert_eq!(
            read_symbols(&png),
            [(format.to_owned(), text.to_owned(), symbology.to_owned())],
            "{query}"
        );
    }
}

#[test]
fn a_symbol_that_cannot_carry_the_code_is_refused_with_the_reason() {
    let server = Server::start_with(data_dir_with(&[]), &["--demo"]);
    let refused = |query: &str, status: u16, reason: &str| {
        let answer = server.get(&format!("/api/barcode/label/{query}"));
        assert_eq!(answer.status, status, "{query}: {}", answer.body);
        let error = answer.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(reason), "{query}: {error}");
    };
    refused("OLD-VIT-001?symbology=ean13", 422, "not a 13-digit GTIN");
    // The demo's cat food carries a wrong check digit.
    refused("5410317126589?symbology=ean13", 422, "check digit");
    refused(
        "4006381333931?symbology=ean13&batch=L1",
        422,
        "needs a GS1 symbology",
    );
    refused(
        "4006381333931?symbology=gs1-128&expiry=271331",
        422,
        "YYMMDD",
    );
    refused(
        "4006381333931?symbology=gs1-128&batch=LOT%2042",
        422,
        "a batch is",
    );
    refused("4006381333931?symbology=pdf417", 400, "symbology is one of");
    refused("4006381333931?size=big", 400, "size");
    refused("NO-SUCH-CODE?symbology=code128", 404, "Barcode not found");
    // Asked for none, a code its format's symbology cannot carry is Code 128.
    let fallback = server.get("/api/barcode/label/5410317126589");
    assert_eq!(fallback.status, 200, "{}", fallback.body);
}
