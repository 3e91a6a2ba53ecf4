//! How deep the parser may recurse on a text, found before parsing it: oxc's parser is
//! recursive descent without a depth limit, so a 10,000-deep array overflows an ordinary
//! thread's stack. Two measures, both linear in the text:
//!
//! - [`upper_bound`]: the tokens that can each start one more level of the parser's recursion
//!   (brackets, prefix operators and keywords, right-associative operators), counted
//!   everywhere, strings and comments included. It never undercounts, so a stack sized from it
//!   is always enough; for small and middle-sized files that is the stack the parser gets.
//! - [`depth`]: the nesting a reader would see (brackets, and chains of prefix and
//!   right-associative operators between two `,` or `;`), with strings, comments, template
//!   literals and regular expressions told apart. Files too large for the first measure are
//!   parsed only when this one is within [`MAX_DEPTH`], on the largest stack.

/// The deepest nesting peerlint parses in a file too large for [`upper_bound`] to size its
/// stack.
pub const MAX_DEPTH: usize = 10_000;

/// The words that start a nested construct: a prefix operator or a statement with a body.
const NESTING_WORDS: &[&str] = &[
    "typeof", "void", "delete", "new", "await", "yield", "if", "else", "for", "while", "do",
    "with", "async", "class", "extends", "function",
];

/// Counts the characters and words that can each add a level to the parser's recursion.
pub fn upper_bound(text: &str) -> usize {
    let b = text.as_bytes();
    let mut n = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            if NESTING_WORDS.contains(&&text[start..i]) {
                n += 1;
            }
            continue;
        }
        if matches!(
            c,
            b'(' | b'[' | b'{' | b'!' | b'~' | b'+' | b'-' | b'?' | b':' | b'=' | b'*'
        ) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Where a text nests deeper than `limit`: the offset of the token that went past it.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        levels: Vec::new(),
        limit,
        at: None,
        expr_start: true,
    };
    s.run();
    s.at
}

