//! The limits and answer checks, against small components written in WAT:
//! core modules made components of the `plugin` world as wasm-tools makes
//! them (`component embed`, `component new`). No guest language produces
//! most of these answers, which is the point.

use std::sync::LazyLock;
use std::time::Duration;

use wasmtime::Engine;
use wasmtime::component::Linker;

use crate::{
    AnswerLimits, CompileError, Failure, Limit, Limits, LoadError, MAX_COMPONENT_BYTES, Plugin,
    Receipt, ReceiptRequest, ReceiptStatus, Rejection, SandboxState, Verdict, compile, new_linker,
};

/// One engine for every test: it starts an epoch thread.
static ENGINE: LazyLock<(Engine, Linker<SandboxState>)> = LazyLock::new(|| {
    let engine = crate::engine::new_engine().expect("engine");
    let linker = new_linker(&engine).expect("linker");
    (engine, linker)
});

/// Where a scan's answer is written, and where its strings live.
const ANSWER: u32 = 0x1000;
const FIELDS: u32 = 0x2000;

/// A component whose `scan` runs `scan` (WAT instructions that leave the
/// address of its answer on the stack) and whose `info` names it `name`.
/// `imports` and `extra` are added to the module as they are.
fn component(name: &str, imports: &str, scan: &str, extra: &str) -> Vec<u8> {
    let wat = format!(
        r#"(module
          {imports}
          (memory (export "memory") 1)
          (global $next (mut i32) (i32.const 0x8000))
          (func (export "cabi_realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
            (local $at i32)
            (local.set $at (i32.and
              (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
              (i32.sub (i32.const 0) (local.get $align))))
            (if (i32.gt_u (i32.add (local.get $at) (local.get $size)) (i32.const 0x10000))
              (then unreachable))
            (global.set $next (i32.add (local.get $at) (local.get $size)))
            (local.get $at))
          (data (i32.const 0x100) "{name}")
          (data (i32.const 0x300) "fmt" "key" "value" "not json")
          (func (export "barcode:plugin/decoder@0.1.0#info") (result i32)
            (local $i i32)
            (loop $strings
              (i32.store (i32.add (i32.const 0x400) (i32.mul (local.get $i) (i32.const 8))) (i32.const 0x100))
              (i32.store offset=4 (i32.add (i32.const 0x400) (i32.mul (local.get $i) (i32.const 8)))
                (i32.const {len}))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $strings (i32.lt_u (local.get $i) (i32.const 5))))
            (i32.const 0x400))
          (func (export "barcode:plugin/decoder@0.1.0#scan") (param $data i32) (param $len i32) (result i32)
            {scan})
          {extra}
        )"#,
        len = name.len(),
    );
    let mut module = wat::parse_str(&wat).expect("valid WAT");
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve
        .push_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit"))
        .expect("the WIT package");
    // A module exporting `claims` (or `receiving`) is of the world that has it.
    let world = if extra.contains(RECEIVING_EXPORT) {
        "plugin-with-receiving"
    } else if extra.contains(CLAIMS_EXPORT) {
        "plugin-with-claims"
    } else {
        "plugin"
    };
    let world = resolve
        .select_world(&[package], Some(world))
        .expect("the plugin world");
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("embedding the world");
    wit_component::ComponentEncoder::default()
        .module(&module)
        .expect("a module of the world")
        .validate(true)
        .encode()
        .expect("a component")
}

const CLAIMS_EXPORT: &str = "barcode:plugin/claims@0.1.0#patterns";

/// A WAT function exporting `claims.patterns`, answering `patterns`.
fn claims(patterns: &[&str]) -> String {
    let mut data = String::new();
    let mut list = String::new();
    let mut at = 0x5000;
    for (i, pattern) in patterns.iter().enumerate() {
        data.push_str(&format!("(data (i32.const {at}) {pattern:?})"));
        list.push_str(&format!(
            "(i32.store (i32.const {}) (i32.const {at})) (i32.store (i32.const {}) (i32.const {}))",
            0x5800 + 8 * i,
            0x5804 + 8 * i,
            pattern.len()
        ));
        at += pattern.len() + 1;
    }
    format!(
        r#"{data}
          (func (export "{CLAIMS_EXPORT}") (result i32)
            {list}
            (i32.store (i32.const 0x5f00) (i32.const 0x5800))
            (i32.store (i32.const 0x5f04) (i32.const {}))
            (i32.const 0x5f00))"#,
        patterns.len()
    )
}

