use super::*;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn write(dir: &Path, data: &[u8], chunk: u32) -> WrittenMedia {
    let mut w = MediaWriter::with_chunk_size(dir, chunk).expect("creates");
    // Odd-sized writes cross chunk boundaries.
    for part in data.chunks(1000) {
        w.write_all(part).expect("writes");
    }
    w.finish().expect("finishes")
}

fn read_all(path: &Path, key: &MediaKey) -> Result<Vec<u8>, MediaError> {
    let mut r = MediaReader::open(path, key)?;
    let mut out = Vec::new();
    r.read_to_end(&mut out)?;
    Ok(out)
}

fn assert_damaged(result: Result<Vec<u8>, MediaError>) {
    match result {
        Err(MediaError::Damaged) => {}
        Err(other) => panic!("expected Damaged, got {other:?}"),
        Ok(bytes) => panic!("expected Damaged, got {} bytes", bytes.len()),
    }
}

#[test]
fn what_is_written_reads_back_with_its_hash_and_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    for len in [0, 1, 4096, 4096 * 3, 4096 * 3 + 17] {
        let data = pattern(len);
        let w = write(dir.path(), &data, 4096);
        assert_eq!(w.size, len as u64);
        assert_eq!(w.sha256, <[u8; 32]>::from(Sha256::digest(&data)));
        let path = dir.path().join(&w.file_name);
        assert_eq!(read_all(&path, &w.key).expect("reads"), data, "len {len}");
    }
}

#[test]
fn the_file_holds_no_plaintext_and_a_random_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = b"plaintext marker ".repeat(2000);
    let w = write(dir.path(), &data, 4096);
    assert!(is_media_file_name(&w.file_name));
    let stored = fs::read(dir.path().join(&w.file_name)).expect("reads");
    assert!(
        !stored
            .windows(b"plaintext marker".len())
            .any(|win| win == b"plaintext marker")
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
}

#[test]
fn seeking_reads_the_right_bytes_anywhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 5 + 100);
    let w = write(dir.path(), &data, 4096);
    let mut r = MediaReader::open(&dir.path().join(&w.file_name), &w.key).expect("opens");
    assert_eq!(r.len(), data.len() as u64);
    for start in [0usize, 4095, 4096, 12_000, 4096 * 5, data.len() - 1] {
        r.seek(SeekFrom::Start(start as u64)).expect("seeks");
        let mut buf = vec![0u8; 5000];
        let mut got = Vec::new();
        while got.len() < 5000 {
            let n = r.read(&mut buf[..5000 - got.len()]).expect("reads");
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let end = (start + 5000).min(data.len());
        assert_eq!(got, &data[start..end], "from {start}");
    }
    r.seek(SeekFrom::End(-10)).expect("seeks");
    let mut tail = Vec::new();
    r.read_to_end(&mut tail).expect("reads");
    assert_eq!(tail, &data[data.len() - 10..]);
}

#[test]
fn a_changed_byte_anywhere_is_damage_not_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 3 + 5);
    let w = write(dir.path(), &data, 4096);
    let path = dir.path().join(&w.file_name);
    let clean = fs::read(&path).expect("reads");
    for at in [
        0,
        8,
        10,
        20,
        HEADER_LEN + 1,
        HEADER_LEN + 4096 + 16 + 7,
        clean.len() - 1,
    ] {
        let mut bad = clean.clone();
        bad[at] ^= 0x01;
        fs::write(&path, &bad).expect("writes");
        let result = read_all(&path, &w.key);
        assert!(result.is_err(), "a change at byte {at} went unnoticed");
        if at != 8 {
            assert_damaged(result);
        }
    }
}

