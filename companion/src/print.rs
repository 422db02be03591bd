//! Printing through CUPS over IPP (印刷): list the printers, check that one
//! is ready, send a PDF with a number of copies, follow the job, and say
//! plainly what is wrong when it cannot print — printer stopped, not found,
//! out of paper, CUPS not running.
//!
//! This speaks IPP itself (the `ipp` crate's blocking client over HTTP):
//! CUPS answers with structured printer and job states (`printer-state`,
//! `printer-state-reasons`, `job-state`), so nothing depends on parsing the
//! localised text of `lpstat`, and the same code talks to CUPS on Linux and
//! macOS or to an IPP Everywhere printer directly. The window uses these
//! same functions.
//!
//! Job names say which document it is, never whose: CUPS shows job names
//! to everyone on the print server.

use std::fmt;
use std::io::Cursor;
use std::time::{Duration, Instant};

use ipp::operation::IppOperation;
use ipp::operation::cups::CupsGetPrinters;
use ipp::prelude::*;

/// The default CUPS port.
pub const DEFAULT_PORT: u16 = 631;

/// Who CUPS is told a job is from (queues such as cups-pdf file it under
/// that account): `$USER` or `$LOGNAME`, else the account of this
/// process's user id in `/etc/passwd`, else `tsunagi`.
pub fn requesting_user() -> String {
    let from_env = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| !u.trim().is_empty());
    from_env
        .or_else(account_of_this_process)
        .unwrap_or_else(|| "tsunagi".to_owned())
}

#[cfg(unix)]
fn account_of_this_process() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.get(2) == Some(&uid.as_str())).then(|| fields[0].to_owned())
    })
}

#[cfg(not(unix))]
fn account_of_this_process() -> Option<String> {
    None
}

/// Where CUPS listens (an IPP server over HTTP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CupsServer {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Default for CupsServer {
    fn default() -> Self {
        Self {
            host: "localhost".to_owned(),
            port: DEFAULT_PORT,
        }
    }
}

impl fmt::Display for CupsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl CupsServer {
    /// The server named by `CUPS_SERVER` (`host` or `host:port`, as the CUPS
    /// commands read it), else `localhost:631`. A socket path in
    /// `CUPS_SERVER` falls back to `localhost:631`.
    pub fn from_env() -> Self {
        std::env::var("CUPS_SERVER")
            .ok()
            .and_then(|s| Self::parse(&s))
            .unwrap_or_default()
    }

    /// Parses `host` or `host:port`; `None` for a socket path or bad port.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || text.starts_with('/') {
            return None;
        }
        match text.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') || host.ends_with(']') => Some(Self {
                host: host.to_owned(),
                port: port.parse().ok()?,
            }),
            _ => Some(Self {
                host: text.to_owned(),
                port: DEFAULT_PORT,
            }),
        }
    }

    /// Whether the server is on this machine (a loopback name or address),
    /// the only place plain IPP may carry a document.
    pub fn is_local(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    fn uri(&self, path: &str) -> Result<Uri, PrintError> {
        if !self.is_local() {
            return Err(PrintError::RemoteServer(self.to_string()));
        }
        format!("http://{}:{}{}", self.host, self.port, path)
            .parse()
            .map_err(|_| PrintError::BadServer(self.to_string()))
    }

    fn printer_uri(&self, printer: &str) -> Result<Uri, PrintError> {
        check_printer_name(printer)?;
        self.uri(&format!("/printers/{printer}"))
    }

    fn send(&self, uri: Uri, op: impl IppOperation) -> Result<IppRequestResponse, PrintError> {
        let client = IppClient::builder(uri)
            .request_timeout(Duration::from_secs(30))
            .build();
        client.send(op).map_err(|e| match e {
            IppError::StatusError(StatusCode::ClientErrorNotFound) => PrintError::Status(0x0406),
            IppError::ClientError(e) if e.to_string().contains("404") => PrintError::Status(0x0406),
            IppError::ClientError(_) | IppError::IoError(_) | IppError::HttpError(_) => {
                PrintError::CupsNotRunning(self.to_string())
            }
            other => PrintError::Protocol(other.to_string()),
        })
    }
}

