//! The matcher on hand-built camps: the adversarial cases of the brief, human
//! decisions, bind codes, amounts, and byte-identical output.

use campdesk::domain::{
    Attribution, CampId, ChatId, ExternalUserId, GroupMember, MemberKind, Money, NameChange, Payment, PlanetUser,
    PlanetUserId, SourceRef, TransactionId,
};
use campdesk::matching::bind::{BindClaim, bind_code};
use campdesk::matching::decisions::{Decision, DecisionKind, DecisionScope, DecisionSnapshot};
use campdesk::matching::elsewhere::PaymentNames;
use campdesk::matching::normalize::default_normalizer;
use campdesk::matching::{
    CampInput, EarlierLink, EarlierLinks, LinkState, MatchInput, MatchOutcome, ReasonCode, match_camp,
};
use jiff::Timestamp;

const PAID: &str = "2025-10-10T12:00:00Z";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn payment(txn: &str, name: &str, remark: &str, ext: Option<&str>) -> Payment {
    Payment {
        transaction_id: TransactionId::new(txn),
        out_trade_no: None,
        camp: Some(CampId::new("c1")),
        attribution: Attribution::Import,
        payer_external_userid: ext.map(ExternalUserId::new),
        payer_name: Some(name.to_string()),
        remark: remark.to_string(),
        description: None,
        amount: Money::from_fen(3900),
        paid_at: ts(PAID),
        payee_userid: None,
        mch_id: None,
        payment_type: Some(1),
        refunded_total: Money::ZERO,
        bill_refunds: vec![],
        source: SourceRef { raw_id: "t".into(), position: None },
    }
}

/// A payment with an empty remark in another camp of the planet ("c2").
fn paid_in_other_camp(txn: &str, name: &str, ext: Option<&str>) -> Payment {
    Payment { camp: Some(CampId::new("c2")), ..payment(txn, name, "", ext) }
}

fn member(ext: &str, name: &str, nick: Option<&str>) -> GroupMember {
    GroupMember {
        chat_id: ChatId::new("wrG"),
        member_id: ext.to_string(),
        kind: MemberKind::External,
        name: Some(name.to_string()),
        group_nickname: nick.map(str::to_string),
        unionid: None,
        join_time: Some(ts("2025-10-10T13:00:00Z")),
        join_scene: Some(3),
        first_seen: ts("2025-10-10T13:00:00Z"),
        last_seen: ts("2025-10-10T13:00:00Z"),
        left_at: None,
    }
}

fn user(id: &str, name: &str) -> PlanetUser {
    PlanetUser {
        user_id: PlanetUserId::new(id),
        name: name.to_string(),
        alias: None,
        number: None,
        wechat_name: None,
        name_history: vec![],
        joined_planet_at: Some(ts("2025-10-10T14:00:00Z")),
        left_planet_at: None,
        first_seen: ts("2025-09-01T00:00:00Z"),
        last_seen: ts("2025-10-20T00:00:00Z"),
    }
}

/// Filler users so the scope is not tiny (their names match nobody).
fn crowd() -> Vec<PlanetUser> {
    ["向日葵", "追光者", "清风", "晴天", "橘子", "柠檬", "星辰", "大海", "蜗牛", "考拉"]
        .iter()
        .enumerate()
        .map(|(i, n)| PlanetUser {
            joined_planet_at: Some(ts("2024-01-01T00:00:00Z")),
            ..user(&format!("9000000{i:03}"), n)
        })
        .collect()
}

struct Camp {
    payments: Vec<Payment>,
    members: Vec<GroupMember>,
    users: Vec<PlanetUser>,
    participants: Vec<PlanetUserId>,
    decisions: Vec<Decision>,
    claims: Vec<BindClaim>,
    /// Payments of the planet's other camps.
    elsewhere: Vec<Payment>,
    /// Other camps' automatic links.
    earlier: EarlierLinks,
}

impl Camp {
    fn new(payments: Vec<Payment>, mut users: Vec<PlanetUser>) -> Camp {
        users.extend(crowd());
        let participants = users.iter().map(|u| u.user_id.clone()).collect();
        Camp {
            payments,
            members: vec![],
            users,
            participants,
            decisions: vec![],
            claims: vec![],
            elsewhere: vec![],
            earlier: EarlierLinks::default(),
        }
    }

    fn run(&self) -> MatchOutcome {
        let camp = CampId::new("c1");
        let all: Vec<Payment> = self.payments.iter().chain(&self.elsewhere).cloned().collect();
        let names = PaymentNames::build(&all, default_normalizer());
        match_camp(&MatchInput {
            planet_users: &self.users,
            camp: CampInput {
                camp: Some(&camp),
                deposit: Some(Money::from_fen(3900)),
                payments: &self.payments,
                group_members: &self.members,
                participants: &self.participants,
                decisions: &self.decisions,
                bind_claims: &self.claims,
                payment_names: Some(&names),
                earlier_links: &self.earlier,
            },
        })
    }
}

fn link<'a>(o: &'a MatchOutcome, txn: &str) -> &'a campdesk::matching::Link {
    o.links.iter().find(|l| l.transaction_id.as_str() == txn).expect("a link per payment")
}

fn card<'a>(o: &'a MatchOutcome, txn: &str) -> &'a campdesk::matching::ReviewCard {
    let id = link(o, txn).review_card.clone().expect("on a card");
    o.cards.iter().find(|c| c.id == id).expect("card exists")
}

fn decision(kind: DecisionKind, txn: &str, user: &str, snapshot_name: Option<&str>) -> Decision {
    Decision {
        id: "d000001".into(),
        kind,
        scope: DecisionScope::Payment,
        transaction_id: TransactionId::new(txn),
        external_userid: None,
        planet_user_id: PlanetUserId::new(user),
        decided_by: "owner".into(),
        decided_at: ts("2025-10-11T00:00:00Z"),
        note: Some("核对截图".into()),
        snapshot: snapshot_name
            .map(|n| DecisionSnapshot { planet_name: Some(n.to_string()), ..DecisionSnapshot::default() }),
        supersedes: None,
        superseded_by: None,
    }
}

#[test]
fn an_empty_remark_with_a_unique_wechat_name_links_automatically() {
    let camp = Camp::new(vec![payment("4200000001", "🌸龚昊天✨", "", Some("wmA"))], vec![user("111111", "龚昊天")]);
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("111111"));
    assert!(l.reasons.iter().any(|r| r.contains("名称一致")), "{:#?}", l.reasons);
    assert!(l.bind_code.is_none());
}

#[test]
fn the_same_name_twice_in_one_camp_goes_to_one_review_card() {
    let camp = Camp::new(
        vec![payment("4200000001", "王小明", "", Some("wmA")), payment("4200000002", "王小明", "", Some("wmB"))],
        vec![user("111111", "王小明"), user("222222", "王小明")],
    );
    let o = camp.run();
    for txn in ["4200000001", "4200000002"] {
        assert_eq!(link(&o, txn).state, LinkState::Review);
        assert!(link(&o, txn).planet_user_id.is_none());
    }
    let c = card(&o, "4200000001");
    assert_eq!(c.id, card(&o, "4200000002").id, "one card for the competing group");
    assert!(c.codes.contains(&ReasonCode::SameName), "{:?}", c.codes);
    assert_eq!(c.payments.len(), 2);
    assert_eq!(c.candidates.len(), 2);
    assert!(!c.edges.is_empty() && c.edges.iter().all(|e| !e.signals.is_empty()));
}

#[test]
fn a_remark_naming_someone_else_is_not_linked_unattended() {
    // The payer's names point at 李四海; the remark names 张小鱼, another member.
    let camp = Camp::new(
        vec![payment("4200000001", "李四海", "帮张小鱼付", Some("wmA"))],
        vec![user("111111", "李四海"), user("222222", "张小鱼")],
    );
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Review, "{:#?}", l.reasons);
    let c = card(&o, "4200000001");
    let ids: Vec<&str> = c.candidates.iter().map(|c| c.planet_user_id.as_str()).collect();
    assert!(ids.contains(&"111111") && ids.contains(&"222222"), "{ids:?}");
}

