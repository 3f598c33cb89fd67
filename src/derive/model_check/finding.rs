//! Violations of the model turned into diagnostics that name the field, the value and the fix.

use aws_models::{Constraint, model};
use serde_json::{Value, json};

use super::sites::Site;
use super::source::{Origin, Source};
use crate::diagnostic::{Diagnostic, category};

/// Values shown in a message are cut to this many characters.
pub(super) const SHOWN_MAX: usize = 40;

#[derive(Debug, Clone)]
pub(super) struct Finding {
    source: Source,
    shown: String,
    /// Characters of a string, entries of a list or map.
    len: Option<usize>,
    collection: bool,
    constraint: Constraint,
    /// (operation, member path) of every request the value goes to.
    sites: Vec<(&'static str, String)>,
    /// What exactly breaks a pattern, when one character does.
    culprit: Option<char>,
    note: Option<String>,
}

#[derive(Default)]
pub(crate) struct Checks {
    found: Vec<Finding>,
}

impl Checks {
    /// `value` as the member `site.member` + `sub` (e.g. `.key` of a map), every violation kept.
    pub(crate) fn value(&mut self, source: &Source, site: Site, sub: &str, value: &Value) {
        self.held(source, site, sub, value, None, false);
    }

    pub(super) fn value_noted(
        &mut self,
        source: &Source,
        site: Site,
        sub: &str,
        value: &Value,
        note: &str,
    ) {
        self.held(source, site, sub, value, Some(note), false);
    }

    pub(crate) fn text(&mut self, source: &Source, site: Site, sub: &str, value: &str) {
        self.value(source, site, sub, &json!(value));
    }

    /// Only the number of entries of a list or map; its items are checked one by one, each
    /// with the field it came from.
    pub(crate) fn size(&mut self, source: &Source, site: Site, value: &Value, note: Option<&str>) {
        self.held(source, site, "", value, note, true);
    }

    fn held(
        &mut self,
        source: &Source,
        site: Site,
        sub: &str,
        value: &Value,
        note: Option<&str>,
        size_only: bool,
    ) {
        let path = format!("{}{sub}", site.member);
        let m = model(site.service);
        let Some(shape) = m.member_shape(site.operation, &path) else {
            // The `SITES` test holds every row against the data; a miss here is a table typo.
            debug_assert!(
                false,
                "{} has no member {path} in models/data",
                site.operation
            );
            return;
        };
        for v in m.validate(shape, value, "") {
            let rel = v.path.trim_start_matches('.');
            let root = rel.is_empty();
            let is_size = matches!(
                v.constraint,
                Constraint::MinLength(_) | Constraint::MaxLength(_)
            );
            if size_only && !(root && is_size) {
                continue;
            }
            let (src, shown, len, collection) = if root {
                let (shown, len, collection) = show(value);
                (source.clone(), shown, len, collection)
            } else {
                let len = v.value.as_deref().map(|s| s.chars().count());
                let shown = v
                    .value
                    .as_deref()
                    .map(quote)
                    .unwrap_or_else(|| "its value".to_string());
                (source.nested(rel), shown, len, false)
            };
            let at = if root {
                (site.operation, path.clone())
            } else {
                (site.operation, format!("{path}.{rel}"))
            };
            let culprit = match (&v.constraint, value.as_str()) {
                (Constraint::Pattern(_), Some(text)) if root => culprit(m, shape, text),
                _ => None,
            };
            self.add(Finding {
                source: src,
                shown,
                len,
                collection,
                constraint: v.constraint,
                sites: vec![at],
                culprit,
                note: note.map(str::to_string),
            });
        }
    }

    /// One finding per field, value and constraint, however many requests carry it (a tag
    /// goes to every Create).
    fn add(&mut self, f: Finding) {
        if let Some(same) = self
            .found
            .iter_mut()
            .find(|g| g.source == f.source && g.shown == f.shown && g.constraint == f.constraint)
        {
            for s in f.sites {
                if !same.sites.contains(&s) {
                    same.sites.push(s);
                }
            }
            return;
        }
        self.found.push(f);
    }

