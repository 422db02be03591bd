//! Photos and video (写真・動画) for the profile presentation (プロフィール):
//! camera capture, H.264 encoding, transcoding of imported video, posters,
//! probing and playback, all on GStreamer.
//!
//! Plaintext media never touches the disk. Every function here reads its
//! input from a [`std::io::Read`] + [`std::io::Seek`] (the media store's
//! decrypting reader, or the user's own file when importing) through an
//! `appsrc`, and writes its output to a [`std::io::Write`] (the store's
//! encrypting writer) through an `appsink`. No pipeline has a `filesrc`,
//! `filesink` or temporary file; MP4 output is fragmented (`mp4mux
//! fragment-duration=… streamable=true`) so that it never needs to seek back.
//!
//! Output is always H.264 Main profile, 4:2:0 (the format every tablet's
//! hardware decoder accepts) with AAC sound, in fragmented MP4.
//!
//! Threads: every call that processes media blocks until it is done
//! ([`transcode`], [`poster`], [`probe`], [`capture_photo`],
//! [`RecordingHandle::stop`], [`RecordingHandle::wait`], [`Player::new`]) and
//! must run on a worker thread, never on the UI thread. [`record_clip`]
//! returns as soon as the camera runs; [`Player::play`], [`Player::pause`],
//! [`Player::seek`] return at once; [`preview`] returns once the camera runs. Callbacks (preview frames, player
//! frames, player events) are called on GStreamer's streaming threads: hand
//! their data to the UI with `slint::invoke_from_event_loop` or
//! `upgrade_in_event_loop`. Everything here is `Send` and may be called from
//! any thread; GStreamer is initialised once, on first use.

mod capture;
mod encode;
mod import;
mod pipeline;
mod playback;
mod preview;
mod probe;
mod scan;
mod source;

use std::time::Duration;

use tsunagi_platform::CaptureDevice;

pub use capture::{RecordingHandle, capture_photo, record_clip};
pub use encode::transcode;
pub use import::{TranscodingImport, store_file};
pub use playback::{Player, PlayerEvent};
pub use preview::{Preview, preview};
pub use probe::{POSTER_LONG_EDGE, poster, probe};
pub use scan::{Scan, decode as decode_qr, scan};
pub use source::{CAMERA_ENV, Source};

/// A decoded video frame, ready for a Slint `Image`
/// (`slint::Image::from_rgba8(frame)`).
pub type Frame = slint::SharedPixelBuffer<slint::Rgba8Pixel>;

/// Where decoded frames go (preview while recording, playback): called on a
/// GStreamer streaming thread for every frame.
pub type FrameCallback = Box<dyn FnMut(Frame) + Send + 'static>;

/// What went wrong with photos or video. Messages name no person, file or
/// caption: they only say what failed.
#[derive(Debug, thiserror::Error)]
pub enum AvError {
    /// GStreamer itself could not start (libraries missing or broken).
    #[error("動画機能を開始できません (could not start GStreamer): {0}")]
    Init(String),
    /// A GStreamer element this feature needs is not installed.
    #[error("動画の部品 {0} がありません (missing GStreamer element {0})")]
    MissingElement(&'static str),
    /// There is no camera (or it cannot be opened).
    #[error("カメラが見つかりません (no camera found)")]
    NoCamera,
    /// The system is asking the person whether the app may use the device
    /// (Android, iOS); their answer is not known yet. The person allows it
    /// and tries again.
    #[error("{}", asked_text(*.0))]
    PermissionAsked(CaptureDevice),
    /// The camera is not allowed, and only the system's settings can change
    /// that (iOS: refused, or forbidden by the device's management).
    #[error(
        "カメラの使用が許可されていません。設定アプリで許可してください (the camera is not allowed: allow it in the Settings app)"
    )]
    CameraRefused,
    /// The system could not say whether the app may use the device (the
    /// text names the system call, never data).
    #[error("端末の権限を確認できません (could not check the device's permissions): {0}")]
    Permission(#[from] tsunagi_platform::PlatformError),
    /// The input holds no video stream GStreamer can decode.
    #[error("動画ファイルではありません (not a video file)")]
    NotAVideo,
    /// Reading the input failed.
    #[error("動画を読み込めません (could not read the video): {0}")]
    Read(std::io::Error),
    /// Writing the output failed; what was written before stays in the
    /// writer.
    #[error("動画を保存できません (could not write the video): {0}")]
    Write(std::io::Error),
    /// The pipeline failed for another reason (the text is GStreamer's,
    /// which names elements, never data).
    #[error("動画の処理に失敗しました (video processing failed): {0}")]
    Pipeline(String),
}

