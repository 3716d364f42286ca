//! The web console in a real headless Chromium against the real server:
//! signing in, scanning, plugins, keys and the history, as operators and
//! till staff use it. Set `CONSOLE_SCREENSHOT=docs/console.png` to save the
//! scan page as the README shows it.

use std::path::Path;

use serde_json::json;

use crate::browser::{Browser, CONTROL, ENTER, RELEASE};
use crate::harness::{Server, add_screw, component, create_key, data_dir_with};

/// A GS1-128 label as a scanner sends it (symbology identifier `]C1`), with a variable-length batch (10) followed by an
/// expiry (17): without the GS after the batch, the expiry would read as
/// part of it. The GTIN is the demo catalog's carton of ten pens.
pub(crate) const GS1_CARTON: &str = "]C1011400638133393810LOT42<GS>17271231";

pub(crate) fn url(server: &Server) -> String {
    format!("http://{}/", server.address())
}

pub(crate) fn sign_in(browser: &Browser, server: &Server, key: &str) {
    browser.goto(&url(server));
    browser.type_into("#signin-key", key);
    browser.click("#signin-form button[type=submit]");
    browser.wait_for_text("#who", "(");
}

/// Creates a `pos` key named `name` on the Keys page; the secret it shows once.
fn create_key_in_console(browser: &Browser, name: &str) -> String {
    browser.goto_hash("keys");
    browser.type_into("#keys-name", name);
    browser.click("#keys-form button[type=submit]");
    browser.wait_for_text("#keys-created", "shown this once");
    browser
        .run(
            "return document.getElementById('keys-secret').value;",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) fn scan(browser: &Browser, data: &str) -> String {
    browser.goto_hash("scan");
    // So that the answer waited for is this scan's, not the one before.
    browser.run(
        "document.getElementById('scan-result').replaceChildren();",
        json!([]),
    );
    browser.type_into("#scan-input", data);
    browser.type_into("#scan-input", ENTER);
    browser.wait_for_text("#scan-result", "Answer as JSON")
}

#[test]
fn the_console_is_served_with_a_strict_policy_and_without_a_key() {
    let server = Server::start(data_dir_with(&[]));
    let root = server.request_as(None, "GET", "/", b"");
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/console/"));
    let page = server.request_as(None, "GET", "/console/", b"");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").unwrap_or_default();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    // No inline script or style for the policy to have to allow.
    assert!(!page.body.contains("<script>") && !page.body.contains(" style="));
    assert!(
        page.body
            .contains(r#"<script type="module" src="console.js">"#)
    );
    for (file, kind) in [
        ("console.js", "text/javascript"),
        ("console.css", "text/css"),
    ] {
        let asset = server.request_as(None, "GET", &format!("/console/{file}"), b"");
        assert_eq!(asset.status, 200, "{file}");
        assert!(asset.header("content-type").unwrap().starts_with(kind));
    }
    let missing = server.request_as(None, "GET", "/console/../api/barcode/history", b"");
    assert_eq!(missing.status, 404);
    // The page is public; what it does is not.
    let history = server.request_as(None, "GET", "/api/barcode/history", b"");
    assert_eq!(history.status, 401);
}

#[test]
fn a_till_signs_in_and_scans_a_gs1_label_with_a_substitute_for_gs() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-gs1.wasm", "gs1")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let browser = Browser::start();

    browser.goto(&url(&server));
    browser.type_into("#signin-key", "not-a-key");
    browser.click("#signin-form button[type=submit]");
    browser.wait_for_text("#signin-error", "refused");

    sign_in(&browser, &server, server.key());
    assert_eq!(browser.text("#who"), "e2e (pos)");
    assert!(
        !browser.visible("nav a[href='#plugins']"),
        "a pos key sees no admin pages"
    );

    let answer = scan(&browser, GS1_CARTON);
    assert!(answer.contains("Decoded"), "{answer}");
    assert!(answer.contains("gs1"), "{answer}");
    assert_eq!(
        browser.text("#scan-result [data-test=till]"),
        "10× CA | STABILO Pen 68 black"
    );
    // The batch ended at the GS: the expiry is a field of its own.
    assert!(
        answer.contains("LOT42") && !answer.contains("LOT4217"),
        "{answer}"
    );
    assert!(
        answer.contains("271231") || answer.contains("2027-12-31"),
        "{answer}"
    );
    // Named fields first, in the plugin's order, then the raw AIs.
    let terms = browser.run(
        "return [...document.querySelectorAll('#scan-result .fields dt')].map(dt => dt.innerText);",
        json!([]),
    );
    let terms: Vec<&str> = terms
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    let fields: Vec<&str> = terms
        .iter()
        .copied()
        .skip_while(|t| *t != "gtin")
        .take(6)
        .collect();
    assert_eq!(
        fields,
        ["gtin", "batch", "expiry", "01", "10", "17"],
        "{terms:?}"
    );
    if let Ok(file) = std::env::var("CONSOLE_SCREENSHOT") {
        browser.screenshot(Path::new(&file));
    }

    // A scanner in "control + ASCII" mode sends GS as Ctrl+].
    let typed = scan(
        &browser,
        &format!("]C1011400638133393810LOT42{CONTROL}]{RELEASE}17271231"),
    );
    assert!(
        typed.contains("LOT42") && !typed.contains("LOT4217"),
        "{typed}"
    );

    // The server got the GS itself, both times (history is written within
    // milliseconds of the answer).
    let bearer = format!("Bearer {admin}");
    let mut scanned = Vec::new();
    for _ in 0..100 {
        let history = server
            .request_as(Some(&bearer), "GET", "/api/barcode/history", b"")
            .json();
        scanned = history["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["barcode_data"].clone())
            .collect();
        if scanned.len() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let label = json!("]C1011400638133393810LOT42\u{1d}17271231");
    assert_eq!(scanned, [label.clone(), label]);

    // The page hides admin pages; the server refuses them whatever the page does.
    browser.goto_hash("history");
    browser.wait_for_text("#page-denied", "admin");
    let refused = browser.run(
        "return fetch('/api/barcode/history', {headers: {Authorization: 'Bearer ' + sessionStorage.getItem('barcoded.key')}}).then(r => r.status);",
        json!([]),
    );
    assert_eq!(refused, json!(403));
}

#[test]
fn an_admin_uploads_enables_and_reorders_plugins_and_the_winner_changes() {
    let data = data_dir_with(&[("10-first.wasm", "hello"), ("20-second.wasm", "hello")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start(data);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);

    browser.goto_hash("plugins");
    browser.wait_for_text("#plugins-table", "second");
    browser.choose_file("#upload-file", &component("hello"));
    browser.type_into("#upload-name", "uploaded");
    browser.type_into("#upload-priority", "5");
    browser.click("#plugins-upload button[type=submit]");
    browser.wait_for_text("#notice", "uploaded: installed");
    let row = browser.wait_for_text("tr[data-plugin=uploaded]", "disabled");
    assert!(row.contains("Hello"), "{row}");
    browser.click("tr[data-plugin=uploaded] button[data-action=enable]");
    browser.wait_for_text("tr[data-plugin=uploaded]", "enabled");
    assert!(
        browser
            .text("#plugins-table tbody tr:first-child")
            .contains("uploaded"),
        "the new plugin with priority 5 is asked first"
    );
    eventually_scans_as(&browser, "uploaded");

    // Moving it below `first` makes `first` the winner.
    browser.goto_hash("plugins");
    browser.click("button[aria-label='Move uploaded down']");
    browser.wait_for_text("#notice", "Moved uploaded down");
    browser.wait_for_text("#plugins-table tbody tr:first-child", "first");
    eventually_scans_as(&browser, "first");
}

/// Scans `HELLO-x` in the console until `plugin` answers it (a running
/// server picks up plugin changes within its reload poll).
fn eventually_scans_as(browser: &Browser, plugin: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let answer = scan(browser, "HELLO-x");
        if answer.contains(&format!("by {plugin}")) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{plugin} never answered: {answer}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn an_admin_creates_and_revokes_a_key_sees_both_in_the_audit_trail_and_the_revoked_key_is_refused()
{
    let data = data_dir_with(&[]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start(data);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);

    let key = create_key_in_console(&browser, "till-7");
    browser.wait_for_text("#keys-table", "till-7");
    assert_eq!(
        server
            .request_as(Some(&format!("Bearer {key}")), "GET", "/api/user/me/", b"")
            .status,
        200
    );

    browser.click("tr[data-key=till-7] button");
    browser.wait_for_text("tr[data-key=till-7] button", "Revoke till-7?");
    browser.click("tr[data-key=till-7] button");
    browser.wait_for_text("#notice", "Revoked till-7");
    browser.wait_until(
        "till-7 gone from the list",
        "return !document.getElementById('keys-table').innerText.includes('till-7');",
    );

    // The audit page shows both changes, made with the key `ops`.
    browser.goto_hash("audit");
    browser.type_into("#audit-target", "till-7");
    browser.click("#audit-form button[type=submit]");
    browser.wait_for_text("tr[data-operation='key.revoke']", "ops");
    browser.wait_for_text("tr[data-operation='key.create']", "pos");

    browser.click("#signout");
    browser.type_into("#signin-key", &key);
    browser.click("#signin-form button[type=submit]");
    browser.wait_for_text("#signin-error", "refused");
    assert!(browser.visible("#signin") && !browser.visible("#app"));
}

#[test]
fn an_admin_filters_the_history() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start(data);
    for data in ["4006381333931", "HELLO-history", "NOTHING-KNOWS-THIS"] {
        server.scan(&json!({ "barcode_data": data }));
    }
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);

    browser.goto_hash("history");
    let all = browser.wait_for_text("#history-table", "NOTHING-KNOWS-THIS");
    assert!(
        all.contains("HELLO-history") && all.contains("4006381333931"),
        "{all}"
    );

    browser.type_into("#history-plugin", "hello");
    browser.click("#history-form button[type=submit]");
    browser.wait_until("only hello's scan listed", &only_row("HELLO-history"));

    browser.clear("#history-plugin");
    browser.run(
        "const s = document.getElementById('history-result'); s.value = 'no-match';",
        json!([]),
    );
    browser.click("#history-form button[type=submit]");
    browser.wait_until(
        "only the unmatched scan listed",
        &only_row("NOTHING-KNOWS-THIS"),
    );
}

/// A script: whether the history table lists one row, showing `data`.
fn only_row(data: &str) -> String {
    format!(
        "const rows = [...document.querySelectorAll('#history-table tbody tr')];
         return rows.length === 1 && rows[0].innerText.includes({});",
        json!(data)
    )
}

#[test]
fn a_till_looks_up_finds_and_prints_labels_whose_codes_load_under_the_policy() {
    let server = Server::start_with(data_dir_with(&[]), &["--demo"]);
    let browser = Browser::start();
    sign_in(&browser, &server, server.key());

    browser.goto_hash("lookup");
    browser.type_into("#lookup-code", "14006381333938");
    browser.click("#lookup-form button[type=submit]");
    assert_eq!(
        browser.wait_for_text("#lookup-result [data-test=till]", "STABILO"),
        "10× CA | STABILO Pen 68 black"
    );

    browser.goto_hash("catalog");
    browser.type_into("#catalog-q", &format!("stabilo{ENTER}"));
    browser.wait_until(
        "the search to list only the pen",
        "const rows = [...document.querySelectorAll('#catalog-table tbody tr')];
         return rows.length === 1 && rows[0].innerText.includes('STABILO-68-BLACK');",
    );
    browser.click("#catalog-table tbody li button");
    browser.wait_for_text("#notice", "label sheet (1 on it)");

    browser.goto_hash("labels");
    browser.type_into("#labels-sku", "DV-KAT-SENIOR-2KG");
    browser.clear("#labels-copies");
    browser.type_into("#labels-copies", "2");
    browser.click("#labels-form button[type=submit]");
    let sheet = browser.wait_for_text("#labels-sheet", "Dragonvale");
    assert!(sheet.contains("1× EA | STABILO Pen 68 black"), "{sheet}");
    // One barcode label and two copies of the product's, every QR code drawn.
    browser.wait_until(
        "three QR codes drawn",
        "const images = [...document.querySelectorAll('#labels-sheet img')];
         return images.length === 3 && images.every(i => i.complete && i.naturalWidth > 0);",
    );
}

#[test]
fn a_scan_the_server_never_answers_says_so_and_shows_no_old_item() {
    let mut server = Server::start_with(data_dir_with(&[("10-gtin.wasm", "gtin")]), &["--demo"]);
    let browser = Browser::start();
    sign_in(&browser, &server, server.key());
    let first = scan(&browser, "4006381333931");
    assert!(first.contains("STABILO"), "{first}");

    server.kill();
    browser.type_into("#scan-input", "5410317126589");
    browser.type_into("#scan-input", ENTER);
    let answer = browser.wait_for_text("#scan-result", "Not scanned");
    assert!(answer.contains("The server cannot be reached."), "{answer}");
    assert!(answer.contains("5410317126589"), "{answer}");
    assert!(
        !answer.contains("STABILO"),
        "the last item stays on screen: {answer}"
    );
}

#[test]
fn an_unknown_code_is_refused_from_the_label_sheet_the_next_draws_and_the_sheet_survives_a_reload()
{
    let server = Server::start_with(data_dir_with(&[]), &["--demo"]);
    let browser = Browser::start();
    sign_in(&browser, &server, server.key());
    browser.goto_hash("labels");
    let add = |code: &str| {
        browser.clear("#labels-code");
        browser.type_into("#labels-code", code);
        browser.click("#labels-form button[type=submit]");
    };
    add("0000000000017");
    browser.wait_for_text("#notice", "0000000000017 is not in the catalog");
    assert_eq!(browser.text("#labels-sheet"), "The sheet is empty.");
    add("4006381333931");
    browser.wait_for_text("#labels-sheet", "STABILO");
    add("5410317126589");
    browser.wait_until(
        "two QR codes drawn",
        "const images = [...document.querySelectorAll('#labels-sheet img')];
         return images.length === 2 && images.every(i => i.complete && i.naturalWidth > 0);",
    );

    // Reloaded, the tab keeps its sheet; one label is removed alone.
    browser.run(
        "document.body.dataset.before = 'reload'; location.reload();",
        json!([]),
    );
    browser.wait_until(
        "the page reloaded with both labels",
        "return !document.body.dataset.before && document.querySelectorAll('#labels-sheet img').length === 2;",
    );
    browser.click("#labels-sheet figure:first-child button");
    browser.wait_until(
        "one label left",
        "return document.querySelectorAll('#labels-sheet img').length === 1;",
    );
    let sheet = browser.text("#labels-sheet");
    assert!(
        sheet.contains("Dragonvale") && !sheet.contains("STABILO"),
        "{sheet}"
    );
}

#[test]
fn signing_out_leaves_nothing_of_the_admins_and_the_next_key_starts_on_the_scan_page() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start(data);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    let secret = create_key_in_console(&browser, "till-9");
    browser.goto_hash("plugins");
    browser.wait_for_text("#plugins-table", "gtin");

    // The same tab, as a shared till is used: no new page is opened.
    browser.click("#signout");
    browser.type_into("#signin-key", server.key());
    browser.click("#signin-form button[type=submit]");
    browser.wait_for_text("#who", "(pos)");
    let page = browser
        .run(
            "return document.documentElement.outerHTML + [...document.querySelectorAll('input')].map(i => i.value).join(' ');",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned();
    for left in [secret.as_str(), "till-9", "gtin"] {
        assert!(!page.contains(left), "{left:?} is still in the page");
    }
    assert!(browser.visible("#page-scan") && !browser.visible("#page-denied"));
}

#[test]
fn a_limits_change_that_stops_a_plugin_loading_is_shown_as_refused_with_the_reason() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-kanban.wasm", "kanban")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start(data);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    browser.goto_hash("plugins");
    // kanban asks for stock-write, which nobody granted it.
    let kanban = browser.wait_for_text("tr[data-plugin=kanban]", "enabled");
    assert!(
        browser
            .text("tr[data-plugin=kanban] [data-test=not-granted]")
            .contains("Asks for stock-write: not granted"),
        "{kanban}"
    );

    browser.click("tr[data-plugin=gtin] button[data-action=details]");
    // Limits are fields, each showing its default until overridden.
    let placeholder = browser.run(
        "return document.querySelector('#plugin-limits [data-limit=cpu_time_ms]').placeholder;",
        json!([]),
    );
    assert_eq!(placeholder, json!("100"));
    browser.type_into("#plugin-limits [data-limit=memory_mib]", "lots");
    browser.click("#plugins-detail button:not(.quiet)");
    browser.wait_for_text("#plugin-limits .field-error", "whole number");
    browser.clear("#plugin-limits [data-limit=memory_mib]");
    browser.type_into("#plugin-limits [data-limit=memory_mib]", "1");
    browser.click("#plugins-detail button:not(.quiet)");
    let said = browser.wait_for_text("#notice", "refused at load");
    assert!(said.contains("memory limit"), "{said}");
    let row = browser.wait_for_text("tr[data-plugin=gtin]", "refused at load");
    assert!(!row.contains("enabled"), "{row}");
}

#[test]
fn a_refused_action_is_a_warning_and_the_scans_since_sign_in_are_listed_newest_first() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-kanban.wasm", "kanban")]);
    add_screw(data.path(), &[]);
    let server = Server::start(data);
    let browser = Browser::start();
    sign_in(&browser, &server, server.key());
    // kanban asks to take stock, which it was not granted.
    scan(&browser, "KANBAN:SCREW-M4");
    let warning = browser.text("#scan-result [data-test=refused-actions]");
    assert!(
        warning.contains("Not booked: stock.adjust refused"),
        "{warning:?}"
    );
    scan(&browser, "4006381333931");
    scan(&browser, "NOTHING-KNOWS-THIS");
    let log: Vec<String> = browser
        .run(
            "return [...document.querySelectorAll('#scan-log li')].map(li => li.className + ' ' + li.innerText);",
            json!([]),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log[0].starts_with("bad")
            && log[0].contains("NOTHING-KNOWS-THIS")
            && log[0].contains("No match"),
        "{log:?}"
    );
    assert!(
        log[1].starts_with("ok") && log[1].contains("4006381333931") && log[1].contains("by gtin"),
        "{log:?}"
    );
    assert!(
        log[2].starts_with("bad")
            && log[2].contains("KANBAN:SCREW-M4")
            && log[2].contains("Not booked"),
        "{log:?}"
    );
}

/// The visible inputs whose placeholder, and selects whose chosen option,
/// is wider than the box that shows it, measured in the element's font.
const CUT_TEXT: &str = r#"
const canvas = document.createElement('canvas').getContext('2d');
const cut = [];
for (const e of document.querySelectorAll('input[placeholder], select')) {
  if (e.offsetParent === null) continue;
  const text = e.tagName === 'SELECT' ? (e.selectedOptions[0] || {}).text || '' : e.placeholder;
  const style = getComputedStyle(e);
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = e.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - (e.tagName === 'SELECT' ? 20 : 0);
  if (canvas.measureText(text).width > room + 1) cut.push(`${e.id || e.dataset.field || e.dataset.filter}: ${text}`);
}
return cut;
"#;

#[test]
fn every_page_fits_a_phone_screen() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    for data in [
        "4006381333931",
        "HELLO-a-rather-long-piece-of-scanned-data-0123456789",
    ] {
        server.scan(&json!({ "barcode_data": data }));
    }
    let browser = Browser::start();
    browser.resize(390, 844);
    sign_in(&browser, &server, &admin);
    browser.goto_hash("catalog");
    browser.type_into("#catalog-q", &format!("a{ENTER}"));
    browser.wait_for_text("#catalog-table", "STABILO");
    let mut cut = Vec::new();
    for page in [
        "scan", "lookup", "catalog", "labels", "plugins", "history", "stock", "orders", "keys",
        "audit",
    ] {
        browser.goto_hash(page);
        let widths = browser.run(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            json!([]),
        );
        let (page_width, window) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
        assert!(
            window <= 400 && page_width <= window,
            "#{page} is {page_width}px wide in a {window}px window"
        );
        // No placeholder or chosen option is cut: its text fits its box.
        for text in browser.run(CUT_TEXT, json!([])).as_array().unwrap() {
            cut.push(format!("#{page} {}", text.as_str().unwrap()));
        }
    }
    assert!(cut.is_empty(), "texts cut at phone width: {cut:#?}");
}

