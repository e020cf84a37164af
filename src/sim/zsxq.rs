//! The Knowledge Planet simulator: check-in projects (E9, E10), statistics (E11, E12), the
//! ranking list (E13), check-in topics (E14), the member list (E4, owner/admin tokens only)
//! and the member summary (E6), in the wire format of `reference/zsxq-api.md`.
//!
//! Quirks kept on purpose: HTTP 200 with `{"succeeded":false,"code",…}` for business errors;
//! HTTP 401 for a missing or dead token; a wrong `x-signature` answers 1059, a missing one is
//! fine; `x-expire-in` on every authenticated answer; ids as JSON numbers (topic ids beyond
//! 2^53) plus the `topic_uid` string; times as `YYYY-MM-DDTHH:MM:SS.mmm+0800`; avatar URLs
//! whose `token` changes on every answer; ranking pages of 21 with `user_specific` on page one.

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde_json::{Value, json};
use sha1::Digest as _;

use super::endpoint::Endpoint;
use super::http::{SimRequest, SimResponse};
use super::world::World;
use super::world::planet::{
    MemberScope, MemberSort, MembersQuery, PlanetUser, Project, ProjectKind, ProjectStatus, Topic, member_update_time,
};
use crate::domain::time::{format_zsxq_time, parse_zsxq_time};

/// Ranking page size.
pub const RANKING_PAGE: usize = 21;
/// Largest `count` for check-in topics.
pub const TOPICS_MAX_COUNT: usize = 20;
/// Largest `count` for the project list.
pub const CHECKINS_MAX_COUNT: usize = 100;
/// Largest `count` for the member list.
pub const MEMBERS_MAX_COUNT: usize = 200;
/// Comments a topic in a list embeds (`show_comments`).
pub const SHOWN_COMMENTS: usize = 8;
/// `expired_time` of a membership that never ends (owner, partners).
pub const NEVER_EXPIRES: &str = "2286-11-21T01:46:39.999+0800";

static MARKUP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<e [^>]*/>").unwrap_or_else(|_| unreachable!()));

/// Characters of a post that count towards `min_words_count`: markup removed, whitespace not counted.
pub fn visible_chars(text: &str) -> usize {
    if !text.contains("<e ") {
        return text.chars().filter(|c| !c.is_whitespace()).count();
    }
    MARKUP.replace_all(text, "").chars().filter(|c| !c.is_whitespace()).count()
}

/// `{"succeeded":false,…}` with HTTP 200.
pub fn business_error(code: i64, error: &str) -> SimResponse {
    SimResponse::json(200, &json!({"succeeded": false, "code": code, "info": "", "resp_data": {}, "error": error}))
}

/// HTTP 401 with the same envelope (token missing, wrong or expired).
pub fn unauthorized() -> SimResponse {
    SimResponse::json(
        401,
        &json!({"succeeded": false, "code": 401, "info": "", "resp_data": {}, "error": "未登录或登录已过期，请重新登录"}),
    )
}

/// The error text zsxq uses for a code, for injected faults.
pub fn error_text(code: i64) -> &'static str {
    match code {
        1059 => "内部错误",
        401 => "未登录或登录已过期，请重新登录",
        14210 => "会员已过期",
        14001 => "无效的count",
        1004 => "缺少必要参数",
        1007 => "主题不存在或已被删除",
        1030 => "没有权限",
        52010 => "未报名参加该打卡任务",
        _ => "内部错误",
    }
}

fn ok(resp_data: Value) -> SimResponse {
    SimResponse::json(200, &json!({"succeeded": true, "resp_data": resp_data}))
}

/// Who a request is, or the answer that refuses it.
pub struct Caller {
    /// The token's user.
    pub user_id: u64,
    /// Seconds of token life left.
    pub expire_in: i64,
}

/// Checks the token and, when present, the signature.
pub fn authenticate(world: &World, now: Timestamp, req: &SimRequest) -> Result<Caller, SimResponse> {
    let token = req.cookie("zsxq_access_token").or_else(|| req.header("authorization").map(|s| s.trim().to_string()));
    let Some(token) = token.filter(|t| !t.is_empty()) else { return Err(unauthorized()) };
    let Some(t) = world.planet.token(&token) else { return Err(unauthorized()) };
    if t.expires_at <= now {
        return Err(unauthorized());
    }
    let expire_in = t.expires_at.as_second() - now.as_second();
    if let Some(sig) = req.header("x-signature") {
        let ts = req.header("x-timestamp").unwrap_or("");
        let id = req.header("x-request-id").unwrap_or("");
        let expected = crate::crypto::zsxq_signature(&req.full_url(), ts, id);
        if !sig.trim().eq_ignore_ascii_case(&expected) {
            return Err(business_error(1059, "内部错误").with_header("x-expire-in", expire_in.to_string()));
        }
    }
    Ok(Caller { user_id: t.user_id, expire_in })
}

