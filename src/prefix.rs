//! Address prefixes: strict CIDR parsing and overlap by sort-and-sweep.
//!
//! CIDR blocks form a laminar family (two blocks are disjoint or one contains the other), so
//! overlap is containment and a sorted sweep with a stack finds every overlapping pair in
//! O(n log n + k).

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// How a prefix string parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Valid(IpNet),
    /// Well-formed, but with host bits set; the canonical prefix.
    HostBits(IpNet),
    /// Not CIDR notation; the reason.
    Malformed(String),
}

pub fn parse(text: &str) -> Parsed {
    let Some((addr, len)) = text.split_once('/') else {
        return match IpAddr::from_str(text) {
            Ok(_) => Parsed::Malformed("the prefix length is missing".into()),
            Err(_) => Parsed::Malformed("it is not an IP address with a prefix length".into()),
        };
    };
    let Ok(addr) = IpAddr::from_str(addr) else {
        return Parsed::Malformed(format!("`{addr}` is not an IP address"));
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match len.parse::<u8>() {
        Ok(l) if l <= max && !len.starts_with('+') && (len == "0" || !len.starts_with('0')) => l,
        _ => {
            return Parsed::Malformed(format!(
                "`{len}` is not a prefix length between 0 and {max}"
            ));
        }
    };
    let net = IpNet::new(addr, len).expect("length checked");
    if net.trunc() == net {
        Parsed::Valid(net)
    } else {
        Parsed::HostBits(net.trunc())
    }
}

/// The first and last address of a block as integers, and its family.
pub fn bounds(net: &IpNet) -> (bool, u128, u128) {
    match net {
        IpNet::V4(n) => (
            false,
            u32::from(n.network()) as u128,
            u32::from(n.broadcast()) as u128,
        ),
        IpNet::V6(n) => (true, u128::from(n.network()), u128::from(n.broadcast())),
    }
}

pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// One block in a sweep, carrying an item of the caller's.
#[derive(Clone, Copy, Debug)]
pub struct Block<T> {
    v6: bool,
    lo: u128,
    hi: u128,
    len: u8,
    pub item: T,
}

impl<T> Block<T> {
    pub fn new(net: &IpNet, item: T) -> Block<T> {
        let (v6, lo, hi) = bounds(net);
        Block {
            v6,
            lo,
            hi,
            len: net.prefix_len(),
            item,
        }
    }
}

/// Calls `f(outer, inner)` for every pair of overlapping blocks, where `outer` contains (or
/// equals) `inner`. Pairs come in sweep order; equal blocks keep their input order.
pub fn sweep<T: Copy>(blocks: &mut [Block<T>], mut f: impl FnMut(T, T)) {
    blocks.sort_by_key(|b| (b.v6, b.lo, b.len));
    let mut stack: Vec<Block<T>> = Vec::new();
    for cur in blocks.iter() {
        while let Some(top) = stack.last() {
            if top.v6 != cur.v6 || top.hi < cur.lo {
                stack.pop();
            } else {
                break;
            }
        }
        for outer in &stack {
            f(outer.item, cur.item);
        }
        stack.push(*cur);
    }
}

/// Whether `net` lies inside one of `space` (which must be sorted with [`sort_space`]).
pub fn contained_in(space: &[(u128, u128, bool)], net: &IpNet) -> bool {
    let (v6, lo, hi) = bounds(net);
    // Blocks of a space may nest; any containing block starts at or before `lo`.
    let end = space.partition_point(|&(s, _, f)| (f, s) <= (v6, lo));
    space[..end]
        .iter()
        .rev()
        .take_while(|&&(_, _, f)| f == v6)
        .any(|&(s, e, _)| s <= lo && hi <= e)
}

pub fn sort_space(nets: impl Iterator<Item = IpNet>) -> Vec<(u128, u128, bool)> {
    let mut v: Vec<(u128, u128, bool)> = nets
        .map(|n| bounds(&n))
        .map(|(f, s, e)| (s, e, f))
        .collect();
    v.sort_by_key(|&(s, e, f)| (f, s, std::cmp::Reverse(e)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parsing() {
        assert!(matches!(parse("10.0.0.0/16"), Parsed::Valid(_)));
        assert_eq!(
            parse("10.0.0.1/16"),
            Parsed::HostBits("10.0.0.0/16".parse().unwrap())
        );
        assert!(matches!(parse("10.0.0.0"), Parsed::Malformed(_)));
        assert!(matches!(parse("10.0.0.0/33"), Parsed::Malformed(_)));
        assert!(matches!(parse("10.0.0.0/016"), Parsed::Malformed(_)));
        assert!(matches!(parse("10.0.0/16"), Parsed::Malformed(_)));
        assert!(matches!(parse(" 10.0.0.0/16"), Parsed::Malformed(_)));
        assert!(matches!(parse("fd00::/48"), Parsed::Valid(_)));
    }

    #[test]
    fn sweep_finds_nested_and_equal_pairs_only() {
        let nets: Vec<IpNet> = [
            "10.0.0.0/16",
            "10.1.0.0/16",
            "10.0.1.0/24",
            "10.0.0.0/16",
            "fd00::/8",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let mut blocks: Vec<_> = nets
            .iter()
            .enumerate()
            .map(|(i, n)| Block::new(n, i))
            .collect();
        let mut pairs = Vec::new();
        sweep(&mut blocks, |a, b| pairs.push((a, b)));
        pairs.sort();
        assert_eq!(pairs, vec![(0, 2), (0, 3), (3, 2)]);
    }

    #[test]
    fn containment() {
        let space = sort_space(
            ["10.0.0.0/16", "192.168.0.0/24"]
                .iter()
                .map(|s| s.parse().unwrap()),
        );
        assert!(contained_in(&space, &"10.0.5.0/24".parse().unwrap()));
        assert!(contained_in(&space, &"192.168.0.0/24".parse().unwrap()));
        assert!(!contained_in(&space, &"10.1.0.0/24".parse().unwrap()));
        assert!(!contained_in(&space, &"fd00::/64".parse().unwrap()));
    }
}
