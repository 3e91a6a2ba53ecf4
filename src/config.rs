//! `peerlint.toml`: what a run checks and how its findings are filtered.
//!
//! Found upwards from the working directory (`peerlint.toml`, then `.peerlint.toml`; the
//! search ends at the folder holding `.git`), or named with `--config FILE`; `--no-config`
//! reads none. Paths and globs in it are relative to its folder (the project's root).
//!
//! ```toml
//! paths = ["network"]                 # what `peerlint check` with no arguments checks
//! exclude = ["network/archive/**"]    # never read (on top of .gitignore and dot-folders)
//! select = ["all"]                    # rule names, groups, or `all`
//! ignore = ["transitive-peering-assumed"]
//! subscription = "…"                  # where templates deploy (else a placeholder)
//! resource-group = "rg-network"
//! baseline = "peerlint-baseline.json" # as `--baseline`
//!
//! [severity]                          # per-rule severity: error, warning or info
//! dangling-remote-network = "error"
//!
//! [[per-path]]                        # for the files under these globs
//! path = "network/legacy/**"
//! ignore = ["missing-reverse-peering"]
//! resource-group = "rg-legacy"        # and the templates there deploy here
//!
//! [[deployment]]                      # one deployment of a template (repeatable)
//! template = "network/spoke.json"
//! parameters = "network/spoke.prod.json"
//! subscription = "…"
//! resource-group = "rg-prod"
//!
//! [[exception]]                       # a finding that is accepted, and why
//! rule = "missing-reverse-peering"
//! resource = "*/virtualNetworks/vnet-partner/*"   # glob on the ARM id, and/or
//! path = "network/partner.json"                    # glob on the file
//! reason = "the partner's side is managed by the partner"
//! expires = 2026-12-31                # optional: applies until the end of that day (UTC)
//! ```
//!
//! Every mistake in the file (an unknown key, an unknown rule, an exception without a reason,
//! a bad glob, date or subscription id) is an error with its span: the run stops (exit 2)
//! before anything is checked. Rules never see the configuration: it decides which rules run
//! and the inputs, and `filter` applies it to the findings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::calendar;
use crate::rule::{Group, Rule, Severity};
use crate::rules::ALL;
use crate::source::Span;
use crate::suggest::closest;

/// The names a configuration file is found under, in order of preference.
pub const FILE_NAMES: [&str; 2] = ["peerlint.toml", ".peerlint.toml"];

// `config::normalise` is where the command line finds it.
pub use crate::discover::normalise;
use crate::discover::slashed;
pub use crate::rules::always_on;

/// A mistake in the configuration: where, what, and how to fix it.
#[derive(Clone, Debug)]
pub struct ConfigError {
    pub span: Option<Span>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

impl ConfigError {
    fn at(span: Span, message: impl Into<String>, label: impl Into<String>) -> ConfigError {
        ConfigError {
            span: Some(span),
            message: message.into(),
            label: label.into(),
            help: None,
        }
    }
    #[must_use]
    fn help(mut self, help: impl Into<String>) -> ConfigError {
        self.help = Some(help.into());
        self
    }
}

/// The configuration file as read.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    /// As shown in messages.
    pub display: String,
    /// Where it was read from.
    pub path: PathBuf,
    pub text: String,
    /// How it was found (`--config`, or upwards from the working directory).
    pub found: &'static str,
}

/// A configuration that can't be used: the file (when it was read) and its mistakes.
#[derive(Debug)]
pub struct Failure {
    pub file: Option<ConfigFile>,
    pub errors: Vec<ConfigError>,
}

/// A glob, as written and compiled.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: String,
    pub span: Span,
    matcher: GlobMatcher,
}

impl Pattern {
    /// Whether a `/`-separated path relative to the project root, or one of its folders,
    /// matches (so `legacy` and `legacy/**` both hold every file under `legacy`).
    pub fn matches_path(&self, rel: &str) -> bool {
        let mut p = rel;
        loop {
            if self.matcher.is_match(p) {
                return true;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return false,
            }
        }
    }
    /// Whether an ARM id matches (ignoring case, as ids compare; `*` spans `/`).
    pub fn matches_id(&self, id: &str) -> bool {
        self.matcher.is_match(id)
    }
}

