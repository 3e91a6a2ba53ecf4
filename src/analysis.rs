//! What several rules ask of one run's graph, computed once: the reachability engine's lookups,
//! the answers to the design spec's intents and the routes to appliances.
//!
//! The engine makes one [`Analyses`] per run, next to the graph, and every rule reaches it
//! through its [`crate::rule::RuleContext`]. Each part is built on first use and at most once,
//! so a run without routes or intents builds none of them.

use std::net::IpAddr;
use std::sync::OnceLock;

use ipnet::IpNet;

use crate::graph::Graph;
use crate::model::{Endpoint, Intent, IntentKind, Loc, Route, VnetId};
use crate::reach::{Answer, Index, NextHop, Reach, Source};

/// The shared analyses of one graph.
pub struct Analyses<'g> {
    g: &'g Graph,
    index: OnceLock<Index>,
    intent_checks: OnceLock<Vec<IntentCheck<'g>>>,
    appliance_routes: OnceLock<Vec<ApplianceRoute<'g>>>,
}

/// The answer to one pair of an intent.
pub struct IntentCheck<'g> {
    pub intent: &'g Intent,
    pub from: (&'g Endpoint, Loc),
    pub to: (&'g Endpoint, Loc),
    pub source: Source,
    pub answer: Answer,
    /// The destination prefix the answer is about.
    pub dest: IpNet,
}

/// A user-defined route of a defined vnet's subnet that sends traffic to an appliance address
/// some vnet holds.
#[derive(Clone, Copy, Debug)]
pub struct ApplianceRoute<'g> {
    /// The vnet whose subnet uses the route.
    pub vnet: VnetId,
    pub route: &'g Route,
    /// The appliance's address (the route's next hop).
    pub ip: IpAddr,
    /// The vnet holding that address (see [`Reach::hop_owner`]).
    pub appliance_vnet: VnetId,
}

impl<'g> Analyses<'g> {
    /// Nothing is computed until asked for.
    pub fn new(g: &'g Graph) -> Analyses<'g> {
        Analyses {
            g,
            index: OnceLock::new(),
            intent_checks: OnceLock::new(),
            appliance_routes: OnceLock::new(),
        }
    }

    pub fn graph(&self) -> &'g Graph {
        self.g
    }

    /// The reachability engine, sharing one set of lookups (built on the first that needs them).
    pub fn reach(&self) -> Reach<'_> {
        Reach::new(self.g, &self.index)
    }

    /// Every (from, to) pair of every intent whose endpoints resolve, with its answer.
    pub fn intent_checks(&self) -> &[IntentCheck<'g>] {
        self.intent_checks.get_or_init(|| {
            #[cfg(test)]
            tests::built(tests::Built::IntentChecks);
            check_intents(self.g, self.reach())
        })
    }

    /// Every route of the defined vnets' subnets to an appliance address some vnet holds, in
    /// vnet and subnet order; a route shared by several subnets of a vnet is listed once.
    pub fn appliance_routes(&self) -> &[ApplianceRoute<'g>] {
        self.appliance_routes.get_or_init(|| {
            #[cfg(test)]
            tests::built(tests::Built::ApplianceRoutes);
            appliance_routes(self.g, self.reach())
        })
    }
}

/// For an `allow`, the first destination prefix that certainly isn't reached (else one whose
/// answer is unknown, else the last one reached); for a `deny`, the first one that is reached
/// (else the last one). An intent naming a vnet is answered about that vnet, even where
/// another one holds the same prefixes.
fn check_intents<'g>(g: &'g Graph, r: Reach<'_>) -> Vec<IntentCheck<'g>> {
    let mut out = Vec::new();
    for intent in g.intents() {
        for (from, floc) in &intent.from {
            let Ok(source) = r.source(from) else { continue };
            for (to, tloc) in &intent.to {
                let Ok(dests) = r.destination(to) else {
                    continue;
                };
                let mut chosen: Option<(Answer, IpNet)> = None;
                for d in dests.nets {
                    let answer = r.reach_to(source, d, dests.vnet);
                    let decisive = match intent.kind {
                        IntentKind::Allow => answer.path.is_none() && !answer.is_unknown(),
                        IntentKind::Deny => answer.path.is_some(),
                    };
                    // An unknown answer is kept over a later path: the allow isn't confirmed.
                    let keep = chosen
                        .as_ref()
                        .is_some_and(|(c, _)| c.is_unknown() && answer.path.is_some());
                    if !keep {
                        chosen = Some((answer, d));
                    }
                    if decisive {
                        break;
                    }
                }
                if let Some((answer, dest)) = chosen {
                    out.push(IntentCheck {
                        intent,
                        from: (from, *floc),
                        to: (to, *tloc),
                        source,
                        answer,
                        dest,
                    });
                }
            }
        }
    }
    out
}

