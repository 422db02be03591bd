//! The companion's entry point: the command line (`tsunagi-companion --help`).

fn main() -> std::process::ExitCode {
    tsunagi_companion::cli::main()
}
