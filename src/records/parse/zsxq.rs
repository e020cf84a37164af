//! zsxq (Knowledge Planet) pages: check-in projects (E9/E10), check-in topics
//! (E14), the accumulated ranking list (E13) and members (E4 list, E6 summary). Envelope: `{succeeded,
//! resp_data}` on success, `{succeeded:false, code, error, info}` on failure.

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::markup::plain_text;
use super::{IdText, PageError};
use crate::domain::time::{format_zsxq_time, parse_zsxq_time};
use crate::domain::{
    CheckinId, CheckinProject, CheckinTopic, PlanetUserId, RankingEntry, SourceRef, TopicComment, TopicId,
};
use crate::records::planet_users::PlanetUserSighting;
use crate::records::ranking::RankingPage;
use crate::records::raw::RawEntry;

/// Rows per page of the ranking list.
pub const RANKING_PAGE_SIZE: usize = 21;

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    succeeded: Option<bool>,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    info: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default = "Option::default")]
    resp_data: Option<T>,
}

fn open<T: DeserializeOwned>(body: &[u8], endpoint: &'static str) -> Result<T, PageError> {
    let env: Envelope<T> =
        serde_json::from_slice(body).map_err(|e| PageError::Malformed { endpoint, reason: e.to_string() })?;
    if env.succeeded != Some(true) {
        let message = [env.error, env.info, env.message]
            .into_iter()
            .flatten()
            .find(|m| !m.trim().is_empty())
            .unwrap_or_else(|| "no message".to_string());
        return Err(PageError::Api { platform: "zsxq", code: env.code.unwrap_or(0), message });
    }
    env.resp_data.ok_or_else(|| PageError::Malformed { endpoint, reason: "resp_data is missing".to_string() })
}

#[derive(Deserialize, Default)]
struct UserDto {
    #[serde(default)]
    user_id: Option<IdText>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    alias: Option<String>,
    #[serde(default)]
    number: Option<IdText>,
}

fn sighting(u: &UserDto, record: &str, raw: &RawEntry, position: u32) -> Result<PlanetUserSighting, PageError> {
    let id = u
        .user_id
        .as_ref()
        .and_then(IdText::nonempty)
        .ok_or_else(|| PageError::record(record, "user_id", "is missing"))?;
    Ok(PlanetUserSighting {
        user_id: PlanetUserId::new(id),
        name: u.name.clone(),
        alias: u.alias.clone(),
        number: u.number.as_ref().and_then(IdText::nonempty).map(str::to_string),
        wechat_name: None,
        joined_planet_at: None,
        exited: None,
        seen_at: raw.fetched_at,
        source: SourceRef { raw_id: raw.raw_id.clone(), position: Some(position) },
    })
}

fn count(v: Option<i64>, record: &str, field: &str) -> Result<Option<u32>, PageError> {
    match v {
        None => Ok(None),
        Some(n) => {
            u32::try_from(n).map(Some).map_err(|_| PageError::record(record, field, format!("{n} is not a count")))
        }
    }
}

fn time(v: &Option<String>, record: &str, field: &str) -> Result<Option<Timestamp>, PageError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_zsxq_time(t).map(Some).map_err(|e| PageError::record(record, field, e.to_string())),
    }
}

// ---- topics (E14) ----

#[derive(Deserialize)]
struct TopicsData {
    #[serde(default)]
    topics: Vec<TopicDto>,
}

#[derive(Deserialize)]
struct TopicDto {
    #[serde(default)]
    topic_id: Option<IdText>,
    #[serde(default)]
    topic_uid: Option<String>,
    #[serde(default)]
    talk: Option<TalkDto>,
    #[serde(default)]
    create_time: Option<String>,
    #[serde(default)]
    checkin: Option<CheckinRef>,
    #[serde(default)]
    show_comments: Option<Vec<CommentDto>>,
}