#[test]
fn a_payer_who_never_checked_in_is_held_for_review() {
    let mut camp = Camp::new(vec![payment("4200000001", "龚昊天", "", Some("wmA"))], vec![user("111111", "龚昊天")]);
    camp.participants.retain(|p| p.as_str() != "111111");
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Review, "{:#?}", l.reasons);
    assert_eq!(l.suggested_planet_user_id.as_ref().map(|u| u.as_str()), Some("111111"));
    assert!(card(&o, "4200000001").codes.contains(&ReasonCode::NotParticipating));
    assert!(o.participants_without_payment.iter().all(|p| p.as_str() != "111111"));
}

/// 开心的多肉 on the planet, called 追风少年 until `until`.
fn renamed_from_zhuifeng(id: &str, until: &str) -> PlanetUser {
    let mut renamed = user(id, "开心的多肉");
    renamed.name_history.push(NameChange { name: "追风少年".into(), alias: None, until: ts(until) });
    renamed
}

#[test]
fn a_renamed_planet_user_is_found_by_the_old_nickname_in_the_remark() {
    let renamed = renamed_from_zhuifeng("111111", "2025-10-12T00:00:00Z");
    let camp = Camp::new(vec![payment("4200000001", "小张", "星球昵称：追风少年", Some("wmA"))], vec![renamed]);
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(l.reasons.iter().any(|r| r.contains("曾用昵称「追风少年」")), "{:#?}", l.reasons);
}

#[test]
fn a_nickname_given_up_before_the_payment_is_weak_evidence_not_a_namesake() {
    // The user was called 追风少年 until a week before the payment; the payer shows that
    // name on the bill and in the remark. Nobody else carries it: the card says the
    // evidence is weak (an old name), not that a namesake competes.
    let renamed = renamed_from_zhuifeng("111112", "2025-10-03T00:00:00Z");
    let camp = Camp::new(vec![payment("4200000002", "追风少年", "星球昵称：追风少年", Some("wmA"))], vec![renamed]);
    let o = camp.run();
    let l = link(&o, "4200000002");
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    let codes = &card(&o, "4200000002").codes;
    assert!(!codes.contains(&ReasonCode::SameName), "{codes:?}");
    assert!(codes.contains(&ReasonCode::WeakEvidence), "{codes:?}");

    // A remark stating 问渠南 holds the user 问渠 only as a piece of the stated name: weak
    // evidence too, not a namesake.
    let camp =
        Camp::new(vec![payment("4200000003", "李勇奕", "星球：问渠南", Some("wmA"))], vec![user("111113", "问渠")]);
    let o = camp.run();
    assert_ne!(link(&o, "4200000003").state, LinkState::Auto, "{:#?}", link(&o, "4200000003").reasons);
    let codes = &card(&o, "4200000003").codes;
    assert!(!codes.contains(&ReasonCode::SameName), "{codes:?}");
}

#[test]
fn a_confirmed_link_survives_a_rename_and_contrary_evidence_and_says_so() {
    // A person linked the payment to 111111 when it was called 追风少年; it has been
    // renamed since, and the remark names another user outright.
    let mut camp = Camp::new(
        vec![payment("4200000001", "小张", "星球昵称：张小鱼", Some("wmA"))],
        vec![user("111111", "开心的多肉"), user("222222", "张小鱼")],
    );
    camp.decisions.push(decision(DecisionKind::Must, "4200000001", "111111", Some("追风少年")));
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Confirmed);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("111111"));
    assert_eq!(l.decision.as_deref(), Some("d000001"));
    let c = card(&o, "4200000001");
    assert!(c.codes.contains(&ReasonCode::NameChangedSinceDecision), "{:?}", c.codes);
    assert!(c.codes.contains(&ReasonCode::ContradictsDecision), "{:?}", c.codes);
    assert!(c.notes.iter().any(|n| n.contains("追风少年") && n.contains("开心的多肉")), "{:?}", c.notes);
}

#[test]
fn a_cannot_link_removes_the_candidate() {
    let mut camp = Camp::new(vec![payment("4200000001", "龚昊天", "", Some("wmA"))], vec![user("111111", "龚昊天")]);
    camp.decisions.push(decision(DecisionKind::Cannot, "4200000001", "111111", None));
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_ne!(l.state, LinkState::Auto);
    assert!(l.planet_user_id.is_none());
    let c = card(&o, "4200000001");
    assert!(c.candidates.iter().all(|c| c.planet_user_id.as_str() != "111111"), "{:?}", c.candidates);
    assert!(c.notes.iter().any(|n| n.contains("已排除星球用户 111111")), "{:?}", c.notes);
}

#[test]
fn polyphonic_surnames_spelt_in_pinyin_find_their_han_names() {
    for (latin, han) in [("Zeng Fan", "曾凡"), ("shan xiong", "单雄"), ("Xie Bao", "解宝"), ("Qiu Ying", "仇英")]
    {
        let camp = Camp::new(vec![payment("4200000001", latin, "", Some("wmA"))], vec![user("111111", han)]);
        let o = camp.run();
        let l = link(&o, "4200000001");
        assert_eq!(l.suggested_planet_user_id.as_ref().map(|u| u.as_str()), Some("111111"), "{latin}: {:#?}", l);
        assert!(l.reasons.iter().any(|r| r.contains("拼音相同")), "{latin}: {:#?}", l.reasons);
    }
}

#[test]
fn a_bind_code_posted_by_the_user_links_the_payment() {
    let mut camp =
        Camp::new(vec![payment("4200000001", "路人甲", "", Some("wmA"))], vec![user("111111", "完全不同的名字")]);
    let code = bind_code(&TransactionId::new("4200000001"));
    camp.claims.push(BindClaim {
        planet_user_id: PlanetUserId::new("111111"),
        code: code.clone(),
        source: "打卡 topic-1".into(),
        at: ts("2025-10-12T00:00:00Z"),
    });
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(l.reasons.iter().any(|r| r.contains(&format!("绑定码 {code}"))), "{:#?}", l.reasons);
}

#[test]
fn a_multi_seat_payment_never_links_unattended_and_an_odd_amount_links_the_payer_but_says_so() {
    let mut two = payment("4200000001", "龚昊天", "", Some("wmA"));
    two.amount = Money::from_fen(7800);
    let mut odd = payment("4200000002", "欧阳娜娜", "", Some("wmB"));
    odd.amount = Money::from_fen(3800);
    let camp = Camp::new(vec![two, odd], vec![user("111111", "龚昊天"), user("222222", "欧阳娜娜")]);
    let o = camp.run();
    // Whose seats a double payment pays is a person's call.
    assert_eq!(link(&o, "4200000001").state, LinkState::Review);
    assert!(card(&o, "4200000001").codes.contains(&ReasonCode::MultiSeat));
    // Who paid 38.00 is as clear as who paid 39.00; the amount itself is the rules'
    // wrong-amount anomaly, which holds the verdict for a reviewer.
    let l = link(&o, "4200000002");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("222222"));
    assert!(l.reasons.iter().any(|r| r.contains("金额 38.00 与押金 39.00 不符")), "{:#?}", l.reasons);
}

#[test]
fn the_group_member_joins_by_external_userid_and_lends_its_group_nickname() {
    let mut camp = Camp::new(vec![payment("4200000001", "Tony", "", Some("wmA"))], vec![user("111111", "龚昊天")]);
    camp.members.push(member("wmA", "Tony", Some("【A组】龚昊天-产品经理")));
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.external_userid.as_ref().map(|e| e.as_str()), Some("wmA"));
    assert!(l.reasons.iter().any(|r| r.contains("same external_userid as group member")), "{:#?}", l.reasons);
}

