//! CIDR functions.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use ipnet::IpNet;

use super::{Call, want_int, want_str};
use crate::arm::eval::FnResult;
use crate::arm::value::Value;

/// `cidrSubnet(network, newPrefixLength, index)`.
pub(super) fn cidr_subnet(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let net = parse_net(want_str(&args[0], "the network")?)?;
    let len = want_int(&args[1], "the new prefix length")?;
    let index = want_int(&args[2], "the index")?;
    let max = if net.addr().is_ipv4() { 32 } else { 128 };
    if len < net.prefix_len() as i64 || len > max {
        return Err(format!(
            "the new prefix length {len} must lie between {} and {max}",
            net.prefix_len()
        ));
    }
    // The index-th subnet of that size from the network's start, computed (not counted:
    // indexes can be huge). Resource Manager doesn't keep it inside the network (PSRule's
    // `cidrSubnet('10.144.0.0/20', 20, 1)` is `10.144.16.0/20`); only the address space ends.
    let out_of_range = || format!("index {index} is out of range for /{len} subnets of {net}");
    let index = u128::try_from(index).map_err(|_| out_of_range())?;
    let shift = (max - len) as u32;
    let step = match index.checked_shl(shift) {
        Some(s) if s >> shift == index => s,
        None if index == 0 => 0, // a /0 network: one subnet
        _ => return Err(out_of_range()),
    };
    let n = match net {
        IpNet::V4(v) => {
            let base = u128::from(u32::from(v.network())) + step;
            let base = u32::try_from(base).map_err(|_| out_of_range())?;
            IpNet::new(IpAddr::V4(Ipv4Addr::from(base)), len as u8)
        }
        IpNet::V6(v) => {
            let base = u128::from(v.network())
                .checked_add(step)
                .ok_or_else(out_of_range)?;
            IpNet::new(IpAddr::V6(Ipv6Addr::from(base)), len as u8)
        }
    }
    .map_err(|e| e.to_string())?;
    Ok(cx.str(&n.to_string()))
}

/// `cidrHost(network, index)`.
pub(super) fn cidr_host(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let net = parse_net(want_str(&args[0], "the network")?)?;
    let index = want_int(&args[1], "the index")?;
    let host = host_at(net, index)
        .ok_or_else(|| format!("host index {index} is out of range for {net}"))?;
    Ok(cx.str(&host.to_string()))
}

/// `parseCidr(network)`: its addresses, as an object.
pub(super) fn parse_cidr(cx: &Call<'_>, args: &[Value]) -> FnResult {
    let net = parse_net(want_str(&args[0], "the network")?)?;
    let mut members = vec![
        (Rc::from("network"), cx.str(&net.network().to_string())),
        (Rc::from("netmask"), cx.str(&net.netmask().to_string())),
        (Rc::from("cidr"), cx.int(net.prefix_len() as i64)),
    ];
    if net.addr().is_ipv4() {
        members.push((Rc::from("broadcast"), cx.str(&net.broadcast().to_string())));
    }
    // IPv6 has no network address to skip.
    let first = if net.addr().is_ipv6() {
        Some(net.network())
    } else {
        host_at(net, 0)
    };
    if let Some(first) = first {
        members.push((Rc::from("firstUsable"), cx.str(&first.to_string())));
    }
    let last = match net {
        IpNet::V4(n) if n.prefix_len() < 31 => {
            Some(IpAddr::V4(Ipv4Addr::from(u32::from(n.broadcast()) - 1)))
        }
        IpNet::V4(n) => Some(IpAddr::V4(n.broadcast())),
        IpNet::V6(n) => Some(IpAddr::V6(n.broadcast())),
    };
    if let Some(last) = last {
        members.push((Rc::from("lastUsable"), cx.str(&last.to_string())));
    }
    Ok(cx.object(members))
}

fn parse_net(t: &str) -> Result<IpNet, String> {
    t.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| format!("`{t}` is not a CIDR prefix"))
}

/// The host at `index` of a network, the way `cidrHost` counts: from the first address after
/// the network address.
fn host_at(net: IpNet, index: i64) -> Option<IpAddr> {
    let index = u128::try_from(index).ok()?;
    match net {
        IpNet::V4(n) => {
            let size = 1u128 << (32 - n.prefix_len());
            // Network and broadcast addresses are not hosts (except in /31 and /32).
            let (offset, end) = if size > 2 {
                (index + 1, size - 1)
            } else {
                (index, size)
            };
            (offset < end).then(|| {
                IpAddr::V4(Ipv4Addr::from(
                    (u32::from(n.network()) as u128 + offset) as u32,
                ))
            })
        }
        IpNet::V6(n) => {
            let bits = 128 - n.prefix_len() as u32;
            let size = if bits == 128 {
                u128::MAX
            } else {
                1u128 << bits
            };
            let offset = index.checked_add(1)?;
            (offset < size).then(|| IpAddr::V6(Ipv6Addr::from(u128::from(n.network()) + offset)))
        }
    }
}
