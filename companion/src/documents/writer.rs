//! Serialising a laid-out document: printpdf builds the PDF objects (with
//! subset fonts), and the streams are deflated here at a level chosen for a
//! document printed at the desk rather than for the smallest file.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use lopdf::Object;
use printpdf::{PdfDocument, PdfSaveOptions};
use std::io::Write;

/// zlib's default level. printpdf's writer uses the best (9), which spends
/// about twice the time on the content streams and subset fonts for files
/// a few per cent smaller.
const LEVEL: Compression = Compression::new(6);

/// The PDF file of `pdf`, fonts subset and streams deflated.
pub(super) fn save(pdf: &PdfDocument) -> Vec<u8> {
    let options = PdfSaveOptions {
        subset_fonts: true,
        optimize: false,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let mut doc = pdf.to_lopdf_document(&options, &mut warnings);
    for object in doc.objects.values_mut() {
        if let Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            let deflated = deflate(&stream.content);
            if deflated.len() < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(deflated);
            }
        }
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .expect("writing a PDF into memory cannot fail");
    bytes
}

fn deflate(content: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(content.len() / 2), LEVEL);
    encoder
        .write_all(content)
        .and_then(|()| encoder.finish())
        .expect("deflating into memory cannot fail")
}
