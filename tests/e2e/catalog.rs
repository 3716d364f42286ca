//! `barcoded catalog` and `barcoded key`, run beside a live server, and an
//! import that dies midway.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Server, TempDir, cli, command, data_dir_with};

fn barcode_count(data: &Path) -> usize {
    let output = cli(data, &["catalog", "export", "--format", "csv"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).lines().count() - 1
}

fn write_file(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_file_with_bad_rows_is_refused_whole_with_line_numbers() {
    let data = TempDir::new();
    let good = write_file(
        data.path(),
        "good.csv",
        "barcode,barcodeType,productSku,uomCode,quantity\nA-1,INTERNAL,S1,EA,1\n",
    );
    assert!(
        cli(data.path(), &["catalog", "import", &good])
            .status
            .success()
    );
    let bad = write_file(
        data.path(),
        "bad.csv",
        "barcode,barcodeType,productSku,uomCode,quantity\nB-1,INTERNAL,S1,CA,12\nB-2,INTERNAL,S1,PL,0\nB-3,INTERNAL,S2,EA,lots\n",
    );
    let output = cli(data.path(), &["catalog", "import", &bad]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing imported"), "{stderr}");
    assert!(
        stderr.contains("line 3: quantity must be a positive integer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4: quantity: invalid digit"),
        "{stderr}"
    );
    // B-1 was valid, but nothing of the refused file was written.
    assert_eq!(barcode_count(data.path()), 1);
}

#[test]
fn a_clashing_record_is_refused_naming_the_record_it_clashes_with() {
    let data = TempDir::new();
    let add = |barcode: &str| {
        cli(
            data.path(),
            &[
                "catalog",
                "add-barcode",
                "--barcode",
                barcode,
                "--type",
                "EAN",
                "--sku",
                "S1",
                "--uom",
                "EA",
            ],
        )
    };
    let first = add("111");
    assert!(first.status.success());
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    let second = add("222");
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("productSku S1, barcodeType EAN and uomCode EA already belong"),
        "{stderr}"
    );
    assert!(stderr.contains(first["id"].as_str().unwrap()), "{stderr}");
    assert!(stderr.contains("barcode 111"), "{stderr}");
}

#[test]
fn an_export_imports_back_unchanged() {
    let data = data_dir_with(&[]);
    let server = Server::start_with(data, &["--demo"]);
    let export = |format: &str| {
        let output = cli(
            server.data_dir(),
            &["catalog", "export", "--format", format],
        );
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let before = export("json");
    let file = write_file(server.data_dir(), "export.json", &before);
    assert!(
        cli(server.data_dir(), &["catalog", "import", &file])
            .status
            .success()
    );
    assert_eq!(export("json"), before);
    let catalog: Value = serde_json::from_str(&before).unwrap();
    assert_eq!(catalog["products"].as_array().unwrap().len(), 3);
    assert_eq!(catalog["barcodes"].as_array().unwrap().len(), 7);
}

#[test]
fn single_records_are_added_and_edited_while_the_server_runs() {
    let server = Server::start(data_dir_with(&[]));
    let run = |args: &[&str]| {
        let output = cli(server.data_dir(), args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    run(&[
        "catalog",
        "product",
        "--sku",
        "T-1",
        "--name",
        "Tea",
        "--category",
        "Drinks",
        "--price",
        "3.10",
        "--currency",
        "EUR",
    ]);
    let added = run(&[
        "catalog",
        "add-barcode",
        "--barcode",
        "TEA-1",
        "--type",
        "INTERNAL",
        "--sku",
        "T-1",
        "--uom",
        "CA",
        "--quantity",
        "12",
    ]);
    let response = server.get("/api/barcode/lookup/TEA-1");
    assert_eq!(response.json()["barcode"]["quantity"], 12);
    // The price keeps the digits it was given: 3.10, not 3.1.
    assert!(
        response.body.contains(r#""unitPrice":3.10"#),
        "{}",
        response.body
    );

    let id = added["id"].as_str().unwrap();
    run(&[
        "catalog",
        "update-barcode",
        id,
        "--quantity",
        "24",
        "--barcode",
        "TEA-2",
    ]);
    assert_eq!(server.get("/api/barcode/lookup/TEA-1").status, 404);
    assert_eq!(
        server.get("/api/barcode/lookup/TEA-2").json()["barcode"]["quantity"],
        24
    );
}

#[test]
fn lookup_on_the_command_line_reads_the_store() {
    let server = Server::start_with(data_dir_with(&[]), &["--demo"]);
    let output = cli(
        server.data_dir(),
        &["lookup", "15410317126586", "--uom", "CA"],
    );
    assert!(output.status.success());
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found["barcode"]["quantity"], 4);
    assert_eq!(found["product"]["sku"], "DV-KAT-SENIOR-2KG");
    assert!(
        !cli(
            server.data_dir(),
            &["lookup", "15410317126586", "--uom", "EA"]
        )
        .status
        .success()
    );
}

#[test]
fn killed_mid_import_nothing_committed_is_lost_and_a_rerun_completes() {
    const ROWS: usize = 200_000;
    let server = Server::start(data_dir_with(&[]));
    let mut csv = String::from("barcode,barcodeType,productSku,uomCode,quantity\n");
    for i in 0..ROWS {
        csv.push_str(&format!("C{i:07},INTERNAL,SKU-{i},EA,1\n"));
    }
    let file = write_file(server.data_dir(), "big.csv", &csv);

    let mut import = command(server.data_dir())
        .args(["catalog", "import", &file])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut progress = BufReader::new(import.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    let committed = loop {
        let line = progress.next().expect("import output").unwrap();
        let done = line
            .strip_prefix("committed ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(done) = done.filter(|&done| done >= 40_000) {
            break done;
        }
        assert!(
            Instant::now() < deadline,
            "the import never reported progress"
        );
    };
    assert!(
        committed < ROWS,
        "the import finished before it could be killed"
    );
    import.kill().unwrap();
    import.wait().unwrap();
    let server = server.crash_and_restart();

    let count = barcode_count(server.data_dir());
    assert!(
        count >= committed && count < ROWS,
        "{count} rows after the crash; {committed} were committed"
    );
    let last_committed = format!("/api/barcode/lookup/C{:07}", committed - 1);
    assert_eq!(server.get(&last_committed).status, 200);

    let rerun = cli(server.data_dir(), &["catalog", "import", &file]);
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    assert_eq!(barcode_count(server.data_dir()), ROWS);
    assert_eq!(
        server
            .get(&format!("/api/barcode/lookup/C{:07}", ROWS - 1))
            .status,
        200
    );
}
