//! zsxq over HTTP: projects (E9, E10, E11, E12), ranking (E13), topics (E14), member summary
//! (E6), authentication, signatures, token expiry.

use std::collections::{BTreeMap, BTreeSet};

use campdesk::domain::DayRule;
use campdesk::domain::time::{format_zsxq_time, parse_zsxq_time};
use campdesk::sim::http::percent_encode;
use campdesk::sim::truth::CampPhase;
use campdesk::sim::{Action, Sim};
use jiff::SignedDuration;
use serde_json::Value;

use super::support::{Zsxq, assert_zsxq_time, options, start};

fn assert_checkin_fields(c: &Value) {
    assert!(c["checkin_id"].is_u64(), "{c}");
    assert!(c["group"]["group_id"].is_u64());
    assert!(c["group"]["name"].is_string());
    assert!(c["group"]["background_url"].is_string());
    assert!(c["owner"]["user_id"].is_u64());
    assert!(c["owner"]["name"].is_string());
    assert!(c["owner"]["alias"].is_string());
    assert!(c["owner"]["avatar_url"].is_string());
    assert!(c["title"].is_string());
    assert!(c["text"].as_str().unwrap().contains("退押金规则"));
    assert!(c["checkin_days"].is_u64());
    assert_eq!(c["validity"]["long_period"], false);
    assert_zsxq_time(&c["validity"]["expiration_time"]);
    assert!(c["validity"]["expiration_time"].as_str().unwrap().ends_with("T23:59:59.999+0800"));
    assert!(c["show_topics_on_timeline"].is_boolean());
    assert_zsxq_time(&c["create_time"]);
    assert!(["ongoing", "over", "closed"].contains(&c["status"].as_str().unwrap()));
    assert_eq!(c["type"], "accumulated");
    assert!(c["joined_count"].is_u64());
    for k in ["joined_count", "completed_count", "today_checkined_count"] {
        assert!(c["statistics"][k].is_u64(), "statistics.{k}");
    }
    let avatars = c["joined_users"].as_array().unwrap();
    assert!(avatars.len() <= 5);
    assert!(avatars.iter().all(|a| a["avatar_url"].is_string() && a.as_object().unwrap().len() == 1));
    assert!(c["user_specific"]["joined"].is_boolean());
    assert!(c["min_words_count"].is_u64());
}