/// Serves one zsxq request. `data` carries the query to answer (the previous page's for a
/// `repeat` fault); `req` is what was actually received (authentication uses it).
pub fn handle(
    world: &mut World,
    now: Timestamp,
    endpoint: Endpoint,
    params: &[String],
    req: &SimRequest,
    data: &SimRequest,
    request_no: u64,
) -> SimResponse {
    let caller = match authenticate(world, now, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let expire = caller.expire_in.to_string();
    let r = World::zsxq_dispatch(world, now, endpoint, params, data, &caller, request_no);
    r.with_header("x-expire-in", expire)
}

impl World {
    fn zsxq_dispatch(
        &mut self,
        now: Timestamp,
        endpoint: Endpoint,
        params: &[String],
        req: &SimRequest,
        caller: &Caller,
        request_no: u64,
    ) -> SimResponse {
        if req.method != axum::http::Method::GET {
            return SimResponse::empty(405);
        }
        if params.first().and_then(|g| g.parse::<u64>().ok()) != Some(self.planet.group_id) {
            return business_error(1030, "没有权限访问该星球");
        }
        let r = Render { world: self, now, request_no };
        match endpoint {
            Endpoint::ZsxqCheckins => r.checkins(req, caller),
            Endpoint::ZsxqMemberSummary => r.member_summary(&params[1]),
            Endpoint::ZsxqMembers => r.members(req, caller),
            _ => {
                let Some(cid) = params.get(1).and_then(|c| c.parse::<u64>().ok()) else {
                    return business_error(1007, "打卡项目不存在或已被删除");
                };
                if !self.planet.project(cid).is_some_and(|p| p.exists_at(now)) {
                    return business_error(1007, "打卡项目不存在或已被删除");
                }
                match endpoint {
                    Endpoint::ZsxqCheckin => Render { world: self, now, request_no }.checkin_detail(cid, caller),
                    Endpoint::ZsxqStatistics => Render { world: self, now, request_no }.statistics(cid),
                    Endpoint::ZsxqDaily => Render { world: self, now, request_no }.daily(cid, req),
                    Endpoint::ZsxqTopics => Render { world: self, now, request_no }.topics(cid, req),
                    Endpoint::ZsxqRanking => self.ranking(now, cid, req, caller, request_no),
                    _ => SimResponse::empty(404),
                }
            }
        }
    }

    fn ranking(&mut self, now: Timestamp, cid: u64, req: &SimRequest, caller: &Caller, request_no: u64) -> SimResponse {
        let kind = match req.query_param("type").as_deref() {
            Some("accumulated") => ProjectKind::Accumulated,
            Some("continuous") => ProjectKind::Continuous,
            _ => return business_error(1004, "缺少必要参数type"),
        };
        let index = match req.query_param("index") {
            None => 0,
            Some(s) if s.is_empty() => 0,
            Some(s) => match s.parse::<u32>() {
                Ok(i) => i,
                Err(_) => return business_error(1004, "参数index错误"),
            },
        };
        let today = crate::sim::clock::shanghai_days().day_of(now);
        let Some(project) = self.planet.project_mut(cid) else {
            return business_error(1007, "打卡项目不存在或已被删除");
        };
        let rows = project.ranking(kind, today).to_vec();
        let start = rows.partition_point(|r| r.rank <= index);
        let page = &rows[start..rows.len().min(start + RANKING_PAGE)];
        let r = Render { world: self, now, request_no };
        let list: Vec<Value> = page
            .iter()
            .map(|row| json!({"user": r.ranking_user(row.user_id), "rankings": row.rank, "checkined_days": row.days}))
            .collect();
        let mut data = json!({"ranking_list": list});
        if index == 0 {
            let mine = rows.iter().find(|row| row.user_id == caller.user_id);
            data["user_specific"] = json!({
                "user": r.ranking_user(caller.user_id),
                "rankings": mine.map_or(0, |m| m.rank),
                "checkined_days": mine.map_or(0, |m| m.days),
            });
        }
        ok(data)
    }
}

struct Render<'w> {
    world: &'w World,
    now: Timestamp,
    request_no: u64,
}

