//! The rule registry stays consistent: names, files, structs, docs, message style, README.

mod common;

use std::path::Path;

use common::rust_files;
use peerlint::model::Fact;
use peerlint::rules::ALL;

fn snake(name: &str) -> String {
    name.replace('-', "_")
}

fn camel(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn names_are_unique_kebab_case_and_match_file_and_struct() {
    let mut seen = std::collections::HashSet::new();
    for r in ALL {
        let m = r.meta();
        assert!(seen.insert(m.name), "duplicate rule name {}", m.name);
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{} is not kebab-case",
            m.name
        );
        assert!(
            m.file.ends_with(&format!("rules/{}.rs", snake(m.name))),
            "{} is declared in {}",
            m.name,
            m.file
        );
        assert_eq!(m.struct_name, camel(m.name), "struct name of {}", m.name);
    }
}

#[test]
fn names_match_the_catalog() {
    // Rule names are a public interface; every name must come from the catalog or be one
    // of the input rules this project added.
    let catalog = std::fs::read_to_string("../shared/design/rules.md")
        .expect("../shared/design/rules.md (the rule catalog, beside the checkout)");
    let added = [
        "invalid-property-type",
        "truncated-export",
        "invalid-expression",
        "conflicting-declarations",
        "invalid-spec",
    ];
    for r in ALL {
        let n = r.meta().name;
        assert!(
            catalog.contains(&format!("`{n}`")) || added.contains(&n),
            "{n} is not in the catalog"
        );
    }
}

#[test]
fn docs_have_the_required_headings() {
    for r in ALL {
        let m = r.meta();
        for h in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(m.docs.contains(h), "{} docs lack `{h}`", m.name);
        }
        assert_eq!(
            m.docs.matches("```").count() % 2,
            0,
            "{} docs have an unclosed code fence",
            m.name
        );
        assert!(
            !m.summary.ends_with('.') && m.summary.chars().next().unwrap().is_lowercase(),
            "{} summary style",
            m.name
        );
    }
}

#[test]
fn readme_rule_table_is_current() {
    let table = peerlint::cli::readme_rule_table();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme
        .find(start)
        .expect("README has the rules:start marker")
        + start.len();
    let b = readme.find(end).expect("README has the rules:end marker");
    if readme[a..b] != table {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{}{}", &readme[..a], table, &readme[b..]);
            std::fs::write("README.md", updated).unwrap();
        } else {
            panic!(
                "the README's rule table is stale; run `UPDATE_DOCS=1 cargo test --test registry`"
            );
        }
    }
}

/// The rules about the inputs themselves (syntax, types, unknown values, the spec): they check
/// no design, so they read no fact of it.
const INPUT_RULES: [&str; 9] = [
    "invalid-syntax",
    "unrecognized-input",
    "unused-suppression",
    "invalid-property-type",
    "truncated-export",
    "unresolved-value",
    "invalid-expression",
    "conflicting-declarations",
    "invalid-spec",
];

#[test]
fn every_fact_is_needed_by_some_rule() {
    // An unknown value of a fact nobody reads would be reported as skipping nothing.
    for fact in Fact::ALL {
        assert!(
            ALL.iter().any(|r| r.meta().needs.contains(&fact)),
            "no rule needs {fact:?}: give it to the rules that read it, or remove it"
        );
    }
}

#[test]
fn rules_that_check_the_design_say_what_they_read() {
    for r in ALL {
        let m = r.meta();
        if INPUT_RULES.contains(&m.name) {
            assert!(
                m.needs.is_empty(),
                "{} is about the inputs: no `needs`",
                m.name
            );
        } else {
            assert!(
                !m.needs.is_empty(),
                "{} needs no fact: add `needs: [...]`",
                m.name
            );
        }
        // One order everywhere (Fact's), each fact once, so declarations compare at a glance.
        assert!(
            m.needs.windows(2).all(|w| w[0] < w[1]),
            "{}: list `needs` in the order of `Fact`, each once",
            m.name
        );
    }
}

