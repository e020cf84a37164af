//! The validated, typed configuration. Everything here has passed validation.

use std::path::PathBuf;

use jiff::SignedDuration;

use super::secret::SecretRef;
use crate::domain::{CampId, ChatId, CheckinId, Day, DayCutoff, DayRule, Money, RefundVia, StaffUserId};

/// The whole of camps.toml after validation.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The IANA name of the zone that defines camp days.
    pub timezone_name: String,
    /// Zone and global day cutoff.
    pub day_rule: DayRule,
    /// UI language.
    pub lang: Lang,
    /// Months after a camp closes before personal data is purged.
    pub retention_months: u32,
    /// Sync schedule.
    pub sync: SyncSettings,
    /// Knowledge Planet access.
    pub zsxq: Option<ZsxqSettings>,
    /// WeCom access.
    pub wecom: Option<WecomSettings>,
    /// WeChat Pay merchant access.
    pub wxpay: Option<WxpaySettings>,
    /// Template names, in file order.
    pub templates: Vec<String>,
    /// Camps, in file order, templates applied.
    pub camps: Vec<Camp>,
}

impl Config {
    /// The camp with `id`.
    pub fn camp(&self, id: &str) -> Option<&Camp> {
        self.camps.iter().find(|c| c.id.as_str() == id)
    }
}

/// UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

/// When the engine syncs.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncSettings {
    /// Local time of the daily sync (the owner's habit: after 01:00).
    pub daily_at: DayCutoff,
    /// Optional extra interval between syncs while a camp runs.
    pub interval: Option<SignedDuration>,
    /// Delay after a camp's last day ends before the final (freezing) sync.
    pub after_end: SignedDuration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            daily_at: DayCutoff::new(1, 0).unwrap_or_default(),
            interval: None,
            after_end: SignedDuration::from_mins(30),
        }
    }
}

/// `[zsxq]`: the planet and its token.
#[derive(Clone, Debug)]
pub struct ZsxqSettings {
    /// The planet's group_id.
    pub group_id: String,
    /// API base URL (the simulators override it).
    pub base_url: String,
    /// Access token (cookie `zsxq_access_token`).
    pub token: SecretRef,
    /// Pause between requests (jitter is added on top).
    pub pace: SignedDuration,
    /// Whether to sign requests with X-Signature (a correct signature or none).
    pub sign_requests: bool,
}

/// `[wecom]`: the corp and its self-built app.
#[derive(Clone, Debug)]
pub struct WecomSettings {
    /// Corp id.
    pub corp_id: String,
    /// API base URL.
    pub base_url: String,
    /// The app secret.
    pub secret: SecretRef,
    /// Group robot key for admin alerts.
    pub robot_key: Option<SecretRef>,
    /// App agent id, for app messages to admins.
    pub agent_id: Option<i64>,
    /// Admins' userids for app messages.
    pub admins: Vec<StaffUserId>,
}

/// `[wxpay]`: the merchant's WeChat Pay v3 credentials.
#[derive(Clone, Debug)]
pub struct WxpaySettings {
    /// Merchant number.
    pub mch_id: String,
    /// API base URL.
    pub base_url: String,
    /// The merchant API certificate's serial number.
    pub serial_no: String,
    /// Merchant private key (PKCS#8 PEM).
    pub private_key: SecretRef,
    /// WeChat Pay public key (PEM) that signs responses.
    pub platform_public_key: SecretRef,
    /// Its id (`PUB_KEY_ID_…`), matched against `Wechatpay-Serial`.
    pub platform_public_key_id: String,
    /// APIv3 key for notification decryption.
    pub api_v3_key: SecretRef,
    /// Notification URL, when refund notifications are wanted.
    pub notify_url: Option<String>,
    /// Automatic resends of a refund that failed without moving money, before an admin
    /// is told (the owner's policy: retry once).
    pub auto_retries: u32,
}

