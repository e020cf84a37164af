//! Every UI string, in Chinese (default) and English, in one table. Templates
//! use named placeholders (`{n}`) filled by [`fill`]. The glyphs used here are
//! all of unambiguous width (CJK brackets, ASCII), so `borders = "ascii"`
//! terminals draw them right.

use super::action::{ActionId, Context};
use super::model::{DayMark, ItemKind, LinkState, VerdictKind};
use crate::config::Lang;
use crate::domain::RefundState;

macro_rules! messages {
    ($($key:ident => ($zh:literal, $en:literal),)*) => {
        /// A UI string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg {
            $(
                #[doc = $en]
                $key,
            )*
        }

        impl Msg {
            /// Every message.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];
        }

        /// The text of `msg` in `lang`.
        pub fn tr(lang: Lang, msg: Msg) -> &'static str {
            match (msg, lang) {
                $(
                    (Msg::$key, Lang::Zh) => $zh,
                    (Msg::$key, Lang::En) => $en,
                )*
            }
        }
    };
}

messages! {
    AppTitle => ("campdesk 训练营工作台", "campdesk camp desk"),
    Scope => ("范围", "scope"),
    AllCamps => ("全部训练营", "All camps"),
    EngineInProcess => ("引擎: 本进程", "engine: in-process"),
    EngineAttached => ("引擎: 已连接 campdesk serve", "engine: attached to campdesk serve"),
    EngineFixture => ("界面样例数据 (非真实)", "UI fixture data (not real)"),
    PaneCamps => ("训练营", "Camps"),
    PaneReview => ("待匹配", "Unmatched"),
    PaneItems => ("边缘与异常", "Borderline & anomalies"),
    PaneRefunds => ("退款队列", "Refund queue"),
    PaneReports => ("报表", "Reports"),
    PanePerson => ("成员详情", "Person"),
    RptTotals => ("合计（{n} 个营）", "Total ({n} camps)"),
    RptJoined => ("入群", "joined"),
    RptCheckedIn => ("打卡过", "posted"),
    RptFailed => ("未达标", "failed"),
    RptUnlinked => ("未关联", "unlinked"),
    RptParticipation => ("参与率", "participation"),
    RptCompletion => ("完成率", "completion"),
    RptForfeited => ("没收", "forfeited"),
    RptPending => ("待定", "pending"),
    RptLedger => ("对账", "ledger"),
    RptBalanced => ("平", "ok"),
    RptDifference => ("差{diff}", "off {diff}"),
    RptCompletionChart => ("完成率 达标/付款", "Completion passed/paid"),
    RptCurveTitle => ("{name} 每日打卡人数", "{name}: check-ins per day"),
    RptCurveEmpty => ("还没有打卡数据", "no check-ins yet"),
    RptCurveMax => ("最多 {n} 人", "max {n}"),
    RptMoney => ("押金 {collected} = 已退 + 没收 + 待定 + 异常", "deposits {collected} = refunded + forfeited + pending + anomalies"),
    RptMoneyOk => ("对账平衡", "the ledger balances"),
    RptMoneyOff => ("对账差 {diff}（{n} 笔有误）", "ledger off by {diff} ({n} payments in error)"),
    RptRefunds => ("退款 按执行方与状态", "Refunds by executor and state"),
    RptNoRefunds => ("还没有退款", "no refunds yet"),
    RptRefundLine => ("{via} {state}{stale} {n} 笔 {amount}", "{via} {state}{stale} {n} × {amount}"),
    RptStale => ("(已失效)", " (stale)"),
    RptStaff => ("教练与志愿者", "Coaches and volunteers"),
    RptCoach => ("教练", "coach"),
    RptVolunteer => ("志愿者", "volunteer"),
    RptStaffLine => ("{role} {name}: {camps} 个营, 完成 {rate}", "{role} {name}: {camps} camps, completion {rate}"),
    NoPaymentForEvidence => ("此人没有付款记录，无法生成证据包", "no payment to build an evidence bundle for"),
    EvidenceLabel => ("证据包 {txn}", "evidence bundle {txn}"),
    Loading => ("加载中...", "loading..."),
    LoadFailed => ("加载失败: {err}", "load failed: {err}"),
    Empty => ("（无）", "(none)"),
    NoMatches => ("没有匹配「{q}」的条目", "nothing matches \"{q}\""),
    FilterLabel => ("筛选", "filter"),
    FilterEditing => ("筛选 (Enter 保留, Esc 清除)", "filter (Enter keeps, Esc clears)"),
    ColId => ("编号", "id"),
    ColName => ("名称", "name"),
    ColDates => ("日期", "dates"),
    ColRule => ("规则", "rule"),
    ColDay => ("进度", "day"),
    ColPaid => ("付款", "paid"),
    ColMembers => ("群成员", "members"),
    ColPassing => ("达标", "passing"),
    ColBorderline => ("边缘", "border"),
    ColAnomalies => ("异常", "anomal"),
    ColUnmatched => ("未匹配", "unmatched"),
    ColDeposits => ("押金", "deposits"),
    ColRefunded => ("已退", "refunded"),
    ColInFlight => ("退款中", "in flight"),
    ColPayer => ("付款人", "payer"),
    ColAmount => ("金额", "amount"),
    ColRemark => ("备注", "remark"),
    ColPaidAt => ("付款时间", "paid at"),
    ColState => ("状态", "state"),
    ColCamp => ("训练营", "camp"),
    ColPerson => ("姓名", "name"),
    ColReason => ("原因", "reason"),
    ColVia => ("方式", "via"),
    ColNote => ("执行备注", "executor"),
    ColUpdated => ("更新", "updated"),
    ColKind => ("类型", "kind"),
    ColDays => ("天数", "days"),
    PhaseUpcoming => ("{n} 天后开始", "starts in {n}d"),
    PhaseRunning => ("第 {day}/{days} 天", "day {day}/{days}"),
    PhaseEnded => ("已结束 {n} 天", "ended {n}d ago"),
    CampRuleLine => ("规则 {req}/{days} 天, 押金 ¥{deposit}, 退款方式 {via}", "rule {req}/{days} days, deposit ¥{deposit}, refunds via {via}"),
    CampCountsLine => ("付款 {paid}  群成员 {members}  达标 {passing}  边缘 {borderline}  异常 {anomalies}  未匹配 {unmatched}", "paid {paid}  members {members}  passing {passing}  borderline {borderline}  anomalies {anomalies}  unmatched {unmatched}"),
    LedgerLine => ("押金 ¥{deposits}  已退 ¥{refunded}  退款中 ¥{in_flight}  扣留 ¥{forfeited}", "deposits ¥{deposits}  refunded ¥{refunded}  in flight ¥{in_flight}  forfeited ¥{forfeited}"),
    SourcesLabel => ("数据源", "sources"),
    NoSourceTasks => ("没有同步任务", "no sync tasks"),
    AllCampsHint => ("{key} 选择训练营作为其他页面的范围", "{key} scopes the other panes to the camp"),
    TxId => ("交易单号", "transaction"),
    Why => ("待审原因", "why"),
    PlanetCandidates => ("星球用户候选", "planet user candidates"),
    MemberCandidates => ("群成员候选", "group member candidates"),
    RuledOut => ("已排除", "ruled out"),
    NoCandidates => ("没有候选", "no candidates"),
    Score => ("得分", "score"),
    CountedDays => ("已计 {c}/{r} 天", "counted {c}/{r} days"),
    Ranking => ("排行 #{rank}, 星球记 {days} 天", "ranking #{rank}, zsxq counts {days} days"),
    NotRanked => ("不在排行榜上", "not on the ranking list"),
    AtStake => ("金额 ¥{amount}", "amount ¥{amount}"),
    Decided => ("已决定: {d}", "decided: {d}"),
    DayLegend => ("o 已打卡  x 缺卡  e 请假  m 补卡  s 字数不足  . 未到", "o done  x missed  e excused  m made up  s too short  . to come"),
    EvidenceTitle => ("每日证据 ({left}/{right} 选日)", "evidence by day ({left}/{right} picks a day)"),
    StateAll => ("全部状态", "all states"),
    StateFilterLabel => ("状态", "state"),
    SelectedTotal => ("已选 {n} 笔 合计 ¥{total}", "{n} selected, total ¥{total}"),
    ListedTotal => ("列表 {n} 笔 合计 ¥{total}", "{n} listed, total ¥{total}"),
    Pending => ("处理中", "pending"),
    Approvals => ("批准 {got}/{need}", "approvals {got}/{need}"),
    SecPayments => ("付款", "Payments"),
    SecLinks => ("关联及依据", "Links and why"),
    SecGroup => ("群进出", "Group joins and leaves"),
    SecCalendar => ("打卡日历", "Check-in calendar"),
    SecVerdict => ("结论", "Verdict"),
    SecRefunds => ("退款记录", "Refund history"),
    SecAudit => ("审计记录", "Audit entries"),
    SecMessage => ("给成员的消息 ({key} 复制)", "Member message ({key} copies)"),
    Joined => ("入群", "joined"),
    Left => ("退群", "left"),
    Frozen => ("已冻结", "frozen"),
    PlanetUser => ("星球用户", "planet user"),
    GroupMember => ("群成员", "group member"),
    TaskRunning => ("运行中 第{page}{total}页 {records}条", "running page {page}{total}, {records} records"),
    TaskBackingOff => ("退避至 {until} (第{attempt}次: {reason})", "backing off until {until} (attempt {attempt}: {reason})"),
    TaskFailed => ("失败: {msg}", "failed: {msg}"),
    TaskDisabled => ("未启用: {reason}", "disabled: {reason}"),
    TaskQueued => ("已排队", "queued"),
    LastOk => ("上次成功 {age}前", "last ok {age} ago"),
    NeverOk => ("从未成功", "never succeeded"),
    NextRun => ("下次 {at}", "next {at}"),
    AlertsCount => ("告警 {n}", "alerts {n}"),
    AgeSeconds => ("{n}秒", "{n}s"),
    AgeMinutes => ("{n}分钟", "{n}m"),
    AgeHours => ("{n}小时", "{n}h"),
    AgeDays => ("{n}天", "{n}d"),
    NoTasks => ("没有同步任务", "no sync tasks"),
    HelpTitle => ("帮助: 按键 (输入以筛选, Esc 关闭)", "Help: keys (type to filter, Esc closes)"),
    HelpNoKey => ("(无按键, 用 : 调用)", "(no key, use :)"),
    PaletteTitle => ("命令 (Tab 补全, Enter 执行, Esc 关闭)", "Commands (Tab completes, Enter runs, Esc closes)"),
    PaletteScope => ("只看训练营: {camp}", "only camp: {camp}"),
    PaletteScopeAll => ("显示全部训练营", "show every camp"),
    PaletteState => ("退款队列只显示状态 {state}", "refund queue: only state {state}"),
    PaletteStateAll => ("退款队列显示全部状态", "refund queue: every state"),
    PaletteNotHere => ("(在{ctx}中)", "(in {ctx})"),
    Cancel => ("取消", "Cancel"),
    ConfirmButton => ("确认", "Confirm"),
    TypeToConfirm => ("输入 {n} 以确认: ", "type {n} to confirm: "),
    Irreversible => ("提交后不可撤销", "this cannot be undone"),
    UndoAvailable => ("之后可以按 u 撤销", "u can undo it afterwards"),
    ConfirmApprove => ("批准退款", "Approve refunds"),
    ConfirmRun => ("执行退款 (付款)", "Run refunds (pays out)"),
    ConfirmRetry => ("重试退款 (同一退款单号)", "Retry refunds (same out_refund_no)"),
    ConfirmSettle => ("标记为线下已结清", "Mark as settled offline"),
    CountOnly => ("{n} 笔", "{n} refund(s)"),
    CountTotal => ("{n} 笔, 合计 ¥{total}", "{n} refund(s), total ¥{total}"),
    CampsBreakdown => ("训练营: {list}", "camps: {list}"),
    SkippedRows => ("跳过 {n} 笔 (状态不是「{state}」)", "skipping {n} (not in state \"{state}\")"),
    HiddenSelected => ("其中 {n} 笔被筛选隐藏", "{n} of them hidden by the filter"),
    OverCap => ("超过批量上限 ¥{cap}", "above the batch cap ¥{cap}"),
    EvidenceLine => ("凭据: {text}", "evidence: {text}"),
    PromptRejectTitle => ("拒绝退款的原因 ({n} 笔)", "Reason for rejecting ({n} refunds)"),
    PromptPassTitle => ("判定达标的原因: {name}", "Reason to pass: {name}"),
    PromptFailTitle => ("判定未达标的原因: {name}", "Reason to fail: {name}"),
    PromptExcuseTitle => ("请假原因: {name} {day}", "Reason for leave: {name} {day}"),
    PromptSettleTitle => ("线下结清的凭据 ({n} 笔)", "Evidence of settling offline ({n} refunds)"),
    PromptHint => ("Enter 提交, Esc 取消", "Enter submits, Esc cancels"),
    ReasonRequired => ("必须填写原因", "a reason is required"),
    PickerTitle => ("搜索 {camp} 的全部星球用户 (Enter 关联)", "All planet users of {camp} (Enter links)"),
    CheckedIn => ("有打卡", "checked in"),
    SyncStatusTitle => ("同步任务与告警 (Esc 关闭)", "Sync tasks and alerts (Esc closes)"),
    MessagesTitle => ("消息记录 (Esc 关闭)", "Messages (Esc closes)"),
    Alerts => ("告警", "Alerts"),
    NoAlerts => ("没有告警", "no alerts"),
    NoMessages => ("没有消息", "no messages"),
    Copied => ("已复制 (OSC 52)", "copied (OSC 52)"),
    CopyFailed => ("复制失败: {err}", "copy failed: {err}"),
    NothingToCopy => ("没有可复制的成员消息", "no member message to copy"),
    NothingToUndo => ("没有可撤销的操作", "nothing to undo"),
    CannotUndo => ("「{label}」不可撤销 (钱已动); 再按 {key} 撤销更早的操作", "\"{label}\" cannot be undone (money moved); press {key} again for the one before"),
    UndoLabel => ("撤销: {label}", "undo: {label}"),
    Done => ("{label}: 完成", "{label}: done"),
    Failed => ("{label}: 失败: {err}", "{label}: failed: {err}"),
    Refused => ("{label}: {n} 笔未执行: {why}", "{label}: {n} not applied: {why}"),
    NothingEligible => ("没有可{verb}的退款: 所选 {n} 笔都不是「{state}」", "nothing to {verb}: none of the {n} chosen is \"{state}\""),
    NoRow => ("没有选中的行", "no row under the cursor"),
    ChooseCandidate => ("先用 l 进入候选列, 选中一位候选人", "move to the candidates with l and pick one first"),
    NoCamp => ("该付款没有归属训练营, 无法搜索", "the payment has no camp to search in"),
    OnlyMissedDays => ("只能为缺卡日请假", "leave can only excuse a missed day"),
    NotHere => ("「{action}」只能在{ctx}中使用", "\"{action}\" works in {ctx}"),
    UnknownCommand => ("未知命令: {cmd}", "unknown command: {cmd}"),
    UnknownCamp => ("没有训练营 {camp}", "no camp {camp}"),
    UnknownState => ("没有状态 {state}", "no state {state}"),
    ScopeSet => ("范围: {scope}", "scope: {scope}"),
    SyncQueued => ("同步", "sync"),
    NoLinks => ("没有关联", "no links"),
    UnlinkLabel => ("取消关联 {name}", "unlink {name}"),
    LinkLabel => ("关联 {name}", "link {name}"),
    RejectCandidateLabel => ("排除候选 {name}", "rule out {name}"),
    ErrorDismiss => ("(Esc 关闭)", "(Esc dismisses)"),
    VerbApprove => ("批准", "approve"),
    VerbReject => ("拒绝", "reject"),
    VerbRun => ("执行", "run"),
    VerbRetry => ("重试", "retry"),
    VerbSettle => ("线下结清", "settle"),
    LastCounts => ("上次: {pages} 页, {records} 条, {changed} 条有变化", "last run: {pages} pages, {records} records, {changed} changed"),
    SevInfo => ("提示", "info"),
    SevWarning => ("警告", "warning"),
    SevError => ("错误", "error"),
    ReviewDetail => ("付款与候选人", "payment and candidates"),
    SuspendFailed => ("无法挂起: {err}", "cannot suspend: {err}"),
    FixedKeys => ("固定按键", "Fixed keys"),
    FixedCtrlC => ("Ctrl-c            随时退出 (对话框和输入框中也可以)", "Ctrl-c            quit from anywhere (dialogs and fields too)"),
    FixedCtrlZ => ("Ctrl-z            挂起到 shell, 用 fg 恢复", "Ctrl-z            suspend to the shell; fg resumes"),
    FixedTextKeys => ("输入框中       Enter 确定, Esc 取消, Up/Down 选择, Tab 补全, Ctrl-w 删词", "in text fields    Enter submits, Esc cancels, Up/Down pick, Tab completes, Ctrl-w deletes a word"),
    Keyfile => ("按键文件有 {n} 条警告, 按 {key} 查看", "the keys file has {n} warning(s); {key} shows them"),
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `tr` then `fill`.
pub fn trf(lang: Lang, msg: Msg, args: &[(&str, &str)]) -> String {
    fill(tr(lang, msg), args)
}

/// What an action does, for help and the palette.
pub fn action_desc(lang: Lang, action: ActionId) -> &'static str {
    use ActionId::*;
    let (zh, en) = match action {
        Quit => ("退出", "quit"),
        Help => ("帮助: 全部按键", "help: every key"),
        Palette => ("命令面板", "command palette"),
        Filter => ("筛选当前列表 (支持拼音首字母)", "filter the list (pinyin initials work)"),
        NextPane => ("下一个页面", "next pane"),
        PrevPane => ("上一个页面", "previous pane"),
        PaneCamps => ("训练营页面", "Camps pane"),
        PaneReview => ("待匹配页面", "Unmatched pane"),
        PaneItems => ("边缘与异常页面", "Borderline & anomalies pane"),
        PaneRefunds => ("退款队列页面", "Refund queue pane"),
        PaneReports => ("报表页面", "Reports pane"),
        Up => ("上移", "move up"),
        Down => ("下移", "move down"),
        Top => ("到顶部", "go to top"),
        Bottom => ("到底部", "go to bottom"),
        HalfPageDown => ("下翻半页", "half page down"),
        HalfPageUp => ("上翻半页", "half page up"),
        PageDown => ("下翻一页", "page down"),
        PageUp => ("上翻一页", "page up"),
        Left => ("左: 卡片列 / 前一天 / 前一个关联", "left: cards / previous day / previous link"),
        Right => ("右: 候选列 / 后一天 / 后一个关联", "right: candidates / next day / next link"),
        Open => ("打开: 成员详情 / 选择训练营", "open: person detail / scope to camp"),
        Back => ("返回: 关闭窗口, 清除筛选或选择", "back: close, clear filter or selection"),
        ToggleSelect => ("选择/取消选择", "select / unselect"),
        SyncNow => ("立即同步 (当前范围)", "sync now (current scope)"),
        SyncStatus => ("同步任务与告警详情", "sync tasks and alerts in full"),
        Undo => ("撤销上一步可撤销的操作", "undo the last reversible action"),
        Copy => ("复制成员消息 (OSC 52)", "copy the member message (OSC 52)"),
        Messages => ("消息记录", "message log"),
        ScopeAll => ("显示全部训练营", "show every camp"),
        Refresh => ("重新加载并重画", "reload and redraw"),
        Link => ("关联所选候选人", "link the chosen candidate"),
        RejectCandidate => ("排除所选候选人", "rule the chosen candidate out"),
        SearchPlanet => ("搜索该营全部星球用户并关联", "search all planet users of the camp and link"),
        Pass => ("判定达标 (需原因)", "pass (with a reason)"),
        Fail => ("判定未达标 (需原因)", "fail (with a reason)"),
        Excuse => ("为所选日请假 (需原因)", "excuse the chosen day as leave (with a reason)"),
        SelectAll => ("全选/全不选当前列表", "select / unselect every listed row"),
        Approve => ("批准退款", "approve refunds"),
        Reject => ("拒绝退款 (需原因)", "reject refunds (with a reason)"),
        Run => ("执行已批准的退款", "run approved refunds"),
        Retry => ("重试失败的退款", "retry failed refunds"),
        SettleOffline => ("失败的退款标记为线下结清 (需凭据)", "settle failed refunds offline (with evidence)"),
        StateNext => ("下一个状态筛选", "next state filter"),
        StatePrev => ("上一个状态筛选", "previous state filter"),
        Unlink => ("取消所选关联", "unlink the chosen link"),
        Evidence => ("导出证据包到数据目录", "write the evidence bundle into the data dir"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A short label for the hint line.
pub fn action_short(lang: Lang, action: ActionId) -> &'static str {
    use ActionId::*;
    let (zh, en) = match action {
        Quit => ("退出", "quit"),
        Help => ("帮助", "help"),
        Palette => ("命令", "commands"),
        Filter => ("筛选", "filter"),
        NextPane => ("切换页面", "next pane"),
        Open => ("打开", "open"),
        Back => ("返回", "back"),
        ToggleSelect => ("选择", "select"),
        SelectAll => ("全选", "all"),
        SyncNow => ("同步", "sync"),
        SyncStatus => ("同步详情", "sync status"),
        Undo => ("撤销", "undo"),
        Copy => ("复制消息", "copy text"),
        Left => ("左", "left"),
        Right => ("右/候选", "candidates"),
        Link => ("关联", "link"),
        RejectCandidate => ("排除", "rule out"),
        SearchPlanet => ("搜索用户", "search users"),
        Pass => ("达标", "pass"),
        Fail => ("未达标", "fail"),
        Excuse => ("请假", "leave"),
        Approve => ("批准", "approve"),
        Reject => ("拒绝", "reject"),
        Run => ("执行", "run"),
        Retry => ("重试", "retry"),
        SettleOffline => ("线下结清", "settle"),
        StateNext => ("状态", "state"),
        Unlink => ("取消关联", "unlink"),
        Evidence => ("证据包", "evidence"),
        _ => return action_desc(lang, action),
    };
    pick(lang, zh, en)
}

/// A context's name, for help sections and "works in …" messages.
pub fn context_name(lang: Lang, ctx: Context) -> &'static str {
    let (zh, en) = match ctx {
        Context::Global => ("全局", "everywhere"),
        Context::Camps => ("训练营页面", "the Camps pane"),
        Context::Review => ("待匹配页面", "the Unmatched pane"),
        Context::Items => ("边缘与异常页面", "the Borderline & anomalies pane"),
        Context::Refunds => ("退款队列", "the refund queue"),
        Context::Reports => ("报表页面", "the Reports pane"),
        Context::Person => ("成员详情", "the person page"),
    };
    pick(lang, zh, en)
}

/// A refund state's name.
pub fn state_name(lang: Lang, state: RefundState) -> &'static str {
    let (zh, en) = match state {
        RefundState::Proposed => ("待审", "proposed"),
        RefundState::Approved => ("已批准", "approved"),
        RefundState::Rejected => ("已拒绝", "rejected"),
        RefundState::Submitted => ("已提交", "submitted"),
        RefundState::Succeeded => ("已成功", "succeeded"),
        RefundState::Failed => ("失败", "failed"),
        RefundState::SettledOffline => ("线下已结", "settled offline"),
    };
    pick(lang, zh, en)
}