#[test]
fn rule_names_live_only_in_the_registry() {
    // What a rule is about is said with `needs` and typed data, never by naming rules: a name
    // written as a string elsewhere goes stale when rules are added or renamed. Comments and
    // `#[cfg(test)]` tails may name rules; a rule's own file declares its own name.
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    rust_files(Path::new("rules"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let own = f
            .file_stem()
            .and_then(|s| s.to_str())
            .map(|s| s.replace('_', "-"))
            .filter(|_| f.starts_with("rules"));
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for r in ALL {
                let name = r.meta().name;
                if own.as_deref() != Some(name) && line.contains(&format!("\"{name}\"")) {
                    found.push(format!("{}:{}: `{name}`", f.display(), i + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "rule names written as strings:\n{}",
        found.join("\n")
    );
}

/// Compares the files generated into `dir` (only those ending in `ext`) with `expected`; with
/// `UPDATE_DOCS=1` writes them, and deletes the ones nothing generates. Returns the stale ones.
fn generated(dir: &str, ext: &str, expected: &[(String, String)]) -> Vec<String> {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let dir = Path::new(dir);
    if update {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut stale = Vec::new();
    for (name, text) in expected {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    for e in std::fs::read_dir(dir).into_iter().flatten() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(ext) && !expected.iter().any(|(n, _)| *n == name) {
            if update {
                std::fs::remove_file(&path).unwrap();
            } else {
                stale.push(format!("{} (generated by nothing)", path.display()));
            }
        }
    }
    stale
}

#[test]
fn rule_docs_are_current() {
    use peerlint::render::docs;
    let mut expected: Vec<(String, String)> = ALL
        .iter()
        .map(|r| (format!("{}.md", r.meta().name), docs::page(*r)))
        .collect();
    expected.push(("README.md".into(), docs::index(ALL)));
    let stale = generated("docs/rules", ".md", &expected);
    assert!(
        stale.is_empty(),
        "stale rule docs (run `UPDATE_DOCS=1 cargo test --test registry`):\n{}",
        stale.join("\n")
    );
}

#[test]
fn rule_pages_say_what_the_rule_is() {
    use peerlint::render::docs;
    let r = ALL
        .iter()
        .find(|r| r.meta().name == "remote-gateway-missing")
        .unwrap();
    let page = docs::page(*r);
    assert!(page.starts_with("# remote-gateway-missing\n\nUseRemoteGateways is set but"));
    for line in [
        "- **Group:** correctness (default severity: error)\n",
        "- **Reads:** remote vnet, `useRemoteGateways`, gateway placement\n",
        "- **Azure error code:** `RemoteVnetHasNoGateways`\n",
        "- **Source:** [`rules/remote_gateway_missing.rs`](../../rules/remote_gateway_missing.rs)\n",
        "\n## How to fix\n",
    ] {
        assert!(page.contains(line), "no {line:?} in\n{page}");
    }
    // The Source link points at the rule's file.
    for r in ALL {
        assert!(Path::new(docs::source_file(r.meta())).is_file());
    }
    let index = docs::index(ALL);
    for r in ALL {
        let m = r.meta();
        assert!(index.contains(&format!("| [`{0}`]({0}.md) |", m.name)));
    }
}

#[test]
fn azure_error_codes_are_read_from_the_docs() {
    use peerlint::render::docs::azure_error_codes;
    let codes = |name: &str| {
        let r = ALL.iter().find(|r| r.meta().name == name).unwrap();
        azure_error_codes(r.meta().docs)
    };
    assert_eq!(
        codes("invalid-address-prefix"),
        ["InvalidAddressPrefixFormat", "InvalidCIDRNotation"]
    );
    assert_eq!(codes("overlapping-subnets"), ["NetcfgSubnetRangesOverlap"]);
    assert_eq!(
        codes("peering-not-connected"),
        ["RemotePeeringIsDisconnected"]
    );
    assert_eq!(
        codes("duplicate-remote-peering"),
        ["AnotherPeeringAlreadyReferencesRemoteVnet"]
    );
    assert!(codes("missing-reverse-peering").is_empty());
    // Every code read is one the facts name (a stray PascalCase word would be a false code).
    let facts = std::fs::read_to_string("../shared/design/azure-peering-facts.md")
        .expect("../shared/design/azure-peering-facts.md");
    for r in ALL {
        for code in azure_error_codes(r.meta().docs) {
            assert!(
                facts.contains(&format!("`{code}`")),
                "{}: `{code}` is not an Azure error code of the facts",
                r.meta().name
            );
        }
    }
}

#[test]
fn man_pages_are_current() {
    // The pages of `peerlint` and of each subcommand, as clap_mangen writes them.
    let mut cmd = peerlint::cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut expected = Vec::new();
    fn add(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut page = Vec::new();
        man.render(&mut page).unwrap();
        out.push((man.get_filename(), String::from_utf8(page).unwrap()));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            add(sub, out);
        }
    }
    add(&cmd, &mut expected);
    let names: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"peerlint.1") && names.contains(&"peerlint-check.1"),
        "{names:?}"
    );
    let stale = generated("docs/man", ".1", &expected);
    assert!(
        stale.is_empty(),
        "stale man pages (run `UPDATE_DOCS=1 cargo test --test registry`):\n{}",
        stale.join("\n")
    );
}
