//! One broken constraint, worded as AWS words it.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    Required,
    MinLength(u64),
    MaxLength(u64),
    Min(f64),
    Max(f64),
    Pattern(String),
    Enum(Vec<String>),
    /// A union with none or several members set.
    OneMember(Vec<String>),
    /// The value is not of the member's type (AWS answers SerializationException).
    Type(&'static str),
    MapKey(Box<Constraint>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// `a.b.3.member.c`-style path, as AWS names members in its messages.
    pub path: String,
    /// The offending value as AWS echoes it (None for null, lists, maps and sensitive members).
    pub value: Option<String>,
    pub constraint: Constraint,
}

impl Violation {
    pub fn is_type_error(&self) -> bool {
        matches!(self.constraint, Constraint::Type(_))
    }

    /// The last plain member name of the path (`memoryStrategies.1.member.name` → `name`).
    pub fn member(&self) -> &str {
        self.path
            .rsplit('.')
            .find(|p| *p != "member" && p.parse::<usize>().is_err())
            .unwrap_or(&self.path)
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::Required => write!(f, "Member must not be null"),
            Constraint::MinLength(n) => {
                write!(f, "Member must have length greater than or equal to {n}")
            }
            Constraint::MaxLength(n) => {
                write!(f, "Member must have length less than or equal to {n}")
            }
            Constraint::Min(n) => write!(f, "Member must have value greater than or equal to {n}"),
            Constraint::Max(n) => write!(f, "Member must have value less than or equal to {n}"),
            Constraint::Pattern(p) => {
                write!(f, "Member must satisfy regular expression pattern: {p}")
            }
            Constraint::Enum(v) => {
                write!(f, "Member must satisfy enum value set: [{}]", v.join(", "))
            }
            Constraint::OneMember(m) => {
                write!(f, "Member must have exactly one of [{}] set", m.join(", "))
            }
            Constraint::Type(t) => write!(f, "Member must be {t}"),
            Constraint::MapKey(c) => write!(f, "Map keys must satisfy constraint: [{c}]"),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(
                f,
                "Value '{v}' at '{}' failed to satisfy constraint: {}",
                self.path, self.constraint
            ),
            None if self.constraint == Constraint::Required => {
                write!(
                    f,
                    "Value null at '{}' failed to satisfy constraint: {}",
                    self.path, self.constraint
                )
            }
            None => write!(
                f,
                "Value at '{}' failed to satisfy constraint: {}",
                self.path, self.constraint
            ),
        }
    }
}

/// `1 validation error detected: …` / `N validation errors detected: …; …`, AWS's wording.
pub fn validation_message(violations: &[Violation]) -> String {
    let n = violations.len();
    let detail: Vec<String> = violations.iter().map(ToString::to_string).collect();
    format!(
        "{n} validation error{} detected: {}",
        if n == 1 { "" } else { "s" },
        detail.join("; ")
    )
}