/// A printer's state (`printer-state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrinterState {
    /// 待機中 — idle.
    Idle,
    /// 印刷中 — processing.
    Processing,
    /// 停止 — stopped (disabled, or halted by an error).
    Stopped,
    /// A value IPP does not define.
    Unknown(i32),
}

impl PrinterState {
    fn from_ipp(value: i32) -> Self {
        match value {
            3 => Self::Idle,
            4 => Self::Processing,
            5 => Self::Stopped,
            other => Self::Unknown(other),
        }
    }

    /// The Japanese word shown.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Idle => "待機中",
            Self::Processing => "印刷中",
            Self::Stopped => "停止",
            Self::Unknown(_) => "不明",
        }
    }
}

/// A printer as CUPS describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printer {
    /// The queue name (`printer-name`), used to print.
    pub name: String,
    /// Its description (`printer-info`).
    pub info: String,
    /// Where it is (`printer-location`).
    pub location: String,
    /// The model (`printer-make-and-model`).
    pub make_and_model: String,
    /// `printer-state`.
    pub state: PrinterState,
    /// `printer-state-reasons`, without "none".
    pub reasons: Vec<String>,
    /// `printer-is-accepting-jobs`.
    pub accepting: bool,
}

impl Printer {
    fn from_group(group: &IppAttributeGroup) -> Option<Self> {
        let text = |name: &str| {
            group
                .get(name)
                .map(|a| a.value().to_string())
                .unwrap_or_default()
        };
        let name = text("printer-name");
        if name.is_empty() {
            return None;
        }
        let state = match group.get("printer-state").map(IppAttribute::value) {
            Some(IppValue::Enum(v) | IppValue::Integer(v)) => PrinterState::from_ipp(*v),
            _ => PrinterState::Unknown(0),
        };
        let accepting = !matches!(
            group
                .get("printer-is-accepting-jobs")
                .map(IppAttribute::value),
            Some(IppValue::Boolean(false))
        );
        Some(Self {
            name,
            info: text("printer-info"),
            location: text("printer-location"),
            make_and_model: text("printer-make-and-model"),
            state,
            reasons: keywords(group.get("printer-state-reasons")),
            accepting,
        })
    }

    /// Whether a job sent now would print, or why not.
    pub fn check_ready(&self) -> Result<(), PrintError> {
        let has = |prefix: &str| self.reasons.iter().any(|r| r.starts_with(prefix));
        if has("media-empty") || has("media-needed") {
            return Err(PrintError::OutOfPaper(self.name.clone()));
        }
        if has("media-jam") {
            return Err(PrintError::PaperJam(self.name.clone()));
        }
        if self.state == PrinterState::Stopped || has("paused") {
            return Err(PrintError::PrinterStopped(self.name.clone()));
        }
        if !self.accepting {
            return Err(PrintError::NotAccepting(self.name.clone()));
        }
        if has("offline") || has("connecting-to-device") {
            return Err(PrintError::Offline(self.name.clone()));
        }
        Ok(())
    }
}

fn keywords(attribute: Option<&IppAttribute>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: &IppValue| {
        let s = v.to_string();
        if s != "none" && !s.is_empty() {
            out.push(s);
        }
    };
    match attribute.map(IppAttribute::value) {
        Some(IppValue::Array(values)) => values.iter().for_each(&mut push),
        Some(v) => push(v),
        None => {}
    }
    out
}

/// A print job's id on its printer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobId(pub i32);

/// A job's state (`job-state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// 待機中.
    Pending,
    /// 保留.
    Held,
    /// 印刷中.
    Processing,
    /// 停止 — the printer stopped while printing it.
    Stopped,
    /// 取り消し.
    Canceled,
    /// 中止 — the system gave up on it.
    Aborted,
    /// 完了.
    Completed,
}

impl JobState {
    fn from_ipp(value: i32) -> Option<Self> {
        Some(match value {
            3 => Self::Pending,
            4 => Self::Held,
            5 => Self::Processing,
            6 => Self::Stopped,
            7 => Self::Canceled,
            8 => Self::Aborted,
            9 => Self::Completed,
            _ => return None,
        })
    }

    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Canceled | Self::Aborted | Self::Completed)
    }

    /// The Japanese word shown.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Pending => "待機中",
            Self::Held => "保留",
            Self::Processing => "印刷中",
            Self::Stopped => "停止",
            Self::Canceled => "取り消し",
            Self::Aborted => "中止",
            Self::Completed => "完了",
        }
    }
}