impl Render<'_> {
    fn avatar(&self, user_id: u64) -> String {
        let mut h = sha1::Sha1::new();
        h.update(user_id.to_be_bytes());
        let path = hex::encode(&h.clone().finalize()[..12]);
        h.update(self.request_no.to_be_bytes());
        let token = hex::encode(&h.finalize()[..10]);
        let e = self.now.as_second() / 3600 * 3600 + 86_400;
        format!("https://images.zsxq.com/{path}?e={e}&token={token}")
    }

    fn user_name(&self, user_id: u64) -> (String, String) {
        self.world.planet.user(user_id).map(|u| (u.name.clone(), u.alias.clone())).unwrap_or_default()
    }

    fn ranking_user(&self, user_id: u64) -> Value {
        let (name, alias) = self.user_name(user_id);
        json!({"user_id": user_id, "name": name, "alias": alias, "avatar_url": self.avatar(user_id)})
    }

    fn owner(&self, user_id: u64) -> Value {
        let (name, alias) = self.user_name(user_id);
        let mut v = json!({"user_id": user_id, "name": name, "alias": alias, "avatar_url": self.avatar(user_id)});
        if let Some(d) = self.world.planet.user(user_id).and_then(|u| u.description.clone()) {
            v["description"] = Value::String(d);
        }
        v
    }

    fn topic_owner(&self, user_id: u64) -> Value {
        let u = self.world.planet.user(user_id);
        let mut v = json!({
            "user_id": user_id,
            "name": u.map(|u| u.name.clone()).unwrap_or_default(),
            "avatar_url": self.avatar(user_id),
        });
        if let Some(u) = u {
            if !u.alias.is_empty() {
                v["alias"] = Value::String(u.alias.clone());
            }
            if let Some(l) = &u.location {
                v["location"] = Value::String(l.clone());
            }
        }
        v
    }

    fn group(&self) -> Value {
        let p = &self.world.planet;
        json!({
            "group_id": p.group_id,
            "name": p.name,
            "background_url": format!("https://images.zsxq.com/bg{}?e={}&token=g{}", p.group_id % 997, self.now.as_second() / 3600 * 3600 + 86_400, self.request_no),
        })
    }

    fn checkin(&self, p: &Project, caller: Option<&Caller>) -> Value {
        let s = &p.spec;
        let today = crate::sim::clock::shanghai_days().day_of(self.now);
        let joined_users: Vec<Value> =
            p.joined().iter().take(5).map(|u| json!({"avatar_url": self.avatar(*u)})).collect();
        let stats = json!({
            "joined_count": p.joined().len(),
            "completed_count": p.completed_count(),
            "today_checkined_count": p.checkined_on(today),
        });
        json!({
            "checkin_id": s.checkin_id,
            "group": self.group(),
            "owner": self.owner(s.owner_user_id),
            "title": s.title,
            "text": s.text,
            "checkin_days": s.checkin_days,
            "validity": match s.expiration {
                Some(e) => json!({"long_period": false, "expiration_time": format_zsxq_time(e)}),
                None => json!({"long_period": true, "expiration_time": ""}),
            },
            "show_topics_on_timeline": s.show_topics_on_timeline,
            "create_time": format_zsxq_time(s.create_time),
            "status": p.status(self.now).as_str(),
            "type": s.kind.as_str(),
            "joined_count": p.joined().len(),
            "statistics": stats,
            "joined_users": joined_users,
            "user_specific": {"joined": caller.is_some_and(|c| p.joined().contains(&c.user_id))},
            "min_words_count": s.min_words_count,
        })
    }

    fn checkins(&self, req: &SimRequest, caller: &Caller) -> SimResponse {
        let scope = match req.query_param("scope").as_deref() {
            Some("ongoing") => ProjectStatus::Ongoing,
            Some("over") => ProjectStatus::Over,
            Some("closed") => ProjectStatus::Closed,
            _ => return business_error(1004, "缺少必要参数scope"),
        };
        let count = match count_param(req, 30, CHECKINS_MAX_COUNT) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let mut projects: Vec<&Project> = self
            .world
            .planet
            .projects()
            .values()
            .filter(|p| p.exists_at(self.now) && p.status(self.now) == scope)
            .collect();
        projects.sort_by(|a, b| {
            b.spec.create_time.cmp(&a.spec.create_time).then(b.spec.checkin_id.cmp(&a.spec.checkin_id))
        });
        let list: Vec<Value> = projects.into_iter().take(count).map(|p| self.checkin(p, Some(caller))).collect();
        ok(json!({"checkins": list}))
    }

    fn checkin_detail(&self, cid: u64, caller: &Caller) -> SimResponse {
        let Some(p) = self.world.planet.project(cid) else {
            return business_error(1007, "打卡项目不存在或已被删除");
        };
        ok(
            json!({"is_valid_member": true, "checkin": self.checkin(p, Some(caller)), "group": {"name": self.world.planet.name}}),
        )
    }

    fn statistics(&self, cid: u64) -> SimResponse {
        let Some(p) = self.world.planet.project(cid) else {
            return business_error(1007, "打卡项目不存在或已被删除");
        };
        let checkined: usize = p.joined().iter().filter_map(|u| p.days_of(*u)).map(|d| d.len()).sum();
        let avatars: Vec<Value> = p.joined().iter().take(6).map(|u| json!({"avatar_url": self.avatar(*u)})).collect();
        ok(json!({"statistics": {
            "joined_count": p.joined().len(),
            "completed_count": p.completed_count(),
            "checkined_count": checkined,
            "ranking_list": avatars,
        }}))
    }

    fn daily(&self, cid: u64, req: &SimRequest) -> SimResponse {
        let Some(p) = self.world.planet.project(cid) else {
            return business_error(1007, "打卡项目不存在或已被删除");
        };
        let Some(date) = req.query_param("date").and_then(|d| parse_zsxq_time(&d).ok()) else {
            return business_error(1004, "缺少必要参数date");
        };
        ok(json!({"checkined_count": p.checkined_on(crate::sim::clock::shanghai_days().day_of(date))}))
    }

    fn topics(&self, cid: u64, req: &SimRequest) -> SimResponse {
        let Some(p) = self.world.planet.project(cid) else {
            return business_error(1007, "打卡项目不存在或已被删除");
        };
        let count = match count_param(req, TOPICS_MAX_COUNT, TOPICS_MAX_COUNT) {
            Ok(c) => c,
            Err(r) => return r,
        };
        match req.query_param("scope").as_deref() {
            None | Some("all") => {}
            Some(_) => return business_error(1004, "参数scope错误"),
        }
        let end = match req.query_param("end_time") {
            None => None,
            Some(t) => match parse_zsxq_time(&t) {
                Ok(t) => Some(t),
                Err(_) => return business_error(1004, "参数end_time错误"),
            },
        };
        let topics: Vec<Value> = p.page_before(end, count).into_iter().map(|t| self.topic(p, t)).collect();
        ok(json!({"topics": topics}))
    }

    fn topic(&self, p: &Project, t: &Topic) -> Value {
        let mut talk = json!({"owner": self.topic_owner(t.user_id), "text": t.text});
        if t.images > 0 {
            let images: Vec<Value> = (0..u64::from(t.images))
                .map(|i| {
                    let id = t.topic_id % 1_000_000_000 * 10 + i;
                    let url = |size: &str| {
                        format!(
                            "https://images.zsxq.com/{id}{size}?e={}&token=i{}",
                            self.now.as_second() / 3600 * 3600 + 86_400,
                            self.request_no
                        )
                    };
                    json!({
                        "image_id": id,
                        "type": "jpg",
                        "thumbnail": {"url": url("t"), "width": 380, "height": 500},
                        "large": {"url": url("l"), "width": 800, "height": 1053},
                        "original": {"url": url("o"), "width": 1080, "height": 1421, "size": 120_000 + i * 731},
                    })
                })
                .collect();
            talk["images"] = Value::Array(images);
        }
        json!({
            "topic_id": t.topic_id,
            "topic_uid": t.topic_id.to_string(),
            "group": {"group_id": self.world.planet.group_id, "name": self.world.planet.name, "type": "pay"},
            "type": "talk",
            "talk": talk,
            "likes_count": t.likes,
            "tourist_likes_count": 0,
            "rewards_count": 0,
            "comments_count": t.comments.len(),
            // zsxq embeds the first few comments in the list (E21 pages the rest).
            "show_comments": t.comments.iter().take(SHOWN_COMMENTS).map(|c| json!({
                "comment_id": c.comment_id,
                "create_time": format_zsxq_time(c.create_time),
                "owner": self.topic_owner(c.user_id),
                "text": c.text,
                "likes_count": 0,
            })).collect::<Vec<_>>(),
            "reading_count": t.readers + t.readers / 3,
            "readers_count": t.readers,
            "digested": false,
            "sticky": false,
            "create_time": format_zsxq_time(t.create_time),
            "user_specific": {"liked": false, "liked_emojis": [], "subscribed": false},
            "checkin": {"title": p.spec.title, "checkin_id": p.spec.checkin_id, "min_words_count": p.spec.min_words_count},
            "title": snippet(&t.text),
        })
    }

    /// E4: the member list, for the owner and admins only.
    fn members(&self, req: &SimRequest, caller: &Caller) -> SimResponse {
        if !self.world.planet.is_admin(caller.user_id) {
            return business_error(1030, "没有权限");
        }
        let query = match members_query(req) {
            Ok(Some(q)) => q,
            Ok(None) => return ok(json!({"members": []})),
            Err(r) => return r,
        };
        let list: Vec<Value> =
            self.world.planet.members_page(&query, self.now).into_iter().map(|u| self.member(u)).collect();
        ok(json!({"members": list}))
    }

    /// A member as E4/E5/E6 show it to the owner and admins.
    fn member(&self, u: &PlanetUser) -> Value {
        let expired = match u.expired_time {
            Some(t) => format_zsxq_time(t),
            None => NEVER_EXPIRES.to_string(),
        };
        let mut member = json!({
            "group_id": self.world.planet.group_id,
            "user_id": u.user_id,
            "name": u.name,
            "avatar_url": self.avatar(u.user_id),
            "number": u.number,
            "join_time": format_zsxq_time(u.join_time),
            "update_time": format_zsxq_time(member_update_time(u, self.now)),
            "expired_time": expired,
            "isolated": false,
            "status": if u.exited_at.is_some_and(|e| e <= self.now) { "exited" } else { "joined" },
        });
        if !u.alias.is_empty() {
            member["alias"] = Value::String(u.alias.clone());
        }
        if let Some(d) = &u.description {
            member["description"] = Value::String(d.clone());
        }
        if let Some(l) = &u.location {
            member["location"] = Value::String(l.clone());
        }
        member
    }

    fn member_summary(&self, uid: &str) -> SimResponse {
        let Some(u) = uid.parse::<u64>().ok().and_then(|id| self.world.planet.user(id)) else {
            return business_error(1007, "成员不存在");
        };
        let joined_days = (self.now.as_second() - u.join_time.as_second()).max(0) / 86_400 + 1;
        let mut member = self.member(u);
        member["introduction"] = Value::String(u.description.clone().unwrap_or_default());
        ok(json!({
            "joined_days": joined_days,
            "topics_count": self.world.planet.topics_count(u.user_id),
            "liked_count": 0,
            "renewal_count": 0,
            "invitees_count": 0,
            "paid": true,
            "member": member,
        }))
    }
}