/// A rule name, group or `all`, as written.
#[derive(Clone, Debug)]
pub struct Selector {
    pub text: String,
    pub span: Option<Span>,
}

/// A deployment context: where a template deploys.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub subscription: Option<(String, Span)>,
    pub resource_group: Option<(String, Span)>,
}

/// A `[[per-path]]` table.
#[derive(Clone, Debug)]
pub struct PerPath {
    pub span: Span,
    pub paths: Vec<Pattern>,
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
    pub scope: Scope,
}

/// A `[[deployment]]` table.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub span: Span,
    pub template: (PathBuf, Span),
    pub parameters: Option<(PathBuf, Span)>,
    pub scope: Scope,
}

/// An `[[exception]]` table.
#[derive(Clone, Debug)]
pub struct Exception {
    pub span: Span,
    pub rule: &'static str,
    pub resource: Option<Pattern>,
    pub path: Option<Pattern>,
    pub reason: String,
    pub expires: Option<(Date, Span)>,
}

/// A resolved configuration; [`Config::default`] is no file at all.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub file: Option<ConfigFile>,
    /// The project root: the configuration's folder (absolute), or the working directory.
    pub root: PathBuf,
    pub paths: Vec<(PathBuf, Span)>,
    pub exclude: Vec<Pattern>,
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
    pub severity: Vec<(&'static str, Severity, Span)>,
    pub scope: Scope,
    pub baseline: Option<(PathBuf, Span)>,
    pub per_path: Vec<PerPath>,
    pub deployments: Vec<Deployment>,
    pub exceptions: Vec<Exception>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    paths: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    subscription: Option<Spanned<String>>,
    #[serde(alias = "resource_group")]
    resource_group: Option<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    #[serde(default, alias = "per_path")]
    per_path: Vec<Spanned<RawPerPath>>,
    #[serde(default)]
    deployment: Vec<Spanned<RawDeployment>>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPerPath {
    /// A glob, or a list of them (a list's elements share its span: `toml::Value` keeps none
    /// of its own).
    path: Spanned<toml::Value>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    subscription: Option<Spanned<String>>,
    #[serde(alias = "resource_group")]
    resource_group: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDeployment {
    template: Spanned<String>,
    parameters: Option<Spanned<String>>,
    subscription: Option<Spanned<String>>,
    #[serde(alias = "resource_group")]
    resource_group: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawException {
    rule: Spanned<String>,
    resource: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

fn span<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// The configuration file a run uses when none is named: `peerlint.toml` (or
/// `.peerlint.toml`) in the working directory or the nearest folder above it, stopping at the
/// root of the git repository. A folder holding both names uses `peerlint.toml` and says so.
pub fn find(cwd: &Path) -> (Option<PathBuf>, Option<String>) {
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| d.join(n))
            .filter(|p| p.is_file())
            .collect();
        if let Some(first) = found.first() {
            let warning = (found.len() > 1).then(|| {
                format!(
                    "both {} and {} exist; using {}",
                    found[0].display(),
                    found[1].display(),
                    found[0].display()
                )
            });
            return (Some(first.clone()), warning);
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    (None, None)
}

impl Config {
    /// No configuration file: the defaults, rooted at the working directory.
    pub fn none(cwd: &Path) -> Config {
        Config {
            root: cwd.to_path_buf(),
            ..Config::default()
        }
    }

    /// Reads and checks a configuration file.
    pub fn load(path: &Path, found: &'static str, cwd: &Path) -> Result<Config, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| Failure {
            file: None,
            errors: vec![ConfigError {
                span: None,
                message: format!("cannot read {}: {e}", path.display()),
                label: String::new(),
                help: None,
            }],
        })?;
        let shown = normalise(&cwd.join(path));
        let shown = shown.strip_prefix(normalise(cwd)).unwrap_or(&shown);
        let file = ConfigFile {
            display: crate::discover::display(shown),
            path: path.to_path_buf(),
            text,
            found,
        };
        let absolute = normalise(&cwd.join(path));
        let root = absolute
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.to_path_buf());
        Config::parse(file, root)
    }

    /// Parses and checks a configuration's text; `root` is its folder.
    pub fn parse(file: ConfigFile, root: PathBuf) -> Result<Config, Failure> {
        let raw: Raw = match toml::from_str(&file.text) {
            Ok(r) => r,
            Err(e) => {
                let error = serde_error(&e, &file.text);
                return Err(Failure {
                    file: Some(file),
                    errors: vec![error],
                });
            }
        };
        let mut cx = Checker {
            root: &root,
            errors: Vec::new(),
        };
        let config = cx.config(raw);
        if cx.errors.is_empty() {
            Ok(Config {
                file: Some(file),
                root,
                ..config
            })
        } else {
            Err(Failure {
                file: Some(file),
                errors: cx.errors,
            })
        }
    }

    /// An error in this configuration (for what the command line checks against the files:
    /// a deployment's parameters file).
    pub fn failure(&self, span: Span, message: String, label: &str) -> Failure {
        Failure {
            file: self.file.clone(),
            errors: vec![ConfigError::at(span, message, label)],
        }
    }

    /// A path relative to the working directory (or absolute) as the `/`-separated path
    /// relative to the project root that globs match; None outside the root.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let absolute = normalise(&cwd.join(path));
        let rel = absolute.strip_prefix(normalise(&self.root)).ok()?;
        Some(slashed(rel))
    }

    /// Whether a path (named, or met while walking) is left out by `exclude`.
    pub fn excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        self.relative(path)
            .is_some_and(|rel| self.exclude.iter().any(|p| p.matches_path(&rel)))
    }

    /// The `[[per-path]]` tables that hold a file (by its path relative to the root), in
    /// order.
    pub fn per_path_of<'a>(&'a self, rel: &'a str) -> impl Iterator<Item = &'a PerPath> + 'a {
        self.per_path
            .iter()
            .filter(move |p| p.paths.iter().any(|g| g.matches_path(rel)))
    }

    /// Where a template under `rel` deploys, by `[[per-path]]` (the last table that sets a
    /// value wins).
    pub fn scope_of(&self, rel: &str) -> Scope {
        let mut scope = Scope::default();
        for p in self.per_path_of(rel) {
            if p.scope.subscription.is_some() {
                scope.subscription = p.scope.subscription.clone();
            }
            if p.scope.resource_group.is_some() {
                scope.resource_group = p.scope.resource_group.clone();
            }
        }
        scope
    }

    /// The 1-based line of an offset into the file.
    pub fn line(&self, span: Span) -> usize {
        self.file.as_ref().map_or(0, |f| {
            f.text[..(span.start as usize).min(f.text.len())]
                .matches('\n')
                .count()
                + 1
        })
    }

    /// `peerlint.toml:12`: where a value was written.
    pub fn at(&self, span: Span) -> String {
        match &self.file {
            Some(f) => format!("{}:{}", f.display, self.line(span)),
            None => "default".into(),
        }
    }
}

