//! The rayon pool a run's work is on (see `engine::run_with`).

/// How many threads the pool running the caller has: 1 outside any pool. A run on one thread
/// (`--threads 1`, inputs too small for a pool) is on the caller's thread, and its work must
/// not go to rayon's global pool.
pub fn threads() -> usize {
    rayon::current_thread_index().map_or(1, |_| rayon::current_num_threads())
}
