//! The presentation's pictures: each photo (or clip's poster) is kept as
//! the JPEG the store gave, about half a megabyte, and decoded only for the
//! page shown and the pages beside it. A presentation of forty photos then
//! holds what one of four does, and opening it decodes nothing.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use slint::{Rgb8Pixel, SharedPixelBuffer};
use tsunagi_core::store::MediaId;

/// A decoded picture, as the screen draws it.
pub(super) type Picture = SharedPixelBuffer<Rgb8Pixel>;

/// Pictures to decode: each item's id and its JPEG.
pub(super) type Jpegs = Vec<(MediaId, Arc<[u8]>)>;

/// The long edge a photo is shown at: sharp on a tablet, light to decode.
const SHOWN_EDGE: u32 = 1600;

/// How many decoded pictures are kept: the page shown, the pages on either
/// side (decoded ahead of a turn), and the one just left.
const KEPT: usize = 4;

/// The JPEGs of the pictures that may be shown, and a few decoded.
#[derive(Default)]
pub(super) struct Pictures {
    jpegs: HashMap<MediaId, Arc<[u8]>>,
    /// The decoded pictures, the most recently shown last.
    kept: RefCell<VecDeque<(MediaId, Picture)>>,
    /// Pictures being decoded ahead, not to be asked for twice.
    pending: RefCell<HashSet<MediaId>>,
}

impl Pictures {
    /// Keeps `jpeg` as the picture of item `id`.
    pub fn insert(&mut self, id: MediaId, jpeg: Vec<u8>) {
        self.jpegs.insert(id, jpeg.into());
    }

    /// Whether item `id` has a picture.
    pub fn has(&self, id: MediaId) -> bool {
        self.jpegs.contains_key(&id)
    }

    /// Whether item `id`'s picture is decoded.
    pub fn is_decoded(&self, id: MediaId) -> bool {
        self.kept.borrow().iter().any(|(kept, _)| *kept == id)
    }

    /// The picture of item `id` to show now: the decoded one if kept, else
    /// decoded here. `None` without a picture or when it cannot be decoded.
    pub fn shown(&self, id: MediaId) -> Option<Picture> {
        let found = {
            let mut kept = self.kept.borrow_mut();
            let at = kept.iter().position(|(kept, _)| *kept == id);
            at.and_then(|at| kept.remove(at))
        };
        let picture = match found {
            Some((_, picture)) => picture,
            None => decode(self.jpegs.get(&id)?)?,
        };
        self.keep(id, picture.clone());
        Some(picture)
    }

    /// The JPEGs of those of `ids` neither decoded nor being decoded, now
    /// marked as being decoded: to be decoded ahead, away from the screen's
    /// thread, and handed back through [`Pictures::decoded`].
    pub fn to_decode(&self, ids: impl IntoIterator<Item = MediaId>) -> Jpegs {
        let mut pending = self.pending.borrow_mut();
        let mut jpegs = Vec::new();
        for id in ids {
            if let Some(jpeg) = self.jpegs.get(&id)
                && !self.is_decoded(id)
                && pending.insert(id)
            {
                jpegs.push((id, Arc::clone(jpeg)));
            }
        }
        jpegs
    }

    /// Takes pictures decoded ahead.
    pub fn decoded(&self, pictures: Vec<(MediaId, Option<Picture>)>) {
        for (id, picture) in pictures {
            self.pending.borrow_mut().remove(&id);
            if let Some(picture) = picture
                && !self.is_decoded(id)
            {
                // Ahead of the page shown: kept, but the first to go.
                let mut kept = self.kept.borrow_mut();
                if kept.len() >= KEPT {
                    kept.pop_front();
                }
                kept.push_front((id, picture));
            }
        }
    }

    fn keep(&self, id: MediaId, picture: Picture) {
        let mut kept = self.kept.borrow_mut();
        kept.retain(|(kept, _)| *kept != id);
        while kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back((id, picture));
    }
}

