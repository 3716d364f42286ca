//! The `bindgen!` sites, and nothing else: the Rust side of the `plugin`
//! world (the imports every plugin may use, and the `decoder` export) here,
//! and of `plugin-with-receiving` (its optional `receiving` export, sharing
//! the same imports) in [`receiving`].

// Exports are called with `*_async`, so that a plugin's epoch ticks can
// yield to the server's other work (see `Sandbox::new`).
wasmtime::component::bindgen!({
    path: "../../wit",
    world: "plugin",
    exports: { default: async },
    // A host call may trap the plugin (see `HostState::count_call`), and
    // waits for the server without holding its thread.
    imports: { default: async | trappable },
});

pub(crate) mod receiving {
    // The imports are those of the `plugin` world's bindings, so one host
    // serves both; only the `receiving` export is used from here.
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "plugin-with-receiving",
        exports: { default: async },
        imports: { default: async | trappable },
        with: {
            "barcode:plugin/types": crate::bindings::barcode::plugin::types,
            "barcode:plugin/config": crate::bindings::barcode::plugin::config,
            "barcode:plugin/catalog": crate::bindings::barcode::plugin::catalog,
            "barcode:plugin/stock": crate::bindings::barcode::plugin::stock,
            "barcode:plugin/purchasing": crate::bindings::barcode::plugin::purchasing,
        },
    });
}
