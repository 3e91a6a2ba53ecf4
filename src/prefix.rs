//! Address prefixes: strict CIDR parsing and overlap by sort-and-sweep.
//!
//! CIDR blocks form a laminar family (two blocks are disjoint or one contains the other), so
//! overlap is containment. Sorted by first address then length, blocks come in a preorder of
//! their containment forest: [`Classes`] builds that forest over classes of equal blocks in
//! O(n log n), and the overlap rules report from it one finding per class rather than one per
//! overlapping pair, whose number grows with the square of the input (1,000 copies of one
//! prefix are half a million pairs). [`cross_pairs`] counts the pairs between two lists in
//! linear time and lists only the first few.

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

    /// The same block carrying another item.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Block<U> {
        Block {
            v6: self.v6,
            lo: self.lo,
            hi: self.hi,
            len: self.len,
            item: f(self.item),
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

/// The pairs (left, right) of overlapping blocks, one from each list: their number, in
/// linear time after sorting, and the first `limit` of them (equal blocks first, then each
/// block with the blocks containing it, in sweep order).
pub fn cross_pairs<T: Copy, U: Copy>(
    left: Vec<Block<T>>,
    right: Vec<Block<U>>,
    limit: usize,
) -> (usize, Vec<(T, U)>) {
    #[derive(Clone, Copy)]
    enum Side<T, U> {
        L(T),
        R(U),
    }
    let blocks: Vec<Block<Side<T, U>>> = left
        .into_iter()
        .map(|b| b.map(Side::L))
        .chain(right.into_iter().map(|b| b.map(Side::R)))
        .collect();
    // Members of a class keep their input order: left before right, each in list order.
    let classes = Classes::new(blocks, |_| ());
    let split = |c: usize| {
        let (mut l, mut r) = (Vec::new(), Vec::new());
        for m in classes.members(c) {
            match *m {
                Side::L(x) => l.push(x),
                Side::R(y) => r.push(y),
            }
        }
        (l, r)
    };
    // Per class, how many left and right members it holds, and the classes containing it.
    let n = classes.count();
    let mut sides = vec![(0usize, 0usize); n];
    let mut above = vec![(0usize, 0usize); n];
    let mut total = 0;
    let mut listed = Vec::new();
    for c in 0..n {
        let (l, r) = split(c);
        sides[c] = (l.len(), r.len());
        if let Some(p) = classes.ancestors(c).next() {
            above[c] = (above[p].0 + sides[p].0, above[p].1 + sides[p].1);
        }
        total += l.len() * r.len() + l.len() * above[c].1 + r.len() * above[c].0;
        // Listing stops at `limit`, and a class scans the classes containing it only when
        // they hold a partner: at most `limit` classes do.
        let room = |listed: &Vec<(T, U)>| limit.saturating_sub(listed.len());
        for &x in &l {
            let take = room(&listed);
            listed.extend(r.iter().map(|&y| (x, y)).take(take));
        }
        let partners = (!l.is_empty() && above[c].1 > 0) || (!r.is_empty() && above[c].0 > 0);
        if !partners || room(&listed) == 0 {
            continue;
        }
        for a in classes.ancestors(c) {
            let (al, ar) = split(a);
            for &x in &l {
                let take = room(&listed);
                listed.extend(ar.iter().map(|&y| (x, y)).take(take));
            }
            for &y in &r {
                let take = room(&listed);
                listed.extend(al.iter().map(|&x| (x, y)).take(take));
            }
            if room(&listed) == 0 {
                break;
            }
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
        let (total, listed) = cross_pairs(left.clone(), right.clone(), 10);
        let mut listed = listed;
        listed.sort();
        assert_eq!(listed, vec![(0, 0), (0, 1), (1, 2), (2, 3)]);
        assert_eq!(total, 4);
        let (total, listed) = cross_pairs(left, right, 2);
        assert_eq!((total, listed.len()), (4, 2));
        // A thousand copies on each side: a million pairs, counted, three listed.
        let same = |n| blocks(&vec!["10.0.0.0/16"; n]);
        let (total, listed) = cross_pairs(same(1000), same(1000), 3);
        assert_eq!((total, listed), (1_000_000, vec![(0, 0), (0, 1), (0, 2)]));
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
