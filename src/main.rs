use std::process::ExitCode;

/// jemalloc rather than glibc's malloc on Linux: on the 10,000-vnet estate 0.8x the wall time and
/// CPU of glibc's, on two threads or one (glibc grows each thread's arena 32 KiB at a time, and
/// a block freed on another thread than the one that made it waits for that arena's lock).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: one arena for all threads. With an arena per thread
/// (the default), memory freed on one thread is not reused by another, and the peak grows by
/// about 3% (2.55x the 10,000-vnet estate's size against 2.5x); each thread's cache of small
/// blocks keeps the shared arena's lock rarely taken.
// SAFETY: the symbol is the one jemalloc (built with tikv-jemalloc-sys's `_rjem_` prefix) reads
// its options from, a pointer to a NUL-terminated string, which this is; nothing else has it.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 10] = b"narenas:1\0";

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
