//! The reviewer's search box: type-ahead over camp members by name, full
//! pinyin or initials ("zs" finds 张三, "zhangs" too), using fuzzy-matcher's
//! subsequence scoring. This is a finder, not a similarity measure.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::normalize::{NormalizedName, Normalizer};

/// Something a reviewer can find: an id, the label to show, its normalised name.
#[derive(Clone, Debug)]
pub struct SearchItem {
    /// Stable id (planet user_id, transaction id …).
    pub id: String,
    /// As shown (raw nickname).
    pub label: String,
    /// Normalised name.
    pub name: NormalizedName,
}

impl SearchItem {
    /// An item whose searchable name is `label` (plus any extra names, e.g. alias, WeChat name).
    pub fn new<'a>(
        id: impl Into<String>,
        label: impl Into<String>,
        extra: impl IntoIterator<Item = &'a str>,
        normalizer: &Normalizer,
    ) -> Self {
        let label = label.into();
        let mut name = normalizer.name(&label);
        for e in extra {
            for f in normalizer.name(e).forms {
                if !name.forms.iter().any(|x| x.text == f.text) {
                    name.forms.push(f);
                }
            }
        }
        SearchItem { id: id.into(), label, name }
    }
}

/// A match: the item's position and its score (higher is better).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchHit {
    /// Index into the searched slice.
    pub index: usize,
    /// Score.
    pub score: i64,
}

/// Items matching `query`, best first (ties by label, then id). An empty query
/// matches nothing.
pub fn search(query: &str, items: &[SearchItem], normalizer: &Normalizer) -> Vec<SearchHit> {
    let q: String = normalizer.text(query).chars().filter(|c| !c.is_whitespace()).collect();
    if q.is_empty() {
        return Vec::new();
    }
    let matcher = SkimMatcherV2::default();
    let mut hits: Vec<SearchHit> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| best_score(&matcher, &q, item).map(|score| SearchHit { index, score }))
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| items[a.index].label.cmp(&items[b.index].label))
            .then_with(|| items[a.index].id.cmp(&items[b.index].id))
    });
    hits
}

fn best_score(matcher: &SkimMatcherV2, q: &str, item: &SearchItem) -> Option<i64> {
    let mut best: Option<i64> = None;
    let mut consider = |choice: &str, bonus: i64| {
        if let Some(s) = matcher.fuzzy_match(choice, q) {
            let exact = if choice == q { 1000 } else { 0 };
            let v = s + bonus + exact;
            best = Some(best.map_or(v, |b: i64| b.max(v)));
        }
    };
    for f in &item.name.forms {
        consider(&f.text, 20);
        for p in &f.pinyin {
            consider(p, 10);
        }
        for i in &f.initials {
            consider(i, 0);
        }
    }
    consider(&item.id, -50);
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::default_normalizer;

    fn items() -> Vec<SearchItem> {
        let n = default_normalizer();
        vec![
            SearchItem::new("1", "张三", [], n),
            SearchItem::new("2", "张三丰", [], n),
            SearchItem::new("3", "🌈小明✨", [], n),
            SearchItem::new("4", "Lily", ["王丽"], n),
            SearchItem::new("5", "曾凡", [], n),
        ]
    }

    fn ids(q: &str) -> Vec<String> {
        let items = items();
        search(q, &items, default_normalizer()).into_iter().map(|h| items[h.index].id.clone()).collect()
    }

    #[test]
    fn initials_pinyin_and_characters_all_find_a_name() {
        assert_eq!(ids("zs").first().map(String::as_str), Some("1"), "initials");
        assert!(ids("zhangs").contains(&"1".to_string()));
        assert_eq!(ids("张三").first().map(String::as_str), Some("1"), "exact beats superstring");
        assert!(ids("张三").contains(&"2".to_string()));
        assert_eq!(ids("xiaoming"), vec!["3"]);
        assert_eq!(ids("wangli"), vec!["4"], "through an extra name");
        assert!(ids("zengfan").contains(&"5".to_string()), "surname read as a name");
        assert!(ids("").is_empty());
        assert!(ids("qqqq").is_empty());
    }

    #[test]
    fn full_width_and_traditional_queries_fold() {
        assert_eq!(ids("張三").first().map(String::as_str), Some("1"));
        assert_eq!(ids("ＬＩＬＹ"), vec!["4"]);
    }
}
