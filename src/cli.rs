//! The command line: `check`, `reach`, `expand`, `rules`, `rule`, `schema`, `completions`.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};

use crate::config::{self, Config, Selection};
use crate::discover::{discover, discover_with};
use crate::engine;
use crate::load::Options;
// Text from the inputs and the arguments reaches standard error only through `visible`.
use crate::render::{self, Summary, visible};
use crate::rule::{Rule, Severity};
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
        a mistake in peerlint.toml, an unknown rule name, a path that can't be read, nothing \
        to check, a report or baseline that can't be written).\n\n\
        With files named and `paths` in peerlint.toml (a pre-commit hook), the whole design \
        in `paths` is checked and only the findings that touch a named file are reported."
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
    /// Print the configuration in force (peerlint.toml, found upwards from the working
    /// directory) and where each value came from.
    Config {
        #[command(flatten)]
        config: ConfigArgs,
    },
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
    /// Its parameters file (default: the one beside it that `check` pairs with it by name,
    /// `<template>.parameters.json` or `<template>.<env>.parameters.json`, if there is one).
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
    /// Report only the findings this baseline doesn't hold (default: `baseline` in
    /// peerlint.toml); the exit code is theirs alone.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    baseline: Option<PathBuf>,
    /// Record today's findings in FILE, a baseline for `--baseline`.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    write_baseline: Option<PathBuf>,
    /// Threads to read, parse and check on (default: `RAYON_NUM_THREADS`, else one per core);
    /// the report is the same for any number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    template: TemplateArgs,
}

