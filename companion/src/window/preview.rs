//! Page previews (印刷プレビュー) drawn by Poppler (`pdfinfo`, `pdftoppm`,
//! Debian's poppler-utils): the PDF goes in through a pipe and the picture
//! comes back through one, so a document never touches the disk.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// Why a preview could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// Poppler is not installed.
    #[error(
        "プレビューを表示できません。poppler-utils をインストールしてください (preview needs poppler-utils)"
    )]
    Missing,
    /// Poppler could not read the PDF or draw the page.
    #[error("プレビューを作れませんでした (the preview could not be drawn): {0}")]
    Failed(String),
}

/// A page as RGB pixels, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height × 3` bytes.
    pub rgb: Vec<u8>,
}

fn piped(program: &str, args: &[&str], input: &[u8]) -> Result<Vec<u8>, PreviewError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PreviewError::Missing,
            _ => PreviewError::Failed(e.to_string()),
        })?;
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    // Write from a thread: a large PDF fills the pipe before Poppler answers.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(&mut out)
        .map_err(|e| PreviewError::Failed(e.to_string()))?;
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut err);
    }
    let status = child
        .wait()
        .map_err(|e| PreviewError::Failed(e.to_string()))?;
    let _ = writer.join();
    if !status.success() {
        return Err(PreviewError::Failed(err.trim().to_owned()));
    }
    Ok(out)
}

/// How many pages `pdf` has.
pub fn page_count(pdf: &[u8]) -> Result<usize, PreviewError> {
    let info = piped("pdfinfo", &["-"], pdf)?;
    String::from_utf8_lossy(&info)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| PreviewError::Failed("pdfinfo gave no page count".into()))
}

/// Page `page` (from 1) of `pdf` at `dpi`.
pub fn render_page(pdf: &[u8], page: usize, dpi: u32) -> Result<Picture, PreviewError> {
    let (page, dpi) = (page.to_string(), dpi.to_string());
    let ppm = piped(
        "pdftoppm",
        &["-r", &dpi, "-f", &page, "-l", &page, "-singlefile", "-"],
        pdf,
    )?;
    parse_ppm(&ppm).ok_or_else(|| PreviewError::Failed("pdftoppm gave no picture".into()))
}

/// Reads a binary PPM (P6, 8 bits).
fn parse_ppm(bytes: &[u8]) -> Option<Picture> {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        if bytes[at] == b'#' {
            while *bytes.get(at)? != b'\n' {
                at += 1;
            }
            continue;
        }
        let start = at;
        while !bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..at]).ok()?);
    }
    at += 1;
    if fields[0] != "P6" || fields[3] != "255" {
        return None;
    }
    let width: u32 = fields[1].parse().ok()?;
    let height: u32 = fields[2].parse().ok()?;
    let len = width as usize * height as usize * 3;
    let rgb = bytes.get(at..at + len)?.to_vec();
    Some(Picture { width, height, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ppm_reads_with_comments_and_refuses_short_data() {
        let mut ppm = b"P6\n# made by a test\n2 1\n255\n".to_vec();
        ppm.extend_from_slice(&[255, 0, 0, 0, 0, 255]);
        let p = parse_ppm(&ppm).expect("reads");
        assert_eq!((p.width, p.height), (2, 1));
        assert_eq!(p.rgb, [255, 0, 0, 0, 0, 255]);
        ppm.pop();
        assert_eq!(parse_ppm(&ppm), None);
        assert_eq!(parse_ppm(b"P5\n1 1\n255\n\0"), None);
    }
}