#[test]
fn a_bill_without_external_userid_ties_to_the_only_group_member_of_that_name_who_joined_then() {
    let mut camp = Camp::new(vec![payment("4200000001", "Tony", "", None)], vec![user("111111", "龚昊天")]);
    camp.members.push(member("wmA", "Tony", Some("龚昊天")));
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.external_userid.as_ref().map(|e| e.as_str()), Some("wmA"));
    assert!(l.reasons.iter().any(|r| r.contains("群内唯一同名成员「Tony」")), "{:#?}", l.reasons);

    // A member of that name who joined a month before the payment is not tied.
    let mut early = member("wmA", "Tony", Some("龚昊天"));
    early.join_time = Some(ts("2025-09-01T00:00:00Z"));
    camp.members = vec![early];
    let o = camp.run();
    assert!(link(&o, "4200000001").external_userid.is_none());
}

#[test]
fn a_payment_without_candidates_lands_on_the_camp_card_with_a_bind_code() {
    let camp = Camp::new(vec![payment("4200000001", "路人甲", "学费", Some("wmA"))], vec![]);
    let o = camp.run();
    let l = link(&o, "4200000001");
    assert_eq!(l.state, LinkState::Unmatched);
    assert_eq!(l.bind_code.as_deref(), Some(bind_code(&TransactionId::new("4200000001")).as_str()));
    assert!(card(&o, "4200000001").codes.contains(&ReasonCode::NoCandidate));
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let camp = Camp::new(
        vec![
            payment("4200000003", "王小明", "", Some("wmC")),
            payment("4200000001", "王小明", "", Some("wmA")),
            payment("4200000002", "龚昊天", "", None),
        ],
        vec![user("222222", "王小明"), user("111111", "王小明"), user("333333", "龚昊天")],
    );
    let a = serde_json::to_string(&camp.run()).unwrap();
    let b = serde_json::to_string(&camp.run()).unwrap();
    assert_eq!(a, b);
}

/// A long-time member (joined a year before paying) whose planet nickname has nothing
/// to do with their WeChat name.
fn old_member(id: &str, name: &str, wechat: Option<&str>) -> PlanetUser {
    PlanetUser {
        wechat_name: wechat.map(str::to_string),
        joined_planet_at: Some(ts("2024-09-01T00:00:00Z")),
        ..user(id, name)
    }
}

#[test]
fn the_exported_wechat_name_links_a_payer_whose_nicknames_are_unrelated() {
    let users = vec![old_member("211", "奔跑的蜗牛", Some("🌊林间小路")), old_member("212", "清晨小鹿", Some("老周"))];
    let camp = Camp::new(vec![payment("4200000101", "🌊林间小路", "", Some("wmA"))], users.clone());
    let o = camp.run();
    let l = link(&o, "4200000101");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("211"));
    assert!(l.reasons.iter().any(|r| r.contains("星球成员导出的微信昵称")), "{:#?}", l.reasons);

    // Without the export's 微信昵称 nothing ties them: the payment waits for a person.
    let bare: Vec<PlanetUser> = users.into_iter().map(|u| PlanetUser { wechat_name: None, ..u }).collect();
    let o = Camp::new(vec![payment("4200000101", "🌊林间小路", "", Some("wmA"))], bare).run();
    assert_ne!(link(&o, "4200000101").state, LinkState::Auto);
}

#[test]
fn a_wechat_name_two_users_exported_goes_to_review() {
    let users =
        vec![old_member("221", "奔跑的蜗牛", Some("林间小路")), old_member("222", "清晨小鹿", Some("林间小路"))];
    let o = Camp::new(vec![payment("4200000102", "林间小路", "", Some("wmA"))], users).run();
    let l = link(&o, "4200000102");
    assert_eq!(l.state, LinkState::Review, "{:#?}", l.reasons);
    assert!(card(&o, "4200000102").codes.contains(&ReasonCode::SameName));
}

#[test]
fn a_wechat_name_also_exported_for_a_non_participant_links_a_participant_who_joined_on_paying() {
    // Two accounts exported as 龚昊然 among 300 members, 50 of whom check in. One joined
    // the planet two hours after the payment and checks in; the other is an old member who
    // does not.
    let newcomer = PlanetUser { wechat_name: Some("龚昊然".to_string()), ..user("251", "奔跑的蜗牛") };
    let mut users = vec![newcomer, old_member("252", "清晨小鹿", Some("龚昊然"))];
    users.extend(named_crowd());
    let mut camp = Camp::new(vec![payment("4200000105", "龚昊然", "", Some("wmA"))], users);
    camp.participants = camp.users.iter().take(52).map(|u| u.user_id.clone()).filter(|u| u.as_str() != "252").collect();
    let l = link(&camp.run(), "4200000105").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("251"));

    // The old member checks in too: nothing tells the two apart.
    camp.participants.push(PlanetUserId::new("252"));
    assert_eq!(link(&camp.run(), "4200000105").state, LinkState::Review);

    // Or the participant joined long ago: the payer may be the old member who never checks
    // in, beside someone who checks in without paying.
    camp.participants.retain(|p| p.as_str() != "252");
    camp.users[0].joined_planet_at = Some(ts("2024-03-01T00:00:00Z"));
    let o = camp.run();
    assert_eq!(link(&o, "4200000105").state, LinkState::Review);
    assert!(card(&o, "4200000105").codes.contains(&ReasonCode::SameName));
}

#[test]
fn a_decorated_wechat_name_equal_as_shown_tells_two_bare_namesakes_apart() {
    // 🇨🇳张鸣 exported for one user, a bare 张鸣 for the other, who does not check in on
    // the camp: the bill's 🇨🇳张鸣 is the first.
    let users = vec![old_member("231", "长安奶酪", Some("🇨🇳张鸣")), old_member("232", "旅行的饼干", Some("张鸣"))];
    let mut camp = Camp::new(vec![payment("4200000103", "🇨🇳张鸣", "", Some("wmA"))], users);
    camp.participants.retain(|p| p.as_str() != "232");
    let l = link(&camp.run(), "4200000103").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("231"));

    // Both check in: the bare 张鸣 may have put on the flag since the export, and the
    // 🇨🇳张鸣 checks in without paying (a generated community linked a payer to exactly
    // such a participant), so a person decides.
    camp.participants.push(PlanetUserId::new("232"));
    let o = camp.run();
    assert_eq!(link(&o, "4200000103").state, LinkState::Review);
    assert!(card(&o, "4200000103").codes.contains(&ReasonCode::SameName));
}

#[test]
fn two_payers_sharing_a_name_are_told_apart_by_the_styling_the_export_shows_for_each() {
    // 👩‍💻守望小熊 and 守望小熊 both pay and both check in; the export shows each styling
    // for one of them. The decorated payer links on the styling no one else shows; the
    // bare one then links to the only 守望小熊 left.
    let mut users =
        vec![old_member("241", "守望小熊", Some("👩‍💻守望小熊")), old_member("242", "守望小熊", Some("守望小熊"))];
    users.extend(nickname_crowd());
    let payments =
        vec![payment("4200000111", "👩‍💻守望小熊", "", Some("wmA")), payment("4200000112", "守望小熊", "", Some("wmB"))];
    let mut camp = Camp::new(payments, users);
    let o = camp.run();
    for (txn, user) in [("4200000111", "241"), ("4200000112", "242")] {
        let l = link(&o, txn);
        assert_eq!(l.state, LinkState::Auto, "{txn}: {:#?}", l.reasons);
        assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some(user));
    }

    // A third 守望小熊 checks in whose WeChat name the export does not show: it may be the
    // 👩‍💻守望小熊 who paid, so both payments wait for a person.
    camp.users.insert(2, old_member("243", "守望小熊", None));
    camp.participants.push(PlanetUserId::new("243"));
    let o = camp.run();
    for txn in ["4200000111", "4200000112"] {
        assert_eq!(link(&o, txn).state, LinkState::Review, "{txn}");
        assert!(card(&o, txn).codes.contains(&ReasonCode::SameName), "{txn}");
    }

    // The bare styling is exported only for a user who does not check in: nothing
    // explains the bare payer, who may be 241 since a change of decoration.
    camp.users.remove(2);
    camp.participants.retain(|p| !matches!(p.as_str(), "242" | "243"));
    let o = camp.run();
    assert_eq!(link(&o, "4200000111").state, LinkState::Review);
    assert!(card(&o, "4200000111").codes.contains(&ReasonCode::SameName));
}

