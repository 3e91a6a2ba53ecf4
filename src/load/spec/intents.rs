//! Intents: `allow`/`deny` between endpoints (vnets, `vnet/subnet`s, CIDRs), for the graph.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Loader;
use crate::model::{Endpoint, Intent, IntentKind, Loc};
use crate::tree::{Kind, NodeId};

const INTENT: &[&str] = &["allow", "deny", "why"];
const ENDS: &[&str] = &["from", "to"];

impl Loader<'_> {
    pub(super) fn intent(&mut self, item: NodeId) {
        let t = self.t;
        if t.kind(item) != Kind::Object {
            self.problem(
                item,
                "an intent should be `allow: {from, to}` or `deny: {from, to}`".into(),
                "expected a mapping",
            );
            return;
        }
        self.keys(item, INTENT, "an intent");
        let (kind, body) = match (t.get(item, "allow"), t.get(item, "deny")) {
            (Some(b), None) => (IntentKind::Allow, b),
            (None, Some(b)) => (IntentKind::Deny, b),
            _ => {
                self.problem(
                    item,
                    "an intent has exactly one of `allow` and `deny`".into(),
                    "expected `allow` or `deny`",
                );
                return;
            }
        };
        if t.kind(body) != Kind::Object {
            self.problem(
                body,
                "`allow`/`deny` should be a mapping with `from` and `to`".into(),
                "expected a mapping",
            );
            return;
        }
        self.keys(body, ENDS, "an intent");
        let why = self.string(item, "why").map(|(s, _)| s);
        let (Some(from), Some(to)) = (t.get(body, "from"), t.get(body, "to")) else {
            self.problem(
                body,
                "an intent needs `from` and `to`".into(),
                "missing `from` or `to`",
            );
            return;
        };
        let from = self.endpoints(from);
        let to = self.endpoints(to);
        if from.is_empty() || to.is_empty() {
            return;
        }
        let loc = self.loc(item);
        self.b.intent(Intent {
            kind,
            from,
            to,
            why,
            loc,
        });
    }

    /// `from`/`to`: one endpoint or a list.
    fn endpoints(&mut self, n: NodeId) -> Vec<(Endpoint, Loc)> {
        let t = self.t;
        let items: Vec<NodeId> = if t.kind(n) == Kind::Array {
            t.children(n).collect()
        } else {
            vec![n]
        };
        let mut out = Vec::new();
        for i in items {
            let Some(s) = t.str(i) else {
                self.problem(
                    i,
                    "an endpoint is a vnet, `vnet/subnet` or a CIDR".into(),
                    "expected a string",
                );
                continue;
            };
            let e = if let Ok(net) = s.parse::<IpNet>() {
                Endpoint::Prefix(net)
            } else if let Ok(ip) = s.parse::<IpAddr>() {
                Endpoint::Prefix(IpNet::from(ip))
            } else if let Some((v, sub)) = s.split_once('/').filter(|_| !s.starts_with('/')) {
                Endpoint::Subnet(v.to_string(), sub.to_string())
            } else {
                Endpoint::Vnet(s.to_string())
            };
            out.push((e, self.loc(i)));
        }
        out
    }
}