#[derive(Deserialize)]
struct CommentDto {
    #[serde(default)]
    comment_id: Option<IdText>,
    #[serde(default)]
    create_time: Option<String>,
    #[serde(default)]
    owner: Option<UserDto>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct TalkDto {
    #[serde(default)]
    owner: Option<UserDto>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    images: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct CheckinRef {
    #[serde(default)]
    checkin_id: Option<IdText>,
}

/// A page of check-in topics, newest first as zsxq sends them.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicsPage {
    /// The topics.
    pub topics: Vec<CheckinTopic>,
    /// Their authors, for [`record_sightings`](crate::records::planet_users::record_sightings).
    pub users: Vec<PlanetUserSighting>,
    /// The oldest `create_time` on the page, exactly as sent (the next cursor is
    /// this minus 1 ms: [`end_time_before`]).
    pub oldest_create_time: Option<String>,
    /// The newest `create_time` on the page, as sent.
    pub newest_create_time: Option<String>,
}

/// Parses a page of `GET /v2/groups/{gid}/checkins/{checkin_id}/topics`.
pub fn parse_topics(body: &[u8], checkin_id: &CheckinId, raw: &RawEntry) -> Result<TopicsPage, PageError> {
    let data: TopicsData = open(body, "checkin topics")?;
    let mut page = TopicsPage {
        topics: Vec::with_capacity(data.topics.len()),
        users: Vec::new(),
        oldest_create_time: None,
        newest_create_time: None,
    };
    let mut oldest: Option<Timestamp> = None;
    let mut newest: Option<Timestamp> = None;
    for (i, t) in data.topics.into_iter().enumerate() {
        let position = i as u32;
        let id = t
            .topic_id
            .as_ref()
            .and_then(IdText::nonempty)
            .map(str::to_string)
            .or_else(|| t.topic_uid.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string))
            .ok_or_else(|| PageError::record(format!("topics[{i}]"), "topic_id", "is missing"))?;
        let record = format!("topic {id}");
        if let Some(c) = t.checkin.as_ref().and_then(|c| c.checkin_id.as_ref()).and_then(IdText::nonempty)
            && c != checkin_id.as_str()
        {
            return Err(PageError::record(
                &record,
                "checkin.checkin_id",
                format!("is {c}, not the project {checkin_id} that was fetched"),
            ));
        }
        let raw_time = t
            .create_time
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| PageError::record(&record, "create_time", "is missing"))?
            .to_string();
        let created_at =
            parse_zsxq_time(&raw_time).map_err(|e| PageError::record(&record, "create_time", e.to_string()))?;
        let talk = t.talk.ok_or_else(|| PageError::record(&record, "talk", "is missing (not a check-in post)"))?;
        let owner = talk.owner.ok_or_else(|| PageError::record(&record, "talk.owner", "is missing"))?;
        let user = sighting(&owner, &format!("{record} talk.owner"), raw, position)?;
        let text = plain_text(talk.text.as_deref().unwrap_or_default());
        if oldest.is_none_or(|o| created_at < o) {
            oldest = Some(created_at);
            page.oldest_create_time = Some(raw_time.clone());
        }
        if newest.is_none_or(|n| created_at > n) {
            newest = Some(created_at);
            page.newest_create_time = Some(raw_time.clone());
        }
        let (mut comments, mut commenters) = (Vec::new(), Vec::new());
        for (j, c) in t.show_comments.unwrap_or_default().into_iter().enumerate() {
            let at = format!("{record} show_comments[{j}]");
            match comment(c, &at, raw, position) {
                Ok((comment, commenter)) => {
                    comments.push(comment);
                    commenters.push(commenter);
                }
                // A comment is read only for bind codes: one zsxq sent without what a
                // claim needs is left out, with the record and field in the log; the
                // check-in itself is whole.
                Err(e) => tracing::warn!("{e}; the comment is skipped"),
            }
        }
        page.topics.push(CheckinTopic {
            topic_id: TopicId::new(id),
            checkin_id: checkin_id.clone(),
            user_id: user.user_id.clone(),
            created_at,
            created_at_raw: raw_time,
            text_chars: text.chars().count() as u32,
            text,
            images: talk.images.map_or(0, |v| v.len() as u32),
            comments,
            source: SourceRef { raw_id: raw.raw_id.clone(), position: Some(position) },
        });
        page.users.push(user);
        page.users.extend(commenters);
    }
    Ok(page)
}

