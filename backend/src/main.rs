use std::process::ExitCode;

fn main() -> ExitCode {
    backend::cli::main()
}
