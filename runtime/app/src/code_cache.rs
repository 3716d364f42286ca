//! Compiled plugin code, cached on disk so a restart skips compilation.
//!
//! Loading compiled code runs it as native code, so a cache file is used only
//! if its SHA-256 matches the one this service recorded in the store when it
//! wrote the file, and wasmtime accepts it as built by this very engine
//! (files are keyed by the engine's compatibility hash). Anything else is
//! recompiled from the component, whose own digest is checked as well.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::metrics::Metrics;
use barcoded_domain::store::{Storage, StoreError};
use barcoded_sandbox::CompileError;
use barcoded_store::{Paths, files};
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Why an installed plugin's code could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("cannot read its component: {0}")]
    Read(#[from] StoreError),
    #[error("its component is missing from the store: reinstall it")]
    Missing,
    #[error("its component file does not match its digest: reinstall it")]
    Mismatch,
    #[error(transparent)]
    Compile(#[from] CompileError),
}

/// Why compiled code could not be cached (it is compiled again next time).
#[derive(Debug, thiserror::Error)]
enum CacheError {
    #[error("cannot serialise it: {0:#}")]
    Serialize(wasmtime::Error),
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The compiled component with `digest`: from the cache when it is intact,
/// else compiled from the stored component and cached.
pub fn load(
    engine: &Engine,
    store: &dyn Storage,
    paths: &Paths,
    digest: &str,
    metrics: &Metrics,
) -> Result<Component, CodeError> {
    let file_name = format!("{digest}-{}.cwasm", engine_key(engine));
    let cached = paths.compiled(&file_name);
    let from_cache = from_cache(engine, store, &cached, &file_name);
    metrics.code_cache(from_cache.is_some());
    if let Some(component) = from_cache {
        return Ok(component);
    }
    let bytes = store.component(digest)?.ok_or(CodeError::Missing)?;
    if barcoded_store::digest(&bytes) != digest {
        return Err(CodeError::Mismatch);
    }
    let component = barcoded_sandbox::compile(engine, &bytes)?;
    save(engine, store, paths, digest, &component);
    Ok(component)
}

/// Caches `component`'s compiled code; a failure only costs a recompile later.
pub fn save(
    engine: &Engine,
    store: &dyn Storage,
    paths: &Paths,
    digest: &str,
    component: &Component,
) {
    let file_name = format!("{digest}-{}.cwasm", engine_key(engine));
    if let Err(error) = write_cache(store, component, &paths.compiled(&file_name), &file_name) {
        tracing::warn!("cannot cache compiled code for {digest}: {error}");
    }
}

fn from_cache(
    engine: &Engine,
    store: &dyn Storage,
    path: &Path,
    file_name: &str,
) -> Option<Component> {
    let recorded = store.code_cache_digest(file_name).ok()??;
    let bytes = std::fs::read(path).ok()?;
    if Sha256::digest(&bytes).as_slice() != recorded.as_slice() {
        tracing::warn!("cached code {file_name} does not match its recorded digest; recompiling");
        return None;
    }
    // SAFETY: these bytes are exactly what this service serialised with an
    // engine of the same compatibility hash (checked above and by wasmtime).
    match unsafe { Component::deserialize(engine, &bytes) } {
        Ok(component) => Some(component),
        Err(error) => {
            tracing::warn!("cached code {file_name} refused by wasmtime ({error}); recompiling");
            None
        }
    }
}

fn write_cache(
    store: &dyn Storage,
    component: &Component,
    path: &Path,
    file_name: &str,
) -> Result<(), CacheError> {
    let bytes = component.serialize().map_err(CacheError::Serialize)?;
    files::write_atomically(path, &bytes).map_err(|error| CacheError::Write {
        path: path.to_owned(),
        error,
    })?;
    store.record_code_cache_digest(file_name, Sha256::digest(&bytes).as_slice())?;
    Ok(())
}

/// Identifies the engine build and settings compiled code depends on.
fn engine_key(engine: &Engine) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
