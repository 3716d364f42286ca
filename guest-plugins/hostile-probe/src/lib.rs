//! Hostile test plugin: on `PROBE`, tries to reach files, the network, the
//! environment and arguments, and reports what it got. Everything must fail
//! or come back empty, inside the plugin.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};
// Sockets through WASI's own interfaces: what std::net would call underneath.
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::network::IpAddressFamily;
use wasip2::sockets::tcp_create_socket::create_tcp_socket;
use wasip2::sockets::udp_create_socket::create_udp_socket;

struct Probe;

fn outcome<T, E: std::fmt::Debug>(attempt: Result<T, E>) -> String {
    match attempt {
        Ok(_) => "allowed".into(),
        Err(error) => format!("denied: {error:?}"),
    }
}

impl Plugin for Probe {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-probe".into(),
            title: "Sandbox probe".into(),
            description: "Tries files, sockets, environment and arguments.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        if data != "PROBE" {
            return Ok(None);
        }
        let result = ScanResult::new("PROBE")
            .field("read_file", outcome(std::fs::read("/etc/passwd")))
            .field("list_root", outcome(std::fs::read_dir("/")))
            .field("create_file", outcome(std::fs::write("escape.txt", b"x")))
            .field(
                "tcp_socket",
                outcome(create_tcp_socket(IpAddressFamily::Ipv4)),
            )
            .field(
                "udp_socket",
                outcome(create_udp_socket(IpAddressFamily::Ipv4)),
            )
            .field(
                "name_lookup",
                outcome(resolve_addresses(&instance_network(), "localhost")),
            )
            .field("env_vars", std::env::vars().count().to_string())
            .field("args", std::env::args().count().to_string())
            .field("cwd", outcome(std::env::current_dir()));
        Ok(Some(result))
    }
}

export_plugin!(Probe);
