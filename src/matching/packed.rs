//! The planet users' normalised names laid out for scoring. Scoring a payer
//! against ~35 candidates each reads every name form of every candidate; as
//! `Vec<UserName>` that is a pointer chase per name, per form and per string
//! (about 25 scattered cache lines a user). Here each user has one slot that
//! points into four arrays kept in user order (names, forms, key spans, and one
//! string holding every text), so a candidate's data sits in a few adjacent
//! lines, all reachable from the slot at once. The values are the same as in the
//! [`UserName`]s they are built from.

use jiff::Timestamp;

use super::blocking::{NameSource, UserName};
use super::compare::FormView;
use super::normalize::{FormMasks, NameForm};

/// A range of [`PackedNames::text`] or of [`PackedNames::keys`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// One user's part of each array, and the planet join time scoring reads.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    names: Span,
    forms: Span,
    keys: Span,
    text: Span,
    joined: Option<Timestamp>,
}

/// One name: where it comes from, its raw text, until when it was used, its forms.
#[derive(Clone, Copy, Debug)]
struct NameEntry {
    source: NameSource,
    raw: Span,
    until: Option<Timestamp>,
    forms: Span,
}

/// One form: its text, counts and masks; its keys follow each other in `keys`
/// (readings, then initials, then fuzzy keys).
#[derive(Clone, Copy, Debug)]
struct FormEntry {
    text: Span,
    keys: u32,
    n_pinyin: u8,
    n_initials: u8,
    n_fuzzy: u8,
    han: u32,
    chars: u32,
    masks: FormMasks,
}

/// Every indexed user's names, packed.
#[derive(Debug, Default)]
pub struct PackedNames {
    slots: Vec<Slot>,
    names: Vec<NameEntry>,
    forms: Vec<FormEntry>,
    keys: Vec<Span>,
    text: String,
}

/// Bytes per cache line, for [`PackedNames::warm`].
const LINE: usize = 64;

impl PackedNames {
    /// Packs `names[i]` (the names of user `i`) with `joined[i]` (their planet join time).
    ///
    /// Panics when the names of all users exceed 4 GiB of text (positions are `u32`).
    pub fn build<'n>(
        names: impl ExactSizeIterator<Item = &'n [UserName]>,
        joined: impl Iterator<Item = Option<Timestamp>>,
    ) -> PackedNames {
        let mut p = PackedNames { slots: Vec::with_capacity(names.len()), ..PackedNames::default() };
        for (user_names, joined) in names.zip(joined) {
            let (names_start, forms_start, keys_start, text_start) =
                (p.names.len(), p.forms.len(), p.keys.len(), p.text.len());
            // Forms first, so a name's forms are one contiguous range.
            let mut entries = Vec::with_capacity(user_names.len());
            for n in user_names {
                let forms_at = p.forms.len();
                for f in &n.norm.forms {
                    p.push_form(f);
                }
                let raw = p.push_text(&n.raw);
                entries.push(NameEntry {
                    source: n.source,
                    raw,
                    until: n.until,
                    forms: span(forms_at, p.forms.len() - forms_at),
                });
            }
            p.names.extend(entries);
            p.slots.push(Slot {
                names: span(names_start, p.names.len() - names_start),
                forms: span(forms_start, p.forms.len() - forms_start),
                keys: span(keys_start, p.keys.len() - keys_start),
                text: span(text_start, p.text.len() - text_start),
                joined,
            });
        }
        p
    }

    fn push_text(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        span(start, s.len())
    }

    fn push_form(&mut self, f: &NameForm) {
        let text = self.push_text(&f.text);
        let keys = self.keys.len();
        for k in f.pinyin.iter().chain(&f.initials).chain(&f.fuzzy) {
            let s = self.push_text(k);
            self.keys.push(s);
        }
        let count = |n: usize| u8::try_from(n).expect("a name form has at most a few readings");
        self.forms.push(FormEntry {
            text,
            keys: u32::try_from(keys).expect("under 4 G name keys"),
            n_pinyin: count(f.pinyin.len()),
            n_initials: count(f.initials.len()),
            n_fuzzy: count(f.fuzzy.len()),
            han: u32::try_from(f.han).expect("a name under 4 G characters"),
            chars: u32::try_from(f.chars).expect("a name under 4 G characters"),
            masks: f.masks(),
        });
    }

    /// The names of user `i`.
    pub fn user(&self, i: u32) -> UserNames<'_> {
        let slot = &self.slots[i as usize];
        UserNames { packed: self, names: &self.names[slot.names.range()] }
    }

    /// When user `i` joined the planet.
    pub fn joined(&self, i: u32) -> Option<Timestamp> {
        self.slots[i as usize].joined
    }

    /// Reads the data of `users` before they are scored one by one: first their slots,
    /// then a byte of every cache line their names, forms, keys and texts span. The
    /// reads of one level do not depend on each other, so their cache misses overlap
    /// instead of each stalling a pair's scoring. No effect on results.
    pub fn warm(&self, users: &[u32]) {
        let mut acc = 0usize;
        for &u in users {
            acc ^= self.slots[u as usize].names.len as usize;
        }
        for &u in users {
            let slot = &self.slots[u as usize];
            acc ^= touch(&self.names[slot.names.range()], |n| n.raw.len as usize);
            acc ^= touch(&self.forms[slot.forms.range()], |f| f.chars as usize);
            acc ^= touch(&self.keys[slot.keys.range()], |k| k.len as usize);
            acc ^= touch(&self.text.as_bytes()[slot.text.range()], |b| usize::from(*b));
        }
        std::hint::black_box(acc);
    }
}

