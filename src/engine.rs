//! One run: read the inputs, load them into one graph, run the enabled rules, turn findings
//! into sorted diagnostics. It drives the loaders, the graph and the rules; none of them
//! imports it.

use std::io::Read;

use crate::diagnostic::{self, Diagnostic, RelatedLabel};
use crate::discover::{Input, Origin};
use crate::graph::{Graph, GraphBuilder};
use crate::load::{self, LoadCx, Options};
use crate::rule::{Rule, RuleContext};
use crate::source::{FileId, SourceDb};

pub struct Outcome {
    pub db: SourceDb,
    pub graph: Graph,
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be read (a tool failure: exit 2).
    pub read_errors: Vec<String>,
    /// Advice about the run itself (printed on standard error).
    pub notes: Vec<String>,
    /// Parse trees by file, for JSON pointers.
    trees: Vec<Option<crate::tree::Tree>>,
}

impl Outcome {
    pub fn trees(&self) -> &[Option<crate::tree::Tree>] {
        &self.trees
    }

    /// How many inputs were read as a design (an export, a template, a design spec): the files
    /// counted, less those that are only a problem (not valid JSON or YAML, not text, named but
    /// of no shape peerlint reads, a parameters file no template uses). None at all means the
    /// run had nothing to check, which must not pass as "no problems".
    pub fn recognised_inputs(&self) -> usize {
        use crate::model::Problem;
        let mut unread: Vec<crate::source::FileId> = self
            .graph
            .problems()
            .iter()
            .filter_map(|p| match p {
                Problem::Syntax { loc, .. }
                | Problem::NotText { loc, .. }
                | Problem::Unrecognized { loc, .. } => Some(loc.file),
                _ => None,
            })
            .collect();
        unread.sort_unstable();
        unread.dedup();
        self.graph.file_count().saturating_sub(unread.len())
    }
}

/// The inputs in the order a run loads them, whatever order they were named or found in:
/// folder by folder in the order of their paths (a folder's own files, by name, before those of
/// its subfolders), standard input last. Naming a folder's files one by one, or in any order,
/// loads them as walking the folder does. A file met twice (named twice, named and found in a
/// folder, or under two paths) is loaded once, under the path that sorts first, and as named
/// if it was named once.
///
/// Everything downstream that keeps "the first" of several (the copy of a vnet or peering
/// defined twice, the numbering of template folders, file ids and so locations) is decided by
/// this order, so the output is the same for every order of the same inputs.
pub fn canonical_order(inputs: &[Input]) -> Vec<Input> {
    fn key(i: &Input) -> (bool, Option<&std::path::Path>, Option<&std::ffi::OsStr>) {
        let path = std::path::Path::new(&i.display);
        (i.origin == Origin::Stdin, path.parent(), path.file_name())
    }
    let mut sorted: Vec<&Input> = inputs.iter().collect();
    sorted.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| origin_cmp(a, b)));
    let mut out: Vec<Input> = Vec::with_capacity(sorted.len());
    let mut seen: rustc_hash::FxHashMap<std::path::PathBuf, usize> = Default::default();
    let mut folders = Default::default();
    for input in sorted {
        if let Origin::File(p) = &input.origin {
            let identity = real_path(p, &mut folders).unwrap_or_else(|| p.clone());
            if let Some(&i) = seen.get(&identity) {
                out[i].explicit |= input.explicit;
                continue;
            }
            seen.insert(identity, out.len());
        }
        out.push(input.clone());
    }
    out
}

/// The path with every link and `.`/`..` resolved ([`std::path::Path::canonicalize`]), if it
/// exists. A file that is no link is its folder's real path and its name: each folder is
/// resolved once (`folders`), each file takes one `lstat` (resolving a path takes a system
/// call per component, and a run of many files does this on one thread before any is read).
fn real_path(
    p: &std::path::Path,
    folders: &mut rustc_hash::FxHashMap<std::path::PathBuf, Option<std::path::PathBuf>>,
) -> Option<std::path::PathBuf> {
    let whole = || p.canonicalize().ok();
    let (Some(parent), Some(name)) = (p.parent(), p.file_name()) else {
        return whole();
    };
    match std::fs::symlink_metadata(p) {
        Ok(m) if !m.file_type().is_symlink() => {}
        _ => return whole(),
    }
    let folder = folders
        .entry(parent.to_path_buf())
        .or_insert_with(|| {
            let dir = if parent.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                parent
            };
            dir.canonicalize().ok()
        })
        .as_ref();
    match folder {
        Some(folder) => Some(folder.join(name)),
        None => whole(),
    }
}

