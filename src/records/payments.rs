//! Payments from WeCom bills (or imported files): attribution to a camp, refunds
//! seen on bills merged into the payment, indexes by camp, payer and
//! out_trade_no.
//!
//! Merging rules, so a later, thinner source never erases evidence:
//! - a field the incoming bill leaves out (`None`) keeps its stored value;
//! - refunds are merged by `out_refund_no`: `refund_list` entries replace stored
//!   ones, entries no longer listed are kept, refund rows (`bill_type = 1`) add
//!   entries with status [`REFUND_STATUS_UNKNOWN`] unless a listed entry exists;
//! - attribution is recomputed by the rules on every sync, except that a camp a
//!   person chose (`Manual`, or `Import` with `--camp`) is kept.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::attribution::{PaymentFacts, attribute};
use super::mentions::{MentionBatch, MentionKind};
use super::{Change, Reads, RecordsError, UpsertStats};
use crate::config::Config;
use crate::domain::{
    Attribution, BillRefund, CampId, ExternalUserId, Money, Payment, SourceRef, StaffUserId, TransactionId,
};
use crate::store::{TableDef, WriteTx, key, key_prefix};

/// transaction_id → payment.
pub const PAYMENTS: TableDef<Payment> = TableDef::new("payments");
/// key(camp or "", transaction_id) → nothing. The empty camp holds unattributed payments.
const PAYMENTS_BY_CAMP: TableDef<()> = TableDef::new("payments_by_camp");
/// key(external_userid, transaction_id) → nothing.
const PAYMENTS_BY_PAYER: TableDef<()> = TableDef::new("payments_by_payer");
/// out_trade_no → transaction_id.
const PAYMENTS_BY_OUT_TRADE_NO: TableDef<String> = TableDef::new("payments_by_out_trade_no");
/// key(transaction_id, out_refund_no) → refund row as seen on the bill list.
const REFUND_ROWS: TableDef<RefundBill> = TableDef::new("bill_refund_rows");
/// key(out_trade_no, out_refund_no) → key into REFUND_ROWS.
const REFUND_ROWS_BY_OUT_TRADE_NO: TableDef<String> = TableDef::new("bill_refund_rows_by_out_trade_no");

/// `BillRefund::status` for a refund seen only as a refund row (`bill_type = 1`),
/// whose status WeCom does not report there.
pub const REFUND_STATUS_UNKNOWN: i64 = -1;

/// A payment as a bill (or a file row) shows it. `None` means "the source does not say".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentBill {
    /// 交易单号.
    pub transaction_id: TransactionId,
    /// Merchant order number.
    pub out_trade_no: Option<String>,
    /// Payer's external_userid.
    pub payer_external_userid: Option<ExternalUserId>,
    /// Payer's name.
    pub payer_name: Option<String>,
    /// Payer's remark.
    pub remark: Option<String>,
    /// First commodity description.
    pub description: Option<String>,
    /// Amount paid.
    pub amount: Money,
    /// When it was paid.
    pub paid_at: Timestamp,
    /// Collecting member.
    pub payee_userid: Option<StaffUserId>,
    /// Merchant number.
    pub mch_id: Option<String>,
    /// `payment_type`.
    pub payment_type: Option<i64>,
    /// `total_refund_fee`.
    pub refunded_total: Option<Money>,
    /// `refund_list`, when the source lists refunds.
    pub refunds: Option<Vec<BillRefund>>,
    /// Where it was read.
    pub source: SourceRef,
}

/// A refund row of the bill list (`bill_type = 1`), or of an imported file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundBill {
    /// The transaction id the row carries (the refunded payment's, as far as known).
    pub transaction_id: TransactionId,
    /// The refunded payment's out_trade_no.
    pub out_trade_no: Option<String>,
    /// The refund's number.
    pub out_refund_no: String,
    /// Member who refunded (`payee_userid` on refund rows).
    pub refund_userid: Option<StaffUserId>,
    /// Refund remark.
    pub comment: Option<String>,
    /// When (`pay_time` on refund rows).
    pub refunded_at: Option<Timestamp>,
    /// Amount refunded.
    pub amount: Money,
    /// Where it was read.
    pub source: SourceRef,
}

/// One row of a bill page.
#[derive(Clone, Debug, PartialEq)]
pub enum Bill {
    /// A payment (`bill_type = 0`).
    Payment(PaymentBill),
    /// A refund (`bill_type = 1`).
    Refund(RefundBill),
}