/// One embedded comment and its author's sighting.
fn comment(
    c: CommentDto,
    record: &str,
    raw: &RawEntry,
    position: u32,
) -> Result<(TopicComment, PlanetUserSighting), PageError> {
    let id = c
        .comment_id
        .as_ref()
        .and_then(IdText::nonempty)
        .ok_or_else(|| PageError::record(record, "comment_id", "is missing"))?
        .to_string();
    let created_at = time(&c.create_time, record, "create_time")?
        .ok_or_else(|| PageError::record(record, "create_time", "is missing"))?;
    let owner = c.owner.ok_or_else(|| PageError::record(record, "owner", "is missing"))?;
    let user = sighting(&owner, &format!("{record} owner"), raw, position)?;
    let comment = TopicComment {
        comment_id: id,
        user_id: user.user_id.clone(),
        created_at,
        text: plain_text(c.text.as_deref().unwrap_or_default()),
    };
    Ok((comment, user))
}

/// The `end_time` for the next (older) page: `create_time` minus 1 ms, in the
/// zsxq format (a `.000` borrows from the seconds).
pub fn end_time_before(create_time: &str) -> Result<String, PageError> {
    let t = parse_zsxq_time(create_time).map_err(|e| PageError::record("cursor", "create_time", e.to_string()))?;
    let before = t
        .checked_sub(SignedDuration::from_millis(1))
        .map_err(|e| PageError::record("cursor", "create_time", e.to_string()))?;
    Ok(format_zsxq_time(before))
}

// ---- ranking (E13) ----

#[derive(Deserialize)]
struct RankingData {
    #[serde(default)]
    ranking_list: Vec<RankingRowDto>,
}

#[derive(Deserialize)]
struct RankingRowDto {
    #[serde(default)]
    user: Option<UserDto>,
    #[serde(default)]
    rankings: Option<i64>,
    #[serde(default)]
    checkined_days: Option<i64>,
}

/// A page of the ranking list.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedRanking {
    /// Its rows, in page order.
    pub rows: Vec<RankingEntry>,
    /// The users on it.
    pub users: Vec<PlanetUserSighting>,
}

impl ParsedRanking {
    /// The page as [`ingest_page`](crate::records::ranking::ingest_page) takes it;
    /// a page shorter than [`RANKING_PAGE_SIZE`] is the last one.
    pub fn into_page(self, checkin_id: &CheckinId, index: u32, fetched_at: Timestamp) -> RankingPage {
        let last = self.rows.len() < RANKING_PAGE_SIZE;
        RankingPage { checkin_id: checkin_id.clone(), index, rows: self.rows, last, fetched_at }
    }
}

/// Parses a page of `GET …/checkins/{checkin_id}/ranking_list?type=accumulated&index=N`.
pub fn parse_ranking(body: &[u8], checkin_id: &CheckinId, raw: &RawEntry) -> Result<ParsedRanking, PageError> {
    let data: RankingData = open(body, "ranking list")?;
    let mut out = ParsedRanking { rows: Vec::new(), users: Vec::new() };
    for (i, row) in data.ranking_list.into_iter().enumerate() {
        let record = format!("ranking_list[{i}]");
        let user = row.user.ok_or_else(|| PageError::record(&record, "user", "is missing"))?;
        let s = sighting(&user, &record, raw, i as u32)?;
        let rank = count(row.rankings, &record, "rankings")?
            .filter(|r| *r > 0)
            .ok_or_else(|| PageError::record(&record, "rankings", "is missing or not a positive rank"))?;
        let days = count(row.checkined_days, &record, "checkined_days")?
            .ok_or_else(|| PageError::record(&record, "checkined_days", "is missing"))?;
        out.rows.push(RankingEntry {
            checkin_id: checkin_id.clone(),
            user_id: s.user_id.clone(),
            rank,
            checkined_days: days,
            fetched_at: raw.fetched_at,
            source: SourceRef { raw_id: raw.raw_id.clone(), position: Some(i as u32) },
        });
        out.users.push(s);
    }
    Ok(out)
}

