use std::collections::HashMap;

use ipnet::IpNet;

use crate::analysis::ApplianceRoute;
use crate::graph::Graph;
use crate::model::{PeeringId, VnetId};
use crate::prefix::{LISTED, bounds};
use crate::rule::{Finding, Rule, RuleContext};

crate::declare_rule! {
    /// ## What it does
    /// Reports a route that sends traffic for another peered vnet to an appliance (NVA, Azure
    /// Firewall) in a peered vnet, while a link the forwarded traffic enters through has
    /// `allowForwardedTraffic` false: the destination's link to the appliance's vnet, or, for
    /// the replies, the source's own link to it. Default routes (`0.0.0.0/0`, egress through
    /// a hub firewall) are not checked: that pattern works with the flag off. Each link is
    /// reported once, with the first route that needs it, and how many more do.
    ///
    /// ## Why is this bad?
    /// Traffic an appliance forwards keeps its original source address; a peering without
    /// `allowForwardedTraffic` drops it. The route deploys, and the traffic silently doesn't
    /// flow.
    ///
    /// ## Example
    /// ```yaml
    /// topology:
    ///   - hub_and_spoke: { hub: hub, spokes: [spoke1, spoke2], forwarded_traffic: false }
    /// vnets:
    ///   spoke1: { subnets: { app: { prefixes: [10.1.1.0/24], routes: { spoke2: hub/fw } } } }
    /// ```
    ///
    /// ## How to fix
    /// Set `allowForwardedTraffic: true` on the peerings of the vnets behind the appliance.
    pub ForwardedTrafficBlocked {
        name: "forwarded-traffic-blocked",
        group: Suspicious,
        summary: "a route to an appliance in a peered vnet whose forwarded traffic a link drops",
        needs: [AddressSpace, Subnets, Peerings, RemoteVnet],
    }
}

/// The address spaces of an appliance vnet's neighbours, to find those a route's destination
/// reaches without looking at every neighbour for every route.
struct Behind {
    /// (family, first address, length) of each space prefix, and its vnet, sorted.
    sorted: Vec<((bool, u128, u8), VnetId)>,
}

impl Behind {
    fn new(g: &Graph, b: VnetId) -> Behind {
        let mut sorted: Vec<((bool, u128, u8), VnetId)> = g
            .neighbours(b)
            .into_iter()
            .flat_map(|c| {
                g.vnet(c).space_nets().map(move |n| {
                    let (v6, lo, _) = bounds(&n);
                    ((v6, lo, n.prefix_len()), c)
                })
            })
            .collect();
        sorted.sort_unstable();
        Behind { sorted }
    }