#[test]
fn a_non_participant_needs_two_independent_pointers() {
    // The payer never checked in: the exported WeChat name alone, bare, does not link them
    // (a stranger without a planet account may carry it as well)…
    let mut users = vec![old_member("241", "奔跑的蜗牛", Some("追风的少年"))];
    users.extend(two_character_crowd());
    let mut camp = Camp::new(vec![payment("4200000104", "追风的少年", "", Some("wmA"))], users);
    camp.participants.retain(|p| p.as_str().starts_with("9000000"));
    let l = link(&camp.run(), "4200000104").clone();
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    // …the export and a group nickname naming the planet nickname do.
    camp.members.push(member("wmA", "追风的少年", Some("【A组】奔跑的蜗牛-运营")));
    let l = link(&camp.run(), "4200000104").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("241"));
}

#[test]
fn a_non_participant_links_by_a_styled_wechat_name_shown_exactly_as_exported() {
    // 🌊林间小路 on the bill and, styled the same, in the export of a member who joined the
    // planet long ago and does not check in: a stranger would have to carry that styling
    // too (a twin's decorations are their own). The payer, who never checked in.
    let users = vec![old_member("245", "奔跑的蜗牛", Some("🌊林间小路"))];
    let mut camp = Camp::new(vec![payment("4200000109", "🌊林间小路", "", Some("wmA"))], users);
    camp.participants.retain(|p| p.as_str() != "245");
    let l = link(&camp.run(), "4200000109").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("245"));
    assert!(l.reasons.iter().any(|r| r.contains("导出微信昵称连同修饰一致")), "{:#?}", l.reasons);

    // The same payer paid in another camp under that name: still only this payer shows it.
    camp.elsewhere.push(paid_in_other_camp("4200000198", "🌊林间小路", Some("wmA")));
    assert_eq!(link(&camp.run(), "4200000109").state, LinkState::Auto);

    // Another payer of another camp shows the name: a namesake paid there, so a person decides.
    camp.elsewhere.push(paid_in_other_camp("4200000199", "林间小路", Some("wmB")));
    let o = camp.run();
    assert_eq!(link(&o, "4200000109").state, LinkState::Review);
    assert!(card(&o, "4200000109").codes.contains(&ReasonCode::NotParticipating));

    // A styled common name (🌊王伟 among a hundred two-character names) may be two people's.
    let mut users = vec![old_member("246", "奔跑的蜗牛", Some("🌊王伟"))];
    users.extend(two_character_crowd().into_iter().filter(|u| u.name != "王伟"));
    let mut camp = Camp::new(vec![payment("4200000110", "🌊王伟", "", Some("wmA"))], users);
    camp.participants.retain(|p| p.as_str() != "246");
    let o = camp.run();
    assert_eq!(link(&o, "4200000110").state, LinkState::Review, "{:#?}", link(&o, "4200000110").reasons);
    assert!(card(&o, "4200000110").codes.contains(&ReasonCode::NotParticipating));
}

#[test]
fn a_non_participant_who_joined_the_planet_right_after_paying_links_by_an_exported_wechat_name_no_other_camp_shows() {
    // Joined the planet an hour after this payment, not checked in yet, exported under the
    // payer's WeChat name, which no payment of another camp shows: the payer.
    let newcomer = |id: &str, wechat: &str| PlanetUser {
        wechat_name: Some(wechat.to_string()),
        joined_planet_at: Some(ts("2025-10-10T13:00:00Z")),
        ..user(id, "奔跑的蜗牛")
    };
    for (txn, wechat, id) in [("4200000106", "林间小路", "261"), ("4200000107", "Elaine", "262")] {
        let mut camp = Camp::new(vec![payment(txn, wechat, "", Some("wmA"))], vec![newcomer(id, wechat)]);
        camp.participants.retain(|p| p.as_str() != id);
        let l = link(&camp.run(), txn).clone();
        assert_eq!(l.state, LinkState::Auto, "{wechat}: {:#?}", l.reasons);
        assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some(id));
        assert!(l.reasons.iter().any(|r| r.contains("他营付款无此微信昵称且付款前后入球")), "{:#?}", l.reasons);

        // A payer of another camp shows the same WeChat name. That namesake joined the planet
        // in the same days for their own payment, and this payer may have no planet account
        // (a generated community showed exactly that: every name alike, the join a day after
        // the wrong payment). The payment goes to a person, the user suggested.
        camp.elsewhere.push(paid_in_other_camp("4200000199", wechat, Some("wmB")));
        let o = camp.run();
        let l = link(&o, txn);
        assert_eq!(l.state, LinkState::Review, "{wechat}: {:#?}", l.reasons);
        assert_eq!(l.suggested_planet_user_id.as_ref().map(|u| u.as_str()), Some(id));
        assert!(card(&o, txn).codes.contains(&ReasonCode::NotParticipating), "{wechat}");

        // An unattributed payment counts as another camp's.
        camp.elsewhere[0].camp = None;
        assert_eq!(link(&camp.run(), txn).state, LinkState::Review, "{wechat}");
    }

    // A short personal name may be a stranger's who paid without a planet account, beside
    // a namesake who joined the planet in those days by chance (a generated 100 000-person
    // community showed exactly that: 任婧 paid, another 任婧 joined 28 hours later).
    let mut users = vec![newcomer("263", "任婧")];
    users.extend(two_character_crowd());
    let mut camp = Camp::new(vec![payment("4200000108", "任婧", "", Some("wmA"))], users);
    camp.participants.retain(|p| p.as_str().starts_with("9000000"));
    let o = camp.run();
    assert_eq!(link(&o, "4200000108").state, LinkState::Review, "{:#?}", link(&o, "4200000108").reasons);
    assert!(card(&o, "4200000108").codes.contains(&ReasonCode::NotParticipating));
}

#[test]
fn a_remark_naming_a_friend_does_not_beat_the_payers_own_group_nickname() {
    let users = vec![old_member("251", "温柔的花生", None), old_member("252", "沉默的螃蟹", None)];
    let mut camp = Camp::new(vec![payment("4200000105", "🍀梁枫", "沉默的螃蟹", Some("wmA"))], users);
    camp.members.push(member("wmA", "🍀梁枫", Some("温柔的花生")));
    let o = camp.run();
    let l = link(&o, "4200000105");
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(card(&o, "4200000105").candidates.iter().any(|c| c.planet_user_id.as_str() == "251"));
}

#[test]
fn an_exported_wechat_name_equal_only_after_normalisation_is_another_account() {
    // The bill shows 小玉; the export shows 小玉|设计师 for a long-time member: two
    // WeChat accounts' names, not one seen twice. No unattended link.
    let users = vec![old_member("261", "知行合一枫叶", Some("小玉|设计师"))];
    let o = Camp::new(vec![payment("4200000106", "小玉", "", Some("wmA"))], users.clone()).run();
    assert_ne!(link(&o, "4200000106").state, LinkState::Auto, "{:#?}", link(&o, "4200000106").reasons);
    // Shown exactly as exported, it links.
    let o = Camp::new(vec![payment("4200000106", "小玉|设计师", "", Some("wmA"))], users).run();
    assert_eq!(link(&o, "4200000106").state, LinkState::Auto, "{:#?}", link(&o, "4200000106").reasons);
}

#[test]
fn a_payment_made_for_someone_else_is_held_for_review() {
    // "替sophia1969报名": the remark names the user it is paid for, not the payer.
    let users = vec![old_member("271", "sophia1969", None)];
    let o = Camp::new(vec![payment("4200000107", "李勇奕", "替sophia1969报名", Some("wmA"))], users.clone()).run();
    let l = link(&o, "4200000107");
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(card(&o, "4200000107").codes.contains(&ReasonCode::RemarkNamesOther));
    // The same nickname stated plainly, with the payer's own name unlike it and a join
    // long before the payment, is a person's call too (a friend's nickname looks the same).
    let o = Camp::new(vec![payment("4200000107", "李勇奕", "sophia1969", Some("wmA"))], users.clone()).run();
    assert_ne!(link(&o, "4200000107").state, LinkState::Auto);
    // A member who joined right after paying and states the nickname links.
    let fresh = vec![user("271", "sophia1969")];
    let o = Camp::new(vec![payment("4200000107", "李勇奕", "sophia1969", Some("wmA"))], fresh).run();
    assert_eq!(link(&o, "4200000107").state, LinkState::Auto, "{:#?}", link(&o, "4200000107").reasons);
}