// ---- members (E4, E6) ----

#[derive(Deserialize)]
struct MembersData {
    #[serde(default)]
    members: Vec<MemberDto>,
}

#[derive(Deserialize)]
struct MemberSummaryData {
    #[serde(default)]
    member: Option<MemberDto>,
}

#[derive(Deserialize)]
struct MemberDto {
    #[serde(default)]
    user_id: Option<IdText>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    alias: Option<String>,
    #[serde(default)]
    number: Option<IdText>,
    #[serde(default)]
    join_time: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// A page of the member list (E4), in the order zsxq sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct MembersPage {
    /// One sighting per member: name, 星球名片, 成员编号, join time and whether they
    /// left (`status: exited`).
    pub members: Vec<PlanetUserSighting>,
}

fn member(m: MemberDto, record: &str, raw: &RawEntry, position: Option<u32>) -> Result<PlanetUserSighting, PageError> {
    let id = m
        .user_id
        .as_ref()
        .and_then(IdText::nonempty)
        .ok_or_else(|| PageError::record(record, "user_id", "is missing"))?
        .to_string();
    let record = format!("member {id}");
    let exited = match m.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("joined") => Some(false),
        Some("exited") => Some(true),
        Some(other) => return Err(PageError::record(&record, "status", format!("`{other}` is not joined or exited"))),
    };
    Ok(PlanetUserSighting {
        user_id: PlanetUserId::new(id),
        name: m.name,
        alias: m.alias,
        number: m.number.as_ref().and_then(IdText::nonempty).map(str::to_string),
        wechat_name: None,
        joined_planet_at: time(&m.join_time, &record, "join_time")?,
        exited,
        seen_at: raw.fetched_at,
        source: SourceRef { raw_id: raw.raw_id.clone(), position },
    })
}

/// Parses a page of `GET /v2/groups/{gid}/members?count=…` (the owner/admin member list).
pub fn parse_members(body: &[u8], raw: &RawEntry) -> Result<MembersPage, PageError> {
    let data: MembersData = open(body, "members")?;
    let members = data
        .members
        .into_iter()
        .enumerate()
        .map(|(i, m)| member(m, &format!("members[{i}]"), raw, Some(i as u32)))
        .collect::<Result<_, _>>()?;
    Ok(MembersPage { members })
}

/// Parses `GET /v2/groups/{gid}/members/{user_id}/summary` (one member's summary, E6).
pub fn parse_member_summary(body: &[u8], raw: &RawEntry) -> Result<PlanetUserSighting, PageError> {
    let data: MemberSummaryData = open(body, "member summary")?;
    let m = data.member.ok_or_else(|| PageError::Malformed {
        endpoint: "member summary",
        reason: "resp_data.member is missing".into(),
    })?;
    member(m, "member", raw, None)
}

// ---- projects (E9, E10) ----

#[derive(Deserialize)]
struct ProjectsData {
    #[serde(default)]
    checkins: Vec<ProjectDto>,
}

#[derive(Deserialize)]
struct ProjectDetailData {
    #[serde(default)]
    checkin: Option<ProjectDto>,
}

#[derive(Deserialize)]
struct ProjectDto {
    #[serde(default)]
    checkin_id: Option<IdText>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    checkin_days: Option<i64>,
    #[serde(default)]
    validity: Option<ValidityDto>,
    #[serde(default)]
    create_time: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    joined_count: Option<i64>,
    #[serde(default)]
    statistics: Option<StatsDto>,
    #[serde(default)]
    min_words_count: Option<i64>,
}

#[derive(Deserialize)]
struct ValidityDto {
    #[serde(default)]
    expiration_time: Option<String>,
}

