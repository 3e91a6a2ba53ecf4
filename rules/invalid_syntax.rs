use crate::model::{Format, Problem};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a file that isn't valid JSON: truncated, binary, empty, nested deeper than 256
    /// levels, or with JSON5 leniencies such as trailing commas. Comments and a byte-order
    /// mark are accepted; UTF-16 files need a byte-order mark. A GruCloud `resources.js` or
    /// its `config.js` that isn't valid JavaScript is reported with the parser's message.
    ///
    /// ## Why is this bad?
    /// Nothing in the file can be checked. The run goes on with the other files.
    ///
    /// ## Example
    /// ```json
    /// { "name": "vnet-hub", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"], } } }
    /// ```
    ///
    /// ## How to fix
    /// Fix the file at the reported position, or export it again.
    pub InvalidSyntax {
        name: "invalid-syntax",
        group: Correctness,
        summary: "a file is not valid JSON",
    }
}

impl Rule for InvalidSyntax {
    fn check(&self, cx: &mut RuleContext<'_>) {
        for p in cx.graph().problems() {
            let f = match p {
                Problem::Syntax {
                    loc,
                    format,
                    detail,
                } => {
                    let format = match format {
                        Format::Json => "JSON",
                        Format::Yaml => "YAML",
                        Format::JavaScript => "JavaScript",
                    };
                    Finding::new("", format!("invalid {format}: {detail}"), *loc, "here")
                }
                Problem::NotText {
                    loc,
                    detail,
                    offset,
                } => Finding::new(
                    "",
                    format!("{detail} (first bad byte at offset {offset})"),
                    *loc,
                    "here",
                )
                .help("save the file again as UTF-8 text"),
                _ => continue,
            };
            cx.report(f);
        }
    }
}
