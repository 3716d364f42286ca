//! Installed plugins: validating and installing a component, and turning the
//! registry into the chain a server scans with.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{Admin, Capability, PluginRecord, Trust};
use barcoded_sandbox::{
    self as sandbox, Ask, Chain, Limits, LoadError, Plugin, SandboxState, Settings,
};
use barcoded_store::Paths;

use crate::code_cache;
use crate::metrics::Metrics;
use crate::place::StorePlace;
use crate::signing::{self, Signed};

/// Loads and installs plugins for one data folder.
pub struct Registry {
    engine: Engine,
    linker: Linker<SandboxState>,
    paths: Paths,
    limits: Limits,
    /// Compiled components by digest, reused across reloads.
    compiled: Mutex<HashMap<String, Component>>,
    /// What the loaded plugins' scans and the code cache count.
    metrics: Arc<Metrics>,
    /// Which plugins the chains it loads ask.
    ask: Ask,
    /// Who signed each component, by digest, for the trust it was checked against.
    signers: Mutex<HashMap<String, (Trust, Signed)>>,
}

/// The registry, loaded: the chain of enabled plugins, and those refused.
pub struct Loaded {
    pub chain: Chain,
    pub refused: Vec<LoadError>,
}

/// What `plugin install` asks for; `None` keeps what an upgrade had.
#[derive(Debug, Clone, Default)]
pub struct InstallRequest {
    pub name: Option<String>,
    pub priority: Option<i32>,
    pub disabled: bool,
    /// Replace the installed plugin of the name the component gives itself.
    /// Without it (and without `name`), that name must be free: a component
    /// cannot take over an installed plugin by calling itself by its name.
    pub upgrade: bool,
}

/// wasmtime could not be set up (the machine lacks what its engine needs).
#[derive(Debug, thiserror::Error)]
#[error("cannot start wasmtime: {0:#}")]
pub struct EngineError(wasmtime::Error);

/// Why an install did not happen.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The component or the request is refused; the text says why and is
    /// meant for the operator.
    #[error("{0}")]
    Refused(String),
    /// wasmtime could not be set up to check the component.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Installs the component `bytes` into the store at `place` as `request`
/// asks, with no service running (`plugin install`); running servers load
/// it within their reload poll. Blocks: call it where a thread may.
pub fn install(
    by: &Admin,
    data_dir: &Path,
    place: &StorePlace,
    bytes: &[u8],
    request: &InstallRequest,
) -> Result<Installed, InstallError> {
    barcoded_store::files::create_private_dir(data_dir).map_err(|e| {
        InstallError::Store(
            StoreError::storage(format!(
                "cannot create the data folder {}: {e}",
                data_dir.display()
            ))
            .caused_by(e),
        )
    })?;
    let store = place.open()?;
    let installed = Registry::new(data_dir)?.install(store.as_ref(), bytes, request)?;
    installed.audit(store.as_ref(), by);
    Ok(installed)
}

impl Installed {
    /// Records the install or upgrade in the audit trail (reinstalling the
    /// same bytes changes nothing, and is not recorded).
    pub(crate) fn audit(&self, store: &dyn Storage, by: &Admin) {
        match self {
            Installed::New(record) => crate::audit::installed(store, by, "plugin.install", record),
            Installed::Upgraded { record, .. } => {
                crate::audit::installed(store, by, "plugin.upgrade", record);
            }
            Installed::Unchanged(_) => {}
        }
    }
}

/// What an install did.
#[derive(Debug)]
pub enum Installed {
    New(PluginRecord),
    Upgraded {
        from_version: String,
        record: PluginRecord,
        /// Grants of the old version that it never asked for: not carried
        /// over, since the new version could use them unseen.
        withheld: BTreeSet<Capability>,
    },
    /// These exact bytes were already installed under this name.
    Unchanged(PluginRecord),
}

impl Registry {
    pub fn new(data_dir: &Path) -> Result<Registry, EngineError> {
        let engine = sandbox::new_engine().map_err(EngineError)?;
        let linker = sandbox::new_linker(&engine).map_err(EngineError)?;
        Ok(Registry {
            engine,
            linker,
            paths: Paths::new(data_dir),
            limits: Limits::default(),
            compiled: Mutex::new(HashMap::new()),
            signers: Mutex::new(HashMap::new()),
            metrics: Arc::default(),
            ask: Ask::Matching,
        })
    }

