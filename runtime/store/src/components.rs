//! Where the data folder keeps installed components and their compiled
//! code, each under its content's digest.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::files;

/// The component and compiled-code folders of a data folder.
#[derive(Debug, Clone)]
pub struct Paths {
    components: PathBuf,
    cache: PathBuf,
}

impl Paths {
    pub fn new(data_dir: &Path) -> Paths {
        Paths {
            components: data_dir.join("components"),
            cache: data_dir.join("cache"),
        }
    }

    /// The component file with this digest.
    pub fn component(&self, digest: &str) -> PathBuf {
        self.components.join(format!("{digest}.wasm"))
    }

    /// The compiled-code file named `file_name`.
    pub fn compiled(&self, file_name: &str) -> PathBuf {
        self.cache.join(file_name)
    }

    /// Stores a component's bytes under their digest (atomically: a crash
    /// leaves the old state or the new, never half a file).
    pub fn store_component(&self, digest: &str, bytes: &[u8]) -> std::io::Result<()> {
        files::write_atomically(&self.component(digest), bytes)
    }
}

/// Hex SHA-256 of `bytes`: a component's name in the data folder.
pub fn digest(bytes: &[u8]) -> String {
    barcoded_domain::hex(&Sha256::digest(bytes))
}
