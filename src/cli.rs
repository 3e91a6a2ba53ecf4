//! The command line: `check`, `reach`, `expand`, `rules`, `rule`, `schema`, `completions`.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};

use crate::discover::discover;
use crate::engine;
use crate::load::Options;
// Text from the inputs and the arguments reaches standard error only through `visible`.
use crate::render::{self, Summary, visible};
use crate::rule::{Group, Rule, Severity};
use crate::rules::ALL;
use crate::suggest::closest;

#[derive(Parser, Debug)]
#[command(
    name = "peerlint",
    version,
    about = "Checks Azure virtual-network peering designs before they are deployed"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check exported Azure state and ARM templates: files, folders (walked for *.json), `-`
    /// for standard input.
    #[command(
        after_long_help = "Exit status: 0 when no finding reaches the `--fail-on` \
        severity (or with `--exit-zero`), 1 when one does, 2 on a tool failure (bad arguments, \
        an unknown rule name, a path that can't be read, a report that can't be written)."
    )]
    Check(CheckArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Show a rule's documentation.
    Rule {
        /// The rule's name, such as `missing-reverse-peering`.
        name: String,
    },
    /// Can traffic get from FROM to TO? Prints the path, or what stops it.
    ///
    /// An answer that depends on a value known only at deployment (a next hop from
    /// `reference()`, a flag from a parameter) or on a next hop outside the inputs is `unknown`,
    /// with the reason. Exits 0 when every destination prefix is reached, 1 when one isn't or
    /// its answer is unknown, 2 on a tool failure (an unreadable path, a name that matches no
    /// vnet: the error suggests the closest one).
    Reach {
        /// A vnet (name or id), `vnet/subnet`, or an address or prefix inside a vnet.
        from: String,
        /// A vnet, `vnet/subnet`, or an address or prefix.
        to: String,
        /// Files or folders describing the network (default: the current folder).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        #[command(flatten)]
        template: TemplateArgs,
    },
    /// Print the JSON Schema of the design spec (for editors).
    Schema,
    /// Show an ARM template as peerlint evaluates it: its resources, whether each is
    /// deployed, the properties the checks read, its outputs, and what is unknown and why.
    Expand(ExpandArgs),
    /// Print a shell completion script (`peerlint completions bash`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Args, Debug)]
struct ExpandArgs {
    /// The ARM template.
    template: PathBuf,
    /// Its parameters file (default: `<template>.parameters.json` beside it, if there is one).
    #[arg(long, value_name = "FILE")]
    parameters: Option<PathBuf>,
    /// Subscription id the template deploys to (default: the placeholder `{subscription}`).
    #[arg(long, value_name = "ID")]
    subscription: Option<String>,
    /// Resource group the template deploys to (default: the placeholder `{resourceGroup}`).
    #[arg(long, value_name = "NAME")]
    resource_group: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or folders to check (default: the current folder); `-` reads standard input.
    #[arg(value_hint = ValueHint::AnyPath)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output (the exit code is the same; the
    /// summary line is still printed, unless `--quiet`).
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding of this severity or above remains.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Run only these rules (names, groups `correctness`/`suspicious`/`advisory`, or `all`).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Don't run these rules (names or groups).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// When to colour human output (honours NO_COLOR); a report written with `--output` is
    /// never coloured.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Exit 0 even when there are findings at the `--fail-on` severity.
    #[arg(long)]
    exit_zero: bool,
    /// Print only the diagnostics, without the summary line.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    template: TemplateArgs,
}

/// How templates are evaluated: the same options for every command that reads inputs.
#[derive(clap::Args, Debug)]
struct TemplateArgs {
    /// ARM parameters file: `FILE` for every template of the run, or `TEMPLATE=FILE` for one
    /// (default: `<template>.parameters.json`, `<template>.parameters.<env>.json` and
    /// `<template>.<env>.parameters.json` beside each template). Repeatable: each parameters
    /// file of a template is one deployment of it.
    #[arg(long, value_name = "[TEMPLATE=]FILE")]
    parameters: Vec<String>,
    /// Subscription id templates deploy to (default: the placeholder `{subscription}`).
    #[arg(long, value_name = "ID")]
    subscription: Option<String>,
    /// Resource group templates deploy to (default: the placeholder `{resourceGroup}`, one
    /// per folder of templates).
    #[arg(long, value_name = "NAME")]
    resource_group: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Each finding drawn on its source, and a summary line.
    Human,
    /// peerlint's versioned JSON.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and Azure DevOps.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// JUnit XML, for the test tabs of Azure Pipelines and GitLab.
    Junit,
    /// One line per finding: `path:line:col: severity[rule]: message`.
    Concise,
}

/// The least severity that fails a run.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    /// Errors fail the run.
    Error,
    /// Errors and warnings fail the run.
    Warning,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// The command line's definition (for completions and man pages).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Exit codes: 0 clean, 1 findings at the `--fail-on` severity (errors by default), 2 tool
/// failure.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

/// Resolves `--select`/`--ignore` into the rules to run.
pub fn select_rules(
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static dyn Rule>, String> {
    fn matches(sel: &str, r: &dyn Rule) -> Result<bool, String> {
        let sel = sel.trim();
        if sel == "all" {
            return Ok(true);
        }
        if let Some(g) = Group::ALL.iter().find(|g| g.name() == sel) {
            return Ok(r.meta().group == *g);
        }
        if ALL.iter().any(|x| x.meta().name == sel) {
            return Ok(r.meta().name == sel);
        }
        let names = ALL
            .iter()
            .map(|x| x.meta().name)
            .chain(Group::ALL.iter().map(|g| g.name()));
        Err(match closest(sel, names) {
            Some(s) => format!("unknown rule or group `{sel}`; did you mean `{s}`?"),
            None => format!("unknown rule or group `{sel}`; `peerlint rules` lists them"),
        })
    }
    // Validate every selector up front, so a typo is reported even if nothing else would be.
    for s in select.iter().chain(ignore) {
        matches(s, ALL[0])?;
    }
    let mut out = Vec::new();
    for &r in ALL {
        let selected = select.is_empty() || select.iter().any(|s| matches(s, r).unwrap_or(false));
        let ignored = ignore.iter().any(|s| matches(s, r).unwrap_or(false));
        if selected && !ignored {
            out.push(r);
        }
    }
    Ok(out)
}

/// Runs the command line; returns the exit code.
pub fn main_with(
    args: Vec<OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(stderr, "{text}")
            } else {
                write!(stdout, "{text}")
            };
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => check(args, stdin, stdout, stderr),
        Command::Reach {
            from,
            to,
            paths,
            format,
            template,
        } => reach(&from, &to, paths, format, &template, stdin, stdout, stderr),
        Command::Expand(args) => expand(args, stdout, stderr),
        Command::Schema => {
            let _ = write!(stdout, "{}", crate::load::spec::SCHEMA);
            EXIT_OK
        }
        Command::Completions { shell } => {
            let mut cmd = command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "peerlint", &mut script);
            let _ = stdout.write_all(&script);
            EXIT_OK
        }
        Command::Rules { format } => {
            let text = match format {
                ListFormat::Json => rules_json(),
                ListFormat::Human => rules_human(),
            };
            let _ = write!(stdout, "{text}");
            EXIT_OK
        }
        Command::Rule { name } => match ALL.iter().find(|r| r.meta().name == name) {
            Some(r) => {
                let _ = write!(stdout, "{}", rule_doc(*r));
                EXIT_OK
            }
            None => {
                let hint = closest(&name, ALL.iter().map(|r| r.meta().name))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| "; `peerlint rules` lists them".into());
                let name = visible(&name);
                let _ = writeln!(stderr, "error: unknown rule `{name}`{hint}");
                EXIT_FAILURE
            }
        },
    }
}