/// A serde error of the TOML file as a configuration error.
fn serde_error(e: &toml::de::Error, text: &str) -> ConfigError {
    let mut message = e.message().trim().to_string();
    let span = e
        .span()
        .map(|r| Span::new(r.start.min(text.len()), r.end.min(text.len())));
    // `unknown field `x`, expected one of `a`, `b``: suggest the closest.
    let help = message.strip_prefix("unknown field `").and_then(|rest| {
        let (field, expected) = rest.split_once('`')?;
        // Aliases (`resource_group` for `resource-group`) are accepted, not advertised.
        let names: Vec<&str> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|n| !n.is_empty() && !n.contains('_'))
            .collect();
        const TOP: &[&str] = &[
            "paths",
            "exclude",
            "select",
            "ignore",
            "subscription",
            "resource-group",
            "baseline",
        ];
        Some(match closest(field, names.iter().copied()) {
            Some(n) => format!("did you mean `{n}`?"),
            // A top-level key written after a `[table]` belongs to that table in TOML.
            None if TOP.contains(&field) && !names.contains(&field) => format!(
                "`{field}` is a top-level key: move it above the first `[table]` or \
                 `[[table]]`, which it is part of here"
            ),
            None => format!("the keys here are {}", list(&names)),
        })
    });
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        message = format!("unknown key `{field}`");
    } else if message.starts_with("missing field `reason`") {
        message = "an exception needs a reason".into();
    } else if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        message = format!("`{field}` is missing");
    }
    let label = if message.starts_with("unknown key") {
        "unknown key"
    } else if message.ends_with("is missing") || message.ends_with("needs a reason") {
        "in this table"
    } else {
        "here"
    };
    ConfigError {
        span,
        message: format!("invalid configuration: {message}"),
        label: label.into(),
        help,
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Checker<'a> {
    root: &'a Path,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    fn config(&mut self, raw: Raw) -> Config {
        let paths = raw
            .paths
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                let at = span(&p);
                let path = self.root.join(p.get_ref());
                if !path.exists() {
                    self.errors.push(
                        ConfigError::at(
                            at,
                            format!("`{}` does not exist", p.get_ref()),
                            "not found",
                        )
                        .help("paths are relative to the folder of the configuration file"),
                    );
                    return None;
                }
                Some((PathBuf::from(p.into_inner()), at))
            })
            .collect();
        let exclude = raw
            .exclude
            .iter()
            .filter_map(|g| self.path_glob(g))
            .collect();
        let select = raw.select.map(|s| self.selectors(&s));
        let ignore = self.selectors(&raw.ignore);
        let severity = raw
            .severity
            .iter()
            .filter_map(|(k, v)| self.severity(k, v))
            .collect();
        let scope = self.scope(raw.subscription, raw.resource_group);
        let baseline = raw.baseline.map(|b| (PathBuf::from(b.get_ref()), span(&b)));
        let per_path = raw.per_path.into_iter().map(|p| self.per_path(p)).collect();
        let deployments = raw
            .deployment
            .into_iter()
            .filter_map(|d| self.deployment(d))
            .collect();
        let exceptions = raw
            .exception
            .into_iter()
            .filter_map(|e| self.exception(e))
            .collect();
        Config {
            file: None,
            root: self.root.to_path_buf(),
            paths,
            exclude,
            select,
            ignore,
            severity,
            scope,
            baseline,
            per_path,
            deployments,
            exceptions,
        }
    }

    fn path_glob(&mut self, g: &Spanned<String>) -> Option<Pattern> {
        let text = g.get_ref().trim_start_matches("./").trim_end_matches('/');
        match GlobBuilder::new(text).literal_separator(true).build() {
            Ok(glob) => Some(Pattern {
                text: g.get_ref().clone(),
                span: span(g),
                matcher: glob.compile_matcher(),
            }),
            Err(e) => {
                self.errors.push(ConfigError::at(
                    span(g),
                    format!("invalid glob `{}`: {}", g.get_ref(), e.kind()),
                    "this glob",
                ));
                None
            }
        }
    }

    fn id_glob(&mut self, g: &Spanned<String>) -> Option<Pattern> {
        match GlobBuilder::new(g.get_ref())
            .case_insensitive(true)
            .literal_separator(false)
            .build()
        {
            Ok(glob) => Some(Pattern {
                text: g.get_ref().clone(),
                span: span(g),
                matcher: glob.compile_matcher(),
            }),
            Err(e) => {
                self.errors.push(ConfigError::at(
                    span(g),
                    format!("invalid glob `{}`: {}", g.get_ref(), e.kind()),
                    "this glob",
                ));
                None
            }
        }
    }

    fn selectors(&mut self, list: &[Spanned<String>]) -> Vec<Selector> {
        list.iter()
            .filter_map(|s| match selector_error(s.get_ref()) {
                None => Some(Selector {
                    text: s.get_ref().trim().to_string(),
                    span: Some(span(s)),
                }),
                Some(e) => {
                    self.errors
                        .push(ConfigError::at(span(s), e, "unknown rule"));
                    None
                }
            })
            .collect()
    }

    /// A rule name: the rule, or an error with a suggestion.
    fn rule(&mut self, name: &Spanned<String>) -> Option<&'static dyn Rule> {
        let found = ALL
            .iter()
            .copied()
            .find(|r| r.meta().name == name.get_ref());
        if found.is_none() {
            let help = match closest(name.get_ref(), ALL.iter().map(|r| r.meta().name)) {
                Some(n) => format!("did you mean `{n}`?"),
                None => "`peerlint rules` lists them".into(),
            };
            self.errors.push(
                ConfigError::at(
                    span(name),
                    format!("unknown rule `{}`", name.get_ref()),
                    "unknown rule",
                )
                .help(help),
            );
        }
        found
    }

    fn severity(
        &mut self,
        rule: &Spanned<String>,
        value: &Spanned<String>,
    ) -> Option<(&'static str, Severity, Span)> {
        let r = self.rule(rule)?;
        let name = r.meta().name;
        if always_on(name) {
            self.errors.push(
                ConfigError::at(
                    span(rule),
                    format!("the severity of `{name}` can't be changed"),
                    "always reported as it is",
                )
                .help("a file peerlint can't read leaves part of the design unchecked: `exclude` it instead"),
            );
            return None;
        }
        let severity = match value.get_ref().as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            other => {
                self.errors.push(
                    ConfigError::at(
                        span(value),
                        format!("unknown severity `{other}`"),
                        "not a severity",
                    )
                    .help("write `error`, `warning` or `info` (to switch a rule off, `ignore` it)"),
                );
                return None;
            }
        };
        Some((name, severity, span(value)))
    }

    fn subscription(&mut self, s: Option<Spanned<String>>) -> Option<(String, Span)> {
        let s = s?;
        if is_guid(s.get_ref()) {
            Some((s.get_ref().clone(), span(&s)))
        } else {
            self.errors.push(
                ConfigError::at(
                    span(&s),
                    format!("`{}` is not a subscription id", s.get_ref()),
                    "not a GUID",
                )
                .help("a subscription id is a GUID: `00000000-0000-0000-0000-000000000000`"),
            );
            None
        }
    }

    fn scope(
        &mut self,
        subscription: Option<Spanned<String>>,
        resource_group: Option<Spanned<String>>,
    ) -> Scope {
        let resource_group = resource_group.and_then(|g| {
            if g.get_ref().trim().is_empty() {
                self.errors.push(ConfigError::at(
                    span(&g),
                    "a resource group name can't be empty",
                    "empty",
                ));
                None
            } else {
                Some((g.get_ref().clone(), span(&g)))
            }
        });
        Scope {
            subscription: self.subscription(subscription),
            resource_group,
        }
    }

    fn per_path(&mut self, p: Spanned<RawPerPath>) -> PerPath {
        let at = span(&p);
        let raw = p.into_inner();
        let at_path = span(&raw.path);
        let spanned = |t: &str| Spanned::new(at_path.range(), t.to_string());
        let globs: Vec<Spanned<String>> = match raw.path.get_ref() {
            toml::Value::String(g) => vec![spanned(g)],
            toml::Value::Array(list) if list.iter().all(toml::Value::is_str) => list
                .iter()
                .filter_map(|v| v.as_str().map(spanned))
                .collect(),
            _ => {
                self.errors.push(ConfigError::at(
                    at_path,
                    "`path` is a glob or a list of globs",
                    "not a glob",
                ));
                Vec::new()
            }
        };
        PerPath {
            span: at,
            paths: globs.iter().filter_map(|g| self.path_glob(g)).collect(),
            select: raw.select.map(|s| self.selectors(&s)),
            ignore: self.selectors(&raw.ignore),
            scope: self.scope(raw.subscription, raw.resource_group),
        }
    }

    fn existing(&mut self, p: &Spanned<String>, what: &str) -> Option<(PathBuf, Span)> {
        let path = self.root.join(p.get_ref());
        if path.is_file() {
            Some((PathBuf::from(p.get_ref()), span(p)))
        } else {
            self.errors.push(
                ConfigError::at(
                    span(p),
                    format!("{what} `{}` not found", p.get_ref()),
                    "not found",
                )
                .help("paths are relative to the folder of the configuration file"),
            );
            None
        }
    }

    fn deployment(&mut self, d: Spanned<RawDeployment>) -> Option<Deployment> {
        let at = span(&d);
        let raw = d.into_inner();
        let template = self.existing(&raw.template, "template");
        let parameters = match &raw.parameters {
            Some(p) => Some(self.existing(p, "parameters file")?),
            None => None,
        };
        let scope = self.scope(raw.subscription, raw.resource_group);
        Some(Deployment {
            span: at,
            template: template?,
            parameters,
            scope,
        })
    }

    fn exception(&mut self, e: Spanned<RawException>) -> Option<Exception> {
        let at = span(&e);
        let raw = e.into_inner();
        let rule = self.rule(&raw.rule).map(|r| r.meta().name);
        if let Some(name) = rule
            && always_on(name)
        {
            self.errors.push(
                ConfigError::at(
                    span(&raw.rule),
                    format!("`{name}` can't have exceptions"),
                    "always reported",
                )
                .help("a file peerlint can't read leaves part of the design unchecked: `exclude` it instead"),
            );
        }
        if raw.reason.get_ref().trim().is_empty() {
            self.errors.push(
                ConfigError::at(span(&raw.reason), "an exception needs a reason", "empty")
                    .help("say why the finding is accepted, for whoever reads this next"),
            );
        }
        if raw.resource.is_none() && raw.path.is_none() {
            self.errors.push(
                ConfigError::at(
                    at,
                    "an exception needs `resource` or `path`",
                    "this exception holds everywhere",
                )
                .help("to switch a rule off everywhere, `ignore` it"),
            );
        }
        let resource = raw.resource.as_ref().and_then(|g| self.id_glob(g));
        let path = raw.path.as_ref().and_then(|g| self.path_glob(g));
        let expires = match raw.expires {
            None => None,
            Some(v) => {
                let at = span(&v);
                let date = match v.get_ref() {
                    toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d
                        .date
                        .and_then(|d| Date::new(i32::from(d.year), d.month, d.day)),
                    toml::Value::String(s) => Date::parse(s),
                    _ => None,
                };
                match date {
                    Some(d) => Some((d, at)),
                    None => {
                        self.errors.push(
                            ConfigError::at(at, "`expires` is not a date", "not a date")
                                .help("write a date: `expires = 2026-12-31`"),
                        );
                        return None;
                    }
                }
            }
        };
        Some(Exception {
            span: at,
            rule: rule?,
            resource: raw.resource.as_ref().and(resource),
            path: raw.path.as_ref().and(path),
            reason: raw.reason.into_inner(),
            expires,
        })
    }
}

