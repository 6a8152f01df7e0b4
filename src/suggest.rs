//! "Did you mean …?" for names typed by hand: hazards, services, environments.

/// How alike a name must be to be suggested (Jaro-Winkler, 1 = equal): close enough for a
/// typo or a prefix (`INDEX_BULD`, `prod`), far enough not to offer an unrelated name.
const THRESHOLD: f64 = 0.8;

/// The candidate most like `given` (case-insensitive), if any is like enough; the first of
/// equals, so that the answer does not depend on more than the candidates' order.
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.trim().to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&given, &c.to_lowercase());
        if score >= THRESHOLD && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `; did you mean NAME?` for the closest candidate, or nothing: to follow "unknown … X".
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(given, candidates)
        .map(|c| format!("; did you mean {c}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_prefixes_find_the_name_meant() {
        let hazards = ["DELETES_DATA", "INDEX_BUILD", "INDEX_DROPPED", "all"];
        assert_eq!(closest("INDEX_BULD", hazards), Some("INDEX_BUILD"));
        assert_eq!(closest("index_dropd", hazards), Some("INDEX_DROPPED"));
        assert_eq!(closest("DELETE_DATA", hazards), Some("DELETES_DATA"));
        let services = ["academic-service", "auth-service", "chat-service"];
        assert_eq!(closest("auth-servce", services), Some("auth-service"));
        assert_eq!(
            closest("prod", ["production", "staging"]),
            Some("production")
        );
    }

    #[test]
    fn nothing_alike_suggests_nothing() {
        assert_eq!(closest("billing", ["production", "staging"]), None);
        assert_eq!(closest("x", ["DELETES_DATA"]), None);
        assert_eq!(did_you_mean("zzz", ["auth-service"]), "");
        assert_eq!(
            did_you_mean("stagin", ["production", "staging"]),
            "; did you mean staging?"
        );
    }
}
