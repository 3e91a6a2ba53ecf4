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
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("the id is empty".into());
        }
        let Some(rest) = strip_prefix_ci(trimmed, "/subscriptions/") else {
            return Err("a resource id starts with `/subscriptions/`".into());
        };
        let segs: Vec<&str> = rest.split('/').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return Err("the id has an empty segment".into());
        }
        if segs.len() < 3 || !segs[1].eq_ignore_ascii_case("resourceGroups") {
            return Err("the id has no `/resourceGroups/{name}` segment".into());
        }
        if segs.len() < 5 || !segs[3].eq_ignore_ascii_case("providers") {
            return Err("the id has no `/providers/{namespace}` segment".into());
        }
        let namespace = segs[4];
        let tail = &segs[5..];
        if tail.is_empty() {
            return Err("the id names no resource type".into());
        }
        if tail.len() % 2 != 0 {
            return Err(format!(
                "resource type `{}` has no name",
                tail[tail.len() - 1]
            ));
        }
        Ok(ArmId {
            subscription: segs[0].to_string(),
            resource_group: segs[2].to_string(),
            namespace: namespace.to_string(),
            types: tail
                .chunks(2)
                .map(|c| (c[0].to_string(), c[1].to_string()))
                .collect(),
        })
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
