//! End-to-end tests: each starts the real `barcoded` binary and talks to it
//! over real HTTP (or runs its CLI), with real plugin components built by
//! `guest-plugins/build.sh`.

mod harness;

mod actions;
mod audit;
mod back_office;
mod browser;
mod catalog;
mod claims;
mod cli;
mod config;
mod console;
mod decoders;
mod fleet;
mod http;
mod inventree;
mod keys;
mod labels;
mod languages;
mod lookup;
mod metrics;
mod migrate;
mod openapi;
mod operating;
mod plugins;
mod postgres_tls;
mod sandbox;
mod scan;
mod signing;
mod suppliers;
mod toolkit;
mod upgrade;
mod writes;