/// The nesting of a text as a reader sees it (see [`too_deep`]); for tests.
pub fn depth(text: &str) -> usize {
    let mut lo = 0;
    let mut hi = text.len() + 1;
    while lo < hi {
        let mid = (lo + hi) / 2;
        if too_deep(text, mid).is_some() {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// One open bracket: its closing byte and the depth before it (a `}` of `${` returns to the
/// template literal).
struct Level {
    close: u8,
    before: usize,
    template: bool,
}

struct Scanner<'t> {
    b: &'t [u8],
    i: usize,
    depth: usize,
    levels: Vec<Level>,
    limit: usize,
    at: Option<usize>,
    /// Whether an expression may start here (a `/` is then a regular expression).
    expr_start: bool,
}

impl Scanner<'_> {
    fn deeper(&mut self, at: usize) {
        self.depth += 1;
        if self.depth > self.limit && self.at.is_none() {
            self.at = Some(at);
        }
    }

    /// The depth a `,` or `;` returns to: the innermost bracket's, plus the bracket itself.
    fn level_base(&self) -> usize {
        self.levels.last().map_or(0, |l| l.before + 1)
    }

    fn run(&mut self) {
        while self.i < self.b.len() && self.at.is_none() {
            let c = self.b[self.i];
            let at = self.i;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'/' if self.b.get(at + 1) == Some(&b'/') => self.line_comment(),
                b'/' if self.b.get(at + 1) == Some(&b'*') => self.block_comment(),
                b'/' if self.expr_start => {
                    self.regex();
                    self.expr_start = false;
                }
                b'\'' | b'"' => {
                    self.string(c);
                    self.expr_start = false;
                }
                b'`' => {
                    self.i += 1;
                    self.template();
                }
                b'(' | b'[' | b'{' => {
                    let close = match c {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    };
                    self.levels.push(Level {
                        close,
                        before: self.depth,
                        template: false,
                    });
                    self.deeper(at);
                    self.i += 1;
                    self.expr_start = true;
                }
                b')' | b']' | b'}' => {
                    self.i += 1;
                    // Unbalanced text is the parser's to report: the depth stays.
                    if self.levels.last().is_some_and(|l| l.close == c) {
                        let l = self.levels.pop().expect("a level");
                        self.depth = l.before;
                        if l.template {
                            self.template();
                            continue;
                        }
                    }
                    // `)` may close `if (...)` before a regular expression; a division is
                    // far more common there, and either way the depth is bounded.
                    self.expr_start = false;
                }
                b',' | b';' => {
                    self.depth = self.level_base();
                    self.i += 1;
                    self.expr_start = true;
                }
                _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                    let start = self.i;
                    // A word, or a number (with its `.`, exponent and suffix).
                    let number = c.is_ascii_digit();
                    while self.i < self.b.len()
                        && (self.b[self.i].is_ascii_alphanumeric()
                            || matches!(self.b[self.i], b'_' | b'$')
                            || self.b[self.i] >= 0x80
                            || number && self.b[self.i] == b'.')
                    {
                        self.i += 1;
                    }
                    let word = &self.b[start..self.i];
                    let nesting = NESTING_WORDS.iter().any(|w| w.as_bytes() == word);
                    if nesting {
                        self.deeper(start);
                    }
                    // After a keyword such as `return` or `typeof`, an expression starts.
                    self.expr_start = nesting
                        || matches!(
                            word,
                            b"return" | b"case" | b"throw" | b"in" | b"of" | b"instanceof"
                        );
                }
                _ => {
                    // Punctuators: a prefix or right-associative operator nests.
                    let two = self.b.get(at + 1).copied().unwrap_or(0);
                    let (len, nests) = match (c, two) {
                        (b'=', b'>') => (2, true),
                        (b'*', b'*') => (2, true),
                        (b'?', b'.') => (2, false),
                        (b'?', b'?') => (2, false),
                        (b'=', b'=') | (b'!', b'=') | (b'<', b'=') | (b'>', b'=') => (2, false),
                        (b'+', b'+') | (b'-', b'-') => (2, true),
                        (b'.', b'.') => (3, false),
                        (b'=' | b'?' | b':' | b'!' | b'~', _) => (1, true),
                        (b'+' | b'-', _) => (1, self.expr_start),
                        _ => (1, false),
                    };
                    if nests {
                        self.deeper(at);
                    }
                    self.i += len;
                    self.expr_start = true;
                }
            }
        }
    }

    fn line_comment(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    fn block_comment(&mut self) {
        self.i += 2;
        while self.i < self.b.len()
            && !(self.b[self.i] == b'*' && self.b.get(self.i + 1) == Some(&b'/'))
        {
            self.i += 1;
        }
        self.i = (self.i + 2).min(self.b.len());
    }

    /// A string literal: up to its quote or the end of the line.
    fn string(&mut self, quote: u8) {
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'\n' => return,
                c if c == quote => {
                    self.i += 1;
                    return;
                }
                _ => self.i += 1,
            }
        }
    }

    /// A regular expression literal: up to its unescaped `/` outside a class, or the line's end.
    fn regex(&mut self) {
        self.i += 1;
        let mut class = false;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'\n' => return,
                b'[' => {
                    class = true;
                    self.i += 1;
                }
                b']' => {
                    class = false;
                    self.i += 1;
                }
                b'/' if !class => {
                    self.i += 1;
                    return;
                }
                _ => self.i += 1,
            }
        }
    }

    /// A template literal's text, from after its backtick or a `}` closing `${`: up to its
    /// closing backtick, or into a `${` (one level deeper).
    fn template(&mut self) {
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'`' => {
                    self.i += 1;
                    self.expr_start = false;
                    return;
                }
                b'$' if self.b.get(self.i + 1) == Some(&b'{') => {
                    let at = self.i;
                    self.levels.push(Level {
                        close: b'}',
                        before: self.depth,
                        template: true,
                    });
                    self.deeper(at);
                    self.i += 2;
                    self.expr_start = true;
                    return;
                }
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_operators_nest() {
        assert_eq!(depth("x = 1"), 1);
        assert_eq!(depth("x = [[[1]]]"), 4);
        assert_eq!(depth("x = {a: {b: 1}, c: 2}"), 5);
        assert_eq!(
            depth(&format!("x = {}1{}", "[".repeat(50), "]".repeat(50))),
            51
        );
        assert_eq!(depth(&format!("x = {}1", "!".repeat(30))), 31);
        assert_eq!(depth(&format!("{}1;", "if (1) ".repeat(20))), 21);
        // Sequences are iterative: a long list or statement list stays shallow.
        let list = format!("x = [{}]", "1, ".repeat(5000));
        assert!(depth(&list) <= 3);
        let statements = "const a = 1;\n".repeat(5000);
        assert!(depth(&statements) <= 2);
        let sum = format!("x = 1{}", " + 1".repeat(5000));
        assert!(depth(&sum) <= 2, "binary operators don't nest");
    }

    #[test]
    fn strings_comments_templates_and_regexes_are_skipped() {
        assert_eq!(depth("x = '[[[[['"), 1);
        assert_eq!(depth("x = \"{{{{\" // [[[[[\n/* (((( */"), 1);
        assert_eq!(depth("x = /[(]{2}/"), 1);
        assert_eq!(depth("x = `[[[${[1]}]]]`"), 3);
        assert_eq!(depth("x = `a${`b${`c`}`}`"), 3);
    }

    #[test]
    fn the_bound_never_undercounts() {
        for text in [
            "x = [[[1]]]",
            "x = `${`${1}`}`",
            "a:b:c:1",
            "x = new new new a",
            "x = typeof typeof 1",
            "x = 2 ** 2 ** 2",
            "a = b = c = 1",
            "x = 1 ? 2 : 3 ? 4 : 5",
        ] {
            assert!(upper_bound(text) >= depth(text), "{text}");
        }
        assert_eq!(too_deep("x = [[1]]", 2), Some(5));
        assert_eq!(too_deep("x = [[1]]", 3), None);
    }
}
