use clap::Parser;
use policy_diff::cli::{Cli, EXIT_TROUBLE, error_line, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    // SAFETY: at start-up, before any thread uses libgit2.
    if let Err(e) = unsafe { policy_diff::source::configure_libgit2() } {
        eprintln!("policy-diff: error: cannot set up libgit2: {e}");
        return ExitCode::from(EXIT_TROUBLE);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("policy-diff: error: {}", error_line(&e));
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