/// Orders two inputs shown under one path by where they are read from.
fn origin_cmp(a: &Input, b: &Input) -> std::cmp::Ordering {
    match (&a.origin, &b.origin) {
        (Origin::File(x), Origin::File(y)) => x.cmp(y),
        (x, y) => (*x == Origin::Stdin).cmp(&(*y == Origin::Stdin)),
    }
}

/// An input's bytes, or why they could not be read.
type ReadResult = Result<Vec<u8>, crate::source::ReadError>;

/// Reads standard input, wherever it is among the inputs (on the calling thread: the stream
/// is not shared between threads); files are read later, in [`read_inputs`].
fn read_stdin(order: &[Input], stdin: &mut dyn Read) -> Vec<Option<ReadResult>> {
    let limit = crate::source::MAX_INPUT_BYTES;
    order
        .iter()
        .map(|i| (i.origin == Origin::Stdin).then(|| crate::source::read_stream(stdin, limit)))
        .collect()
}

/// `f` of every item, in order: on the current pool's threads when there are several, else
/// one after the other on this thread. Each item is a task of its own (items are files or
/// rules, each worth many thousand instructions): rayon would otherwise cut a short list into
/// a few runs of items, and a thread that finishes its runs early can take no part of another
/// thread's, idle until the batch (or the rules) is done.
fn map<T: Sync, R: Send>(threads: usize, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if threads > 1 {
        items.par_iter().with_max_len(1).map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

/// Both, side by side when there are several threads.
fn join<A: Send, B: Send>(
    threads: usize,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if threads > 1 {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// A file read as text, and whether it was named on the command line.
type Loaded = (FileId, bool);

/// Loads prepared files into the graph, in order.
fn load_batch(cx: &mut LoadCx<'_>, files: &[Loaded], prepared: Vec<load::Prepared>) {
    for (&(file, explicit), prepared) in files.iter().zip(prepared) {
        load::load_prepared(cx, file, explicit, prepared);
    }
}

/// Files prepared side by side for each thread, before they join the graph in order.
const BATCH_PER_THREAD: usize = 32;

/// Reads, decodes, parses and extracts every input on the pool's threads, then loads each
/// into the graph on this one, in [`canonical_order`]: the graph is the same for any number
/// of threads.
fn read_inputs(
    order: &[Input],
    stdin: Vec<Option<ReadResult>>,
    threads: usize,
    cx: &mut LoadCx<'_>,
    errors: &mut Vec<String>,
    timings: bool,
) {
    let read = Clock::start(timings);
    // Inputs larger than spans can address are refused, never read in part.
    let limit = crate::source::MAX_INPUT_BYTES;
    let stdin: Vec<_> = stdin.into_iter().map(std::sync::Mutex::new).collect();
    let decoded = map(
        threads,
        &order.iter().zip(&stdin).collect::<Vec<_>>(),
        |(input, read)| {
            let read = read.lock().ok().and_then(|mut r| r.take());
            let bytes = match (&input.origin, read) {
                (_, Some(read)) => read,
                (Origin::File(p), None) => crate::source::read_file(p, limit),
                (Origin::Stdin, None) => unreachable!("standard input is read first"),
            };
            bytes.map(crate::source::decode)
        },
    );
    let mut loaded = Vec::new();
    for (input, decoded) in order.iter().zip(decoded) {
        let fs_path = match &input.origin {
            Origin::File(p) => Some(p.clone()),
            Origin::Stdin => None,
        };
        let decoded = match decoded {
            Ok(d) => d,
            Err(e) => {
                errors.push(format!("{}: {e}", input.display));
                continue;
            }
        };
        let (file, text) = load::add_source(input.display.clone(), fs_path, decoded, cx.db, cx.b);
        if text {
            loaded.push((file, input.explicit));
        }
    }
    if timings {
        phase("read", read.lap(timings));
    }
    let load = Clock::start(timings);
    // The time spent joining files to the graph (on one thread while the others prepare the
    // next batch), and preparing them.
    let mut joining = Default::default();
    let mut preparing = Default::default();
    let add = |sum: &mut (std::time::Duration, std::time::Duration), c: Clock| {
        let (w, t) = c.lap(timings);
        sum.0 += w;
        sum.1 += t;
    };
    // Files are prepared a batch at a time, so that the extracted resources waiting to join
    // the graph stay a small part of it. An export alone in its batch (or on one thread) is
    // extracted straight into the graph: recording it first could only add memory.
    // A batch joins the graph (on this thread) while the next is prepared (on the others).
    let mut waiting: Option<(&[Loaded], Vec<load::Prepared>)> = None;
    for batch in loaded.chunks(BATCH_PER_THREAD * threads) {
        let extract = threads > 1 && batch.len() > 1;
        let to_prepare: Vec<_> = batch
            .iter()
            .map(|&(file, _)| load::ToPrepare::new(cx.db.get(file), file))
            .collect();
        let (_, prepared) = join(
            threads,
            || {
                if let Some((files, prepared)) = waiting.take() {
                    let c = Clock::start(timings);
                    load_batch(cx, files, prepared);
                    add(&mut joining, c);
                }
            },
            || {
                let c = Clock::start(timings);
                let prepared = map(threads, &to_prepare, |p| load::prepare(p, extract));
                add(&mut preparing, c);
                prepared
            },
        );
        waiting = Some((batch, prepared));
    }
    if let Some((files, prepared)) = waiting {
        let c = Clock::start(timings);
        load_batch(cx, files, prepared);
        add(&mut joining, c);
    }
    if timings {
        // On several threads, the wall time of preparing batches (side by side with joining)
        // and the CPU time of this thread's part in it.
        phase("prepare", preparing);
        phase("join", joining);
        phase("prepare and join", load.lap(timings));
    }
    let specs = Clock::start(timings);
    load::load_specs(cx);
    load::finish(cx);
    if timings {
        phase("specs", specs.lap(timings));
    }
    errors.append(&mut cx.errors);
}

/// Runs `rules` over the inputs with default options.
pub fn run(inputs: &[Input], stdin: &mut dyn Read, rules: &[&'static dyn Rule]) -> Outcome {
    run_with(inputs, stdin, rules, &Options::default())
}

/// Inputs smaller than this in all are checked on one thread, whatever `--threads` says:
/// starting the pool's threads and waking them costs more than they save below it (on two
/// threads against one: the corpus's `mlz.json`, 727 KB, 7.3 against 6.9 ms in the engine; an
/// 816 KB export 3.7 against 3.5 ms; a 1.9 MB export 7.4 ms either way). The report is the
/// same either way.
pub const POOL_MIN_BYTES: u64 = 2 << 20;

/// The inputs' size, counted up to [`POOL_MIN_BYTES`] (files by their metadata).
fn input_bytes(order: &[Input], stdin: &[Option<ReadResult>]) -> u64 {
    let mut total = 0;
    for (input, read) in order.iter().zip(stdin) {
        total += match (&input.origin, read) {
            (_, Some(Ok(bytes))) => bytes.len() as u64,
            (Origin::File(p), _) => std::fs::metadata(p).map_or(0, |m| m.len()),
            _ => 0,
        };
        if total >= POOL_MIN_BYTES {
            break;
        }
    }
    total
}

/// Runs `rules` over the inputs.
pub fn run_with(
    inputs: &[Input],
    stdin: &mut dyn Read,
    rules: &[&'static dyn Rule],
    options: &Options,
) -> Outcome {
    let start = std::time::Instant::now();
    let timings = std::env::var_os("PEERLINT_TIMINGS").is_some();
    let clock = Clock::start(timings);
    let order = canonical_order(inputs);
    if timings {
        phase("order", clock.lap(timings));
    }
    let stdin = read_stdin(&order, stdin);
    // Small inputs run on this thread: starting a pool costs more than it saves.
    let threads = if input_bytes(&order, &stdin) < POOL_MIN_BYTES {
        1
    } else {
        options.threads
    };
    // The pool's threads get the stack template evaluation needs (see `arm::STACK_SIZE`); the
    // whole run is on them.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(crate::arm::STACK_SIZE)
        .thread_name(|i| format!("peerlint-{i}"))
        .build();
    let outcome = match pool {
        Ok(pool) if pool.current_num_threads() > 1 => {
            let threads = pool.current_num_threads();
            pool.install(move || {
                run_ordered(&order, stdin, threads, rules, options, (start, timings))
            })
        }
        // One thread (or none to be had): all on this one, as the caller set it up.
        _ => run_ordered(&order, stdin, 1, rules, options, (start, timings)),
    };
    // Printed here: the caller may hold standard error's lock (the `peerlint` binary does).
    for t in TIMINGS
        .lock()
        .map(|mut t| std::mem::take(&mut *t))
        .unwrap_or_default()
    {
        eprintln!("timing: {t}");
    }
    outcome
}

/// Phases' times (PEERLINT_TIMINGS=1), printed once the run is over.
static TIMINGS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn timing(line: String) {
    if let Ok(mut t) = TIMINGS.lock() {
        t.push(line);
    }
}

/// The CPU time (user and system) the calling thread has run so far, for PEERLINT_TIMINGS:
/// unlike the wall clock, it doesn't count the time other programs hold the cores, and a
/// phase that runs on one thread is measured whole. Zero where there is no such clock.
fn thread_cpu() -> std::time::Duration {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `clock_gettime` writes the one `timespec` it is given, which outlives the call.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        }
    }
    std::time::Duration::ZERO
}

/// One phase's clocks: wall time, and the CPU time of the thread that runs it.
#[derive(Clone, Copy)]
struct Clock(std::time::Instant, std::time::Duration);

impl Clock {
    fn start(on: bool) -> Clock {
        Clock(
            std::time::Instant::now(),
            if on { thread_cpu() } else { Default::default() },
        )
    }

    /// Wall and CPU time since `start`.
    fn lap(&self, on: bool) -> (std::time::Duration, std::time::Duration) {
        let cpu = if on { thread_cpu() } else { self.1 };
        (self.0.elapsed(), cpu.saturating_sub(self.1))
    }
}

/// Prints a phase's wall time, and the CPU time of the thread that ran it
/// (`timing: PHASE: WALL (cpu CPU)`).
fn phase(name: &str, (wall, cpu): (std::time::Duration, std::time::Duration)) {
    timing(format!("{name}: {wall:?} (cpu {cpu:?})"));
}

/// [`run_with`] once standard input is read.
fn run_ordered(
    order: &[Input],
    stdin: Vec<Option<ReadResult>>,
    threads: usize,
    rules: &[&'static dyn Rule],
    options: &Options,
    // When the run started, and whether PEERLINT_TIMINGS=1 asks how long each phase took.
    (start, timings): (std::time::Instant, bool),
) -> Outcome {
    let mut db = SourceDb::default();
    let mut b = GraphBuilder::new();
    let mut trees = Vec::new();
    let mut read_errors = Vec::new();
    let mut cx = LoadCx {
        db: &mut db,
        trees: &mut trees,
        b: &mut b,
        options,
        errors: Vec::new(),
        template_folders: Default::default(),
        parameters_files: Vec::new(),
        used_parameters: Vec::new(),
        pairings: Default::default(),
        files_by_path: None,
        specs: Vec::new(),
    };
    read_inputs(order, stdin, threads, &mut cx, &mut read_errors, timings);
    let notes = Vec::new();
    let finish = Clock::start(timings);
    let graph = b.finish();
    if timings {
        timing(format!("read, parse and load: {:?}", start.elapsed()));
    }
    let mut diagnostics = Vec::new();
    // What several rules need (reachability, intents, routes to appliances), built once.
    let analyses = crate::analysis::Analyses::new(&graph);
    // Placeholders of unknown values in the user's words, in every text of every finding.
    let readable = diagnostic::Readable::new(&graph, &db, &trees);
    if timings {
        phase("finish", finish.lap(timings));
    }
    let rules_clock = Clock::start(timings);
    // Rules are independent: they run side by side, their findings are taken in rule order.
    let found = map(threads, rules, |rule| {
        let mut cx = RuleContext::new(&analyses);
        let rule_start = Clock::start(timings);
        rule.check(&mut cx);
        (cx.into_findings(), rule_start.lap(timings))
    });
    if timings {
        phase("rules", rules_clock.lap(timings));
    }
    let diagnostics_clock = Clock::start(timings);
    for (rule, (findings, took)) in rules.iter().zip(found) {
        let meta = rule.meta();
        if timings && took.0.as_millis() > 5 {
            phase(meta.name, took);
        }
        for mut f in findings {
            // A computed value also shows where it came from (a parameter's value, a default).
            let mut origins = Vec::new();
            for l in std::iter::once(&f.primary).chain(f.related.iter()) {
                if let Some(o) = graph.origin(l.loc)
                    && !origins.iter().any(|x: &crate::rule::Label| x.loc == o.loc)
                    && o.loc.span != l.loc.span
                {
                    origins.push(crate::rule::Label {
                        loc: o.loc,
                        text: o.text.clone(),
                    });
                }
            }
            f.related.extend(origins);
            // Resources a template deploys only under a condition peerlint can't evaluate: said
            // on the findings of rules that check the design (those that read facts of it), not
            // on those about the inputs.
            if !meta.needs.is_empty()
                && let Some(c) = graph.condition(&f.resource)
            {
                f.related.push(crate::rule::Label {
                    loc: c,
                    text: "applies only if this condition holds, which can't be known before deployment".into(),
                });
            }
            let severity = if f.lesser {
                meta.severity().lesser()
            } else {
                meta.severity()
            };
            let text = |t: &str| readable.text(t, true);
            diagnostics.push(Diagnostic {
                rule: meta.name,
                severity,
                message: text(&f.message),
                help: f.help.as_deref().map(text),
                note: f.note.as_deref().map(text),
                at: diagnostic::position(&db, &trees, f.primary.loc),
                label: text(&f.primary.text),
                // In full: an id is a key (for baselines), so it is never cut short.
                resource: (!f.resource.is_empty()).then(|| readable.text(&f.resource, false)),
                related: f
                    .related
                    .into_iter()
                    .map(|l| RelatedLabel {
                        at: diagnostic::position(&db, &trees, l.loc),
                        message: text(&l.text),
                    })
                    .collect(),
            });
        }
    }
    diagnostic::sort(&mut diagnostics);
    if timings {
        phase("diagnostics", diagnostics_clock.lap(timings));
        timing(format!("total: {:?}", start.elapsed()));
    }
    Outcome {
        db,
        graph,
        diagnostics,
        read_errors,
        notes,
        trees,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// `real_path` is `canonicalize`, with one lookup per folder.
    #[test]
    fn real_paths_are_canonical_paths() {
        let dir = std::env::temp_dir().join(format!("peerlint-real-path-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.json"), "[]").unwrap();
        let mut paths: Vec<PathBuf> = vec![
            dir.join("sub/a.json"),
            dir.join("sub/./a.json"),
            dir.join("sub/../sub/a.json"),
            dir.join("sub/missing.json"),
            dir.join("nowhere/a.json"),
            dir.join("sub/.."),
            dir.join("sub"),
            PathBuf::from("Cargo.toml"),
            PathBuf::from("./src/../Cargo.toml"),
            PathBuf::from("src/engine.rs"),
        ];
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("sub/a.json"), dir.join("link.json")).unwrap();
            std::os::unix::fs::symlink(dir.join("sub"), dir.join("linked")).unwrap();
            paths.extend([dir.join("link.json"), dir.join("linked/a.json")]);
        }
        let mut folders = Default::default();
        for p in &paths {
            assert_eq!(
                super::real_path(p, &mut folders),
                p.canonicalize().ok(),
                "{}",
                p.display()
            );
        }
        // The same file under three spellings is one file.
        let one = |p: &Path| super::real_path(p, &mut Default::default());
        assert_eq!(one(&paths[0]), one(&paths[2]));
        #[cfg(unix)]
        assert_eq!(one(&paths[0]), one(&dir.join("linked/a.json")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
