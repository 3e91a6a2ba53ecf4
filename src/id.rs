//! Azure resource ids: parsed into segments, compared case-insensitively (P25).

/// A parsed ARM resource id: `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArmId {
    pub subscription: String,
    pub resource_group: String,
    pub namespace: String,
    /// (type, name) pairs: `[("virtualNetworks", "vnet-hub"), ("virtualNetworkPeerings", "p")]`.
    pub types: Vec<(String, String)>,
}

impl ArmId {
    pub fn parse(text: &str) -> Result<ArmId, String> {
        IdRef::parse(text).map(IdRef::to_arm_id)
    }

    /// The canonical, lower-case comparison key.
    pub fn key(&self) -> String {
        self.display().to_ascii_lowercase()
    }

    /// The id truncated to its first `n` type/name pairs.
    pub fn ancestor(&self, n: usize) -> ArmId {
        ArmId {
            types: self.types[..n.min(self.types.len())].to_vec(),
            ..self.clone()
        }
    }

    pub fn is_type(&self, namespace: &str, types: &[&str]) -> bool {
        self.namespace.eq_ignore_ascii_case(namespace)
            && self.types.len() == types.len()
            && self
                .types
                .iter()
                .zip(types)
                .all(|((t, _), want)| t.eq_ignore_ascii_case(want))
    }

    pub fn name(&self) -> &str {
        self.types.last().map(|(_, n)| n.as_str()).unwrap_or("")
    }

    pub fn display(&self) -> String {
        let mut s = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{}",
            self.subscription, self.resource_group, self.namespace
        );
        for (t, n) in &self.types {
            s.push('/');
            s.push_str(t);
            s.push('/');
            s.push_str(n);
        }
        s
    }
}

/// An id's parts borrowed from its text: [`ArmId::parse`] without allocating (loading an
/// estate parses every id, issue 14). Accepts and rejects exactly what `ArmId::parse` does,
/// with the same reasons.
#[derive(Clone, Copy, Debug)]
pub struct IdRef<'a> {
    pub subscription: &'a str,
    pub resource_group: &'a str,
    pub namespace: &'a str,
    /// `type/name[/type/name]…`: an even number of non-empty segments, at least two.
    tail: &'a str,
}