/// An item kind's name.
pub fn kind_name(lang: Lang, kind: &ItemKind) -> String {
    let (zh, en) = match kind {
        ItemKind::Borderline => ("边缘", "borderline"),
        ItemKind::DuplicatePayment => ("重复付款", "duplicate payment"),
        ItemKind::WrongAmount => ("金额不符", "wrong amount"),
        ItemKind::OutsideWindow => ("时间窗外", "outside window"),
        ItemKind::NotJoined => ("未入群", "not in group"),
        ItemKind::LeftGroup => ("中途退群", "left group"),
        ItemKind::NeverPaid => ("未付款", "never paid"),
        ItemKind::LeftPlanet => ("退出星球", "left planet"),
        ItemKind::CountMismatch => ("天数不符", "count differs"),
        ItemKind::ShortPosts => ("字数不足", "short posts"),
        ItemKind::Other(label) => return label.clone(),
    };
    pick(lang, zh, en).to_string()
}

/// A day mark's name.
pub fn day_mark_name(lang: Lang, mark: DayMark) -> &'static str {
    let (zh, en) = match mark {
        DayMark::Done => ("已打卡", "done"),
        DayMark::Missed => ("缺卡", "missed"),
        DayMark::Excused => ("请假", "excused"),
        DayMark::MadeUp => ("补卡", "made up"),
        DayMark::Short => ("字数不足", "too short"),
        DayMark::Future => ("未到", "to come"),
    };
    pick(lang, zh, en)
}