/// Why a selector names no rule, group or `all` (None when it does).
pub fn selector_error(sel: &str) -> Option<String> {
    let sel = sel.trim();
    if sel == "all"
        || Group::ALL.iter().any(|g| g.name() == sel)
        || ALL.iter().any(|r| r.meta().name == sel)
    {
        return None;
    }
    let names = ALL
        .iter()
        .map(|x| x.meta().name)
        .chain(Group::ALL.iter().map(|g| g.name()));
    Some(match closest(sel, names) {
        Some(s) => format!("unknown rule or group `{sel}`; did you mean `{s}`?"),
        None => format!("unknown rule or group `{sel}`; `peerlint rules` lists them"),
    })
}

/// Whether a (valid) selector takes in a rule.
pub fn selects(sel: &str, r: &dyn Rule) -> bool {
    let sel = sel.trim();
    sel == "all"
        || r.meta().name == sel
        || Group::ALL
            .iter()
            .any(|g| g.name() == sel && r.meta().group == *g)
}

/// Which rules are on where: the configuration's `select`/`ignore`, then those of the
/// `[[per-path]]` tables that hold the file, then `--select`/`--ignore`; each `select`
/// replaces what came before it, each `ignore` takes rules out. [`crate::rules::ALWAYS_ON`] rules are on
/// everywhere.
pub struct Selection<'a> {
    pub config: &'a Config,
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

