//! The research centre's command line (`tsunagi-centre`), built here so that
//! the research tests can run it as a process next to the companion.

fn main() -> std::process::ExitCode {
    tsunagi_centre::cli::main()
}