/// `jpeg` turned upright and shrunk to [`SHOWN_EDGE`].
pub(super) fn decode(jpeg: &[u8]) -> Option<Picture> {
    let img = tsunagi_core::media::photo::decode_upright(jpeg).ok()?;
    // `thumbnail` averages the pixels each output pixel covers: as sharp as
    // a filtered resize when shrinking this little, and much faster, which
    // matters to a turn to a page that was not decoded ahead.
    let img = if img.width() > SHOWN_EDGE || img.height() > SHOWN_EDGE {
        img.thumbnail(SHOWN_EDGE, SHOWN_EDGE)
    } else {
        img
    };
    let rgb = img.to_rgb8();
    Some(Picture::clone_from_slice(
        rgb.as_raw(),
        rgb.width(),
        rgb.height(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encodes");
        out.into_inner()
    }

    fn pictures(count: usize) -> (Pictures, Vec<MediaId>) {
        let mut pictures = Pictures::default();
        let ids: Vec<MediaId> = (0..count).map(|_| MediaId::new()).collect();
        for id in &ids {
            pictures.insert(*id, jpeg(64, 48));
        }
        (pictures, ids)
    }

    #[test]
    fn nothing_is_decoded_until_shown_and_a_large_photo_is_shrunk() {
        let mut pictures = Pictures::default();
        let id = MediaId::new();
        pictures.insert(id, jpeg(2000, 1500));
        assert!(pictures.has(id));
        assert!(!pictures.is_decoded(id));
        let shown = pictures.shown(id).expect("decodes");
        assert_eq!((shown.width(), shown.height()), (1600, 1200));
        assert!(pictures.is_decoded(id));
    }

    #[test]
    fn at_most_a_few_pictures_stay_decoded_the_latest_shown_among_them() {
        let (pictures, ids) = pictures(10);
        for id in &ids {
            pictures.shown(*id).expect("decodes");
        }
        let decoded = ids.iter().filter(|id| pictures.is_decoded(**id)).count();
        assert_eq!(decoded, KEPT);
        assert!(pictures.is_decoded(ids[9]));
        assert!(!pictures.is_decoded(ids[0]));
        // Shown again, an old picture is decoded again and kept.
        pictures.shown(ids[0]).expect("decodes");
        assert!(pictures.is_decoded(ids[0]));
    }

    #[test]
    fn pictures_decoded_ahead_are_asked_for_once_and_give_way_first() {
        let (pictures, ids) = pictures(6);
        pictures.shown(ids[0]).expect("decodes");
        let ahead = pictures.to_decode([ids[0], ids[1], ids[2]]);
        let asked: Vec<MediaId> = ahead.iter().map(|(id, _)| *id).collect();
        assert_eq!(asked, [ids[1], ids[2]], "the one shown is decoded already");
        assert!(
            pictures.to_decode([ids[1]]).is_empty(),
            "not asked for twice"
        );
        pictures.decoded(
            ahead
                .into_iter()
                .map(|(id, jpeg)| (id, decode(&jpeg)))
                .collect(),
        );
        assert!(pictures.is_decoded(ids[1]) && pictures.is_decoded(ids[2]));
        // Two more shown: the pictures decoded ahead go before the shown one.
        pictures.shown(ids[3]).expect("decodes");
        pictures.shown(ids[4]).expect("decodes");
        assert!(pictures.is_decoded(ids[0]), "shown, so kept longer");
        assert!(!pictures.is_decoded(ids[1]) || !pictures.is_decoded(ids[2]));
    }

    #[test]
    fn a_picture_that_cannot_be_decoded_shows_nothing() {
        let mut pictures = Pictures::default();
        let id = MediaId::new();
        pictures.insert(id, b"not a jpeg".to_vec());
        assert!(pictures.shown(id).is_none());
        assert!(pictures.shown(MediaId::new()).is_none());
    }
}