#[derive(Deserialize)]
struct StatsDto {
    #[serde(default)]
    joined_count: Option<i64>,
    #[serde(default)]
    completed_count: Option<i64>,
}

fn project(p: ProjectDto, record: String, raw: &RawEntry, position: Option<u32>) -> Result<CheckinProject, PageError> {
    let id = p
        .checkin_id
        .as_ref()
        .and_then(IdText::nonempty)
        .ok_or_else(|| PageError::record(&record, "checkin_id", "is missing"))?;
    let record = format!("check-in project {id}");
    let stats = p.statistics.unwrap_or(StatsDto { joined_count: None, completed_count: None });
    Ok(CheckinProject {
        checkin_id: CheckinId::new(id),
        title: p.title.unwrap_or_default(),
        text: p.text,
        checkin_days: count(p.checkin_days, &record, "checkin_days")?,
        status: p.status.unwrap_or_default(),
        created_at: time(&p.create_time, &record, "create_time")?,
        expires_at: time(&p.validity.and_then(|v| v.expiration_time), &record, "validity.expiration_time")?,
        min_words_count: count(p.min_words_count, &record, "min_words_count")?,
        joined_count: count(stats.joined_count.or(p.joined_count), &record, "statistics.joined_count")?,
        completed_count: count(stats.completed_count, &record, "statistics.completed_count")?,
        source: SourceRef { raw_id: raw.raw_id.clone(), position },
    })
}

/// Parses `GET /v2/groups/{gid}/checkins?scope=…` (a list of projects).
pub fn parse_projects(body: &[u8], raw: &RawEntry) -> Result<Vec<CheckinProject>, PageError> {
    let data: ProjectsData = open(body, "checkin projects")?;
    data.checkins
        .into_iter()
        .enumerate()
        .map(|(i, p)| project(p, format!("checkins[{i}]"), raw, Some(i as u32)))
        .collect()
}

