//! Texts of a generated community: camp topics, project rule texts in the captured style
//! (peer-notes §7), check-in posts of every length, group names, places.

use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};

/// A camp theme: title words, id slug, what members post each day, and the bill keyword.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    /// Title after the YYMM prefix.
    pub title: &'static str,
    /// Slug for the camp id.
    pub slug: &'static str,
    /// What a day's post is about.
    pub task: &'static str,
    /// Short word the deposit's commodity description carries.
    pub keyword: &'static str,
}

/// The themes camps draw from, in order.
pub const THEMES: &[Theme] = &[
    Theme {
        title: "AI小绿书爆文", slug: "xhs", task: "用AI写一篇小绿书笔记并发布", keyword: "小绿书"
    },
    Theme { title: "21天写作营", slug: "write", task: "写一篇不少于300字的文章", keyword: "写作营" },
    Theme { title: "晨读打卡营", slug: "read", task: "早起读书30分钟并写下摘抄", keyword: "晨读" },
    Theme { title: "英语口语营", slug: "en", task: "跟读一段英文并录音", keyword: "口语" },
    Theme { title: "减脂运动营", slug: "fit", task: "完成当天的训练并记录体重", keyword: "运动营" },
    Theme { title: "读书笔记营", slug: "notes", task: "读完一章并写读书笔记", keyword: "读书" },
    Theme { title: "短视频剪辑营", slug: "video", task: "剪辑一条60秒短视频", keyword: "剪辑" },
    Theme { title: "PPT设计营", slug: "ppt", task: "完成一页PPT设计作业", keyword: "PPT" },
    Theme { title: "公众号运营营", slug: "gzh", task: "写一篇公众号推文", keyword: "公众号" },
    Theme { title: "手机摄影营", slug: "photo", task: "拍一组照片并写拍摄思路", keyword: "摄影" },
];

/// Places shown as a post author's IP region.
pub const LOCATIONS: &[&str] =
    &["广东", "北京", "上海", "浙江", "江苏", "四川", "湖北", "山东", "福建", "湖南", "河南", "陕西", "重庆", "天津"];

/// The project rule text, in the style of the captured projects: numbered items, full-width or
/// ASCII colons, sometimes `\r\n` line ends, the required days and the deposit written out.
pub fn rule_text<R: Rng + ?Sized>(
    rng: &mut R,
    planet: &str,
    theme: &Theme,
    required: u32,
    deposit_yuan: &str,
    organiser: &str,
    wechat_id: &str,
) -> String {
    let colon = if rng.random_bool(0.6) { "：" } else { ":" };
    let nl = if rng.random_bool(0.3) { "\r\n" } else { "\n" };
    let notice = if rng.random_bool(0.5) { "群公告" } else { "「项目群公告」" };
    let mut t = String::new();
    t.push_str(&format!(
        "1、#{planet}星球打卡后，以星球打卡次数为准，不允许水卡和摸鱼，认真打卡，对得起自己。{nl}每天打卡内容{colon}{}。{nl}",
        theme.task
    ));
    t.push_str(&format!(
        "2、退押金规则{colon}{nl}完成{required}天打卡，押金{deposit_yuan}全退，未完成{required}天打卡或者水卡的押金不退，\
         数据以星球的累计打卡排行榜为准，截止日期以{notice}的说明为准。{nl}"
    ));
    t.push_str(&format!("3、加{organiser}微信{colon}{wechat_id}交押金{deposit_yuan}元进群。"));
    t
}

const OPENERS: &[&str] = &["Day{n}打卡", "第{n}天", "打卡第{n}天", "Day {n}", "【第{n}天】", "今日打卡 {n}/{days}"];
const BODIES: &[&str] = &[
    "今天{task}，比昨天顺手了一些，花了大概四十分钟。",
    "完成了{task}，中间卡了一下，后来看了群里的分享才弄明白。",
    "{task}，今天状态一般，但还是坚持下来了。",
    "按计划{task}。记录一下今天的三个收获：一是先搭框架再填内容，二是别追求一次完美，三是及时复盘。",
    "今天{task}，最大的感受是输入和输出要平衡，光看不写是不会进步的。",
    "加班到很晚，还是抽空{task}，给自己点个赞。",
    "{task}。今天尝试了老师说的新方法，效果不错，明天继续。",
];
const EXTRAS: &[&str] = &[
    "明天争取更早完成。",
    "感谢同学们的鼓励！",
    "继续加油💪",
    "有同样问题的朋友可以一起交流。",
    "今天的作业截图放在下面了。",
    "",
];
const SHORT: &[&str] = &["打卡", "1", "已完成", "今日完成", "补", "ok", "打卡✅"];

/// A day's check-in post; `short` gives a filler post (水卡) of a few characters.
pub fn post_text<R: Rng + ?Sized>(rng: &mut R, theme: &Theme, day_no: u32, days: u32, short: bool) -> String {
    if short {
        return SHORT.choose(rng).copied().unwrap_or("打卡").to_string();
    }
    let opener = OPENERS
        .choose(rng)
        .copied()
        .unwrap_or("Day{n}")
        .replace("{n}", &day_no.to_string())
        .replace("{days}", &days.to_string());
    let body = BODIES.choose(rng).copied().unwrap_or("{task}").replace("{task}", theme.task);
    let extra = EXTRAS.choose(rng).copied().unwrap_or("");
    let sep = if rng.random_bool(0.5) { "\n" } else { " " };
    let mut text = format!("{opener}{sep}{body}{extra}");
    if rng.random_bool(0.25) {
        text.push_str(&format!(
            " <e type=\"hashtag\" hid=\"{}\" title=\"%23{}%23\" />",
            51_000 + day_no,
            theme.keyword
        ));
    }
    if rng.random_bool(0.15) {
        let longer = BODIES.choose(rng).copied().unwrap_or("{task}").replace("{task}", theme.task);
        text.push('\n');
        text.push_str(&longer);
    }
    text
}

/// A customer group's name.
pub fn group_name(camp_title: &str, n: usize, of: usize) -> String {
    if of == 1 { format!("{camp_title}交流群") } else { format!("{camp_title}交流群{n}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn rule_text_carries_the_numbers_in_the_captured_shape() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let t = rule_text(&mut rng, "成长", &THEMES[0], 7, "39", "周老师", "zhou_ls");
        assert!(t.starts_with("1、#成长星球打卡后"));
        assert!(t.contains("完成7天打卡，押金39全退"), "{t}");
        assert!(t.contains("交押金39元进群"));
        assert!(t.contains("退押金规则：") || t.contains("退押金规则:"));
    }

    #[test]
    fn posts_vary_and_short_posts_are_short() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let long = post_text(&mut rng, &THEMES[1], 3, 14, false);
        assert!(crate::sim::zsxq::visible_chars(&long) >= 20, "{long}");
        let short = post_text(&mut rng, &THEMES[1], 3, 14, true);
        assert!(crate::sim::zsxq::visible_chars(&short) < 10);
    }
}