    /// Makes the chains it loads ask every plugin about every scan, ignoring
    /// what plugins declare they may claim.
    pub fn asking_every_plugin(mut self) -> Registry {
        self.ask = Ask::Every;
        self
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn linker(&self) -> &Linker<SandboxState> {
        &self.linker
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The server's metrics, which the plugins it loads report to.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Builds the chain of every enabled plugin. A plugin that cannot be
    /// loaded (its file damaged, its `info` failing) is refused, reported,
    /// and left out; the others load.
    pub fn load(&self, store: &dyn Storage) -> Result<Loaded, StoreError> {
        let records = store.plugins()?;
        let trust = store.trust()?;
        let mut compiled = self.compiled.lock().unwrap_or_else(|p| p.into_inner());
        compiled.retain(|digest, _| records.iter().any(|r| &r.digest == digest));
        self.signers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|digest, _| records.iter().any(|r| &r.digest == digest));
        let mut plugins = Vec::new();
        let mut refused = Vec::new();
        for record in records.into_iter().filter(|record| record.enabled) {
            if let Err(reason) = self.check_signature(store, &record, &trust) {
                refused.push(LoadError {
                    plugin: record.name.clone(),
                    reason,
                });
                continue;
            }
            let component = match compiled.get(&record.digest) {
                Some(component) => Ok(component.clone()),
                None => code_cache::load(
                    &self.engine,
                    store,
                    &self.paths,
                    &record.digest,
                    &self.metrics,
                ),
            };
            let plugin = component
                .map_err(|error| LoadError {
                    plugin: record.name.clone(),
                    reason: error.to_string(),
                })
                .and_then(|component| {
                    compiled.insert(record.digest.clone(), component.clone());
                    self.instantiate(&record, &component)
                });
            match plugin {
                Ok(plugin) => plugins.push(plugin),
                Err(error) => refused.push(error),
            }
        }
        Ok(Loaded {
            chain: Chain::new(plugins, self.ask),
            refused,
        })
    }

    /// The trusted publisher who signed `bytes`; an error when the store
    /// requires one and none did.
    fn signer_for_install(
        store: &dyn Storage,
        name: &str,
        bytes: &[u8],
    ) -> Result<Option<String>, InstallError> {
        let trust = store.trust()?;
        let refused = |reason: &str| {
            InstallError::Refused(format!(
                "plugin `{name}` refused: {reason}; this store requires a trusted publisher's \
                 signature (sign it with `barcoded plugin sign`, trust the key with `barcoded \
                 trust add`)"
            ))
        };
        match signing::signer(bytes, &trust) {
            Signed::By(publisher) => Ok(Some(publisher)),
            Signed::Unsigned if trust.require_signed => Err(refused("it is not signed")),
            Signed::Untrusted(reason) if trust.require_signed => Err(refused(&reason)),
            Signed::Unsigned | Signed::Untrusted(_) => Ok(None),
        }
    }

    /// Whether `record` may load under `trust`: with the policy on, a
    /// trusted publisher must have signed its bytes; a plugin installed
    /// with a signature loads only while its publisher is still trusted.
    fn check_signature(
        &self,
        store: &dyn Storage,
        record: &PluginRecord,
        trust: &Trust,
    ) -> Result<(), String> {
        if !trust.require_signed && record.signer.is_none() {
            return Ok(());
        }
        let signed = self.signed(store, &record.digest, trust)?;
        match (&signed, &record.signer) {
            (Signed::By(_), _) => Ok(()),
            (_, Some(signer)) if !trust.keys.iter().any(|key| key.name == *signer) => Err(format!(
                "it was signed by {signer}, whose key is no longer trusted"
            )),
            (Signed::Unsigned, _) => Err(
                "it is not signed, and this store requires a trusted publisher's signature \
                 (`barcoded trust require off` lifts that)"
                    .into(),
            ),
            (Signed::Untrusted(reason), _) => Err(format!("its signature is refused: {reason}")),
        }
    }

    /// Who signed the component `digest`, checked once per trust.
    fn signed(&self, store: &dyn Storage, digest: &str, trust: &Trust) -> Result<Signed, String> {
        let mut signers = self.signers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((checked, signed)) = signers.get(digest)
            && checked == trust
        {
            return Ok(signed.clone());
        }
        let bytes = store
            .component(digest)
            .map_err(|error| format!("its component cannot be read: {error}"))?
            .ok_or("its component is missing from the store")?;
        if barcoded_store::digest(&bytes) != digest {
            return Err("its component file does not match its digest (changed after it was installed): reinstall it".into());
        }
        let signed = signing::signer(&bytes, trust);
        signers.insert(digest.to_owned(), (trust.clone(), signed.clone()));
        Ok(signed)
    }

    fn instantiate(
        &self,
        record: &PluginRecord,
        component: &Component,
    ) -> Result<Plugin, LoadError> {
        let settings = Settings {
            priority: record.priority,
            limits: self.limits.with(&record.limits),
            config: Arc::new(record.config.clone()),
            grants: Arc::new(record.grants.clone()),
            observer: Some(self.metrics.clone()),
        };
        Plugin::new(&self.linker, &record.name, component, settings)
    }

    /// Validates `bytes` as a plugin and installs them: stored under their
    /// digest, compiled code cached, the record written. Reinstalling a name
    /// (given as `name`, or with `upgrade`) is an upgrade that keeps its
    /// priority, state, limits, settings and the grants the old version
    /// asked for (and lifts a quarantine: these are new bytes). Grants are
    /// never given here: an operator gives them one by one.
    pub fn install(
        &self,
        store: &dyn Storage,
        bytes: &[u8],
        request: &InstallRequest,
    ) -> Result<Installed, InstallError> {
        let label = request.name.as_deref().unwrap_or("(new plugin)");
        let refuse = |reason: &dyn std::fmt::Display| {
            InstallError::Refused(format!("plugin `{label}` refused: {reason}"))
        };
        // Before compiling: untrusted bytes never reach the compiler.
        let signer = Self::signer_for_install(store, label, bytes)?;
        let component = sandbox::compile(&self.engine, bytes).map_err(|e| refuse(&e))?;
        let settings = Settings {
            limits: self.limits.clone(),
            ..Settings::default()
        };
        let probe = Plugin::new(&self.linker, label, &component, settings)
            .map_err(|e| InstallError::Refused(e.to_string()))?;
        let info = probe.info().clone();
        let name = request.name.clone().unwrap_or_else(|| info.name.clone());
        for warning in crate::foreign::foreign_claims(&probe) {
            tracing::warn!("plugin {name}: {warning}");
        }
        sandbox::validate_name(&name).map_err(|reason| {
            InstallError::Refused(format!(
                "{reason}; pass --name to install it under another name"
            ))
        })?;
        let digest = barcoded_store::digest(bytes);
        let existing = store.plugin(&name)?;
        if let Some(existing) = existing.as_ref().filter(|e| e.digest == digest) {
            return Ok(Installed::Unchanged(existing.clone()));
        }
        if let Some(existing) = &existing
            && request.name.is_none()
            && !request.upgrade
        {
            return Err(InstallError::Refused(format!(
                "plugin `{name}` refused: a plugin named {name} ({}) is already installed. To \
                 replace it with this component, pass --upgrade (or --name {name}); to install \
                 both, pass --name with a new name",
                existing.info.version
            )));
        }
        let asks = sandbox::capabilities_asked(&self.engine, &component);
        let (grants, withheld) = existing.as_ref().map_or_else(Default::default, |old| {
            old.grants
                .iter()
                .partition::<BTreeSet<Capability>, _>(|grant| old.asks.contains(grant))
        });
        store.put_component(&digest, bytes)?;
        code_cache::save(&self.engine, store, &self.paths, &digest, &component);
        let record = PluginRecord {
            name: name.clone(),
            digest,
            size: bytes.len() as u64,
            priority: request
                .priority
                .or(existing.as_ref().map(|e| e.priority))
                .unwrap_or(sandbox::DEFAULT_PRIORITY),
            enabled: !request.disabled && existing.as_ref().is_none_or(|e| e.enabled),
            installed: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            info,
            limits: existing
                .as_ref()
                .map(|e| e.limits.clone())
                .unwrap_or_default(),
            config: existing
                .as_ref()
                .map(|e| e.config.clone())
                .unwrap_or_else(BTreeMap::new),
            grants,
            asks,
            claims: probe.claims().map(<[String]>::to_vec),
            signer,
        };
        store.put_plugin(&record)?;
        Ok(match existing {
            None => Installed::New(record),
            Some(old) => {
                store.release_plugin(&name)?;
                let withheld = withheld
                    .into_iter()
                    .filter(|grant| record.asks.contains(grant))
                    .collect();
                Installed::Upgraded {
                    from_version: old.info.version,
                    record,
                    withheld,
                }
            }
        })
    }
}
