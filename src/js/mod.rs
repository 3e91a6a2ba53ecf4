//! JavaScript as data: a module is parsed with oxc and a static subset of it evaluated, so
//! that a configuration written as JavaScript (GruCloud's `resources.js`) can be read without
//! running it. A pure library like `arm`: it knows nothing of GruCloud, the graph or the
//! loaders, and depends only on `source` and `model` (locations).
//!
//! [`run`] parses a text and hands the evaluated module to the caller's function, on a thread
//! whose stack is sized for the text (oxc's parser recurses once per nesting level); what the
//! function returns must own its data ([`Data`]), as the syntax tree and the values that refer
//! to it live only on that thread. The subset evaluated is in [`eval`].

pub mod eval;
pub mod scan;
pub mod value;

pub use eval::Module;
pub use value::{Data, DataVal, Open, Unknown, Val, Value};

use crate::source::{FileId, Span};

/// Why a text can't be read as a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Not valid JavaScript: the parser's message and where.
    Syntax { message: String, span: Span },
    /// A file too large for its stack to be sized from the text that nests deeper than
    /// [`scan::MAX_DEPTH`]: where it goes past.
    TooDeep { at: usize },
    /// The thread that parses could not be started (out of memory), or failed: a bug of
    /// peerlint or of the parser, reported as a failure to read the file rather than ending
    /// the run.
    Thread(String),
}

/// Stack bytes allowed per token that may nest (measured: at most about 1.3 KiB per level in
/// release and debug builds; a function or a `${` costs the most).
const STACK_PER_LEVEL: usize = 4 * 1024;
/// The stack for the evaluator and everything but the parser's recursion.
const BASE_STACK: usize = 16 << 20;
/// The largest stack asked for.
const MAX_STACK: usize = 1 << 30;

/// The stack to parse `text` on, or where it nests too deep for any.
fn stack_for(text: &str) -> Result<usize, Failure> {
    let bound = scan::upper_bound(text);
    let need = bound.saturating_mul(STACK_PER_LEVEL);
    if need <= MAX_STACK - BASE_STACK {
        return Ok(BASE_STACK + need);
    }
    // A large file: parsed when its nesting as read is far within the largest stack.
    match scan::too_deep(text, scan::MAX_DEPTH) {
        Some(at) => Err(Failure::TooDeep { at }),
        None => Ok(MAX_STACK),
    }
}

/// Parses `text` (the text of `file`; offsets are the text's) as a CommonJS module (an ES
/// module if it is one), runs its top level, and calls `f` with it.
pub fn run<R: Send>(
    text: &str,
    file: FileId,
    f: impl for<'a> FnOnce(&Module<'a>) -> R + Send,
) -> Result<R, Failure> {
    let stack = stack_for(text)?;
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("peerlint-js".into())
            .stack_size(stack)
            .spawn_scoped(s, || parse_and_run(text, file, f))
            .map_err(|e| Failure::Thread(e.to_string()))?;
        match worker.join() {
            Ok(r) => r,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(Failure::Thread(format!(
                    "peerlint failed reading it as JavaScript (a bug; please report it): {what}"
                )))
            }
        }
    })
}

fn parse_and_run<R>(
    text: &str,
    file: FileId,
    f: impl for<'a> FnOnce(&Module<'a>) -> R,
) -> Result<R, Failure> {
    use oxc_allocator::Allocator;
    use oxc_parser::Parser;
    use oxc_span::SourceType;
    let alloc = Allocator::default();
    let mut ret = Parser::new(&alloc, text, SourceType::cjs()).parse();
    if !ret.errors.is_empty() || ret.panicked {
        // `import`/`export` make it an ES module.
        let module = Parser::new(&alloc, text, SourceType::mjs()).parse();
        if module.errors.is_empty() && !module.panicked {
            ret = module;
        } else {
            let e = ret.errors.first();
            let message = e.map_or_else(
                || "the parser gave up".to_string(),
                |e| e.message.to_string(),
            );
            let span = e
                .and_then(|e| e.labels.as_ref())
                .and_then(|l| l.first())
                .map(|l| {
                    let start = l.offset().min(text.len());
                    Span::new(start, (start + l.len()).min(text.len()))
                })
                .unwrap_or_else(|| Span::new(text.len(), text.len()));
            return Err(Failure::Syntax { message, span });
        }
    }
    let program = alloc.alloc(ret.program);
    let module = Module::new(text, file, program);
    Ok(f(&module))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(text: &str) -> Result<Data, Failure> {
        run(text, FileId(0), |m| m.export(&m.exports(), &mut 10_000))
    }

    #[test]
    fn deep_nesting_is_parsed_on_a_stack_made_for_it() {
        for n in [10_000, 30_000] {
            let text = format!("exports.x = {}1{};", "[".repeat(n), "]".repeat(n));
            let d = exports(&text).expect("parses");
            // The evaluator stops at its own depth: the innermost values are unknown.
            let mut v = d.get("x").expect("x");
            let mut depth = 0;
            while let DataVal::Array(items) = &v.v {
                v = &items[0];
                depth += 1;
            }
            assert!(depth < n && matches!(v.v, DataVal::Unknown(_)), "{depth}");
        }
        let text = format!("x = {}1", "!".repeat(50_000));
        assert!(exports(&text).is_ok());
    }

    #[test]
    fn syntax_errors_have_the_parsers_span() {
        match exports("exports.x = [1, 2") {
            Err(Failure::Syntax { message, span }) => {
                assert!(!message.is_empty());
                assert!(span.end as usize <= 17);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn es_modules_are_read_too() {
        assert!(exports("import x from 'y';\nexport const z = 1;").is_ok());
    }
}