#[test]
fn labels_of_each_symbology_draw_on_the_sheet_and_one_that_cannot_be_drawn_is_refused() {
    let server = Server::start_with(data_dir_with(&[]), &["--demo"]);
    let browser = Browser::start();
    sign_in(&browser, &server, server.key());
    browser.goto_hash("labels");
    let add = |code: &str, symbology: &str, batch: &str, expiry: &str| {
        browser.run(
            "document.getElementById('labels-symbology').value = arguments[0];",
            json!([symbology]),
        );
        for (field, value) in [
            ("#labels-code", code),
            ("#labels-batch", batch),
            ("#labels-expiry", expiry),
        ] {
            browser.clear(field);
            if !value.is_empty() {
                browser.type_into(field, value);
            }
        }
        browser.click("#labels-form button[type=submit]");
    };
    add("4006381333931", "gs1-128", "LOT42", "271231");
    browser.wait_for_text("#notice", "(1 on it)");
    add("OLD-VIT-001", "datamatrix", "", "");
    browser.wait_for_text("#notice", "(2 on it)");
    // The demo's cat food carries a wrong check digit: no EAN-13 for it.
    add("5410317126589", "ean13", "", "");
    let said = browser.wait_for_text("#notice", "nothing was added");
    assert!(said.contains("check digit"), "{said}");
    add("012345678912", "upca", "", "");
    browser.wait_for_text("#notice", "(3 on it)");
    browser.wait_until(
        "three symbols drawn, each its own",
        "const kinds = [...document.querySelectorAll('#labels-sheet figure')].map(f => f.dataset.symbology);
         const images = [...document.querySelectorAll('#labels-sheet img')];
         return kinds.join() === 'gs1-128,datamatrix,upca'
           && images.every(i => i.complete && i.naturalWidth > 0);",
    );
    let sheet = browser.text("#labels-sheet");
    assert!(
        sheet.contains("STABILO") && sheet.contains("OLD-VIT-001"),
        "{sheet}"
    );

    // Label stock: each label its printed size (50 mm is about 189 px).
    browser.run(
        "const s = document.getElementById('labels-size'); s.value = '50x25'; s.dispatchEvent(new Event('change'));",
        json!([]),
    );
    let width = browser.run(
        "return document.querySelector('#labels-sheet figure').getBoundingClientRect().width;",
        json!([]),
    );
    let width = width.as_f64().unwrap();
    assert!((185.0..195.0).contains(&width), "{width}");
}