fn appliance_routes<'g>(g: &'g Graph, r: Reach<'_>) -> Vec<ApplianceRoute<'g>> {
    if g.route_tables().is_empty() {
        return Vec::new(); // and the lookups stay unbuilt
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (a, v) in g.defined_vnets() {
        // Subnets sharing a route table share its routes: each table is read once per vnet.
        let mut tables = std::collections::HashSet::new();
        for si in 0..v.subnets.len() {
            if let Some((table, _)) = &v.subnets[si].route_table
                && !tables.insert(table.to_ascii_lowercase())
            {
                continue;
            }
            for id in r.routes(Source {
                vnet: a,
                subnet: Some(si),
            }) {
                let route = g.route(id);
                let appliance = NextHop::of(route) == NextHop::Appliance;
                let ip = route
                    .next_hop_ip
                    .as_ref()
                    .and_then(|(ip, _)| ip.parse().ok());
                if let (true, Some(ip)) = (appliance, ip)
                    && let Some(b) = r.hop_owner(a, ip)
                    && seen.insert((a, route.loc, route.name.as_str()))
                {
                    out.push(ApplianceRoute {
                        vnet: a,
                        route,
                        ip,
                        appliance_vnet: b,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;

    use super::Analyses;
    use crate::discover::{Input, Origin};
    use crate::rule::RuleContext;
    use crate::rules::ALL;

    #[derive(Clone, Copy)]
    pub(super) enum Built {
        IntentChecks,
        ApplianceRoutes,
    }

    thread_local! {
        /// How often this thread built each analysis: (intent checks, appliance routes).
        static BUILT: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
    }

    pub(super) fn built(what: Built) {
        BUILT.with(|b| {
            let (i, r) = b.get();
            b.set(match what {
                Built::IntentChecks => (i + 1, r),
                Built::ApplianceRoutes => (i, r + 1),
            });
        });
    }

    fn take_built() -> (u32, u32) {
        BUILT.with(|b| b.replace((0, 0)))
    }

    fn inputs(files: &[&str]) -> Vec<Input> {
        files
            .iter()
            .map(|f| Input {
                display: f.to_string(),
                origin: Origin::File(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)),
                explicit: true,
            })
            .collect()
    }

    /// Intents and routes to appliances, each read by several rules of one run.
    const BOTH: &[&str] = &[
        "testdata/rules/transitive-peering-assumed/firewall-without-return-route.yaml",
        "testdata/rules/transitive-peering-assumed/next-hop-two-hops-away.yaml",
        "testdata/rules/forwarded-traffic-blocked/hub-and-spoke-forwarding-off.yaml",
        "testdata/rules/intent-violated/deny-over-direct-peering.yaml",
    ];

    #[test]
    fn a_run_builds_the_intent_checks_and_the_appliance_routes_once() {
        take_built();
        // On this thread (the count is per thread); with several, `OnceLock` builds each once.
        let one = crate::load::Options {
            threads: 1,
            ..Default::default()
        };
        let o = crate::engine::run_with(&inputs(BOTH), &mut std::io::empty(), ALL, &one);
        for rule in [
            "transitive-peering-assumed",
            "intent-violated",
            "forwarded-traffic-blocked",
        ] {
            assert!(
                o.diagnostics.iter().any(|d| d.rule == rule),
                "the inputs should make {rule} report"
            );
        }
        assert_eq!(take_built(), (1, 1));
    }

    #[test]
    fn rules_sharing_one_analyses_build_nothing_twice_and_nothing_unneeded() {
        take_built();
        let o = crate::engine::run(&inputs(BOTH), &mut std::io::empty(), &[]);
        let an = Analyses::new(&o.graph);
        for rule in ALL {
            rule.check(&mut RuleContext::new(&an));
        }
        assert_eq!(take_built(), (1, 1));
        assert!(an.index.get().is_some());

        // No routes and no intents: the rules that would use them build no lookups.
        let o = crate::engine::run(
            &inputs(&["testdata/demo/hub.json", "testdata/demo/spokes.json"]),
            &mut std::io::empty(),
            &[],
        );
        assert!(o.graph.intents().is_empty() && o.graph.route_tables().is_empty());
        let an = Analyses::new(&o.graph);
        for rule in ALL {
            rule.check(&mut RuleContext::new(&an));
        }
        assert!(an.index.get().is_none(), "the lookups were built");
    }
}
