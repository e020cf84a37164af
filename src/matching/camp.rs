//! Matching one camp: payers (payment + group member), candidates from the
//! index and a residue pass, scores, human decisions and bind codes, then the
//! one-to-one decision with margins, and one review card per group of
//! competitors (matching.md §3, §4.3).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use fuzzy_matcher::skim::SkimMatcherV2;
use sha2::{Digest, Sha256};

use super::assign::{self, Component, Edge};
use super::bind::{BindClaim, bind_code};
use super::blocking::{CandidateQuery, PlanetIndex};
use super::decisions::{Decision, DecisionKind, DecisionScope};
use super::earlier::{EarlierLink, EarlierLinks};
use super::elsewhere::PaymentNames;
use super::fxhash::{FxMap, FxSet};
use super::normalize::{Normalizer, default_normalizer};
use super::outcome::{
    CardCandidate, CardEdge, CardGroupMember, CardPayment, Link, LinkState, MatchOutcome, MatchStats, ReasonCode,
    ReviewCard, SuggestedPair,
};
use super::remark;
use super::signals::{
    GroupTie, PairScore, Payer, PayerName, PayerSource, ScoreContext, Weights, round1, shares_a_name_with_another_payer,
};
use crate::domain::{CampId, GroupMember, MemberKind, Money, Payment, PlanetUser, PlanetUserId, TransactionId};

/// Decision thresholds (matching.md §3, §4.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// A link needs at least this many bits to be accepted unattended (6 bits ≈ 64:1),
    /// besides the margin and the hard-evidence gate.
    pub auto_threshold: f64,
    /// Pairs below this are not candidates (posterior 0.05 ≈ −4.25 bits).
    pub review_threshold: f64,
    /// Required lead in bits over the best assignment without the link, and over
    /// the runner-up on both sides (6 bits = 64×).
    pub margin: f64,
    /// What leaving a payer unmatched is worth in the assignment, in bits.
    pub no_match: f64,
    /// Components with more nodes than this are not solved; they go to review whole.
    pub max_component: usize,
    /// Without participants, the residue pass scans all users only up to this many.
    pub residue_limit: usize,
    /// Nearest users shown on a card for a payer without candidates.
    pub nearest: usize,
    /// Most candidates kept per payer.
    pub max_candidates: usize,
    /// Candidates more than this many bits behind a payer's best are dropped.
    pub candidate_window: f64,
    /// Score every payer against every user instead of blocking (the naive baseline).
    pub exhaustive: bool,
    /// Most decision rounds (each after the previous round's links left the scope).
    pub max_rounds: usize,
    /// Once a camp has check-ins, link by names or remarks only users who take part
    /// (ids, bind codes and human bindings link regardless).
    pub require_participation: bool,
    /// Unique names for the gate: no other user in scope carries them (default).
    /// Off, a name is unique when only non-participants share it (weighted by
    /// their prior), which links more but once linked a never-checked-in payer's
    /// name to a same-named participant in the benchmark.
    pub strict_unique: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            auto_threshold: 6.0,
            review_threshold: -4.25,
            margin: 6.0,
            no_match: 0.0,
            max_component: 200,
            residue_limit: 2000,
            nearest: 5,
            max_candidates: 6,
            candidate_window: 16.0,
            exhaustive: false,
            max_rounds: 2,
            require_participation: true,
            strict_unique: true,
        }
    }
}

/// One camp's records, as slices of domain records.
#[derive(Clone, Copy, Debug)]
pub struct CampInput<'a> {
    /// The camp.
    pub camp: Option<&'a CampId>,
    /// Its deposit (amount checks are skipped without it).
    pub deposit: Option<Money>,
    /// Payments attributed to the camp.
    pub payments: &'a [Payment],
    /// Members of the camp's WeCom groups.
    pub group_members: &'a [GroupMember],
    /// Users seen on the camp's check-in project (topics, ranking).
    pub participants: &'a [PlanetUserId],
    /// Human decisions (all of them; inactive ones are ignored).
    pub decisions: &'a [Decision],
    /// Bind-code claims read from posts.
    pub bind_claims: &'a [BindClaim],
    /// The bill names of all the planet's payments (`None`: not known, so every
    /// WeChat name may also show on another camp's payment).
    pub payment_names: Option<&'a PaymentNames>,
    /// Automatic links other camps made on their own evidence (any camp's; this camp's
    /// own and those without an `external_userid` are ignored).
    pub earlier_links: &'a EarlierLinks,
}

/// Everything [`match_camp`] needs: the planet users in scope and one camp.
#[derive(Clone, Copy, Debug)]
pub struct MatchInput<'a> {
    /// Every planet user known in the store (the scope).
    pub planet_users: &'a [PlanetUser],
    /// The camp.
    pub camp: CampInput<'a>,
}

/// Matches one camp with the default normaliser, weights and policy. Builds
/// the planet index each call; use [`Matcher`] to share one index across camps.
pub fn match_camp(input: &MatchInput<'_>) -> MatchOutcome {
    let normalizer = default_normalizer();
    let index = PlanetIndex::build(input.planet_users, normalizer);
    Matcher::new(&index, normalizer).match_camp(&input.camp)
}

/// A matcher over one planet index.
pub struct Matcher<'m> {
    index: &'m PlanetIndex<'m>,
    normalizer: &'m Normalizer,
    /// Signal weights.
    pub weights: Weights,
    /// Decision thresholds.
    pub policy: Policy,
}

/// A scored pair kept for the decision.
#[derive(Clone)]
struct Scored {
    payer: usize,
    user: u32,
    score: PairScore,
}

/// The scores of one round.
#[derive(Default)]
struct Round {
    scored: Vec<Scored>,
    per_payer: Vec<Vec<usize>>,
    nearest: HashMap<usize, Vec<Scored>>,
    /// Users the residue pass found for payers blocking left without candidates.
    residue: HashMap<usize, Vec<u32>>,
    stats: MatchStats,
}

/// A review card to build: its payers, scored pairs, suggestion and codes.
struct CardPlan {
    payers: Vec<usize>,
    scored: Vec<usize>,
    suggestion: Vec<(usize, u32)>,
    codes: BTreeSet<ReasonCode>,
}

/// One round's decisions.
#[derive(Default)]
struct Decided {
    autos: Vec<(usize, u32, PairScore, f64)>,
    cards: Vec<CardPlan>,
}

/// Name and participant counts for the open part of a camp.
/// Keys borrow the index's and the payers' texts: the stats are rebuilt every round.
struct ScopeStats<'s> {
    participant_count: usize,
    participant_texts: FxMap<&'s str, u32>,
    participant_pinyin: FxMap<&'s str, u32>,
    /// Open payers carrying each name, plus the camp's group members no payment is
    /// tied to (see [`bystander_texts`]).
    payer_texts: FxMap<&'s str, u32>,
    /// Name text → the open payers carrying it, each with its names as shown that read so.
    payer_shows: FxMap<&'s str, Vec<(&'s str, Vec<&'s str>)>>,
    remark_texts: FxMap<&'s str, u32>,
    closed_texts: FxMap<&'s str, u32>,
    closed_pinyin: FxMap<&'s str, u32>,
}

impl<'s> ScopeStats<'s> {
    fn compute(
        index: &'s PlanetIndex<'_>,
        participant_positions: &[u32],
        payers: &'s [Payer<'_>],
        open: &[usize],
        closed_users: &FxSet<u32>,
        bystanders: &'s FxMap<String, u32>,
    ) -> ScopeStats<'s> {
        let mut stats = ScopeStats {
            participant_count: 0,
            participant_texts: FxMap::default(),
            participant_pinyin: FxMap::default(),
            payer_texts: bystanders.iter().map(|(t, n)| (t.as_str(), *n)).collect(),
            payer_shows: FxMap::default(),
            remark_texts: FxMap::default(),
            closed_texts: FxMap::default(),
            closed_pinyin: FxMap::default(),
        };
        let mut closed: Vec<u32> = closed_users.iter().copied().collect();
        closed.sort_unstable();
        let (mut texts, mut readings) = (Vec::new(), Vec::new());
        for u in closed {
            user_keys(index, u, &mut texts, &mut readings);
            for &t in &texts {
                *stats.closed_texts.entry(t).or_default() += 1;
            }
            for &r in &readings {
                *stats.closed_pinyin.entry(r).or_default() += 1;
            }
        }
        for &u in participant_positions.iter().filter(|u| !closed_users.contains(u)) {
            stats.participant_count += 1;
            user_keys(index, u, &mut texts, &mut readings);
            for &t in &texts {
                *stats.participant_texts.entry(t).or_default() += 1;
            }
            for &r in &readings {
                *stats.participant_pinyin.entry(r).or_default() += 1;
            }
        }
        for &pi in open {
            let p = &payers[pi];
            let texts: BTreeSet<&str> = p.names.iter().flat_map(|n| n.norm.texts()).collect();
            for t in texts {
                *stats.payer_texts.entry(t).or_default() += 1;
                let shown = p
                    .names
                    .iter()
                    .filter(|n| matches!(n.source, PayerSource::BillName | PayerSource::GroupName))
                    .filter(|n| n.norm.texts().any(|x| x == t))
                    .map(|n| n.raw.trim());
                let txn = p.payment.transaction_id.as_str();
                stats.payer_shows.entry(t).or_default().push((txn, shown.collect()));
            }
            for h in &p.remark_hits {
                *stats.remark_texts.entry(h.as_str()).or_default() += 1;
            }
        }
        stats
    }
}