const RECEIVING_EXPORT: &str = "barcode:plugin/receiving@0.1.0#receive";

/// WAT exporting `receiving.receive` (with the `claims` the world includes,
/// declaring none): a receipt of `status` (0 received, 1 action-required, 2
/// refused), message `need qty`, no line, and `fields` fields, every one
/// `need` = `qty`. The answer is `some(receipt)` at 0x6100, in the
/// canonical ABI's layout: the receipt at +4, its message at +8, its line's
/// discriminant at +16, its fields at +64.
fn receiving(status: u32, fields: u32) -> String {
    format!(
        r#"{claims}
          (data (i32.const 0x6000) "need qty")
          (func (export "{RECEIVING_EXPORT}")
            (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
            (local $i i32)
            (i32.store8 (i32.const 0x6100) (i32.const 1))
            (i32.store8 (i32.const 0x6104) (i32.const {status}))
            (i32.store (i32.const 0x6108) (i32.const 0x6000))
            (i32.store (i32.const 0x610c) (i32.const 8))
            (i32.store8 (i32.const 0x6110) (i32.const 0))
            (block $done
              (loop $fields
                (br_if $done (i32.ge_u (local.get $i) (i32.const {fields})))
                (i32.store (i32.add (i32.const 0x6200) (i32.mul (local.get $i) (i32.const 16))) (i32.const 0x6000))
                (i32.store offset=4 (i32.add (i32.const 0x6200) (i32.mul (local.get $i) (i32.const 16))) (i32.const 4))
                (i32.store offset=8 (i32.add (i32.const 0x6200) (i32.mul (local.get $i) (i32.const 16))) (i32.const 0x6005))
                (i32.store offset=12 (i32.add (i32.const 0x6200) (i32.mul (local.get $i) (i32.const 16))) (i32.const 3))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $fields)))
            (i32.store (i32.const 0x6140) (i32.const 0x6200))
            (i32.store (i32.const 0x6144) (i32.const {fields}))
            (i32.const 0x6100))"#,
        claims = claims(&[]),
    )
}

/// Loads `bytes` as a plugin with `limits`.
fn load(bytes: &[u8], limits: Limits) -> Result<Plugin, LoadError> {
    let (engine, linker) = &*ENGINE;
    Plugin::load(engine, linker, "wat-test", 0, bytes, limits)
}

/// Scans once with a plugin whose `scan` runs `scan`, under `limits`.
fn scan_with(scan: &str, imports: &str, extra: &str, limits: Limits) -> Result<Verdict, Failure> {
    let plugin = load(&component("wat-test", imports, scan, extra), limits).expect("it loads");
    crate::block_on(plugin.scan("DATA", None)).0
}

fn scan(body: &str) -> Result<Verdict, Failure> {
    scan_with(body, "", "", Limits::default())
}

/// Instructions that answer `ok(some(result))` with format `fmt` and the
/// `count` fields at [`FIELDS`], and with `payload` (address, length) if
/// given.
fn decode(count: u32, payload: Option<(u32, u32)>) -> String {
    let payload = payload.map_or_else(String::new, |(at, len)| {
        format!(
            "(i32.store8 (i32.const {}) (i32.const 1))
             (i32.store (i32.const {}) (i32.const {at}))
             (i32.store (i32.const {}) (i32.const {len}))",
            ANSWER + 56,
            ANSWER + 60,
            ANSWER + 64
        )
    });
    format!(
        "(i32.store8 (i32.const {ANSWER}) (i32.const 0))
         (i32.store8 (i32.const {}) (i32.const 1))
         (i32.store (i32.const {}) (i32.const 0x300))
         (i32.store (i32.const {}) (i32.const 3))
         (i32.store (i32.const {}) (i32.const {FIELDS}))
         (i32.store (i32.const {}) (i32.const {count}))
         {payload}
         (i32.const {ANSWER})",
        ANSWER + 4,
        ANSWER + 8,
        ANSWER + 12,
        ANSWER + 48,
        ANSWER + 52,
    )
}