#[tokio::test]
async fn projects_by_scope_detail_statistics_and_daily() {
    let sim = start(21, 120).await;
    let z = Zsxq::new(&sim);
    let truth = sim.truth();
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for scope in ["ongoing", "over", "closed"] {
        let a = z.get(&format!("/checkins?scope={scope}&count=100")).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.body["succeeded"], true, "{}", a.text);
        assert!(a.headers.get("x-expire-in").is_some());
        for c in a.body["resp_data"]["checkins"].as_array().unwrap() {
            assert_checkin_fields(c);
            assert_eq!(c["status"], scope);
            listed.insert(c["checkin_id"].as_u64().unwrap().to_string(), scope.to_string());
        }
    }
    for camp in &truth.camps {
        let expected = match camp.phase {
            CampPhase::Running => Some("ongoing"),
            CampPhase::Ended if camp.project_closed => Some("closed"),
            CampPhase::Ended => Some("over"),
            CampPhase::Starting => None,
        };
        assert_eq!(listed.get(&camp.checkin_id).map(String::as_str), expected, "{}", camp.camp_id);
    }
    let running = truth.camps.iter().find(|c| c.phase == CampPhase::Running).unwrap();
    // The project's own day count is the camp's, or one less (as captured).
    let a = z.get(&format!("/checkins/{}", running.checkin_id)).await;
    assert_eq!(a.body["resp_data"]["is_valid_member"], true);
    assert_eq!(a.body["resp_data"]["group"]["name"], sim.setup().planet_name);
    let c = &a.body["resp_data"]["checkin"];
    assert_checkin_fields(c);
    assert_eq!(c["title"], running.name);
    assert_eq!(c["checkin_days"].as_u64().unwrap() as u32, running.project_checkin_days);
    assert!(running.project_checkin_days == running.days || running.project_checkin_days + 1 == running.days);

    let stats = z.get(&format!("/checkins/{}/statistics", running.checkin_id)).await;
    let s = &stats.body["resp_data"]["statistics"];
    for k in ["joined_count", "completed_count", "checkined_count"] {
        assert!(s[k].is_u64(), "{k}");
    }
    assert!(s["ranking_list"].as_array().unwrap().len() <= 6);
    let today = format_zsxq_time(sim.now());
    let daily =
        z.get(&format!("/checkins/{}/statistics/daily?date={}", running.checkin_id, percent_encode(&today))).await;
    assert_eq!(daily.body["resp_data"]["checkined_count"], c["statistics"]["today_checkined_count"]);

    // Errors: HTTP 200 with code/info/error.
    let missing = z.get("/checkins?count=100").await;
    assert_eq!(
        (missing.status, missing.body["succeeded"].clone(), missing.body["code"].clone()),
        (200, false.into(), 1004.into())
    );
    assert!(missing.body["error"].is_string() && missing.body["info"] == "");
    assert_eq!(z.get("/checkins?scope=ongoing&count=101").await.body["code"], 14001);
    assert_eq!(z.get("/checkins/123/topics").await.body["succeeded"], false);
    let starting = truth.camps.iter().find(|c| c.phase == CampPhase::Starting).unwrap();
    assert_eq!(z.get(&format!("/checkins/{}", starting.checkin_id)).await.body["succeeded"], false, "not created yet");
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_by_cookie_or_header_signatures_and_401s() {
    let sim = start(22, 60).await;
    let z = Zsxq::new(&sim);
    let path = "/checkins?scope=ongoing&count=30";
    // No token, a wrong token: HTTP 401.
    let none = z.client.get(z.url(path)).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!((body["succeeded"].clone(), body["code"].clone()), (false.into(), 401.into()));
    let wrong = z.client.get(z.url(path)).header("cookie", "zsxq_access_token=NOPE").send().await.unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    // Header token with a correct signature, with a wrong one (1059, HTTP 200), and without one.
    let good = z.get_signed(path, false).await;
    assert_eq!((good.status, good.body["succeeded"].clone()), (200, true.into()), "{}", good.text);
    let bad = z.get_signed(path, true).await;
    assert_eq!((bad.status, bad.body["code"].clone()), (200, 1059.into()));
    assert_eq!(bad.body["error"], "内部错误");
    let unsigned = z.client.get(z.url(path)).header("authorization", &z.token).send().await.unwrap();
    assert_eq!(unsigned.status().as_u16(), 200);
    let v: Value = unsigned.json().await.unwrap();
    assert_eq!(v["succeeded"], true);
    // Another group: refused.
    let other = z
        .client
        .get(format!("{}/v2/groups/1/checkins?scope=ongoing", z.base))
        .header("authorization", &z.token)
        .send()
        .await
        .unwrap();
    let v: Value = other.json().await.unwrap();
    assert_eq!(v["succeeded"], false);
    sim.shutdown().await;
}

