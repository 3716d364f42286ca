//! A headless Chromium driven over W3C WebDriver: Debian's `chromium` and
//! `chromium-driver` (one version, so they always match), which `just test`
//! installs. The protocol is JSON over HTTP, small enough to speak here
//! directly with the harness's own plain HTTP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::harness::Response;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);
/// WebDriver's key for an element reference in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver's codes for keys that are not characters.
pub const ENTER: &str = "\u{E007}";
pub const CONTROL: &str = "\u{E009}";
/// Releases the modifier keys pressed in one `type_into`.
pub const RELEASE: &str = "\u{E000}";

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    /// A new headless Chromium with a window the size of a till's tablet.
    pub fn start() -> Browser {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "{CHROMEDRIVER} and {CHROMIUM} are needed: `just test` installs Debian's chromium and chromium-driver"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("finding a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
        };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"],
            },
        }}});
        let created = browser.command("POST", "/session", Some(capabilities));
        browser.session = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        browser
    }

    /// Sets the window's outer size, such as 390 × 844 for a phone.
    pub fn resize(&self, width: u32, height: u32) {
        self.session_command(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    pub fn goto(&self, url: &str) {
        self.session_command("POST", "/url", Some(json!({ "url": url })));
    }

    /// Follows the console's link to `page` (`#page`), as a click in its menu
    /// does, and waits until the page shows (or refuses) it and has loaded.
    pub fn goto_hash(&self, page: &str) {
        self.run("location.hash = arguments[0];", json!([page]));
        let deadline = Instant::now() + PATIENCE;
        let shown = "const s = document.querySelector('main > section:not([hidden])'); \
                     return !!s && [arguments[0], 'denied'].includes(s.dataset.page) && !s.hasAttribute('aria-busy');";
        while self.run(shown, json!([page])) != json!(true) {
            assert!(
                Instant::now() < deadline,
                "the console never showed #{page}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `script` (a function body using `arguments`) in the page.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.session_command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The first element `css` selects, once the page has one.
    fn element(&self, css: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self.run(
                "const e = document.querySelector(arguments[0]); return e && e.offsetParent !== null ? e : null;",
                json!([css]),
            );
            if let Some(id) = found.get(ELEMENT).and_then(Value::as_str) {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no visible element {css}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.session_command("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Types `text` (with key codes such as [`ENTER`]) into the element.
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.session_command(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn clear(&self, css: &str) {
        let id = self.element(css);
        self.session_command("POST", &format!("/element/{id}/clear"), Some(json!({})));
    }

    /// Chooses a file for an `<input type=file>`.
    pub fn choose_file(&self, css: &str, file: &Path) {
        let file = file.canonicalize().expect("the file to choose");
        self.type_into(css, file.to_str().expect("a UTF-8 path"));
    }

    /// The text of the element `css` selects, once it contains `wanted`;
    /// fails naming what it showed instead.
    pub fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text(css);
            if text.contains(wanted) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed {wanted:?}; it shows {text:?} (the console's notice: {:?})",
                self.text("#notice")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `script` (a function body) returns `true` in the page.
    pub fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.run(script, json!([])) != json!(true) {
            assert!(Instant::now() < deadline, "{what} never happened");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The rendered text of the element `css` selects ("" when none does).
    pub fn text(&self, css: &str) -> String {
        let text = self.run(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            json!([css]),
        );
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Whether the element `css` selects is shown.
    pub fn visible(&self, css: &str) -> bool {
        self.run(
            "const e = document.querySelector(arguments[0]); return !!e && e.offsetParent !== null;",
            json!([css]),
        ) == json!(true)
    }

    /// Saves what the window shows as a PNG.
    pub fn screenshot(&self, file: &Path) {
        let shot = self.session_command("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot.as_str().expect("a base64 screenshot"))
            .expect("a base64 screenshot");
        std::fs::write(file, png).expect("writing the screenshot");
    }

    fn session_command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.command(method, &format!("/session/{}{path}", self.session), body)
    }

    /// One WebDriver command; its `value`, or a failure with the driver's message.
    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("reaching chromedriver");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("setting a read timeout");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .expect("sending a WebDriver command");
        let response = Response::parse(&read_response(&mut stream));
        let value = response.json()["value"].clone();
        assert!(
            response.status == 200,
            "WebDriver {method} {path} failed: {value}"
        );
        value
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.command("DELETE", &format!("/session/{}", self.session), None)
            }));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One HTTP response, read to the end of its `Content-Length`: chromedriver
/// keeps the connection open whatever the request asks.
fn read_response(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buffer = [0; 16 << 10];
    loop {
        let read = stream
            .read(&mut buffer)
            .expect("reading a WebDriver answer");
        assert!(read > 0, "chromedriver closed the connection mid-answer");
        raw.extend_from_slice(&buffer[..read]);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse().ok())
            .expect("a Content-Length from chromedriver");
        if raw.len() >= end + 4 + length {
            return raw;
        }
    }
}