/// Instructions that write `count` fields at [`FIELDS`], each with the key
/// (address, length) and value (address, length) given.
fn fields(count: u32, key: (u32, u32), value: (u32, u32)) -> String {
    format!(
        "(local.set $len (i32.const 0))
         (loop $fill
           (i32.store (i32.add (i32.const {FIELDS}) (i32.mul (local.get $len) (i32.const 16))) (i32.const {}))
           (i32.store offset=4 (i32.add (i32.const {FIELDS}) (i32.mul (local.get $len) (i32.const 16))) (i32.const {}))
           (i32.store offset=8 (i32.add (i32.const {FIELDS}) (i32.mul (local.get $len) (i32.const 16))) (i32.const {}))
           (i32.store offset=12 (i32.add (i32.const {FIELDS}) (i32.mul (local.get $len) (i32.const 16))) (i32.const {}))
           (local.set $len (i32.add (local.get $len) (i32.const 1)))
           (br_if $fill (i32.lt_u (local.get $len) (i32.const {count}))))",
        key.0, key.1, value.0, value.1
    )
}

const KEY: (u32, u32) = (0x303, 3);
const VALUE: (u32, u32) = (0x306, 5);

fn limit_of(result: Result<Verdict, Failure>) -> Limit {
    match result {
        Err(Failure::Limit(limit, _)) => limit,
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn an_honest_answer_is_decoded_and_not_mine_is_not_mine() {
    let answer = scan(&format!("{} {}", fields(1, KEY, VALUE), decode(1, None)));
    let Ok(Verdict::Decoded(decode)) = answer else {
        panic!("expected a decode, got {answer:?}");
    };
    assert_eq!(decode.format, "fmt");
    assert_eq!(decode.fields, vec![("key".to_owned(), "value".to_owned())]);
    assert_eq!(decode.payload, None);
    assert_eq!(scan(&format!("(i32.const {ANSWER})")), Ok(Verdict::NotMine));
}

#[test]
fn an_error_answer_is_a_rejection() {
    // err(scan-error { format: "fmt", reason: "key" })
    let answer = scan(&format!(
        "(i32.store8 (i32.const {ANSWER}) (i32.const 1))
         (i32.store (i32.const {}) (i32.const 0x300)) (i32.store (i32.const {}) (i32.const 3))
         (i32.store (i32.const {}) (i32.const 0x303)) (i32.store (i32.const {}) (i32.const 3))
         (i32.const {ANSWER})",
        ANSWER + 4,
        ANSWER + 8,
        ANSWER + 12,
        ANSWER + 16
    ));
    assert_eq!(
        answer,
        Ok(Verdict::Rejected(Rejection {
            format: "fmt".into(),
            reason: "key".into()
        }))
    );
}

#[test]
fn growing_memory_past_the_limit_is_refused_and_named() {
    let grow = "(if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
                (i32.const 0x1000)";
    // 1 page plus 16 (about 1 MiB) fits in the default 32 MiB.
    assert_eq!(scan(grow), Ok(Verdict::NotMine));
    let tight = Limits {
        memory_bytes: 512 << 10,
        ..Limits::default()
    };
    assert_eq!(limit_of(scan_with(grow, "", "", tight)), Limit::Memory);
}

#[test]
fn growing_a_table_past_the_limit_is_refused_and_named() {
    let grow = "(if (i32.eq (table.grow $t (ref.null func) (i32.const 100)) (i32.const -1))
                  (then unreachable))
                (i32.const 0x1000)";
    let table = "(table $t 1 funcref)";
    assert_eq!(
        scan_with(grow, "", table, Limits::default()),
        Ok(Verdict::NotMine)
    );
    let tight = Limits {
        table_elements: 50,
        ..Limits::default()
    };
    assert_eq!(limit_of(scan_with(grow, "", table, tight)), Limit::Table);
}

#[test]
fn a_loop_is_stopped_at_its_cpu_time() {
    let limits = Limits {
        cpu_time: Duration::from_millis(20),
        ..Limits::default()
    };
    let result = scan_with("(loop $spin (br $spin)) (unreachable)", "", "", limits);
    assert_eq!(limit_of(result), Limit::CpuTime);
}

#[test]
fn unbounded_recursion_is_stopped_at_the_stack_limit() {
    let result = scan_with(
        "(call $deeper) (i32.const 0x1000)",
        "",
        "(func $deeper (call $deeper))",
        Limits::default(),
    );
    assert_eq!(limit_of(result), Limit::Stack);
}

#[test]
fn host_calls_past_the_limit_trap_the_plugin() {
    let imports = r#"(import "barcode:plugin/config@0.1.0" "get" (func $get (param i32 i32 i32)))"#;
    let calls = |n: u32| {
        format!(
            "(local.set $len (i32.const 0))
             (loop $again
               (call $get (i32.const 0x303) (i32.const 3) (i32.const 0x1800))
               (local.set $len (i32.add (local.get $len) (i32.const 1)))
               (br_if $again (i32.lt_u (local.get $len) (i32.const {n}))))
             (i32.const 0x1000)"
        )
    };
    let limits = || Limits {
        host_calls: 10,
        ..Limits::default()
    };
    assert_eq!(
        scan_with(&calls(10), imports, "", limits()),
        Ok(Verdict::NotMine)
    );
    assert_eq!(
        limit_of(scan_with(&calls(11), imports, "", limits())),
        Limit::HostCalls
    );
}

#[test]
fn more_fields_than_the_limit_are_refused() {
    let limits = || Limits {
        answer: AnswerLimits {
            fields: 4,
            ..AnswerLimits::default()
        },
        ..Limits::default()
    };
    let answer = |n| format!("{} {}", fields(n, KEY, VALUE), decode(n, None));
    // Four fields pass the count (and then fail for sharing one key).
    assert!(matches!(
        scan_with(&answer(4), "", "", limits()),
        Err(Failure::BadAnswer(_))
    ));
    assert_eq!(
        limit_of(scan_with(&answer(5), "", "", limits())),
        Limit::Answer
    );
}

#[test]
fn a_field_twice_or_a_payload_that_is_not_json_is_a_bad_answer() {
    let twice = scan(&format!("{} {}", fields(2, KEY, VALUE), decode(2, None)));
    assert!(
        matches!(&twice, Err(Failure::BadAnswer(reason)) if reason.contains("appears twice")),
        "{twice:?}"
    );
    let not_json = scan(&format!(
        "{} {}",
        fields(1, KEY, VALUE),
        decode(1, Some((0x30b, 8)))
    ));
    assert!(
        matches!(&not_json, Err(Failure::BadAnswer(reason)) if reason.contains("not valid JSON")),
        "{not_json:?}"
    );
}

#[test]
fn a_value_longer_than_its_limit_is_refused() {
    // One value of 8 KiB (the memory's zeros), over the 4 KiB value limit
    // but well within what the host may copy.
    let result = scan(&format!(
        "{} {}",
        fields(1, KEY, (0x4000, 8 << 10)),
        decode(1, None)
    ));
    assert_eq!(limit_of(result), Limit::Answer);
}

#[test]
fn strings_that_alias_one_buffer_are_stopped_while_they_are_copied() {
    // 128 fields whose keys and values all point at the same 48 KiB: 12 MiB
    // to copy, far past the transfer limit, though each string is in memory.
    let result = scan(&format!(
        "{} {}",
        fields(128, (0x3000, 48 << 10), (0x3000, 48 << 10)),
        decode(128, None)
    ));
    assert_eq!(limit_of(result), Limit::Transfer);
}

#[test]
fn an_info_past_its_limits_refuses_the_plugin() {
    let long_name = "n".repeat(100);
    let bytes = component(&long_name, "", "(i32.const 0x1000)", "");
    let refused = load(&bytes, Limits::default()).err().expect("refused");
    assert!(
        refused.reason.contains("info name is 100 bytes"),
        "{refused}"
    );
    let plugin = load(
        &component("fine", "", "(i32.const 0x1000)", ""),
        Limits::default(),
    )
    .expect("loads");
    assert_eq!(plugin.info().name, "fine");
}

#[test]
fn a_component_over_the_size_limit_is_not_compiled() {
    let (engine, _) = &*ENGINE;
    let huge = vec![0u8; MAX_COMPONENT_BYTES + 1];
    assert!(matches!(
        compile(engine, &huge),
        Err(CompileError::TooLarge { .. })
    ));
    assert!(matches!(
        compile(engine, b"\0asm\x0d\0\x01\0 and then garbage"),
        Err(CompileError::Invalid(_))
    ));
}

#[test]
fn what_is_plainly_not_a_component_is_named_with_what_to_change() {
    let (engine, _) = &*ENGINE;
    let refusal = |bytes: &[u8]| match compile(engine, bytes) {
        Err(CompileError::NotAComponent(what)) => what,
        other => panic!("expected NotAComponent, got {:?}", other.err()),
    };
    assert!(refusal(b"!<arch>\nlib.rmeta").contains("crate-type = [\"cdylib\"]"));
    assert!(refusal(b"not wasm").contains("not WebAssembly"));
    let core = wat::parse_str("(module)").unwrap();
    assert!(refusal(&core).contains("a core WebAssembly module, not a component"));
}

#[test]
fn a_scan_instantiates_only_the_plugins_whose_claims_match() {
    let (engine, linker) = &*ENGINE;
    let not_mine = format!("(i32.const {ANSWER})");
    let plugin = |name: &str, extra: &str| {
        let bytes = component(name, "", &not_mine, extra);
        Plugin::load(engine, linker, name, 0, &bytes, Limits::default()).expect("it loads")
    };
    let data_only = plugin("data", &claims(&["^DATA$"]));
    assert_eq!(data_only.claims(), Some(&["^DATA$".to_owned()][..]));
    assert!(data_only.may_claim("DATA") && !data_only.may_claim("DATA2"));
    let chain = crate::Chain::new(
        vec![
            data_only,
            plugin("other", &claims(&["^OTHER", "\\x1D$"])),
            plugin("every", &claims(&[])),
            plugin("silent", ""),
        ],
        crate::Ask::Matching,
    );
    // Asked in name order, all of priority 0: data, every, other, silent.
    assert_eq!(
        chain.plugins()[1].claims(),
        None,
        "an empty list declares nothing"
    );
    let counts = |chain: &crate::Chain| -> Vec<u64> {
        chain.plugins().iter().map(|p| p.take_counts().0).collect()
    };
    for data in ["DATA", "OTHER-1", "x\u{1d}", "neither"] {
        crate::block_on(chain.scan(data, |_| false, None));
    }
    // data: DATA; other: OTHER-1 and the GS at the end; the others: all four.
    assert_eq!(counts(&chain), [1, 4, 2, 4]);
}

#[test]
fn claim_patterns_that_do_not_compile_refuse_the_plugin() {
    let bytes = component("bad", "", "(i32.const 0x1000)", &claims(&["^(unclosed"]));
    let refused = load(&bytes, Limits::default()).err().expect("refused");
    assert!(
        refused.reason.contains("does not compile"),
        "{}",
        refused.reason
    );
}

#[test]
fn a_receipt_is_read_in_the_canonical_layout_and_held_to_the_answer_limits() {
    let receive = |plugin: &Plugin| {
        crate::block_on(plugin.receive("label", &ReceiptRequest::default(), None)).0
    };
    let honest = load(
        &component("honest", "", "(i32.const 0)", &receiving(1, 1)),
        Limits::default(),
    )
    .expect("loads");
    assert!(honest.receives());
    assert_eq!(
        receive(&honest),
        Ok(Some(Receipt {
            status: ReceiptStatus::ActionRequired,
            message: "need qty".into(),
            line: None,
            fields: vec![("need".into(), "qty".into())],
        }))
    );
    let flood = load(
        &component("flood", "", "(i32.const 0)", &receiving(0, 129)),
        Limits::default(),
    )
    .expect("loads");
    match receive(&flood) {
        Err(Failure::Limit(Limit::Answer, _)) => {}
        other => panic!("expected the answer limit, got {other:?}"),
    }
    let twice = load(
        &component("twice", "", "(i32.const 0)", &receiving(0, 2)),
        Limits::default(),
    )
    .expect("loads");
    assert!(matches!(receive(&twice), Err(Failure::BadAnswer(_))));
    // A component without the export is never asked.
    let plain = load(
        &component("plain", "", "(i32.const 0)", ""),
        Limits::default(),
    )
    .expect("loads");
    assert!(!plain.receives());
    assert_eq!(receive(&plain), Ok(None));
}
