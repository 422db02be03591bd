//! Saving a document or figures as a file: never over an existing file,
//! readable by its owner only, and no half-written file left behind.

use std::path::Path;

/// Writes a new file, refusing to overwrite one; a half-written file is removed.
pub fn save_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Readable by its owner only: a document holds the client's data.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
            "{} は既にあります。上書きしません (already exists; not overwritten)",
            path.display()
        ),
        _ => anyhow::anyhow!(
            "{} に保存できません (cannot create it): {e}",
            path.display()
        ),
    })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        anyhow::bail!("{} に保存できません (write failed): {e}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_saved_document_is_readable_by_its_owner_only_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("profile.pdf");
        save_new(&path, b"%PDF-1.7").expect("saves");
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
        let err = save_new(&path, b"other").expect_err("refused");
        assert!(err.to_string().contains("上書きしません"), "{err}");
        assert_eq!(std::fs::read(&path).expect("reads"), b"%PDF-1.7");
    }
}