/// A job's state and the reasons CUPS gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobStatus {
    /// `job-state`.
    pub state: JobState,
    /// `job-state-reasons`, without "none".
    pub reasons: Vec<String>,
}

/// Why printing failed, in plain words (Japanese first). Nothing here
/// carries case content: printer names and server addresses only.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    /// Nothing answers at the CUPS address.
    #[error(
        "印刷サービス（CUPS）に接続できません。CUPSが起動しているか確認してください (CUPS is not running or not reachable at {0})"
    )]
    CupsNotRunning(String),
    /// The CUPS address does not parse.
    #[error("印刷サービスの指定が正しくありません (bad CUPS server address {0})")]
    BadServer(String),
    /// The CUPS server is on another host: the document would cross the
    /// network as plain IPP, readable by anyone on the way.
    #[error(
        "別のPCの印刷サービス（{0}）には送りません。書類が暗号化されずにネットワークを通るためです。このPCのCUPSにプリンターを設定してください (refused: a CUPS server on another host would receive the document over unencrypted IPP)"
    )]
    RemoteServer(String),
    /// No such printer.
    #[error(
        "プリンター「{0}」が見つかりません (printer {0} not found): `tsunagi-companion printers` で一覧を確認してください"
    )]
    PrinterNotFound(String),
    /// The printer is stopped (disabled or halted).
    #[error(
        "プリンター「{0}」は停止しています。再開してから印刷してください (printer {0} is stopped)"
    )]
    PrinterStopped(String),
    /// The printer refuses new jobs.
    #[error("プリンター「{0}」は現在印刷を受け付けていません (printer {0} is not accepting jobs)")]
    NotAccepting(String),
    /// Out of paper.
    #[error(
        "プリンター「{0}」の用紙がありません。用紙を補給してください (printer {0} is out of paper)"
    )]
    OutOfPaper(String),
    /// Paper jam.
    #[error("プリンター「{0}」で紙詰まりが起きています (paper jam in printer {0})")]
    PaperJam(String),
    /// The device cannot be reached.
    #[error(
        "プリンター「{0}」に接続できません。電源とケーブルを確認してください (printer {0} is offline)"
    )]
    Offline(String),
    /// The job stopped or was aborted.
    #[error("印刷が{state}になりました (the print job ended as {state}): {reasons}")]
    JobFailed {
        /// The job's state, in Japanese.
        state: &'static str,
        /// CUPS's reasons.
        reasons: String,
    },
    /// Copies out of range.
    #[error("部数は1〜99で指定してください (copies must be 1 to 99)")]
    BadCopies,
    /// CUPS refused with an IPP status.
    #[error(
        "印刷サービスが要求を受け付けませんでした (CUPS refused the request: IPP status 0x{0:04x})"
    )]
    Status(u16),
    /// An answer that does not make sense.
    #[error("印刷サービスからの応答を読み取れません (unexpected answer from CUPS: {0})")]
    Protocol(String),
}

/// Printer names go into a URI path: refuse anything that could change it.
fn check_printer_name(name: &str) -> Result<(), PrintError> {
    let bad = name.is_empty()
        || name.len() > 127
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/#?%\\\"'".contains(c));
    if bad {
        Err(PrintError::PrinterNotFound(name.to_owned()))
    } else {
        Ok(())
    }
}

fn check_status(response: &IppRequestResponse) -> Result<(), PrintError> {
    let status = response.header().status_code();
    if status.is_success() {
        Ok(())
    } else {
        Err(PrintError::Status(status as u16))
    }
}

