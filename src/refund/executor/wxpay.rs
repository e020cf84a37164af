//! The wxpay path, one refund at a time. Every state change is one store
//! transaction with its audit entry (and, for failures, the admin message in
//! the same transaction).

use jiff::Timestamp;

use super::state::{self, ExecState};
use super::{ACTOR, ExecLine, Executor, Stop, line};
use crate::domain::RefundState;
use crate::engine::Severity;
use crate::refund::model::Refund;
use crate::refund::notify;
use crate::refund::queue::{self, Outcome, QueueError};
use crate::sources::wxpay::{Disposition, RefundInfo, RefundRequest, RefundStatus, WxpayClient, WxpayError};

impl Executor {
    /// Approved → submitted (committed before anything leaves) → sent.
    pub(super) async fn submit_new(&self, client: &WxpayClient, r: Refund) -> Result<ExecLine, Stop> {
        let now = Timestamp::now();
        let r = match self.store.write_with(|tx| queue::mark_submitted(tx, &r.id, ACTOR, now)) {
            Ok(r) => r,
            Err(e) => return Ok(line(&r, format!("not sent: {e}"))),
        };
        self.hook.at("submitted");
        self.send_and_settle(client, r).await
    }

    /// A `NOT_ENOUGH` refund whose wait is over: failed → submitted, sent again under its number.
    pub(super) async fn resend_after_wait(&self, client: &WxpayClient, r: Refund) -> Result<ExecLine, Stop> {
        let now = Timestamp::now();
        let r = match self.store.write_with(|tx| queue::mark_submitted(tx, &r.id, ACTOR, now)) {
            Ok(r) => r,
            Err(e) => return Ok(line(&r, format!("not resent: {e}"))),
        };
        self.hook.at("submitted");
        self.send_and_settle(client, r).await
    }

    /// A submitted refund: ask WeChat Pay what happened under its number. Found:
    /// adopt it. Not found: nothing was created (the request never left, or was
    /// lost), so send it now, same number and amount. Unknown: look again later.
    pub(super) async fn check_submitted(&self, client: &WxpayClient, r: Refund) -> Result<ExecLine, Stop> {
        let queried = client.query_refund(&r.out_refund_no).await;
        self.hook.at("answered");
        match queried {
            Ok(info) => self.adopt(&r, info),
            Err(e) => match e.disposition() {
                Disposition::NotFound => self.send_and_settle(client, r).await,
                Disposition::Config => Err(Stop(format!("refund query refused, check [wxpay] in camps.toml: {e}"))),
                _ => self.unknown(&r, format!("outcome still unknown (query: {e}); campdesk asks again later")),
            },
        }
    }

    /// Sends the refund (it is already marked submitted) and settles what comes back.
    pub(super) async fn send_and_settle(&self, client: &WxpayClient, r: Refund) -> Result<ExecLine, Stop> {
        let request = RefundRequest {
            transaction_id: r.proposal.transaction_id.to_string(),
            out_refund_no: r.out_refund_no.clone(),
            reason: Some(reason_text(&r, self.config.camp(r.proposal.camp.as_str()).map(|c| c.name.as_str()))),
            refund: r.amount(),
            total: r.proposal.paid_total,
            notify_url: client.notify_url().map(str::to_string),
        };
        loop {
            let sent = client.create_refund(&request).await;
            self.hook.at("answered");
            let e = match sent {
                Ok(info) => return self.adopt(&r, info),
                Err(e) => e,
            };
            match e.disposition() {
                Disposition::Funds => return self.wait_for_funds(&r, &e),
                Disposition::Refused | Disposition::NotFound => {
                    let hint = match e.class().as_str() {
                        "USER_ACCOUNT_ABNORMAL" => {
                            "the payer's WeChat account cannot receive refunds: pay them another way, then `campdesk refunds settle-offline`"
                        }
                        "INVALID_REQUEST" => {
                            "WeChat Pay refused the request: check the payment in the merchant platform before paying by hand"
                        }
                        "RESOURCE_NOT_EXISTS" => {
                            "WeChat Pay does not know this payment under this merchant: refund it in the WeCom client or by hand"
                        }
                        _ => "not retryable: a human decides",
                    };
                    return self.fail(&r, &e.class(), &format!("{e}; {hint}"), Severity::Error);
                }
                Disposition::Config => {
                    // Nothing was processed (the request was refused at the door): the
                    // refund goes to a human with the reason, and the pass stops.
                    let msg = format!("{e}; check [wxpay] in camps.toml and the server clock");
                    let _ = self.fail(&r, &e.class(), &msg, Severity::Error);
                    return Err(Stop(format!("refund {} refused: {msg}", r.id)));
                }
                Disposition::Unknown => {
                    if e.is_rate_limit() {
                        tokio::time::sleep(self.settings.rate_limit_pause).await;
                    }
                    // Query first: the refund may exist although the answer was lost.
                    let queried = client.query_refund(&r.out_refund_no).await;
                    self.hook.at("answered");
                    match queried {
                        Ok(info) => return self.adopt(&r, info),
                        Err(q) if q.disposition() == Disposition::NotFound => {
                            if self.take_resend(&r)? {
                                continue;
                            }
                            let msg = format!(
                                "{e}; WeChat Pay confirms nothing was refunded under {}; campdesk retried {} time(s). Send it again with `campdesk refunds retry {}`",
                                r.out_refund_no, self.settings.auto_retries, r.id
                            );
                            return self.fail(&r, &e.class(), &msg, Severity::Error);
                        }
                        Err(q) => {
                            return self.unknown(
                                &r,
                                format!("outcome unknown (refund: {e}; query: {q}); campdesk asks again later"),
                            );
                        }
                    }
                }
            }
        }
    }

