//! What a rule is: its metadata (declared with [`declare_rule!`]) and its check, a pure
//! function of the graph (and of the analyses shared over it) that reports [`Finding`]s. The
//! engine attaches the rule name and the configured severity; rules never choose a severity,
//! print or read files.

use crate::analysis::{Analyses, ApplianceRoute, IntentCheck};
use crate::graph::Graph;
use crate::model::{Fact, Loc};
use crate::reach::Reach;

/// Groups set the default severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// The deployment fails or expected traffic cannot flow: error.
    Correctness,
    /// Deploys, probably wrong: warning.
    Suspicious,
    /// Worth knowing, never fails a run: info.
    Advisory,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Correctness => "correctness",
            Group::Suspicious => "suspicious",
            Group::Advisory => "advisory",
        }
    }
    pub fn severity(self) -> Severity {
        match self {
            Group::Correctness => Severity::Error,
            Group::Suspicious => Severity::Warning,
            Group::Advisory => Severity::Info,
        }
    }
    pub const ALL: [Group; 3] = [Group::Correctness, Group::Suspicious, Group::Advisory];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    /// One step weaker (for a rule's lesser form, such as a limit almost reached).
    pub fn lesser(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// A rule's metadata, produced by [`declare_rule!`].
#[derive(Debug)]
pub struct RuleMeta {
    /// The public, kebab-case name.
    pub name: &'static str,
    pub group: Group,
    pub summary: &'static str,
    /// What the rule reads from the model: an unknown value of one of these facts skips it
    /// (`unresolved-value` lists it). Empty for the rules about the inputs themselves, which
    /// check no design.
    pub needs: &'static [Fact],
    /// The doc comment, Markdown.
    pub docs: &'static str,
    /// The `RuleName` struct's name, checked against `name` by the registry test.
    pub struct_name: &'static str,
    pub file: &'static str,
    pub line: u32,
}

impl RuleMeta {
    pub fn severity(&self) -> Severity {
        self.group.severity()
    }
}

pub trait Meta {
    fn meta(&self) -> &'static RuleMeta;
}

pub trait Rule: Meta + Sync {
    fn check(&self, cx: &mut RuleContext<'_>);
}

/// A label: a place and a short text.
#[derive(Clone, Debug)]
pub struct Label {
    pub loc: Loc,
    pub text: String,
}

/// What a rule reports.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The full ARM id of the primary subject (vnet, subnet or peering).
    pub resource: String,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub note: Option<String>,
    /// The rule's lesser form (one severity step down), such as "limit almost reached".
    pub lesser: bool,
}

impl Finding {
    pub fn new(
        resource: impl Into<String>,
        message: impl Into<String>,
        loc: Loc,
        label: impl Into<String>,
    ) -> Finding {
        Finding {
            resource: resource.into(),
            message: message.into(),
            primary: Label {
                loc,
                text: label.into(),
            },
            related: Vec::new(),
            help: None,
            note: None,
            lesser: false,
        }
    }
    #[must_use]
    pub fn related(mut self, loc: Loc, text: impl Into<String>) -> Finding {
        self.related.push(Label {
            loc,
            text: text.into(),
        });
        self
    }
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.note = Some(note.into());
        self
    }
    #[must_use]
    pub fn lesser(mut self) -> Finding {
        self.lesser = true;
        self
    }
}

pub struct RuleContext<'a> {
    analyses: &'a Analyses<'a>,
    findings: Vec<Finding>,
}

impl<'a> RuleContext<'a> {
    /// A context over the run's graph and the analyses every rule of the run shares.
    pub fn new(analyses: &'a Analyses<'a>) -> RuleContext<'a> {
        RuleContext {
            analyses,
            findings: Vec::new(),
        }
    }
    pub fn graph(&self) -> &'a Graph {
        self.analyses.graph()
    }
    /// The reachability engine (its lookups are built once per run, on first use).
    pub fn reach(&self) -> Reach<'a> {
        self.analyses.reach()
    }
    /// The answers to the design spec's intents, computed once per run.
    pub fn intent_checks(&self) -> &'a [IntentCheck<'a>] {
        self.analyses.intent_checks()
    }
    /// The routes to appliances, found once per run.
    pub fn appliance_routes(&self) -> &'a [ApplianceRoute<'a>] {
        self.analyses.appliance_routes()
    }
    pub fn report(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Declares a rule: its doc comment (`## What it does`, `## Why is this bad?`, `## Example`,
/// `## How to fix`), struct, public name, group, one-line summary and, for a rule that checks
/// the design, the [`Fact`]s it reads (`needs: [AddressSpace, RemoteVnet]`).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub $struct:ident {
            name: $name:literal,
            group: $group:ident,
            summary: $summary:literal
            $(, needs: [$($need:ident),* $(,)?])? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $struct;

        impl $struct {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                name: $name,
                group: $crate::rule::Group::$group,
                summary: $summary,
                needs: &[$($($crate::model::Fact::$need),*)?],
                docs: concat!($($doc, "\n"),*),
                struct_name: stringify!($struct),
                file: file!(),
                line: line!(),
            };
        }

        impl $crate::rule::Meta for $struct {
            fn meta(&self) -> &'static $crate::rule::RuleMeta {
                &Self::META
            }
        }
    };
}
