//! `tsunagi-companion`: the office desktop companion. It receives sealed
//! cases from paired tablets, prints the five documents and sends
//! de-identified progress data to the research centre.
//!
//! Its commands arrive with the docking link (pairing, `serve`); until then
//! it says so plainly instead of pretending.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "tsunagi-companion: error: the companion's commands (pair, serve, print) are not available in this version"
    );
    ExitCode::FAILURE
}
