//! The names on the planet's payments, by camp. Two gates read them. A payer's WeChat
//! name on a payment of another camp: a namesake who paid there joined the planet in the
//! same days as this camp's payers, so a planet join right around the payment no longer
//! says which of the two paid here. And an exported WeChat name no other payment shows,
//! on a member who joined the planet on paying: that account paid under another name, so
//! the export's name is outdated.

use super::fxhash::{FxMap, FxSet};
use super::normalize::Normalizer;
use crate::domain::{CampId, ExternalUserId, Payment, TransactionId};

/// Below this many bill names one thread normalises them all.
const PARALLEL_MIN_PAYMENTS: usize = 4096;

/// A camp or payer that is none (an unattributed payment, a bill without external_userid).
const NONE: u32 = u32::MAX;
/// A camp or payer asked about that no payment shows: it equals no entry.
const UNSEEN: u32 = u32::MAX - 1;

/// Where a bill name was shown: the payment's camp and its payer (the bill's
/// external_userid), each as an index into [`PaymentNames`]' tables or [`NONE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ShownOn {
    camp: u32,
    payer: u32,
}

/// Every payment's bill name texts, with where they were shown (each place once) and
/// how many payments show them.
#[derive(Clone, Debug, Default)]
pub struct PaymentNames {
    shown_by_text: FxMap<String, Vec<ShownOn>>,
    camps: FxMap<CampId, u32>,
    payers: FxMap<ExternalUserId, u32>,
    payments_by_text: FxMap<String, u32>,
    /// The payments whose bill names were read.
    read: FxSet<TransactionId>,
}

impl PaymentNames {
    /// Reads the bill names of `payments` (all of the planet's, any camp); many of them
    /// are normalised on several threads.
    pub fn build<'p>(payments: impl IntoIterator<Item = &'p Payment>, normalizer: &Normalizer) -> Self {
        let named: Vec<&Payment> =
            payments.into_iter().filter(|p| p.payer_name.as_deref().is_some_and(|n| !n.trim().is_empty())).collect();
        let read: FxSet<TransactionId> = named.iter().map(|p| p.transaction_id.clone()).collect();
        let texts = |part: &[&Payment]| -> Vec<Vec<String>> {
            part.iter()
                .map(|p| {
                    normalizer.name(p.payer_name.as_deref().unwrap_or_default()).texts().map(str::to_string).collect()
                })
                .collect()
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let texts: Vec<Vec<String>> = if threads <= 1 || named.len() < PARALLEL_MIN_PAYMENTS {
            texts(&named)
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> =
                    named.chunks(named.len().div_ceil(threads)).map(|part| scope.spawn(move || texts(part))).collect();
                workers.into_iter().flat_map(|w| w.join().expect("bill name worker panicked")).collect()
            })
        };
        let mut out = PaymentNames { read, ..PaymentNames::default() };
        for (payment, texts) in named.iter().zip(texts) {
            let camp = payment.camp.as_ref().map_or(NONE, |c| intern(&mut out.camps, c));
            let payer = payment.payer_external_userid.as_ref().map_or(NONE, |p| intern(&mut out.payers, p));
            for text in texts {
                *out.payments_by_text.entry(text.clone()).or_default() += 1;
                out.shown_by_text.entry(text).or_default().push(ShownOn { camp, payer });
            }
        }
        for shown in out.shown_by_text.values_mut() {
            shown.sort_unstable();
            shown.dedup();
        }
        out
    }

    /// How many payments besides `payment` show a bill name that reads as `text`
    /// (`shown_by_it`: whether `payment`'s own bill name does; it is not counted, whether
    /// or not it was among the payments read).
    pub fn others_showing(&self, text: &str, payment: &TransactionId, shown_by_it: bool) -> u32 {
        let all = self.payments_by_text.get(text).copied().unwrap_or(0);
        all - u32::from(shown_by_it && self.read.contains(payment))
    }

    /// Whether a payment outside `camp` (another camp's or an unattributed one) shows
    /// a bill name that reads as `text`, other than one of `payer`'s own (a bill with the
    /// same external_userid: the same person paying again, not a namesake).
    pub fn shown_outside(&self, text: &str, camp: Option<&CampId>, payer: Option<&ExternalUserId>) -> bool {
        let Some(shown) = self.shown_by_text.get(text) else { return false };
        let camp = camp.map_or(NONE, |c| self.camps.get(c).copied().unwrap_or(UNSEEN));
        let payer = payer.map(|p| self.payers.get(p).copied().unwrap_or(UNSEEN));
        shown.iter().any(|s| s.camp != camp && payer.is_none_or(|p| s.payer != p))
    }
}

