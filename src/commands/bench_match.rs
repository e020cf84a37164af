//! `campdesk bench match`: the matcher on generated communities with ground
//! truth. Prints precision (and its Wilson lower bound), recall, review share,
//! wall time per phase and peak memory, first for the naive all-pairs baseline
//! (every payer scored against every planet user) on a small community, then
//! for the blocked matcher on the large one, so the ratio is visible.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{CommandError, Exit, print_json};
use crate::cli::{BenchMatchArgs, MatchDump};
use crate::domain::{PlanetUser, PlanetUserId};
use crate::matching::blocking::PlanetIndex;
use crate::matching::elsewhere::PaymentNames;
use crate::matching::normalize::default_normalizer;
use crate::matching::synthetic::{self, Metrics, World, WorldCamp, WorldOptions};
use crate::matching::{EarlierLinks, Link, LinkState, MatchOutcome, Matcher, Policy};

/// One measured run.
#[derive(Debug, Serialize)]
struct Run {
    name: String,
    seed: u64,
    persons: usize,
    camps: usize,
    payments: usize,
    planet_users: usize,
    member_export: bool,
    /// Share of payers who were planet members long before paying.
    existing_members: f64,
    exhaustive: bool,
    strict_unique: bool,
    threads: usize,
    generate_secs: f64,
    index_secs: f64,
    match_secs: f64,
    /// CPU time (all threads, user + system) of the index and of matching: less
    /// disturbed than wall time when other work shares the machine.
    index_cpu_secs: Option<f64>,
    match_cpu_secs: Option<f64>,
    wall_secs: f64,
    scored_pairs: u64,
    residue_pairs: u64,
    peak_rss_mib: Option<f64>,
    precision: f64,
    precision_lower_bound: f64,
    recall: f64,
    review_share: f64,
    card_share: f64,
    suggestion_right: f64,
    metrics: Metrics,
    /// SHA-256 over every camp's links, cards and work counters (with `--digest`):
    /// equal digests mean the matcher decided and explained everything the same way.
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome_digest: Option<String>,
    #[serde(skip)]
    dump: Vec<String>,
}

/// How one run is set up.
struct Setup<'a> {
    name: &'a str,
    exhaustive: bool,
    strict_unique: bool,
    threads: usize,
    dump: Option<MatchDump>,
    digest: bool,
    earlier_links: bool,
}

pub(super) fn run(args: &BenchMatchArgs) -> Result<Exit, CommandError> {
    if args.persons == 0 || args.camp_size == 0 || args.threads == 0 {
        return Err(CommandError::user("--persons, --camp-size and --threads must be at least 1"));
    }
    if args.seeds > 0 && (args.seed_persons == 0 || args.seed_camp_size == 0) {
        return Err(CommandError::user("--seed-persons and --seed-camp-size must be at least 1"));
    }
    if args.existing_members.is_some_and(|share| !(0.0..=1.0).contains(&share)) {
        return Err(CommandError::user("--existing-members must be a share between 0 and 1"));
    }
    let exports: &[bool] = if args.export_only { &[true] } else { &[true, false] };
    let setup = |name, exhaustive, strict_unique| Setup {
        name,
        exhaustive,
        strict_unique,
        threads: args.threads,
        dump: args.dump,
        digest: args.digest,
        earlier_links: !args.no_earlier_links,
    };
    let mut runs = Vec::new();
    if args.baseline_persons > 0 {
        let o = WorldOptions {
            seed: args.seed,
            persons: args.baseline_persons,
            camp_size: args.baseline_persons,
            ..WorldOptions::default()
        };
        runs.push(measure(&setup("baseline: all pairs, one camp", true, true), &o));
        runs.push(measure(&setup("blocked: same community", false, true), &o));
    }
    for &member_export in exports {
        let o = WorldOptions {
            seed: args.seed,
            persons: args.persons,
            camp_size: args.camp_size,
            member_export,
            existing_members: args.existing_members.unwrap_or(WorldOptions::default().existing_members),
            ..WorldOptions::default()
        };
        let name = if member_export {
            "blocked: large community, member export imported"
        } else {
            "blocked: large community, no member export"
        };
        runs.push(measure(&setup(name, false, true), &o));
        if args.lenient {
            runs.push(measure(&setup("blocked, lenient uniqueness: large community", false, false), &o));
        }
    }
    let mut seed_runs = Vec::new();
    for seed in (1..=args.seeds).map(|i| args.seed + i) {
        for &member_export in exports {
            let o = WorldOptions {
                seed,
                persons: args.seed_persons,
                camp_size: args.seed_camp_size,
                member_export,
                existing_members: args.existing_members.unwrap_or(WorldOptions::default().existing_members),
                ..WorldOptions::default()
            };
            let name = if member_export { "seed, member export" } else { "seed, no member export" };
            seed_runs.push(measure(&setup(name, false, true), &o));
        }
    }

    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            runs: &'a [Run],
            seeds: &'a [Run],
        }
        print_json(&Out { runs: &runs, seeds: &seed_runs })?;
    } else {
        for r in &runs {
            print_run(r);
        }
        if args.baseline_persons > 0 {
            let pairs_ratio = runs[0].scored_pairs as f64 / runs[1].scored_pairs.max(1) as f64;
            let time_ratio = runs[0].match_secs / runs[1].match_secs.max(1e-9);
            println!(
                "all pairs vs blocking on {} persons: {:.0}× the scored pairs, {:.0}× the matching time",
                args.baseline_persons, pairs_ratio, time_ratio
            );
        }
        if !seed_runs.is_empty() {
            print_seeds(&seed_runs, args.seed_persons, args.seed_camp_size);
        }
    }
    Ok(Exit::Ok)
}

