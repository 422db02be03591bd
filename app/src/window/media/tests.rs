use super::*;

#[test]
fn lengths_read_as_minutes_and_seconds() {
    assert_eq!(clock(Duration::from_millis(0)), "0:00");
    assert_eq!(clock(Duration::from_millis(65_400)), "1:05");
    assert_eq!(clock(Duration::from_secs(600)), "10:00");
}

#[test]
fn a_frame_becomes_a_photo_the_store_can_read() {
    let mut frame = Frame::new(8, 6);
    for (i, px) in frame.make_mut_slice().iter_mut().enumerate() {
        *px = slint::Rgba8Pixel::new((i * 5) as u8, 40, 200, 255);
    }
    let jpeg = jpeg_of(&frame).expect("encodes");
    let back = photo::decode_upright(&jpeg).expect("decodes");
    assert_eq!((back.width(), back.height()), (8, 6));
}