/// What [`AvError::PermissionAsked`] says for `device`.
fn asked_text(device: CaptureDevice) -> &'static str {
    match device {
        CaptureDevice::Camera => {
            "カメラの使用の許可を求めています。許可してから、もう一度お試しください（確認が表示されない場合は、設定アプリで許可してください） (asked for permission to use the camera: allow it, then try again; if nothing asks, allow it in the Settings app)"
        }
        CaptureDevice::Microphone => {
            "マイクの使用の許可を求めています。許可してから、もう一度お試しください（確認が表示されない場合は、設定アプリで許可してください） (asked for permission to use the microphone: allow it, then try again; if nothing asks, allow it in the Settings app)"
        }
    }
}

/// Limits on a recording or an imported video (録画の上限).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest clip: a recording stops by itself here, an imported
    /// video is cut here (the rest is left out, never refused).
    pub max_duration: Duration,
    /// The largest output in bytes: a recording stops by itself when its
    /// encoded size nears this, ending a little under it (see
    /// `docs/video.md`). Imports are cut the same way.
    pub max_bytes: u64,
}

impl Limits {
    /// The limits `store` sets (an administrator's choice, kept in the
    /// store).
    pub fn of(store: &tsunagi_core::store::Store) -> Result<Self, tsunagi_core::store::StoreError> {
        let limits = store.media_limits()?;
        Ok(Self {
            max_duration: Duration::from_millis(limits.max_video_ms),
            max_bytes: limits.max_video_bytes,
        })
    }
}

impl Default for Limits {
    /// Three minutes, 100 MB: a presentation clip, not a film.
    fn default() -> Self {
        Self {
            max_duration: Duration::from_secs(180),
            max_bytes: 100_000_000,
        }
    }
}

/// What an encoding wrote: the writer handed back (so the store can call its
/// `finish()`), how many bytes went into it and how long the clip is.
#[derive(Debug)]
pub struct Encoded<W> {
    /// The output writer, flushed, after the last byte of the MP4.
    pub writer: W,
    /// Bytes written to the writer.
    pub bytes: u64,
    /// Length of the clip (from the first to past the last frame encoded).
    pub duration: Duration,
}

/// What [`probe`] found by decoding a video.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoInfo {
    /// Length of the picture: from the first decoded frame to the end of
    /// the last.
    pub duration: Duration,
    /// Length as the container reports it (the longer of picture and sound;
    /// AAC adds a few tens of milliseconds of priming), when it does.
    pub container_duration: Option<Duration>,
    /// Number of video frames decoded.
    pub frames: u64,
    /// Width of the decoded picture in pixels.
    pub width: u32,
    /// Height of the decoded picture in pixels.
    pub height: u32,
    /// The video codec's media type, e.g. `video/x-h264`.
    pub codec: String,
    /// H.264 profile (`main`, `high`, …) when the video is H.264.
    pub h264_profile: Option<String>,
    /// Chroma format (`4:2:0`, `4:4:4`, …) when the parser reports one.
    pub chroma_format: Option<String>,
    /// Whether the file has a sound stream.
    pub has_audio: bool,
}

/// Initialises GStreamer once for the whole process; later calls return the
/// first result. Every function here calls it, so calling it yourself is
/// only useful to fail early (e.g. at start-up on a worker thread).
pub fn init() -> Result<(), AvError> {
    static INIT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| gstreamer::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(AvError::Init)
}
