//! The spanned parse tree every loader walks.
//!
//! One flat, pre-order arena per file: 32 bytes a node, strings borrowed from the file text
//! unless they contain escapes. Objects keep their members in order, duplicates included.
//! `json` parses JSON into it; `yaml` builds the same tree.
//!
//! A key given twice in one object (compared ASCII-case-insensitively, as [`Tree::get`] does)
//! is read once: the first member counts, [`Tree::members`] skips the later ones, and
//! [`Tree::duplicates`] lists them for a warning. `copy` is the exception: an ARM template may
//! hold several property `copy` loops side by side, each of which counts.

use std::sync::Arc;

use crate::source::Span;

/// Deepest nesting of arrays and objects accepted (ARM templates stay far below this).
pub const MAX_DEPTH: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    /// How the kind is named in messages ("found a number").
    pub fn article_name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

const VALUE_ESCAPED: u32 = 1 << 3;
const KEY_ESCAPED: u32 = 2 << 3;
const BOOL_TRUE: u32 = 4 << 3;
/// A member whose key an earlier member of its object already has.
const SHADOWED: u32 = 8 << 3;
/// The node's place doesn't fit in its 24 bits: it is in [`Tree::places`].
const PLACE_APART: u32 = 16 << 3;
const NO_PARENT: u32 = u32::MAX;
const KINDS: [Kind; 6] = [
    Kind::Null,
    Kind::Bool,
    Kind::Number,
    Kind::String,
    Kind::Array,
    Kind::Object,
];
/// Bits of a key's length (and of its distance to the value) packed into a node's place.
const PLACE_BITS: u32 = 12;
const PLACE_MASK: u32 = (1 << PLACE_BITS) - 1;

/// 20 bytes: the 10,000-vnet estate has 1.1 million nodes.
#[derive(Clone, Debug)]
struct Node {
    span: Span,
    parent: u32,
    /// Index one past this node's subtree.
    end: u32,
    /// The kind (bits 0–2), flags (bits 3–7) and, in bits 8–31, the node's place: for an
    /// object member, its key's length and the distance from the key's closing quote to the
    /// value (12 bits each), for an array element its position; a place that doesn't fit is
    /// in [`Tree::places`] ([`PLACE_APART`]).
    bits: u32,
}

const _: () = assert!(std::mem::size_of::<Node>() == 20);
const _: () = assert!(KINDS[Kind::Object as usize] as u8 == Kind::Object as u8);

/// Where a node sits in its parent: its key's content (inside the quotes) for an object
/// member, its position (in `start`) for an array element.
type Place = Span;

impl Node {
    fn kind(&self) -> Kind {
        KINDS[(self.bits & 7) as usize]
    }
    fn has(&self, flag: u32) -> bool {
        self.bits & flag != 0
    }
    /// An object member's key (its content), from the packed place: valid for a member whose
    /// place is not [`PLACE_APART`].
    fn packed_key(&self) -> Place {
        let packed = self.bits >> 8;
        let end = self.span.start - (packed >> PLACE_BITS);
        Span {
            start: end - (packed & PLACE_MASK),
            end,
        }
    }
}

/// A parsed file.
#[derive(Debug)]
pub struct Tree {
    text: Arc<String>,
    nodes: Vec<Node>,
    /// Decoded strings that differ from their raw text: (node, is_key, text), in node order.
    decoded: Vec<(u32, bool, Box<str>)>,
    /// Places too large to pack into their node (see [`Node::bits`]), in node order.
    places: Vec<(u32, Place)>,
    /// Comments, for inline suppressions.
    pub comments: Vec<Span>,
    /// Members whose key an earlier member of the same object has: (first, later).
    duplicates: Vec<(NodeId, NodeId)>,
}

