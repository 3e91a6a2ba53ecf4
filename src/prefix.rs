//! Address prefixes: strict CIDR parsing and overlap by sort-and-sweep.
//!
//! CIDR blocks form a laminar family (two blocks are disjoint or one contains the other), so
//! overlap is containment. Sorted by first address then length, blocks come in a preorder of
//! their containment forest: [`Classes`] builds that forest over classes of equal blocks in
//! O(n log n), and the overlap rules report from it one finding per class rather than one per
//! overlapping pair, whose number grows with the square of the input (1,000 copies of one
//! prefix are half a million pairs). [`cross_pairs_sorted`] counts the pairs between a list
//! and a [`Sorted`] one in time proportional to the first, and lists only the first few.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// How a prefix string parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Valid(IpNet),
    /// Well-formed, but with host bits set; the canonical prefix.
    HostBits(IpNet),
    /// Not CIDR notation; the reason (boxed: it keeps [`Parsed`] at 24 bytes).
    Malformed(Box<str>),
}

pub fn parse(text: &str) -> Parsed {
    let Some((addr, len)) = text.split_once('/') else {
        return match IpAddr::from_str(text) {
            Ok(_) => Parsed::Malformed("the prefix length is missing".into()),
            Err(_) => Parsed::Malformed("it is not an IP address with a prefix length".into()),
        };
    };
    let Ok(addr) = IpAddr::from_str(addr) else {
        return Parsed::Malformed(format!("`{addr}` is not an IP address").into());
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match len.parse::<u8>() {
        Ok(l) if l <= max && !len.starts_with('+') && (len == "0" || !len.starts_with('0')) => l,
        _ => {
            return Parsed::Malformed(
                format!("`{len}` is not a prefix length between 0 and {max}").into(),
            );
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

/// How many members, labels or pairs a finding about a group names; the rest are counted
/// ("and 12 more"), so that output stays linear in the input.
pub const LISTED: usize = 10;

const NONE: usize = usize::MAX;

/// Blocks grouped into classes of equal blocks, and the classes into their containment forest.
///
/// Classes are numbered in sweep order (family, first address, length), a preorder of the
/// forest: the classes inside class `c` are `c + 1 .. end(c)`, and their members one slice.
/// Within a class, members are in the order of the key given to [`Classes::new`]; rules key
/// them by owner first (the subnet, the vnet, the link a prefix belongs to) and input order.
/// A chain of classes each inside the next is at most 129 long (one per prefix length), so
/// walking a class's ancestors is bounded, and the members inside all classes of a forest,
/// summed over the classes, are at most 129 times the members.
pub struct Classes<T> {
    items: Vec<T>,
    /// Class `c` holds `items[start[c]..start[c + 1]]`.
    start: Vec<usize>,
    /// The smallest class containing `c` (`NONE` for a root).
    parent: Vec<usize>,
    /// One past the last class inside `c`.
    end: Vec<usize>,
}

impl<T> Classes<T> {
    /// Groups `blocks`, ordering the members of each class by `key`.
    pub fn new<K: Ord>(mut blocks: Vec<Block<T>>, key: impl Fn(&T) -> K) -> Classes<T> {
        blocks.sort_by(|a, b| {
            (a.v6, a.lo, a.len)
                .cmp(&(b.v6, b.lo, b.len))
                .then_with(|| key(&a.item).cmp(&key(&b.item)))
        });
        let mut start = Vec::new();
        let mut parent = Vec::new();
        let mut end = Vec::new();
        // Open classes, outermost first: (class, family, last address).
        let mut open: Vec<(usize, bool, u128)> = Vec::new();
        let mut previous: Option<(bool, u128, u8)> = None;
        for (i, b) in blocks.iter().enumerate() {
            if previous == Some((b.v6, b.lo, b.len)) {
                continue;
            }
            previous = Some((b.v6, b.lo, b.len));
            let c = start.len();
            while let Some(&(top, v6, hi)) = open.last() {
                if v6 != b.v6 || hi < b.lo {
                    end[top] = c;
                    open.pop();
                } else {
                    break;
                }
            }
            start.push(i);
            parent.push(open.last().map_or(NONE, |o| o.0));
            end.push(NONE);
            open.push((c, b.v6, b.hi));
        }
        let count = start.len();
        for (c, _, _) in open {
            end[c] = count;
        }
        start.push(blocks.len());
        Classes {
            items: blocks.into_iter().map(|b| b.item).collect(),
            start,
            parent,
            end,
        }
    }

    /// The number of classes.
    pub fn count(&self) -> usize {
        self.parent.len()
    }

    /// The members of class `c`, in key order.
    pub fn members(&self, c: usize) -> &[T] {
        &self.items[self.start[c]..self.start[c + 1]]
    }

    /// The classes containing `c`, the smallest first.
    pub fn ancestors(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        let up = move |c: usize| Some(self.parent[c]).filter(|&p| p != NONE);
        std::iter::successors(up(c), move |&a| up(a))
    }

    /// The classes inside `c`, in sweep order.
    pub fn inside_classes(&self, c: usize) -> std::ops::Range<usize> {
        c + 1..self.end[c]
    }

    /// The members of every class inside `c`, in sweep order.
    pub fn inside(&self, c: usize) -> &[T] {
        &self.items[self.start[c + 1]..self.start[self.end[c]]]
    }

    /// The members of class `c` whose owner is not `o`, when members are keyed by owner
    /// first: two slices around the owner's run.
    fn not_owned<O: Ord>(&self, c: usize, owner: &impl Fn(&T) -> O, o: &O) -> [&[T]; 2] {
        let m = self.members(c);
        let lo = m.partition_point(|x| owner(x) < *o);
        let hi = lo + m[lo..].partition_point(|x| owner(x) == *o);
        [&m[..lo], &m[hi..]]
    }

    /// For rules whose members have an owner (the subnet, vnet or link a prefix belongs to;
    /// members keyed by owner first) and where an owner's prefixes are judged against those
    /// of earlier owners: per class, the earliest owner among the members overlapping it from
    /// outside (the classes containing it and inside it).
    pub fn earliest_around<O: Ord + Copy>(&self, owner: impl Fn(&T) -> O) -> Vec<Option<O>> {
        let n = self.count();
        let first = |c: usize| self.members(c).first().map(&owner);
        let mut above: Vec<Option<O>> = vec![None; n];
        let mut below: Vec<Option<O>> = vec![None; n];
        let min = |a: Option<O>, b: Option<O>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for c in 0..n {
            if let Some(p) = self.ancestors(c).next() {
                above[c] = min(above[p], first(p));
            }
        }
        for c in (0..n).rev() {
            if let Some(p) = self.ancestors(c).next() {
                below[p] = min(below[p], min(below[c], first(c)));
            }
        }
        (0..n).map(|c| min(above[c], below[c])).collect()
    }

    /// The first member of class `c` that overlaps a member of an earlier owner, given
    /// [`Classes::earliest_around`]: the class's first member when something around it is
    /// earlier, else its first member of a later owner than the first (which overlaps the
    /// first).
    pub fn first_overlapping_earlier<O: Ord + Copy>(
        &self,
        c: usize,
        owner: impl Fn(&T) -> O,
        earliest_around: &[Option<O>],
    ) -> Option<&T> {
        let m = self.members(c);
        let first = owner(m.first()?);
        if earliest_around[c].is_some_and(|e| e < first) {
            return m.first();
        }
        m.iter().find(|x| owner(x) != first)
    }

    /// The classes overlapping class `c`, itself included: those containing it (the largest
    /// first), `c`, then those inside it.
    pub fn overlapping_classes(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        let mut outer: Vec<usize> = self.ancestors(c).collect();
        outer.reverse();
        outer
            .into_iter()
            .chain(std::iter::once(c))
            .chain(self.inside_classes(c))
    }

    /// The members overlapping class `c` (in it, containing it or inside it) that don't
    /// belong to owner `o`: how many, and the first `limit` of them, class by class in
    /// address order (the larger ranges first) and in key order within a class.
    pub fn others<O: Ord>(
        &self,
        c: usize,
        owner: impl Fn(&T) -> O,
        o: O,
        limit: usize,
    ) -> (usize, Vec<&T>) {
        let mut count = 0;
        let mut listed = Vec::new();
        for x in self.overlapping_classes(c) {
            for part in self.not_owned(x, &owner, &o) {
                count += part.len();
                let room = limit - listed.len();
                listed.extend(part.iter().take(room));
            }
        }
        (count, listed)
    }
}

/// A list of blocks sorted for lookups: the members overlapping a given block are found with
/// one binary search per prefix length up to its own (those containing it or equal to it) and
/// one range (those inside it), so that a short list is compared with a long one in time
/// proportional to the short one.
pub struct Sorted<T> {
    keys: Vec<(bool, u128, u8)>,
    items: Vec<T>,
}

/// The first address of the block of length `len` holding `lo` (in its family's width).
fn cut(v6: bool, lo: u128, len: u8) -> u128 {
    let width = if v6 { 128 } else { 32 };
    let host = width - u32::from(len);
    if host >= 128 { 0 } else { lo >> host << host }
}

impl<T> Sorted<T> {
    pub fn new(mut blocks: Vec<Block<T>>) -> Sorted<T> {
        blocks.sort_by_key(|b| (b.v6, b.lo, b.len));
        Sorted {
            keys: blocks.iter().map(|b| (b.v6, b.lo, b.len)).collect(),
            items: blocks.into_iter().map(|b| b.item).collect(),
        }
    }

    /// The members overlapping `b`, as index ranges: those containing or equal to it, by
    /// length, then those inside it.
    fn ranges<U>(&self, b: &Block<U>) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let (v6, lo, hi, len) = (b.v6, b.lo, b.hi, b.len);
        let at = move |k: (bool, u128, u8)| {
            self.keys.partition_point(|&x| x < k)..self.keys.partition_point(|&x| x <= k)
        };
        let outer = (0..=len).map(move |l| at((v6, cut(v6, lo, l), l)));
        let inner = std::iter::once(
            self.keys.partition_point(|&x| x <= (v6, lo, len))
                ..self.keys.partition_point(|&x| x <= (v6, hi, u8::MAX)),
        );
        outer.chain(inner).filter(|r| !r.is_empty())
    }
}

/// The pairs (left, right) of overlapping blocks, one from each list: how many, and the first
/// `limit` of them (left block by left block, in the left list's order). Time proportional to
/// the left list (times the prefix lengths and a logarithm), whatever the right one's length.
pub fn cross_pairs_sorted<T: Copy, U: Copy>(
    left: &[Block<T>],
    right: &Sorted<U>,
    limit: usize,
) -> (usize, Vec<(T, U)>) {
    let mut total = 0;
    let mut listed = Vec::new();
    for l in left {
        for r in right.ranges(l) {
            total += r.len();
            let room = limit.saturating_sub(listed.len());
            listed.extend(right.items[r].iter().take(room).map(|&y| (l.item, y)));
        }
    }
    (total, listed)
}

/// Whether `net` lies inside one of `space` (which must be sorted with [`sort_space`]): one
/// lookup per prefix length up to `net`'s, since a block containing it is `net` cut short.
pub fn contained_in(space: &[(u128, u128, bool)], net: &IpNet) -> bool {
    (0..=net.prefix_len()).any(|len| {
        let outer = IpNet::new(net.addr(), len)
            .expect("no longer than net")
            .trunc();
        let (v6, lo, hi) = bounds(&outer);
        space
            .binary_search_by(|&(s, e, f)| {
                (f, s, std::cmp::Reverse(e)).cmp(&(v6, lo, std::cmp::Reverse(hi)))
            })
            .is_ok()
    })
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

    fn blocks(nets: &[&str]) -> Vec<Block<usize>> {
        nets.iter()
            .enumerate()
            .map(|(i, n)| Block::new(&n.parse().unwrap(), i))
            .collect()
    }

    #[test]
    fn classes_group_equal_blocks_into_a_containment_forest() {
        let c = Classes::new(
            blocks(&[
                "10.0.0.0/16",
                "10.1.0.0/16",
                "10.0.1.0/24",
                "10.0.0.0/16",
                "fd00::/8",
                "10.0.1.128/25",
                "10.0.2.0/24",
            ]),
            |&i| std::cmp::Reverse(i),
        );
        // Sweep order: 10.0.0.0/16, 10.0.1.0/24, 10.0.1.128/25, 10.0.2.0/24, 10.1.0.0/16, fd00::/8.
        assert_eq!(c.count(), 6);
        assert_eq!(c.members(0), &[3, 0], "equal blocks, in key order");
        assert_eq!(c.inside_classes(0), 1..4);
        assert_eq!(c.inside(0), &[2, 5, 6]);
        assert_eq!(c.ancestors(2).collect::<Vec<_>>(), vec![1, 0]);
        let owner = |&i: &usize| std::cmp::Reverse(i);
        let around = c.others(1, owner, owner(&2), 10);
        assert_eq!(around, (3, vec![&3, &0, &5]), "the larger range first");
        assert_eq!(c.others(1, owner, owner(&0), 1), (3, vec![&3]));
        assert_eq!(c.inside_classes(4), 5..5);
        assert_eq!(c.ancestors(5).count(), 0, "IPv6 never sits inside IPv4");
    }

    #[test]
    fn owners_are_judged_against_earlier_owners() {
        // Owner = the item itself (a vnet's prefixes: each is its own owner, in input order).
        let nets = [
            "10.0.1.0/24", // 0: nothing earlier overlaps it
            "10.0.2.0/24", // 1: nothing earlier overlaps it
            "10.0.0.0/16", // 2: overlaps 0 and 1
            "10.0.2.0/24", // 3: overlaps 1 and 2
            "10.9.0.0/16", // 4: alone
            "10.9.0.0/16", // 5: overlaps 4
        ];
        let c = Classes::new(blocks(&nets), |&i| i);
        let earliest = c.earliest_around(|&i| i);
        let firsts: Vec<Option<usize>> = (0..c.count())
            .map(|k| c.first_overlapping_earlier(k, |&i| i, &earliest).copied())
            .collect();
        // Classes: 10.0.0.0/16, 10.0.1.0/24, 10.0.2.0/24 (1, 3), 10.9.0.0/16 (4, 5).
        assert_eq!(firsts, vec![Some(2), None, Some(3), Some(5)]);
        let (n, listed) = c.others(2, |&i| i, 3, 10);
        assert_eq!((n, listed), (2, vec![&2, &1]), "the larger range first");
        let (n, listed) = c.others(0, |&i| i, 2, 1);
        assert_eq!((n, listed), (3, vec![&0]));
        // Owners with several members: a subnet's own prefixes never count against it.
        let c = Classes::new(
            vec![
                Block::new(&"10.0.0.0/24".parse().unwrap(), (0, 0)),
                Block::new(&"10.0.0.0/24".parse().unwrap(), (0, 1)),
                Block::new(&"10.0.0.0/25".parse().unwrap(), (1, 0)),
            ],
            |&t| t,
        );
        let earliest = c.earliest_around(|t| t.0);
        assert_eq!(c.first_overlapping_earlier(0, |t| t.0, &earliest), None);
        assert_eq!(
            c.first_overlapping_earlier(1, |t| t.0, &earliest),
            Some(&(1, 0))
        );
        assert_eq!(c.others(1, |t| t.0, 1, 10), (2, vec![&(0, 0), &(0, 1)]));
    }

    #[test]
    fn cross_pairs_counts_every_pair_and_lists_the_first() {
        let left = blocks(&["10.0.0.0/16", "10.1.0.0/24", "fd00::/64"]);
        let right = blocks(&["10.0.0.0/24", "10.0.0.0/16", "10.1.0.0/16", "fd00::/8"]);
        let (total, mut listed) = cross_pairs_sorted(&left, &Sorted::new(right.clone()), 10);
        listed.sort();
        assert_eq!(listed, vec![(0, 0), (0, 1), (1, 2), (2, 3)]);
        assert_eq!(total, 4);
        let (total, listed) = cross_pairs_sorted(&left, &Sorted::new(right), 2);
        assert_eq!((total, listed.len()), (4, 2));
        // A thousand copies on each side: a million pairs, counted, three listed.
        let same = |n| blocks(&vec!["10.0.0.0/16"; n]);
        let (total, listed) = cross_pairs_sorted(&same(1000), &Sorted::new(same(1000)), 3);
        assert_eq!((total, listed), (1_000_000, vec![(0, 0), (0, 1), (0, 2)]));
    }

    #[test]
    fn sorted_lists_give_every_overlapping_pair() {
        let left = blocks(&["10.0.0.0/16", "10.1.0.0/24", "fd00::/64", "10.0.0.0/16"]);
        let right = blocks(&[
            "10.0.0.0/24",
            "10.0.0.0/16",
            "10.1.0.0/16",
            "fd00::/8",
            "0.0.0.0/0",
            "10.0.255.255/32",
            "::/0",
        ]);
        let (total, mut listed) = cross_pairs_sorted(&left, &Sorted::new(right.clone()), 100);
        listed.sort();
        // Every pair, the slow way.
        let net = |b: &Block<usize>| -> IpNet {
            let addr = if b.v6 {
                IpAddr::from(std::net::Ipv6Addr::from(b.lo))
            } else {
                IpAddr::from(std::net::Ipv4Addr::from(b.lo as u32))
            };
            IpNet::new(addr, b.len).unwrap()
        };
        let mut all = Vec::new();
        for l in &left {
            for r in &right {
                if overlaps(&net(l), &net(r)) {
                    all.push((l.item, r.item));
                }
            }
        }
        all.sort();
        assert_eq!((total, listed), (all.len(), all));
        assert_eq!(total, 12);
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
        assert!(!contained_in(&space, &"10.0.0.0/8".parse().unwrap()));
        let nested = sort_space(
            ["10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24"]
                .iter()
                .map(|s| s.parse().unwrap()),
        );
        assert!(contained_in(&nested, &"10.200.0.0/16".parse().unwrap()));
    }
}