/// Parses `GET /v2/groups/{gid}/checkins/{checkin_id}` (one project).
pub fn parse_project_detail(body: &[u8], raw: &RawEntry) -> Result<CheckinProject, PageError> {
    let data: ProjectDetailData = open(body, "checkin project")?;
    let p = data.checkin.ok_or_else(|| PageError::Malformed {
        endpoint: "checkin project",
        reason: "resp_data.checkin is missing".into(),
    })?;
    project(p, "checkin".to_string(), raw, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Source;

    fn raw() -> RawEntry {
        RawEntry {
            raw_id: "raw-000000000007".into(),
            source: Source::Zsxq,
            method: "GET".into(),
            url: "https://api.zsxq.com/v2/x".into(),
            request_body: None,
            headers: vec![],
            redacted: vec![],
            status: Some(200),
            fetched_at: "2025-12-04T01:15:00Z".parse().unwrap(),
            content_type: None,
            sha256: String::new(),
            len: 0,
        }
    }

    const TOPICS: &str = r#"{"succeeded":true,"resp_data":{"topics":[{"topic_id":90000000000000001,"topic_uid":"90000000000000001",
 "group":{"group_id":88880000000001,"name":"Demo Planet","type":"pay"},"type":"talk",
 "talk":{"owner":{"user_id":400000000002,"name":"Bob","avatar_url":"https://images.zsxq.com/c","location":"广东"},
         "text":"Day 3: wrote 500 words <e type=\"hashtag\" hid=\"123\" title=\"%23writing%23\" />",
         "images":[{"image_id":7001,"type":"jpg"}]},
 "likes_count":0,"create_time":"2025-12-03T21:15:02.481+0800",
 "checkin":{"title":"21-day writing","checkin_id":5550001111,"min_words_count":30},
 "title":"Day 3: wrote 500 wo..."},
 {"topic_id":"82811428128854112","type":"talk","talk":{"owner":{"user_id":"400000000003","name":"   ","alias":"C"}},
  "create_time":"2025-12-03T08:00:00.000+0800"}]}}"#;

    #[test]
    fn topics_page_parses_ids_times_text_and_authors() {
        let page = parse_topics(TOPICS.as_bytes(), &CheckinId::new("5550001111"), &raw()).unwrap();
        assert_eq!(page.topics.len(), 2);
        let t = &page.topics[0];
        assert_eq!(t.topic_id.as_str(), "90000000000000001");
        assert_eq!(t.user_id.as_str(), "400000000002");
        assert_eq!(t.created_at_raw, "2025-12-03T21:15:02.481+0800");
        assert_eq!(t.created_at, "2025-12-03T13:15:02.481Z".parse().unwrap());
        assert_eq!(t.text, "Day 3: wrote 500 words #writing#");
        assert_eq!(t.text_chars, 32);
        assert_eq!(t.images, 1);
        assert_eq!(t.source, SourceRef { raw_id: "raw-000000000007".into(), position: Some(0) });
        assert_eq!(page.topics[1].topic_id.as_str(), "82811428128854112", "beyond 2^53, exact");
        assert_eq!(page.users[1].name.as_deref(), Some("   "), "all-space names are kept");
        assert_eq!(page.oldest_create_time.as_deref(), Some("2025-12-03T08:00:00.000+0800"));
        assert_eq!(
            end_time_before(page.oldest_create_time.as_deref().unwrap()).unwrap(),
            "2025-12-03T07:59:59.999+0800"
        );
    }

    #[test]
    fn embedded_comments_are_kept_with_their_authors_and_a_broken_one_is_skipped() {
        let body = r#"{"succeeded":true,"resp_data":{"topics":[{"topic_id":77,"talk":{"owner":{"user_id":1,"name":"A"},"text":"第一天"},
 "create_time":"2025-12-03T08:00:00.000+0800","comments_count":3,"show_comments":[
  {"comment_id":501,"create_time":"2025-12-03T09:00:00.000+0800","owner":{"user_id":"400000000009","name":"路人甲"},"text":"绑定 K7M2QX"},
  {"comment_id":502,"create_time":"2025-12-03T09:30:00.000+0800","text":"没有作者"},
  {"comment_id":"503","create_time":"2025-12-03T10:00:00.000+0800","owner":{"user_id":1,"name":"A"}}]}]}}"#;
        let page = parse_topics(body.as_bytes(), &CheckinId::new("1"), &raw()).unwrap();
        let t = &page.topics[0];
        let ids: Vec<&str> = t.comments.iter().map(|c| c.comment_id.as_str()).collect();
        assert_eq!(ids, vec!["501", "503"], "the comment without an owner is left out");
        assert_eq!(t.comments[0].user_id.as_str(), "400000000009");
        assert_eq!(t.comments[0].text, "绑定 K7M2QX");
        assert_eq!(t.comments[0].created_at, "2025-12-03T01:00:00Z".parse().unwrap());
        assert_eq!(t.comments[1].text, "", "a comment without text is kept, empty");
        assert_eq!(t.text, "第一天", "the check-in text is the topic's own");
        let users: Vec<&str> = page.users.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(users, vec!["1", "400000000009", "1"], "the topic's author first, then its commenters");
    }

    #[test]
    fn bad_topics_name_the_record_and_field() {
        let body = br#"{"succeeded":true,"resp_data":{"topics":[{"topic_id":77,"talk":{"owner":{"user_id":1}},"create_time":"yesterday"}]}}"#;
        let err = parse_topics(body, &CheckinId::new("1"), &raw()).unwrap_err().to_string();
        assert!(err.starts_with("topic 77: create_time: `yesterday` is not a zsxq time"), "{err}");
        let body = br#"{"succeeded":true,"resp_data":{"topics":[{"topic_id":77,"talk":{"owner":{"name":"x"}},"create_time":"2025-12-03T08:00:00.000+0800"}]}}"#;
        let err = parse_topics(body, &CheckinId::new("1"), &raw()).unwrap_err().to_string();
        assert_eq!(err, "topic 77 talk.owner: user_id: is missing");
        let body = br#"{"succeeded":true,"resp_data":{"topics":[{"topic_id":77,"checkin":{"checkin_id":2},"talk":{"owner":{"user_id":1}},"create_time":"2025-12-03T08:00:00.000+0800"}]}}"#;
        assert!(
            parse_topics(body, &CheckinId::new("1"), &raw()).unwrap_err().to_string().contains("not the project 1")
        );
    }

    #[test]
    fn business_errors_and_garbage() {
        let body = r#"{"succeeded":false,"code":1059,"info":"","resp_data":{},"error":"内部错误"}"#;
        assert_eq!(
            parse_topics(body.as_bytes(), &CheckinId::new("1"), &raw()).unwrap_err(),
            PageError::Api { platform: "zsxq", code: 1059, message: "内部错误".into() }
        );
        let err = parse_topics(b"<html>421 Misdirected Request</html>", &CheckinId::new("1"), &raw()).unwrap_err();
        assert!(matches!(err, PageError::Malformed { .. }));
        let empty =
            parse_topics(br#"{"succeeded":true,"resp_data":{"topics":[]}}"#, &CheckinId::new("1"), &raw()).unwrap();
        assert!(empty.topics.is_empty());
    }

    #[test]
    fn ranking_page_parses_and_knows_when_it_is_the_last() {
        let body = br#"{"succeeded":true,"resp_data":{"ranking_list":[
 {"user":{"user_id":400000000002,"name":"Bob","alias":"","avatar_url":"https://images.zsxq.com/c"},"rankings":1,"checkined_days":3},
 {"user":{"user_id":400000000003,"name":"Carol","alias":"C","avatar_url":"https://images.zsxq.com/d"},"rankings":2,"checkined_days":2}],
 "user_specific":{"user":{"user_id":400000000001,"name":"Alice","alias":"","avatar_url":"https://images.zsxq.com/a"},"rankings":0,"checkined_days":0}}}"#;
        let cid = CheckinId::new("5550001111");
        let parsed = parse_ranking(body, &cid, &raw()).unwrap();
        assert_eq!(parsed.rows.iter().map(|r| (r.rank, r.checkined_days)).collect::<Vec<_>>(), vec![(1, 3), (2, 2)]);
        assert_eq!(parsed.users.len(), 2, "user_specific (the caller) is not a row");
        let page = parsed.into_page(&cid, 0, raw().fetched_at);
        assert!(page.last);
        let bad = br#"{"succeeded":true,"resp_data":{"ranking_list":[{"user":{"user_id":1},"rankings":1,"checkined_days":-2}]}}"#;
        assert_eq!(
            parse_ranking(bad, &cid, &raw()).unwrap_err().to_string(),
            "ranking_list[0]: checkined_days: -2 is not a count"
        );
    }

    #[test]
    fn members_parse_numbers_join_times_and_exits() {
        let body = r#"{"succeeded":true,"resp_data":{"members":[
 {"group_id":88880000000001,"user_id":400000000002,"name":"Bob","number":1024,"avatar_url":"https://images.zsxq.com/c",
  "alias":"鲍勃","join_time":"2025-10-01T09:00:00.123+0800","update_time":"2025-10-02T09:00:00.000+0800",
  "expired_time":"2286-11-21T01:46:39.999+0800","isolated":false,"status":"joined","location":"广东"},
 {"user_id":"400000000003","name":"Carol","number":"1025","join_time":"2025-10-01T09:00:00.123+0800","status":"exited"},
 {"user_id":400000000004}]}}"#;
        let page = parse_members(body.as_bytes(), &raw()).unwrap();
        let m = &page.members;
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].user_id.as_str(), "400000000002");
        assert_eq!(
            (m[0].number.as_deref(), m[0].alias.as_deref(), m[0].exited),
            (Some("1024"), Some("鲍勃"), Some(false))
        );
        assert_eq!(m[0].joined_planet_at, Some("2025-10-01T01:00:00.123Z".parse().unwrap()));
        assert_eq!(m[0].seen_at, raw().fetched_at);
        assert_eq!(m[0].source, SourceRef { raw_id: "raw-000000000007".into(), position: Some(0) });
        assert_eq!((m[1].number.as_deref(), m[1].exited), (Some("1025"), Some(true)), "numbers as strings too");
        let bare = &m[2];
        assert_eq!(
            (bare.name.as_deref(), bare.number.as_deref(), bare.joined_planet_at, bare.exited),
            (None, None, None, None)
        );
        let empty = parse_members(br#"{"succeeded":true,"resp_data":{}}"#, &raw()).unwrap();
        assert!(empty.members.is_empty(), "no members field: no members");
    }

    #[test]
    fn bad_members_name_the_record_and_field() {
        let bad = |body: &str| parse_members(body.as_bytes(), &raw()).unwrap_err().to_string();
        assert_eq!(
            bad(r#"{"succeeded":true,"resp_data":{"members":[{"name":"x"}]}}"#),
            "members[0]: user_id: is missing"
        );
        assert!(
            bad(r#"{"succeeded":true,"resp_data":{"members":[{"user_id":5,"join_time":"today"}]}}"#)
                .starts_with("member 5: join_time: `today` is not a zsxq time"),
        );
        assert_eq!(
            bad(r#"{"succeeded":true,"resp_data":{"members":[{"user_id":5,"status":"banned"}]}}"#),
            "member 5: status: `banned` is not joined or exited"
        );
        assert_eq!(
            bad(r#"{"succeeded":true,"resp_data":{"members":[{"user_id":5.5}]}}"#).split(':').next(),
            Some("members")
        );
        let refused = r#"{"succeeded":false,"code":1030,"info":"","resp_data":{},"error":"没有权限"}"#;
        assert_eq!(
            parse_members(refused.as_bytes(), &raw()).unwrap_err(),
            PageError::Api { platform: "zsxq", code: 1030, message: "没有权限".into() }
        );
    }

    #[test]
    fn a_member_summary_gives_the_member() {
        let body = br#"{"succeeded":true,"resp_data":{"joined_days":40,"topics_count":3,"paid":true,
 "member":{"user_id":400000000002,"name":"Bob","number":77,"join_time":"2025-10-01T09:00:00.000+0800","status":"joined","introduction":""}}}"#;
        let s = parse_member_summary(body, &raw()).unwrap();
        assert_eq!((s.user_id.as_str(), s.number.as_deref(), s.exited), ("400000000002", Some("77"), Some(false)));
        let missing = parse_member_summary(br#"{"succeeded":true,"resp_data":{"joined_days":1}}"#, &raw()).unwrap_err();
        assert!(matches!(missing, PageError::Malformed { .. }));
    }

    #[test]
    fn projects_list_and_detail() {
        let body = br#"{"succeeded":true,"resp_data":{"checkins":[{"checkin_id":5550001111,
 "title":"21-day writing","text":"Post at least 30 words per day.\n","checkin_days":21,
 "validity":{"long_period":false,"expiration_time":"2025-12-31T23:59:59.999+0800"},
 "create_time":"2025-12-01T09:00:00.123+0800","status":"ongoing","type":"accumulated","joined_count":2,
 "statistics":{"joined_count":2,"completed_count":0,"today_checkined_count":1},"min_words_count":30}]}}"#;
        let ps = parse_projects(body, &raw()).unwrap();
        assert_eq!(ps[0].checkin_id.as_str(), "5550001111");
        assert_eq!(ps[0].checkin_days, Some(21));
        assert_eq!(ps[0].expires_at, Some("2025-12-31T15:59:59.999Z".parse().unwrap()));
        assert_eq!((ps[0].joined_count, ps[0].completed_count, ps[0].min_words_count), (Some(2), Some(0), Some(30)));
        let detail = br#"{"succeeded":true,"resp_data":{"is_valid_member":true,"checkin":{"checkin_id":5550001111,"title":"t","status":"over","validity":{"long_period":true,"expiration_time":""}}}}"#;
        let p = parse_project_detail(detail, &raw()).unwrap();
        assert_eq!((p.status.as_str(), p.expires_at), ("over", None));
    }
}