fn measure(s: &Setup<'_>, o: &WorldOptions) -> Run {
    let start = Instant::now();
    let world = synthetic::build(o);
    let generate_secs = start.elapsed().as_secs_f64();
    let t = Instant::now();
    let cpu = process_cpu_secs();
    let normalizer = default_normalizer();
    let index = PlanetIndex::build(&world.planet_users, normalizer);
    let payment_names = PaymentNames::build(world.payments(), normalizer);
    let index_secs = t.elapsed().as_secs_f64();
    let index_cpu = process_cpu_secs();
    let policy = Policy { exhaustive: s.exhaustive, strict_unique: s.strict_unique, ..Policy::default() };
    let matched = (&world, &index, &payment_names);
    // What the other camps' evaluations stored (untimed): the timed pass reads their
    // links as the engine's evaluation of one camp reads the others' stored links.
    let earlier = if s.earlier_links {
        EarlierLinks::new(
            match_all(matched, &policy, s, EarlierLinks::none(), |c, outcome| {
                EarlierLinks::from_links(&outcome.links, &world.camps[c].payments)
            })
            .into_iter()
            .flatten(),
        )
    } else {
        EarlierLinks::default()
    };
    // The timed pass drops each outcome; a third, untimed pass matches again and scores
    // the outcomes against the truth (matching is deterministic; `--digest` hashes them).
    let t = Instant::now();
    let match_cpu_start = process_cpu_secs();
    match_all(matched, &policy, s, &earlier, |_, outcome| drop(std::hint::black_box(outcome)));
    let match_secs = t.elapsed().as_secs_f64();
    let match_cpu = process_cpu_secs();
    let wall_secs = generate_secs + index_secs + match_secs;
    let peak_rss_mib = peak_rss_mib();
    let namesakes = s.dump.map(|_| NamesakeIndex::build(&world));
    let camps =
        match_all(matched, &policy, s, &earlier, |c, outcome| assess(&world, namesakes.as_ref(), c, &outcome, s));
    let Matched { metrics, scored, residue, dump, digest } = total(camps, s);
    let payments = world.camps.iter().map(|c| c.payments.len()).sum();
    let review_payments = metrics.review + metrics.unmatched;
    Run {
        name: s.name.to_string(),
        seed: o.seed,
        persons: o.persons,
        camps: world.camps.len(),
        payments,
        planet_users: world.planet_users.len(),
        member_export: o.member_export,
        existing_members: o.existing_members,
        exhaustive: s.exhaustive,
        strict_unique: s.strict_unique,
        threads: s.threads,
        generate_secs,
        index_secs,
        match_secs,
        index_cpu_secs: cpu.zip(index_cpu).map(|(a, b)| b - a),
        match_cpu_secs: match_cpu_start.zip(match_cpu).map(|(a, b)| b - a),
        wall_secs,
        scored_pairs: scored,
        residue_pairs: residue,
        peak_rss_mib,
        precision: metrics.precision(),
        precision_lower_bound: metrics.precision_lower_bound(),
        recall: metrics.recall(),
        review_share: review_payments as f64 / metrics.payments.max(1) as f64,
        card_share: metrics.card_share(),
        suggestion_right: metrics.review_suggestion_right as f64 / metrics.review_with_truth.max(1) as f64,
        metrics,
        outcome_digest: digest,
        dump,
    }
}

