//! Who paid: each payment with the planet account and the WeCom identities the
//! accepted links and the bill itself give it.

use super::fast_map::FastMap;

use super::input::AcceptedLink;
use crate::domain::{ExternalUserId, Payment, PlanetUserId, TransactionId};

/// A payment and the identities known for its payer.
#[derive(Clone, Debug)]
pub struct Payer<'a> {
    /// The payment.
    pub payment: &'a Payment,
    /// The linked planet account (`None`: unlinked).
    pub planet_user_id: Option<&'a PlanetUserId>,
    /// WeCom `external_userid`s: the bill's own payer id, then the linked
    /// group member's when it differs.
    external: [Option<&'a ExternalUserId>; 2],
}

impl<'a> Payer<'a> {
    /// The payment's transaction id.
    pub fn transaction_id(&self) -> &'a TransactionId {
        &self.payment.transaction_id
    }

    /// The payer's WeCom `external_userid`s (none, one or two).
    pub fn external_ids(&self) -> impl Iterator<Item = &'a ExternalUserId> + Clone + use<'a> {
        self.external.into_iter().flatten()
    }

    /// Whether any WeCom identity of the payer is known.
    pub fn has_external_id(&self) -> bool {
        self.external[0].is_some() || self.external[1].is_some()
    }
}

/// Pairs each payment with its accepted link. Links of other payments are
/// skipped; when a payment has several links, the last one given wins.
pub fn resolve_payers<'a>(payments: &'a [Payment], links: &'a [AcceptedLink]) -> Vec<Payer<'a>> {
    let by_tx: FastMap<&TransactionId, &AcceptedLink> = links.iter().map(|l| (&l.transaction_id, l)).collect();
    payments
        .iter()
        .map(|p| {
            let link = by_tx.get(&p.transaction_id);
            let own = p.payer_external_userid.as_ref();
            let linked = link.and_then(|l| l.external_userid.as_ref()).filter(|e| Some(*e) != own);
            Payer { payment: p, planet_user_id: link.and_then(|l| l.planet_user_id.as_ref()), external: [own, linked] }
        })
        .collect()
}