#[test]
fn a_nickname_put_together_from_common_parts_does_not_link_on_the_name_alone() {
    // Many members combine the same words: 慢热的向日葵 is one of them, however unique in scope.
    let mut users = Vec::new();
    for (i, a) in ["慢热的", "孤独的", "爱笑的", "发呆的", "旅行的"].iter().enumerate() {
        for (j, n) in ["向日葵", "板栗", "柴犬", "螃蟹", "孔雀", "椰子"].iter().enumerate() {
            users.push(old_member(&format!("28{i}{j}"), &format!("{a}{n}"), None));
        }
    }
    let o = Camp::new(vec![payment("4200000108", "慢热的向日葵", "", Some("wmA"))], users.clone()).run();
    assert_ne!(link(&o, "4200000108").state, LinkState::Auto, "{:#?}", link(&o, "4200000108").reasons);
    // A nickname nobody else's parts make up still links by name.
    users.push(old_member("2899", "一路向北大侠", None));
    let o = Camp::new(vec![payment("4200000109", "一路向北大侠", "", Some("wmA"))], users).run();
    assert_eq!(link(&o, "4200000109").state, LinkState::Auto, "{:#?}", link(&o, "4200000109").reasons);
}

#[test]
fn a_nickname_equal_to_the_payers_wechat_name_on_a_user_exported_under_another_wechat_name_is_held() {
    // The planet nickname 一路向北 equals the bill's WeChat name, but the export shows that
    // user's WeChat account as 快乐的风筝, and a payment of another camp shows 快乐的风筝:
    // that account pays under it, so 一路向北 on the bill is likely someone else's WeChat
    // name. (With no payment showing it, the user may have renamed since the export: see
    // an_exported_wechat_name_unlike_the_payers_is_outdated_for_a_long_time_member_who_checks_in.)
    let users = vec![old_member("291", "一路向北", Some("快乐的风筝"))];
    let mut camp = Camp::new(vec![payment("4200000110", "一路向北", "", Some("wmA"))], users);
    camp.elsewhere.push(paid_in_other_camp("4200000198", "快乐的风筝", Some("wmB")));
    let o = camp.run();
    assert_ne!(link(&o, "4200000110").state, LinkState::Auto, "{:#?}", link(&o, "4200000110").reasons);
    // Without an exported WeChat name the unique, uncommon nickname still links.
    let o =
        Camp::new(vec![payment("4200000110", "一路向北", "", Some("wmA"))], vec![old_member("291", "一路向北", None)])
            .run();
    assert_eq!(link(&o, "4200000110").state, LinkState::Auto, "{:#?}", link(&o, "4200000110").reasons);
}

#[test]
fn an_exported_wechat_name_no_other_payment_shows_is_outdated_for_a_participant_who_joined_on_paying() {
    // The user joined the planet an hour after the payment and checks in; the export shows
    // their WeChat account under a name no other payment shows. Whoever paid for the
    // account paid under another WeChat name: the export predates a rename (快乐的风筝
    // exported, 一路向北 on the bill) or a change of decoration (張薇琛 exported,
    // 上海-張薇琛🍀 on the bill, which reads as the exported name), and the bill is theirs.
    let cases = [
        ("4200000111", "292", "一路向北", "快乐的风筝", "一路向北"),
        ("4200000112", "293", "张薇琛", "張薇琛", "上海-張薇琛🍀"),
    ];
    for (txn, id, nickname, exported, bill) in cases {
        let newcomer = PlanetUser { wechat_name: Some(exported.to_string()), ..user(id, nickname) };
        let mut camp = Camp::new(vec![payment(txn, bill, "", Some("wmA"))], vec![newcomer]);
        let l = link(&camp.run(), txn).clone();
        assert_eq!(l.state, LinkState::Auto, "{bill}: {:#?}", l.reasons);
        assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some(id));

        // A payment of another camp shows the exported name: that account pays under it,
        // and the bill may be someone else's.
        camp.elsewhere.push(paid_in_other_camp("4200000198", exported, Some("wmB")));
        assert_ne!(link(&camp.run(), txn).state, LinkState::Auto, "{bill}");

        // Or the user does not check in on the camp.
        camp.elsewhere.clear();
        camp.participants.retain(|p| p.as_str() != id);
        assert_ne!(link(&camp.run(), txn).state, LinkState::Auto, "{bill}");
    }
}

#[test]
fn an_exported_wechat_name_unlike_the_payers_is_outdated_for_a_long_time_member_who_checks_in() {
    // 天空椰子 paid; a member since last year is 天空椰子 on the planet and checks in, and
    // the export shows their WeChat account as 范刚, a name no payment shows and none of the
    // payer's names reads as: they renamed their WeChat account since the export.
    let camp_with = |exported: &str| {
        Camp::new(
            vec![payment("4200000113", "天空椰子", "", Some("wmA"))],
            vec![old_member("294", "天空椰子", Some(exported))],
        )
    };
    let mut camp = camp_with("范刚");
    let l = link(&camp.run(), "4200000113").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("294"));

    // A payment of another camp shows 范刚: that account pays under it.
    camp.elsewhere.push(paid_in_other_camp("4200000198", "范刚", Some("wmB")));
    assert_eq!(link(&camp.run(), "4200000113").state, LinkState::Review);

    // Exported as the payer's name styled otherwise (天空椰子-HR): that may be a namesake's
    // account, one who checks in without paying, while the payer has none.
    let o = camp_with("天空椰子-HR").run();
    assert_eq!(link(&o, "4200000113").state, LinkState::Review, "{:#?}", link(&o, "4200000113").reasons);

    // The nickname only normalises to the payer's WeChat name (随遇而安⭐ paid, 随遇而安_会计
    // on the planet, exported as lily1977): perhaps a stranger's nickname.
    let o = Camp::new(
        vec![payment("4200000114", "随遇而安⭐", "", Some("wmA"))],
        vec![old_member("295", "随遇而安_会计", Some("lily1977"))],
    )
    .run();
    assert_eq!(link(&o, "4200000114").state, LinkState::Review, "{:#?}", link(&o, "4200000114").reasons);
}

#[test]
fn a_group_member_without_a_payment_who_shows_the_payers_name_makes_it_a_shared_name() {
    let mut camp = Camp::new(vec![payment("4200000111", "龚昊天", "", Some("wmA"))], vec![user("111111", "龚昊天")]);
    assert_eq!(link(&camp.run(), "4200000111").state, LinkState::Auto);
    // Another 龚昊天 sits in the camp's group without a payment: which one checks in?
    camp.members.push(member("wmB", "龚昊天", Some("【B组】龚昊天")));
    let o = camp.run();
    let l = link(&o, "4200000111");
    assert_eq!(l.state, LinkState::Review, "{:#?}", l.reasons);
    assert!(card(&o, "4200000111").codes.contains(&ReasonCode::SameName));
}

#[test]
fn a_wechat_name_equal_as_shown_to_another_users_nickname_is_not_unique() {
    // The export shows one user's WeChat name as Angela·陈; another user, whose WeChat name
    // the export does not show, is called Angela·陈 on the planet. Either may be the payer.
    let users = vec![old_member("301", "Angela·陈", Some("Angela·陈")), old_member("302", "Angela·陈", None)];
    let o = Camp::new(vec![payment("4200000112", "Angela·陈", "", Some("wmA"))], users).run();
    let l = link(&o, "4200000112");
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(card(&o, "4200000112").codes.contains(&ReasonCode::SameName));
}

