//! Importing a video file (動画の取り込み): whatever GStreamer can decode
//! (MP4, MOV, WebM, MKV, AVI, …) is transcoded to H.264 Main 4:2:0 + AAC in
//! fragmented MP4 and written, plaintext, into the store's encrypting
//! writer. The user's file is only read.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc::{self, SyncSender};

use tsunagi_core::media::{ImportedVideo, MediaError, VideoImport, VideoInfo};

use super::{AvError, Limits, poster, transcode};

/// Transcodes an imported video within `limits` (a longer video is cut at
/// the length limit, as [`transcode`] says) and makes its poster.
#[derive(Clone, Copy, Debug, Default)]
pub struct TranscodingImport {
    /// The longest clip and the largest output.
    pub limits: Limits,
}

/// What the transcoding thread tells the importing thread.
enum Message {
    /// The next bytes of the MP4.
    Bytes(Vec<u8>),
    /// The transcoder has ended, with this result. Sent explicitly: a
    /// failed pipeline may keep a copy of the writer (and so of the
    /// channel's sender) alive, so the channel's closing cannot be waited
    /// for.
    Done(Result<std::time::Duration, AvError>),
}

/// Hands the transcoder's output, chunk by chunk, to the importing thread,
/// which owns the store's writer (a `&mut dyn Write`, not `'static`).
struct ChannelWriter(SyncSender<Message>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .send(Message::Bytes(buf.to_vec()))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the import was stopped"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn media_error(e: AvError) -> MediaError {
    match e {
        AvError::NotAVideo => MediaError::UnknownKind,
        AvError::Read(e) | AvError::Write(e) => MediaError::from(e),
        other => MediaError::Io(io::Error::other(other.to_string())),
    }
}

impl VideoImport for TranscodingImport {
    fn import(&self, source: &Path, out: &mut dyn Write) -> Result<ImportedVideo, MediaError> {
        let poster = poster(File::open(source)?).map_err(media_error)?;
        let input = File::open(source)?;
        let (tx, rx) = mpsc::sync_channel::<Message>(16);
        let limits = self.limits;
        let done = tx.clone();
        std::thread::Builder::new()
            .name("tsunagi-import".into())
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    transcode(input, limits, ChannelWriter(tx)).map(|e| e.duration)
                }))
                .unwrap_or_else(|_| Err(AvError::Pipeline("the import thread failed".into())));
                let _ = done.send(Message::Done(result));
            })
            .map_err(MediaError::Io)?;
        let duration = loop {
            match rx.recv() {
                Ok(Message::Bytes(chunk)) => {
                    // Returning drops the receiver: the transcoder's next
                    // write fails, which ends it.
                    out.write_all(&chunk)?;
                }
                Ok(Message::Done(result)) => break result.map_err(media_error)?,
                Err(_) => {
                    return Err(media_error(AvError::Pipeline(
                        "the import thread failed".into(),
                    )));
                }
            }
        };
        Ok(ImportedVideo {
            info: VideoInfo {
                mime: "video/mp4".into(),
                duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            },
            poster: Some(poster),
        })
    }
}

/// Stores the file at `path` in `case`: a photo (recognised by its content)
/// sanitized by the store, anything else as a video through `videos`, with
/// the importer's poster unless `poster` (JPEG or PNG bytes) is given.
/// Nothing is kept when any step fails.
pub fn store_file(
    store: &mut tsunagi_core::store::Store,
    case: tsunagi_core::model::CaseId,
    path: &Path,
    details: &tsunagi_core::store::MediaDetails,
    videos: &dyn VideoImport,
    poster: Option<Vec<u8>>,
) -> Result<tsunagi_core::store::MediaId, tsunagi_core::store::StoreError> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(64);
    File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .map_err(MediaError::Io)?;
    if tsunagi_core::media::sniff(&head) == Some(tsunagi_core::media::Sniffed::Photo) {
        let bytes = std::fs::read(path).map_err(MediaError::Io)?;
        return store.import_photo(case, &bytes, details);
    }
    let mut writer = store.begin_video(case)?;
    let imported = videos.import(path, &mut writer)?;
    let written = writer.finish()?;
    let poster = poster
        .or(imported.poster)
        .unwrap_or_else(tsunagi_core::media::video::placeholder_poster);
    store.commit_video(case, written, &poster, &imported.info, details)
}
