//! Running a component that is not installed, in the sandbox and limits an
//! installed one gets: `barcoded plugin try`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use barcoded_domain::Capability;
use barcoded_sandbox::{
    self as sandbox, Failure, Plugin, Receipt, ReceiptRequest, Requests, Server, Settings, Verdict,
};

use crate::backend::Backend;
use crate::foreign::foreign_claims;
use crate::place::StorePlace;
use crate::registry::{EngineError, InstallError, Registry};
use crate::server::StoreServer;

/// A component that is not installed, loaded with the limits an installed
/// plugin gets; its granted calls read the store, if there is one, and
/// nothing it asks for is booked.
pub struct Trial {
    plugin: Plugin,
    server: Option<Arc<dyn Server>>,
}

/// Why a trial could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrialError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The component is refused, as an install would refuse it.
    #[error(transparent)]
    Refused(#[from] InstallError),
    #[error(transparent)]
    Store(#[from] barcoded_domain::store::StoreError),
}

impl Trial {
    /// Compiles and validates `bytes` as an install does, with these
    /// settings and grants, without installing them; its calls reach the
    /// store at `store` if one is there (a trial never creates one). It
    /// goes by the name its `info` gives, as it would once installed.
    /// Blocks: call it where a thread may.
    pub fn load(
        data_dir: &Path,
        store: &StorePlace,
        bytes: &[u8],
        config: BTreeMap<String, String>,
        grants: BTreeSet<Capability>,
    ) -> Result<Trial, TrialError> {
        let plugin = Registry::new(data_dir)?.trial(bytes, config, grants)?;
        let server: Option<Arc<dyn Server>> = if store.may_exist() {
            Some(Arc::new(StoreServer(Backend::new(store.open()?))))
        } else {
            None
        };
        Ok(Trial { plugin, server })
    }

    /// The plugin on trial.
    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    /// What an install would warn of: data plainly not its own that it
    /// claims (see [`crate::FOREIGN_DATA`]).
    pub fn warnings(&self) -> Vec<String> {
        foreign_claims(&self.plugin)
    }

    /// What it answers `data`, and what its calls asked for.
    pub async fn scan(&self, data: &str) -> (Result<Verdict, Failure>, Requests) {
        self.plugin.scan(data, self.server.as_ref()).await
    }

    /// What it answers when `data` is received as `request` asks.
    pub async fn receive(
        &self,
        data: &str,
        request: &ReceiptRequest,
    ) -> (Result<Option<Receipt>, Failure>, Requests) {
        self.plugin
            .receive(data, request, self.server.as_ref())
            .await
    }
}

impl Registry {
    /// Compiles and validates `bytes` as [`Registry::install`] does, with
    /// the default limits and these settings, without installing them.
    fn trial(
        &self,
        bytes: &[u8],
        config: BTreeMap<String, String>,
        grants: BTreeSet<Capability>,
    ) -> Result<Plugin, InstallError> {
        let component = sandbox::compile(self.engine(), bytes)
            .map_err(|e| InstallError::Refused(format!("plugin refused: {e}")))?;
        let settings = Settings {
            limits: self.limits().clone(),
            config: Arc::new(config),
            grants: Arc::new(grants),
            ..Settings::default()
        };
        let load = |name: &str| {
            Plugin::new(self.linker(), name, &component, settings.clone())
                .map_err(|e| InstallError::Refused(e.to_string()))
        };
        // Its name is known once it has answered `info`.
        let named = load("plugin")?.info().name.clone();
        if named.is_empty() {
            load("plugin")
        } else {
            load(&named)
        }
    }
}
