//! zsxq rich-text markup: inline `<e type="…" title="%23tag%23" … />` tags with
//! percent-encoded attributes. [`plain_text`] replaces each tag by its decoded
//! title (hashtags, links, bold), so lengths count what a reader sees.

/// Decodes `%XX` escapes (UTF-8); malformed escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// The text without markup: each `<e … />` tag becomes its decoded `title`.
pub fn plain_text(text: &str) -> String {
    if !text.contains("<e ") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<e ") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("/>") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = &rest[start..start + len + 2];
        if let Some(title) = attribute(tag, "title") {
            out.push_str(&percent_decode(title));
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_their_titles() {
        let t = r#"Day 3: wrote 500 words <e type="hashtag" hid="123" title="%23writing%23" /> done"#;
        assert_eq!(plain_text(t), "Day 3: wrote 500 words #writing# done");
        let t = r#"看<e type="web" href="https%3A%2F%2Fx.cn" title="%E9%93%BE%E6%8E%A5" />"#;
        assert_eq!(plain_text(t), "看链接");
        assert_eq!(plain_text("no tags\r\n"), "no tags\r\n");
        assert_eq!(plain_text("broken <e type=\"x\" title=\"a\""), "broken <e type=\"x\" title=\"a\"");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