/// One line per seed, then the pooled figures and the Wilson bound over all seeds.
fn print_seeds(runs: &[Run], persons: usize, camp_size: usize) {
    println!("== seeds: {persons}-person communities, camps of {camp_size} payers");
    println!("   seed  export  payments  auto  wrong  recall  review  cards");
    let mut pooled: std::collections::BTreeMap<bool, Metrics> = Default::default();
    for r in runs {
        let m = &r.metrics;
        println!(
            "   {:>4}  {:>6}  {:>8}  {:>4}  {:>5}  {:>5.1}%  {:>5.1}%  {:>4.1}%",
            r.seed,
            if r.member_export { "yes" } else { "no" },
            r.payments,
            m.auto,
            m.auto_wrong,
            r.recall * 100.0,
            r.review_share * 100.0,
            r.card_share * 100.0
        );
        pooled.entry(r.member_export).or_default().merge(m);
    }
    for (export, m) in pooled.iter().rev() {
        println!(
            "   pooled, {}: {} auto links, {} wrong (Wilson 95% lower bound {:.5}), recall {:.1}%, review {:.1}%, cards {:.1}%",
            if *export { "member export" } else { "no member export" },
            m.auto,
            m.auto_wrong,
            m.precision_lower_bound(),
            m.recall() * 100.0,
            (m.review + m.unmatched) as f64 / m.payments.max(1) as f64 * 100.0,
            m.card_share() * 100.0
        );
    }
    for r in runs.iter().filter(|r| !r.dump.is_empty()) {
        println!("== seed {}, {}:", r.seed, if r.member_export { "member export" } else { "no member export" });
        for d in &r.dump {
            print!("{d}");
        }
    }
}

/// What matching every camp of a world gave.
struct Matched {
    metrics: Metrics,
    scored: u64,
    residue: u64,
    dump: Vec<String>,
    digest: Option<String>,
}

impl Matched {
    fn empty() -> Matched {
        Matched { metrics: Metrics::default(), scored: 0, residue: 0, dump: Vec::new(), digest: None }
    }
}