    /// Whether an automatic resend is left; uses it.
    fn take_resend(&self, r: &Refund) -> Result<bool, Stop> {
        let limit = self.settings.auto_retries;
        self.store
            .write_with(|tx| {
                let mut st = state::load(tx, &r.id)?;
                if st.resends >= limit {
                    return Ok(false);
                }
                st.resends += 1;
                state::save(tx, &r.id, &st)?;
                Ok::<_, QueueError>(true)
            })
            .map_err(|e| Stop(format!("store: {e}")))
    }

    /// Takes WeChat Pay's verified word for the refund.
    fn adopt(&self, r: &Refund, info: RefundInfo) -> Result<ExecLine, Stop> {
        let now = Timestamp::now();
        let summary = info.summary();
        if let Some(amount) = info.refund
            && amount != r.amount()
        {
            let msg = format!(
                "WeChat Pay reports {} under {} but the approved amount is {}; investigate in the merchant platform",
                amount,
                r.out_refund_no,
                r.amount()
            );
            return self.fail(r, "AMOUNT_MISMATCH", &msg, Severity::Error);
        }
        let out = match info.status {
            RefundStatus::Success => self.store.write_with(|tx| {
                if let Some(settled) = settled_elsewhere(tx, r)? {
                    return Ok(settled);
                }
                let done = queue::record_outcome(
                    tx,
                    &r.id,
                    Outcome::Succeeded { platform_refund_id: info.refund_id.clone(), note: summary.clone() },
                    ACTOR,
                    now,
                )?;
                let mut st = state::load(tx, &r.id)?;
                st.next_check_at = None;
                st.last_note = Some(summary.clone());
                state::save(tx, &r.id, &st)?;
                Ok::<_, QueueError>(line(&done, format!("succeeded: {summary}")))
            }),
            RefundStatus::Closed => {
                let msg = format!(
                    "WeChat Pay closed the refund ({summary}); nothing was paid. `campdesk refunds retry {}` sends it again under a new number",
                    r.id
                );
                return self.fail(r, "CLOSED", &msg, Severity::Error);
            }
            RefundStatus::Abnormal => {
                let msg = format!(
                    "the refund is ABNORMAL ({summary}): the payer's card or account refused it and WeChat Pay holds the money. Resolve it in the merchant platform (异常退款), then `campdesk refunds settle-offline {}`",
                    r.id
                );
                return self.fail(r, "ABNORMAL", &msg, Severity::Error);
            }
            RefundStatus::Processing | RefundStatus::Other(_) => {
                let note = format!("accepted, in progress: {summary}");
                let poll = self.settings.poll_interval;
                self.store.write_with(|tx| {
                    if let Some(settled) = settled_elsewhere(tx, r)? {
                        return Ok(settled);
                    }
                    let mut st = state::load(tx, &r.id)?;
                    let current: Refund = tx.get(&queue::REFUNDS, r.id.as_str())?.unwrap_or_else(|| r.clone());
                    let current = if st.last_note.as_deref() != Some(note.as_str()) {
                        st.last_note = Some(note.clone());
                        queue::record_outcome(
                            tx,
                            &r.id,
                            Outcome::Pending { platform_refund_id: info.refund_id.clone(), note: note.clone() },
                            ACTOR,
                            now,
                        )?
                    } else {
                        current
                    };
                    st.schedule_poll(now, poll);
                    state::save(tx, &r.id, &st)?;
                    Ok::<_, QueueError>(line(&current, note.clone()))
                })
            }
        };
        self.hook.at("stored");
        out.map_err(|e| Stop(format!("store: {e}")))
    }

