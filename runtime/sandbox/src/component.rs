//! A component's bytes: compiled within bounds, and asked what it imports.

use std::collections::BTreeSet;

use barcoded_domain::Capability;
use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// Largest component accepted, in bytes. Compiling is the one step a hostile
/// plugin could make slow by design, so its input is capped.
pub const MAX_COMPONENT_BYTES: usize = 16 << 20;

/// Why a component's bytes did not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("it is {size} bytes, over the {MAX_COMPONENT_BYTES}-byte limit")]
    TooLarge { size: usize },
    /// wasmtime's reason, which names what is wrong with the bytes.
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
}

/// Compiles a component's bytes, refusing more than [`MAX_COMPONENT_BYTES`].
pub fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component, CompileError> {
    if bytes.len() > MAX_COMPONENT_BYTES {
        return Err(CompileError::TooLarge { size: bytes.len() });
    }
    Component::new(engine, bytes).map_err(|e| CompileError::Invalid(format!("{e:#}")))
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
