//! The configuration's mistakes, drawn on peerlint.toml (miette), and `peerlint config`: the
//! resolved configuration and where each value came from.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::visible;
use crate::config::{Config, Failure, Selection};
use crate::rules::ALL;

/// Every error of a configuration that can't be used, each drawn on the file where it has a
/// place in it.
pub fn errors(f: &Failure, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1)
        .with_wrap_lines(false);
    let mut out = String::new();
    for e in &f.errors {
        let mut d = MietteDiagnostic::new(visible(&e.message).into_owned())
            .with_severity(miette::Severity::Error);
        if let Some(h) = &e.help {
            d = d.with_help(visible(h).into_owned());
        }
        let rendered = match (&f.file, e.span) {
            (Some(file), Some(span)) => {
                let d = d.with_label(LabeledSpan::at(
                    span.start as usize..span.end as usize,
                    visible(&e.label).into_owned(),
                ));
                let report = miette::Report::new(d).with_source_code(
                    NamedSource::new(visible(&file.display), file.text.clone())
                        .with_language("TOML"),
                );
                let mut s = String::new();
                handler
                    .render_report(&mut s, report.as_ref())
                    .map(|()| s)
                    .ok()
            }
            _ => {
                let mut s = String::new();
                handler.render_report(&mut s, &d).map(|()| s).ok()
            }
        };
        match rendered {
            Some(s) => out.push_str(&s),
            None => out.push_str(&format!("error: {}\n", visible(&e.message))),
        }
        out.push('\n');
    }
    out
}

/// `peerlint config`: the configuration in force, as TOML with where each value came from.
pub fn describe(config: &Config, selection: &Selection<'_>) -> String {
    let mut out = String::new();
    let q = |s: &str| format!("{s:?}");
    let list = |v: Vec<String>| format!("[{}]", v.join(", "));
    match &config.file {
        Some(f) => out.push_str(&format!(
            "# configuration: {} ({})\n# project root: {}\n\n",
            visible(&f.display),
            f.found,
            visible(&config.root.to_string_lossy())
        )),
        None => out.push_str(&format!(
            "# configuration: none (defaults)\n# project root: {} (the working directory)\n\n",
            visible(&config.root.to_string_lossy())
        )),
    }
    let mut line = |key: &str, value: String, from: String| {
        let text = format!("{key} = {value}");
        out.push_str(&format!("{:<48} # {}\n", visible(&text), visible(&from)));
    };
    let from_list = |spans: Vec<crate::source::Span>, default: &str| match spans.first() {
        Some(&s) => config.at(s),
        None => default.to_string(),
    };
    line(
        "paths",
        list(
            config
                .paths
                .iter()
                .map(|(p, _)| q(&p.to_string_lossy()))
                .collect(),
        ),
        from_list(
            config.paths.iter().map(|p| p.1).collect(),
            "default: the files named, else the working directory",
        ),
    );
    line(
        "exclude",
        list(config.exclude.iter().map(|p| q(&p.text)).collect()),
        from_list(
            config.exclude.iter().map(|p| p.span).collect(),
            "default: none (dot-folders and .gitignore'd files are always skipped)",
        ),
    );
    let select = match &config.select {
        Some(s) => list(s.iter().map(|s| q(&s.text)).collect()),
        None => list(vec![q("all")]),
    };
    line(
        "select",
        select,
        match config.select.as_ref().and_then(|s| s.first()?.span) {
            Some(s) => config.at(s),
            None => "default".into(),
        },
    );
    line(
        "ignore",
        list(config.ignore.iter().map(|s| q(&s.text)).collect()),
        from_list(
            config.ignore.iter().filter_map(|s| s.span).collect(),
            "default",
        ),
    );
    match &config.scope.subscription {
        Some((s, at)) => line("subscription", q(s), config.at(*at)),
        None => line(
            "subscription",
            q("<subscription>"),
            "default: a placeholder (or --subscription)".into(),
        ),
    }
    match &config.scope.resource_group {
        Some((s, at)) => line("resource-group", q(s), config.at(*at)),
        None => line(
            "resource-group",
            q("<resourceGroup>"),
            "default: a placeholder per folder of templates (or --resource-group)".into(),
        ),
    }
    match &config.baseline {
        Some((p, at)) => line("baseline", q(&p.to_string_lossy()), config.at(*at)),
        None => line("baseline", q(""), "default: none (or --baseline)".into()),
    }
    // Every rule: on or off, and at which severity, and why.
    out.push_str(
        "\n[rules]   # resolved: on everywhere unless a [[per-path]] table says otherwise\n",
    );
    for r in ALL {
        let m = r.meta();
        let on = selection.enabled(*r, None);
        let (severity, why) = match selection.severity(m.name) {
            Some((s, at)) => (s.name(), format!("[severity] at {}", config.at(at))),
            None => (m.severity().name(), format!("default ({})", m.group.name())),
        };
        let value = if on { severity } else { "off" };
        let why = if on { why } else { "select/ignore".to_string() };
        out.push_str(&format!(
            "{:<48} # {}\n",
            format!("{} = {}", m.name, q(value)),
            why
        ));
    }
    for p in &config.per_path {
        out.push_str(&format!("\n[[per-path]]   # {}\n", config.at(p.span)));
        out.push_str(&format!(
            "path = {}\n",
            visible(&list(p.paths.iter().map(|g| q(&g.text)).collect()))
        ));
        if let Some(s) = &p.select {
            out.push_str(&format!(
                "select = {}\n",
                list(s.iter().map(|s| q(&s.text)).collect())
            ));
        }
        if !p.ignore.is_empty() {
            out.push_str(&format!(
                "ignore = {}\n",
                list(p.ignore.iter().map(|s| q(&s.text)).collect())
            ));
        }
        if let Some((s, _)) = &p.scope.subscription {
            out.push_str(&format!("subscription = {}\n", visible(&q(s))));
        }
        if let Some((s, _)) = &p.scope.resource_group {
            out.push_str(&format!("resource-group = {}\n", visible(&q(s))));
        }
    }
    for d in &config.deployments {
        out.push_str(&format!("\n[[deployment]]   # {}\n", config.at(d.span)));
        out.push_str(&format!(
            "template = {}\n",
            visible(&q(&d.template.0.to_string_lossy()))
        ));
        if let Some((p, _)) = &d.parameters {
            out.push_str(&format!(
                "parameters = {}\n",
                visible(&q(&p.to_string_lossy()))
            ));
        }
        if let Some((s, _)) = &d.scope.subscription {
            out.push_str(&format!("subscription = {}\n", visible(&q(s))));
        }
        if let Some((s, _)) = &d.scope.resource_group {
            out.push_str(&format!("resource-group = {}\n", visible(&q(s))));
        }
    }
    let today = crate::config::Date::today();
    for e in &config.exceptions {
        let status = match e.expires {
            Some((d, _)) if d < today => format!("expired on {d}: no longer applies"),
            Some((d, _)) => format!("applies until {d}"),
            None => "applies".into(),
        };
        out.push_str(&format!(
            "\n[[exception]]   # {}, {status}\n",
            config.at(e.span)
        ));
        out.push_str(&format!("rule = {}\n", q(e.rule)));
        if let Some(g) = &e.resource {
            out.push_str(&format!("resource = {}\n", visible(&q(&g.text))));
        }
        if let Some(g) = &e.path {
            out.push_str(&format!("path = {}\n", visible(&q(&g.text))));
        }
        out.push_str(&format!("reason = {}\n", visible(&q(&e.reason))));
        if let Some((d, _)) = e.expires {
            out.push_str(&format!("expires = {d}\n"));
        }
    }
    out
}
