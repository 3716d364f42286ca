//! In-process costs on the hot paths, measured with divan: one scan through
//! a plugin (fresh instance; gtin, gs1, and a no-match), a chain of 20 whose
//! last plugin matches against a chain of one, instantiation alone, a whole scan through the
//! service (chain, catalog join, history), one lookup in a store of 200,000
//! barcodes (spread over the store, and among 1,000 popular codes that the
//! lookup cache keeps), one API key check, and what calling a plugin async
//! costs against calling it synchronously.
//!
//! Run with `just bench-in-process` (needs the components from `just guests`).

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use barcoded_app::{InstallRequest, Policy, Service, Setup, StorePlace};
use barcoded_domain::store::{CatalogStore, KeyStore};
use barcoded_domain::{Barcode, Price, Product, Retention, Role};
use barcoded_sandbox::{
    self as sandbox, Ask, Chain, HostState, Limits, Plugin, PluginLog, Sandbox, block_on,
};
use barcoded_store::Store;
use divan::Bencher;
use wasmtime::component::{Component, InstancePre, Linker};

const EAN: &str = "4006381333931";
const BARCODES: u32 = 200_000;

fn main() {
    // 1,000 samples of 10 calls each: enough for a stable median on a shared
    // machine. Command-line options (`-- --sample-count N`) still override.
    divan::Divan::default()
        .sample_count(1000)
        .sample_size(10)
        .config_with_args()
        .main();
}

fn components_dir() -> PathBuf {
    std::env::var_os("BARCODED_COMPONENTS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
        PathBuf::from,
    )
}

fn component_bytes(name: &str) -> Vec<u8> {
    let path = components_dir().join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run `just guests`", path.display()))
}

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("barcoded-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn plugin(name: &str) -> Plugin {
    let engine = sandbox::new_engine().expect("engine");
    let linker = sandbox::new_linker(&engine).expect("linker");
    Plugin::load(
        &engine,
        &linker,
        name,
        100,
        &component_bytes(name),
        Limits::default(),
    )
    .expect("a valid plugin")
}

static GTIN: LazyLock<Plugin> = LazyLock::new(|| plugin("gtin"));
static GS1: LazyLock<Plugin> = LazyLock::new(|| plugin("gs1"));
static HELLO: LazyLock<Plugin> = LazyLock::new(|| plugin("hello"));

/// A store of [`BARCODES`] products, each with one EAN, and one API key.
static STORE: LazyLock<(Store, String)> = LazyLock::new(|| {
    let store = Store::open(&data_dir("store")).expect("store");
    let products: Vec<Product> = (0..BARCODES)
        .map(|i| Product {
            sku: format!("SKU-{i}"),
            name: format!("Product {i}"),
            category: "Bench".into(),
            unit_price: Price::parse("9.99").unwrap(),
            currency: "EUR".into(),
            supplier_parts: Vec::new(),
        })
        .collect();
    let barcodes: Vec<Barcode> = (0..BARCODES)
        .map(|i| Barcode {
            id: uuid::Uuid::from_u128(u128::from(i) + 1),
            barcode: format!("{:013}", 4_000_000_000_000u64 + u64::from(i)),
            barcode_type: "EAN".into(),
            format: "EAN-13".into(),
            product_sku: format!("SKU-{i}"),
            uom_code: "EA".into(),
            quantity: 1,
            is_default: true,
            is_active: true,
        })
        .collect();
    for (products, barcodes) in products.chunks(20_000).zip(barcodes.chunks(20_000)) {
        store.upsert_batch(products, barcodes).expect("import");
    }
    let key = store.create_key("bench", Role::Pos).expect("key");
    (store, key)
});

/// A service with gtin installed, as `barcoded serve` runs it.
static SERVICE: LazyLock<Service> = LazyLock::new(|| {
    let dir = data_dir("service");
    let place = StorePlace::Folder(dir.clone());
    barcoded_app::install(
        &barcoded_domain::Admin::command_line(),
        &dir,
        &place,
        &component_bytes("gtin"),
        &InstallRequest::default(),
    )
    .expect("install gtin");
    let policy = Policy {
        pos_may_link: false,
        quarantine_after: 0,
        history: Retention {
            max_entries: 100_000,
            max_age: std::time::Duration::from_secs(3600),
        },
    };
    Service::open(&Setup {
        data_dir: dir,
        store: place,
        ask_every_plugin: false,
        concurrent_scans: 8,
        policy,
    })
    .expect("service")
});

