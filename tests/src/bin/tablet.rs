//! The tablet's command line (`tsunagi`), built here so that the link's
//! end-to-end tests can run it as a process next to the companion's.

fn main() -> std::process::ExitCode {
    tsunagi_app::cli::main()
}