/// Reads an E4 query; `Ok(None)` for a valid but impossible combination (zsxq answers an
/// empty list), `Err` for a bad parameter.
fn members_query(req: &SimRequest) -> Result<Option<MembersQuery>, SimResponse> {
    let count = match req.query_param("count") {
        None => return Err(business_error(14001, "无效的count")),
        Some(_) => count_param(req, MEMBERS_MAX_COUNT, MEMBERS_MAX_COUNT)?,
    };
    let scope = match req.query_param("scope").as_deref() {
        None | Some("") | Some("all") => MemberScope::All,
        Some("privileged") => MemberScope::Privileged,
        Some("privileged_and_volunteer") => MemberScope::PrivilegedAndVolunteer,
        Some("expired") => MemberScope::Expired,
        Some("trial") => MemberScope::Trial,
        Some("regular") => MemberScope::Regular,
        Some(_) => return Err(business_error(1004, "参数scope错误")),
    };
    let sort = match req.query_param("sort").as_deref() {
        None | Some("") | Some("join_time") => MemberSort::JoinTime,
        Some("expired_time") => MemberSort::ExpiredTime,
        Some("update_time") => MemberSort::UpdateTime,
        Some("number") => MemberSort::Number,
        Some(_) => return Err(business_error(1004, "参数sort错误")),
    };
    let descending = match req.query_param("order").as_deref() {
        None | Some("") | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(business_error(1004, "参数order错误")),
    };
    let time = |name: &str| match req.query_param(name) {
        None => Ok(None),
        Some(t) if t.is_empty() => Ok(None),
        Some(t) => parse_zsxq_time(&t).map(Some).map_err(|_| business_error(1004, &format!("参数{name}错误"))),
    };
    let (begin, end) = (time("begin_time")?, time("end_time")?);
    let page_tag = match req.query_param("page_tag") {
        None => None,
        Some(t) if t.is_empty() => None,
        Some(t) => Some(t.parse::<u32>().map_err(|_| business_error(1004, "参数page_tag错误"))?),
    };
    let (mut joined, mut exited) = (false, false);
    for f in req.query_param("filter").as_deref().unwrap_or("joined,exited").split(',') {
        match f.trim() {
            "joined" => joined = true,
            "exited" => exited = true,
            "" => {}
            _ => return Err(business_error(1004, "参数filter错误")),
        }
    }
    if !joined && !exited {
        (joined, exited) = (true, true);
    }
    let valid = match sort {
        MemberSort::ExpiredTime => matches!(scope, MemberScope::Regular | MemberScope::Expired),
        MemberSort::Number => scope == MemberScope::Expired,
        MemberSort::JoinTime | MemberSort::UpdateTime => true,
    };
    Ok(valid.then_some(MembersQuery { count, scope, sort, descending, begin, end, page_tag, joined, exited }))
}