/// How incoming payments get their camp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CampAssignment {
    /// By the attribution rules (sync).
    Rules,
    /// The person importing a file chose this camp (`--camp`).
    Import(CampId),
}

fn camp_part(camp: &Option<CampId>) -> &str {
    camp.as_ref().map_or("", |c| c.as_str())
}

fn record_label(txn: &TransactionId) -> String {
    format!("payment {txn}")
}

fn validate(bill: &PaymentBill) -> Result<(), RecordsError> {
    if bill.transaction_id.as_str().trim().is_empty() {
        return Err(RecordsError::invalid("payment", "transaction_id", "is empty"));
    }
    if !bill.amount.is_positive() {
        return Err(RecordsError::invalid(
            record_label(&bill.transaction_id),
            "amount",
            format!("{} is not a positive amount", bill.amount),
        ));
    }
    if let Some(t) = bill.refunded_total
        && t.fen() < 0
    {
        return Err(RecordsError::invalid(record_label(&bill.transaction_id), "refunded_total", "is negative"));
    }
    Ok(())
}

fn refund_from_row(row: &RefundBill) -> BillRefund {
    BillRefund {
        out_refund_no: row.out_refund_no.clone(),
        refund_userid: row.refund_userid.clone(),
        comment: row.comment.clone(),
        requested_at: row.refunded_at,
        amount: row.amount,
        status: REFUND_STATUS_UNKNOWN,
    }
}

/// Merges refunds: `listed` (authoritative, when given) over `stored`, then rows.
fn merge_refunds(stored: &[BillRefund], listed: Option<&[BillRefund]>, rows: &[RefundBill]) -> Vec<BillRefund> {
    let mut by_no: BTreeMap<String, BillRefund> = BTreeMap::new();
    for r in stored {
        by_no.insert(r.out_refund_no.clone(), r.clone());
    }
    for r in listed.unwrap_or_default() {
        by_no.insert(r.out_refund_no.clone(), r.clone());
    }
    for row in rows {
        by_no
            .entry(row.out_refund_no.clone())
            .and_modify(|r| {
                r.comment = r.comment.take().or_else(|| row.comment.clone());
                r.requested_at = r.requested_at.or(row.refunded_at);
                r.refund_userid = r.refund_userid.take().or_else(|| row.refund_userid.clone());
            })
            .or_insert_with(|| refund_from_row(row));
    }
    let mut out: Vec<BillRefund> = by_no.into_values().collect();
    out.sort_by(|a, b| a.requested_at.cmp(&b.requested_at).then_with(|| a.out_refund_no.cmp(&b.out_refund_no)));
    out
}

fn decide_camp(
    config: &Config,
    old: Option<&Payment>,
    merged: &Payment,
    assignment: &CampAssignment,
) -> Result<(Option<CampId>, Attribution), RecordsError> {
    if let Some(old) = old {
        match (&old.attribution, assignment) {
            (Attribution::Manual { by }, CampAssignment::Import(camp)) if old.camp.as_ref() != Some(camp) => {
                return Err(RecordsError::Conflict(format!(
                    "payment {}: {by} assigned it to camp {}; the import says camp {camp}. Change the assignment \
                     first if the import is right",
                    old.transaction_id,
                    camp_part(&old.camp)
                )));
            }
            (Attribution::Manual { .. }, _) => return Ok((old.camp.clone(), old.attribution.clone())),
            (Attribution::Import, CampAssignment::Rules) => return Ok((old.camp.clone(), old.attribution.clone())),
            _ => {}
        }
    }
    match assignment {
        CampAssignment::Import(camp) => Ok((Some(camp.clone()), Attribution::Import)),
        CampAssignment::Rules => {
            let facts = PaymentFacts {
                payee: merged.payee_userid.as_ref().map(|p| p.as_str()),
                amount: merged.amount,
                paid_at: merged.paid_at,
                description: merged.description.as_deref(),
                remark: &merged.remark,
            };
            let outcome = attribute(&facts, &config.camps, &config.day_rule.tz);
            Ok((outcome.camp, outcome.attribution))
        }
    }
}

