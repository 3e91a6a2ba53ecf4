//! `Get-AzVirtualNetwork | ConvertTo-Json -Depth 10`: PascalCase, flattened, subnet
//! `AddressPrefix` is a list. With the default `-Depth 2`, nested objects are replaced by
//! their .NET type names; such an export is reported and not loaded, since loading it would
//! look like vnets without subnets or peerings.

use super::resource::Extractor;
use crate::id::ArmId;
use crate::model::Problem;
use crate::tree::{Kind, NodeId, Tree};

pub fn load(x: &mut Extractor<'_, Tree>, root: NodeId) {
    if let Some(at) = truncated_at(x, root) {
        let type_name = x.tree.str(at).unwrap_or_default().to_string();
        let vnet = vnet_around(x.tree, at).unwrap_or_default();
        x.b.problem_of(
            &vnet,
            Problem::Truncated {
                loc: x.loc(at),
                type_name,
            },
        );
        x.found += 1; // recognised, though not loaded
        return;
    }
    super::one_or_many(x, root);
}

/// The id of the vnet whose object holds `n`: the nearest enclosing object with the `Id` of a
/// virtual network.
fn vnet_around(t: &Tree, n: NodeId) -> Option<String> {
    let mut at = t.parent(n);
    while let Some(o) = at {
        if let Some(id) = t.get_str(o, "Id")
            && ArmId::parse(id).is_ok_and(|a| a.is_type("Microsoft.Network", &["virtualNetworks"]))
        {
            return Some(id.to_string());
        }
        at = t.parent(o);
    }
    None
}

/// The first string that is a .NET type name standing in for a nested object.
fn truncated_at(x: &Extractor<'_, Tree>, root: NodeId) -> Option<NodeId> {
    let t = x.tree;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match t.kind(n) {
            Kind::String => {
                let s = t.str(n).unwrap_or_default();
                if is_type_name(s) {
                    return Some(n);
                }
            }
            Kind::Array | Kind::Object => {
                let children: Vec<NodeId> = t.children(n).collect();
                stack.extend(children.into_iter().rev());
            }
            _ => {}
        }
    }
    None
}

/// A .NET type name as `ToString()` prints it: `Microsoft.Azure.Commands.Network.Models.PSAddressSpace`,
/// ``System.Collections.Generic.List`1[Microsoft.Azure.Commands.Network.Models.PSSubnet]``.
fn is_type_name(s: &str) -> bool {
    (s.starts_with("Microsoft.Azure.Commands.") || s.starts_with("System.Collections."))
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '`' | '[' | ']' | '_' | ','))
}
