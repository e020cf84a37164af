//! The three platforms and their endpoints, with the routing from method and path.

use std::fmt;

use axum::http::Method;
use serde::{Deserialize, Serialize};

/// A simulated platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Knowledge Planet (api.zsxq.com).
    Zsxq,
    /// WeCom (qyapi.weixin.qq.com).
    Wecom,
    /// WeChat Pay v3 (api.mch.weixin.qq.com).
    Wxpay,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 3] = [Platform::Zsxq, Platform::Wecom, Platform::Wxpay];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Zsxq => "zsxq",
            Platform::Wecom => "wecom",
            Platform::Wxpay => "wxpay",
        }
    }

    /// Reads a lower-case name.
    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An endpoint the simulators serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// E9 `GET /v2/groups/{gid}/checkins`.
    ZsxqCheckins,
    /// E10 `GET /v2/groups/{gid}/checkins/{cid}`.
    ZsxqCheckin,
    /// E11 `GET …/checkins/{cid}/statistics`.
    ZsxqStatistics,
    /// E12 `GET …/checkins/{cid}/statistics/daily`.
    ZsxqDaily,
    /// E13 `GET …/checkins/{cid}/ranking_list`.
    ZsxqRanking,
    /// E14 `GET …/checkins/{cid}/topics`.
    ZsxqTopics,
    /// E6 `GET /v2/groups/{gid}/members/{uid}/summary`.
    ZsxqMemberSummary,
    /// E4 `GET /v2/groups/{gid}/members` (owner/admin view).
    ZsxqMembers,
    /// `GET /cgi-bin/gettoken`.
    WecomGettoken,
    /// `POST /cgi-bin/externalpay/get_bill_list`.
    WecomBills,
    /// `POST /cgi-bin/externalcontact/groupchat/list`.
    WecomGroupList,
    /// `POST /cgi-bin/externalcontact/groupchat/get`.
    WecomGroupGet,
    /// `GET /cgi-bin/externalcontact/get`.
    WecomContact,
    /// `POST /cgi-bin/webhook/send?key=`.
    WecomWebhook,
    /// `POST /cgi-bin/message/send`.
    WecomMessage,
    /// `POST /v3/refund/domestic/refunds`.
    WxpayRefund,
    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    WxpayQuery,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 17] = [
        Endpoint::ZsxqCheckins,
        Endpoint::ZsxqCheckin,
        Endpoint::ZsxqStatistics,
        Endpoint::ZsxqDaily,
        Endpoint::ZsxqRanking,
        Endpoint::ZsxqTopics,
        Endpoint::ZsxqMemberSummary,
        Endpoint::ZsxqMembers,
        Endpoint::WecomGettoken,
        Endpoint::WecomBills,
        Endpoint::WecomGroupList,
        Endpoint::WecomGroupGet,
        Endpoint::WecomContact,
        Endpoint::WecomWebhook,
        Endpoint::WecomMessage,
        Endpoint::WxpayRefund,
        Endpoint::WxpayQuery,
    ];

    /// The platform serving it.
    pub fn platform(self) -> Platform {
        use Endpoint::*;
        match self {
            ZsxqCheckins | ZsxqCheckin | ZsxqStatistics | ZsxqDaily | ZsxqRanking | ZsxqTopics | ZsxqMemberSummary
            | ZsxqMembers => Platform::Zsxq,
            WecomGettoken | WecomBills | WecomGroupList | WecomGroupGet | WecomContact | WecomWebhook
            | WecomMessage => Platform::Wecom,
            WxpayRefund | WxpayQuery => Platform::Wxpay,
        }
    }

    /// The short name used in fault specs (`zsxq/ranking`).
    pub fn short_name(self) -> &'static str {
        use Endpoint::*;
        match self {
            ZsxqCheckins => "checkins",
            ZsxqCheckin => "checkin",
            ZsxqStatistics => "statistics",
            ZsxqDaily => "daily",
            ZsxqRanking => "ranking",
            ZsxqTopics => "topics",
            ZsxqMemberSummary => "summary",
            ZsxqMembers => "members",
            WecomGettoken => "gettoken",
            WecomBills => "bills",
            WecomGroupList => "groups",
            WecomGroupGet => "group",
            WecomContact => "contact",
            WecomWebhook => "webhook",
            WecomMessage => "message",
            WxpayRefund => "refund",
            WxpayQuery => "query",
        }
    }

    /// Finds `platform/short_name`.
    pub fn parse(platform: Platform, short: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.platform() == platform && e.short_name() == short)
    }

    /// Whether a call changes the world (faults then skip it entirely).
    pub fn is_write(self) -> bool {
        matches!(self, Endpoint::WecomWebhook | Endpoint::WecomMessage | Endpoint::WxpayRefund)
    }

    /// Whether it pages (a `repeat` fault serves the previous page again).
    pub fn is_paged(self) -> bool {
        matches!(
            self,
            Endpoint::ZsxqRanking
                | Endpoint::ZsxqTopics
                | Endpoint::ZsxqMembers
                | Endpoint::WecomBills
                | Endpoint::WecomGroupList
        )
    }

    /// The HTTP method it answers.
    pub fn method(self) -> Method {
        use Endpoint::*;
        match self {
            WecomBills | WecomGroupList | WecomGroupGet | WecomWebhook | WecomMessage | WxpayRefund => Method::POST,
            _ => Method::GET,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.platform(), self.short_name())
    }
}

