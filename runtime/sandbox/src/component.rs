//! A component's bytes: compiled within bounds, and asked what it imports.

use std::collections::BTreeSet;

use barcoded_domain::Capability;
use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// Largest component accepted, in bytes. Compiling is the one step a hostile
/// plugin could make slow by design, so its input is capped; a Python
/// plugin (componentize-py carries CPython) is about 19 MB, and takes about
/// 6 s to compile on two cores, once (the code cache keeps the result).
pub const MAX_COMPONENT_BYTES: usize = 48 << 20;

/// Why a component's bytes did not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("it is {size} bytes, over the {MAX_COMPONENT_BYTES}-byte limit")]
    TooLarge { size: usize },
    /// The bytes are something else than a component; the text says what,
    /// and how to build one.
    #[error("{0}")]
    NotAComponent(&'static str),
    /// wasmtime's reason, which names what is wrong with the bytes.
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
}

/// Compiles a component's bytes, refusing more than [`MAX_COMPONENT_BYTES`].
pub fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component, CompileError> {
    if bytes.len() > MAX_COMPONENT_BYTES {
        return Err(CompileError::TooLarge { size: bytes.len() });
    }
    if let Some(what) = not_a_component(bytes) {
        return Err(CompileError::NotAComponent(what));
    }
    Component::new(engine, bytes).map_err(|e| CompileError::Invalid(format!("{e:#}")))
}

/// What the bytes are when they are plainly not a component, said so that
/// the author knows what to change in the build.
fn not_a_component(bytes: &[u8]) -> Option<&'static str> {
    const COMPONENT_LAYER: [u8; 4] = [0x0d, 0x00, 0x01, 0x00];
    if bytes.starts_with(b"!<arch>\n") {
        return Some(
            "it is a Rust library archive (.rlib), not a component: add crate-type = \
             [\"cdylib\"] under [lib] in Cargo.toml and build for wasm32-wasip2 \
             (`barcoded plugin build`)",
        );
    }
    if !bytes.starts_with(b"\0asm") {
        return Some(
            "it is not WebAssembly (a .wasm file starts with \\0asm): install the \
             component the build wrote, such as target/wasm32-wasip2/release/NAME.wasm",
        );
    }
    match bytes.get(4..8) {
        Some(layer) if layer == COMPONENT_LAYER => None,
        Some([1, 0, 0, 0]) => Some(
            "it is a core WebAssembly module, not a component: it was built for \
             wasm32-unknown-unknown or wasm32-wasip1; build for wasm32-wasip2 \
             (`barcoded plugin build`), which makes a component",
        ),
        _ => None,
    }
}

/// The capabilities a component's imports need: what the operator must
/// grant for all of its calls to the server to work.
pub fn capabilities_asked(engine: &Engine, component: &Component) -> BTreeSet<Capability> {
    let mut asked = BTreeSet::new();
    for (name, import) in component.component_type().imports(engine) {
        let interface = name
            .strip_prefix("barcode:plugin/")
            .and_then(|rest| rest.split('@').next());
        if let (Some(interface), ComponentItem::ComponentInstance(instance)) =
            (interface, import.ty)
        {
            for (function, _) in instance.exports(engine) {
                asked.extend(Capability::for_import(interface, function));
            }
        }
    }
    asked
}