/// `span` widened to character boundaries of `text` (and kept inside it).
pub fn on_chars(text: &str, span: Span) -> Span {
    let mut start = (span.start as usize).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (span.end as usize).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

/// The first syntax error of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl Tree {
    /// Frees decoded string values once the loaders are done with them; keys stay (JSON
    /// Pointers need them). `str` returns None for escaped strings afterwards.
    pub fn release_values(&mut self) {
        self.decoded.retain(|(_, key, _)| *key);
        self.decoded.shrink_to_fit();
    }
    pub fn text(&self) -> &Arc<String> {
        &self.text
    }
    pub fn root(&self) -> Option<NodeId> {
        (!self.nodes.is_empty()).then_some(NodeId(0))
    }
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
    fn node(&self, n: NodeId) -> &Node {
        &self.nodes[n.0 as usize]
    }
    /// Where `n` sits in its parent (see [`Place`]).
    fn place(&self, n: NodeId) -> Place {
        let node = self.node(n);
        if node.has(PLACE_APART) {
            let i = self.places.partition_point(|&(id, _)| id < n.0);
            return self.places[i].1;
        }
        if node.parent != NO_PARENT && self.nodes[node.parent as usize].kind() == Kind::Object {
            node.packed_key()
        } else {
            let position = node.bits >> 8;
            Span {
                start: position,
                end: position,
            }
        }
    }
    pub fn kind(&self, n: NodeId) -> Kind {
        self.node(n).kind()
    }
    pub fn span(&self, n: NodeId) -> Span {
        self.node(n).span
    }
    /// The span of the member key that holds `n` (its value span when `n` is no member).
    pub fn key_span(&self, n: NodeId) -> Span {
        if self.is_member(n) {
            let key = self.place(n);
            Span {
                start: key.start - 1,
                end: key.end + 1,
            }
        } else {
            self.node(n).span
        }
    }
    pub fn parent(&self, n: NodeId) -> Option<NodeId> {
        let p = self.node(n).parent;
        (p != NO_PARENT).then_some(NodeId(p))
    }
    fn is_member(&self, n: NodeId) -> bool {
        self.parent(n).is_some_and(|p| self.kind(p) == Kind::Object)
    }
    fn decoded(&self, n: NodeId, key: bool) -> Option<&str> {
        let i = self
            .decoded
            .binary_search_by(|(id, k, _)| (*id, *k).cmp(&(n.0, key)))
            .ok()?;
        Some(&self.decoded[i].2)
    }
    /// The text of a string node.
    pub fn str(&self, n: NodeId) -> Option<&str> {
        let node = self.node(n);
        if node.kind() != Kind::String {
            return None;
        }
        if node.has(VALUE_ESCAPED) {
            return self.decoded(n, false);
        }
        Some(&self.text[node.span.start as usize + 1..node.span.end as usize - 1])
    }
    /// The key under which `n` sits in its parent object.
    pub fn key(&self, n: NodeId) -> Option<&str> {
        if !self.is_member(n) {
            return None;
        }
        if self.node(n).has(KEY_ESCAPED) {
            return self.decoded(n, true);
        }
        Some(&self.text[self.place(n).range()])
    }
    pub fn bool(&self, n: NodeId) -> Option<bool> {
        let node = self.node(n);
        (node.kind() == Kind::Bool).then_some(node.has(BOOL_TRUE))
    }
    /// The raw text of a number node.
    pub fn number(&self, n: NodeId) -> Option<&str> {
        let node = self.node(n);
        (node.kind() == Kind::Number).then(|| &self.text[node.span.range()])
    }
    #[cfg(test)]
    pub fn is_null(&self, n: NodeId) -> bool {
        self.kind(n) == Kind::Null
    }
    /// Children of an array or object, in order.
    pub fn children(&self, n: NodeId) -> Children<'_> {
        let node = self.node(n);
        let (next, end) = match node.kind() {
            Kind::Array | Kind::Object => (n.0 + 1, node.end),
            _ => (0, 0),
        };
        Children {
            tree: self,
            next,
            end,
        }
    }
    /// Members of an object: (key, value), in order, without the later members of a key given
    /// twice (see [`Tree::duplicates`]).
    pub fn members(&self, n: NodeId) -> impl Iterator<Item = (&str, NodeId)> + '_ {
        let is_object = self.kind(n) == Kind::Object;
        self.children(n)
            .filter(move |&c| is_object && !self.node(c).has(SHADOWED))
            .map(move |c| (self.key(c).unwrap_or(""), c))
    }
    /// Whether two nodes hold the same JSON value (kinds, scalars, keys and order), whatever
    /// the layout.
    pub fn same_value(&self, a: NodeId, b: NodeId) -> bool {
        let mut stack = vec![(a, b)];
        while let Some((a, b)) = stack.pop() {
            let same = self.kind(a) == self.kind(b)
                && match self.kind(a) {
                    Kind::Null => true,
                    Kind::Bool => self.bool(a) == self.bool(b),
                    Kind::Number => self.number(a) == self.number(b),
                    Kind::String => self.str(a).is_some() && self.str(a) == self.str(b),
                    Kind::Array | Kind::Object => {
                        let (x, y) = (self.children(a), self.children(b));
                        let before = stack.len();
                        stack.extend(x.zip(y));
                        self.children(a).count() == stack.len() - before
                            && self.children(b).count() == stack.len() - before
                            && stack[before..]
                                .iter()
                                .all(|&(p, q)| self.key(p) == self.key(q))
                    }
                };
            if !same {
                return false;
            }
        }
        true
    }
    /// Keys given twice in one object: (the member that counts, a later one that doesn't), in
    /// the order of the later ones.
    pub fn duplicates(&self) -> &[(NodeId, NodeId)] {
        &self.duplicates
    }
    /// Finds the keys given twice in each object and marks the later members. Objects of up to
    /// 64 members go through a 128-bit filter (pairwise only on a hit), larger ones are sorted
    /// by key: linear in practice, n·log n at worst, whatever the keys.
    fn mark_duplicates(&mut self) {
        let found = self.duplicates_among(0..self.nodes.len());
        self.set_duplicates(found);
    }
    /// Marks the later member of each pair, and keeps the pairs in the order of the later ones.
    fn set_duplicates(&mut self, mut found: Vec<(NodeId, NodeId)>) {
        found.sort_unstable_by_key(|&(_, later)| later);
        for &(_, later) in &found {
            self.nodes[later.0 as usize].bits |= SHADOWED;
        }
        self.duplicates = found;
    }
    /// The keys given twice in the objects among `nodes` (see [`Tree::mark_duplicates`]), in
    /// no particular order.
    fn duplicates_among(&self, nodes: std::ops::Range<usize>) -> Vec<(NodeId, NodeId)> {
        fn folded(k: &str) -> impl Iterator<Item = u8> + '_ {
            k.bytes().map(|b| b.to_ascii_lowercase())
        }
        let counts = |k: &str| !k.eq_ignore_ascii_case("copy");
        let mut found = Vec::new();
        let mut members: Vec<(&str, NodeId)> = Vec::new();
        for i in nodes {
            let n = NodeId(i as u32);
            if self.nodes[i].kind() != Kind::Object {
                continue;
            }
            if self.distinct_keys(n) {
                continue;
            }
            members.clear();
            members.extend(self.children(n).map(|c| (self.key(c).unwrap_or(""), c)));
            if members.len() <= 64 {
                // A key is compared with the earlier ones only when its folded length and
                // first and last bytes were seen before in this object: objects without
                // duplicates (nearly all) cost one step a member.
                let mut seen = 0u128;
                for (j, &(key, b)) in members.iter().enumerate() {
                    let (first, last) = match key.as_bytes() {
                        [] => (0, 0),
                        k => (
                            k[0].to_ascii_lowercase(),
                            k[k.len() - 1].to_ascii_lowercase(),
                        ),
                    };
                    let sig = (key.len() as u32)
                        .wrapping_mul(31)
                        .wrapping_add(u32::from(first))
                        .wrapping_mul(31)
                        .wrapping_add(u32::from(last));
                    let bit = 1u128 << (sig % 128);
                    if seen & bit != 0 && counts(key) {
                        let earlier = members[..j]
                            .iter()
                            .find(|(k, _)| k.len() == key.len() && k.eq_ignore_ascii_case(key));
                        if let Some(&(_, a)) = earlier {
                            found.push((a, b));
                        }
                    }
                    seen |= bit;
                }
            } else {
                // Equal keys end up side by side, the first member of each leading its run.
                members.sort_unstable_by(|a, b| folded(a.0).cmp(folded(b.0)).then(a.1.cmp(&b.1)));
                let mut lead = 0;
                for j in 1..members.len() {
                    if members[j].0.eq_ignore_ascii_case(members[lead].0) {
                        if counts(members[j].0) {
                            found.push((members[lead].1, members[j].1));
                        }
                    } else {
                        lead = j;
                    }
                }
            }
        }
        found
    }
    /// Whether the keys of object `n` are surely distinct: at most 64 members whose folded
    /// lengths and first, middle and last bytes differ. Read from the packed places, without decoding
    /// keys: nearly every object of an export passes, and the rest goes the long way. (The
    /// duplicate check was 7% of the instructions on the 10,000-vnet estate.)
    fn distinct_keys(&self, n: NodeId) -> bool {
        let text = self.text.as_bytes();
        let at = |i: u32| u32::from(text[i as usize].to_ascii_lowercase());
        let mut sigs = [0u32; 64];
        let mut seen = 0u128;
        for (i, c) in self.children(n).enumerate() {
            let node = self.node(c);
            if i == 64 || node.has(KEY_ESCAPED | PLACE_APART) {
                return false;
            }
            // The key's length and its first, middle and last bytes, folded.
            let key = node.packed_key();
            let (len, end) = (key.len() as u32, key.end);
            let sig = match len {
                0 => 0,
                _ => len << 24 | at(end - len) << 16 | at(end - len + len / 2) << 8 | at(end - 1),
            };
            let bit = 1u128 << (sig.wrapping_mul(0x9E37_79B1) >> 25);
            if seen & bit != 0 && sigs[..i].contains(&sig) {
                return false;
            }
            seen |= bit;
            sigs[i] = sig;
        }
        true
    }
    /// The first member named `key`, compared ASCII-case-insensitively (Azure property names
    /// are case-insensitive, and PowerShell writes them in PascalCase).
    pub fn get(&self, n: NodeId, key: &str) -> Option<NodeId> {
        if self.kind(n) != Kind::Object {
            return None;
        }
        let want = key.as_bytes();
        self.children(n).find(|&c| {
            let node = &self.nodes[c.0 as usize];
            if node.has(KEY_ESCAPED) {
                return self
                    .decoded(c, true)
                    .is_some_and(|k| k.eq_ignore_ascii_case(key));
            }
            // The packed key length first: most members differ by it.
            if !node.has(PLACE_APART) && (node.bits >> 8) & PLACE_MASK != want.len() as u32 {
                return false;
            }
            let k = self.place(c);
            k.len() == want.len() && self.text.as_bytes()[k.range()].eq_ignore_ascii_case(want)
        })
    }
    /// A string member.
    pub fn get_str(&self, n: NodeId, key: &str) -> Option<&str> {
        self.get(n, key).and_then(|v| self.str(v))
    }
    /// The JSON Pointer (RFC 6901) of a node.
    pub fn pointer(&self, n: NodeId) -> String {
        let mut parts = Vec::new();
        let mut at = n;
        while let Some(p) = self.parent(at) {
            if self.kind(p) == Kind::Object {
                let key = self.key(at).unwrap_or("");
                parts.push(key.replace('~', "~0").replace('/', "~1"));
            } else {
                parts.push(self.place(at).start.to_string());
            }
            at = p;
        }
        parts.iter().rev().fold(String::new(), |mut acc, p| {
            acc.push('/');
            acc.push_str(p);
            acc
        })
    }
}