impl Selection<'_> {
    /// Checks the command line's selectors.
    pub fn check_selectors(list: &[String]) -> Result<Vec<Selector>, String> {
        list.iter()
            .map(|s| match selector_error(s) {
                None => Ok(Selector {
                    text: s.trim().to_string(),
                    span: None,
                }),
                Some(e) => Err(e),
            })
            .collect()
    }

    /// Whether a rule is on for a file (its path relative to the project root; None for
    /// standard input).
    pub fn enabled(&self, r: &dyn Rule, rel: Option<&str>) -> bool {
        if always_on(r.meta().name) {
            return true;
        }
        let apply = |on: bool, select: Option<&[Selector]>, ignore: &[Selector]| {
            let on = match select {
                Some(s) => s.iter().any(|s| selects(&s.text, r)),
                None => on,
            };
            on && !ignore.iter().any(|s| selects(&s.text, r))
        };
        let mut on = apply(true, self.config.select.as_deref(), &self.config.ignore);
        if let Some(rel) = rel {
            for p in self.config.per_path_of(rel) {
                on = apply(on, p.select.as_deref(), &p.ignore);
            }
        }
        let select = (!self.select.is_empty()).then_some(self.select.as_slice());
        apply(on, select, &self.ignore)
    }

    /// The rules a run needs: those on for some file (on everywhere, or selected by a
    /// `[[per-path]]` table), in registry order. The findings of a rule on only under some
    /// paths are kept only there (see [`Selection::enabled`]).
    pub fn rules(&self) -> Vec<&'static dyn Rule> {
        ALL.iter()
            .copied()
            .filter(|r| {
                let holds = |s: &[Selector]| s.iter().any(|s| selects(&s.text, *r));
                self.enabled(*r, None)
                    || (self.select.is_empty()
                        && !holds(&self.ignore)
                        && self
                            .config
                            .per_path
                            .iter()
                            .any(|p| p.select.as_deref().is_some_and(holds)))
            })
            .collect()
    }

    /// The severity of a rule's findings, and where it was set (None: the rule's default).
    pub fn severity(&self, rule: &str) -> Option<(Severity, Span)> {
        self.config
            .severity
            .iter()
            .find(|(r, _, _)| *r == rule)
            .map(|&(_, s, at)| (s, at))
    }
}

