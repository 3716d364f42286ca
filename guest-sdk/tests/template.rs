//! The Rust plugin `barcoded plugin new --lang rust` writes, with its own
//! tests, compiled and run natively against the SDK's fake host.

include!("../templates/rust/lib.rs");