/// Long-time members with two-character personal names: each surname of `surnames`
/// with each of ten given names, ids starting with `prefix`.
fn two_character_names(surnames: &str, prefix: &str) -> Vec<PlanetUser> {
    let given: Vec<char> = "伟芳娜敏静丽强磊军洋".chars().collect();
    surnames
        .chars()
        .flat_map(|s| given.iter().map(move |g| format!("{s}{g}")))
        .enumerate()
        .map(|(i, name)| old_member(&format!("{prefix}{i:03}"), &name, None))
        .collect()
}

/// 100 two-character personal names from ten surnames and ten given names.
fn two_character_crowd() -> Vec<PlanetUser> {
    two_character_names("王李张刘陈杨黄赵吴周", "6000000")
}

/// 200 two-character personal names from twenty surnames and ten given names: enough
/// names of that shape for the chance model to tell a rare one from a common one.
fn wide_two_character_crowd() -> Vec<PlanetUser> {
    two_character_names("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "6100000")
}

/// 100 four-character nicknames put together from ten openings and ten endings, none
/// of them shared with the cases' names.
fn nickname_crowd() -> Vec<PlanetUser> {
    let openings = ["晴空", "海边", "山间", "林中", "雨后", "夜里", "春风", "秋月", "冬雪", "夏荷"];
    let endings = ["飞鸟", "白云", "游鱼", "小径", "灯火", "书页", "茶香", "琴声", "星河", "野花"];
    (0..100)
        .map(|i| old_member(&format!("7000000{i:03}"), &format!("{}{}", openings[i / 10], endings[i % 10]), None))
        .collect()
}

/// 300 long-time members with three-character personal names, so that the characters
/// of a name under test are as rare as in a real community.
fn named_crowd() -> Vec<PlanetUser> {
    let surnames: Vec<char> = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗".chars().collect();
    let middles: Vec<char> = "子文思雨佳若欣嘉梓晓".chars().collect();
    let lasts: Vec<char> = "涵琪轩怡宁悦婷颖博豪萱瑶琳淇蕾".chars().collect();
    (0..300)
        .map(|i| {
            let name: String = [surnames[i % 20], middles[(i / 20) % 10], lasts[(i / 7) % 15]].iter().collect();
            old_member(&format!("8000000{i:03}"), &name, None)
        })
        .collect()
}

#[test]
fn a_namesake_the_export_shows_under_another_wechat_name_does_not_share_the_payers_wechat_name() {
    // Two users called 龚昊天 on the planet; the export shows the first one's WeChat name
    // as 龚昊天 and the second one's as 老周. The second account is not the one that paid
    // as 龚昊天, so the name is not shared: the export's 龚昊天 links.
    let mut users = vec![old_member("303", "龚昊天", Some("龚昊天")), old_member("304", "龚昊天", Some("老周"))];
    users.extend(named_crowd());
    let o = Camp::new(vec![payment("4200000113", "龚昊天", "", Some("wmA"))], users.clone()).run();
    let l = link(&o, "4200000113");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("303"));

    // Without the second user's export row either account may be the payer's.
    users[1].wechat_name = None;
    let o = Camp::new(vec![payment("4200000113", "龚昊天", "", Some("wmA"))], users).run();
    assert_ne!(link(&o, "4200000113").state, LinkState::Auto, "{:#?}", link(&o, "4200000113").reasons);
    assert!(card(&o, "4200000113").codes.contains(&ReasonCode::SameName));
}

#[test]
fn latin_names_put_together_from_common_parts_count_as_common() {
    use campdesk::matching::blocking::PlanetIndex;
    use campdesk::matching::normalize::default_normalizer;
    // Given names and surnames that recur across the planet's Latin names.
    let mut users: Vec<PlanetUser> = Vec::new();
    for (i, given) in ["Rose", "Amy", "Lily", "Coco", "Jason"].iter().enumerate() {
        for (j, surname) in ["Chen", "Wang", "Cheng", "Li"].iter().enumerate() {
            if (*given, *surname) != ("Rose", "Cheng") {
                users.push(user(&format!("7{i}{j}"), &format!("{given} {surname}")));
            }
        }
    }
    users.push(user("799", "Rose Cheng"));
    users.push(user("798", "xq_studio_2019"));
    let index = PlanetIndex::build(&users, default_normalizer());
    let common = index.expected_carriers("rosecheng");
    let handle = index.expected_carriers("xqstudio2019");
    assert!(common > 0.1, "Rose Cheng: {common}");
    assert!(handle < 0.01, "a handle: {handle}");
}

/// 40 members with bare English given names, ten of them carried twice (none is Winnie).
fn english_crowd() -> Vec<PlanetUser> {
    let names = [
        "Lily", "Amy", "Coco", "Jason", "Kevin", "Grace", "Tony", "Emma", "Lucy", "Jack", "Vivian", "Cindy", "Linda",
        "Helen", "Alice", "Bella", "Cathy", "Daisy", "Eric", "Frank", "Gavin", "Henry", "Ivy", "Jenny", "Karen", "Leo",
        "Mandy", "Nina", "Oscar", "Peter",
    ];
    (0..40).map(|i| old_member(&format!("5100000{i:03}"), names[i % 30], None)).collect()
}

#[test]
fn a_bare_english_given_name_counts_as_common_even_when_one_member_carries_it() {
    // Winnie the payer and Winnie the member are alike on every platform, but English
    // given names come from a small vocabulary: among the planet's bare English names
    // many coincide, so another Winnie may have paid without an account.
    let mut users = vec![old_member("321", "Winnie", Some("Winnie"))];
    users.extend(english_crowd());
    let o = Camp::new(vec![payment("4200000121", "Winnie", "", Some("wmA"))], users.clone()).run();
    let l = link(&o, "4200000121");
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.suggested_planet_user_id.as_ref().map(|u| u.as_str()), Some("321"));
    // Nobody else on the planet is called Winnie: the card says the name is common, not shared.
    let codes = &card(&o, "4200000121").codes;
    assert!(codes.contains(&ReasonCode::CommonName) && !codes.contains(&ReasonCode::SameName), "{codes:?}");
    assert!(l.reasons[0].contains("常见姓名"), "{:#?}", l.reasons);

    // The member joined the planet an hour after the payment and checks in: a stranger
    // Winnie would need a namesake who joined in those very days and checks in without
    // any payment showing the name. That account's.
    // (A planet of a hundred more members who do not check in, and fewer coinciding
    // English names: Winnie's chance namesakes are ~0.2, not ~0.5.)
    let mut joined = vec![PlanetUser { joined_planet_at: Some(ts("2025-10-10T13:00:00Z")), ..users[0].clone() }];
    joined.extend(english_crowd().into_iter().take(33));
    joined.extend(two_character_crowd());
    let camp_of = |users: Vec<PlanetUser>, checking_in: &[&str]| {
        let mut camp = Camp::new(vec![payment("4200000121", "Winnie", "", Some("wmA"))], users);
        camp.participants.retain(|p| p.as_str().starts_with("9000000") || checking_in.contains(&p.as_str()));
        camp
    };
    let crowd_ids: Vec<String> = english_crowd().into_iter().take(33).map(|u| u.user_id.as_str().to_string()).collect();
    let mut checking_in: Vec<&str> = crowd_ids.iter().map(String::as_str).collect();
    let o = camp_of(joined.clone(), &checking_in).run();
    assert_ne!(link(&o, "4200000121").state, LinkState::Auto, "not checking in: {:#?}", link(&o, "4200000121").reasons);
    checking_in.push("321");
    let o = camp_of(joined, &checking_in).run();
    assert_eq!(link(&o, "4200000121").state, LinkState::Auto, "{:#?}", link(&o, "4200000121").reasons);
    assert!(
        link(&o, "4200000121").reasons.iter().any(|r| r.contains("常见姓名")),
        "the link still says the name is common"
    );

    // The same name styled, and shown so on both sides, is that account's.
    users[0].wechat_name = Some("✨Winnie✨".to_string());
    let o = Camp::new(vec![payment("4200000121", "✨Winnie✨", "", Some("wmA"))], users.clone()).run();
    assert_eq!(link(&o, "4200000121").state, LinkState::Auto, "{:#?}", link(&o, "4200000121").reasons);

    // Given name and surname together (Winnie Xu) are not one word of that vocabulary.
    users[0].wechat_name = Some("Winnie Xu".to_string());
    users[0].name = "Winnie Xu".to_string();
    let o = Camp::new(vec![payment("4200000121", "Winnie Xu", "", Some("wmA"))], users).run();
    assert_eq!(link(&o, "4200000121").state, LinkState::Auto, "{:#?}", link(&o, "4200000121").reasons);
}