/// A calendar date (for `expires`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A valid date (a real day of a real month), or None.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month)
            && (1..=calendar::month_days(year.into(), month.into())).contains(&i64::from(day)))
        .then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y) && digits(m) && digits(d)) {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Today, in UTC.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let (year, month, day) = calendar::civil_from_days(days);
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether a text is a GUID (`00000000-0000-0000-0000-000000000000`), as subscription ids are.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_days(-1).to_string(), "1969-12-31");
        assert_eq!(Date::parse("2026-12-31"), Date::new(2026, 12, 31));
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert_eq!(Date::parse("2026-13-01"), None);
        assert_eq!(Date::parse("26-01-01"), None);
        assert!(Date::parse("2025-01-01") < Date::parse("2025-01-02"));
    }

    #[test]
    fn guids() {
        assert!(is_guid("11111111-2222-3333-4444-55555555aaaa"));
        assert!(!is_guid("11111111-2222-3333-4444-55555555aaa"));
        assert!(!is_guid("my-subscription"));
        assert!(!is_guid("11111111+2222-3333-4444-55555555aaaa"));
    }

    #[test]
    fn path_globs_hold_files_under_folders() {
        let mut cx = Checker {
            root: Path::new("/r"),
            errors: Vec::new(),
        };
        let g = |cx: &mut Checker<'_>, t: &str| {
            cx.path_glob(&Spanned::new(0..t.len(), t.to_string()))
                .unwrap()
        };
        let legacy = g(&mut cx, "legacy");
        assert!(legacy.matches_path("legacy/a/b.json"));
        assert!(!legacy.matches_path("legacy2/b.json"));
        let star = g(&mut cx, "net/*.json");
        assert!(star.matches_path("net/a.json"));
        assert!(!star.matches_path("net/sub/a.json"));
        let deep = g(&mut cx, "./net/**/");
        assert!(deep.matches_path("net/sub/a.json"));
        let id = cx
            .id_glob(&Spanned::new(0..1, "*/virtualNetworks/VNET-A*".to_string()))
            .unwrap();
        assert!(id.matches_id(
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet-a/virtualNetworkPeerings/p"
        ));
        assert!(cx.errors.is_empty());
        assert!(
            cx.path_glob(&Spanned::new(0..1, "a[".to_string()))
                .is_none()
        );
        assert_eq!(cx.errors.len(), 1);
    }
}