    /// The neighbours with a space prefix overlapping `dest`, each once, in id order: those
    /// starting inside it (inside it, or containing it from its first address), then those
    /// containing it from further down, one lookup per shorter length.
    fn in_range(&self, dest: IpNet) -> Vec<VnetId> {
        let (v6, lo, hi) = bounds(&dest);
        let from = self.sorted.partition_point(|&(k, _)| k < (v6, lo, 0));
        let to = self
            .sorted
            .partition_point(|&(k, _)| k <= (v6, hi, u8::MAX));
        let mut out: Vec<VnetId> = self.sorted[from..to].iter().map(|&(_, c)| c).collect();
        for len in 0..dest.prefix_len() {
            let outer = IpNet::new(dest.addr(), len).expect("shorter").trunc();
            let key = (v6, bounds(&outer).1, len);
            let at = self.sorted.partition_point(|&(k, _)| k < key);
            out.extend(
                self.sorted[at..]
                    .iter()
                    .take_while(|&&(k, _)| k == key)
                    .map(|&(_, c)| c),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Rule for ForwardedTrafficBlocked {
    fn check(&self, cx: &mut RuleContext<'_>) {
        let g = cx.graph();
        let r = cx.reach();
        let routes = cx.appliance_routes();
        // Routes to an appliance by its vnet and their destination, in input order: they
        // reach the same vnets behind the appliance.
        // (route index, its vnet, its vnet's link to the appliance's vnet)
        type Member = (usize, VnetId, PeeringId);
        let mut groups: Vec<((VnetId, IpNet), Vec<Member>)> = Vec::new();
        let mut group_of: HashMap<(VnetId, IpNet), usize> = HashMap::new();
        for (
            i,
            &ApplianceRoute {
                vnet: a,
                route,
                appliance_vnet: b,
                ..
            },
        ) in routes.iter().enumerate()
        {
            let Some(dest) = route.prefix.as_ref().and_then(|p| p.net()) else {
                continue;
            };
            if dest.prefix_len() == 0 {
                continue; // egress through a hub firewall
            }
            let Some((ab, _)) = (b != a).then(|| r.connected(a, b)).flatten() else {
                continue;
            };
            let k = *group_of.entry((b, dest)).or_insert_with(|| {
                groups.push(((b, dest), Vec::new()));
                groups.len() - 1
            });
            groups[k].1.push((i, a, ab));
        }
        // Per link that drops forwarded traffic: the routes that need it (the first LISTED,
        // in input order) and how many.
        let blocks = |p: PeeringId| {
            let peering = g.peering(p);
            !(peering.allow_forwarded_traffic.value || peering.allow_forwarded_traffic.unresolved)
        };
        let mut needed: Vec<(PeeringId, Vec<usize>, usize)> = Vec::new();
        let mut needed_at: HashMap<PeeringId, usize> = HashMap::new();
        let mut need = |p: PeeringId, first: &mut dyn Iterator<Item = usize>, count: usize| {
            let k = *needed_at.entry(p).or_insert_with(|| {
                needed.push((p, Vec::new(), 0));
                needed.len() - 1
            });
            let (_, listed, n) = &mut needed[k];
            listed.extend(first.take(LISTED));
            listed.sort_unstable();
            listed.truncate(LISTED);
            *n += count;
        };
        let mut behind: HashMap<VnetId, Behind> = HashMap::new();
        for ((b, dest), members) in &groups {
            // The vnets the routes reach through the appliance: peered with it, in range.
            let behind = behind.entry(*b).or_insert_with(|| Behind::new(g, *b));
            let reached: Vec<(VnetId, PeeringId)> = behind
                .in_range(*dest)
                .into_iter()
                .filter_map(|c| Some((c, r.connected(*b, c)?.1)))
                .collect();
            // Each route's own link to the appliance's vnet carries the replies, when
            // something other than its own vnet is behind the appliance.
            for &(i, a, ab) in members {
                let other = reached.len() > 1 || reached.first().is_some_and(|&(c, _)| c != a);
                if other && blocks(ab) {
                    need(ab, &mut std::iter::once(i), 1);
                }
            }
            // Each reached vnet's link carries the requests of every route but its own.
            let mut routes_of: HashMap<VnetId, usize> = HashMap::new();
            for m in members {
                *routes_of.entry(m.1).or_insert(0) += 1;
            }
            for &(c, cb) in &reached {
                let from_c = routes_of.get(&c).copied().unwrap_or(0);
                if from_c == members.len() || !blocks(cb) {
                    continue;
                }
                let mut first = members.iter().filter(|m| m.1 != c).map(|m| m.0);
                need(cb, &mut first, members.len() - from_c);
            }
        }
        for (p, listed, count) in needed {
            let peering = g.peering(p);
            let into = &g.vnet(peering.local).name;
            let first = &routes[listed[0]];
            let dest = first
                .route
                .prefix
                .as_ref()
                .and_then(|p| p.net())
                .expect("grouped by it");
            let more = match count - 1 {
                0 => String::new(),
                1 => "; 1 more route to the appliance needs it too".to_string(),
                n => format!("; {n} more routes to the appliance need it too"),
            };
            let mut f = Finding::new(
                &peering.id,
                format!(
                    "route `{}` of `{}` sends {dest} to the appliance {} in `{}`, but peering `{}` doesn't allow forwarded traffic, so `{into}` drops what the appliance forwards{more}",
                    first.route.name,
                    g.vnet(first.vnet).name,
                    first.ip,
                    g.vnet(first.appliance_vnet).name,
                    peering.name
                ),
                peering.flag_loc(&peering.allow_forwarded_traffic),
                "forwarded traffic not allowed",
            )
            .related(first.route.loc, "the route to the appliance");
            for &i in &listed[1..] {
                f = f.related(routes[i].route.loc, "another route to the appliance");
            }
            cx.report(f.help(format!(
                "set `allowForwardedTraffic: true` on `{}`",
                peering.name
            )));
        }
    }
}