/// Refund rows stored for this payment (by transaction id or out_trade_no).
fn stored_rows(r: &impl Reads, txn: &str, out_trade_no: Option<&str>) -> Result<Vec<RefundBill>, RecordsError> {
    let mut rows: Vec<RefundBill> =
        r.prefix_records(&REFUND_ROWS, &key_prefix(&[txn]))?.into_iter().map(|(_, v)| v).collect();
    if let Some(otn) = out_trade_no.filter(|o| !o.is_empty()) {
        for (_, row_key) in r.prefix_records(&REFUND_ROWS_BY_OUT_TRADE_NO, &key_prefix(&[otn]))? {
            if let Some(row) = r.get_record(&REFUND_ROWS, &row_key)?
                && !rows.iter().any(|x| x.out_refund_no == row.out_refund_no)
            {
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

fn write_payment(tx: &mut WriteTx, old: Option<&Payment>, new: &Payment) -> Result<(), RecordsError> {
    let txn = new.transaction_id.as_str();
    if old.map(|o| &o.camp) != Some(&new.camp) {
        if let Some(o) = old {
            tx.remove(&PAYMENTS_BY_CAMP, &key(&[camp_part(&o.camp), txn]))?;
        }
        tx.put(&PAYMENTS_BY_CAMP, &key(&[camp_part(&new.camp), txn]), &())?;
    }
    if old.map(|o| &o.payer_external_userid) != Some(&new.payer_external_userid) {
        if let Some(ext) = old.and_then(|o| o.payer_external_userid.as_ref()) {
            tx.remove(&PAYMENTS_BY_PAYER, &key(&[ext.as_str(), txn]))?;
        }
        if let Some(ext) = &new.payer_external_userid {
            tx.put(&PAYMENTS_BY_PAYER, &key(&[ext.as_str(), txn]), &())?;
        }
    }
    if let Some(otn) = new.out_trade_no.as_deref().filter(|o| !o.is_empty())
        && old.and_then(|o| o.out_trade_no.as_deref()) != Some(otn)
    {
        tx.put(&PAYMENTS_BY_OUT_TRADE_NO, otn, &txn.to_string())?;
    }
    tx.put(&PAYMENTS, txn, new)?;
    Ok(())
}

/// Upserts payments, attributing each to a camp. Validates every bill first.
pub fn upsert_payments(
    tx: &mut WriteTx,
    config: &Config,
    bills: &[PaymentBill],
    assignment: &CampAssignment,
) -> Result<UpsertStats, RecordsError> {
    for b in bills {
        validate(b)?;
    }
    if let CampAssignment::Import(camp) = assignment
        && config.camp(camp.as_str()).is_none()
    {
        return Err(RecordsError::invalid("import", "camp", format!("unknown camp {camp}")));
    }
    let mut stats = UpsertStats::default();
    let mut mentions = MentionBatch::new();
    for bill in bills {
        let txn = bill.transaction_id.as_str();
        mentions.add(MentionKind::Transaction, txn, &bill.source);
        if let Some(ext) = &bill.payer_external_userid {
            mentions.add(MentionKind::ExternalUser, ext.as_str(), &bill.source);
        }
        let old = tx.get(&PAYMENTS, txn)?;
        let rows = match &old {
            Some(_) => Vec::new(),
            None => stored_rows(tx, txn, bill.out_trade_no.as_deref())?,
        };
        let base = old.as_ref();
        let mut merged = Payment {
            transaction_id: bill.transaction_id.clone(),
            out_trade_no: bill.out_trade_no.clone().or_else(|| base.and_then(|o| o.out_trade_no.clone())),
            camp: None,
            attribution: Attribution::Import,
            payer_external_userid: bill
                .payer_external_userid
                .clone()
                .or_else(|| base.and_then(|o| o.payer_external_userid.clone())),
            payer_name: bill.payer_name.clone().or_else(|| base.and_then(|o| o.payer_name.clone())),
            remark: bill.remark.clone().or_else(|| base.map(|o| o.remark.clone())).unwrap_or_default(),
            description: bill.description.clone().or_else(|| base.and_then(|o| o.description.clone())),
            amount: bill.amount,
            paid_at: bill.paid_at,
            payee_userid: bill.payee_userid.clone().or_else(|| base.and_then(|o| o.payee_userid.clone())),
            mch_id: bill.mch_id.clone().or_else(|| base.and_then(|o| o.mch_id.clone())),
            payment_type: bill.payment_type.or_else(|| base.and_then(|o| o.payment_type)),
            refunded_total: bill.refunded_total.or_else(|| base.map(|o| o.refunded_total)).unwrap_or(Money::ZERO),
            bill_refunds: merge_refunds(base.map_or(&[][..], |o| &o.bill_refunds), bill.refunds.as_deref(), &rows),
            source: bill.source.clone(),
        };
        let (camp, attribution) = decide_camp(config, base, &merged, assignment)?;
        merged.camp = camp;
        merged.attribution = attribution;
        let change = match &old {
            None => Change::Inserted,
            Some(o) => {
                let mut same = merged.clone();
                same.source = o.source.clone();
                if &same == o { Change::Unchanged } else { Change::Updated }
            }
        };
        stats.count(change);
        if change != Change::Unchanged {
            write_payment(tx, old.as_ref(), &merged)?;
        }
    }
    mentions.write(tx)?;
    Ok(stats)
}

/// Stores refund rows and merges each into its payment when the payment is known
/// (by transaction id, else by out_trade_no). A row whose payment is not stored
/// yet waits and is merged when the payment arrives.
pub fn record_refund_rows(tx: &mut WriteTx, rows: &[RefundBill]) -> Result<UpsertStats, RecordsError> {
    for row in rows {
        let label = format!("refund {} of payment {}", row.out_refund_no, row.transaction_id);
        if row.out_refund_no.trim().is_empty() {
            return Err(RecordsError::invalid(
                format!("refund row of payment {}", row.transaction_id),
                "out_refund_no",
                "is empty",
            ));
        }
        if !row.amount.is_positive() {
            return Err(RecordsError::invalid(label, "amount", format!("{} is not a positive amount", row.amount)));
        }
    }
    let mut stats = UpsertStats::default();
    let mut mentions = MentionBatch::new();
    for row in rows {
        mentions.add(MentionKind::Transaction, row.transaction_id.as_str(), &row.source);
        let row_key = key(&[row.transaction_id.as_str(), &row.out_refund_no]);
        let old_row = tx.get(&REFUND_ROWS, &row_key)?;
        let row_change = match &old_row {
            None => Change::Inserted,
            Some(o) => {
                let mut same = row.clone();
                same.source = o.source.clone();
                if &same == o { Change::Unchanged } else { Change::Updated }
            }
        };
        if row_change != Change::Unchanged {
            tx.put(&REFUND_ROWS, &row_key, row)?;
            if let Some(otn) = row.out_trade_no.as_deref().filter(|o| !o.is_empty()) {
                tx.put(&REFUND_ROWS_BY_OUT_TRADE_NO, &key(&[otn, &row.out_refund_no]), &row_key)?;
            }
        }
        // Merge into the payment, if we have it.
        let txn = match tx.get(&PAYMENTS, row.transaction_id.as_str())? {
            Some(_) => Some(row.transaction_id.as_str().to_string()),
            None => match row.out_trade_no.as_deref().filter(|o| !o.is_empty()) {
                Some(otn) => tx.get(&PAYMENTS_BY_OUT_TRADE_NO, otn)?,
                None => None,
            },
        };
        let mut payment_change = Change::Unchanged;
        if let Some(txn) = txn
            && let Some(payment) = tx.get(&PAYMENTS, &txn)?
        {
            let merged = merge_refunds(&payment.bill_refunds, None, std::slice::from_ref(row));
            if merged != payment.bill_refunds {
                let mut updated = payment.clone();
                updated.bill_refunds = merged;
                write_payment(tx, Some(&payment), &updated)?;
                payment_change = Change::Updated;
            }
        }
        stats.count(if row_change == Change::Inserted {
            Change::Inserted
        } else if row_change == Change::Updated || payment_change == Change::Updated {
            Change::Updated
        } else {
            Change::Unchanged
        });
    }
    mentions.write(tx)?;
    Ok(stats)
}

/// Upserts a page of bills: payments first, then refund rows.
pub fn upsert_bills(tx: &mut WriteTx, config: &Config, bills: &[Bill]) -> Result<UpsertStats, RecordsError> {
    let payments: Vec<PaymentBill> =
        bills.iter().filter_map(|b| if let Bill::Payment(p) = b { Some(p.clone()) } else { None }).collect();
    let refunds: Vec<RefundBill> =
        bills.iter().filter_map(|b| if let Bill::Refund(r) = b { Some(r.clone()) } else { None }).collect();
    let mut stats = upsert_payments(tx, config, &payments, &CampAssignment::Rules)?;
    stats.add(record_refund_rows(tx, &refunds)?);
    Ok(stats)
}

/// Re-runs the attribution rules over every stored payment not assigned by a
/// person (after camps.toml changed). Returns how many changed camp or notes.
pub fn reattribute(tx: &mut WriteTx, config: &Config) -> Result<UpsertStats, RecordsError> {
    let mut stats = UpsertStats::default();
    for (_, payment) in tx.all(&PAYMENTS)? {
        if matches!(payment.attribution, Attribution::Manual { .. } | Attribution::Import) {
            stats.unchanged += 1;
            continue;
        }
        let (camp, attribution) = decide_camp(config, Some(&payment), &payment, &CampAssignment::Rules)?;
        if camp == payment.camp && attribution == payment.attribution {
            stats.unchanged += 1;
            continue;
        }
        let mut updated = payment.clone();
        updated.camp = camp;
        updated.attribution = attribution;
        write_payment(tx, Some(&payment), &updated)?;
        stats.updated += 1;
    }
    Ok(stats)
}

/// A person assigns a payment to a camp (or clears it with `None`), audited in the
/// same transaction. The choice survives every later sync.
pub fn assign_camp(
    tx: &mut WriteTx,
    config: &Config,
    transaction_id: &str,
    camp: Option<&CampId>,
    by: &str,
) -> Result<Payment, RecordsError> {
    let payment = tx
        .get(&PAYMENTS, transaction_id)?
        .ok_or_else(|| RecordsError::Conflict(format!("no payment with transaction id {transaction_id}")))?;
    if let Some(c) = camp
        && config.camp(c.as_str()).is_none()
    {
        let known: Vec<&str> = config.camps.iter().map(|c| c.id.as_str()).collect();
        return Err(RecordsError::Conflict(format!("unknown camp {c}; known camps: {}", known.join(", "))));
    }
    let mut updated = payment.clone();
    updated.camp = camp.cloned();
    updated.attribution = match camp {
        Some(_) => Attribution::Manual { by: by.to_string() },
        None => Attribution::Unattributed { reason: format!("cleared by {by}") },
    };
    write_payment(tx, Some(&payment), &updated)?;
    tx.audit(crate::store::NewAuditEntry::new(
        by,
        "payment.assign_camp",
        transaction_id,
        serde_json::json!({ "from": payment.camp, "to": updated.camp }),
    ))?;
    Ok(updated)
}

/// One payment by transaction id.
pub fn payment(r: &impl Reads, transaction_id: &str) -> Result<Option<Payment>, RecordsError> {
    Ok(r.get_record(&PAYMENTS, transaction_id)?)
}

fn by_index(r: &impl Reads, index: &TableDef<()>, prefix: &str) -> Result<Vec<Payment>, RecordsError> {
    let mut out = Vec::new();
    for (k, ()) in r.prefix_records(index, prefix)? {
        if let Some(p) = r.get_record(&PAYMENTS, &k[prefix.len()..])? {
            out.push(p);
        }
    }
    out.sort_by(|a, b| a.paid_at.cmp(&b.paid_at).then_with(|| a.transaction_id.cmp(&b.transaction_id)));
    Ok(out)
}

/// The payments attributed to `camp`, oldest first.
pub fn payments_of_camp(r: &impl Reads, camp: &str) -> Result<Vec<Payment>, RecordsError> {
    by_index(r, &PAYMENTS_BY_CAMP, &key_prefix(&[camp]))
}

/// Every stored payment, any camp or none.
pub fn all_payments(r: &impl Reads) -> Result<Vec<Payment>, RecordsError> {
    Ok(r.prefix_records(&PAYMENTS, "")?.into_iter().map(|(_, p)| p).collect())
}

/// The payments no camp fits (flagged for review), oldest first.
pub fn unattributed_payments(r: &impl Reads) -> Result<Vec<Payment>, RecordsError> {
    by_index(r, &PAYMENTS_BY_CAMP, &key_prefix(&[""]))
}

/// Every payment by this payer, across camps, oldest first.
pub fn payments_by_payer(r: &impl Reads, external_userid: &str) -> Result<Vec<Payment>, RecordsError> {
    by_index(r, &PAYMENTS_BY_PAYER, &key_prefix(&[external_userid]))
}

/// Refund rows stored for a payment (including rows not yet merged).
pub fn refund_rows(r: &impl Reads, transaction_id: &str) -> Result<Vec<RefundBill>, RecordsError> {
    Ok(r.prefix_records(&REFUND_ROWS, &key_prefix(&[transaction_id]))?.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::testing::{bill, config, src, ts};
    use crate::store::Store;

    fn refund(no: &str, fen: i64, status: i64) -> BillRefund {
        BillRefund {
            out_refund_no: no.into(),
            refund_userid: Some("zhangsan".into()),
            comment: Some("退押金".into()),
            requested_at: Some(ts("2025-11-05T02:00:00Z")),
            amount: Money::from_fen(fen),
            status,
        }
    }

    #[test]
    fn bills_are_attributed_indexed_and_idempotent() {
        let store = Store::in_memory().unwrap();
        let cfg = config();
        let bills = vec![
            Bill::Payment(bill("T1", "2025-10-20T04:00:00Z", "小明")),
            Bill::Payment(bill("T2", "2025-11-12T04:00:00Z", "写作营 小红")),
            Bill::Payment(bill("T3", "2025-08-01T04:00:00Z", "too early")),
        ];
        let st = store.write_with(|tx| upsert_bills(tx, &cfg, &bills)).unwrap();
        assert_eq!(st, UpsertStats { inserted: 3, updated: 0, unchanged: 0 });
        let again = store.write_with(|tx| upsert_bills(tx, &cfg, &bills)).unwrap();
        assert_eq!(again, UpsertStats { inserted: 0, updated: 0, unchanged: 3 });

        let r = store.read().unwrap();
        let ids = |ps: Vec<Payment>| ps.into_iter().map(|p| p.transaction_id.into_string()).collect::<Vec<_>>();
        assert_eq!(ids(payments_of_camp(&r, "xhs").unwrap()), vec!["T1"]);
        assert_eq!(ids(payments_of_camp(&r, "write").unwrap()), vec!["T2"]);
        let un = unattributed_payments(&r).unwrap();
        assert_eq!(ids(un.clone()), vec!["T3"]);
        assert!(
            matches!(&un[0].attribution, Attribution::Unattributed { reason } if reason.contains("outside the enrolment window"))
        );
        assert_eq!(ids(payments_by_payer(&r, "wmT2").unwrap()), vec!["T2"]);
    }

    #[test]
    fn later_bills_update_without_erasing_and_refund_rows_merge() {
        let store = Store::in_memory().unwrap();
        let cfg = config();
        store
            .write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Payment(bill("T1", "2025-10-20T04:00:00Z", "小明"))]))
            .unwrap();

        // A refund row arrives in a later window, before the payment row is re-read.
        let row = RefundBill {
            transaction_id: TransactionId::new("T1"),
            out_trade_no: Some("OUTT1".into()),
            out_refund_no: "RF1".into(),
            refund_userid: Some("zhangsan".into()),
            comment: Some("退押金".into()),
            refunded_at: Some(ts("2025-11-05T02:00:05Z")),
            amount: Money::from_fen(3900),
            source: src("raw-2", 4),
        };
        let st = store.write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Refund(row.clone())])).unwrap();
        assert_eq!(st.inserted, 1);
        let p = payment(&store.read().unwrap(), "T1").unwrap().unwrap();
        assert_eq!(p.bill_refunds.len(), 1);
        assert_eq!(p.bill_refunds[0].status, REFUND_STATUS_UNKNOWN);
        assert!(!p.bill_refunds[0].succeeded(), "a row alone does not say the money went back");

        // The payment row re-read: trade_state 3 with refund_list and total_refund_fee; no contact info this time.
        let mut again = bill("T1", "2025-10-20T04:00:00Z", "小明");
        again.payer_name = None;
        again.refunded_total = Some(Money::from_fen(3900));
        again.refunds = Some(vec![refund("RF1", 3900, 2)]);
        again.source = src("raw-3", 0);
        let st = store.write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Payment(again)])).unwrap();
        assert_eq!(st.updated, 1);
        let p = payment(&store.read().unwrap(), "T1").unwrap().unwrap();
        assert_eq!(p.payer_name.as_deref(), Some("王五"), "a field the bill leaves out is kept");
        assert_eq!(p.refunded_total, Money::from_fen(3900));
        assert_eq!(p.bill_refunds.len(), 1);
        assert!(p.bill_refunds[0].succeeded());
        assert_eq!(p.source, src("raw-3", 0));

        // The same refund row again changes nothing.
        let st = store.write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Refund(row)])).unwrap();
        assert_eq!(st, UpsertStats { inserted: 0, updated: 0, unchanged: 1 });
    }

    #[test]
    fn a_refund_row_before_its_payment_waits_and_merges() {
        let store = Store::in_memory().unwrap();
        let cfg = config();
        let row = RefundBill {
            transaction_id: TransactionId::new("REFUND-ROW-ID"),
            out_trade_no: Some("OUTT9".into()),
            out_refund_no: "RF9".into(),
            refund_userid: None,
            comment: None,
            refunded_at: None,
            amount: Money::from_fen(1000),
            source: src("raw-1", 0),
        };
        store.write_with(|tx| record_refund_rows(tx, &[row])).unwrap();
        store
            .write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Payment(bill("T9", "2025-10-20T04:00:00Z", ""))]))
            .unwrap();
        let p = payment(&store.read().unwrap(), "T9").unwrap().unwrap();
        assert_eq!(
            p.bill_refunds.iter().map(|r| r.out_refund_no.as_str()).collect::<Vec<_>>(),
            vec!["RF9"],
            "matched by out_trade_no"
        );
    }

    #[test]
    fn human_choices_survive_sync_and_conflicting_imports_are_refused() {
        let store = Store::in_memory().unwrap();
        let cfg = config();
        let b = bill("T1", "2025-08-01T04:00:00Z", "");
        store.write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Payment(b.clone())])).unwrap();
        store.write_with(|tx| assign_camp(tx, &cfg, "T1", Some(&CampId::new("xhs")), "owner")).unwrap();
        store.write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Payment(b.clone())])).unwrap();
        let r = store.read().unwrap();
        let p = payment(&r, "T1").unwrap().unwrap();
        assert_eq!(p.camp.as_ref().map(|c| c.as_str()), Some("xhs"));
        assert_eq!(p.attribution, Attribution::Manual { by: "owner".into() });
        assert!(unattributed_payments(&r).unwrap().is_empty(), "the index moved with the camp");
        assert_eq!(r.audit_entries(1, None).unwrap()[0].action, "payment.assign_camp");
        drop(r);
        let mut tx = store.write().unwrap();
        let err = upsert_payments(&mut tx, &cfg, &[b], &CampAssignment::Import(CampId::new("write"))).unwrap_err();
        assert!(err.to_string().contains("owner assigned it to camp xhs; the import says camp write"), "{err}");
    }

    #[test]
    fn invalid_bills_are_refused_before_anything_is_written() {
        let store = Store::in_memory().unwrap();
        let cfg = config();
        let mut bad = bill("T2", "2025-10-20T04:00:00Z", "");
        bad.amount = Money::ZERO;
        let mut tx = store.write().unwrap();
        let err =
            upsert_bills(&mut tx, &cfg, &[Bill::Payment(bill("T1", "2025-10-20T04:00:00Z", "")), Bill::Payment(bad)])
                .unwrap_err();
        assert_eq!(err.to_string(), "payment T2: amount: 0.00 is not a positive amount");
        drop(tx);
        assert!(payment(&store.read().unwrap(), "T1").unwrap().is_none());
    }

    #[test]
    fn reattribution_follows_config_changes() {
        let store = Store::in_memory().unwrap();
        let cfg = config();
        store
            .write_with(|tx| upsert_bills(tx, &cfg, &[Bill::Payment(bill("T1", "2025-08-01T04:00:00Z", ""))]))
            .unwrap();
        let text = crate::records::testing::CAMPS.replace(
            "start = \"2025-10-25\"\ncheckin_id",
            "start = \"2025-10-25\"\nenroll_start = \"2025-07-01\"\ncheckin_id",
        );
        let wider = crate::config::parse_str(&text, std::path::Path::new("camps.toml")).unwrap();
        let st = store.write_with(|tx| reattribute(tx, &wider)).unwrap();
        assert_eq!(st.updated, 1);
        assert_eq!(payments_of_camp(&store.read().unwrap(), "xhs").unwrap().len(), 1);
    }
}
