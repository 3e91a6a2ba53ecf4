//! "Did you mean …?" suggestions.

/// Levenshtein distance between two strings (by characters, case-insensitive).
pub fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(&a.to_lowercase(), &b.to_lowercase())
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(distance("kitten", "sitting"), 3);
        let names = ["self-peering", "missing-reverse-peering"];
        assert_eq!(
            closest("self-peerin", names.iter().copied()),
            Some("self-peering")
        );
        assert_eq!(closest("zzz", names.iter().copied()), None);
    }
}