/// `peerlint expand`: exits 0, 1 when the template has expression errors (as `check`), 2 when
/// the template or its parameters file can't be read or isn't one.
fn expand(args: ExpandArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let req = render::expand::Request {
        template: &args.template,
        parameters: args.parameters.as_deref(),
        context: crate::arm::Context {
            subscription: args.subscription,
            resource_group: args.resource_group,
            tag: String::new(),
        },
        json: matches!(args.format, ListFormat::Json),
    };
    match render::expand::expand(&req) {
        Ok((text, errors)) => {
            let _ = stdout.write_all(text.as_bytes());
            if errors { EXIT_FINDINGS } else { EXIT_OK }
        }
        Err(e) => {
            let _ = writeln!(stderr, "error: {}", visible(&e));
            EXIT_FAILURE
        }
    }
}

/// `peerlint reach`: exits 0 when every destination prefix is reached, 1 when one isn't or
/// can't be known before deployment (an unknown answer is never taken for a path), 2 on a tool
/// failure (unreadable path, unknown vnet).
#[allow(clippy::too_many_arguments)]
fn reach(
    from: &str,
    to: &str,
    paths: Vec<PathBuf>,
    format: ListFormat,
    template: &TemplateArgs,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let (inputs, errors) = discover(&paths);
    let options = match template_options(template, &inputs) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(stderr, "error: {}", visible(&e));
            return EXIT_FAILURE;
        }
    };
    let outcome = engine::run_with(&inputs, stdin, &[], &options);
    for n in &outcome.notes {
        let _ = writeln!(stderr, "note: {}", visible(n));
    }
    for e in errors.iter().chain(&outcome.read_errors) {
        let _ = writeln!(stderr, "error: {}", visible(e));
    }
    if !errors.is_empty() || !outcome.read_errors.is_empty() {
        return EXIT_FAILURE;
    }
    let results = match render::reach::answer(&outcome, from, to) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(stderr, "error: {}", visible(&e));
            return EXIT_FAILURE;
        }
    };
    let text = match format {
        ListFormat::Json => render::reach::json(&outcome, from, to, &results),
        ListFormat::Human => render::reach::human(&outcome, from, to, &results),
    };
    let _ = write!(stdout, "{text}");
    if results.iter().all(|r| r.answer.path.is_some()) {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

fn check(
    args: CheckArgs,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let rules = match select_rules(&args.select, &args.ignore) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(stderr, "error: {}", visible(&e));
            return EXIT_FAILURE;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let (inputs, mut errors) = discover(&paths);
    let options = match template_options(&args.template, &inputs) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(stderr, "error: {}", visible(&e));
            return EXIT_FAILURE;
        }
    };
    let outcome = engine::run_with(&inputs, stdin, &rules, &options);
    errors.extend(outcome.read_errors.iter().cloned());
    for n in &outcome.notes {
        let _ = writeln!(stderr, "note: {}", visible(n));
    }
    let g = &outcome.graph;
    let summary = Summary::new(
        g.file_count(),
        g.defined_vnets().count(),
        g.peering_count(),
        &outcome.diagnostics,
    );
    let fail_on = args.fail_on.severity();
    let diags = &outcome.diagnostics;
    let text = match args.format {
        Format::Json => render::json::render(diags, summary),
        Format::Sarif => {
            let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            render::sarif::render(&render::sarif::Input {
                db: &outcome.db,
                diagnostics: diags,
                rules: &rules,
                root: &root,
                errors: &errors,
            })
        }
        Format::Github => render::github::render(&outcome.db, diags),
        Format::Junit => render::junit::render(diags, summary, fail_on),
        Format::Concise => render::concise::render(diags, (!args.quiet).then_some(summary)),
        Format::Human => {
            let color = args.output.is_none()
                && match args.color {
                    Color::Always => true,
                    Color::Never => false,
                    Color::Auto => {
                        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                            && std::io::stdout().is_terminal()
                    }
                };
            // Hyperlinks only where a person reads a terminal: CI logs show the escape codes.
            let links =
                color && std::env::var_os("CI").is_none() && std::io::stdout().is_terminal();
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(100);
            let mut t = render::human::render(
                &outcome.db,
                diags,
                summary,
                render::human::Style {
                    color,
                    width,
                    links,
                },
            );
            if args.quiet {
                let cut = t.trim_end().rfind('\n').map(|i| i + 1).unwrap_or(0);
                t.truncate(cut);
            }
            t
        }
    };
    match &args.output {
        Some(file) => {
            if let Err(e) = std::fs::write(file, text.as_bytes()) {
                let _ = writeln!(stderr, "error: cannot write {}: {e}", file.display());
                return EXIT_FAILURE;
            }
            if !args.quiet {
                let _ = writeln!(stdout, "{}", render::human::summary_line(summary));
            }
        }
        None => {
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    for e in &errors {
        let _ = writeln!(stderr, "error: cannot read {}", visible(e));
    }
    if !errors.is_empty() {
        return EXIT_FAILURE;
    }
    let failing = diags.iter().filter(|d| d.severity >= fail_on).count();
    if failing > 0 && !args.exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The template options of a command: the deployment context and the parameters files, each
/// checked (a missing file, or a `TEMPLATE=` that is not one of the inputs, is an error).
fn template_options(
    args: &TemplateArgs,
    inputs: &[crate::discover::Input],
) -> Result<Options, String> {
    let mut options = Options::default();
    options.context.subscription = args.subscription.clone();
    options.context.resource_group = args.resource_group.clone();
    for p in &args.parameters {
        let (template, file) = match p.split_once('=') {
            Some((t, f)) => (Some(PathBuf::from(t)), PathBuf::from(f)),
            None => (None, PathBuf::from(p)),
        };
        if !file.is_file() {
            return Err(format!("parameters file `{}` not found", file.display()));
        }
        if let Some(t) = &template {
            let same = |p: &std::path::Path| {
                p == t || matches!((p.canonicalize(), t.canonicalize()), (Ok(a), Ok(b)) if a == b)
            };
            let is_input = inputs.iter().any(|i| match &i.origin {
                crate::discover::Origin::File(p) => same(p),
                crate::discover::Origin::Stdin => false,
            });
            if !is_input {
                return Err(format!(
                    "`--parameters {p}`: `{}` is not one of the inputs",
                    t.display()
                ));
            }
        }
        options.parameters.push((template, file));
    }
    Ok(options)
}

fn rules_json() -> String {
    #[derive(serde::Serialize)]
    struct Item {
        name: &'static str,
        severity: Severity,
        group: &'static str,
        summary: &'static str,
        needs: &'static [crate::model::Fact],
    }
    let items: Vec<Item> = ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            Item {
                name: m.name,
                severity: m.severity(),
                group: m.group.name(),
                summary: m.summary,
                needs: m.needs,
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).expect("serialisable");
    s.push('\n');
    s
}

fn rules_human() -> String {
    let width = ALL.iter().map(|r| r.meta().name.len()).max().unwrap_or(0);
    ALL.iter()
        .map(|r| {
            let m = r.meta();
            format!(
                "{:width$}  {:7}  {}\n",
                m.name,
                m.severity().name(),
                m.summary
            )
        })
        .collect()
}

/// A rule's documentation as Markdown.
pub fn rule_doc(r: &dyn Rule) -> String {
    let m = r.meta();
    let body: String = m
        .docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let reads = if m.needs.is_empty() {
        String::new()
    } else {
        let facts: Vec<&str> = m.needs.iter().map(|f| f.text()).collect();
        format!("Reads: {}.\n\n", facts.join(", "))
    };
    format!(
        "# {}\n\nSeverity: {} ({}). {}.\n\n{reads}{}",
        m.name,
        m.severity().name(),
        m.group.name(),
        capitalise(m.summary),
        body
    )
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The README's rule table, generated from the rule metadata.
pub fn readme_rule_table() -> String {
    let mut s = String::from("| rule | severity | what it flags |\n|---|---|---|\n");
    for r in ALL {
        let m = r.meta();
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            m.name,
            m.severity().name(),
            m.summary
        ));
    }
    s
}
