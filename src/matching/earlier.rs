//! Other camps' automatic links, by the payer's `external_userid`. A payer who pays for
//! another camp pays from the same WeChat account, so a link one camp made on its own
//! evidence says who a later (or concurrent) payment of that account is.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::fxhash::FxMap;
use super::outcome::{Link, LinkState};
use crate::domain::{CampId, ExternalUserId, Payment, PlanetUserId, TransactionId};

/// An automatic link a camp made for a payment on that camp's own evidence (not on an
/// earlier link in turn).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierLink {
    /// The payment.
    pub transaction_id: TransactionId,
    /// Its camp.
    pub camp: Option<CampId>,
    /// The payer's `external_userid` as the bill shows it.
    pub external_userid: ExternalUserId,
    /// The planet user it was linked to.
    pub planet_user_id: PlanetUserId,
}

/// Automatic links of any camps, looked up by the bill's `external_userid`.
#[derive(Clone, Debug, Default)]
pub struct EarlierLinks {
    /// Sorted by external_userid, then transaction id.
    links: Vec<EarlierLink>,
    /// external_userid → its run in `links` (a hash lookup: a binary search over the
    /// links misses the cache on every probe at 100 000 payments).
    runs: FxMap<String, (usize, usize)>,
}

impl EarlierLinks {
    /// No links (a first evaluation, or a planet with one camp).
    pub fn none() -> &'static EarlierLinks {
        static NONE: LazyLock<EarlierLinks> = LazyLock::new(EarlierLinks::default);
        &NONE
    }

    /// Collects links, in any order.
    pub fn new(links: impl IntoIterator<Item = EarlierLink>) -> EarlierLinks {
        let mut links: Vec<EarlierLink> = links.into_iter().collect();
        links.sort_by(|a, b| {
            a.external_userid.as_str().cmp(b.external_userid.as_str()).then(a.transaction_id.cmp(&b.transaction_id))
        });
        links.dedup_by(|a, b| a.transaction_id == b.transaction_id);
        let mut runs: FxMap<String, (usize, usize)> = FxMap::default();
        for (i, l) in links.iter().enumerate() {
            runs.entry(l.external_userid.as_str().to_string()).or_insert((i, i)).1 = i + 1;
        }
        EarlierLinks { links, runs }
    }

    /// The links another camp can lean on: automatic, made on their own evidence, on a
    /// payment whose bill (in `payments`) carries the payer's `external_userid`.
    pub fn from_links<'l, 'p>(
        links: impl IntoIterator<Item = &'l Link>,
        payments: impl IntoIterator<Item = &'p Payment>,
    ) -> EarlierLinks {
        let on_bill: HashMap<&str, &ExternalUserId> = payments
            .into_iter()
            .filter_map(|p| p.payer_external_userid.as_ref().map(|e| (p.transaction_id.as_str(), e)))
            .collect();
        EarlierLinks::new(
            links.into_iter().filter(|l| l.state == LinkState::Auto && l.earlier_link.is_none()).filter_map(|l| {
                Some(EarlierLink {
                    transaction_id: l.transaction_id.clone(),
                    camp: l.camp.clone(),
                    external_userid: (*on_bill.get(l.transaction_id.as_str())?).clone(),
                    planet_user_id: l.planet_user_id.clone()?,
                })
            }),
        )
    }

    /// The links of payments from this `external_userid`.
    pub fn of(&self, external_userid: &str) -> &[EarlierLink] {
        self.runs.get(external_userid).map_or(&[], |&(start, end)| &self.links[start..end])
    }

    /// How many links.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

impl IntoIterator for EarlierLinks {
    type Item = EarlierLink;
    type IntoIter = std::vec::IntoIter<EarlierLink>;

    fn into_iter(self) -> Self::IntoIter {
        self.links.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn link(txn: &str, ext: &str, user: &str) -> EarlierLink {
        EarlierLink {
            transaction_id: TransactionId::new(txn),
            camp: Some(CampId::new("c")),
            external_userid: ExternalUserId::new(ext),
            planet_user_id: PlanetUserId::new(user),
        }
    }

    proptest! {
        /// `of` finds exactly the links of one external_userid, whatever the order given.
        #[test]
        fn lookup_returns_exactly_the_payers_links(pairs in prop::collection::vec((0u8..6, 0u8..4), 0..40)) {
            let given: Vec<EarlierLink> = pairs
                .iter()
                .enumerate()
                .map(|(i, (e, u))| link(&format!("t{i}"), &format!("wm{e}"), &format!("u{u}")))
                .collect();
            let links = EarlierLinks::new(given.clone());
            prop_assert_eq!(links.len(), given.len());
            for e in 0u8..7 {
                let ext = format!("wm{e}");
                let mut want: Vec<&str> =
                    given.iter().filter(|l| l.external_userid.as_str() == ext).map(|l| l.transaction_id.as_str()).collect();
                want.sort_unstable();
                let got: Vec<&str> = links.of(&ext).iter().map(|l| l.transaction_id.as_str()).collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    fn payment(txn: &str, ext: Option<&str>) -> Payment {
        Payment {
            transaction_id: TransactionId::new(txn),
            out_trade_no: None,
            camp: Some(CampId::new("c")),
            attribution: crate::domain::Attribution::Import,
            payer_external_userid: ext.map(ExternalUserId::new),
            payer_name: Some("小鱼".to_string()),
            remark: String::new(),
            description: None,
            amount: crate::domain::Money::from_fen(3900),
            paid_at: "2025-10-01T00:00:00Z".parse().unwrap(),
            payee_userid: None,
            mch_id: None,
            payment_type: None,
            refunded_total: crate::domain::Money::ZERO,
            bill_refunds: Vec::new(),
            source: crate::domain::SourceRef { raw_id: "t".to_string(), position: None },
        }
    }

    fn stored(txn: &str, state: LinkState, earlier: Option<&str>) -> Link {
        Link {
            transaction_id: TransactionId::new(txn),
            camp: Some(CampId::new("c")),
            planet_user_id: Some(PlanetUserId::new("u1")),
            external_userid: Some(ExternalUserId::new("wmGroup")),
            state,
            score: 20.0,
            reasons: vec![],
            suggested_planet_user_id: None,
            review_card: None,
            bind_code: None,
            decision: None,
            earlier_link: earlier.map(TransactionId::new),
        }
    }

    #[test]
    fn only_automatic_links_on_their_own_evidence_with_the_bills_external_userid_are_leaned_on() {
        let links = [
            stored("t1", LinkState::Auto, None),
            stored("t2", LinkState::Auto, Some("t1")),
            stored("t3", LinkState::Confirmed, None),
            stored("t4", LinkState::Auto, None),
            stored("t5", LinkState::Review, None),
        ];
        // t4's bill has no external_userid: the link's own one came from a group member matched by name.
        let payments = [
            payment("t1", Some("wmA")),
            payment("t2", Some("wmA")),
            payment("t3", Some("wmA")),
            payment("t4", None),
            payment("t5", Some("wmA")),
        ];
        let got = EarlierLinks::from_links(&links, &payments);
        let ids: Vec<&str> = got.of("wmA").iter().map(|l| l.transaction_id.as_str()).collect();
        assert_eq!(ids, ["t1"]);
        assert_eq!(got.len(), 1);
        assert!(got.of("wmGroup").is_empty());
    }
}