impl<'a> IdRef<'a> {
    pub fn parse(text: &'a str) -> Result<IdRef<'a>, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("the id is empty".into());
        }
        let Some(rest) = strip_prefix_ci(trimmed, "/subscriptions/") else {
            return Err("a resource id starts with `/subscriptions/`".into());
        };
        // One pass over the segments: the first five, where the sixth starts, the last, and
        // how many there are.
        let mut head = [""; 5];
        let (mut count, mut tail_at) = (0usize, rest.len());
        let mut last;
        // Segments are short: a plain byte loop finds the next `/` faster than `split`'s
        // memchr.
        let bytes = rest.as_bytes();
        let mut at = 0;
        loop {
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(bytes.len(), |p| at + p);
            let seg = &rest[at..end];
            if seg.is_empty() {
                return Err("the id has an empty segment".into());
            }
            if count < 5 {
                head[count] = seg;
            } else if count == 5 {
                tail_at = at;
            }
            last = seg;
            count += 1;
            if end == bytes.len() {
                break;
            }
            at = end + 1;
        }
        if count < 3 || !head[1].eq_ignore_ascii_case("resourceGroups") {
            return Err("the id has no `/resourceGroups/<name>` segment".into());
        }
        if count < 5 || !head[3].eq_ignore_ascii_case("providers") {
            return Err("the id has no `/providers/<namespace>` segment".into());
        }
        let tail_len = count - 5;
        if tail_len == 0 {
            return Err("the id names no resource type".into());
        }
        if tail_len % 2 != 0 {
            return Err(format!("resource type `{last}` has no name"));
        }
        Ok(IdRef {
            subscription: head[0],
            resource_group: head[2],
            namespace: head[4],
            tail: &rest[tail_at..],
        })
    }

    /// The (type, name) pairs, in order.
    pub fn types(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let mut segs = self.tail.split('/');
        std::iter::from_fn(move || Some((segs.next()?, segs.next()?)))
    }

    /// [`ArmId::is_type`], without building the `ArmId`.
    pub fn is_type(&self, namespace: &str, types: &[&str]) -> bool {
        if !self.namespace.eq_ignore_ascii_case(namespace) {
            return false;
        }
        // One pass over the (type, name) pairs: each type as wanted, and no more pairs.
        let mut segs = self.tail.split('/');
        types.iter().all(|want| {
            let ty = segs.next();
            segs.next().is_some() && ty.is_some_and(|t| t.eq_ignore_ascii_case(want))
        }) && segs.next().is_none()
    }

    /// How many (type, name) pairs.
    pub fn depth(&self) -> usize {
        self.tail.split('/').count() / 2
    }

    /// [`ArmId::key`], built in one go.
    pub fn key(&self) -> String {
        let mut s = String::with_capacity(
            self.subscription.len()
                + self.resource_group.len()
                + self.namespace.len()
                + self.tail.len()
                + 43,
        );
        for part in [
            "/subscriptions/",
            self.subscription,
            "/resourceGroups/",
            self.resource_group,
            "/providers/",
            self.namespace,
            "/",
            self.tail,
        ] {
            s.push_str(part);
        }
        s.make_ascii_lowercase();
        s
    }

    /// The last name.
    pub fn name(&self) -> &'a str {
        self.tail.rsplit('/').next().unwrap_or("")
    }

    pub fn to_arm_id(self) -> ArmId {
        ArmId {
            subscription: self.subscription.to_string(),
            resource_group: self.resource_group.to_string(),
            namespace: self.namespace.to_string(),
            types: self
                .types()
                .map(|(t, n)| (t.to_string(), n.to_string()))
                .collect(),
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// What a `remoteVirtualNetwork.id` turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteKind {
    /// An ARM virtual network.
    Vnet(ArmId),
    /// A classic (ASM) virtual network.
    Classic(ArmId),
    /// Not a virtual network id; the reason.
    Invalid(String),
}

pub fn classify_remote(text: &str) -> RemoteKind {
    match ArmId::parse(text) {
        Err(reason) => RemoteKind::Invalid(reason),
        Ok(id) => {
            if id.is_type("Microsoft.Network", &["virtualNetworks"]) {
                RemoteKind::Vnet(id)
            } else if id.is_type("Microsoft.ClassicNetwork", &["virtualNetworks"]) {
                RemoteKind::Classic(id)
            } else if id.types.len() == 1 && id.types[0].0.eq_ignore_ascii_case("virtualNetworks") {
                RemoteKind::Invalid(format!(
                    "provider namespace `{}` is neither `Microsoft.Network` nor `Microsoft.ClassicNetwork`",
                    id.namespace
                ))
            } else {
                let ty = id
                    .types
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join("/");
                RemoteKind::Invalid(format!(
                    "`{}/{}` is not a virtual network type",
                    id.namespace, ty
                ))
            }
        }
    }
}

/// Whether a segment holds a placeholder for a value known only at deployment: `{name}`, as
/// the template evaluator and the design spec write them. A `${NAME}` token is not one: a
/// pipeline left it unsubstituted, and Azure would receive it as written.
pub fn has_placeholder(segment: &str) -> bool {
    let b = segment.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'{' && (i == 0 || b[i - 1] != b'$') && b[i..].contains(&b'}'))
}

/// Whether a text is a GUID (32 hex digits, hyphenated 8-4-4-4-12 or not), as a subscription
/// id is.
pub fn is_guid(s: &str) -> bool {
    let hex = |t: &str| t.bytes().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [one] => one.len() == 32 && hex(one),
        [a, b, c, d, e] => {
            [a.len(), b.len(), c.len(), d.len(), e.len()] == [8, 4, 4, 4, 12]
                && parts.iter().all(|p| hex(p))
        }
        _ => false,
    }
}