/// Every printer CUPS knows, by name.
pub fn list_printers(server: &CupsServer) -> Result<Vec<Printer>, PrintError> {
    let response = server.send(server.uri("/")?, CupsGetPrinters::new())?;
    if response.header().status_code() == StatusCode::ClientErrorNotFound {
        return Ok(Vec::new());
    }
    check_status(&response)?;
    let mut printers: Vec<Printer> = response
        .attributes()
        .groups_of(DelimiterTag::PrinterAttributes)
        .filter_map(Printer::from_group)
        .collect();
    printers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(printers)
}

/// One printer's description.
pub fn printer(server: &CupsServer, name: &str) -> Result<Printer, PrintError> {
    let uri = server.printer_uri(name)?;
    let op = IppOperationBuilder::get_printer_attributes(uri.clone())
        .build()
        .map_err(|e| PrintError::Protocol(e.to_string()))?;
    let response = server.send(uri, op).map_err(|e| match e {
        PrintError::Status(0x0406) => PrintError::PrinterNotFound(name.to_owned()),
        other => other,
    })?;
    if response.header().status_code() == StatusCode::ClientErrorNotFound {
        return Err(PrintError::PrinterNotFound(name.to_owned()));
    }
    check_status(&response)?;
    response
        .attributes()
        .groups_of(DelimiterTag::PrinterAttributes)
        .find_map(Printer::from_group)
        .ok_or_else(|| PrintError::PrinterNotFound(name.to_owned()))
}

/// Sends `pdf` to `printer_name` for `copies` copies, after checking that
/// the printer is there and ready. `title` names the job (never the client).
pub fn print_pdf(
    server: &CupsServer,
    printer_name: &str,
    pdf: &[u8],
    copies: u16,
    title: &str,
) -> Result<JobId, PrintError> {
    if !(1..=99).contains(&copies) {
        return Err(PrintError::BadCopies);
    }
    printer(server, printer_name)?.check_ready()?;
    let uri = server.printer_uri(printer_name)?;
    let payload = IppPayload::new(Cursor::new(pdf.to_vec()));
    let user = requesting_user();
    let copies = IppAttribute::with_name("copies", IppValue::Integer(i32::from(copies)))
        .map_err(|e| PrintError::Protocol(e.to_string()))?;
    let op = IppOperationBuilder::print_job(uri.clone(), payload)
        .user_name(user)
        .job_title(title)
        .document_format("application/pdf")
        .attribute(copies)
        .build()
        .map_err(|e| PrintError::Protocol(e.to_string()))?;
    let response = server.send(uri, op)?;
    let status = response.header().status_code();
    match status {
        StatusCode::ClientErrorNotFound => {
            return Err(PrintError::PrinterNotFound(printer_name.to_owned()));
        }
        StatusCode::ServerErrorNotAcceptingJobs => {
            return Err(PrintError::NotAccepting(printer_name.to_owned()));
        }
        _ => check_status(&response)?,
    }
    response
        .attributes()
        .groups_of(DelimiterTag::JobAttributes)
        .find_map(|g| match g.get("job-id").map(IppAttribute::value) {
            Some(IppValue::Integer(id)) => Some(JobId(*id)),
            _ => None,
        })
        .ok_or_else(|| PrintError::Protocol("no job-id in the answer".to_owned()))
}

/// The state of a job.
pub fn job_status(
    server: &CupsServer,
    printer_name: &str,
    job: JobId,
) -> Result<JobStatus, PrintError> {
    let uri = server.printer_uri(printer_name)?;
    let op = IppOperationBuilder::get_job_attributes(uri.clone(), job.0)
        .build()
        .map_err(|e| PrintError::Protocol(e.to_string()))?;
    let response = server.send(uri, op)?;
    check_status(&response)?;
    let group = response
        .attributes()
        .groups_of(DelimiterTag::JobAttributes)
        .next()
        .ok_or_else(|| PrintError::Protocol("no job attributes".to_owned()))?;
    let state = match group.get("job-state").map(IppAttribute::value) {
        Some(IppValue::Enum(v) | IppValue::Integer(v)) => JobState::from_ipp(*v),
        _ => None,
    }
    .ok_or_else(|| PrintError::Protocol("no job-state".to_owned()))?;
    Ok(JobStatus {
        state,
        reasons: keywords(group.get("job-state-reasons")),
    })
}

