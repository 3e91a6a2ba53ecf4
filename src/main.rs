use std::process::ExitCode;

fn main() -> ExitCode {
    peerlint::cli::PROCESS_EXITS_AFTER.store(true, std::sync::atomic::Ordering::Relaxed);
    let run = || {
        peerlint::cli::main_with(
            std::env::args_os().collect(),
            &mut std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
            // Not locked for the whole run: a pool thread that writes to standard error (a
            // panic's message) would wait for the lock forever, and the run with it.
            &mut std::io::stderr(),
        )
    };
    // Template evaluation recurses, bounded in depth (`arm::eval::MAX_DEPTH`): it runs on a
    // thread with the stack that depth needs, whatever stack the platform gives `main`.
    let code = match std::thread::Builder::new()
        .name("peerlint".into())
        .stack_size(peerlint::arm::STACK_SIZE)
        .spawn(run)
    {
        Ok(thread) => match thread.join() {
            Ok(code) => code,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(_) => run(),
    };
    ExitCode::from(code)
}