/// gtin decodes an EAN-13 in a fresh instance: sandbox, instantiate, call,
/// validate.
#[divan::bench]
fn scan_gtin_decode(bencher: Bencher) {
    let plugin = &*GTIN;
    bencher.bench(|| block_on(plugin.scan(EAN, None)).0.expect("scan"));
}

/// gs1 decodes a GS1 DataMatrix element string (GTIN, expiry, batch,
/// count) in a fresh instance.
#[divan::bench]
fn scan_gs1_decode(bencher: Bencher) {
    let plugin = &*GS1;
    let data = "]d201040063813339311726123110ABC123\u{1d}3012";
    bencher.bench(|| block_on(plugin.scan(data, None)).0.expect("scan"));
}

/// hello answers "not mine" in a fresh instance.
#[divan::bench]
fn scan_hello_no_match(bencher: Bencher) {
    let plugin = &*HELLO;
    bencher.bench(|| block_on(plugin.scan(EAN, None)).0.expect("scan"));
}

/// A chain of `before` gtin plugins (which claim only digits) in front of
/// hello, asking the plugins `ask` says.
fn chain_before_hello(before: usize, ask: Ask) -> Chain {
    let engine = sandbox::new_engine().expect("engine");
    let linker = sandbox::new_linker(&engine).expect("linker");
    let load = |name: &str, priority: i32, component: &str| {
        let bytes = component_bytes(component);
        Plugin::load(&engine, &linker, name, priority, &bytes, Limits::default())
            .expect("a valid plugin")
    };
    let mut plugins: Vec<Plugin> = (0..before)
        .map(|i| load(&format!("gtin-{i:02}"), i as i32, "gtin"))
        .collect();
    plugins.push(load("hello", 1000, "hello"));
    Chain::new(plugins, ask)
}

static CHAIN_OF_1: LazyLock<Chain> = LazyLock::new(|| chain_before_hello(0, Ask::Matching));
static CHAIN_OF_20: LazyLock<Chain> = LazyLock::new(|| chain_before_hello(19, Ask::Matching));
static CHAIN_OF_20_EVERY: LazyLock<Chain> = LazyLock::new(|| chain_before_hello(19, Ask::Every));

fn scan_chain(bencher: Bencher, chain: &Chain) {
    bencher.bench(|| {
        let outcome = block_on(chain.scan("HELLO-bench", |_| false, None));
        assert_eq!(outcome.plugin(), Some("hello"));
    });
}

/// hello decodes, alone in its chain.
#[divan::bench]
fn chain_of_1(bencher: Bencher) {
    scan_chain(bencher, &CHAIN_OF_1);
}

/// hello decodes behind 19 plugins whose claims do not match: none of them
/// is instantiated.
#[divan::bench]
fn chain_of_20_last_matches(bencher: Bencher) {
    scan_chain(bencher, &CHAIN_OF_20);
}

/// The same chain with every plugin asked (`serve --ask-every-plugin`, and
/// every plugin that declares no claims): 19 instances answer "not mine"
/// first.
#[divan::bench]
fn chain_of_20_last_matches_every_plugin_asked(bencher: Bencher) {
    scan_chain(bencher, &CHAIN_OF_20_EVERY);
}

/// Instantiating gtin in a fresh sandbox, without calling it.
#[divan::bench]
fn instantiate_only(bencher: Bencher) {
    let engine = sandbox::new_engine().expect("engine");
    let linker: Linker<_> = sandbox::new_linker(&engine).expect("linker");
    let component = Component::new(&engine, component_bytes("gtin")).expect("compile");
    let pre: InstancePre<_> = linker.instantiate_pre(&component).expect("pre");
    let limits = Limits::default();
    let log = Arc::new(PluginLog::new("gtin"));
    bencher.bench(|| {
        let host = HostState::new(
            log.clone(),
            Arc::default(),
            Arc::default(),
            None,
            limits.host_calls,
        );
        let mut sandbox = Sandbox::new(&engine, &limits, host);
        block_on(pre.instantiate_async(&mut sandbox.store)).expect("instantiate")
    });
}

