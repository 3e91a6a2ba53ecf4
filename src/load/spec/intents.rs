//! Intents: `allow`/`deny` between endpoints (vnets, `vnet/subnet`s, CIDRs), for the graph.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Loader;
use crate::model::{
    Endpoint, Intent, IntentKind, Loc, SpecField, SpecPlace, SpecProblem, SpecValue,
};
use crate::tree::{Kind, NodeId};

const INTENT: &[&str] = &["allow", "deny", "why"];
const ENDS: &[&str] = &["from", "to"];

impl Loader<'_> {
    pub(super) fn intent(&mut self, item: NodeId) {
        let t = self.t;
        if t.kind(item) != Kind::Object {
            let loc = self.loc(item);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::Intent,
            });
            return;
        }
        self.keys(item, INTENT, SpecPlace::Intent);
        let (kind, body) = match (t.get(item, "allow"), t.get(item, "deny")) {
            (Some(b), None) => (IntentKind::Allow, b),
            (None, Some(b)) => (IntentKind::Deny, b),
            _ => {
                let loc = self.loc(item);
                self.problem(SpecProblem::Missing {
                    loc,
                    field: SpecField::AllowOrDeny,
                });
                return;
            }
        };
        if t.kind(body) != Kind::Object {
            let loc = self.loc(body);
            self.problem(SpecProblem::WrongForm {
                loc,
                value: SpecValue::IntentBody,
            });
            return;
        }
        self.keys(body, ENDS, SpecPlace::Intent);
        let why = self.string(item, "why").map(|(s, _)| s);
        let (Some(from), Some(to)) = (t.get(body, "from"), t.get(body, "to")) else {
            let loc = self.loc(body);
            self.problem(SpecProblem::Missing {
                loc,
                field: SpecField::FromAndTo,
            });
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
                let loc = self.loc(i);
                self.problem(SpecProblem::WrongForm {
                    loc,
                    value: SpecValue::Endpoint,
                });
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