#[tokio::test]
async fn x_expire_in_counts_down_and_the_token_dies() {
    let mut opts = options(23, 50);
    opts.settings.zsxq_token_ttl = SignedDuration::from_hours(72);
    let sim = Sim::start(opts).await.unwrap();
    let z = Zsxq::new(&sim);
    let expire =
        |a: &super::support::Answer| a.headers.get("x-expire-in").unwrap().to_str().unwrap().parse::<i64>().unwrap();
    let a = z.get("/checkins?scope=ongoing").await;
    assert_eq!(expire(&a), 72 * 3600);
    sim.advance(SignedDuration::from_hours(48)).unwrap();
    let a = z.get("/checkins?scope=ongoing").await;
    assert_eq!(expire(&a), 24 * 3600, "an 'expires soon' warning can be raised from this");
    sim.advance(SignedDuration::from_hours(24)).unwrap();
    assert_eq!(z.get("/checkins?scope=ongoing").await.status, 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn ranking_pages_of_21_cross_boundaries_without_repeats() {
    let sim = start(24, 240).await;
    let z = Zsxq::new(&sim);
    let truth = sim.truth();
    let camp = truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap();
    let cid = &camp.checkin_id;
    let first = z.get(&format!("/checkins/{cid}/ranking_list?type=accumulated")).await;
    let rows = first.body["resp_data"]["ranking_list"].as_array().unwrap();
    assert_eq!(rows.len(), 21);
    let us = &first.body["resp_data"]["user_specific"];
    assert_eq!(us["user"]["user_id"].as_u64().unwrap(), sim.setup().owner.user_id);
    assert_eq!((us["rankings"].clone(), us["checkined_days"].clone()), (0.into(), 0.into()));
    let row = &rows[0];
    assert!(row["user"]["user_id"].is_u64() && row["user"]["name"].is_string() && row["user"]["alias"].is_string());
    assert!(row["user"]["avatar_url"].is_string() && row["rankings"].is_u64() && row["checkined_days"].is_u64());
    let second = z.get(&format!("/checkins/{cid}/ranking_list?type=accumulated&index=21")).await;
    let rows2 = second.body["resp_data"]["ranking_list"].as_array().unwrap();
    assert_eq!(rows2[0]["rankings"], 22, "rank 22 opens page two");
    assert!(second.body["resp_data"].get("user_specific").is_none(), "user_specific only on page one");

    let all = z.all_ranking(cid).await;
    let ranks: Vec<u64> = all.iter().map(|r| r["rankings"].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=all.len() as u64).collect::<Vec<_>>(), "ranks unique, consecutive, 21 and 22 both present");
    let users: BTreeSet<u64> = all.iter().map(|r| r["user"]["user_id"].as_u64().unwrap()).collect();
    assert_eq!(users.len(), all.len(), "no user twice");
    assert!(all.windows(2).all(|w| w[0]["checkined_days"].as_u64() >= w[1]["checkined_days"].as_u64()));
    // Exactly the users with at least one post, with zsxq's own day count.
    let mut expected: BTreeMap<u64, u64> = BTreeMap::new();
    for p in &truth.persons {
        for pc in p.camps.iter().filter(|pc| pc.camp_id == camp.camp_id && pc.ranking_days > 0) {
            expected.insert(p.planet_user_id.as_ref().unwrap().parse().unwrap(), u64::from(pc.ranking_days));
        }
    }
    let served: BTreeMap<u64, u64> =
        all.iter().map(|r| (r["user"]["user_id"].as_u64().unwrap(), r["checkined_days"].as_u64().unwrap())).collect();
    assert_eq!(served, expected);

    assert_eq!(z.get(&format!("/checkins/{cid}/ranking_list")).await.body["code"], 1004, "type is required");
    let streak = z.get(&format!("/checkins/{cid}/ranking_list?type=continuous")).await;
    assert_eq!(streak.body["succeeded"], true);
    sim.shutdown().await;
}

#[tokio::test]
async fn topics_newest_first_with_an_inclusive_end_time_cursor() {
    let sim = start(25, 150).await;
    let z = Zsxq::new(&sim);
    let camp = sim.truth().camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap().clone();
    let cid = &camp.checkin_id;
    let page = z.get(&format!("/checkins/{cid}/topics?count=20")).await;
    let topics = page.body["resp_data"]["topics"].as_array().unwrap().clone();
    assert_eq!(topics.len(), 20);
    assert_eq!(page.body["resp_data"].as_object().unwrap().len(), 1, "no cursor field, only topics");
    let t = &topics[0];
    let id = t["topic_id"].as_u64().unwrap();
    assert!(id > 1 << 53, "topic ids exceed 2^53 and are sent as numbers");
    assert_eq!(t["topic_uid"].as_str().unwrap(), id.to_string());
    assert_eq!(t["type"], "talk");
    assert!(t["talk"]["owner"]["user_id"].is_u64() && t["talk"]["owner"]["name"].is_string());
    assert!(t["talk"]["text"].is_string());
    assert_zsxq_time(&t["create_time"]);
    assert_eq!(t["checkin"]["checkin_id"].as_u64().unwrap().to_string(), *cid);
    assert!(t["checkin"]["title"].is_string() && t["checkin"]["min_words_count"].is_u64());
    assert_eq!(t["group"]["type"], "pay");
    for k in ["likes_count", "tourist_likes_count", "rewards_count", "comments_count", "reading_count", "readers_count"]
    {
        assert!(t[k].is_u64(), "{k}");
    }
    assert!(t["digested"].is_boolean() && t["sticky"].is_boolean() && t["title"].is_string());
    assert!(t["user_specific"]["liked_emojis"].is_array());
    let times: Vec<_> = topics.iter().map(|t| parse_zsxq_time(t["create_time"].as_str().unwrap()).unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // end_time is inclusive: the 5th topic's own time starts the next page with it.
    let fifth = topics[4]["create_time"].as_str().unwrap();
    let again = z.get(&format!("/checkins/{cid}/topics?count=20&end_time={}", percent_encode(fifth))).await;
    let again = again.body["resp_data"]["topics"].as_array().unwrap().clone();
    assert!(again.iter().take(3).any(|x| x["topic_id"] == topics[4]["topic_id"]));
    assert_eq!(z.get(&format!("/checkins/{cid}/topics?count=21")).await.body["code"], 14001);
    assert_eq!(z.get(&format!("/checkins/{cid}/topics?count=20&end_time=yesterday")).await.body["succeeded"], false);
    assert_eq!(z.get(&format!("/checkins/{cid}/topics?count=20&scope=all")).await.body["succeeded"], true);

    // Walking every page finds every post once, and the last page ends it.
    let all = z.all_topics(cid).await;
    let served: BTreeSet<u64> = all.iter().map(|t| t["topic_id"].as_u64().unwrap()).collect();
    let world: BTreeSet<u64> = sim
        .with_world(|w| w.planet.project(cid.parse().unwrap()).unwrap().topics().iter().map(|t| t.topic_id).collect());
    assert_eq!(served, world);
    assert!(served.len() > 40, "several pages");
    let oldest = all.last().unwrap()["create_time"].as_str().unwrap().to_string();
    let older = parse_zsxq_time(&oldest).unwrap().checked_sub(SignedDuration::from_millis(1)).unwrap();
    let end =
        z.get(&format!("/checkins/{cid}/topics?count=20&end_time={}", percent_encode(&format_zsxq_time(older)))).await;
    assert_eq!(end.body["resp_data"]["topics"].as_array().unwrap().len(), 0, "an empty page after the oldest");
    sim.shutdown().await;
}

#[tokio::test]
async fn renames_show_on_old_posts_and_member_summary() {
    let sim = start(26, 60).await;
    let z = Zsxq::new(&sim);
    let truth = sim.truth().clone();
    let camp = truth.camps.iter().find(|c| c.phase == CampPhase::Running).unwrap();
    let person = truth
        .persons
        .iter()
        .find(|p| {
            p.planet_user_id.is_some()
                && p.left_planet_at.is_none()
                && p.camps.iter().any(|c| c.camp_id == camp.camp_id && !c.topic_ids.is_empty())
        })
        .unwrap();
    let uid: u64 = person.planet_user_id.as_ref().unwrap().parse().unwrap();
    let summary = z.get(&format!("/members/{uid}/summary")).await;
    let r = &summary.body["resp_data"];
    for k in ["joined_days", "topics_count", "liked_count", "renewal_count", "invitees_count"] {
        assert!(r[k].is_u64(), "{k}");
    }
    assert!(r["paid"].is_boolean());
    let m = &r["member"];
    assert_eq!(m["user_id"].as_u64().unwrap(), uid);
    assert!(m["number"].is_u64() && m["avatar_url"].is_string() && m["introduction"].is_string());
    assert_zsxq_time(&m["join_time"]);
    assert_zsxq_time(&m["expired_time"]);
    assert_eq!(m["status"], "joined");

    sim.act(Action::RenamePlanet {
        user_id: uid,
        name: Some("新名字🌟".into()),
        alias: Some("星球名片".into()),
        at: None,
    })
    .unwrap();
    sim.act(Action::PostCheckin {
        checkin_id: camp.checkin_id.parse().unwrap(),
        user_id: uid,
        text: "今天补充一下昨天的内容，继续加油".into(),
        images: 1,
        topic_id: None,
        at: None,
    })
    .unwrap();
    let page = z.get(&format!("/checkins/{}/topics?count=20", camp.checkin_id)).await;
    let newest = &page.body["resp_data"]["topics"][0];
    assert_eq!(newest["talk"]["owner"]["name"], "新名字🌟");
    assert_eq!(newest["talk"]["owner"]["alias"], "星球名片");
    assert_eq!(newest["talk"]["images"].as_array().unwrap().len(), 1);
    let img = &newest["talk"]["images"][0];
    assert!(img["image_id"].is_u64() && img["original"]["size"].is_u64() && img["thumbnail"]["width"].is_u64());
    // Avatar URLs change on every answer (do not diff on them).
    let a1 = z.get(&format!("/members/{uid}/summary")).await.body["resp_data"]["member"]["avatar_url"].clone();
    let a2 = z.get(&format!("/members/{uid}/summary")).await.body["resp_data"]["member"]["avatar_url"].clone();
    assert_ne!(a1, a2);
    assert_eq!(z.get("/members/1/summary").await.body["succeeded"], false);

    // A post on the day of the sim clock counts in today's statistics.
    let today = DayRule::shanghai().day_of(sim.now());
    let n = sim.with_world(|w| w.planet.project(camp.checkin_id.parse().unwrap()).unwrap().checkined_on(today));
    let d = z.get(&format!("/checkins/{}", camp.checkin_id)).await;
    assert_eq!(d.body["resp_data"]["checkin"]["statistics"]["today_checkined_count"].as_u64().unwrap() as usize, n);
    sim.shutdown().await;
}
