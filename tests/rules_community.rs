//! Verdicts and anomalies on a generated community against its ground truth: the
//! community is served by the simulators, paged over loopback HTTP into a file store
//! (see `report_support`), matched, reviewed the way a reviewer who checked would
//! (must-links to the true planet user), and judged by the real rules. Every
//! verdict of the ended camp must equal the truth's, every counted day of every
//! camp must be a day the person really checked in, and every anomaly the
//! generator injected must be found on the right payment or person (duplicate, wrong
//! amount and out-of-window payments; never joined, left the group, unpaid group
//! members and participants). "Left the planet" is not compared here: this fetcher
//! does not walk the member list (`tests/sync_members.rs` covers exits).

mod report_support;

use std::collections::{BTreeMap, BTreeSet};

use campdesk::rules::{AnomalyKind, CampEvaluation, VerdictKind};
use campdesk::sim::truth::{Anomaly, CampPhase, ExpectedVerdict, Role};
use report_support::{Filled, filled};

fn kind_of(v: ExpectedVerdict) -> VerdictKind {
    match v {
        ExpectedVerdict::Pass => VerdictKind::Pass,
        ExpectedVerdict::Borderline => VerdictKind::Borderline,
        ExpectedVerdict::Fail => VerdictKind::Fail,
        ExpectedVerdict::Unlinked => VerdictKind::Unlinked,
    }
}

fn evaluation(f: &Filled, camp: &str) -> CampEvaluation {
    let cfg = f.config.camp(camp).unwrap();
    campdesk::verdicts::evaluation(&f.store.read().unwrap(), &cfg.id).unwrap().expect("the camp was evaluated")
}

/// The anomaly kinds the rules raised, by the subject they name (transaction id,
/// planet user id or group member id).
fn raised(e: &CampEvaluation) -> BTreeMap<String, BTreeSet<AnomalyKind>> {
    let mut out: BTreeMap<String, BTreeSet<AnomalyKind>> = BTreeMap::new();
    for a in &e.anomalies {
        let subjects = [
            a.transaction_id.as_ref().map(|t| t.to_string()),
            a.planet_user_id.as_ref().map(|u| u.to_string()),
            a.member_id.clone(),
        ];
        for s in subjects.into_iter().flatten() {
            out.entry(s).or_default().insert(a.kind);
        }
    }
    out
}