/// Follows a job until it is finished or `timeout` passes, and returns its
/// last state; a job that stops or is aborted is an error in plain words,
/// naming the printer's own problem (paper, stopped…) when it has one.
pub fn wait_for_job(
    server: &CupsServer,
    printer_name: &str,
    job: JobId,
    timeout: Duration,
) -> Result<JobStatus, PrintError> {
    let start = Instant::now();
    loop {
        let status = job_status(server, printer_name, job)?;
        match status.state {
            JobState::Completed | JobState::Canceled => return Ok(status),
            JobState::Stopped | JobState::Aborted => {
                if let Ok(p) = printer(server, printer_name) {
                    p.check_ready()?;
                }
                return Err(PrintError::JobFailed {
                    state: status.state.label_ja(),
                    reasons: status.reasons.join(", "),
                });
            }
            _ if start.elapsed() >= timeout => return Ok(status),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printer_with(state: PrinterState, reasons: &[&str], accepting: bool) -> Printer {
        Printer {
            name: "PDF".to_owned(),
            info: String::new(),
            location: String::new(),
            make_and_model: String::new(),
            state,
            reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
            accepting,
        }
    }

    #[test]
    fn printer_reasons_become_plain_errors() {
        let ok = printer_with(PrinterState::Idle, &[], true);
        assert_eq!(ok.check_ready(), Ok(()));
        let paper = printer_with(PrinterState::Stopped, &["media-empty-error"], true);
        assert_eq!(
            paper.check_ready(),
            Err(PrintError::OutOfPaper("PDF".into()))
        );
        assert!(
            paper
                .check_ready()
                .expect_err("paper")
                .to_string()
                .contains("用紙")
        );
        let paused = printer_with(PrinterState::Stopped, &["paused"], true);
        assert_eq!(
            paused.check_ready(),
            Err(PrintError::PrinterStopped("PDF".into()))
        );
        let rejecting = printer_with(PrinterState::Idle, &[], false);
        assert_eq!(
            rejecting.check_ready(),
            Err(PrintError::NotAccepting("PDF".into()))
        );
        let jam = printer_with(PrinterState::Stopped, &["media-jam-error"], true);
        assert_eq!(jam.check_ready(), Err(PrintError::PaperJam("PDF".into())));
    }

    #[test]
    fn a_printer_name_cannot_change_the_uri() {
        let server = CupsServer::default();
        for bad in ["", "a/b", "a b", "x?y", "../admin", "p#1"] {
            assert!(server.printer_uri(bad).is_err(), "{bad:?}");
        }
        assert!(server.printer_uri("Office_PDF-2").is_ok());
    }

    #[test]
    fn a_cups_server_on_another_host_is_refused_before_anything_is_sent() {
        for local in ["localhost", "127.0.0.1:8631", "[::1]:631"] {
            let server = CupsServer::parse(local).expect("parses");
            assert!(server.is_local(), "{local}");
            assert!(server.uri("/").is_ok(), "{local}");
        }
        for remote in ["printhost", "192.0.2.10:631", "[2001:db8::1]:631"] {
            let server = CupsServer::parse(remote).expect("parses");
            assert!(!server.is_local(), "{remote}");
            let err = server.uri("/").expect_err("refused");
            assert!(matches!(err, PrintError::RemoteServer(_)), "{err}");
            assert!(err.to_string().contains("暗号化されず"), "{err}");
        }
    }

    #[test]
    fn cups_server_addresses_parse_like_the_cups_commands() {
        assert_eq!(
            CupsServer::parse("127.0.0.1:6310"),
            Some(CupsServer {
                host: "127.0.0.1".into(),
                port: 6310
            })
        );
        assert_eq!(CupsServer::parse("printhost").map(|s| s.port), Some(631));
        assert_eq!(CupsServer::parse("/run/cups/cups.sock"), None);
    }

    #[test]
    fn a_closed_port_says_cups_is_not_running() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let server = CupsServer {
            host: "127.0.0.1".into(),
            port,
        };
        let err = list_printers(&server).expect_err("nothing listens");
        assert!(matches!(err, PrintError::CupsNotRunning(_)), "{err:?}");
        assert!(err.to_string().contains("CUPS"), "{err}");
    }
}