/// A whole scan as the HTTP handler runs it: chain, catalog join, history.
#[divan::bench]
fn service_scan(bencher: Bencher) {
    let service = &*SERVICE;
    bencher.bench(|| block_on(service.scan(EAN, Some("bench"))).expect("scan"));
}

/// One lookup among 200,000 barcode records, with its product.
#[divan::bench]
fn store_lookup(bencher: Bencher) {
    let (store, _) = &*STORE;
    let mut i = 0u64;
    bencher.bench_local(|| {
        i = (i + 7919) % u64::from(BARCODES);
        let code = format!("{:013}", 4_000_000_000_000u64 + i);
        store.lookup(&code, None).expect("lookup").expect("found")
    });
}

/// One lookup among 1,000 popular codes of the same store: answered from
/// the lookup cache while the catalog is unchanged.
#[divan::bench]
fn store_lookup_cached(bencher: Bencher) {
    let (store, _) = &*STORE;
    let mut i = 0u64;
    bencher.bench_local(|| {
        i = (i + 7) % 1000;
        let code = format!("{:013}", 4_000_000_000_000u64 + i);
        store.lookup(&code, None).expect("lookup").expect("found")
    });
}

/// Checking a presented API key.
#[divan::bench]
fn store_authenticate(bencher: Bencher) {
    let (store, key) = &*STORE;
    bencher.bench(|| store.authenticate(key).expect("check").expect("valid"));
}

/// The least a store needs for a component to run: WASI granting nothing.
struct Bare {
    wasi: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for Bare {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// gtin instantiated and its `scan` called on the service's engine, with no
/// sandbox (no limits, no host state), `asynchronous`ly or not: the
/// difference is what the async call costs a scan.
fn bare_scan(bencher: Bencher, asynchronous: bool) {
    use wasmtime::component::Val;
    let engine = sandbox::new_engine().expect("engine");
    let component = Component::new(&engine, component_bytes("gtin")).expect("compile");
    let mut linker: Linker<Bare> = Linker::new(&engine);
    if asynchronous {
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI");
    } else {
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("WASI");
    }
    linker
        .define_unknown_imports_as_traps(&component)
        .expect("barcode:plugin imports");
    let pre = linker.instantiate_pre(&component).expect("pre");
    let decoder = component
        .get_export_index(None, "barcode:plugin/decoder@0.1.0")
        .expect("the decoder interface");
    let scan = component
        .get_export_index(Some(&decoder), "scan")
        .expect("its scan function");
    bencher.bench(|| {
        let mut store = wasmtime::Store::new(
            &engine,
            Bare {
                wasi: wasmtime_wasi::WasiCtx::builder().build(),
                table: wasmtime::component::ResourceTable::new(),
            },
        );
        store.set_epoch_deadline(u64::MAX / 2);
        let mut answer = [Val::Bool(false)];
        let arguments = [Val::String(EAN.into())];
        if asynchronous {
            block_on(async {
                let instance = pre.instantiate_async(&mut store).await?;
                let scan = instance.get_func(&mut store, scan).expect("scan");
                scan.call_async(&mut store, &arguments, &mut answer).await
            })
        } else {
            let instance = pre.instantiate(&mut store).expect("instantiate");
            let scan = instance.get_func(&mut store, scan).expect("scan");
            scan.call(&mut store, &arguments, &mut answer)
        }
        .expect("scan");
        answer
    });
}

/// gtin's scan called synchronously on a fresh instance, no sandbox.
#[divan::bench]
fn bare_scan_sync(bencher: Bencher) {
    bare_scan(bencher, false);
}

/// The same, called async as the service calls plugins (a fiber per call).
#[divan::bench]
fn bare_scan_async(bencher: Bencher) {
    bare_scan(bencher, true);
}