#[test]
fn verdicts_days_and_anomalies_equal_the_ground_truth() {
    let f = filled(11, 300);
    let today = report_support::anchor();
    let mut checked = BTreeMap::<&str, usize>::new();
    for camp in &f.truth.camps {
        let e = evaluation(&f, &camp.camp_id);
        let raised = raised(&e);
        let verdicts: BTreeMap<String, &campdesk::rules::Verdict> =
            e.verdicts.iter().map(|v| (v.transaction_id.to_string(), v)).collect();
        // Until someone is in a camp's groups, an empty member list cannot be told from
        // groups not synced yet: "never joined" waits for the first member.
        let groups_filled = f
            .truth
            .persons
            .iter()
            .flat_map(|p| &p.camps)
            .any(|pc| pc.camp_id == camp.camp_id && pc.joined_group_at.is_some_and(|j| j <= f.now));
        for person in &f.truth.persons {
            for pc in person.camps.iter().filter(|pc| pc.camp_id == camp.camp_id) {
                let posted: BTreeSet<_> = pc.checkin_days.iter().copied().filter(|d| *d <= today).collect();
                for tx in &pc.payments {
                    let t = f.truth.payment(tx).unwrap();
                    if t.paid_at > f.now {
                        continue; // paid after the last sync
                    }
                    let v = verdicts.get(tx).unwrap_or_else(|| panic!("{}: payment {tx} has no verdict", camp.camp_id));
                    // Counted days are days the person really posted on (no leave or
                    // make-up is configured for generated camps).
                    let counted: BTreeSet<_> = v.days.iter().map(|d| d.day).collect();
                    if person.planet_user_id.is_some() {
                        assert!(
                            counted.is_subset(&posted),
                            "{}: {tx} counts {:?}, but the person posted on {:?}",
                            camp.camp_id,
                            counted.difference(&posted).collect::<Vec<_>>(),
                            posted
                        );
                    }
                    if camp.phase == CampPhase::Ended {
                        let want = kind_of(t.expected_verdict.expect("payers have an expected verdict"));
                        assert_eq!(
                            v.computed,
                            want,
                            "{}: {tx} ({}) computed {:?} with {} days, the truth says {want:?} ({} days posted; {:?})",
                            camp.camp_id,
                            person.real_name,
                            v.computed,
                            v.checkin_days,
                            posted.len(),
                            v.reasons
                        );
                        if person.planet_user_id.is_some() {
                            assert_eq!(counted, posted, "{}: {tx}: every posted camp day counts", camp.camp_id);
                        }
                        *checked.entry("ended-camp verdicts").or_default() += 1;
                    }
                    for a in &t.anomalies {
                        let want = match a {
                            Anomaly::DuplicatePayment => Some(AnomalyKind::DuplicatePayment),
                            Anomaly::WrongAmount => Some(AnomalyKind::WrongAmount),
                            Anomaly::OutsideWindow => Some(AnomalyKind::PaidOutsideWindow),
                            _ => None,
                        };
                        if let Some(kind) = want {
                            let got = raised.get(tx.as_str()).cloned().unwrap_or_default();
                            assert!(got.contains(&kind), "{}: {tx}: {a:?} not found (raised {got:?})", camp.camp_id);
                            *checked.entry("payment anomalies").or_default() += 1;
                        }
                    }
                    if t.anomalies.contains(&Anomaly::DuplicatePayment) {
                        assert_eq!(v.duplicate_of.as_ref().map(|d| d.as_str()), t.duplicate_of.as_deref());
                    }
                }
                let first = pc.payments.first().and_then(|tx| f.truth.payment(tx)).filter(|t| t.paid_at <= f.now);
                // Group anomalies need the payer's external_userid on the bill (the only tie
                // between a bill and a group member), and "never joined" its grace period.
                let grace = f.config.camp(&camp.camp_id).unwrap().not_joined_grace;
                let tied = first.filter(|_| person.external_userid_on_bill);
                let overdue = tied.filter(|t| groups_filled && t.paid_at + grace <= f.now);
                for a in &pc.anomalies {
                    let (subject, kinds): (Option<String>, &[AnomalyKind]) = match a {
                        Anomaly::NeverJoinedGroup if pc.role == Role::Payer => (
                            overdue.map(|t| t.transaction_id.clone()),
                            &[AnomalyKind::NotJoined, AnomalyKind::NotJoinedRefund],
                        ),
                        Anomaly::LeftGroup if pc.left_group_at.is_some_and(|l| l <= f.now) => {
                            (tied.map(|t| t.transaction_id.clone()), &[AnomalyKind::LeftGroup])
                        }
                        Anomaly::UnpaidParticipant if !posted.is_empty() => {
                            (person.planet_user_id.clone(), &[AnomalyKind::UnpaidParticipant])
                        }
                        Anomaly::UnpaidGroupMember if pc.joined_group_at.is_some_and(|j| j <= f.now) => {
                            (Some(person.external_userid.clone()), &[AnomalyKind::UnpaidGroupMember])
                        }
                        _ => (None, &[]),
                    };
                    let Some(subject) = subject else { continue };
                    let got = raised.get(&subject).cloned().unwrap_or_default();
                    assert!(
                        kinds.iter().any(|k| got.contains(k)),
                        "{}: {} ({subject}): {a:?} not found (raised {got:?})",
                        camp.camp_id,
                        person.real_name
                    );
                    *checked.entry("person anomalies").or_default() += 1;
                }
            }
        }
    }
    eprintln!("compared: {checked:?}");
    // The community exercises every part of the comparison.
    for part in ["ended-camp verdicts", "payment anomalies", "person anomalies"] {
        assert!(checked.get(part).copied().unwrap_or(0) >= 5, "too few {part} compared: {checked:?}");
    }
}
