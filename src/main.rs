use std::process::ExitCode;

fn main() -> ExitCode {
    let code = peerlint::cli::main_with(
        std::env::args_os().collect(),
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