pub struct Children<'a> {
    tree: &'a Tree,
    next: u32,
    end: u32,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next >= self.end {
            return None;
        }
        let id = NodeId(self.next);
        self.next = self.tree.nodes[self.next as usize].end;
        Some(id)
    }
}

/// Builds a [`Tree`] node by node; used by the JSON parser here and by the YAML adapter.
pub struct Builder {
    tree: Tree,
    /// Open containers: (node index, number of children so far).
    open: Vec<(u32, u32)>,
    pending_key: Option<(Span, Option<Box<str>>)>,
}

impl Builder {
    pub fn with_capacity(text: Arc<String>, nodes: usize) -> Builder {
        Builder {
            tree: Tree {
                text,
                nodes: {
                    let nodes = Vec::with_capacity(nodes);
                    crate::source::prefer_huge_pages(&nodes);
                    nodes
                },
                decoded: Vec::new(),
                places: Vec::new(),
                comments: Vec::new(),
                duplicates: Vec::new(),
            },
            open: Vec::new(),
            pending_key: None,
        }
    }
    pub fn depth(&self) -> usize {
        self.open.len()
    }
    /// Sets the key of the next value (for object members). `decoded` is the key's text when
    /// it differs from the raw text in `span`.
    pub fn key(&mut self, span: Span, decoded: Option<Box<str>>) {
        self.pending_key = Some((span, decoded));
    }
    fn push(&mut self, span: Span, kind: Kind, mut flags: u32, decoded: Option<Box<str>>) -> u32 {
        let id = self.tree.nodes.len() as u32;
        let (parent, index) = match self.open.last_mut() {
            Some((p, count)) => {
                *count += 1;
                (*p, *count - 1)
            }
            None => (NO_PARENT, 0),
        };
        let mut key = Span {
            start: index,
            end: index,
        };
        // `decoded` stays sorted by (node, is_key): a node's value text goes before its key's.
        if let Some(d) = decoded {
            flags |= VALUE_ESCAPED;
            self.tree.decoded.push((id, false, d));
        }
        if let Some((kspan, kdec)) = self.pending_key.take() {
            key = kspan;
            if let Some(k) = kdec {
                flags |= KEY_ESCAPED;
                self.tree.decoded.push((id, true, k));
            }
        }
        let in_object =
            parent != NO_PARENT && self.tree.nodes[parent as usize].kind() == Kind::Object;
        let packed = if in_object {
            let gap = span.start.checked_sub(key.end);
            let len = key.end.checked_sub(key.start);
            gap.zip(len)
                .filter(|&(g, l)| g <= PLACE_MASK && l <= PLACE_MASK)
                .map(|(g, l)| g << PLACE_BITS | l)
        } else {
            (key.start == key.end && key.start < 1 << 24).then_some(key.start)
        };
        let packed = packed.unwrap_or_else(|| {
            flags |= PLACE_APART;
            self.tree.places.push((id, key));
            0
        });
        self.tree.nodes.push(Node {
            span,
            parent,
            end: id + 1,
            bits: kind as u32 | flags | packed << 8,
        });
        id
    }
    pub fn scalar(&mut self, span: Span, kind: Kind, value_true: bool, decoded: Option<Box<str>>) {
        let flags = if value_true { BOOL_TRUE } else { 0 };
        self.push(span, kind, flags, decoded);
    }
    pub fn open(&mut self, start: usize, kind: Kind) {
        let id = self.push(Span::new(start, start), kind, 0, None);
        self.open.push((id, 0));
    }
    pub fn close(&mut self, end: usize) {
        if let Some((id, _)) = self.open.pop() {
            let len = self.tree.nodes.len() as u32;
            let node = &mut self.tree.nodes[id as usize];
            node.end = len;
            node.span.end = end as u32;
        }
    }
    pub fn finish(self) -> Tree {
        let mut tree = self.tree;
        tree.mark_duplicates();
        tree
    }
}