#[test]
fn a_latin_name_beside_a_surname_is_one_name_and_its_middle_dot_is_no_styling() {
    // Kevin·赵 paid and checks in as 👩‍💻Kevin·赵, beside forty bare English names (two
    // Kevins) and David·赵: Kevin alone is common and 赵 alone a surname, but the two
    // together name one member.
    let mut users = vec![user("331", "👩\u{200d}💻Kevin·赵"), old_member("332", "David·赵", None)];
    users.extend(english_crowd());
    let o = Camp::new(vec![payment("4200000131", "Kevin·赵", "", Some("wmA"))], users).run();
    let l = link(&o, "4200000131");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("331"));

    // Henry·刘 in the export of a long-time member who does not check in: the dot is how
    // the name is written, not a styling a stranger would have to copy, so a payer who
    // may have no account is not linked on the name.
    let mut users = vec![old_member("333", "Henry·刘", Some("Henry·刘"))];
    users.extend(english_crowd());
    let mut camp = Camp::new(vec![payment("4200000132", "Henry·刘", "", Some("wmA"))], users);
    camp.participants.retain(|p| p.as_str() != "333");
    let l = link(&camp.run(), "4200000132").clone();
    assert_eq!(l.state, LinkState::Review, "{:#?}", l.reasons);
    assert!(!l.reasons.iter().any(|r| r.contains("连同修饰")), "{:#?}", l.reasons);
}

#[test]
fn a_group_nickname_naming_the_user_links_beside_a_wechat_name_the_export_shows_decorated() {
    // The bill's 小丽旅行家 equals the export's ☘️小丽旅行家 only after normalisation (no
    // WeChat-name evidence), and that pair scores as high as any. The group nickname 龚昊天
    // names the user's planet nickname exactly, unique and taking part: that pair decides.
    let users = vec![old_member("311", "龚昊天", Some("☘\u{fe0f}小丽旅行家"))];
    let mut camp = Camp::new(vec![payment("4200000113", "小丽旅行家", "", Some("wmA"))], users);
    camp.members.push(member("wmA", "小丽旅行家", Some("龚昊天")));
    let o = camp.run();
    let l = link(&o, "4200000113");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("311"));
    // A group nickname that only repeats the WeChat name is no second view: with the
    // export showing another WeChat name, which another payment shows, the payment waits
    // for a person.
    let users = vec![old_member("312", "南风大叔", Some("爱读书的山竹"))];
    let mut camp = Camp::new(vec![payment("4200000114", "♡南风大叔♡", "", Some("wmB"))], users);
    camp.members.push(member("wmB", "♡南风大叔♡", Some("南风大叔")));
    camp.elsewhere.push(paid_in_other_camp("4200000198", "爱读书的山竹", Some("wmC")));
    let o = camp.run();
    assert_ne!(link(&o, "4200000114").state, LinkState::Auto, "{:#?}", link(&o, "4200000114").reasons);
}

#[test]
fn a_payer_sharing_one_name_with_another_payer_still_links_on_a_name_only_they_show() {
    // Two payers show the group nickname 甜甜的兔子, and two users carry it. One payer's
    // WeChat name ღEmmaღ is exactly the export's for one of them, and no one else shows
    // it: that payer links on it. The other stays on a same-name card.
    let users = vec![old_member("321", "甜甜的兔子", Some("ღEmmaღ")), old_member("322", "甜甜的兔子", None)];
    let mut camp = Camp::new(
        vec![payment("4200000115", "Coco", "", Some("wmA")), payment("4200000116", "ღEmmaღ", "", Some("wmB"))],
        users.clone(),
    );
    camp.members.push(member("wmA", "Coco", Some("甜甜的兔子")));
    camp.members.push(member("wmB", "ღEmmaღ", Some("17号甜甜的兔子")));
    let o = camp.run();
    let l = link(&o, "4200000116");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("321"));
    let other = link(&o, "4200000115");
    assert_eq!(other.state, LinkState::Review, "{:#?}", other.reasons);
    assert!(card(&o, "4200000115").codes.contains(&ReasonCode::SameName));

    // ღ is an ornament: a payer showing bare Emma shows the same name, styled otherwise,
    // and no participant's export vouches for that styling. Neither links.
    let mut camp = Camp::new(
        vec![payment("4200000115", "Emma", "", Some("wmA")), payment("4200000116", "ღEmmaღ", "", Some("wmB"))],
        users,
    );
    camp.members.push(member("wmA", "Emma", Some("甜甜的兔子")));
    camp.members.push(member("wmB", "ღEmmaღ", Some("17号甜甜的兔子")));
    let o = camp.run();
    assert_eq!(link(&o, "4200000116").state, LinkState::Review, "{:#?}", link(&o, "4200000116").reasons);
    assert!(card(&o, "4200000116").codes.contains(&ReasonCode::SameName));
}

#[test]
fn the_same_name_written_in_pinyin_by_another_user_makes_it_a_shared_name() {
    // 努力生活的熊猫 links on the name while no one else carries it…
    let payer = || payment("4200000117", "努力生活的熊猫", "", Some("wmA"));
    let o = Camp::new(vec![payer()], vec![old_member("331", "努力生活的熊猫", None)]).run();
    assert_eq!(link(&o, "4200000117").state, LinkState::Auto, "{:#?}", link(&o, "4200000117").reasons);
    // …but another user who writes it nulishenghuodexiongmao may be the payer as well.
    let users = vec![old_member("331", "努力生活的熊猫", None), old_member("332", "nulishenghuodexiongmao", None)];
    let o = Camp::new(vec![payer()], users).run();
    let l = link(&o, "4200000117");
    assert_eq!(l.state, LinkState::Review, "{:#?}", l.reasons);
    assert!(card(&o, "4200000117").codes.contains(&ReasonCode::SameName));
    // The same for a name in pinyin and a user who writes it in Han characters.
    let users = vec![old_member("333", "Zhang Weiming", None), old_member("334", "张伟明", None)];
    let o = Camp::new(vec![payment("4200000118", "Zhang Weiming", "", Some("wmB"))], users).run();
    assert_ne!(link(&o, "4200000118").state, LinkState::Auto, "{:#?}", link(&o, "4200000118").reasons);
}

fn earlier(txn: &str, camp: &str, ext: &str, user: &str) -> EarlierLink {
    EarlierLink {
        transaction_id: TransactionId::new(txn),
        camp: Some(CampId::new(camp)),
        external_userid: ExternalUserId::new(ext),
        planet_user_id: PlanetUserId::new(user),
    }
}