fn count_param(req: &SimRequest, default: usize, max: usize) -> Result<usize, SimResponse> {
    match req.query_param("count") {
        None => Ok(default),
        Some(c) => match c.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(business_error(14001, "无效的count")),
        },
    }
}

/// The server-made `title`: the first 15 characters of the text (markup removed), then "...".
fn snippet(text: &str) -> String {
    let plain: String = MARKUP.replace_all(text, "").replace(['\r', '\n'], " ");
    let chars: Vec<char> = plain.trim().chars().collect();
    if chars.len() > 15 { format!("{}...", chars[..15].iter().collect::<String>()) } else { chars.iter().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(query: &str) -> SimRequest {
        SimRequest {
            method: axum::http::Method::GET,
            path: "/v2/groups/1/members".into(),
            query: query.into(),
            headers: Default::default(),
            body: Default::default(),
            host: "127.0.0.1:1".into(),
            peer: std::net::IpAddr::from([127, 0, 0, 1]),
        }
    }

    fn code(r: SimResponse) -> i64 {
        serde_json::from_slice::<Value>(&r.body).unwrap()["code"].as_i64().unwrap()
    }

    #[test]
    fn member_queries_need_a_count_and_refuse_bad_values() {
        assert_eq!(code(members_query(&get("")).unwrap_err()), 14001, "count is required");
        assert_eq!(code(members_query(&get("count=201")).unwrap_err()), 14001);
        assert_eq!(code(members_query(&get("count=0")).unwrap_err()), 14001);
        assert_eq!(code(members_query(&get("count=20&scope=vip")).unwrap_err()), 1004);
        assert_eq!(code(members_query(&get("count=20&end_time=yesterday")).unwrap_err()), 1004);
        let q = members_query(&get("count=200")).unwrap().unwrap();
        assert_eq!(
            (q.count, q.scope, q.sort, q.descending, q.joined, q.exited),
            (200, MemberScope::All, MemberSort::JoinTime, true, true, true)
        );
        let q = members_query(&get("count=5&order=asc&filter=exited&end_time=2025-12-09T22%3A54%3A37.399%2B0800"))
            .unwrap()
            .unwrap();
        assert_eq!((q.descending, q.joined, q.exited), (false, false, true));
        assert_eq!(q.end, Some("2025-12-09T14:54:37.399Z".parse().unwrap()));
        // Sorts that only go with some scopes give an empty list, not an error.
        assert_eq!(members_query(&get("count=5&sort=number")).unwrap(), None);
        assert_eq!(members_query(&get("count=5&sort=expired_time&scope=privileged")).unwrap(), None);
        assert!(members_query(&get("count=5&sort=number&scope=expired&page_tag=9")).unwrap().is_some());
    }

    #[test]
    fn visible_chars_ignore_markup_and_spaces() {
        assert_eq!(visible_chars("今天 写了 <e type=\"hashtag\" hid=\"1\" title=\"%23a%23\" />三段"), 6);
        assert_eq!(snippet("第一天：完成了全部练习，收获很大，明天继续"), "第一天：完成了全部练习，收获很...");
        assert_eq!(snippet("短\n文"), "短 文");
    }
}