/// Which endpoint `path` names on `platform` (ignoring the method), with the path's parameters.
pub fn route(platform: Platform, segments: &[String]) -> Option<(Endpoint, Vec<String>)> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let found = match (platform, s.as_slice()) {
        (Platform::Zsxq, ["v2", "groups", gid, "checkins"]) => (Endpoint::ZsxqCheckins, vec![*gid]),
        (Platform::Zsxq, ["v2", "groups", gid, "checkins", cid]) => (Endpoint::ZsxqCheckin, vec![*gid, *cid]),
        (Platform::Zsxq, ["v2", "groups", gid, "checkins", cid, "statistics"]) => {
            (Endpoint::ZsxqStatistics, vec![*gid, *cid])
        }
        (Platform::Zsxq, ["v2", "groups", gid, "checkins", cid, "statistics", "daily"]) => {
            (Endpoint::ZsxqDaily, vec![*gid, *cid])
        }
        (Platform::Zsxq, ["v2", "groups", gid, "checkins", cid, "ranking_list"]) => {
            (Endpoint::ZsxqRanking, vec![*gid, *cid])
        }
        (Platform::Zsxq, ["v2", "groups", gid, "checkins", cid, "topics"]) => (Endpoint::ZsxqTopics, vec![*gid, *cid]),
        (Platform::Zsxq, ["v2", "groups", gid, "members"]) => (Endpoint::ZsxqMembers, vec![*gid]),
        (Platform::Zsxq, ["v2", "groups", gid, "members", uid, "summary"]) => {
            (Endpoint::ZsxqMemberSummary, vec![*gid, *uid])
        }
        (Platform::Wecom, ["cgi-bin", "gettoken"]) => (Endpoint::WecomGettoken, vec![]),
        (Platform::Wecom, ["cgi-bin", "externalpay", "get_bill_list"]) => (Endpoint::WecomBills, vec![]),
        (Platform::Wecom, ["cgi-bin", "externalcontact", "groupchat", "list"]) => (Endpoint::WecomGroupList, vec![]),
        (Platform::Wecom, ["cgi-bin", "externalcontact", "groupchat", "get"]) => (Endpoint::WecomGroupGet, vec![]),
        (Platform::Wecom, ["cgi-bin", "externalcontact", "get"]) => (Endpoint::WecomContact, vec![]),
        (Platform::Wecom, ["cgi-bin", "webhook", "send"]) => (Endpoint::WecomWebhook, vec![]),
        (Platform::Wecom, ["cgi-bin", "message", "send"]) => (Endpoint::WecomMessage, vec![]),
        (Platform::Wxpay, ["v3", "refund", "domestic", "refunds"]) => (Endpoint::WxpayRefund, vec![]),
        (Platform::Wxpay, ["v3", "refund", "domestic", "refunds", no]) => (Endpoint::WxpayQuery, vec![*no]),
        _ => return None,
    };
    Some((found.0, found.1.into_iter().map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_routes_resolve() {
        for e in Endpoint::ALL {
            assert_eq!(Endpoint::parse(e.platform(), e.short_name()), Some(e), "{e}");
        }
        let seg = |p: &str| p.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            route(Platform::Zsxq, &seg("/v2/groups/1/checkins/2/ranking_list")),
            Some((Endpoint::ZsxqRanking, vec!["1".into(), "2".into()]))
        );
        assert_eq!(route(Platform::Wecom, &seg("/v2/groups/1/checkins")), None);
        assert_eq!(
            route(Platform::Wxpay, &seg("/v3/refund/domestic/refunds/R1")),
            Some((Endpoint::WxpayQuery, vec!["R1".into()]))
        );
    }
}