/// Reads one element per cache line of `items` (and the last one).
fn touch<T>(items: &[T], read: impl Fn(&T) -> usize) -> usize {
    let step = (LINE / std::mem::size_of::<T>().max(1)).max(1);
    let mut acc = items.iter().step_by(step).fold(0, |a, t| a ^ read(t));
    if let Some(last) = items.last() {
        acc ^= read(last);
    }
    acc
}

fn span(start: usize, len: usize) -> Span {
    let start = u32::try_from(start).expect("planet index under 4 GiB of names");
    let len = u32::try_from(len).expect("planet index under 4 GiB of names");
    Span { start, len }
}

/// One user's names.
#[derive(Clone, Copy, Debug)]
pub struct UserNames<'a> {
    packed: &'a PackedNames,
    names: &'a [NameEntry],
}

impl<'a> UserNames<'a> {
    /// The names, in the order of [`UserName`]s in the index.
    pub fn iter(self) -> impl Iterator<Item = PackedName<'a>> + Clone {
        let packed = self.packed;
        self.names.iter().map(move |n| PackedName {
            source: n.source,
            raw: &packed.text[n.raw.range()],
            until: n.until,
            forms: &packed.forms[n.forms.range()],
            packed,
        })
    }
}

/// One name of a user, as [`UserName`] holds it.
#[derive(Clone, Copy, Debug)]
pub struct PackedName<'a> {
    /// Where it comes from.
    pub source: NameSource,
    /// As the platform shows it.
    pub raw: &'a str,
    /// For former names: until when it was in use.
    pub until: Option<Timestamp>,
    forms: &'a [FormEntry],
    packed: &'a PackedNames,
}

impl<'a> PackedName<'a> {
    /// Its forms, core first ([`super::normalize::NormalizedName::forms`]).
    pub fn forms(&self) -> impl Iterator<Item = PackedForm<'a>> + Clone + use<'a> {
        let packed = self.packed;
        self.forms.iter().map(move |f| PackedForm {
            text: &packed.text[f.text.range()],
            han: f.han as usize,
            chars: f.chars as usize,
            entry: f,
            packed,
        })
    }

    /// Whether the name holds no name evidence (no form).
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }
}

