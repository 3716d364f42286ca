//! Several `barcoded` nodes on one PostgreSQL database, as a fleet behind a
//! load balancer runs: what one node changes, every node answers by, and a
//! node that dies takes nothing committed with it.
//!
//! These need the PostgreSQL server of `BARCODED_TEST_POSTGRES`; `just
//! test` starts one and runs them with the rest of the suite on it.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Server, cli_ok, component, create_key, data_dir_with};

const NEEDS_POSTGRES: &str = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)";

/// How long a change made through one node may take to reach another: the
/// bound docs/scaling.md states.
const PROPAGATION: Duration = Duration::from_secs(1);

/// Waits until `answered` holds for what `ask` returns, for at most the
/// propagation bound (with room for a loaded machine); returns how long it
/// took, or panics with the last answer.
fn within_bound<T: std::fmt::Debug>(
    mut ask: impl FnMut() -> T,
    answered: impl Fn(&T) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let last = ask();
        if answered(&last) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < PROPAGATION * 3,
            "not answered by the change after {:?}: {last:?}",
            start.elapsed()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

fn fleet_of_two(plugins: &[(&str, &str)]) -> (Server, Server) {
    assert!(crate::harness::postgres().is_some(), "{NEEDS_POSTGRES}");
    let a = Server::start(data_dir_with(plugins));
    let b = a.start_node(&[]);
    (a, b)
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn a_key_revoked_on_one_node_is_refused_on_the_other() {
    let (a, b) = fleet_of_two(&[]);
    let admin = format!("Bearer {}", create_key(a.data_dir(), "ops", "admin"));
    let till = format!("Bearer {}", create_key(a.data_dir(), "till-7", "pos"));
    let lookup = |node: &Server| {
        node.request_as(Some(&till), "GET", "/api/barcode/lookup/5410317126589", b"")
            .status
    };
    // Both nodes know the key, and B has it in memory from here on.
    assert_eq!(lookup(&a), 404);
    assert_eq!(lookup(&b), 404);
    let revoked = a.request_as(Some(&admin), "DELETE", "/api/admin/keys/till-7", b"");
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        lookup(&a),
        401,
        "refused at once on the node that revoked it"
    );
    within_bound(|| lookup(&b), |status| *status == 401);
    // And it stays refused: no stale copy comes back.
    for _ in 0..20 {
        assert_eq!(lookup(&b), 401);
    }
    // A key created through B works on A.
    let created = b.request_as(
        Some(&admin),
        "POST",
        "/api/admin/keys",
        br#"{"name": "till-8", "role": "pos"}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let key = format!("Bearer {}", created.json()["key"].as_str().unwrap());
    within_bound(
        || {
            a.request_as(Some(&key), "GET", "/api/barcode/lookup/1", b"")
                .status
        },
        |status| *status == 404,
    );
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn a_plugin_installed_through_one_node_answers_on_the_other() {
    let (a, b) = fleet_of_two(&[]);
    let admin = format!("Bearer {}", create_key(a.data_dir(), "ops", "admin"));
    let gtin = || b.scan(&json!({ "barcode_data": "4006381333931" }));
    assert_eq!(gtin().status, 404, "no plugin decodes it yet");

    let bytes = std::fs::read(component("gtin")).unwrap();
    let installed = a.request_as(Some(&admin), "POST", "/api/admin/plugins?name=gtin", &bytes);
    assert_eq!(installed.status, 201, "{}", installed.body);
    let took = within_bound(gtin, |answer| answer.status == 200);
    let answer = gtin().json();
    assert_eq!(answer["plugin"], "gtin", "{answer}");
    assert_eq!(answer["result"]["lookup_code"], "04006381333931");
    eprintln!("an install through A answered on B after {took:?}");

    // Disabled through B, it stops answering on A.
    let disabled = b.request_as(Some(&admin), "POST", "/api/admin/plugins/gtin/disable", b"");
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    within_bound(
        || a.scan(&json!({ "barcode_data": "4006381333931" })).status,
        |status| *status == 404,
    );
}

/// An ECIA label receiving 10 of SCREW-M4 against `order`.
fn receipt_label(order: &str) -> String {
    format!("[)>\u{1e}06\u{1d}K{order}\u{1d}PSCR-M4-ND\u{1d}1PM4X10\u{1d}Q10\u{1e}\u{4}")
}

/// A fleet of two whose ecia plugin receives against purchase orders, with
/// product SCREW-M4 (supplier part SCR-M4-ND).
fn receiving_fleet() -> (Server, Server) {
    let data = data_dir_with(&[("10-ecia.wasm", "ecia")]);
    let dir = data.path();
    crate::harness::add_screw(dir, &["DigiKey:SCR-M4-ND"]);
    cli_ok(dir, &["plugin", "grant", "ecia", "catalog-read"]);
    cli_ok(dir, &["plugin", "grant", "ecia", "po-receive"]);
    cli_ok(dir, &["plugin", "config", "ecia", "receive=on"]);
    assert!(crate::harness::postgres().is_some(), "{NEEDS_POSTGRES}");
    let a = Server::start(data);
    let b = a.start_node(&[]);
    (a, b)
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn two_nodes_taking_the_last_units_of_an_order_line_book_exactly_one_receipt() {
    const ROUNDS: usize = 8;
    let (a, b) = receiving_fleet();
    for round in 0..ROUNDS {
        let order = format!("PO-{round}");
        cli_ok(
            a.data_dir(),
            &[
                "order",
                "create",
                &order,
                "--location",
                "DOCK",
                "--line",
                "SCREW-M4=10",
            ],
        );
        let label = receipt_label(&order);
        let start = Barrier::new(2);
        let answers: Vec<Value> = thread::scope(|scope| {
            let scans: Vec<_> = [&a, &b]
                .into_iter()
                .map(|node| {
                    let (start, label) = (&start, &label);
                    scope.spawn(move || {
                        start.wait();
                        let answer = node.scan(&json!({ "barcode_data": label }));
                        assert_eq!(answer.status, 200, "{}", answer.body);
                        answer.json()
                    })
                })
                .collect();
            scans.into_iter().map(|s| s.join().unwrap()).collect()
        });
        let receipts: Vec<&Value> = answers
            .iter()
            .flat_map(|answer| answer["actions"]["receipts"].as_array().unwrap())
            .collect();
        assert_eq!(receipts.len(), 1, "round {round}: {answers:?}");
        assert_eq!(receipts[0]["received"], 10);
        let refused: Vec<&str> = answers
            .iter()
            .flat_map(|answer| answer["actions"]["refused"].as_array().unwrap())
            .map(|refusal| refusal["reason"].as_str().unwrap())
            .collect();
        assert_eq!(refused.len(), 1, "round {round}: {answers:?}");
        assert!(
            refused[0].contains("would make 20 received of 10 ordered"),
            "{}",
            refused[0]
        );
        let shown = cli_ok(a.data_dir(), &["order", "show", &order]);
        let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
        assert_eq!(shown["lines"][0]["received"], 10);
    }
    let stock = a.get("/api/stock/SCREW-M4").json();
    assert_eq!(stock["total"], 10 * ROUNDS as i64, "{stock}");
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn a_node_killed_mid_load_loses_no_committed_booking_and_the_other_keeps_serving() {
    const START: i64 = 100_000;
    const PER_THREAD: usize = 100;
    let data = data_dir_with(&[("10-kanban.wasm", "kanban")]);
    let dir = data.path();
    crate::harness::add_screw(dir, &[]);
    cli_ok(
        dir,
        &[
            "stock",
            "adjust",
            "SCREW-M4",
            "LINE-1",
            &START.to_string(),
            "--reason",
            "counted",
        ],
    );
    cli_ok(dir, &["plugin", "grant", "kanban", "stock-write"]);
    cli_ok(dir, &["plugin", "config", "kanban", "quantity=1"]);
    assert!(crate::harness::postgres().is_some(), "{NEEDS_POSTGRES}");
    let a = Server::start(data);
    let b = a.start_node(&[]);
    let admin = format!("Bearer {}", create_key(a.data_dir(), "ops", "admin"));

    let killed = AtomicBool::new(false);
    let stop = AtomicBool::new(false);
    let acknowledged_on_a = AtomicUsize::new(0);
    // Each load thread returns the movement ids its acknowledged scans
    // booked; at most PER_THREAD, so the test can read the whole log.
    let load = |node: &Server, may_fail: bool| {
        let mut booked = Vec::new();
        let mut failed_after_kill = 0;
        while !stop.load(Ordering::Acquire) && booked.len() < PER_THREAD {
            let sent = node.try_request_as(
                Some(&format!("Bearer {}", node.key())),
                "POST",
                "/api/barcode/",
                br#"{"barcode_data": "KANBAN:SCREW-M4"}"#,
            );
            match sent {
                Ok(answer) if answer.status == 200 => {
                    let movement = &answer.json()["actions"]["movements"][0];
                    assert_eq!(movement["delta"], -1, "{}", answer.body);
                    booked.push(movement["id"].as_u64().unwrap());
                    if may_fail {
                        acknowledged_on_a.fetch_add(1, Ordering::AcqRel);
                    }
                }
                Ok(answer) => panic!("{}: {}", answer.status, answer.body),
                Err(error) if may_fail && killed.load(Ordering::Acquire) => {
                    let _ = error;
                    failed_after_kill += 1;
                    if failed_after_kill > 3 {
                        break;
                    }
                }
                Err(error) => panic!("a node that was not killed failed: {error}"),
            }
        }
        booked
    };
    let (on_a, on_b) = thread::scope(|scope| {
        let on_a = [
            scope.spawn(|| load(&a, true)),
            scope.spawn(|| load(&a, true)),
        ];
        let on_b = [
            scope.spawn(|| load(&b, false)),
            scope.spawn(|| load(&b, false)),
        ];
        // Kill A with scans in flight; B must go on serving its own.
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged_on_a.load(Ordering::Acquire) < PER_THREAD / 4 {
            assert!(Instant::now() < deadline, "A acknowledged too few scans");
            thread::sleep(Duration::from_millis(5));
        }
        let pid = a.pid();
        killed.store(true, Ordering::Release);
        std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        thread::sleep(Duration::from_millis(1500));
        stop.store(true, Ordering::Release);
        let collect = |handles: [thread::ScopedJoinHandle<'_, Vec<u64>>; 2]| -> Vec<u64> {
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        };
        (collect(on_a), collect(on_b))
    });
    assert!(
        !on_a.is_empty() && !on_b.is_empty(),
        "both nodes served: {} and {}",
        on_a.len(),
        on_b.len()
    );

    // Everything acknowledged is in the store, once: the level is what the
    // movement log says, and every acknowledged movement is in the log.
    let stock = b.request_as(
        Some(&admin),
        "GET",
        "/api/stock?sku=SCREW-M4&limit=500",
        b"",
    );
    let overview = stock.json();
    let logged: Vec<u64> = overview["movements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["delta"] == -1)
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    let level = b.get("/api/stock/SCREW-M4").json()["total"]
        .as_i64()
        .unwrap();
    assert!(
        logged.len() < 500,
        "the test reads the whole log: {}",
        logged.len()
    );
    assert_eq!(
        START - level,
        logged.len() as i64,
        "the level agrees with the log"
    );
    for id in on_a.iter().chain(&on_b) {
        assert!(logged.contains(id), "acknowledged movement {id} is missing");
    }
    let unacknowledged = logged.len() - on_a.len() - on_b.len();
    eprintln!(
        "A booked {} and B {} acknowledged; {unacknowledged} committed as A died, unanswered",
        on_a.len(),
        on_b.len()
    );
    // B still answers after A is gone.
    let answer = b.scan(&json!({ "barcode_data": "KANBAN:SCREW-M4" }));
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn a_node_that_loses_the_database_answers_503_and_recovers_by_itself() {
    assert!(crate::harness::postgres().is_some(), "{NEEDS_POSTGRES}");
    let server = Server::start_with(data_dir_with(&[("10-gtin.wasm", "gtin")]), &["--demo"]);
    let lookup = || server.get("/api/barcode/lookup/5410317126589");
    let scan = || server.scan(&json!({ "barcode_data": "4006381333931" }));
    assert_eq!(lookup().status, 200);
    let url = crate::harness::store_url(server.data_dir()).unwrap();
    let database = url.rsplit('/').next().unwrap().to_owned();
    let admin = crate::harness::postgres().unwrap();
    // The database goes away: no new connections, the open ones cut.
    crate::harness::psql(
        &admin,
        &format!(
            "ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';"
        ),
    );
    within_bound(|| lookup().status, |status| *status == 503);
    let refused = lookup();
    assert_eq!(refused.header("retry-after"), Some("5"), "{}", refused.body);
    assert!(
        refused.body.contains("database out of reach"),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.to_lowercase().contains("postgres"),
        "{}",
        refused.body
    );
    assert_eq!(scan().status, 503);
    assert_eq!(server.get("/api/health/ready").status, 503);
    assert_eq!(
        server.get("/api/health/live").status,
        200,
        "the process itself is fine"
    );

    crate::harness::psql(
        &admin,
        &format!("ALTER DATABASE {database} WITH ALLOW_CONNECTIONS true"),
    );
    // Back by itself, with the plugins it kept compiled.
    let took = within_bound(|| lookup().status, |status| *status == 200);
    assert_eq!(scan().json()["plugin"], "gtin");
    assert_eq!(server.get("/api/health/ready").status, 200);
    eprintln!("answering again {took:?} after the database came back");
}