/// A user's distinct name texts and pinyin readings (each counted once per user,
/// as in the index postings), into buffers reused from user to user.
fn user_keys<'i>(index: &'i PlanetIndex<'_>, u: u32, texts: &mut Vec<&'i str>, readings: &mut Vec<&'i str>) {
    texts.clear();
    readings.clear();
    for n in index.names(u) {
        for f in &n.norm.forms {
            texts.push(&f.text);
            readings.extend(f.pinyin.iter().filter(|p| p.len() >= 4).map(String::as_str));
        }
    }
    texts.sort_unstable();
    texts.dedup();
    readings.sort_unstable();
    readings.dedup();
}

/// Resolved human decisions for one camp.
#[derive(Default)]
struct Resolved<'d> {
    confirmed: HashMap<usize, &'d Decision>,
    bindings: HashMap<usize, Vec<(u32, &'d Decision)>>,
    excluded: HashMap<usize, Vec<(String, &'d Decision)>>,
    conflicting: HashMap<usize, Vec<String>>,
    /// Payers whose bill's external_userid another camp linked automatically, to one user.
    earlier: HashMap<usize, (u32, &'d EarlierLink)>,
    /// Payers whose earlier links disagree (not carried), with the note for the card.
    earlier_disagree: HashMap<usize, String>,
}

impl<'m> Matcher<'m> {
    /// A matcher with default weights and policy.
    pub fn new(index: &'m PlanetIndex<'m>, normalizer: &'m Normalizer) -> Self {
        Matcher { index, normalizer, weights: Weights::default(), policy: Policy::default() }
    }

    /// Matches one camp: one link per payment, review cards, participants without payment.
    ///
    /// Decides in rounds: after each round's clear links, the users they took
    /// leave the scope (one planet user pays once per camp), so the scope, the
    /// name frequencies and the competition are recomputed for the payers still
    /// open, and names that only collided with already-linked users become
    /// unique. Stops when a round links nothing new.
    pub fn match_camp(&self, input: &CampInput<'_>) -> MatchOutcome {
        let index = self.index;
        let policy = &self.policy;
        let mut payments: Vec<&Payment> = input.payments.iter().collect();
        payments.sort_by(|a, b| a.transaction_id.cmp(&b.transaction_id));
        payments.dedup_by(|a, b| a.transaction_id == b.transaction_id);

        let ties = tie_group_members(&payments, input.group_members, self.normalizer);
        let bystanders = bystander_texts(input.group_members, &ties, self.normalizer);
        let payers: Vec<Payer<'_>> = payments
            .iter()
            .zip(ties)
            .map(|(p, tie)| {
                let facts = remark::parse(self.normalizer, &p.remark);
                let mut remark_hits = index.remark_hits(&facts.text);
                // The whole stated name counts as a hit when a user carries it (星球昵称：Jack Wang).
                if let Some(core) = facts.stated.core()
                    && core.is_distinctive()
                    && !index.with_text(&core.text).is_empty()
                    && !remark_hits.contains(&core.text)
                {
                    remark_hits.push(core.text.clone());
                    remark_hits.sort();
                }
                Payer {
                    payment: p,
                    group_member: tie,
                    names: payer_names(p, tie, self.normalizer),
                    remark: facts,
                    remark_hits,
                }
            })
            .collect();

        let mut participants = vec![false; index.len()];
        let mut unknown_participants: BTreeSet<PlanetUserId> = BTreeSet::new();
        for id in input.participants {
            match index.position(id.as_str()) {
                Some(i) => participants[i as usize] = true,
                None => {
                    unknown_participants.insert(id.clone());
                }
            }
        }
        let participant_positions: Vec<u32> =
            participants.iter().enumerate().filter(|(_, p)| **p).map(|(i, _)| i as u32).collect();
        let matcher = SkimMatcherV2::default();
        let mut resolved = resolve_decisions(&payers, input.decisions, index);
        resolve_earlier_links(&mut resolved, &payers, input, index);
        let codes: Vec<String> = payers.iter().map(|p| bind_code(&p.payment.transaction_id)).collect();
        let bind_edges = bind_claims_by_payer(&codes, input.bind_claims, index);

        // Users a person already linked, and who holds them.
        let mut taken: HashMap<u32, usize> = HashMap::new();
        for (&pi, d) in &resolved.confirmed {
            if let Some(u) = index.position(d.planet_user_id.as_str()) {
                taken.entry(u).and_modify(|p| *p = (*p).min(pi)).or_insert(pi);
            }
        }
        let mut closed_users: FxSet<u32> = taken.keys().copied().collect();
        let mut closed_payers: BTreeSet<usize> = resolved.confirmed.keys().copied().collect();
        let mut conflicts: HashMap<usize, Vec<String>> = resolved.conflicting.clone();
        let mut autos: BTreeMap<usize, (u32, PairScore, f64, usize)> = BTreeMap::new();
        let mut confirmed_scores: HashMap<usize, Vec<Scored>> = HashMap::new();

        let mut round_no = 0;
        let mut work = MatchStats::default();
        let mut residue: HashMap<usize, Vec<u32>> = HashMap::new();
        let mut nearest: HashMap<usize, Vec<Scored>> = HashMap::new();
        let mut blocked: Vec<Vec<u32>> = vec![Vec::new(); payers.len()];
        let mut first_scope: Option<(usize, usize)> = None;
        let last = loop {
            let open: Vec<usize> = (0..payers.len()).filter(|p| !closed_payers.contains(p)).collect();
            let scoring: Vec<usize> = if round_no == 0 { (0..payers.len()).collect() } else { open.clone() };
            let stats = ScopeStats::compute(index, &participant_positions, &payers, &open, &closed_users, &bystanders);
            let scope_size = index.len().saturating_sub(closed_users.len()).max(1);
            let chance_scope = *first_scope.get_or_insert((scope_size, stats.participant_count));
            let ctx = ScoreContext {
                index,
                weights: &self.weights,
                scope_size,
                participants: &participants,
                participant_count: stats.participant_count,
                chance_scope,
                participant_texts: &stats.participant_texts,
                participant_pinyin: &stats.participant_pinyin,
                payer_texts: &stats.payer_texts,
                payer_shows: &stats.payer_shows,
                remark_texts: &stats.remark_texts,
                excluded: &closed_users,
                excluded_texts: &stats.closed_texts,
                excluded_pinyin: &stats.closed_pinyin,
                strict_unique: policy.strict_unique,
                camp: input.camp,
                payment_names: input.payment_names,
                deposit: input.deposit,
                matcher: &matcher,
            };
            let mut round = self.score_round(
                &ctx,
                &payers,
                &scoring,
                &closed_payers,
                &closed_users,
                &participant_positions,
                &resolved,
                &bind_edges,
                &residue,
                round_no == 0,
                &mut blocked,
            );
            if round_no == 0 {
                nearest = std::mem::take(&mut round.nearest);
                residue = std::mem::take(&mut round.residue);
                for &pi in resolved.confirmed.keys() {
                    let own: Vec<Scored> = std::mem::take(&mut round.per_payer[pi])
                        .into_iter()
                        .map(|si| round.scored[si].clone())
                        .collect();
                    confirmed_scores.insert(pi, own);
                }
                for list in &round.per_payer {
                    for &si in list {
                        let s = &round.scored[si];
                        if let Some(&holder) = taken.get(&s.user)
                            && s.score.gate.passes()
                            && s.score.total >= policy.auto_threshold
                        {
                            conflicts.entry(s.payer).or_default().push(format!(
                                "星球用户「{}」已由人工确认给付款 {}，本付款也有强证据指向该用户",
                                index.user(s.user).name.trim(),
                                payers[holder].payment.transaction_id
                            ));
                        }
                    }
                }
            }
            let mut decided = self.decide(
                &round,
                &payers,
                &stats.payer_texts,
                &conflicts,
                &closed_users,
                input.deposit,
                policy.require_participation && !participant_positions.is_empty(),
            );
            let last_round = decided.autos.is_empty() || round_no + 1 >= policy.max_rounds;
            self.explain_decided(&ctx, &payers, &mut round, &mut decided, last_round, &bind_edges, &resolved);
            work.scored_pairs += round.stats.scored_pairs;
            work.residue_pairs += round.stats.residue_pairs;
            work.rounds += 1;
            let new: Vec<(usize, u32, PairScore, f64)> = decided.autos.clone();
            for (pi, u, score, margin) in new.iter().cloned() {
                closed_payers.insert(pi);
                closed_users.insert(u);
                autos.insert(pi, (u, score, margin, round_no));
            }
            round_no += 1;
            if new.is_empty() || round_no >= policy.max_rounds {
                break (round, decided);
            }
        };
        let (round, decided) = last;

        let mut links: Vec<Option<Link>> = vec![None; payers.len()];
        let mut cards: Vec<ReviewCard> = Vec::new();
        let linked_users: BTreeSet<u32> = closed_users.iter().copied().collect();
        let participants_known = policy.require_participation && !participant_positions.is_empty();
        for (&pi, (u, score, margin, r)) in &autos {
            let leans = score.gate.earlier_link && !stands_alone(score, *margin, policy, participants_known);
            let earlier = leans.then(|| resolved.earlier.get(&pi).map(|(_, e)| &e.transaction_id));
            links[pi] = Some(self.auto_link(input, &payers[pi], (*u, score), *margin, *r, earlier.flatten()));
        }

        // Review cards: one per component of the last round.
        let scored = &round.scored;
        for plan in &decided.cards {
            let mut notes: Vec<String> = Vec::new();
            for &pi in &plan.payers {
                notes.extend(conflicts.get(&pi).into_iter().flatten().cloned());
                notes.extend(exclusion_notes(&resolved, pi));
            }
            let card = self.card(
                input,
                &payers,
                &plan.payers,
                &plan.scored,
                scored,
                &plan.suggestion,
                plan.codes.iter().copied().collect(),
                notes,
                &participants,
                &linked_users,
                None,
            );
            for &pi in &plan.payers {
                let best = plan
                    .scored
                    .iter()
                    .copied()
                    .filter(|&si| scored[si].payer == pi)
                    .max_by(|a, b| scored[*a].score.total.total_cmp(&scored[*b].score.total).then(b.cmp(a)));
                let suggested = plan.suggestion.iter().find(|(p, _)| *p == pi).map(|(_, u)| *u);
                links[pi] =
                    Some(self.review_link(input, &payers[pi], &card, best.map(|b| &scored[b].score), suggested));
            }
            cards.push(card);
        }

        // Payments a person linked: the link stands; renames and contrary evidence open a card.
        let mut confirmed: Vec<(&usize, &&Decision)> = resolved.confirmed.iter().collect();
        confirmed.sort_by_key(|(p, _)| **p);
        for (&pi, d) in confirmed {
            let payer = &payers[pi];
            let user = index.position(d.planet_user_id.as_str());
            let own_scores = confirmed_scores.remove(&pi).unwrap_or_default();
            let own = own_scores.iter().position(|s| Some(s.user) == user);
            let mut codes: BTreeSet<ReasonCode> = BTreeSet::new();
            let mut notes: Vec<String> = Vec::new();
            if let (Some(u), Some(snap)) = (user, &d.snapshot)
                && let Some(then) = &snap.planet_name
                && then.trim() != index.user(u).name.trim()
            {
                codes.insert(ReasonCode::NameChangedSinceDecision);
                notes.push(format!(
                    "人工决定时星球昵称为「{}」，现为「{}」；关联按 user_id 保持不变",
                    then.trim(),
                    index.user(u).name.trim()
                ));
            }
            let own_total = own.map(|i| own_scores[i].score.total).unwrap_or(f64::NEG_INFINITY);
            let contrary: Vec<usize> = (0..own_scores.len())
                .filter(|&i| Some(own_scores[i].user) != user)
                .filter(|&i| {
                    let s = &own_scores[i].score;
                    (s.gate.unique_remark || s.gate.remark_id || s.gate.bind)
                        && s.total >= policy.auto_threshold
                        && s.total >= own_total + policy.margin
                })
                .collect();
            if !contrary.is_empty() {
                codes.insert(ReasonCode::ContradictsDecision);
                notes.push("新的强证据指向另一位星球用户；人工决定保持有效，请复核".to_string());
            }
            if let Some(c) = conflicts.get(&pi) {
                codes.insert(ReasonCode::IdConflict);
                notes.extend(c.iter().cloned());
            }
            let card = (!codes.is_empty()).then(|| {
                let shown: Vec<usize> = own.into_iter().chain(contrary.iter().copied()).collect();
                let shown_scored: Vec<Scored> = shown.iter().map(|&i| own_scores[i].clone()).collect();
                let idx: Vec<usize> = (0..shown_scored.len()).collect();
                self.card(
                    input,
                    &payers,
                    &[pi],
                    &idx,
                    &shown_scored,
                    &[],
                    codes.into_iter().collect(),
                    notes,
                    &participants,
                    &linked_users,
                    Some(d),
                )
            });
            let own_score = own.map(|i| &own_scores[i].score);
            links[pi] = Some(self.confirmed_link(input, payer, d, own_score, card.as_ref()));
            cards.extend(card);
        }

        // Payers with no candidate at all: one card for the camp, since pairing them
        // with the participants nobody paid for is one task.
        let unmatched: Vec<usize> = (0..payers.len()).filter(|&pi| links[pi].is_none()).collect();
        if !unmatched.is_empty() {
            let mut near: Vec<Scored> = Vec::new();
            let mut codes: BTreeSet<ReasonCode> = BTreeSet::from([ReasonCode::NoCandidate]);
            let mut notes: Vec<String> = Vec::new();
            for &pi in &unmatched {
                near.extend(nearest.get(&pi).into_iter().flatten().cloned());
                codes.extend(amount_code(payers[pi].payment.amount, input.deposit));
                notes.extend(exclusion_notes(&resolved, pi));
            }
            let free = participant_positions.iter().filter(|u| !linked_users.contains(u)).count();
            notes.push(format!(
                "{} 笔付款没有候选；本营另有 {free} 位参加打卡的星球用户尚未关联付款，可在搜索框按名称、拼音或首字母查找",
                unmatched.len()
            ));
            if !near.is_empty() {
                notes.push("列出的星球用户为最接近者，仅供参考，均低于候选阈值".to_string());
            }
            let idx: Vec<usize> = (0..near.len()).collect();
            let card = self.card(
                input,
                &payers,
                &unmatched,
                &idx,
                &near,
                &[],
                codes.into_iter().collect(),
                notes,
                &participants,
                &linked_users,
                None,
            );
            for &pi in &unmatched {
                links[pi] = Some(self.unmatched_link(input, &payers[pi], &card));
            }
            cards.push(card);
        }

        let mut participants_without_payment: BTreeSet<PlanetUserId> = unknown_participants;
        for &u in &participant_positions {
            if !linked_users.contains(&u) {
                participants_without_payment.insert(index.user(u).user_id.clone());
            }
        }
        cards.sort_by(|a, b| a.id.cmp(&b.id));
        MatchOutcome {
            links: links.into_iter().flatten().collect(),
            cards,
            participants_without_payment: participants_without_payment.into_iter().collect(),
            stats: work,
        }
    }

    /// Scores the given payers against their candidates (blocking, bind claims,
    /// person bindings) and, for payers left without any, against the free pool.
    #[allow(clippy::too_many_arguments)]
    fn score_round(
        &self,
        ctx: &ScoreContext<'_>,
        payers: &[Payer<'_>],
        scoring: &[usize],
        closed_payers: &BTreeSet<usize>,
        closed_users: &FxSet<u32>,
        participant_positions: &[u32],
        resolved: &Resolved<'_>,
        bind_edges: &HashMap<usize, Vec<(u32, String)>>,
        carried: &HashMap<usize, Vec<u32>>,
        find_residue: bool,
        blocked: &mut [Vec<u32>],
    ) -> Round {
        let index = self.index;
        let policy = &self.policy;
        let mut round = Round { per_payer: vec![Vec::new(); payers.len()], ..Round::default() };
        let mut cands: Vec<u32> = Vec::new();
        let prefer = |i: u32| ctx.participants[i as usize];
        for &pi in scoring {
            let payer = &payers[pi];
            let open = !closed_payers.contains(&pi);
            cands.clear();
            let names: Vec<&_> =
                payer.names.iter().map(|n| &n.norm).chain(std::iter::once(&payer.remark.stated)).collect();
            let query = CandidateQuery {
                names: &names,
                remark_hits: &payer.remark_hits,
                digit_runs: &payer.remark.digit_runs,
                member_numbers: &payer.remark.member_numbers,
            };
            // Blocking, bind claims and person bindings do not change between rounds:
            // the first round keeps them for the later ones.
            if policy.exhaustive {
                cands.extend(0..index.len() as u32);
            } else if find_residue {
                index.candidates(&query, &prefer, &mut cands);
            } else {
                cands.extend_from_slice(&blocked[pi]);
            }
            cands.extend(bind_edges.get(&pi).into_iter().flatten().map(|(u, _)| *u));
            cands.extend(resolved.bindings.get(&pi).into_iter().flatten().map(|(u, _)| *u));
            cands.extend(resolved.earlier.get(&pi).map(|(u, _)| *u));
            if find_residue && !policy.exhaustive {
                cands.sort_unstable();
                cands.dedup();
                blocked[pi].clone_from(&cands);
            }
            cands.extend(carried.get(&pi).into_iter().flatten().copied());
            cands.sort_unstable();
            cands.dedup();
            index.warm(&cands);
            for &u in &cands {
                // Open payers skip users already linked, except confirmed ones (kept to spot conflicts).
                if open
                    && closed_users.contains(&u)
                    && !resolved.confirmed.values().any(|d| d.planet_user_id == index.user(u).user_id)
                {
                    continue;
                }
                if is_excluded(resolved, pi, index, u) {
                    continue;
                }
                round.stats.scored_pairs += 1;
                let mut s = ctx.quick(payer, u);
                self.add_id_evidence(&mut s, pi, u, bind_edges, resolved, ctx.log_n());
                if keep(&s, policy) {
                    round.per_payer[pi].push(round.scored.len());
                    round.scored.push(Scored { payer: pi, user: u, score: s });
                }
            }
            prune(&mut round.per_payer[pi], &round.scored, policy);
            if resolved.confirmed.contains_key(&pi) {
                // A confirmed payer's own pairs go on its link and card as they are.
                for &si in &round.per_payer[pi] {
                    self.explain(ctx, payers, &mut round.scored[si], bind_edges, resolved);
                }
            }
        }

        // Residue (first round only): open payers without any candidate against the
        // users still free; later rounds reuse what it found.
        if !find_residue {
            return round;
        }
        let strong: HashSet<u32> = round
            .scored
            .iter()
            .filter(|s| s.score.total >= policy.auto_threshold && s.score.gate.passes())
            .map(|s| s.user)
            .collect();
        let free = |u: &u32| !closed_users.contains(u) && !strong.contains(u);
        let pool: Vec<u32> = if !participant_positions.is_empty() {
            participant_positions.iter().copied().filter(free).collect()
        } else if index.len() <= policy.residue_limit {
            (0..index.len() as u32).filter(free).collect()
        } else {
            Vec::new()
        };
        let pool_keys: Vec<(u32, Vec<char>)> =
            pool.iter().map(|&u| (u, name_chars(index.names(u).iter().map(|n| &n.norm)))).collect();
        for &pi in scoring {
            if !round.per_payer[pi].is_empty() || closed_payers.contains(&pi) {
                continue;
            }
            let payer_keys =
                name_chars(payers[pi].names.iter().map(|n| &n.norm).chain(std::iter::once(&payers[pi].remark.stated)));
            let mut found: Vec<Scored> = Vec::new();
            for (u, keys) in &pool_keys {
                // Cheap filter: a shared character or pinyin initial, else no name evidence is possible.
                if !shares_any(&payer_keys, keys) || is_excluded(resolved, pi, index, *u) {
                    continue;
                }
                round.stats.residue_pairs += 1;
                found.push(Scored { payer: pi, user: *u, score: ctx.quick(&payers[pi], *u) });
            }
            found.sort_by(|a, b| b.score.total.total_cmp(&a.score.total).then(a.user.cmp(&b.user)));
            let (keepers, rest): (Vec<Scored>, Vec<Scored>) = found.into_iter().partition(|s| keep(&s.score, policy));
            if keepers.is_empty() {
                let near: Vec<Scored> = rest
                    .into_iter()
                    .take(policy.nearest)
                    .map(|s| Scored { score: ctx.score(&payers[pi], s.user), ..s })
                    .collect();
                round.nearest.insert(pi, near);
            } else {
                round.residue.insert(pi, keepers.iter().map(|s| s.user).collect());
                for s in keepers {
                    round.per_payer[pi].push(round.scored.len());
                    round.scored.push(s);
                }
                prune(&mut round.per_payer[pi], &round.scored, policy);
                if resolved.confirmed.contains_key(&pi) {
                    for &si in &round.per_payer[pi] {
                        self.explain(ctx, payers, &mut round.scored[si], bind_edges, resolved);
                    }
                }
            }
        }
        round
    }

    #[allow(clippy::too_many_arguments)]
    /// One round's decisions: components of the open payers' edges to free
    /// users, the best assignment, the auto links that pass every test, and a
    /// card plan for everything else.
    fn decide(
        &self,
        round: &Round,
        payers: &[Payer<'_>],
        payer_texts: &FxMap<&str, u32>,
        conflicts: &HashMap<usize, Vec<String>>,
        closed_users: &FxSet<u32>,
        deposit: Option<Money>,
        participants_known: bool,
    ) -> Decided {
        let policy = &self.policy;
        let scored = &round.scored;
        let mut edges: Vec<Edge> = Vec::new();
        let mut edge_scored: Vec<usize> = Vec::new();
        for list in &round.per_payer {
            for &si in list {
                let s = &scored[si];
                if closed_users.contains(&s.user) {
                    continue;
                }
                edges.push(Edge { payer: s.payer, user: s.user, weight: s.score.total });
                edge_scored.push(si);
            }
        }
        let mut out = Decided::default();
        for comp in assign::components(payers.len(), &edges) {
            let size = comp.payers.len() + comp.users.len();
            let solution = (size <= policy.max_component).then(|| assign::solve(&comp, &edges, policy.no_match));
            let view = ComponentEdges { comp: &comp, edges: &edges, edge_scored: &edge_scored, scored };
            let mut open: Vec<usize> = Vec::new();
            let mut card_codes: BTreeSet<ReasonCode> = BTreeSet::new();
            let mut suggestion: Vec<(usize, u32)> = Vec::new();
            for (row, &pi) in comp.payers.iter().enumerate() {
                let payer = &payers[pi];
                let chosen = solution.as_ref().and_then(|s| s.chosen[row]);
                let margin = solution.as_ref().and_then(|s| s.margin[row]);
                let amount = amount_code(payer.payment.amount, deposit);
                let names_other = remark_names_other(payer, chosen.map(|e| edges[e].user), self.index)
                    || chosen.is_some_and(|e| view.names_point_elsewhere(e))
                    || chosen.is_some_and(|e| remark_against_names(&scored[edge_scored[e]].score.gate));
                let conflict = conflicts.contains_key(&pi) || view.id_conflict(pi);
                let disputed = chosen.is_some_and(|e| view.earlier_link_disputed(e));
                if let Some(ei) = chosen {
                    suggestion.push((pi, edges[ei].user));
                    let s = &scored[edge_scored[ei]].score;
                    let auto = s.total >= policy.auto_threshold
                        && margin.is_some_and(|m| m >= policy.margin)
                        && assign::mutual_best(&comp, &edges, ei, policy.margin)
                        && s.gate.passes()
                        && (s.gate.participant || !participants_known || s.gate.stands_without_participation())
                        && amount != Some(ReasonCode::MultiSeat)
                        && !names_other
                        && !conflict
                        && !disputed;
                    if auto {
                        out.autos.push((pi, edges[ei].user, s.clone(), margin.unwrap_or(0.0)));
                        continue;
                    }
                }
                open.push(pi);
                if let Some(b) = view.best_of(pi) {
                    let s = &scored[b].score;
                    let same_name = s.gate.same_name || shares_a_name_with_another_payer(payer, payer_texts);
                    if same_name {
                        card_codes.insert(ReasonCode::SameName);
                    } else if s.gate.common_name {
                        card_codes.insert(ReasonCode::CommonName);
                    }
                    let absent = participants_known && !s.gate.participant && !s.gate.stands_without_participation();
                    if absent {
                        card_codes.insert(ReasonCode::NotParticipating);
                    }
                    if s.total >= policy.auto_threshold && s.gate.passes() && !absent {
                        card_codes.insert(ReasonCode::LowMargin);
                    } else if !(same_name || s.gate.common_name || (absent && s.gate.passes())) {
                        card_codes.insert(ReasonCode::WeakEvidence);
                    }
                }
                if solution.is_none() {
                    card_codes.insert(ReasonCode::LowMargin);
                }
                card_codes.extend(amount);
                if names_other {
                    card_codes.insert(ReasonCode::RemarkNamesOther);
                }
                if conflict {
                    card_codes.insert(ReasonCode::IdConflict);
                }
                if disputed {
                    card_codes.insert(ReasonCode::ContradictsEarlierLink);
                }
            }
            if open.is_empty() {
                continue;
            }
            let open_set: BTreeSet<usize> = open.iter().copied().collect();
            out.cards.push(CardPlan {
                scored: comp
                    .edges
                    .iter()
                    .map(|&ei| edge_scored[ei])
                    .filter(|&si| open_set.contains(&scored[si].payer))
                    .collect(),
                suggestion: suggestion.into_iter().filter(|(p, _)| open_set.contains(p)).collect(),
                payers: open,
                codes: card_codes,
            });
        }
        out
    }

    /// Writes out the reasons of the pairs a round's outcome shows, scored in that
    /// round's context: its auto links and, in the last round, every pair on its cards.
    /// (Scores are screened without reasons; total and gate are the same either way.)
    #[allow(clippy::too_many_arguments)]
    fn explain_decided(
        &self,
        ctx: &ScoreContext<'_>,
        payers: &[Payer<'_>],
        round: &mut Round,
        decided: &mut Decided,
        last_round: bool,
        bind_edges: &HashMap<usize, Vec<(u32, String)>>,
        resolved: &Resolved<'_>,
    ) {
        for (pi, u, score, _) in &mut decided.autos {
            let mut pair = Scored { payer: *pi, user: *u, score: std::mem::replace(score, PairScore::new(false)) };
            self.explain(ctx, payers, &mut pair, bind_edges, resolved);
            *score = pair.score;
        }
        if last_round {
            for plan in &decided.cards {
                for &si in &plan.scored {
                    self.explain(ctx, payers, &mut round.scored[si], bind_edges, resolved);
                }
            }
        }
    }

    /// Re-scores a pair with its reasons written out.
    fn explain(
        &self,
        ctx: &ScoreContext<'_>,
        payers: &[Payer<'_>],
        pair: &mut Scored,
        bind_edges: &HashMap<usize, Vec<(u32, String)>>,
        resolved: &Resolved<'_>,
    ) {
        let mut s = ctx.score(&payers[pair.payer], pair.user);
        self.add_id_evidence(&mut s, pair.payer, pair.user, bind_edges, resolved, ctx.log_n());
        debug_assert!(s.total == pair.score.total && s.gate == pair.score.gate, "reasons changed a score");
        pair.score = s;
    }

    /// Adds bind-code and person-binding evidence to a pair's score.
    fn add_id_evidence(
        &self,
        s: &mut PairScore,
        payer: usize,
        user: u32,
        binds: &HashMap<usize, Vec<(u32, String)>>,
        resolved: &Resolved<'_>,
        log_n: f64,
    ) {
        if let Some(claims) = binds.get(&payer) {
            for (u, why) in claims {
                if *u == user {
                    let reason = if s.explains() { why.clone() } else { String::new() };
                    s.add("BIND", log_n + self.weights.bind_code, reason);
                    s.gate.bind = !why.contains("撞码");
                }
            }
        }
        if let Some(b) = resolved.bindings.get(&payer) {
            for (u, d) in b {
                if *u == user {
                    let reason = if s.explains() {
                        format!(
                            "同一付款人（external_userid）此前已由 {} 人工确认为该星球用户（决定 {}）",
                            d.decided_by, d.id
                        )
                    } else {
                        String::new()
                    };
                    s.add("D1", log_n + self.weights.person_binding, reason);
                    s.gate.person_binding = true;
                }
            }
        }
        if let Some((u, e)) = resolved.earlier.get(&payer)
            && *u == user
        {
            let reason = if s.explains() {
                format!(
                    "同一付款人（账单 external_userid）在{}的付款 {} 已自动关联到该星球用户",
                    e.camp.as_ref().map_or_else(|| "另一笔".to_string(), |c| format!("训练营 {c} ")),
                    e.transaction_id
                )
            } else {
                String::new()
            };
            s.add("E1", log_n + self.weights.earlier_link, reason);
            s.gate.earlier_link = true;
            s.lean = log_n + self.weights.earlier_link;
        }
    }

    fn auto_link(
        &self,
        input: &CampInput<'_>,
        payer: &Payer<'_>,
        (user, s): (u32, &PairScore),
        margin: f64,
        round: usize,
        earlier: Option<&TransactionId>,
    ) -> Link {
        let mut reasons = tie_reasons(payer);
        reasons.extend(signal_reasons(s));
        reasons.push(format!("领先其他方案 {margin:.1} 位"));
        reasons.push(format!("自动关联依据：{}", s.gate.describe()));
        if let (Some(ReasonCode::AmountOdd), Some(deposit)) =
            (amount_code(payer.payment.amount, input.deposit), input.deposit)
        {
            // Who paid is settled; how much comes back is not: the verdict's wrong-amount
            // anomaly holds the payment for a reviewer.
            reasons.push(format!(
                "金额 {} 与押金 {deposit} 不符：身份已关联，退款金额由判定的金额异常项交人工确认",
                payer.payment.amount
            ));
        }
        if round > 0 {
            reasons.push(format!("第 {} 轮：本营其他付款关联后，剩余候选范围缩小", round + 1));
        }
        Link {
            transaction_id: payer.payment.transaction_id.clone(),
            camp: input.camp.cloned().or_else(|| payer.payment.camp.clone()),
            planet_user_id: Some(self.index.user(user).user_id.clone()),
            external_userid: payer_external_userid(payer),
            state: LinkState::Auto,
            score: round1(s.total),
            reasons,
            suggested_planet_user_id: None,
            review_card: None,
            bind_code: None,
            decision: None,
            earlier_link: earlier.cloned(),
        }
    }

    fn review_link(
        &self,
        input: &CampInput<'_>,
        payer: &Payer<'_>,
        card: &ReviewCard,
        best: Option<&PairScore>,
        suggested: Option<u32>,
    ) -> Link {
        let labels: Vec<&str> = card.codes.iter().map(|c| c.label()).collect();
        let mut reasons = vec![format!("待人工确认：{}", labels.join("、"))];
        reasons.extend(tie_reasons(payer));
        if let Some(s) = best {
            reasons.extend(signal_reasons(s));
        }
        Link {
            transaction_id: payer.payment.transaction_id.clone(),
            camp: input.camp.cloned().or_else(|| payer.payment.camp.clone()),
            planet_user_id: None,
            external_userid: payer_external_userid(payer),
            state: LinkState::Review,
            score: best.map(|s| round1(s.total)).unwrap_or(0.0),
            reasons,
            suggested_planet_user_id: suggested.map(|u| self.index.user(u).user_id.clone()),
            review_card: Some(card.id.clone()),
            bind_code: Some(bind_code(&payer.payment.transaction_id)),
            decision: None,
            earlier_link: None,
        }
    }

    fn confirmed_link(
        &self,
        input: &CampInput<'_>,
        payer: &Payer<'_>,
        d: &Decision,
        own: Option<&PairScore>,
        card: Option<&ReviewCard>,
    ) -> Link {
        let mut reasons = vec![format!(
            "人工确认：{} 于 {}{}",
            d.decided_by,
            d.decided_at.strftime("%Y-%m-%d %H:%M"),
            d.note.as_deref().map(|n| format!("（{n}）")).unwrap_or_default()
        )];
        reasons.extend(tie_reasons(payer));
        if let Some(s) = own {
            reasons.extend(signal_reasons(s));
        }
        if let Some(c) = card {
            let labels: Vec<&str> = c.codes.iter().map(|c| c.label()).collect();
            reasons.push(format!("另有复核卡片：{}", labels.join("、")));
        }
        Link {
            transaction_id: payer.payment.transaction_id.clone(),
            camp: input.camp.cloned().or_else(|| payer.payment.camp.clone()),
            planet_user_id: Some(d.planet_user_id.clone()),
            external_userid: payer_external_userid(payer),
            state: LinkState::Confirmed,
            score: own.map(|s| round1(s.total)).unwrap_or(0.0),
            reasons,
            suggested_planet_user_id: None,
            review_card: card.map(|c| c.id.clone()),
            bind_code: None,
            decision: Some(d.id.clone()),
            earlier_link: None,
        }
    }

    fn unmatched_link(&self, input: &CampInput<'_>, payer: &Payer<'_>, card: &ReviewCard) -> Link {
        let mut reasons = vec!["无候选：范围内没有名称、备注、编号或绑定码与该付款相近的星球用户".to_string()];
        reasons.extend(tie_reasons(payer));
        Link {
            transaction_id: payer.payment.transaction_id.clone(),
            camp: input.camp.cloned().or_else(|| payer.payment.camp.clone()),
            planet_user_id: None,
            external_userid: payer_external_userid(payer),
            state: LinkState::Unmatched,
            score: 0.0,
            reasons,
            suggested_planet_user_id: None,
            review_card: Some(card.id.clone()),
            bind_code: Some(bind_code(&payer.payment.transaction_id)),
            decision: None,
            earlier_link: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn card(
        &self,
        input: &CampInput<'_>,
        payers: &[Payer<'_>],
        open: &[usize],
        card_scored: &[usize],
        scored: &[Scored],
        suggestion: &[(usize, u32)],
        codes: Vec<ReasonCode>,
        mut notes: Vec<String>,
        participants: &[bool],
        linked_users: &BTreeSet<u32>,
        decision: Option<&Decision>,
    ) -> ReviewCard {
        let index = self.index;
        let mut users: BTreeMap<&str, u32> = BTreeMap::new();
        for &si in card_scored {
            let u = scored[si].user;
            users.insert(index.user(u).user_id.as_str(), u);
        }
        let mut edges: Vec<(&str, f64, CardEdge)> = card_scored
            .iter()
            .map(|&si| {
                let s = &scored[si];
                let txn = payers[s.payer].payment.transaction_id.as_str();
                (
                    txn,
                    s.score.total,
                    CardEdge {
                        transaction_id: payers[s.payer].payment.transaction_id.clone(),
                        planet_user_id: index.user(s.user).user_id.clone(),
                        score: round1(s.score.total),
                        signals: s.score.signals.clone(),
                    },
                )
            })
            .collect();
        edges.sort_by(|a, b| a.0.cmp(b.0).then(b.1.total_cmp(&a.1)).then(a.2.planet_user_id.cmp(&b.2.planet_user_id)));
        for (&id, &u) in &users {
            let user = index.user(u);
            if let Some(h) = user.name_history.last()
                && h.name.trim() != user.name.trim()
            {
                notes.push(format!("星球用户 {id} 改过昵称：「{}」→「{}」", h.name.trim(), user.name.trim()));
            }
            if linked_users.contains(&u) && decision.is_none() {
                notes.push(format!("星球用户 {id}「{}」已关联到本营另一笔付款", user.name.trim()));
            }
        }
        let mut open_sorted: Vec<usize> = open.to_vec();
        open_sorted.sort_by(|a, b| payers[*a].payment.transaction_id.cmp(&payers[*b].payment.transaction_id));
        let mut id_source = String::new();
        if let Some(d) = decision {
            id_source.push_str(&format!("decision:{}:", d.id));
        }
        if codes.contains(&ReasonCode::NoCandidate) {
            id_source.push_str("no-candidate:");
        }
        for &pi in &open_sorted {
            id_source.push_str(payers[pi].payment.transaction_id.as_str());
            id_source.push('\u{1f}');
        }
        let id = format!("card-{}", &hex::encode(Sha256::digest(id_source.as_bytes()))[..16]);
        let mut suggestion: Vec<SuggestedPair> = suggestion
            .iter()
            .map(|(p, u)| SuggestedPair {
                transaction_id: payers[*p].payment.transaction_id.clone(),
                planet_user_id: index.user(*u).user_id.clone(),
            })
            .collect();
        suggestion.sort_by(|a, b| a.transaction_id.cmp(&b.transaction_id));
        notes.dedup();
        ReviewCard {
            id,
            camp: input.camp.cloned().or_else(|| open_sorted.first().and_then(|&p| payers[p].payment.camp.clone())),
            codes,
            payments: open_sorted.iter().map(|&pi| card_payment(&payers[pi], decision)).collect(),
            candidates: users
                .values()
                .map(|&u| card_candidate(index.user(u), participants.get(u as usize).copied().unwrap_or(false)))
                .collect(),
            edges: edges.into_iter().map(|(_, _, e)| e).collect(),
            suggestion,
            notes,
        }
    }
}

/// The residue pre-filter's keys of some names: their Han characters, and the
/// first letter of their readings (so a Latin spelling can meet a Han name).
fn name_chars<'n>(names: impl Iterator<Item = &'n crate::matching::normalize::NormalizedName>) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for n in names {
        for f in &n.forms {
            out.extend(f.text.chars().filter(|c| crate::matching::phonetic::is_han(*c)));
            out.extend(f.pinyin.iter().filter_map(|p| p.chars().next()).map(|c| c.to_ascii_uppercase()));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether two sorted character lists share one.
fn shares_any(a: &[char], b: &[char]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Keeps a payer's strongest candidates: at most `max_candidates`, none more than
/// `candidate_window` bits behind the best, id-grade evidence always.
fn prune(list: &mut Vec<usize>, scored: &[Scored], policy: &Policy) {
    list.sort_by(|a, b| scored[*b].score.total.total_cmp(&scored[*a].score.total).then(a.cmp(b)));
    // The window is measured on this camp's own evidence, so a user another camp's link
    // lifts does not push out the candidates that evidence prefers.
    let best = list.iter().map(|&i| scored[i].score.local()).fold(f64::NEG_INFINITY, f64::max);
    let mut n = 0;
    list.retain(|&i| {
        let s = &scored[i].score;
        let hard = s.gate.bind || s.gate.person_binding || s.gate.remark_id || s.gate.earlier_link;
        let ok = hard || (n < policy.max_candidates && s.local() >= best - policy.candidate_window);
        n += usize::from(ok);
        ok
    });
    list.sort_unstable();
}

/// Whether a scored pair is a candidate worth keeping.
fn keep(s: &PairScore, policy: &Policy) -> bool {
    s.total >= policy.review_threshold || s.gate.bind || s.gate.person_binding || s.gate.remark_id
}

/// One component's edges as `decide` reads them: each edge, its scored pair and score.
struct ComponentEdges<'a> {
    comp: &'a Component,
    edges: &'a [Edge],
    edge_scored: &'a [usize],
    scored: &'a [Scored],
}

impl ComponentEdges<'_> {
    fn score(&self, ei: usize) -> &PairScore {
        &self.scored[self.edge_scored[ei]].score
    }

    /// The best scored pair of a payer inside a component.
    fn best_of(&self, payer: usize) -> Option<usize> {
        self.comp
            .edges
            .iter()
            .filter(|&&ei| self.edges[ei].payer == payer)
            .map(|&ei| self.edge_scored[ei])
            .max_by(|a, b| self.scored[*a].score.total.total_cmp(&self.scored[*b].score.total).then(b.cmp(a)))
    }

    /// Another camp's automatic link of the payer lifts the chosen pair, yet this camp's own
    /// evidence rates another of the payer's candidates, or another payer for that user, at
    /// least as high: the earlier link may have been wrong, and carrying it would repeat the
    /// mistake in this camp.
    fn earlier_link_disputed(&self, chosen: usize) -> bool {
        let s = self.score(chosen);
        if !s.gate.earlier_link {
            return false;
        }
        let (payer, user) = (self.edges[chosen].payer, self.edges[chosen].user);
        self.comp.edges.iter().any(|&ei| {
            ei != chosen
                && (self.edges[ei].payer == payer || self.edges[ei].user == user)
                && self.score(ei).local() >= s.local()
        })
    }

    /// Stable ids disagree inside the component: this payer has id-grade evidence
    /// (bind code, remark id, person binding) for two users, or shares an id-grade
    /// user with another payer.
    fn id_conflict(&self, payer: usize) -> bool {
        let hard = |ei: usize| {
            let g = self.score(ei).gate;
            g.bind || g.remark_id || g.person_binding
        };
        let mine: BTreeSet<u32> = self
            .comp
            .edges
            .iter()
            .filter(|&&ei| self.edges[ei].payer == payer && hard(ei))
            .map(|&ei| self.edges[ei].user)
            .collect();
        if mine.len() > 1 {
            return true;
        }
        self.comp
            .edges
            .iter()
            .any(|&ei| self.edges[ei].payer != payer && mine.contains(&self.edges[ei].user) && hard(ei))
    }

    /// The chosen user shares no name with the payer (the remark alone chose it), while
    /// another candidate carries one of the payer's own names exactly: a remark naming a
    /// friend looks like this.
    fn names_point_elsewhere(&self, chosen: usize) -> bool {
        let payer = self.edges[chosen].payer;
        if self.score(chosen).gate.name_exact {
            return false;
        }
        self.comp
            .edges
            .iter()
            .any(|&ei| ei != chosen && self.edges[ei].payer == payer && self.score(ei).gate.name_exact)
    }
}

/// Whether an automatic link would hold on this camp's own evidence, without another
/// camp's link of the payer: its own total, its margin less the lift (a conservative
/// bound), and its gate without that link. Only links that need the lift are marked as
/// leaning on it (and are then never leaned on in turn).
fn stands_alone(s: &PairScore, margin: f64, policy: &Policy, participants_known: bool) -> bool {
    let mut gate = s.gate;
    gate.earlier_link = false;
    s.local() >= policy.auto_threshold
        && margin - s.lean >= policy.margin
        && gate.passes()
        && (gate.participant || !participants_known || gate.stands_without_participation())
}

/// Only the remark points at the user while the payer's own names and the user's
/// (the exported WeChat name included) are all unlike: a remark naming a friend
/// looks exactly like this. Unless the user also joined the planet right around the
/// payment, it is a person's call.
fn remark_against_names(g: &super::signals::Gate) -> bool {
    g.names_dissimilar
        && !(g.id_grade() || g.earlier_link || g.unique_name || g.unique_wechat || g.corroborated)
        && !g.joined_soon
}

/// The remark names, by a nickname unique in scope, a user other than `chosen`
/// whose names do not include that nickname.
fn remark_names_other(payer: &Payer<'_>, chosen: Option<u32>, index: &PlanetIndex<'_>) -> bool {
    let Some(chosen) = chosen else { return false };
    if payer.remark.on_behalf {
        // "帮X付", "替X报名": whoever the remark names, the payment is not plainly the payer's own seat.
        return true;
    }
    let chosen_texts: HashSet<&str> = index.names(chosen).iter().flat_map(|n| n.norm.texts()).collect();
    payer.remark_hits.iter().any(|hit| {
        let holders = index.with_text(hit);
        !chosen_texts.contains(hit.as_str())
            && !holders.is_empty()
            && holders.len() <= 2
            && holders.iter().any(|&u| u != chosen)
    })
}

/// `MULTI_SEAT` for a multiple of the deposit, `AMOUNT_ODD` for any other amount.
/// A multi-seat payment never links unattended (whose seats it pays is a person's
/// call); an odd amount does not stop the payer's identity from linking, since the
/// rules hold its verdict as a wrong-amount anomaly anyway.
fn amount_code(amount: Money, deposit: Option<Money>) -> Option<ReasonCode> {
    let dep = deposit?.fen();
    if dep <= 0 || amount.fen() == dep {
        return None;
    }
    if amount.fen() > dep && amount.fen() % dep == 0 {
        Some(ReasonCode::MultiSeat)
    } else {
        Some(ReasonCode::AmountOdd)
    }
}

/// Whether a human decision excludes the user at `u` for this payer. The user's record
/// is only read when the payer has exclusions (scoring reads the packed names, not it).
fn is_excluded(resolved: &Resolved<'_>, payer: usize, index: &PlanetIndex<'_>, u: u32) -> bool {
    match resolved.excluded.get(&payer) {
        None => false,
        Some(excluded) => {
            let id = index.user(u).user_id.as_str();
            excluded.iter().any(|(x, _)| x == id)
        }
    }
}

/// What a card says of a payer's human exclusions and of other camps' links that disagree.
fn exclusion_notes(resolved: &Resolved<'_>, payer: usize) -> Vec<String> {
    let excluded = resolved.excluded.get(&payer).into_iter().flatten().map(|(u, d)| {
        format!(
            "已排除星球用户 {u}：{} 判定不是同一人（决定 {}{}）",
            d.decided_by,
            d.id,
            d.note.as_deref().map(|n| format!("，{n}")).unwrap_or_default()
        )
    });
    excluded.chain(resolved.earlier_disagree.get(&payer).cloned()).collect()
}

/// Active decisions resolved against this camp's payers.
fn resolve_decisions<'d>(payers: &[Payer<'_>], decisions: &'d [Decision], index: &PlanetIndex<'_>) -> Resolved<'d> {
    let mut r = Resolved::default();
    let by_txn: HashMap<&str, usize> =
        payers.iter().enumerate().map(|(i, p)| (p.payment.transaction_id.as_str(), i)).collect();
    let mut by_ext: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in payers.iter().enumerate() {
        if let Some(e) = payer_external_userid(p) {
            by_ext.entry(e.into_string()).or_default().push(i);
        }
    }
    let mut active: Vec<&Decision> = decisions.iter().filter(|d| d.is_active()).collect();
    active.sort_by(|a, b| a.decided_at.cmp(&b.decided_at).then(a.id.cmp(&b.id)));
    for d in active {
        // The payer's external_userid: recorded on the decision, else from the payment if it is in this camp.
        let ext: Option<String> = d.external_userid.as_ref().map(|e| e.as_str().to_string()).or_else(|| {
            by_txn
                .get(d.transaction_id.as_str())
                .and_then(|&i| payer_external_userid(&payers[i]))
                .map(|e| e.into_string())
        });
        let own = by_txn.get(d.transaction_id.as_str()).copied();
        let same_payer: Vec<usize> = ext.as_deref().and_then(|e| by_ext.get(e)).cloned().unwrap_or_default();
        match d.kind {
            DecisionKind::Must => {
                let mut confirm: Vec<usize> = own.into_iter().collect();
                if d.scope == DecisionScope::Person {
                    confirm.extend(same_payer.iter().copied());
                } else if let Some(u) = index.position(d.planet_user_id.as_str()) {
                    for &p in &same_payer {
                        if Some(p) != own {
                            r.bindings.entry(p).or_default().push((u, d));
                        }
                    }
                }
                confirm.sort_unstable();
                confirm.dedup();
                for p in confirm {
                    if let Some(prev) = r.confirmed.insert(p, d)
                        && prev.planet_user_id != d.planet_user_id
                    {
                        r.conflicting.entry(p).or_default().push(format!(
                            "人工决定不一致：{} 定为 {}，{} 定为 {}；以较新的为准",
                            prev.decided_by, prev.planet_user_id, d.decided_by, d.planet_user_id
                        ));
                    }
                }
            }
            DecisionKind::Cannot => {
                let mut targets: Vec<usize> = own.into_iter().collect();
                if d.scope == DecisionScope::Person {
                    targets.extend(same_payer.iter().copied());
                }
                targets.sort_unstable();
                targets.dedup();
                for p in targets {
                    r.excluded.entry(p).or_default().push((d.planet_user_id.as_str().to_string(), d));
                }
            }
        }
    }
    // A confirmed pair that is also excluded: the decisions contradict each other.
    for (&p, d) in &r.confirmed {
        if let Some(ex) = r.excluded.get(&p)
            && let Some((_, c)) = ex.iter().find(|(u, _)| u == d.planet_user_id.as_str())
        {
            r.conflicting.entry(p).or_default().push(format!(
                "人工决定互相矛盾：{} 关联了 {}，{} 又排除了它",
                d.decided_by, d.planet_user_id, c.decided_by
            ));
        }
    }
    r
}

/// The other camps' automatic links of each payer's bill external_userid: carried when
/// they all name one planet user the payer is not barred from; noted when they disagree.
fn resolve_earlier_links<'d>(
    r: &mut Resolved<'d>,
    payers: &[Payer<'_>],
    input: &CampInput<'d>,
    index: &PlanetIndex<'_>,
) {
    if input.earlier_links.is_empty() {
        return;
    }
    for (pi, p) in payers.iter().enumerate() {
        let Some(ext) = p.payment.payer_external_userid.as_ref() else { continue };
        let links: Vec<&'d EarlierLink> = input
            .earlier_links
            .of(ext.as_str())
            .iter()
            .filter(|e| e.transaction_id != p.payment.transaction_id)
            .filter(|e| input.camp.is_none() || e.camp.as_ref() != input.camp)
            .collect();
        let users: BTreeSet<&str> = links.iter().map(|e| e.planet_user_id.as_str()).collect();
        match users.len() {
            0 => {}
            1 => {
                let Some(u) = index.position(links[0].planet_user_id.as_str()) else { continue };
                if !is_excluded(r, pi, index, u) {
                    r.earlier.insert(pi, (u, links[0]));
                }
            }
            _ => {
                let ids: Vec<&str> = users.into_iter().collect();
                r.earlier_disagree.insert(
                    pi,
                    format!(
                        "同一付款人（账单 external_userid）在其他训练营被自动关联到不同的星球用户：{}",
                        ids.join("、")
                    ),
                );
            }
        }
    }
}

/// Bind claims per payer: (user position, reason). A code shared by several
/// payments or claimed by several users is marked "撞码" (no gate).
fn bind_claims_by_payer(
    codes: &[String],
    claims: &[BindClaim],
    index: &PlanetIndex<'_>,
) -> HashMap<usize, Vec<(u32, String)>> {
    let mut by_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in codes.iter().enumerate() {
        by_code.entry(c.as_str()).or_default().push(i);
    }
    let mut claimants: BTreeMap<&str, BTreeMap<u32, &BindClaim>> = BTreeMap::new();
    for c in claims {
        if let Some(u) = index.position(c.planet_user_id.as_str())
            && by_code.contains_key(c.code.as_str())
        {
            claimants.entry(c.code.as_str()).or_default().entry(u).or_insert(c);
        }
    }
    let mut out: HashMap<usize, Vec<(u32, String)>> = HashMap::new();
    for (code, users) in claimants {
        let payers = &by_code[code];
        let clash = payers.len() > 1 || users.len() > 1;
        for (&u, claim) in &users {
            for &p in payers {
                let mut why = format!("该星球用户在{}中发送了绑定码 {code}", claim.source);
                if clash {
                    why.push_str("（撞码：同一绑定码对应多笔付款或多位用户）");
                }
                out.entry(p).or_default().push((u, why));
            }
        }
    }
    out
}

/// Ties each payment to a group member: by external_userid, or (bill without an
/// id) by a WeChat name that exactly one unclaimed member and one such payment share.
fn tie_group_members<'a>(
    payments: &[&'a Payment],
    members: &'a [GroupMember],
    normalizer: &Normalizer,
) -> Vec<Option<(&'a GroupMember, GroupTie)>> {
    let mut external: Vec<&GroupMember> = members.iter().filter(|m| m.kind == MemberKind::External).collect();
    external.sort_by(|a, b| a.member_id.cmp(&b.member_id).then(a.chat_id.cmp(&b.chat_id)));
    let mut by_id: BTreeMap<&str, &GroupMember> = BTreeMap::new();
    for m in &external {
        by_id.entry(m.member_id.as_str()).or_insert(m);
    }
    let claimed: HashSet<&str> =
        payments.iter().filter_map(|p| p.payer_external_userid.as_ref().map(|e| e.as_str())).collect();
    let core = |raw: &str| normalizer.name(raw).core().map(|f| f.text.clone());
    let mut members_by_name: HashMap<String, Vec<&GroupMember>> = HashMap::new();
    for m in by_id.values() {
        if claimed.contains(m.member_id.as_str()) {
            continue;
        }
        if let Some(k) = m.name.as_deref().and_then(core) {
            members_by_name.entry(k).or_default().push(m);
        }
    }
    let mut idless_by_name: HashMap<String, usize> = HashMap::new();
    let idless_keys: Vec<Option<String>> = payments
        .iter()
        .map(|p| if p.payer_external_userid.is_none() { p.payer_name.as_deref().and_then(core) } else { None })
        .collect();
    for k in idless_keys.iter().flatten() {
        *idless_by_name.entry(k.clone()).or_default() += 1;
    }
    payments
        .iter()
        .zip(&idless_keys)
        .map(|(p, key)| match &p.payer_external_userid {
            Some(e) => by_id.get(e.as_str()).map(|m| (*m, GroupTie::ExternalUserid)),
            None => {
                let k = key.as_ref()?;
                let ms = members_by_name.get(k)?;
                // The member must have joined around the payment (or WeCom gave no time).
                let joined_near = |m: &GroupMember| {
                    m.join_time.is_none_or(|j| {
                        let d = j.duration_since(p.paid_at);
                        d >= -jiff::SignedDuration::from_hours(1) && d <= jiff::SignedDuration::from_hours(24 * 14)
                    })
                };
                (ms.len() == 1 && idless_by_name.get(k) == Some(&1) && joined_near(ms[0]))
                    .then(|| (ms[0], GroupTie::UniqueName))
            }
        })
        .collect()
}

/// Name texts of the camp's external group members that no payment is tied to,
/// each member counted once per text: someone in the group who did not pay (or whose
/// payment is elsewhere) and shows a payer's name makes that name a shared one on
/// the WeCom side, so it cannot single the payer out.
fn bystander_texts(
    members: &[GroupMember],
    ties: &[Option<(&GroupMember, GroupTie)>],
    normalizer: &Normalizer,
) -> FxMap<String, u32> {
    let tied: HashSet<&str> = ties.iter().flatten().map(|(m, _)| m.member_id.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out: FxMap<String, u32> = FxMap::default();
    for m in members.iter().filter(|m| m.kind == MemberKind::External) {
        if tied.contains(m.member_id.as_str()) || !seen.insert(m.member_id.as_str()) {
            continue;
        }
        let mut texts: BTreeSet<String> = BTreeSet::new();
        for raw in [m.name.as_deref(), m.group_nickname.as_deref()].into_iter().flatten() {
            texts.extend(normalizer.name(raw).texts().map(str::to_string));
        }
        for t in texts {
            *out.entry(t).or_default() += 1;
        }
    }
    out
}

fn payer_names(p: &Payment, tie: Option<(&GroupMember, GroupTie)>, normalizer: &Normalizer) -> Vec<PayerName> {
    let mut out: Vec<PayerName> = Vec::new();
    let mut add = |source, raw: &str| {
        if !raw.trim().is_empty() && !out.iter().any(|n| n.raw == raw) {
            out.push(PayerName { source, raw: raw.to_string(), norm: normalizer.name(raw) });
        }
    };
    if let Some(n) = &p.payer_name {
        add(PayerSource::BillName, n);
    }
    if let Some((m, _)) = tie {
        if let Some(n) = &m.name {
            add(PayerSource::GroupName, n);
        }
        if let Some(n) = &m.group_nickname {
            add(PayerSource::GroupNickname, n);
        }
    }
    out
}

fn payer_external_userid(p: &Payer<'_>) -> Option<crate::domain::ExternalUserId> {
    p.payment.payer_external_userid.clone().or_else(|| p.group_member.and_then(|(m, _)| m.external_userid()))
}

fn tie_reasons(p: &Payer<'_>) -> Vec<String> {
    match p.group_member {
        Some((m, GroupTie::ExternalUserid)) => vec![format!(
            "群成员「{}」与账单 external_userid 相同（same external_userid as group member）",
            m.group_nickname.as_deref().or(m.name.as_deref()).unwrap_or(m.member_id.as_str()).trim()
        )],
        Some((m, GroupTie::UniqueName)) => vec![format!(
            "账单无 external_userid；群内唯一同名成员「{}」视为付款人（入群{}）",
            m.name.as_deref().unwrap_or_default().trim(),
            m.join_time
                .map(|j| format!("于付款后 {} 小时", j.duration_since(p.payment.paid_at).as_hours()))
                .unwrap_or_else(|| "时间未知".to_string())
        )],
        None => Vec::new(),
    }
}

fn signal_reasons(s: &PairScore) -> Vec<String> {
    s.signals.iter().map(|g| format!("{}（{:+.1} 位）", g.reason, g.bits)).collect()
}

fn card_payment(p: &Payer<'_>, decision: Option<&Decision>) -> CardPayment {
    CardPayment {
        transaction_id: p.payment.transaction_id.clone(),
        payer_name: p.payment.payer_name.clone(),
        remark: p.payment.remark.clone(),
        amount: p.payment.amount,
        paid_at: p.payment.paid_at,
        external_userid: payer_external_userid(p),
        group_member: p.group_member.map(|(m, tie)| CardGroupMember {
            member_id: m.member_id.clone(),
            name: m.name.clone(),
            group_nickname: m.group_nickname.clone(),
            join_time: m.join_time,
            matched_by: match tie {
                GroupTie::ExternalUserid => "external_userid".to_string(),
                GroupTie::UniqueName => "name".to_string(),
            },
        }),
        bind_code: bind_code(&p.payment.transaction_id),
        confirmed_to: decision.map(|d| d.planet_user_id.clone()),
    }
}

fn card_candidate(u: &PlanetUser, participant: bool) -> CardCandidate {
    CardCandidate {
        planet_user_id: u.user_id.clone(),
        name: u.name.clone(),
        alias: u.alias.clone(),
        number: u.number.clone(),
        former_names: u.name_history.iter().map(|h| h.name.clone()).collect(),
        joined_planet_at: u.joined_planet_at,
        participant,
    }
}