/// What Azure's naming rules reject in a virtual network id (P25): a subscription that isn't
/// a GUID; a resource group name that isn't 1–90 letters, digits, `_ - . ( )` or ends with
/// `.`; a vnet name that isn't 2–64 letters, digits, `_ . -` starting with a letter or digit
/// and ending with a letter, digit or `_`. Letters and digits are Unicode ones: ARM's own
/// check is Unicode-aware for both, and a name it accepts must never be an error here.
/// Segments holding a placeholder (see [`has_placeholder`]) are unknown, not checked.
pub fn name_problem(id: &ArmId) -> Option<String> {
    let sub = id.subscription.as_str();
    if !has_placeholder(sub) && !is_guid(sub) {
        return Some(format!("the subscription `{sub}` is not a GUID"));
    }
    let rg = id.resource_group.as_str();
    if !has_placeholder(rg) {
        let len = rg.chars().count();
        let bad = rg
            .chars()
            .find(|&c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')')));
        let why = if len > 90 {
            Some(format!("it is {len} characters long, more than 90"))
        } else if let Some(c) = bad {
            Some(format!(
                "`{c}` is not allowed (only letters, digits, `_`, `-`, `.`, `(` and `)`)"
            ))
        } else if rg.ends_with('.') {
            Some("it must not end with `.`".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Some(format!("resource group name `{rg}` is invalid: {why}"));
        }
    }
    let name = id.name();
    if !has_placeholder(name) {
        let len = name.chars().count();
        let bad = name
            .chars()
            .find(|&c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')));
        let first = name.chars().next().unwrap_or('-');
        let last = name.chars().last().unwrap_or('-');
        let why = if !(2..=64).contains(&len) {
            let unit = if len == 1 { "character" } else { "characters" };
            Some(format!("it is {len} {unit} long, not 2 to 64"))
        } else if let Some(c) = bad {
            Some(format!(
                "`{c}` is not allowed (only letters, digits, `_`, `.` and `-`)"
            ))
        } else if !first.is_alphanumeric() {
            Some("it must start with a letter or digit".to_string())
        } else if !(last.is_alphanumeric() || last == '_') {
            Some("it must end with a letter, digit or `_`".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Some(format!("vnet name `{name}` is invalid: {why}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_compares_case_insensitively() {
        let a = ArmId::parse("/subscriptions/S/resourceGroups/RG-HUB/providers/Microsoft.Network/virtualNetworks/Hub").unwrap();
        let b = ArmId::parse("/SUBSCRIPTIONS/s/resourcegroups/rg-hub/providers/microsoft.network/virtualnetworks/hub").unwrap();
        assert_eq!(a.key(), b.key());
        assert!(a.is_type("Microsoft.Network", &["virtualNetworks"]));
    }

    #[test]
    fn naming_rules_of_a_vnet_id() {
        let problem = |id: &str| name_problem(&ArmId::parse(id).unwrap());
        let id = |sub: &str, rg: &str, name: &str| {
            format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"
            )
        };
        let guid = "0f0e0d0c-0b0a-4909-8807-060504030201";
        assert_eq!(problem(&id(guid, "rg-hub", "vnet-hub")), None);
        assert_eq!(
            problem(&id("0F0E0D0C0B0A49098807060504030201", "rg", "v1")),
            None
        );
        assert_eq!(problem(&id(guid, "rg-(prod).eu", "vnet_")), None);
        assert_eq!(problem(&id(guid, "rg-Ünïcode", "vnet-Ünïcode")), None);
        assert_eq!(problem(&id(guid, &"r".repeat(90), &"v".repeat(64))), None);
        // Placeholders are unknown, never invalid; a `${...}` token is literal text.
        assert_eq!(
            problem(&id("{subscription}", "{resourceGroup-2}", "{hubName}")),
            None
        );
        assert_eq!(
            problem(&id(guid, "rg-{env}", "vnet-{uniqueString(|x)}-")),
            None
        );
        assert!(
            problem(&id("${HUB_SUBSCRIPTION_ID}", "rg", "vnet"))
                .unwrap()
                .contains("not a GUID")
        );
        assert!(problem(&id("subid", "rg", "vnet")).is_some());
        assert!(problem(&id(guid, "rg.", "vnet")).is_some());
        assert!(problem(&id(guid, "rg hub", "vnet")).is_some());
        assert!(problem(&id(guid, &"r".repeat(91), "vnet")).is_some());
        assert!(problem(&id(guid, "rg", "v")).is_some());
        assert!(problem(&id(guid, "rg", &"v".repeat(65))).is_some());
        assert!(problem(&id(guid, "rg", "vnet-")).is_some());
        assert!(problem(&id(guid, "rg", ".vnet")).is_some());
        assert!(problem(&id(guid, "rg", "vnet(1)")).is_some());
    }

    #[test]
    fn parse_reasons_and_borrowed_parts() {
        let err = |id: &str| ArmId::parse(id).unwrap_err();
        assert_eq!(err("  "), "the id is empty");
        assert_eq!(
            err("/subs/s"),
            "a resource id starts with `/subscriptions/`"
        );
        assert_eq!(err("/subscriptions/"), "the id has an empty segment");
        assert_eq!(err("/subscriptions/s//r"), "the id has an empty segment");
        assert_eq!(
            err("/subscriptions/s/resourceGroups/r/providers/N/t/n/"),
            "the id has an empty segment"
        );
        assert_eq!(
            err("/subscriptions/s/resourceGroup/r/providers/N/t/n"),
            "the id has no `/resourceGroups/<name>` segment"
        );
        assert_eq!(
            err("/subscriptions/s/resourceGroups"),
            "the id has no `/resourceGroups/<name>` segment"
        );
        assert_eq!(
            err("/subscriptions/s/resourceGroups/r/providers"),
            "the id has no `/providers/<namespace>` segment"
        );
        assert_eq!(
            err("/subscriptions/s/resourceGroups/r/providers/N"),
            "the id names no resource type"
        );
        assert_eq!(
            err("/subscriptions/s/resourceGroups/r/providers/N/a/b/c"),
            "resource type `c` has no name"
        );
        let id = ArmId::parse(
            " /SUBSCRIPTIONS/S/resourcegroups/RG/PROVIDERS/Microsoft.Network/virtualNetworks/Hub/virtualNetworkPeerings/P-1 ",
        )
        .unwrap();
        assert_eq!(
            (id.subscription.as_str(), id.resource_group.as_str()),
            ("S", "RG")
        );
        assert_eq!(id.namespace, "Microsoft.Network");
        let types = [
            ("virtualNetworks", "Hub"),
            ("virtualNetworkPeerings", "P-1"),
        ];
        let types = types.map(|(t, n)| (t.to_string(), n.to_string()));
        assert_eq!(id.types, types);
        for text in [
            "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/Hub",
            "/subscriptions/s/resourcegroups/r/providers/N/a/b/c/d/e/f",
            "/subscriptions/S/resourceGroups/Rg-Ünï/providers/N/virtualNetworks/V",
        ] {
            let (r, a) = (IdRef::parse(text).unwrap(), ArmId::parse(text).unwrap());
            assert_eq!(
                (r.key(), r.name(), r.depth()),
                (a.key(), a.name(), a.types.len())
            );
            for (ns, types) in [
                ("microsoft.network", &["VirtualNetworks"][..]),
                ("N", &["a", "b", "c"][..]),
                ("N", &["a", "c", "e"][..]),
                ("N", &["virtualNetworks"][..]),
            ] {
                assert_eq!(
                    r.is_type(ns, types),
                    a.is_type(ns, types),
                    "{text} {ns} {types:?}"
                );
            }
        }
    }

    #[test]
    fn remote_classification() {
        assert!(matches!(
            classify_remote("/subscriptions/s/resourceGroups/r/providers/Microsoft.Networks/virtualNetworks/v"),
            RemoteKind::Invalid(r) if r.contains("Microsoft.Networks")
        ));
        assert!(matches!(
            classify_remote(
                "/subscriptions/s/resourceGroups/r/providers/Microsoft.ClassicNetwork/virtualNetworks/v"
            ),
            RemoteKind::Classic(_)
        ));
        assert!(matches!(
            classify_remote("vnet-hub"),
            RemoteKind::Invalid(_)
        ));
        assert!(matches!(
            classify_remote("/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks"),
            RemoteKind::Invalid(r) if r.contains("no name")
        ));
        assert!(matches!(
            classify_remote(
                "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/n"
            ),
            RemoteKind::Invalid(_)
        ));
    }
}
