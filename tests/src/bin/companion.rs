//! The companion's command line (`tsunagi-companion`), built here so that the
//! link's end-to-end tests can run it as a process next to the tablet's.

fn main() -> std::process::ExitCode {
    tsunagi_companion::cli::main()
}