/// Parsing a large file in parts, side by side (see `json::parse`): each part after the first
/// starts inside the same containers, the spine (the root array, or a root object and the array
/// that is its first member), and parses whole elements of the spine's array.
impl Builder {
    /// A builder for a part after the first: it starts inside the containers `spine` (outermost
    /// first), as placeholders [`Tree::join_parts`] drops.
    pub fn in_spine(text: Arc<String>, nodes: usize, spine: &[Kind]) -> Builder {
        let mut b = Builder::with_capacity(text, nodes + spine.len());
        for &kind in spine {
            b.open(0, kind);
        }
        b
    }
    /// The tree of one part, with the keys given twice in its own objects (not yet marked).
    pub fn into_part(self, spine: usize) -> Part {
        let duplicates = self
            .tree
            .duplicates_among(spine.min(self.tree.nodes.len())..self.tree.nodes.len());
        Part {
            tree: self.tree,
            duplicates,
        }
    }
}

/// A part of a file parsed in parts: see [`Builder::in_spine`].
pub struct Part {
    tree: Tree,
    duplicates: Vec<(NodeId, NodeId)>,
}

impl Part {
    pub fn set_comments(&mut self, comments: Vec<Span>) {
        self.tree.comments = comments;
    }
}

impl Tree {
    /// The tree one parse of the whole file builds, from its parts in order: the first part's
    /// nodes are the tree's, each later part's (but its spine placeholders) follow, their
    /// indices moved and the positions of the spine array's elements counted on; the spine
    /// closes where the last part closed it. None when a place no longer packs into its node
    /// (more than 16 million elements): the caller parses the file in one go.
    pub fn join_parts(parts: Vec<Part>, spine: usize) -> Option<Tree> {
        let total: usize = parts
            .iter()
            .map(|p| p.tree.nodes.len() - spine)
            .sum::<usize>()
            + spine;
        let mut parts = parts.into_iter();
        let first = parts.next()?;
        let mut tree = first.tree;
        let mut found = first.duplicates;
        tree.nodes.reserve_exact(total - tree.nodes.len());
        crate::source::prefer_huge_pages(&tree.nodes);
        let array = spine as u32 - 1;
        let mut elements = tree.nodes.iter().filter(|n| n.parent == array).count() as u32;
        let mut last_spine = Vec::new();
        for part in parts {
            let offset = (tree.nodes.len() - spine) as u32;
            let at = |j: u32| match j {
                NO_PARENT => NO_PARENT,
                j if j < spine as u32 => j,
                j => j + offset,
            };
            let mut count = 0;
            for node in &part.tree.nodes[spine..] {
                let mut node = node.clone();
                if node.parent == array {
                    let place = (node.bits >> 8) + elements;
                    if node.has(PLACE_APART) || place >= 1 << 24 {
                        return None;
                    }
                    node.bits = node.bits & 0xFF | place << 8;
                    count += 1;
                }
                node.parent = at(node.parent);
                node.end = at(node.end);
                tree.nodes.push(node);
            }
            elements += count;
            tree.decoded.extend(
                part.tree
                    .decoded
                    .into_iter()
                    .map(|(n, key, s)| (at(n), key, s)),
            );
            tree.places
                .extend(part.tree.places.into_iter().map(|(n, p)| (at(n), p)));
            tree.comments.extend(part.tree.comments);
            found.extend(
                part.duplicates
                    .into_iter()
                    .map(|(a, b)| (NodeId(at(a.0)), NodeId(at(b.0)))),
            );
            last_spine = part.tree.nodes[..spine]
                .iter()
                .map(|n| (at(n.end), n.span.end))
                .collect();
        }
        for (node, (end, span_end)) in tree.nodes.iter_mut().zip(last_spine) {
            node.end = end;
            node.span.end = span_end;
        }
        // The spine's objects (a root object), now whole.
        found.extend(tree.duplicates_among(0..spine));
        tree.set_duplicates(found);
        Some(tree)
    }
}

impl Builder {
    /// The innermost open container.
    pub fn open_node(&self) -> Option<u32> {
        self.open.last().map(|&(id, _)| id)
    }
    pub fn open_kind(&self) -> Option<Kind> {
        self.open_node()
            .map(|id| self.tree.nodes[id as usize].kind())
    }
}