/// One form of a name, as [`NameForm`] holds it.
#[derive(Clone, Copy, Debug)]
pub struct PackedForm<'a> {
    /// Normalised text.
    pub text: &'a str,
    /// Number of Han characters in `text`.
    pub han: usize,
    /// Number of characters in `text`.
    pub chars: usize,
    entry: &'a FormEntry,
    packed: &'a PackedNames,
}

impl<'a> PackedForm<'a> {
    fn keys(self, skip: usize, n: u8) -> Keys<'a> {
        let start = self.entry.keys as usize + skip;
        Keys { text: &self.packed.text, spans: self.packed.keys[start..start + usize::from(n)].iter() }
    }
}

/// The keys of one kind of a packed form.
#[derive(Clone, Debug)]
pub struct Keys<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, Span>,
}

impl<'a> Iterator for Keys<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.spans.next().map(|s| &self.text[s.range()])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl<'a> FormView<'a> for PackedForm<'a> {
    type Keys = Keys<'a>;

    fn text(self) -> &'a str {
        self.text
    }

    fn han(self) -> usize {
        self.han
    }

    fn chars(self) -> usize {
        self.chars
    }

    fn pinyin(self) -> Keys<'a> {
        self.keys(0, self.entry.n_pinyin)
    }

    fn initials(self) -> Keys<'a> {
        self.keys(usize::from(self.entry.n_pinyin), self.entry.n_initials)
    }

    fn fuzzy(self) -> Keys<'a> {
        self.keys(usize::from(self.entry.n_pinyin) + usize::from(self.entry.n_initials), self.entry.n_fuzzy)
    }

    fn masks(self) -> FormMasks {
        self.entry.masks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::default_normalizer;

    fn user_name(source: NameSource, raw: &str, until: Option<Timestamp>) -> UserName {
        UserName { source, raw: raw.to_string(), norm: default_normalizer().name(raw), until }
    }

    #[test]
    fn packed_names_read_back_as_built() {
        let t: Timestamp = "2025-10-01T00:00:00Z".parse().unwrap();
        let users: Vec<Vec<UserName>> = vec![
            vec![
                user_name(NameSource::Nickname, "【A组】曾凡-产品经理", None),
                user_name(NameSource::WechatExport, "Lily 王丽🌸", None),
            ],
            Vec::new(),
            vec![
                user_name(NameSource::Nickname, "Zhang San", None),
                user_name(NameSource::Former, "✨", Some(t)),
                user_name(NameSource::Former, "欧阳娜娜", Some(t)),
            ],
        ];
        let joined = [Some(t), None, None];
        let packed = PackedNames::build(users.iter().map(Vec::as_slice), joined.iter().copied());
        for (i, names) in users.iter().enumerate() {
            assert_eq!(packed.joined(i as u32), joined[i]);
            let got: Vec<PackedName<'_>> = packed.user(i as u32).iter().collect();
            assert_eq!(got.len(), names.len());
            for (g, n) in got.iter().zip(names) {
                assert_eq!(
                    (g.source, g.raw, g.until, g.is_empty()),
                    (n.source, n.raw.as_str(), n.until, n.norm.is_empty())
                );
                let forms: Vec<PackedForm<'_>> = g.forms().collect();
                assert_eq!(forms.len(), n.norm.forms.len());
                for (pf, f) in forms.into_iter().zip(&n.norm.forms) {
                    assert_eq!((pf.text, pf.han, pf.chars, pf.masks()), (f.text.as_str(), f.han, f.chars, f.masks()));
                    assert!(pf.pinyin().eq(f.pinyin.iter().map(String::as_str)));
                    assert!(pf.initials().eq(f.initials.iter().map(String::as_str)));
                    assert!(pf.fuzzy().eq(f.fuzzy.iter().map(String::as_str)));
                }
            }
        }
        packed.warm(&[0, 1, 2, 0]);
    }
}