/// A verdict's name.
pub fn verdict_name(lang: Lang, kind: VerdictKind) -> &'static str {
    let (zh, en) = match kind {
        VerdictKind::Pass => ("达标", "pass"),
        VerdictKind::Borderline => ("边缘", "borderline"),
        VerdictKind::Fail => ("未达标", "fail"),
        VerdictKind::Unlinked => ("未关联, 无法计数", "unlinked, cannot count"),
    };
    pick(lang, zh, en)
}

/// A link state's name.
pub fn link_state_name(lang: Lang, state: LinkState) -> &'static str {
    let (zh, en) = match state {
        LinkState::Auto => ("自动", "auto"),
        LinkState::Confirmed => ("已确认", "confirmed"),
        LinkState::Review => ("待审", "review"),
        LinkState::Unmatched => ("未匹配", "unmatched"),
    };
    pick(lang, zh, en)
}

/// A decision's name.
pub fn decision_name(lang: Lang, d: &super::model::ItemDecision) -> String {
    match d {
        super::model::ItemDecision::Pass => pick(lang, "达标", "pass").to_string(),
        super::model::ItemDecision::Fail => pick(lang, "未达标", "fail").to_string(),
        super::model::ItemDecision::Excuse { day } => format!("{} {day}", pick(lang, "请假", "leave")),
    }
}

/// A weekday's short name, Monday = 0.
pub fn weekday_name(lang: Lang, monday_zero: i8) -> &'static str {
    let i = usize::try_from(monday_zero.rem_euclid(7)).unwrap_or(0);
    match lang {
        Lang::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(fill("{n} 笔, 合计 ¥{total}", &[("n", "3"), ("total", "117.00")]), "3 笔, 合计 ¥117.00");
        assert_eq!(fill("{missing} {", &[]), "{missing} {");
    }

    #[test]
    fn both_languages_have_every_message_and_the_same_placeholders() {
        let holes = |s: &str| {
            let mut v: Vec<String> =
                s.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(k, _)| k.to_string()).collect();
            v.sort();
            v
        };
        for &m in Msg::ALL {
            let zh = tr(Lang::Zh, m);
            let en = tr(Lang::En, m);
            assert!(!zh.is_empty() && !en.is_empty(), "{m:?}");
            assert_eq!(holes(zh), holes(en), "{m:?}");
        }
        for &a in ActionId::ALL {
            assert_ne!(action_desc(Lang::Zh, a), action_desc(Lang::En, a), "{a:?}");
        }
    }
}
