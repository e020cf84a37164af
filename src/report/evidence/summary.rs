//! `summary.md`: the bundle in words, in Chinese, for someone who was not there.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{EvidenceData, MANIFEST};
use crate::domain::{Attribution, Day, MembershipEventKind};
use crate::matching::LinkState;
use crate::matching::decisions::{DecisionKind, DecisionScope};
use crate::report::tables::state_label;
use crate::rules::DayMark;

fn time(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// Text safe inside a markdown table cell.
fn cell(s: &str) -> String {
    let one = crate::text::single_line(s);
    let t = one.replace('|', "\\|");
    if t.trim().is_empty() { "（空）".to_string() } else { t }
}

fn attribution(a: &Attribution) -> String {
    match a {
        Attribution::Rules { notes } if notes.is_empty() => "按规则归属".to_string(),
        Attribution::Rules { notes } => format!("按规则归属（{}）", notes.join("；")),
        Attribution::Import => "导入文件时指定".to_string(),
        Attribution::Manual { by } => format!("{by} 手动指定"),
        Attribution::Unattributed { reason } => format!("未归属：{reason}"),
    }
}

fn link_state(s: LinkState) -> &'static str {
    match s {
        LinkState::Auto => "自动关联（证据充分）",
        LinkState::Confirmed => "人工确认",
        LinkState::Review => "待人工复核",
        LinkState::Unmatched => "未找到候选",
    }
}