#[test]
fn a_damaged_middle_chunk_fails_when_read_after_good_chunks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 3 + 5);
    let w = write(dir.path(), &data, 4096);
    let path = dir.path().join(&w.file_name);
    let mut bad = fs::read(&path).expect("reads");
    bad[HEADER_LEN + 4096 + 16 + 100] ^= 0x80;
    fs::write(&path, &bad).expect("writes");
    let mut r = MediaReader::open(&path, &w.key).expect("the last chunk is intact");
    let mut first = vec![0u8; 4096];
    r.read_exact(&mut first).expect("the first chunk is intact");
    assert_eq!(first, &data[..4096]);
    let err = r.read(&mut first).expect_err("the second chunk is damaged");
    assert!(matches!(MediaError::from(err), MediaError::Damaged));
}

#[test]
fn truncation_at_a_chunk_boundary_or_inside_a_chunk_is_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 3 + 5);
    let w = write(dir.path(), &data, 4096);
    let path = dir.path().join(&w.file_name);
    let clean = fs::read(&path).expect("reads");
    let sealed = 4096 + TAG_LEN;
    for cut in [
        HEADER_LEN + 3 * sealed, // the final chunk dropped whole
        HEADER_LEN + 2 * sealed, // two chunks dropped
        clean.len() - 1,
        HEADER_LEN + 10,
        HEADER_LEN,
        5,
    ] {
        fs::write(&path, &clean[..cut]).expect("writes");
        assert_damaged(read_all(&path, &w.key));
    }
}

#[test]
fn swapped_chunks_are_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 3 + 5);
    let w = write(dir.path(), &data, 4096);
    let path = dir.path().join(&w.file_name);
    let clean = fs::read(&path).expect("reads");
    let sealed = 4096 + TAG_LEN;
    let mut swapped = clean[..HEADER_LEN].to_vec();
    swapped.extend_from_slice(&clean[HEADER_LEN + sealed..HEADER_LEN + 2 * sealed]);
    swapped.extend_from_slice(&clean[HEADER_LEN..HEADER_LEN + sealed]);
    swapped.extend_from_slice(&clean[HEADER_LEN + 2 * sealed..]);
    fs::write(&path, &swapped).expect("writes");
    assert_damaged(read_all(&path, &w.key));
}

#[test]
fn a_chunk_from_another_file_is_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 2 + 5);
    let a = write(dir.path(), &data, 4096);
    let b = write(dir.path(), &data, 4096);
    let path_a = dir.path().join(&a.file_name);
    let mut mixed = fs::read(&path_a).expect("reads");
    let other = fs::read(dir.path().join(&b.file_name)).expect("reads");
    mixed[HEADER_LEN..HEADER_LEN + 4096 + TAG_LEN]
        .copy_from_slice(&other[HEADER_LEN..HEADER_LEN + 4096 + TAG_LEN]);
    fs::write(&path_a, &mixed).expect("writes");
    assert_damaged(read_all(&path_a, &a.key));
}

#[test]
fn a_wrong_key_is_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let w = write(dir.path(), &pattern(10_000), 4096);
    let path = dir.path().join(&w.file_name);
    assert_damaged(read_all(&path, &MediaKey::generate()));
}

#[test]
fn a_dropped_writer_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut w = MediaWriter::create(dir.path()).expect("creates");
    w.write_all(&pattern(300_000)).expect("writes");
    drop(w);
    assert_eq!(fs::read_dir(dir.path()).expect("lists").count(), 0);
}

#[test]
fn a_writer_refuses_to_pass_its_size_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut w = MediaWriter::create(dir.path())
        .expect("creates")
        .with_max_size(1000);
    w.write_all(&[0u8; 600]).expect("fits");
    let err = w.write_all(&[0u8; 600]).expect_err("too large");
    assert!(matches!(MediaError::from(err), MediaError::TooLarge));
}

#[test]
fn the_key_never_shows_in_debug_output() {
    let key = MediaKey::from_slice(&[0xab; 32]).expect("32 bytes");
    let shown = format!("{key:?}");
    assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
}

/// Counts the syncs [`counting_sync`] made.
static SYNCS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn counting_sync(file: &File) -> io::Result<()> {
    SYNCS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    file.sync_data()
}

fn failing_sync(_file: &File) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::StorageFull,
        "no space left for the media file",
    ))
}