/// Which configuration file a command reads.
#[derive(clap::Args, Debug)]
struct ConfigArgs {
    /// The configuration file (default: peerlint.toml or .peerlint.toml in the working
    /// directory or the nearest folder above it, up to the repository's root).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
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

/// Resolves `--select`/`--ignore` into the rules to run (without a configuration).
pub fn select_rules(
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static dyn Rule>, String> {
    let config = Config::default();
    let selection = Selection {
        config: &config,
        select: Selection::check_selectors(select)?,
        ignore: Selection::check_selectors(ignore)?,
    };
    Ok(selection.rules())
}

/// Set by the `peerlint` binary, whose process ends when the command returns: the run's parse
/// trees and graph are then left to the operating system rather than freed piece by piece
/// (on a 100,000-vnet estate, freeing them took a tenth of the run).
pub static PROCESS_EXITS_AFTER: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

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
        Command::Config { config } => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let config = match load_config(&config, &cwd, stderr, false) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let selection = Selection {
                config: &config,
                select: Vec::new(),
                ignore: Vec::new(),
            };
            let _ = write!(stdout, "{}", render::config::describe(&config, &selection));
            EXIT_OK
        }
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
    if let Some(s) = &args.subscription
        && !config::is_guid(s)
    {
        let _ = writeln!(
            stderr,
            "error: `--subscription {}`: a subscription id is a GUID \
             (`00000000-0000-0000-0000-000000000000`)",
            visible(s)
        );
        return EXIT_FAILURE;
    }
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
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = match template_options(template, &inputs, &Config::none(&cwd)) {
        Ok(o) => o,
        Err(Problem::Message(e)) => {
            let _ = writeln!(stderr, "error: {}", visible(&e));
            return EXIT_FAILURE;
        }
        Err(Problem::Config(_)) => unreachable!("no configuration"),
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

/// Reads the configuration a command uses (`--config`, `--no-config`, or the one found
/// upwards); a mistake in it is drawn on the file, and the command fails (exit 2).
fn load_config(
    args: &ConfigArgs,
    cwd: &std::path::Path,
    stderr: &mut dyn Write,
    color: bool,
) -> Result<Config, u8> {
    if args.no_config {
        return Ok(Config::none(cwd));
    }
    let (path, found) = match &args.config {
        Some(p) => (Some(p.clone()), "named with --config"),
        None => {
            let (found, warning) = config::find(cwd);
            if let Some(w) = warning {
                let _ = writeln!(stderr, "warning: {}", visible(&w));
            }
            (found, "found upwards from the working directory")
        }
    };
    let Some(path) = path else {
        return Ok(Config::none(cwd));
    };
    Config::load(&path, found, cwd).map_err(|f| {
        let _ = write!(stderr, "{}", render::config::errors(&f, color));
        EXIT_FAILURE
    })
}

/// Whether standard error shows colour.
fn stderr_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// What a run looks for, for the message of a run that found nothing to check.
const LOOKED_FOR: &str = "*.json, *.jsonc, *.yaml and *.yml files holding an az CLI, REST, \
     Resource Graph or PowerShell export of vnets or peerings, an ARM template, a Terraform \
     plan or state (`terraform show -json`) or a peerlint design spec, and GruCloud \
     `resources.js` files (dot-folders, files .gitignore ignores and peerlint.toml's `exclude` \
     are skipped)";

fn check(
    args: CheckArgs,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let fail = |stderr: &mut dyn Write, e: &str| {
        let _ = writeln!(stderr, "error: {}", visible(e));
        EXIT_FAILURE
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config = match load_config(&args.config, &cwd, stderr, stderr_color(args.color)) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (select, ignore) = match (
        Selection::check_selectors(&args.select),
        Selection::check_selectors(&args.ignore),
    ) {
        (Ok(s), Ok(i)) => (s, i),
        (Err(e), _) | (_, Err(e)) => return fail(stderr, &e),
    };
    for name in crate::rules::ALWAYS_ON.iter().map(|r| r.meta().name) {
        if ignore.iter().any(|s| s.text == name) {
            let _ = writeln!(
                stderr,
                "note: `{name}` can't be switched off (a file peerlint can't read leaves part of \
                 the design unchecked); exclude the file in peerlint.toml instead"
            );
        }
    }
    let selection = Selection {
        config: &config,
        select,
        ignore,
    };
    let rules = selection.rules();

    // The inputs: the files named, or the configured `paths`, or the working directory. With
    // files named and `paths` configured (a pre-commit hook), the whole configured design is
    // loaded, and only what touches the named files is reported.
    let configured: Vec<PathBuf> = config
        .paths
        .iter()
        .map(|(p, _)| relative_to_cwd(&config.root.join(p), &cwd))
        .collect();
    let precommit = !args.paths.is_empty() && !configured.is_empty();
    let whole = args.paths.is_empty() || precommit;
    let paths = if precommit || args.paths.is_empty() {
        if configured.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            configured.clone()
        }
    } else {
        args.paths.clone()
    };
    let exclude = {
        let config = config.clone();
        std::sync::Arc::new(move |p: &std::path::Path| config.excluded(p))
    };
    let (mut inputs, mut errors) = discover_with(&paths, exclude);
    let mut named: Vec<PathBuf> = Vec::new();
    if precommit {
        let design: std::collections::HashSet<PathBuf> = inputs
            .iter()
            .filter_map(|i| match &i.origin {
                crate::discover::Origin::File(p) => Some(crate::filter::canonical(p)),
                crate::discover::Origin::Stdin => None,
            })
            .collect();
        let mut outside = Vec::new();
        for p in &args.paths {
            if p.as_os_str() == "-" {
                inputs.push(crate::discover::Input {
                    display: "<stdin>".into(),
                    origin: crate::discover::Origin::Stdin,
                    explicit: true,
                });
                continue;
            }
            let real = crate::filter::canonical(p);
            if design.contains(&real) {
                named.push(real);
            } else if p.is_dir() {
                // A folder named: the design's files under it.
                named.extend(design.iter().filter(|f| f.starts_with(&real)).cloned());
            } else {
                outside.push(crate::discover::display(p));
            }
        }
        if !outside.is_empty() {
            let _ = writeln!(
                stderr,
                "note: not part of the design in peerlint.toml's `paths`, so not checked: {}",
                visible(&outside.join(", "))
            );
        }
    }
    let options = match template_options(&args.template, &inputs, &config) {
        Ok(o) => Options {
            threads: args.threads.unwrap_or(0),
            ..o
        },
        Err(Problem::Message(e)) => return fail(stderr, &e),
        Err(Problem::Config(f)) => {
            let _ = write!(
                stderr,
                "{}",
                render::config::errors(&f, stderr_color(args.color))
            );
            return EXIT_FAILURE;
        }
    };
    // The baseline to apply, read before the run so that a wrong path fails fast.
    let baseline_path = args.baseline.clone().or_else(|| {
        config
            .baseline
            .as_ref()
            .map(|(p, _)| relative_to_cwd(&config.root.join(p), &cwd))
    });
    let baseline = match &baseline_path {
        // A configured baseline that doesn't exist yet is the one being written.
        Some(p) if args.baseline.is_none() && args.write_baseline.is_some() && !p.exists() => None,
        Some(p) => match crate::baseline::read(p) {
            Ok(b) => Some(b),
            Err(e) => return fail(stderr, &e),
        },
        None => None,
    };

    let mut owned;
    let outcome: &mut engine::Outcome = {
        let o = engine::run_with(&inputs, stdin, &rules, &options);
        if PROCESS_EXITS_AFTER.load(std::sync::atomic::Ordering::Relaxed) {
            // Left to the operating system: the process ends with the command.
            Box::leak(Box::new(o))
        } else {
            owned = o;
            &mut owned
        }
    };
    errors.extend(outcome.read_errors.iter().cloned());
    for n in &outcome.notes {
        let _ = writeln!(stderr, "note: {}", visible(n));
    }
    let nothing = inputs.is_empty()
        || (outcome.recognised_inputs() == 0
            && !outcome
                .diagnostics
                .iter()
                .any(|d| d.rule == crate::rules::INVALID_SYNTAX.meta().name));
    // The configuration applied to the findings: rules per path, severities, exceptions and
    // inline suppressions.
    let request = crate::filter::Request {
        selection: &selection,
        ran: &rules,
        today: config::Date::today(),
        whole,
    };
    crate::filter::apply(outcome, &request);
    if let Some(file) = &args.write_baseline {
        match crate::baseline::write(file, &outcome.diagnostics) {
            Ok(n) => {
                let _ = writeln!(
                    stderr,
                    "wrote the baseline {} ({n} finding{})",
                    visible(&file.display().to_string()),
                    if n == 1 { "" } else { "s" }
                );
            }
            Err(e) => return fail(stderr, &e),
        }
    }
    let applied = baseline.as_ref().map(|b| b.apply(&mut outcome.diagnostics));
    if precommit {
        crate::filter::only_named(&mut outcome.diagnostics, &outcome.db, &named);
        let _ = writeln!(
            stderr,
            "note: checked the design in peerlint.toml's `paths` ({} file{}); reporting on {} \
             named file{} of it",
            outcome.graph.file_count(),
            if outcome.graph.file_count() == 1 {
                ""
            } else {
                "s"
            },
            named.len(),
            if named.len() == 1 { "" } else { "s" }
        );
    }
    let g = &outcome.graph;
    let summary = Summary::new(
        g.file_count(),
        g.defined_vnets().count(),
        g.peering_count(),
        &outcome.diagnostics,
    );
    // No summary line ("No problems found") for a run that failed: it would read as a pass.
    let failed = !errors.is_empty() || nothing;
    let quiet = args.quiet || failed;
    let baseline_line = applied.filter(|_| !quiet).map(|a| {
        format!(
            "Baseline {}: {} known finding{} not shown; {} baseline entr{} fixed.\n",
            visible(
                &baseline_path
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            a.hidden,
            if a.hidden == 1 { "" } else { "s" },
            a.fixed,
            if a.fixed == 1 { "y" } else { "ies" }
        )
    });
    let fail_on = args.fail_on.severity();
    let diags = &outcome.diagnostics;
    let mut text = match args.format {
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
        Format::Concise => render::concise::render(diags, (!quiet).then_some(summary)),
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
            if quiet {
                let cut = t.trim_end().rfind('\n').map(|i| i + 1).unwrap_or(0);
                t.truncate(cut);
            }
            t
        }
    };
    let text_format = matches!(args.format, Format::Human | Format::Concise);
    if text_format
        && args.output.is_none()
        && let Some(line) = &baseline_line
    {
        text.push_str(line);
    }
    match &args.output {
        Some(file) => {
            if let Err(e) = std::fs::write(file, text.as_bytes()) {
                let _ = writeln!(stderr, "error: cannot write {}: {e}", file.display());
                return EXIT_FAILURE;
            }
            if !quiet {
                let _ = writeln!(stdout, "{}", render::human::summary_line(summary));
            }
        }
        None => {
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    if let Some(line) = baseline_line
        && (!text_format || args.output.is_some())
    {
        let _ = write!(stderr, "{line}");
    }
    for e in &errors {
        let _ = writeln!(stderr, "error: cannot read {}", visible(e));
    }
    if !errors.is_empty() {
        return EXIT_FAILURE;
    }
    if nothing {
        // Said the same whatever order the paths were named in.
        let mut looked_in: Vec<String> = paths
            .iter()
            .map(|p| format!("`{}`", crate::discover::display(p)))
            .collect();
        looked_in.sort();
        looked_in.dedup();
        let found = match inputs.len() {
            0 => format!("no file found in {}", looked_in.join(", ")),
            1 => "the one file found is not an input peerlint reads".to_string(),
            n => format!("none of the {n} files found is an input peerlint reads"),
        };
        let _ = writeln!(
            stderr,
            "error: nothing to check: {}; peerlint reads {LOOKED_FOR}",
            visible(&found)
        );
        return EXIT_FAILURE;
    }
    let failing = diags.iter().filter(|d| d.severity >= fail_on).count();
    if failing > 0 && !args.exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// A path as the run shows it: relative to the working directory when it is under it.
fn relative_to_cwd(p: &std::path::Path, cwd: &std::path::Path) -> PathBuf {
    let p = config::normalise(p);
    match p.strip_prefix(config::normalise(cwd)) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => p,
    }
}

/// Why a command's template options can't be used.
enum Problem {
    Message(String),
    Config(config::Failure),
}

/// Why a file can't be a parameters file (None when it can be one): it can't be read, isn't
/// JSON, or is something else (a template, an export).
fn not_parameters(file: &std::path::Path) -> Option<String> {
    let bytes = match crate::source::read_file(file, crate::source::MAX_INPUT_BYTES) {
        Ok(b) => b,
        Err(e) => return Some(format!("can't be read: {e}")),
    };
    let Ok((text, start)) = crate::source::decode(bytes) else {
        return Some("is not text".into());
    };
    let text = std::sync::Arc::new(text);
    let tree = match crate::json::parse(&text, start) {
        Ok(t) => t,
        Err(e) => return Some(format!("is not valid JSON: {}", e.message)),
    };
    let root = tree.root()?;
    match crate::load::sniff(&tree, root) {
        crate::load::Shape::Unknown(crate::load::Unknown::ArmParameters) => None,
        crate::load::Shape::Unknown(crate::load::Unknown::ArmTemplate) => {
            Some("is an ARM template, not a parameters file".into())
        }
        _ if tree.kind(root) == crate::tree::Kind::Object
            && tree
                .get(root, "parameters")
                .is_some_and(|p| tree.kind(p) == crate::tree::Kind::Object)
            && tree.get(root, "resources").is_none() =>
        {
            None
        }
        _ => Some(
            "is not a parameters file (one holds `\"parameters\": {...}`, usually with the \
             deploymentParameters `$schema`)"
                .into(),
        ),
    }
}

/// The template options of a command: the deployment context and the parameters files, each
/// checked (a missing file, a file that isn't a parameters file, a `TEMPLATE=` that is not one
/// of the inputs, a subscription id that isn't a GUID is an error), and what the
/// configuration says about templates (`[[deployment]]`, `[[per-path]]`).
fn template_options(
    args: &TemplateArgs,
    inputs: &[crate::discover::Input],
    config: &Config,
) -> Result<Options, Problem> {
    let mut options = Options::default();
    if let Some(s) = &args.subscription
        && !config::is_guid(s)
    {
        return Err(Problem::Message(format!(
            "`--subscription {s}`: a subscription id is a GUID \
             (`00000000-0000-0000-0000-000000000000`)"
        )));
    }
    options.context.subscription = args
        .subscription
        .clone()
        .or_else(|| config.scope.subscription.as_ref().map(|s| s.0.clone()));
    options.context.resource_group = args
        .resource_group
        .clone()
        .or_else(|| config.scope.resource_group.as_ref().map(|s| s.0.clone()));
    for p in &args.parameters {
        let (template, file) = match p.split_once('=') {
            Some((t, f)) => (Some(PathBuf::from(t)), PathBuf::from(f)),
            None => (None, PathBuf::from(p)),
        };
        if !file.is_file() {
            return Err(Problem::Message(format!(
                "parameters file `{}` not found",
                file.display()
            )));
        }
        if let Some(why) = not_parameters(&file) {
            return Err(Problem::Message(format!(
                "`--parameters {p}`: `{}` {why}",
                file.display()
            )));
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
                return Err(Problem::Message(format!(
                    "`--parameters {p}`: `{}` is not one of the inputs",
                    t.display()
                )));
            }
        }
        options.parameters.push((template, file));
    }
    let scope = |s: &config::Scope| crate::load::Scope {
        subscription: s.subscription.as_ref().map(|x| x.0.clone()),
        resource_group: s.resource_group.as_ref().map(|x| x.0.clone()),
    };
    for d in &config.deployments {
        let parameters = d.parameters.as_ref().map(|(p, _)| config.root.join(p));
        if let (Some(file), Some((_, at))) = (&parameters, &d.parameters)
            && let Some(why) = not_parameters(file)
        {
            return Err(Problem::Config(config.failure(
                *at,
                format!("`{}` {why}", file.display()),
                "not a parameters file",
            )));
        }
        options.deployments.push(crate::load::Deployment {
            template: config.root.join(&d.template.0),
            parameters,
            scope: scope(&d.scope),
        });
    }
    if !config.per_path.is_empty() {
        for i in inputs {
            if let crate::discover::Origin::File(p) = &i.origin
                && let Some(rel) = config.relative(p)
            {
                let s = config.scope_of(&rel);
                if s.subscription.is_some() || s.resource_group.is_some() {
                    options.scopes.push((p.clone(), scope(&s)));
                }
            }
        }
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
