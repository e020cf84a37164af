//! Who paid: each payment with the planet account and the WeCom identities the
//! accepted links and the bill itself give it.

use std::collections::HashMap;

use super::input::AcceptedLink;
use crate::domain::{ExternalUserId, Payment, PlanetUserId, TransactionId};

/// A payment and the identities known for its payer.
#[derive(Clone, Debug)]
pub struct Payer<'a> {
    /// The payment.
    pub payment: &'a Payment,
    /// The linked planet account (`None`: unlinked).
    pub planet_user_id: Option<&'a PlanetUserId>,
    /// WeCom `external_userid`s: the bill's own payer id and the linked group member's.
    pub external_ids: Vec<&'a ExternalUserId>,
}

impl Payer<'_> {
    /// The payment's transaction id.
    pub fn transaction_id(&self) -> &TransactionId {
        &self.payment.transaction_id
    }
}

/// Pairs each payment with its accepted link. Links of other payments are
/// skipped; when a payment has several links, the last one given wins.
pub fn resolve_payers<'a>(payments: &'a [Payment], links: &'a [AcceptedLink]) -> Vec<Payer<'a>> {
    let by_tx: HashMap<&TransactionId, &AcceptedLink> = links.iter().map(|l| (&l.transaction_id, l)).collect();
    payments
        .iter()
        .map(|p| {
            let link = by_tx.get(&p.transaction_id);
            let mut external_ids: Vec<&ExternalUserId> = Vec::with_capacity(2);
            external_ids.extend(p.payer_external_userid.as_ref());
            if let Some(e) = link.and_then(|l| l.external_userid.as_ref())
                && !external_ids.contains(&e)
            {
                external_ids.push(e);
            }
            Payer { payment: p, planet_user_id: link.and_then(|l| l.planet_user_id.as_ref()), external_ids }
        })
        .collect()
}
