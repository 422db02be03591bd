//! The research centre's stakeholder board (掲示板), opened in the system
//! browser at the centre address set with `research configure`: its base
//! URL with the path `/board` (the centre asks for its own login there).
//! Only `https://` addresses are opened.
//!
//! The browser is reached through a [`Launcher`], so that the window can be
//! tested with one that records what it was asked to open; the app's is
//! [`SystemBrowser`].

use std::fmt;
use std::path::Path;

use clap::Subcommand;

use crate::cli::PROGRAM;

/// The board's path under the centre's base URL.
pub const BOARD_PATH: &str = "/board";

/// Why the board was not opened.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// No centre is configured, so there is no address to open.
    #[error(
        "研究センターが設定されていません。先に `tsunagi-companion research configure` で設定してください (no research centre is configured: run `research configure` first)"
    )]
    NotConfigured,
    /// The centre's address is not an `https://` address; nothing else is
    /// opened.
    #[error(
        "研究センターのアドレスが https:// ではないため、掲示板を開きません (the centre's address does not start with https://, so the board is not opened)"
    )]
    NotHttps,
    /// The centre's address has no host, or carries a query, a fragment,
    /// spaces or control characters, so no board address can be made from
    /// it.
    #[error(
        "研究センターのアドレスが正しくないため、掲示板を開けません。`research configure` で設定し直してください (the centre's address is malformed: set it again with `research configure`)"
    )]
    Malformed,
    /// No program on this computer could open a browser (or it failed at
    /// once).
    #[error(
        "ブラウザを開けませんでした。{url} をブラウザで開いてください (no browser could be opened: {why}; open {url} in a browser)"
    )]
    NoBrowser {
        /// The address that was to be opened.
        url: BoardUrl,
        /// Why, in the system's words (no personal data).
        why: String,
    },
}

/// The board's address: an `https://` URL ending in [`BOARD_PATH`]. Made
/// only by [`BoardUrl::from_centre`], so whatever holds one may open it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardUrl(String);

impl BoardUrl {
    /// The board under the centre's base URL `centre` (`https://host:port`,
    /// with or without a trailing slash, perhaps with a path of its own).
    /// Refuses anything but `https://`, and an address with no host or with
    /// a query, a fragment, spaces or control characters.
    pub fn from_centre(centre: &str) -> Result<Self, BoardError> {
        let centre = centre.trim();
        let scheme = "https://";
        let rest = match centre.get(..scheme.len()) {
            Some(head) if head.eq_ignore_ascii_case(scheme) => &centre[scheme.len()..],
            _ => return Err(BoardError::NotHttps),
        };
        let rest = rest.trim_end_matches('/');
        let host = rest.split('/').next().unwrap_or_default();
        let malformed = host.is_empty()
            || rest
                .chars()
                .any(|c| c == '?' || c == '#' || c.is_whitespace() || c.is_control());
        if malformed {
            return Err(BoardError::Malformed);
        }
        Ok(Self(format!("{scheme}{rest}{BOARD_PATH}")))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BoardUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Opens an address in a browser. Called on a thread of its own (the
/// system's launcher may take a moment to report a failure), hence `Send`
/// and `Sync`.
pub trait Launcher: Send + Sync {
    /// Hands `url` to a browser; an error means no browser could be started
    /// for it. Success means a browser was started, not that the page
    /// loaded.
    fn open(&self, url: &BoardUrl) -> Result<(), BoardError>;
}

/// The system's browser, through the `open` crate (`xdg-open` and its
/// fallbacks on Linux, `open` on macOS, the shell on Windows). The browser
/// runs detached: it stays open when the companion closes.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemBrowser;

impl Launcher for SystemBrowser {
    fn open(&self, url: &BoardUrl) -> Result<(), BoardError> {
        open::that_detached(url.as_str()).map_err(|e| BoardError::NoBrowser {
            url: url.clone(),
            why: if e.kind() == std::io::ErrorKind::NotFound {
                "no program that opens web pages was found".to_owned()
            } else {
                e.to_string()
            },
        })
    }
}

/// `tsunagi-companion board …`.
#[derive(Debug, Subcommand)]
pub enum BoardCommand {
    /// Prints the board's address (the centre set with `research configure`,
    /// path /board) and opens it in the system browser.
    Open {
        /// Only print the address; open nothing.
        #[arg(long)]
        print: bool,
    },
}

/// Runs one `board` command against the data folder `dir`, opening with
/// `launcher`.
pub fn run(dir: &Path, command: BoardCommand, launcher: &dyn Launcher) -> anyhow::Result<()> {
    let BoardCommand::Open { print } = command;
    let store = tsunagi_core::login::unlock(PROGRAM, dir)?;
    let centre = store.research_centre()?.ok_or(BoardError::NotConfigured)?;
    let url = BoardUrl::from_centre(&centre.url)?;
    println!("{url}");
    if !print {
        launcher.open(&url)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(centre: &str) -> Result<String, BoardError> {
        BoardUrl::from_centre(centre).map(|u| u.as_str().to_owned())
    }

    #[test]
    fn the_board_is_the_centre_address_with_the_board_path() {
        assert_eq!(
            board("https://centre.example:8443").expect("opens"),
            "https://centre.example:8443/board"
        );
        assert_eq!(
            board("https://127.0.0.1:9443").expect("opens"),
            "https://127.0.0.1:9443/board"
        );
    }

    #[test]
    fn a_trailing_slash_does_not_double_the_slash() {
        for centre in [
            "https://centre.example:8443/",
            "https://centre.example:8443//",
            " https://centre.example:8443/ ",
        ] {
            assert_eq!(
                board(centre).expect("opens"),
                "https://centre.example:8443/board",
                "{centre:?}"
            );
        }
    }

    #[test]
    fn a_centre_under_a_path_keeps_its_path() {
        assert_eq!(
            board("https://example.org/research/").expect("opens"),
            "https://example.org/research/board"
        );
    }

    #[test]
    fn only_https_addresses_are_opened() {
        for centre in [
            "http://centre.example:8443",
            "centre.example:8443",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ftp://centre.example",
            "",
        ] {
            assert!(
                matches!(board(centre), Err(BoardError::NotHttps)),
                "{centre:?} was not refused as not https: {:?}",
                board(centre)
            );
        }
        let refusal = BoardError::NotHttps.to_string();
        assert!(refusal.contains("https://"), "{refusal}");
        assert!(refusal.contains("掲示板を開きません"), "{refusal}");
    }

    #[test]
    fn an_address_with_no_host_or_with_a_query_is_refused() {
        for centre in [
            "https://",
            "https:///board",
            "https://centre.example/?next=evil",
            "https://centre.example/#x",
            "https://centre example",
            "https://centre.example/\nx",
        ] {
            assert!(
                matches!(board(centre), Err(BoardError::Malformed)),
                "{centre:?}: {:?}",
                board(centre)
            );
        }
    }

    #[test]
    fn no_browser_is_told_in_japanese_and_english_with_the_address_to_open_by_hand() {
        let url = BoardUrl::from_centre("https://centre.example:8443").expect("opens");
        let text = BoardError::NoBrowser {
            url,
            why: "no program that opens web pages was found".to_owned(),
        }
        .to_string();
        assert!(text.starts_with("ブラウザを開けませんでした"), "{text}");
        assert!(text.contains("no browser could be opened"), "{text}");
        assert!(text.contains("https://centre.example:8443/board"), "{text}");
    }

    #[test]
    fn the_scheme_is_matched_without_regard_to_case() {
        assert_eq!(
            board("HTTPS://Centre.example").expect("opens"),
            "https://Centre.example/board"
        );
    }
}