/// The index of `key` in `table`, added if new.
fn intern<K: Clone + Eq + std::hash::Hash>(table: &mut FxMap<K, u32>, key: &K) -> u32 {
    if let Some(&i) = table.get(key) {
        return i;
    }
    let i = table.len() as u32;
    table.insert(key.clone(), i);
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Attribution, ExternalUserId, Money, SourceRef, TransactionId};
    use crate::matching::normalize::default_normalizer;

    fn payment(id: &str, camp: Option<&str>, name: &str) -> Payment {
        Payment {
            transaction_id: TransactionId::new(id),
            out_trade_no: None,
            camp: camp.map(CampId::new),
            attribution: Attribution::Import,
            payer_external_userid: None,
            payer_name: Some(name.to_string()),
            remark: String::new(),
            description: None,
            amount: Money::from_fen(3900),
            paid_at: "2025-10-01T04:00:00Z".parse().expect("timestamp"),
            payee_userid: None,
            mch_id: None,
            payment_type: None,
            refunded_total: Money::from_fen(0),
            bill_refunds: Vec::new(),
            source: SourceRef { raw_id: "t".into(), position: None },
        }
    }

    #[test]
    fn a_name_is_outside_a_camp_only_when_another_camp_or_no_camp_shows_it() {
        let names = PaymentNames::build(
            &[payment("1", Some("a"), "🌸立夏"), payment("2", Some("b"), "立夏"), payment("3", None, "Monica")],
            default_normalizer(),
        );
        let (a, b, c) = (CampId::new("a"), CampId::new("b"), CampId::new("c"));
        assert!(names.shown_outside("立夏", Some(&a), None));
        assert!(names.shown_outside("立夏", Some(&c), None));
        assert!(names.shown_outside("monica", Some(&a), None), "an unattributed payment is outside every camp");
        assert!(!names.shown_outside("黎璐", Some(&a), None));
        let only_b = PaymentNames::build(&[payment("2", Some("b"), "立夏")], default_normalizer());
        assert!(PaymentNames::build(&[], default_normalizer()).shown_by_text.is_empty());
        assert!(!only_b.shown_outside("立夏", Some(&b), None));
        assert!(only_b.shown_outside("立夏", Some(&a), None));
        let (one, two) = (TransactionId::new("1"), TransactionId::new("2"));
        assert_eq!(names.others_showing("立夏", &one, true), 1);
        assert_eq!(only_b.others_showing("立夏", &two, true), 0);
        // A payment the names were read without (it arrived since) takes nothing off.
        assert_eq!(only_b.others_showing("立夏", &one, true), 1);
        assert_eq!(only_b.others_showing("黎璐", &two, false), 0);
    }

    #[test]
    fn the_payers_own_payment_in_another_camp_is_not_a_namesakes() {
        let by = |id: &str, camp: &str, name: &str, payer: Option<&str>| Payment {
            payer_external_userid: payer.map(ExternalUserId::new),
            ..payment(id, Some(camp), name)
        };
        let (a, b) = (CampId::new("a"), CampId::new("b"));
        let (wm1, wm2) = (ExternalUserId::new("wm1"), ExternalUserId::new("wm2"));
        let once = PaymentNames::build(
            &[by("1", "a", "立夏", Some("wm1")), by("2", "b", "立夏", Some("wm1"))],
            default_normalizer(),
        );
        assert!(!once.shown_outside("立夏", Some(&a), Some(&wm1)), "wm1 paid again in b");
        assert!(once.shown_outside("立夏", Some(&a), Some(&wm2)), "another payer's 立夏 paid in b");
        assert!(once.shown_outside("立夏", Some(&a), None), "a bill without external_userid cannot tell");
        let twice = PaymentNames::build(
            &[by("1", "a", "立夏", Some("wm1")), by("2", "b", "立夏", Some("wm1")), by("3", "b", "立夏", None)],
            default_normalizer(),
        );
        assert!(twice.shown_outside("立夏", Some(&a), Some(&wm1)), "b also shows 立夏 on a bill of unknown payer");
        assert!(!twice.shown_outside("立夏", Some(&b), Some(&wm1)));
    }

    #[test]
    fn many_bill_names_read_on_several_threads_read_the_same() {
        let payments: Vec<Payment> = (0..PARALLEL_MIN_PAYMENTS + 7)
            .map(|i| payment(&i.to_string(), Some(if i % 2 == 0 { "a" } else { "b" }), &format!("🌸Lily{i}")))
            .collect();
        let names = PaymentNames::build(&payments, default_normalizer());
        let (a, b) = (CampId::new("a"), CampId::new("b"));
        for i in [0, 1, PARALLEL_MIN_PAYMENTS / 2, PARALLEL_MIN_PAYMENTS + 6] {
            let text = format!("lily{i}");
            let (own, other) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            assert!(!names.shown_outside(&text, Some(own), None), "{text}");
            assert!(names.shown_outside(&text, Some(other), None), "{text}");
        }
        assert_eq!(names.shown_by_text.len(), payments.len());
    }
}