fn file_names(dir: &Path) -> Vec<std::ffi::OsString> {
    fs::read_dir(dir)
        .expect("lists")
        .map(|e| e.expect("entry").file_name())
        .collect()
}

#[test]
fn the_file_is_synced_in_the_background_as_it_grows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 40);
    let mut w =
        MediaWriter::with_writeback(dir.path(), 4096, 4096 * 4, counting_sync).expect("creates");
    w.write_all(&data).expect("writes");
    let w = w.finish().expect("finishes");
    assert!(SYNCS.load(std::sync::atomic::Ordering::SeqCst) > 0);
    let path = dir.path().join(&w.file_name);
    assert_eq!(read_all(&path, &w.key).expect("reads"), data);
}

#[test]
fn a_failed_background_sync_fails_finish_and_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut w = MediaWriter::with_writeback(dir.path(), 4096, 4096, failing_sync).expect("creates");
    // Whether a write already sees the failure depends on when the sync
    // thread meets it; finish always does.
    let mut first_error = None;
    for part in pattern(4096 * 10).chunks(4096) {
        if let Err(e) = w.write_all(part) {
            first_error = Some(e);
            break;
        }
    }
    let err = match w.finish() {
        Ok(_) => panic!("a failed sync must fail finish"),
        Err(MediaError::Io(e)) => e,
        Err(other) => panic!("expected an I/O error, got {other:?}"),
    };
    for e in first_error.iter().chain([&err]) {
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert!(e.to_string().contains("no space left"), "{e}");
    }
    assert!(
        file_names(dir.path()).is_empty(),
        "{:?}",
        file_names(dir.path())
    );
}

#[test]
fn after_a_failed_write_every_later_write_and_finish_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut w = MediaWriter::with_writeback(dir.path(), 4096, 4096, failing_sync).expect("creates");
    let part = pattern(4096);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let first = loop {
        match w.write_all(&part) {
            Err(e) => break e,
            Ok(()) => {
                assert!(std::time::Instant::now() < deadline, "no write failed");
                std::thread::yield_now();
            }
        }
    };
    assert_eq!(first.kind(), io::ErrorKind::StorageFull);
    let again = w.write_all(&part).expect_err("the writer stays failed");
    assert_eq!(again.kind(), io::ErrorKind::StorageFull);
    assert!(w.finish().is_err());
    assert!(file_names(dir.path()).is_empty());
}

#[test]
fn reads_larger_than_a_chunk_give_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 5 + 100);
    let w = write(dir.path(), &data, 4096);
    let path = dir.path().join(&w.file_name);
    for size in [4096 + TAG_LEN - 1, 4096 + TAG_LEN, 10_000, 1 << 20] {
        for start in [0u64, 4096, 5000] {
            let mut r = MediaReader::open(&path, &w.key).expect("opens");
            r.seek(SeekFrom::Start(start)).expect("seeks");
            let mut got = Vec::new();
            let mut buf = vec![0u8; size];
            loop {
                let n = r.read(&mut buf).expect("reads");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, &data[start as usize..], "size {size}, from {start}");
        }
    }
}

#[test]
fn a_damaged_chunk_read_into_a_large_buffer_is_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = pattern(4096 * 3 + 5);
    let w = write(dir.path(), &data, 4096);
    let path = dir.path().join(&w.file_name);
    let mut bad = fs::read(&path).expect("reads");
    bad[HEADER_LEN + 100] ^= 0x01;
    fs::write(&path, &bad).expect("writes");
    let mut r = MediaReader::open(&path, &w.key).expect("the last chunk is intact");
    let mut buf = vec![0u8; 1 << 20];
    let err = r.read(&mut buf).expect_err("the first chunk is damaged");
    assert!(matches!(MediaError::from(err), MediaError::Damaged));
    assert!(
        !buf.windows(64).any(|win| win == &data[128..192]),
        "no plaintext of the damaged chunk reaches the caller"
    );
}
