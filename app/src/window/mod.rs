//! The app window.

use std::path::PathBuf;

/// Opens the app window on the store in `data_dir`.
pub fn run(_data_dir: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!("the app window is not built yet")
}