/// Matches every camp, spreading camps over `s.threads` workers, and hands each
/// outcome to `take` on the worker that made it; what `take` returns comes back in
/// camp order.
fn match_all<T: Send>(
    (world, index, payment_names): (&World, &PlanetIndex<'_>, &PaymentNames),
    policy: &Policy,
    s: &Setup<'_>,
    earlier: &EarlierLinks,
    take: impl Fn(usize, MatchOutcome) -> T + Sync,
) -> Vec<T> {
    let normalizer = default_normalizer();
    // Largest camps first, each taken by whichever worker is free (no worker idles
    // while the other still holds a queue of camps).
    let mut order: Vec<usize> = (0..world.camps.len()).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(world.camps[c].payments.len()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..s.threads)
            .map(|_| {
                let (order, next, take) = (&order, &next, &take);
                let camps = std::iter::from_fn(move || {
                    order.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)).copied()
                });
                scope.spawn(move || {
                    let mut matcher = Matcher::new(index, normalizer);
                    matcher.policy = policy.clone();
                    camps
                        .map(|c| (c, take(c, matcher.match_camp(&world.camps[c].input(payment_names, earlier)))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("bench worker panicked")).collect()
    });
    results.sort_by_key(|(c, _)| *c);
    results.into_iter().map(|(_, t)| t).collect()
}

/// Scores one camp's outcome against the world's truth, with the dump and the
/// digest `s` asks for.
fn assess(
    world: &World,
    namesakes: Option<&NamesakeIndex>,
    c: usize,
    outcome: &MatchOutcome,
    s: &Setup<'_>,
) -> (Matched, Option<[u8; 32]>) {
    let dump = s.dump.zip(namesakes).map(|(kind, index)| dump_camp(world, index, &world.camps[c], outcome, kind));
    let m = Matched {
        metrics: synthetic::evaluate(world, outcome),
        scored: outcome.stats.scored_pairs,
        residue: outcome.stats.residue_pairs,
        dump: dump.unwrap_or_default(),
        digest: None,
    };
    (m, s.digest.then(|| outcome_digest(outcome)))
}

/// The camps' assessments added up; the digest hashes the camps' digests in camp order.
fn total(camps: Vec<(Matched, Option<[u8; 32]>)>, s: &Setup<'_>) -> Matched {
    let mut total = Matched::empty();
    let mut all = Sha256::new();
    for (m, digest) in camps {
        total.metrics.merge(&m.metrics);
        total.scored += m.scored;
        total.residue += m.residue;
        total.dump.extend(m.dump);
        if let Some(d) = digest {
            all.update(d);
        }
    }
    total.dump.sort();
    if s.digest {
        total.digest = Some(hex::encode(all.finalize()));
    }
    total
}

/// SHA-256 of one camp's outcome as JSON: links with their reasons, cards with every
/// edge and signal, participants without payment, work counters.
fn outcome_digest(outcome: &MatchOutcome) -> [u8; 32] {
    let json = serde_json::to_vec(outcome).expect("a match outcome serialises");
    Sha256::digest(&json).into()
}

/// The payments of one camp that `--dump` asks for, each with the payer, the person
/// behind it, the linked (or suggested) user, the true user and every reason.
fn dump_camp(
    world: &World,
    index: &NamesakeIndex,
    camp: &WorldCamp,
    outcome: &MatchOutcome,
    kind: MatchDump,
) -> Vec<String> {
    let participants: std::collections::HashSet<&PlanetUserId> = camp.participants.iter().collect();
    let mut out = Vec::new();
    for link in &outcome.links {
        let truth = world.truth.get(&link.transaction_id).cloned().flatten();
        let show = match kind {
            MatchDump::Wrong => link.state == LinkState::Auto && link.planet_user_id != truth,
            MatchDump::Review => {
                link.state != LinkState::Auto
                    && link.state != LinkState::Confirmed
                    && truth.as_ref().is_some_and(|t| participants.contains(t))
            }
            MatchDump::Absent => {
                link.state != LinkState::Auto
                    && link.state != LinkState::Confirmed
                    && truth.as_ref().is_some_and(|t| !participants.contains(t))
            }
        };
        if show {
            out.push(dump_link(world, index, camp, outcome, link, truth.as_ref(), &participants));
        }
    }
    out
}

fn dump_link(
    world: &World,
    index: &NamesakeIndex,
    camp: &WorldCamp,
    outcome: &MatchOutcome,
    link: &Link,
    truth: Option<&PlanetUserId>,
    participants: &std::collections::HashSet<&PlanetUserId>,
) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let payment = camp.payments.iter().find(|p| p.transaction_id == link.transaction_id);
    let _ = writeln!(
        s,
        "---- {} {} {:?} score {} linked {:?} suggested {:?} truth {:?}",
        camp.id,
        link.transaction_id,
        link.state,
        link.score,
        link.planet_user_id.as_ref().map(|u| u.as_str()),
        link.suggested_planet_user_id.as_ref().map(|u| u.as_str()),
        truth.map(|u| u.as_str())
    );
    if let Some(p) = payment {
        let _ =
            writeln!(s, "  bill: name {:?} remark {:?} amount {} paid {}", p.payer_name, p.remark, p.amount, p.paid_at);
        if let Some(ext) = &p.payer_external_userid
            && let Some(m) = camp.group_members.iter().find(|m| m.member_id == ext.as_str())
        {
            let _ = writeln!(s, "  group: name {:?} nickname {:?} joined {:?}", m.name, m.group_nickname, m.join_time);
        }
        let namesakes: Vec<String> = camp
            .group_members
            .iter()
            .filter(|m| m.name.is_some() && m.name == p.payer_name)
            .filter(|m| p.payer_external_userid.as_ref().is_none_or(|e| e.as_str() != m.member_id))
            .map(|m| format!("{} {:?} joined {:?}", m.member_id, m.group_nickname, m.join_time))
            .collect();
        if !namesakes.is_empty() {
            let _ = writeln!(s, "  other group members with the bill's name: {namesakes:?}");
        }
    }
    if let Some(p) = world.payer_of.get(&link.transaction_id) {
        let _ = writeln!(s, "  payer person #{}: {}", p.person_id, person_line(p));
    }
    let user_line = |label: &str, id: &PlanetUserId| -> String {
        let u = world.planet_users.binary_search_by(|u| u.user_id.cmp(id)).ok().map(|i| &world.planet_users[i]);
        let who = world.person_of_user.get(id).map(|p| format!("person #{}: {}", p.person_id, person_line(p)));
        format!(
            "  {label} {id}: {} participant {}\n    {}\n",
            u.map(user_summary).unwrap_or_else(|| "not in the store".to_string()),
            participants.contains(id),
            who.unwrap_or_else(|| "no person".to_string())
        )
    };
    if let Some(u) = link.planet_user_id.as_ref().or(link.suggested_planet_user_id.as_ref())
        && Some(u) != truth
    {
        s.push_str(&user_line("chosen", u));
    }
    if let Some(t) = truth {
        s.push_str(&user_line("true", t));
    }
    if let Some(t) = truth {
        s.push_str(&namesakes(world, index, camp, t, participants));
    }
    let _ = writeln!(s, "  cause: {}", crate::matching::synthetic::review_cause(world, link, truth, participants));
    if let Some(u) = link.planet_user_id.as_ref().or(link.suggested_planet_user_id.as_ref())
        && Some(u) != truth
        && let Some(person) = world.person_of_user.get(u)
    {
        let paid: Vec<String> = world
            .camps
            .iter()
            .flat_map(|c| c.payments.iter().map(move |p| (c, p)))
            .filter(|(_, p)| world.payer_of.get(&p.transaction_id).is_some_and(|q| q.person_id == person.person_id))
            .map(|(c, p)| format!("{} {} at {}", c.id, p.transaction_id, p.paid_at))
            .collect();
        let _ = writeln!(s, "  chosen user's person paid: {paid:?}");
    }
    for r in &link.reasons {
        let _ = writeln!(s, "   · {r}");
    }
    if let Some(card) = link.review_card.as_deref().and_then(|id| outcome.cards.iter().find(|c| c.id == id)) {
        let _ = writeln!(
            s,
            "  card {:?}: {} payments, {} candidates",
            card.codes,
            card.payments.len(),
            card.candidates.len()
        );
        for e in card.edges.iter().filter(|e| e.transaction_id == link.transaction_id) {
            let mark = if Some(&e.planet_user_id) == truth { " TRUE" } else { "" };
            let signals: Vec<String> = e.signals.iter().map(|g| format!("{} {:+.1}", g.code, g.bits)).collect();
            let _ = writeln!(s, "    -> {} {:.1}{mark}: {}", e.planet_user_id, e.score, signals.join(", "));
        }
    }
    s
}

/// The planet users by the core texts of their names (nickname, alias, exported WeChat
/// name), built once for a dump so that listing namesakes does not normalise every
/// user's names again for every dumped payment.
struct NamesakeIndex {
    /// Per user (in `world.planet_users` order), the core texts of their names.
    texts: Vec<Vec<String>>,
    /// Core text → users carrying it (indexes into `world.planet_users`).
    users: HashMap<String, Vec<usize>>,
}

impl NamesakeIndex {
    fn build(world: &World) -> NamesakeIndex {
        let texts: Vec<Vec<String>> = world.planet_users.iter().map(user_core_texts).collect();
        let mut users: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, ts) in texts.iter().enumerate() {
            for t in ts {
                let carriers = users.entry(t.clone()).or_default();
                if carriers.last() != Some(&i) {
                    carriers.push(i);
                }
            }
        }
        NamesakeIndex { texts, users }
    }
}