/// Renders the summary; `page_files[i]` is the file of `data.pages[i]` (None when its body is gone).
pub(super) fn render(data: &EvidenceData, page_files: &[Option<String>], tz: &TimeZone, at: Timestamp) -> String {
    let mut s = String::new();
    let p = &data.payment;
    let who = data
        .planet_user
        .as_ref()
        .map(|u| u.display_name().to_string())
        .or_else(|| p.payer_name.clone())
        .unwrap_or_else(|| "（无名字）".to_string());
    let camp_name =
        data.camp.as_ref().map_or_else(|| "（未归属营期）".to_string(), |c| format!("{}（{}）", c.name, c.id));
    let _ = writeln!(s, "# 证据包：{} · {}\n", cell(&who), camp_name);
    let _ = writeln!(
        s,
        "本文件由 campdesk 于 {} 生成。所附 `pages/` 中的平台原始页面与当时抓取到的内容逐字节一致；\
         `{MANIFEST}` 列出本文件夹内每个文件的 SHA-256，可用 `sha256sum -c {MANIFEST}` 核对。\n",
        time(at, tz)
    );

    // Payment.
    let _ = writeln!(s, "## 付款\n");
    let _ = writeln!(s, "| 项目 | 内容 |\n|---|---|");
    let _ = writeln!(s, "| 交易单号 | {} |", p.transaction_id);
    if let Some(o) = &p.out_trade_no {
        let _ = writeln!(s, "| 商户订单号 | {} |", cell(o));
    }
    let _ = writeln!(s, "| 付款人（微信名） | {} |", cell(p.payer_name.as_deref().unwrap_or("")));
    let _ = writeln!(s, "| 备注 | {} |", cell(&p.remark));
    let _ = writeln!(s, "| 金额 | {} 元 |", p.amount);
    let _ = writeln!(s, "| 付款时间 | {} |", time(p.paid_at, tz));
    if let Some(d) = &p.description {
        let _ = writeln!(s, "| 商品说明 | {} |", cell(d));
    }
    if let Some(u) = &p.payee_userid {
        let _ = writeln!(s, "| 收款成员 | {u} |");
    }
    if let Some(e) = &p.payer_external_userid {
        let _ = writeln!(s, "| 付款人 external_userid | {e} |");
    }
    let _ = writeln!(s, "| 营期 | {} |", cell(&camp_name));
    let _ = writeln!(s, "| 归属依据 | {} |", cell(&attribution(&p.attribution)));
    let _ = writeln!(s, "| 来源页面 | {} |", p.source.raw_id);
    if !p.bill_refunds.is_empty() {
        let _ = writeln!(
            s,
            "\n账单上的退款：\n\n| 退款单号 | 金额 | 状态码 | 操作人 | 时间 | 备注 |\n|---|---|---|---|---|---|"
        );
        for b in &p.bill_refunds {
            let _ = writeln!(
                s,
                "| {} | {} 元 | {} | {} | {} | {} |",
                cell(&b.out_refund_no),
                b.amount,
                b.status,
                b.refund_userid.as_ref().map_or("", |u| u.as_str()),
                b.requested_at.map(|t| time(t, tz)).unwrap_or_default(),
                cell(b.comment.as_deref().unwrap_or(""))
            );
        }
    }

    // Identity.
    let _ = writeln!(s, "\n## 身份关联（谁是谁，为什么）\n");
    match &data.link {
        Some(l) => {
            let _ = writeln!(s, "- 状态：{}（得分 {:.1}）", link_state(l.state), l.score);
            if let Some(u) = &l.planet_user_id {
                let _ = writeln!(s, "- 星球用户：{u}");
            }
            if let Some(e) = &l.external_userid {
                let _ = writeln!(s, "- 企业微信客户：{e}");
            }
            for r in &l.reasons {
                let _ = writeln!(s, "- 依据：{}", cell(r));
            }
        }
        None => {
            let _ = writeln!(s, "- 尚无关联记录");
        }
    }
    if let Some(u) = &data.planet_user {
        let mut line = format!("\n星球用户 {}：昵称 {}", u.user_id, cell(&u.name));
        if let Some(a) = u.alias.as_deref().filter(|a| !a.trim().is_empty()) {
            line.push_str(&format!("，星球名片 {}", cell(a)));
        }
        if let Some(n) = &u.number {
            line.push_str(&format!("，成员编号 {n}"));
        }
        let _ = writeln!(s, "{line}\n");
        for h in &u.name_history {
            let _ = writeln!(s, "- 曾用名 {}（至 {}）", cell(&h.name), time(h.until, tz));
        }
    }
    for d in &data.decisions {
        let kind = match d.kind {
            DecisionKind::Must => "确认是同一人",
            DecisionKind::Cannot => "确认不是同一人",
        };
        let scope = match d.scope {
            DecisionScope::Payment => "仅此笔付款",
            DecisionScope::Person => "该付款人的所有付款",
        };
        let state = if d.is_active() { "有效" } else { "已被取代" };
        let _ = writeln!(
            s,
            "- 人工决定 {}：{} 于 {} {}（星球用户 {}，{scope}，{state}）{}",
            d.id,
            d.decided_by,
            time(d.decided_at, tz),
            kind,
            d.planet_user_id,
            d.note.as_deref().map(|n| format!("：{}", cell(n))).unwrap_or_default()
        );
    }

    // Groups.
    let _ = writeln!(s, "\n## 入群记录\n");
    if data.memberships.is_empty() {
        let _ = writeln!(s, "未在任何已同步的客户群中找到此人。");
    }
    for m in &data.memberships {
        let name = data.group_names.get(m.chat_id.as_str()).cloned().unwrap_or_else(|| m.chat_id.to_string());
        let joined = m.join_time.map_or_else(|| format!("首次见到 {}", time(m.first_seen, tz)), |t| time(t, tz));
        let left = m.left_at.map_or_else(|| "仍在群中".to_string(), |t| format!("{} 离开", time(t, tz)));
        let _ = writeln!(s, "- {}：{} 入群，{}（最后一次见到 {}）", cell(&name), joined, left, time(m.last_seen, tz));
    }
    for e in &data.events {
        let what = match e.kind {
            MembershipEventKind::Joined => "入群",
            MembershipEventKind::Left => "退群",
        };
        let _ = writeln!(s, "  - {} {} {}", time(e.at, tz), what, e.chat_id);
    }

    // Days.
    let _ = writeln!(s, "\n## 每日打卡\n");
    match (&data.camp, &data.verdict) {
        (Some(camp), Some(v)) => {
            let today = data.evaluation.as_ref().map(|e| e.today);
            let _ = writeln!(
                s,
                "营期 {} 至 {}，共 {} 天，要求 {} 天。统计于 {}。\n",
                camp.start,
                camp.end,
                camp.days,
                camp.required,
                data.evaluation.as_ref().map(|e| time(e.evaluated_at, tz)).unwrap_or_default()
            );
            let _ = writeln!(s, "| 日期 | 第几天 | 结果 | 发帖时间 | 帖子开头 |\n|---|---|---|---|---|");
            for (i, day) in camp.start.through(camp.end).enumerate() {
                let _ = writeln!(s, "{}", day_row(i + 1, day, v, today, tz));
            }
            let _ = writeln!(
                s,
                "\n计入 {} 天；未打卡 {} 天（{}）。",
                v.days.len(),
                v.missing_days.len(),
                if v.missing_days.is_empty() {
                    "无".to_string()
                } else {
                    v.missing_days.iter().map(ToString::to_string).collect::<Vec<_>>().join("、")
                }
            );
            if !v.ignored_posts.is_empty() {
                let _ = writeln!(s, "\n未计入的帖子：\n");
                for ip in &v.ignored_posts {
                    let _ = writeln!(
                        s,
                        "- {} {}（{}，帖子 {}）",
                        ip.day,
                        time(ip.posted_at, tz),
                        ip.why.text(),
                        ip.topic_id
                    );
                }
            }
        }
        (Some(_), None) => {
            let _ = writeln!(s, "此付款尚无判定（营期未评估）。");
        }
        (None, _) => {
            let _ = writeln!(s, "此付款未归属任何营期，没有打卡统计。");
        }
    }

    // Verdict.
    let _ = writeln!(s, "\n## 判定\n");
    match &data.verdict {
        Some(v) => {
            let _ = writeln!(s, "- 结果：**{}**（打卡 {}/{} 天）", v.verdict.label(), v.checkin_days, v.required_days);
            if v.computed != v.verdict {
                let _ = writeln!(s, "- 系统计算结果：{}", v.computed.label());
            }
            if let Some(o) = &v.applied_override {
                let _ = writeln!(s, "- 人工改判：{} 于 {}，理由：{}", o.by, time(o.at, tz), cell(&o.reason));
            }
            for r in &v.reasons {
                let _ = writeln!(s, "- {}", cell(r));
            }
            for a in &v.anomalies {
                let _ = writeln!(s, "- 异常：{}", cell(&a.message));
            }
            if let Some(r) = v.ranking_days {
                let _ = writeln!(s, "- 知识星球打卡排行榜显示累计 {r} 天（整个项目，按星球口径）");
            }
            if v.frozen {
                let digest = data.evaluation.as_ref().and_then(|e| e.frozen.as_ref()).map(|f| f.digest.clone());
                let _ = writeln!(s, "- 判定基于结营后冻结的数据快照（摘要 {}）", digest.unwrap_or_default());
            }
            if v.provisional {
                let _ = writeln!(s, "- 营期或补卡期尚未结束，结果可能变化");
            }
        }
        None => {
            let _ = writeln!(s, "尚无判定。");
        }
    }

    // Refunds.
    let _ = writeln!(s, "\n## 退款记录\n");
    if data.refunds.is_empty() {
        let _ = writeln!(s, "无退款记录。");
    }
    for r in &data.refunds {
        let _ = writeln!(
            s,
            "- 退款 {}（商户退款单号 {}）：{} 元，当前状态 **{}**{}",
            r.id,
            r.out_refund_no,
            r.amount(),
            state_label(r.state),
            r.stale.as_ref().map(|w| format!("（已失效：{w}）")).unwrap_or_default()
        );
        let _ = writeln!(s, "  - {} 提出：{}", time(r.created_at, tz), cell(&r.proposal.basis));
        for a in &r.approvals {
            let _ = writeln!(
                s,
                "  - {} {} 批准{}",
                time(a.at, tz),
                a.by,
                a.note.as_deref().map(|n| format!("：{}", cell(n))).unwrap_or_default()
            );
        }
        if let Some(d) = &r.rejection {
            let _ = writeln!(s, "  - {} {} 拒绝：{}", time(d.at, tz), d.by, cell(&d.text));
        }
        for a in &r.attempts {
            let _ = writeln!(
                s,
                "  - {} {} 提交执行{}",
                time(a.at, tz),
                a.by,
                a.outcome.as_deref().map(|o| format!("，结果：{}", cell(o))).unwrap_or_default()
            );
        }
        if let Some(t) = r.succeeded_at {
            let _ = writeln!(
                s,
                "  - {} 退款成功{}",
                time(t, tz),
                r.platform_refund_id.as_deref().map(|i| format!("（平台退款单号 {i}）")).unwrap_or_default()
            );
        }
        if let Some(d) = &r.settlement {
            let _ = writeln!(s, "  - {} {} 线下退款：{}", time(d.at, tz), d.by, cell(&d.text));
        }
    }

    // Audit.
    let _ = writeln!(s, "\n## 审计记录\n");
    if data.audit.is_empty() {
        let _ = writeln!(s, "无相关审计记录。");
    } else {
        let _ = writeln!(s, "| 序号 | 时间 | 操作人 | 操作 | 对象 | 详情 | 哈希 |\n|---|---|---|---|---|---|---|");
        for e in &data.audit {
            let details = if e.redacted { "（已按保留期限删除）".to_string() } else { e.details.to_string() };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                e.seq,
                time(e.at, tz),
                cell(&e.actor),
                e.action,
                e.subject,
                cell(&details),
                e.hash.get(..16).unwrap_or(&e.hash)
            );
        }
    }

    // Pages.
    let _ = writeln!(s, "\n## 平台原始页面\n");
    if data.pages.is_empty() {
        let _ = writeln!(s, "存档中没有提到此人的页面。");
    } else {
        let _ = writeln!(
            s,
            "同一内容被多次抓取时只保存一份文件，下表列出每一次抓取；“原始 SHA-256”是抓取时内容的哈希。\n\n\
             | 文件 | 来源 | 请求 | 抓取时间 | 原始 SHA-256 | 字节 | 涉及 |\n|---|---|---|---|---|---|---|"
        );
        for (page, file) in data.pages.iter().zip(page_files) {
            let file = match (&page.body, file) {
                (Ok(_), Some(f)) if page.rewritten.is_some() => {
                    format!("`{f}`（{}）", page.rewritten.as_deref().unwrap_or_default())
                }
                (Ok(_), Some(f)) => format!("`{f}`"),
                (Err(why), _) => format!("（内容已不可用：{}）", cell(why)),
                (Ok(_), None) => "（未写出）".to_string(),
            };
            for f in &page.fetches {
                let e = &f.entry;
                let _ = writeln!(
                    s,
                    "| {file} | {} | {} {} | {} | `{}` | {} | {} |",
                    e.source,
                    e.method,
                    cell(&e.url),
                    time(e.fetched_at, tz),
                    e.sha256,
                    e.len,
                    f.about.iter().copied().collect::<Vec<_>>().join("、")
                );
            }
        }
    }
    s
}

fn day_row(n: usize, day: Day, v: &crate::rules::Verdict, today: Option<Day>, tz: &TimeZone) -> String {
    match v.days.iter().find(|d| d.day == day) {
        Some(d) => {
            let mut what = match &d.mark {
                DayMark::Posted => "已打卡".to_string(),
                DayMark::Makeup { posted_on } => format!("补卡（{posted_on} 补）"),
                DayMark::Excused { reason, by } => format!("请假（{by}：{}）", cell(reason)),
            };
            if d.short {
                what.push_str("，字数不足待复核");
            }
            let words = match (&d.mark, &d.excerpt) {
                (DayMark::Excused { .. }, _) => "—".to_string(),
                (_, Some(e)) => cell(e),
                (_, None) => "（帖子无文字）".to_string(),
            };
            format!("| {day} | {n} | {what} | {} | {words} |", d.posted_at.map(|t| time(t, tz)).unwrap_or_default())
        }
        None if today.is_some_and(|t| day > t) => format!("| {day} | {n} | 未到 | | |"),
        None if v.planet_user_id.is_none() => format!("| {day} | {n} | 未打卡（未关联星球账号，无法统计） | | |"),
        None => format!("| {day} | {n} | 未打卡 | | |"),
    }
}
