//! Renderers: the only code that knows miette or machine formats.

pub mod docs;
pub mod expand;
pub mod human;
pub mod json;
pub mod reach;

use crate::diagnostic::Diagnostic;
use crate::rule::Severity;

/// Counts for the summary line and the JSON summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub vnets: usize,
    pub peerings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn new(files: usize, vnets: usize, peerings: usize, diags: &[Diagnostic]) -> Summary {
        let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
        Summary {
            files,
            vnets,
            peerings,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}