    pub(crate) fn diagnostics(self) -> Vec<Diagnostic> {
        self.found.into_iter().map(diagnostic).collect()
    }
}

/// The first character without which `text` would match its pattern, if there is one.
pub(super) fn culprit(
    m: &aws_models::Model,
    shape: &aws_models::Shape,
    text: &str,
) -> Option<char> {
    let mut tried = Vec::new();
    text.chars().find(|ch| {
        if tried.contains(ch) {
            return false;
        }
        tried.push(*ch);
        let without: String = text.chars().filter(|c| c != ch).collect();
        !without.is_empty()
            && !m
                .validate(shape, &json!(without), "")
                .iter()
                .any(|v| matches!(v.constraint, Constraint::Pattern(_)))
    })
}

/// `Op1 a, Op2 a, Op3 b` as `a of Op1, Op2; b of Op3`.
pub(super) fn sites(list: &[(&'static str, String)]) -> String {
    let mut by_member: Vec<(&str, Vec<&str>)> = Vec::new();
    for (op, member) in list {
        match by_member.iter_mut().find(|(m, _)| m == member) {
            Some((_, ops)) => ops.push(op),
            None => by_member.push((member, vec![op])),
        }
    }
    by_member
        .iter()
        .map(|(m, ops)| format!("{m} of {}", ops.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn quote(s: &str) -> String {
    let n = s.chars().count();
    if n <= SHOWN_MAX {
        return format!("\"{}\"", s.escape_debug());
    }
    let head: String = s.chars().take(SHOWN_MAX).collect();
    format!("\"{}…\" ({n} characters)", head.escape_debug())
}

/// The value as the message shows it, its length, and whether it is a collection.
pub(super) fn show(v: &Value) -> (String, Option<usize>, bool) {
    match v {
        Value::String(s) => (quote(s), Some(s.chars().count()), false),
        Value::Array(a) => (format!("{} entries", a.len()), Some(a.len()), true),
        Value::Object(o) => (format!("{} entries", o.len()), Some(o.len()), true),
        other => (other.to_string(), None, false),
    }
}

pub(super) fn fix(c: &Constraint, len: Option<usize>, collection: bool) -> String {
    let has = len.map(|l| format!(" (it has {l})")).unwrap_or_default();
    match c {
        Constraint::MaxLength(n) if collection => format!("at most {n} are allowed{has}"),
        Constraint::MaxLength(n) => format!("shorten it to at most {n} characters{has}"),
        Constraint::MinLength(n) if collection => format!("give at least {n}"),
        Constraint::MinLength(1) => "it must not be empty".to_string(),
        Constraint::MinLength(n) => format!("make it at least {n} characters long{has}"),
        Constraint::Pattern(p) => format!("change it so that the whole value matches {p}"),
        Constraint::Enum(v) => format!("use one of {}", v.join(", ")),
        Constraint::Min(x) => format!("use a value of at least {x}"),
        Constraint::Max(x) => format!("use a value of at most {x}"),
        Constraint::Required => "set it".to_string(),
        Constraint::OneMember(m) => format!("set exactly one of {}", m.join(", ")),
        Constraint::Type(t) => format!("make it {t}"),
        Constraint::MapKey(inner) => fix(inner, len, false),
    }
}

pub(super) fn diagnostic(f: Finding) -> Diagnostic {
    let category = match f.source.origin {
        Origin::Pack => category::PACK,
        Origin::Config | Origin::Request => category::CONFIGURATION,
    };
    let mut hint = format!(
        "{}, {}",
        f.source.place(),
        fix(&f.constraint, f.len, f.collection)
    );
    if let Some(ch) = f.culprit {
        hint.push_str(&format!(" (without {ch:?} it would)"));
    }
    if let Some(n) = &f.note {
        hint.push_str("; ");
        hint.push_str(n);
    }
    Diagnostic::error(
        f.source.field(),
        category,
        format!(
            "{} = {} is refused by AWS ({}): {}",
            f.source.name(),
            f.shown,
            sites(&f.sites),
            f.constraint
        ),
    )
    .with_hint(hint)
}
