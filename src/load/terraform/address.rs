//! Terraform addresses and references as `terraform show -json` writes them: resource
//! instance addresses (`module.spoke["a"].azurerm_virtual_network.this[0]`) and the
//! `references` of a configuration expression (`module.hub.vnet_id`, `var.ids["a"]`,
//! `each.key`), parsed into steps.

use std::fmt::Write;

/// An instance key: `["a"]` (`for_each`) or `[0]` (`count`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Str(String),
    Int(i64),
}

impl Key {
    /// As Terraform writes it inside brackets: `"a"`, `0`.
    pub fn render(&self, out: &mut String) {
        match self {
            Key::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Key::Int(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }
    /// The key as a value: a string, or a number's text.
    pub fn text(&self) -> String {
        match self {
            Key::Str(s) => s.clone(),
            Key::Int(n) => n.to_string(),
        }
    }
}

/// One step of a reference after its root name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `.name`
    Attr(String),
    /// `["a"]`, `[0]`
    Index(Key),
    /// `[...]`: an index Terraform didn't write out.
    Opaque,
}

/// A reference: its root name (`azurerm_virtual_network`, `module`, `var`, `each`, `data`...)
/// and the steps after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub root: String,
    pub steps: Vec<Step>,
}

impl Ref {
    pub fn attr(&self, i: usize) -> Option<&str> {
        match self.steps.get(i) {
            Some(Step::Attr(a)) => Some(a),
            _ => None,
        }
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Parses a reference or an address: a name, then `.name`, `["key"]`, `[0]` or `[...]` steps.
pub fn parse_ref(text: &str) -> Option<Ref> {
    let b = text.as_bytes();
    let mut i = 0;
    let ident = |i: &mut usize| -> Option<String> {
        let start = *i;
        if *i >= b.len() || !is_ident_start(b[*i]) {
            return None;
        }
        while *i < b.len() && is_ident(b[*i]) {
            *i += 1;
        }
        Some(text[start..*i].to_string())
    };
    let root = ident(&mut i)?;
    let mut steps = Vec::new();
    while i < b.len() {
        match b[i] {
            b'.' => {
                i += 1;
                steps.push(Step::Attr(ident(&mut i)?));
            }
            b'[' => {
                i += 1;
                if text[i..].starts_with("...]") {
                    i += 4;
                    steps.push(Step::Opaque);
                    continue;
                }
                if b.get(i) == Some(&b'"') {
                    i += 1;
                    let mut s = String::new();
                    loop {
                        let c = *b.get(i)?;
                        match c {
                            b'"' => {
                                i += 1;
                                break;
                            }
                            b'\\' => {
                                let e = *b.get(i + 1)?;
                                s.push(match e {
                                    b'n' => '\n',
                                    b't' => '\t',
                                    other => other as char,
                                });
                                i += 2;
                            }
                            _ => {
                                let ch = text[i..].chars().next()?;
                                s.push(ch);
                                i += ch.len_utf8();
                            }
                        }
                    }
                    steps.push(Step::Index(Key::Str(s)));
                } else {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'-') {
                        i += 1;
                    }
                    let n: i64 = text[start..i].parse().ok()?;
                    steps.push(Step::Index(Key::Int(n)));
                }
                if b.get(i) != Some(&b']') {
                    return None;
                }
                i += 1;
            }
            _ => return None,
        }
    }
    Some(Ref { root, steps })
}

/// A module instance: the calls from the root, each with its instance key.
pub type ModulePath = Vec<(String, Option<Key>)>;

/// A resource instance's address, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub module: ModulePath,
    pub data: bool,
    pub ty: String,
    pub name: String,
    pub key: Option<Key>,
}

impl Address {
    /// Parses `module.a["k"].data.azurerm_x.n[0]`.
    pub fn parse(text: &str) -> Option<Address> {
        let r = parse_ref(text)?;
        let mut parts = std::iter::once(Step::Attr(r.root))
            .chain(r.steps)
            .peekable();
        let mut module = Vec::new();
        let mut data = false;
        loop {
            let Some(Step::Attr(first)) = parts.next() else {
                return None;
            };
            if first == "module" {
                let Some(Step::Attr(call)) = parts.next() else {
                    return None;
                };
                let key = match parts.peek() {
                    Some(Step::Index(_)) => match parts.next() {
                        Some(Step::Index(k)) => Some(k),
                        _ => None,
                    },
                    _ => None,
                };
                module.push((call, key));
                continue;
            }
            let ty = if first == "data" {
                data = true;
                match parts.next() {
                    Some(Step::Attr(t)) => t,
                    _ => return None,
                }
            } else {
                first
            };
            let Some(Step::Attr(name)) = parts.next() else {
                return None;
            };
            let key = match parts.next() {
                Some(Step::Index(k)) => Some(k),
                None => None,
                _ => return None,
            };
            if parts.next().is_some() {
                return None;
            }
            return Some(Address {
                module,
                data,
                ty,
                name,
                key,
            });
        }
    }