/// `wxpay.auto_retries` when camps.toml does not say.
pub const DEFAULT_AUTO_RETRIES: u32 = 1;

/// How much campdesk may do on its own for a camp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Automation {
    /// A human approves each refund (default).
    #[default]
    Semi,
    /// Clear passes approve themselves; everything else waits for a human.
    Auto,
    /// campdesk never pays; it produces the list.
    Manual,
}

impl Automation {
    /// The camps.toml spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Automation::Semi => "semi",
            Automation::Auto => "auto",
            Automation::Manual => "manual",
        }
    }
}

/// What happens to a member who left the camp's groups during the camp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LeftGroupPolicy {
    /// Hold the verdict for review (default).
    #[default]
    Review,
    /// Leaving changes nothing.
    Ignore,
    /// Leaving forfeits the deposit.
    Forfeit,
}

impl LeftGroupPolicy {
    /// The camps.toml spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LeftGroupPolicy::Review => "review",
            LeftGroupPolicy::Ignore => "ignore",
            LeftGroupPolicy::Forfeit => "forfeit",
        }
    }
}

/// One camp, with its template applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Camp {
    /// Stable id, e.g. `2510-xhs`.
    pub id: CampId,
    /// Display name.
    pub name: String,
    /// The template it inherits from.
    pub template: Option<String>,
    /// First camp day.
    pub start: Day,
    /// Last camp day.
    pub end: Day,
    /// Number of camp days (end − start + 1).
    pub days: u32,
    /// Days needed for the deposit back.
    pub required: u32,
    /// The deposit.
    pub deposit: Money,
    /// The zsxq check-in project.
    pub checkin_id: Option<CheckinId>,
    /// The camp's WeCom customer groups.
    pub group_chats: Vec<ChatId>,
    /// WeCom userid whose payment QR collects this camp's deposits.
    pub payee: Option<StaffUserId>,
    /// How refunds are paid.
    pub refund_via: RefundVia,
    /// Coaches (WeCom userids or names).
    pub coaches: Vec<String>,
    /// Volunteers.
    pub volunteers: Vec<String>,
    /// A member this many days or fewer below `required` is borderline.
    pub borderline_margin: u32,
    /// Approval automation.
    pub automation: Automation,
    /// How long after paying a member may still be outside every group.
    pub not_joined_grace: SignedDuration,
    /// After this long outside every group, a refund is proposed for review.
    pub not_joined_limit: SignedDuration,
    /// Policy for members who leave the groups mid-camp.
    pub left_group: LeftGroupPolicy,
    /// A late post within this many days counts for a missed day (0 = off).
    pub makeup_days: u32,
    /// Posts shorter than this go to review (None = the project's own minimum, if any).
    pub min_words: Option<u32>,
    /// Group QR image.
    pub group_qr: Option<PathBuf>,
    /// Poster image.
    pub poster: Option<PathBuf>,
    /// Approvals needed per refund (1, or 2 for the two-person rule).
    pub approvals: u8,
    /// A batch above this total asks for explicit confirmation.
    pub batch_cap: Option<Money>,
    /// Text the bill's description or remark must contain, when several camps share a payee.
    pub payment_keyword: Option<String>,
    /// Earliest payment time that counts for this camp (default: 30 days before start).
    pub enroll_start: Option<Day>,
    /// The camp's day cutoff (default: the global one).
    pub day_cutoff: DayCutoff,
}

impl Camp {
    /// The rule text as people say it: "7/10".
    pub fn rule(&self) -> String {
        format!("{}/{}", self.required, self.days)
    }

    /// The day rule for this camp (global zone, camp cutoff).
    pub fn day_rule(&self, global: &DayRule) -> DayRule {
        DayRule::new(global.tz.clone(), self.day_cutoff)
    }

    /// The first day payments count for this camp.
    pub fn enroll_from(&self) -> Day {
        self.enroll_start.unwrap_or_else(|| self.start.plus_days(-30))
    }
}
