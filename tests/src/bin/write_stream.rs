//! Test helper: unlocks a store and creates cases one after another, printing
//! `ok N` after each save has returned. The crash test kills it at random
//! moments and checks that every acknowledged case survived.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use tsunagi_core::model::Case;
use tsunagi_core::store::{FileKeychain, Store};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .expect("usage: write_stream DATA_DIR KEY_DIR PREFIX"),
    );
    let keys = PathBuf::from(
        args.next()
            .expect("usage: write_stream DATA_DIR KEY_DIR PREFIX"),
    );
    let prefix = args
        .next()
        .expect("usage: write_stream DATA_DIR KEY_DIR PREFIX");
    let mut store = Store::unlock(
        &dir,
        Arc::new(FileKeychain::new(keys)),
        "admin",
        tsunagi_tests::PASSWORD,
    )?;
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let mut case = Case::new();
        case.basic.name = format!("{prefix}-{i}").into();
        store.create_case(&case)?;
        writeln!(out, "ok {i}")?;
        out.flush()?;
    }
    Ok(())
}