    /// The canonical text (`module.a["k"].azurerm_x.n[0]`).
    pub fn render(&self) -> String {
        let mut s = module_prefix(&self.module);
        if self.data {
            s.push_str("data.");
        }
        s.push_str(&self.ty);
        s.push('.');
        s.push_str(&self.name);
        if let Some(k) = &self.key {
            s.push('[');
            k.render(&mut s);
            s.push(']');
        }
        s
    }

    /// The resource in its module, without the instance key (`azurerm_x.n`, `data.azurerm_x.n`):
    /// how the configuration names it.
    pub fn config_name(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.ty, self.name)
        } else {
            format!("{}.{}", self.ty, self.name)
        }
    }
}

/// `module.a["k"].module.b.` for a module instance (empty for the root).
pub fn module_prefix(path: &[(String, Option<Key>)]) -> String {
    let mut s = String::new();
    for (call, key) in path {
        s.push_str("module.");
        s.push_str(call);
        if let Some(k) = key {
            s.push('[');
            k.render(&mut s);
            s.push(']');
        }
        s.push('.');
    }
    s
}

/// The references of one expression, grouped: Terraform writes each reference in full and
/// then each shorter form of it (`module.hub.vnet_id`, `module.hub`); a group is one
/// reference, its first (longest) form first.
pub fn group_refs(refs: &[&str]) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    let mut last: Option<&str> = None;
    for &r in refs {
        let continues = last.is_some_and(|prev| {
            prev.len() > r.len()
                && prev.starts_with(r)
                && matches!(prev.as_bytes()[r.len()], b'.' | b'[')
        });
        if !continues {
            groups.push(r.to_string());
        }
        last = Some(r);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in [
            "azurerm_virtual_network.hub",
            "module.spoke[\"a\"].azurerm_virtual_network.this",
            "module.x[0].module.y.data.azurerm_virtual_network.ad",
            "azurerm_virtual_network_peering.mesh[\"a-to-b\"]",
            "azurerm_subnet.s[2]",
        ] {
            let a = Address::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(a.render(), text);
        }
        let a = Address::parse("module.x[0].module.y.data.azurerm_virtual_network.ad").unwrap();
        assert!(a.data);
        assert_eq!(a.config_name(), "data.azurerm_virtual_network.ad");
        assert_eq!(
            a.module,
            vec![("x".into(), Some(Key::Int(0))), ("y".into(), None)]
        );
        assert!(Address::parse("module.x").is_none());
        assert!(Address::parse("azurerm_x").is_none());
    }

    #[test]
    fn references_parse_into_steps() {
        let r = parse_ref("module.hub_mesh.virtual_networks[\"eastus-hub\"].id").unwrap();
        assert_eq!(r.root, "module");
        assert_eq!(
            r.steps,
            vec![
                Step::Attr("hub_mesh".into()),
                Step::Attr("virtual_networks".into()),
                Step::Index(Key::Str("eastus-hub".into())),
                Step::Attr("id".into()),
            ]
        );
        let r = parse_ref("var.x[...].y").unwrap();
        assert_eq!(r.steps[1], Step::Opaque);
        assert_eq!(
            parse_ref("local.k[\"a\\\"b\"]").unwrap().steps[1],
            Step::Index(Key::Str("a\"b".into()))
        );
        assert!(parse_ref("a.").is_none());
        assert!(parse_ref("a[\"x").is_none());
    }

    #[test]
    fn references_group_by_their_longest_form() {
        let refs = [
            "module.spoke1.vnet_id",
            "module.spoke1",
            "azurerm_virtual_network.spoke",
            "each.key",
            "azurerm_virtual_network.hub.id",
            "azurerm_virtual_network.hub",
        ];
        assert_eq!(
            group_refs(&refs),
            [
                "module.spoke1.vnet_id",
                "azurerm_virtual_network.spoke",
                "each.key",
                "azurerm_virtual_network.hub.id"
            ]
        );
    }
}