/// The core text of a name after normalisation.
fn core_text(name: &str) -> Option<String> {
    crate::matching::normalize::default_normalizer().name(name).core().map(|f| f.text.clone())
}

fn user_core_texts(u: &PlanetUser) -> Vec<String> {
    [Some(u.name.as_str()), u.alias.as_deref(), u.wechat_name.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(core_text)
        .collect()
}

/// Who else carries one of the true user's names (core text after normalisation):
/// other planet users (with their participation) and the camp's payers.
fn namesakes(
    world: &World,
    index: &NamesakeIndex,
    camp: &WorldCamp,
    truth: &PlanetUserId,
    participants: &std::collections::HashSet<&PlanetUserId>,
) -> String {
    let Ok(at) = world.planet_users.binary_search_by(|u| u.user_id.cmp(truth)) else { return String::new() };
    let texts = &index.texts[at];
    let mut carriers: Vec<usize> =
        texts.iter().flat_map(|t| index.users.get(t).into_iter().flatten().copied()).filter(|&i| i != at).collect();
    carriers.sort_unstable();
    carriers.dedup();
    let others: Vec<String> = carriers
        .into_iter()
        .map(|i| &world.planet_users[i])
        .map(|u| format!("{}({}{})", u.user_id, u.name, if participants.contains(&u.user_id) { ",P" } else { "" }))
        .collect();
    let payers: Vec<String> = camp
        .payments
        .iter()
        .filter(|p| p.payer_name.as_deref().and_then(core_text).is_some_and(|c| texts.contains(&c)))
        .map(|p| p.payer_name.clone().unwrap_or_default())
        .collect();
    let paying: std::collections::HashSet<&str> =
        camp.payments.iter().filter_map(|p| p.payer_external_userid.as_ref().map(|e| e.as_str())).collect();
    let members: Vec<String> = camp
        .group_members
        .iter()
        .filter(|m| !paying.contains(m.member_id.as_str()))
        .filter(|m| {
            [m.name.as_deref(), m.group_nickname.as_deref()]
                .into_iter()
                .flatten()
                .filter_map(core_text)
                .any(|c| texts.contains(&c))
        })
        .map(|m| format!("{}/{}", m.name.clone().unwrap_or_default(), m.group_nickname.clone().unwrap_or_default()))
        .collect();
    format!("  namesakes of {texts:?}: users {others:?}; camp payers {payers:?}; unpaid group members {members:?}\n")
}

fn person_line(p: &crate::sim::people::Person) -> String {
    format!(
        "wechat {:?} export {:?} planet {:?} later {:?} alias {:?} group {:?} remark {:?} noise {:?}",
        p.wechat_name,
        p.export_wechat_name,
        p.planet_name,
        p.planet_name_later,
        p.planet_alias,
        p.group_nickname,
        p.remark,
        p.noise
    )
}

fn user_summary(u: &PlanetUser) -> String {
    let former: Vec<&str> = u.name_history.iter().map(|h| h.name.as_str()).collect();
    format!(
        "name {:?} alias {:?} wechat {:?} former {:?} number {:?} joined {:?}",
        u.name, u.alias, u.wechat_name, former, u.number, u.joined_planet_at
    )
}

/// CPU time this process has used so far, all threads (finished ones included), user +
/// system, from /proc/self/stat (in USER_HZ ticks of 1/100 s on Linux).
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Peak resident set size of this process so far (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn print_run(r: &Run) {
    let m = &r.metrics;
    println!("== {} ({} persons, seed {}, {} thread(s))", r.name, r.persons, r.seed, r.threads);
    println!(
        "   {} payments in {} camp(s) × {} planet users; generated in {:.2} s",
        r.payments, r.camps, r.planet_users, r.generate_secs
    );
    println!(
        "   time: index {:.2} s, match {:.2} s, wall {:.2} s; scored pairs {} (+{} residue), {:.1} per payment",
        r.index_secs,
        r.match_secs,
        r.wall_secs,
        r.scored_pairs,
        r.residue_pairs,
        (r.scored_pairs + r.residue_pairs) as f64 / r.payments.max(1) as f64
    );
    if let (Some(i), Some(m)) = (r.index_cpu_secs, r.match_cpu_secs) {
        println!("   CPU time (all threads): index {i:.2} s, match {m:.2} s");
    }
    match r.peak_rss_mib {
        Some(mib) => println!("   peak RSS so far (VmHWM): {mib:.0} MiB"),
        None => println!("   peak RSS: not available (no /proc/self/status)"),
    }
    println!(
        "   precision {:.5} ({} auto links, {} wrong; Wilson 95% lower bound {:.5})",
        r.precision, m.auto, m.auto_wrong, r.precision_lower_bound
    );
    println!(
        "   recall {:.3} ({} of {} payments whose payer has a planet account linked automatically)",
        r.recall, m.auto_correct, m.true_links
    );
    println!(
        "   review: {:.1}% of payments need a person ({} review, {} without candidate) on {} cards ({:.1}% of payments)",
        r.review_share * 100.0,
        m.review,
        m.unmatched,
        m.cards,
        r.card_share * 100.0
    );
    println!(
        "   review usefulness: true user on the card {} / {}, suggested first {:.1}%; lost links {}",
        m.review_with_truth,
        m.review_with_truth + m.lost,
        r.suggestion_right * 100.0,
        m.lost
    );
    let left = (m.review + m.unmatched).max(1) as f64;
    let mut causes = m.review_by_cause.clone();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("   payments left to a person, by cause in the data:");
    for (cause, n) in causes.iter().take(12) {
        println!("     {:>5.1}%  {n:>6}  {cause}", *n as f64 / left * 100.0);
    }
    let codes: Vec<String> = m.review_by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!("   their cards' reason codes: {}", codes.join(", "));
    if let Some(d) = &r.outcome_digest {
        println!("   outcome digest (links, cards, reasons): {d}");
    }
    for d in &r.dump {
        print!("{d}");
    }
}
