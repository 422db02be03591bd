//! Debian's Chromium, headless, for the tests that check pages as a
//! person's browser shows them.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

/// Debian's Chromium, headless, driven over the DevTools protocol on a
/// pipe (it reads commands on fd 3 and writes answers on fd 4, each a JSON
/// text ending in a NUL; bash puts the test's pipes there), so that it can
/// open the login page, fill it in and press the button as a person would.
/// Closed and killed on drop.
pub struct Browser {
    child: std::process::Child,
    commands: std::process::ChildStdin,
    messages: mpsc::Receiver<serde_json::Value>,
    last_id: u64,
    /// The page's DevTools session.
    session: Option<String>,
}

impl Browser {
    /// Starts Chromium with its profile in `profile` and opens a blank page.
    pub fn start(profile: &Path) -> Self {
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(r#"exec chromium "$@" 3<&0 4>&1 0</dev/null 1>/dev/null"#)
            .arg("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // The centre's certificate is self-signed; the companion
                // pins it, the browser is told to take it.
                "--ignore-certificate-errors",
                "--window-size=1280,1000",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("runs chromium (cargo xtask test installs it)");
        let commands = child.stdin.take().expect("piped");
        let mut answers = BufReader::new(child.stdout.take().expect("piped"));
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut message = Vec::new();
                match answers.read_until(0, &mut message) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                message.pop();
                let Ok(value) = serde_json::from_slice(&message) else {
                    continue;
                };
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let mut browser = Self {
            child,
            commands,
            messages,
            last_id: 0,
            session: None,
        };
        let target = browser.call(
            "Target.createTarget",
            serde_json::json!({"url": "about:blank"}),
        );
        let attached = browser.call(
            "Target.attachToTarget",
            serde_json::json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("a DevTools session")
                .to_owned(),
        );
        browser.call("Page.enable", serde_json::json!({}));
        browser
    }

    /// Sends the DevTools command `method` and returns its id.
    fn send(&mut self, method: &str, params: serde_json::Value) -> u64 {
        self.last_id += 1;
        let mut message =
            serde_json::json!({"id": self.last_id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = session.as_str().into();
        }
        let mut bytes = serde_json::to_vec(&message).expect("JSON");
        bytes.push(0);
        self.commands.write_all(&bytes).expect("writes to chromium");
        self.last_id
    }

    /// The next message from the browser, waiting up to a minute.
    fn next(&self) -> serde_json::Value {
        self.messages
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("chromium answers within a minute")
    }

    /// Runs `method` and returns its result.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.send(method, params);
        loop {
            let message = self.next();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// Runs `method`, which starts a navigation, and waits for the page it
    /// ends on to load.
    pub fn until_loaded(&mut self, method: &str, params: serde_json::Value) {
        let id = self.send(method, params);
        let (mut answered, mut loaded) = (false, false);
        while !(answered && loaded) {
            let message = self.next();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {message}");
                answered = true;
            }
            loaded |= message["method"] == "Page.loadEventFired";
        }
    }

    /// Opens `url` and waits for the page to load.
    pub fn open(&mut self, url: &str) {
        self.until_loaded("Page.navigate", serde_json::json!({"url": url}));
    }

    /// The value of the JavaScript `expression` on the page.
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true}),
        )["result"]["value"]
            .clone()
    }

    /// The page as drawn, as PNG.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine;
        let shot = self.call(
            "Page.captureScreenshot",
            serde_json::json!({"format": "png"}),
        );
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("base64 data"))
            .expect("base64")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Not `send`: a browser that is gone already must not panic here.
        let close = serde_json::json!({"id": self.last_id + 1, "method": "Browser.close"});
        let mut bytes = serde_json::to_vec(&close).expect("JSON");
        bytes.push(0);
        let _ = self.commands.write_all(&bytes);
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Draws pages `width` × `height` CSS pixels, as a screen that size
    /// would (a tablet's or a desktop's), scale 1.
    pub fn set_size(&mut self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false
            }),
        );
    }

    /// The whole page as drawn, however long, as PNG.
    pub fn full_screenshot(&mut self) -> Vec<u8> {
        use base64::Engine;
        let shot = self.call(
            "Page.captureScreenshot",
            serde_json::json!({"format": "png", "captureBeyondViewport": true}),
        );
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("base64 data"))
            .expect("base64")
    }
}