    /// Keeps a refund submitted with an unknown outcome; looks again later.
    fn unknown(&self, r: &Refund, note: String) -> Result<ExecLine, Stop> {
        let now = Timestamp::now();
        let wait = self.settings.unknown_retry;
        let out = self.store.write_with(|tx| {
            if let Some(settled) = settled_elsewhere(tx, r)? {
                return Ok(settled);
            }
            let mut st: ExecState = state::load(tx, &r.id)?;
            let current = if st.last_note.as_deref() != Some(note.as_str()) {
                st.last_note = Some(note.clone());
                queue::record_outcome(
                    tx,
                    &r.id,
                    Outcome::Pending { platform_refund_id: None, note: note.clone() },
                    ACTOR,
                    now,
                )?
            } else {
                tx.get(&queue::REFUNDS, r.id.as_str())?.unwrap_or_else(|| r.clone())
            };
            st.next_check_at = Some(now.checked_add(wait).unwrap_or(now));
            state::save(tx, &r.id, &st)?;
            Ok::<_, QueueError>(line(&current, note.clone()))
        });
        self.hook.at("stored");
        out.map_err(|e| Stop(format!("store: {e}")))
    }

    /// `NOT_ENOUGH`: failed with that class, resent by itself after `funds_wait`.
    fn wait_for_funds(&self, r: &Refund, e: &WxpayError) -> Result<ExecLine, Stop> {
        let now = Timestamp::now();
        let wait = self.settings.funds_wait;
        let msg = format!(
            "{e}; top up the merchant balance (基本账户). campdesk sends it again under the same number in {} min",
            wait.as_mins()
        );
        let first_time = r.failure.as_ref().is_none_or(|(c, _)| c != "NOT_ENOUGH");
        let severity = if first_time { Severity::Error } else { Severity::Warning };
        let out = self.fail(r, "NOT_ENOUGH", &msg, severity);
        if let Err(err) = self.store.write_with(|tx| {
            let mut st = state::load(tx, &r.id)?;
            st.next_check_at = Some(now.checked_add(wait).unwrap_or(now));
            state::save(tx, &r.id, &st)
        }) {
            return Err(Stop(format!("store: {err}")));
        }
        out
    }

    /// Records a failure, with the admin message in the same transaction.
    fn fail(&self, r: &Refund, class: &str, message: &str, severity: Severity) -> Result<ExecLine, Stop> {
        let now = Timestamp::now();
        let camp_name =
            self.config.camp(r.proposal.camp.as_str()).map_or(r.proposal.camp.as_str(), |c| c.name.as_str());
        let admin_text = format!(
            "【campdesk 退款失败】{camp_name} · {} · ¥{}\n{}\n{class}: {message}",
            r.proposal.payer_name.as_deref().unwrap_or("(无名)"),
            r.amount(),
            r.id
        );
        let out = self.store.write_with(|tx| {
            if let Some(settled) = settled_elsewhere(tx, r)? {
                return Ok(settled);
            }
            let done = queue::record_outcome(
                tx,
                &r.id,
                Outcome::Failed { class: class.to_string(), message: message.to_string() },
                ACTOR,
                now,
            )?;
            let mut st = state::load(tx, &r.id)?;
            st.last_note = None;
            state::save(tx, &r.id, &st)?;
            if severity == Severity::Error {
                notify::enqueue_admins(tx, "refund_failed", &admin_text, now)?;
            }
            Ok::<_, QueueError>(line(&done, format!("failed: {class}: {message}")))
        });
        self.hook.at("stored");
        self.alert(severity, format!("refund {} failed: {class}: {message}", r.id));
        out.map_err(|e| Stop(format!("store: {e}")))
    }

    /// Applies a verified refund-result notification (from the listener).
    pub(crate) fn apply_notice(&self, info: RefundInfo) -> Result<Option<ExecLine>, String> {
        let read = self.store.read().map_err(|e| e.to_string())?;
        let found = read
            .all(&queue::REFUNDS)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|(_, r)| r)
            .find(|r| r.out_refund_no == info.out_refund_no);
        drop(read);
        let Some(r) = found else { return Ok(None) };
        if r.state != RefundState::Submitted {
            return Ok(Some(line(
                &r,
                format!("notification {} for a refund already {}", info.status.as_str(), r.state),
            )));
        }
        let out = self.adopt(&r, info).map_err(|Stop(m)| m)?;
        self.data_changed();
        Ok(Some(out))
    }
}

/// The refund's line when something else (a notification, the bill
/// reconciliation) settled it since this pass read it.
fn settled_elsewhere(tx: &crate::store::WriteTx, r: &Refund) -> Result<Option<ExecLine>, QueueError> {
    let current: Option<Refund> = tx.get(&queue::REFUNDS, r.id.as_str())?;
    Ok(current.filter(|c| c.state != RefundState::Submitted).map(|c| line(&c, format!("already {}", c.state))))
}

/// The reason shown to the payer: "押金退还 · camp name" (at most 80 characters).
fn reason_text(r: &Refund, camp_name: Option<&str>) -> String {
    let what = match r.proposal.kind {
        crate::refund::RefundKind::Deposit => "押金退还",
        crate::refund::RefundKind::Duplicate => "重复支付退款",
        crate::refund::RefundKind::NotJoined => "未入群退款",
    };
    match camp_name {
        Some(n) => format!("{what}·{n}").chars().take(80).collect(),
        None => what.to_string(),
    }
}