#[test]
fn a_payer_another_camp_linked_automatically_is_linked_by_the_bills_external_userid() {
    // 小鱼 paid with an unrelated WeChat name and no remark: nothing in this camp names 深海鲸落.
    let mut camp = Camp::new(
        vec![payment("4200000009", "小鱼", "", Some("wmA")), payment("4200000010", "晚风", "", None)],
        vec![user("111111", "深海鲸落"), user("222222", "山间明月")],
    );
    let alone = camp.run();
    assert_eq!(link(&alone, "4200000009").state, LinkState::Unmatched);

    // Camp c0 linked the same external_userid to 深海鲸落 on its own evidence; another account (wmB)
    // and a link of this camp's own do not count.
    camp.earlier = EarlierLinks::new([
        earlier("4200000001", "c0", "wmA", "111111"),
        earlier("4200000002", "c0", "wmB", "222222"),
        earlier("4200000003", "c1", "wmA", "222222"),
    ]);
    let o = camp.run();
    let l = link(&o, "4200000009");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("111111"));
    assert_eq!(l.earlier_link.as_ref().map(|t| t.as_str()), Some("4200000001"));
    assert!(l.reasons.iter().any(|r| r.contains("训练营 c0 的付款 4200000001 已自动关联")), "{:#?}", l.reasons);
    // A bill without external_userid leans on nothing.
    assert_eq!(link(&o, "4200000010").state, LinkState::Unmatched);

    // A link that holds on this camp's own evidence agrees with the earlier one but does not lean on it,
    // so other camps may lean on it in turn.
    let mut own = Camp::new(vec![payment("4200000011", "🌸龚昊天✨", "", Some("wmC"))], vec![user("333333", "龚昊天")]);
    own.earlier = EarlierLinks::new([earlier("4200000004", "c0", "wmC", "333333")]);
    let l = link(&own.run(), "4200000011").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(l.reasons.iter().any(|r| r.contains("已自动关联到该星球用户")), "{:#?}", l.reasons);
    assert_eq!(l.earlier_link, None);

    // It also links a user who has not checked in on this camp: the payer is known by the account.
    camp.participants.retain(|p| p.as_str() != "111111");
    let l = link(&camp.run(), "4200000009").clone();
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);

    // A person ruled the pair out: the earlier link is not carried.
    camp.decisions = vec![decision(DecisionKind::Cannot, "4200000009", "111111", None)];
    assert_ne!(link(&camp.run(), "4200000009").state, LinkState::Auto);
}

#[test]
fn earlier_links_that_disagree_or_that_this_camps_evidence_contradicts_go_to_review() {
    // Two other camps linked the same account to two different users: nothing is carried; the card says so.
    let mut camp = Camp::new(
        vec![payment("4200000009", "小鱼", "", Some("wmA"))],
        vec![user("111111", "深海鲸落"), user("222222", "山间明月")],
    );
    camp.earlier =
        EarlierLinks::new([earlier("4200000001", "c0", "wmA", "111111"), earlier("4200000002", "c2", "wmA", "222222")]);
    let o = camp.run();
    let l = link(&o, "4200000009");
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert!(card(&o, "4200000009").notes.iter().any(|n| n.contains("不同的星球用户")), "{:#?}", card(&o, "4200000009"));

    // Another camp linked 何志勇 to the member the export shows under that WeChat name, who does not
    // check in here; this camp's group nickname names 夜航船长, who does. The earlier link may have
    // been a namesake's mistake: it is not repeated.
    let mut camp = Camp::new(
        vec![payment("4200000009", "何志勇", "", Some("wmA"))],
        vec![
            PlanetUser {
                wechat_name: Some("何志勇".into()),
                number: Some("1003".into()),
                ..user("111111", "孤独的月亮")
            },
            user("222222", "夜航船长"),
        ],
    );
    camp.members = vec![member("wmA", "何志勇", Some("E组-夜航船长"))];
    camp.participants.retain(|p| p.as_str() != "111111");
    camp.earlier = EarlierLinks::new([earlier("4200000001", "c0", "wmA", "111111")]);
    let o = camp.run();
    let l = link(&o, "4200000009");
    assert_eq!(l.state, LinkState::Review, "{:#?} {:?}", l.reasons, l.planet_user_id);
    let c = card(&o, "4200000009");
    assert!(c.codes.contains(&ReasonCode::ContradictsEarlierLink), "{:?}", c.codes);
    let ids: Vec<&str> = c.candidates.iter().map(|c| c.planet_user_id.as_str()).collect();
    assert!(ids.contains(&"111111") && ids.contains(&"222222"), "{ids:?}");

    // Here another payer's remark names the member the earlier link points at: one of the two is wrong.
    let mut camp = Camp::new(
        vec![
            payment("4200000009", "小鱼", "", Some("wmA")),
            payment("4200000010", "阿成", "星球昵称：深海鲸落", Some("wmB")),
        ],
        vec![user("111111", "深海鲸落")],
    );
    camp.earlier = EarlierLinks::new([earlier("4200000001", "c0", "wmA", "111111")]);
    let o = camp.run();
    for txn in ["4200000009", "4200000010"] {
        assert_ne!(link(&o, txn).state, LinkState::Auto, "{txn}: {:#?}", link(&o, txn).reasons);
    }
    assert!(
        card(&o, "4200000009").codes.contains(&ReasonCode::ContradictsEarlierLink),
        "{:?}",
        card(&o, "4200000009").codes
    );
}

#[test]
fn a_common_personal_name_links_a_member_who_checks_in_and_joined_on_paying() {
    // 王伟 pays; a member called 王伟 (no exported WeChat name) joined the planet half an hour
    // later and checks in. Common enough that a stranger may carry it, but that stranger
    // would need a namesake who joined in those very minutes and checks in: that member.
    // (Three other 王 and three other 伟 among ninety two-character names.)
    let crowd: Vec<PlanetUser> = two_character_crowd()
        .into_iter()
        .filter(|u| {
            let (first, last) = (u.name.chars().next(), u.name.chars().last());
            (first != Some('王') || ["王芳", "王娜", "王敏"].contains(&u.name.as_str()))
                && (last != Some('伟') || ["李伟", "张伟", "刘伟"].contains(&u.name.as_str()))
        })
        .collect();
    let run = |member: PlanetUser| {
        let mut users = vec![member];
        users.extend(crowd.clone());
        let mut camp = Camp::new(vec![payment("4200000141", "王伟", "", Some("wmA"))], users);
        camp.participants.retain(|p| p.as_str().starts_with("9000000") || p.as_str() == "341");
        camp.run()
    };
    let fresh = PlanetUser { joined_planet_at: Some(ts("2025-10-10T12:30:00Z")), ..user("341", "王伟") };
    let o = run(fresh.clone());
    let l = link(&o, "4200000141");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);

    // Joined long before the payment: a person decides.
    let o = run(PlanetUser { joined_planet_at: Some(ts("2024-09-01T00:00:00Z")), ..fresh.clone() });
    assert_ne!(link(&o, "4200000141").state, LinkState::Auto, "{:#?}", link(&o, "4200000141").reasons);

    // 王伟 only as a former nickname: the member may have taken the name after another
    // payer's payment and paid under another WeChat name themselves. A person decides.
    let renamed = PlanetUser {
        name: "青柠仓鼠".to_string(),
        name_history: vec![NameChange { name: "王伟".to_string(), alias: None, until: ts("2025-10-15T00:00:00Z") }],
        ..fresh
    };
    let o = run(renamed);
    assert_ne!(link(&o, "4200000141").state, LinkState::Auto, "{:#?}", link(&o, "4200000141").reasons);
}

#[test]
fn a_rare_two_character_name_links_a_long_time_member_who_checks_in() {
    // 黎璐 pays, no remark, no export. A member called 黎璐 has been on the planet for a year
    // and checks in; neither 黎 nor 璐 occurs in the planet's two hundred other two-character
    // names. A stranger carrying the name would need a namesake on the planet who also
    // checks in: as unlikely as for a three-character name, and taking part corroborates it
    // as it does those.
    let run = |name: &str, checks_in: bool| {
        let mut users = vec![old_member("351", name, None)];
        users.extend(wide_two_character_crowd().into_iter().filter(|u| u.name != name));
        let mut camp = Camp::new(vec![payment("4200000151", name, "", Some("wmA"))], users);
        camp.participants.retain(|p| p.as_str().starts_with("9000000") || (checks_in && p.as_str() == "351"));
        camp.run()
    };
    let o = run("黎璐", true);
    let l = link(&o, "4200000151");
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("351"));
    assert!(l.reasons.iter().any(|r| r.contains("名称一致")), "{:#?}", l.reasons);

    // The same member not checking in: the name alone does not link.
    let o = run("黎璐", false);
    assert_ne!(link(&o, "4200000151").state, LinkState::Auto, "{:#?}", link(&o, "4200000151").reasons);

    // A common name (王伟, where 王 and 伟 recur among the others) checking in: a person decides.
    let o = run("王伟", true);
    assert_ne!(link(&o, "4200000151").state, LinkState::Auto, "{:#?}", link(&o, "4200000151").reasons);
    assert!(card(&o, "4200000151").codes.contains(&ReasonCode::CommonName), "{:?}", card(&o, "4200000151").codes);
}
