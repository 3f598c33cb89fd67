//! The KMS key picker, used by the wizard's KMS step and the recommendation start form.
//! Customer managed keys of the region stream in page by page while the list stays usable; keys
//! that cannot be used are greyed with the reason. "AWS owned key" is always offered and is a
//! valid choice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::filter_list::FilterList;
use crate::kms::eligibility::{self, Ineligibility, KeyInfo};
use crate::tui::input::Input;
use crate::tui::keymap::Command;
use crate::tui::persist::KmsChoice;
use crate::tui::services::{AwsTarget, KeysEvent, ServiceError};
use crate::tui::slot::{Gen, Slot};
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    AwsOwned,
    Key {
        key: Box<KeyInfo>,
        /// Empty when the key can be used.
        reasons: Vec<Ineligibility>,
    },
}

impl Entry {
    fn search_text(&self) -> String {
        match self {
            Self::AwsOwned => "aws owned key default".into(),
            Self::Key { key, .. } => format!(
                "{} {} {} {}",
                key.aliases.join(" "),
                key.key_id,
                key.description,
                key.key_state
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    /// Nothing asked yet (no target or region chosen).
    Idle,
    Loading {
        pages: usize,
    },
    Loaded {
        pages: usize,
    },
    Failed(ServiceError),
}

/// ListKmsKeys for the picker. The owner sends it as its own effect, so the pages come back to
/// it and it hands them to [`KeyPicker::keys`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysRequest {
    pub generation: Gen,
    pub target: AwsTarget,
    pub region: String,
}

/// What an input did to the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    /// Not an input of the picker.
    Unhandled,
    /// Moved, filtered or typed.
    Handled,
    /// An entry was chosen, or refused with its reason: with Enter (`enter`), or a click.
    Chose { enter: bool },
}

pub struct KeyPicker {
    list: FilterList<Entry>,
    load: Load,
    slot: Slot,
    loaded_for: Option<(AwsTarget, String)>,
    choice: KmsChoice,
    region: String,
    target: Option<AwsTarget>,
    refused: Option<String>,
}

impl KeyPicker {
    pub fn new(choice: KmsChoice, target: Option<AwsTarget>, region: String) -> Self {
        let mut list = FilterList::new(
            "Filter keys (type to narrow)",
            "alias, key id, description",
            vec![Entry::AwsOwned],
            Entry::search_text,
        );
        list.filter.set_focused(true);
        Self {
            list,
            load: Load::Idle,
            slot: Slot::default(),
            loaded_for: None,
            choice,
            region,
            target,
            refused: None,
        }
    }

    pub fn choice(&self) -> &KmsChoice {
        &self.choice
    }

    pub fn target(&self) -> Option<&AwsTarget> {
        self.target.as_ref()
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Why the last chosen key was refused, until the next choice.
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    /// The listed key with this ARN, and why it cannot be used (empty when it can).
    pub fn listed(&self, arn: &str) -> Option<(&KeyInfo, &[Ineligibility])> {
        self.list.items().iter().find_map(|e| match e {
            Entry::Key { key, reasons } if key.arn == arn => Some((&**key, reasons.as_slice())),
            _ => None,
        })
    }

    /// Follows the owner's account and region without asking for anything.
    pub fn follow(&mut self, target: Option<&AwsTarget>, region: &str) {
        region.clone_into(&mut self.region);
        self.target = target.cloned();
    }

    /// The picker is shown for `target` and `region`: lists their keys unless already listed.
    pub fn show(&mut self, target: Option<&AwsTarget>, region: &str) -> Option<KeysRequest> {
        self.follow(target, region);
        let wanted = self.target.clone().map(|t| (t, self.region.clone()));
        if wanted != self.loaded_for || matches!(self.load, Load::Failed(_)) {
            return self.reload();
        }
        None
    }

    /// Lists the keys again after a failure (or if they were never asked for).
    pub fn retry(&mut self) -> Option<KeysRequest> {
        if matches!(self.load, Load::Failed(_)) || self.loaded_for.is_none() {
            return self.reload();
        }
        None
    }

    fn reload(&mut self) -> Option<KeysRequest> {
        self.list.clear();
        self.list.extend(vec![Entry::AwsOwned], Entry::search_text);
        self.loaded_for = self.target.clone().map(|t| (t, self.region.clone()));
        let request = self.request();
        self.select_choice();
        request
    }

    fn request(&mut self) -> Option<KeysRequest> {
        let (Some(target), false) = (self.target.clone(), self.region.is_empty()) else {
            self.load = Load::Idle;
            return None;
        };
        self.load = Load::Loading { pages: 0 };
        Some(KeysRequest {
            generation: self.slot.issue(),
            target,
            region: self.region.clone(),
        })
    }

    fn select_choice(&mut self) {
        let choice = self.choice.clone();
        self.list.select_where(|e| match (e, &choice) {
            (Entry::AwsOwned, KmsChoice::AwsOwned) => true,
            (Entry::Key { key, .. }, KmsChoice::Customer { arn }) => &key.arn == arn,
            _ => false,
        });
    }

    /// A page (or the end) of the listing; false when it was stale and changed nothing.
    pub fn keys(&mut self, generation: Gen, event: KeysEvent) -> bool {
        match event {
            KeysEvent::Page(keys) => {
                if !self.slot.is_current(generation) {
                    return false;
                }
                let region = self.region.clone();
                let entries = keys
                    .into_iter()
                    .map(|key| Entry::Key {
                        reasons: eligibility::check(&key, &region),
                        key: Box::new(key),
                    })
                    .collect();
                self.list.extend(entries, Entry::search_text);
                self.select_choice();
                if let Load::Loading { pages } = &mut self.load {
                    *pages += 1;
                }
            }
            KeysEvent::Done => {
                if !self.slot.accept(generation) {
                    return false;
                }
                let pages = match self.load {
                    Load::Loading { pages } => pages,
                    _ => 0,
                };
                self.load = Load::Loaded { pages };
            }
            KeysEvent::Failed(e) => {
                if !self.slot.accept(generation) {
                    return false;
                }
                self.load = Load::Failed(e);
            }
        }
        true
    }

    pub fn busy(&self) -> bool {
        matches!(self.load, Load::Loading { .. })
    }

    fn choose(&mut self) {
        self.refused = None;
        match self.list.selected() {
            Some(Entry::AwsOwned) => self.choice = KmsChoice::AwsOwned,
            Some(Entry::Key { key, reasons }) if reasons.is_empty() => {
                self.choice = KmsChoice::Customer {
                    arn: key.arn.clone(),
                };
            }
            Some(Entry::Key { key, reasons }) => {
                self.refused = eligibility::reason_line(key, reasons)
            }
            None => {}
        }
    }

    /// Moves, filters and chooses. Retrying is the owner's call ([`Self::retry`]), since it may
    /// retry more than the listing.
    pub fn handle(&mut self, input: Input<'_>) -> Picked {
        match input {
            Input::Command(Command::Up) | Input::Scroll(-1) => self.list.move_by(-1),
            Input::Command(Command::Down) | Input::Scroll(1) => self.list.move_by(1),
            Input::Command(Command::PageUp) => self.list.move_by(-10),
            Input::Command(Command::PageDown) => self.list.move_by(10),
            Input::Command(Command::Select) => {
                self.choose();
                return Picked::Chose { enter: true };
            }
            Input::Key(k) => {
                self.list.input(k);
            }
            Input::Paste(s) => {
                self.list.paste(s);
            }
            Input::Click { row, height, .. } => {
                let Some(r) = row.checked_sub(LIST_TOP) else {
                    return Picked::Unhandled;
                };
                self.list
                    .select_row(usize::from(r), usize::from(height.saturating_sub(LIST_TOP)));
                self.choose();
                return Picked::Chose { enter: false };
            }
            _ => return Picked::Unhandled,
        }
        Picked::Handled
    }

    /// Draws the picker in `area`. With `room_below`, the list keeps only a few rows and the
    /// rest of `area` is returned for the owner's own panel under it.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        spinner: &str,
        room_below: bool,
    ) -> Option<Rect> {
        let [chosen, status, filter, rest] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(area);
        let (list, below) = if room_below {
            let rows = u16::try_from(self.list.visible().len()).unwrap_or(u16::MAX);
            let [l, p] =
                Layout::vertical([Constraint::Length(rows.clamp(2, 4)), Constraint::Min(3)])
                    .areas(rest);
            (l, Some(p))
        } else {
            (rest, None)
        };
        let chosen_text = match &self.choice {
            KmsChoice::Undecided => Span::styled("none yet", theme.dim),
            KmsChoice::AwsOwned => Span::styled("AWS owned key", theme.title),
            KmsChoice::Customer { arn } => Span::styled(arn.clone(), theme.title),
        };
        Line::from(vec![Span::raw("Key: "), chosen_text]).render(chosen, buf);
        let keys = self.list.items().len() - 1;
        let status_line = match (&self.load, &self.refused) {
            (_, Some(why)) => Line::styled(format!("✗ {why}"), theme.error),
            (Load::Idle, _) => Line::styled(
                "Keys are listed once an account (step 0) and a region (step 1) are chosen.",
                theme.dim,
            ),
            (Load::Loading { pages }, _) => Line::styled(
                format!(
                    "{spinner} loading keys of {}… ({keys} so far, page {})",
                    self.region,
                    pages + 1
                ),
                theme.dim,
            ),
            (Load::Loaded { .. }, _) => {
                Line::styled(format!("{keys} key(s) in {}", self.region), theme.dim)
            }
            (Load::Failed(e), _) => Line::from(vec![
                Span::styled(
                    format!("✗ listing keys failed ({}): {}", e.category, e.message),
                    theme.error,
                ),
                Span::styled("  Ctrl-R retries", theme.dim),
            ]),
        };
        status_line.render(status, buf);
        self.list.filter.render(filter, buf, theme, None);
        let chosen_arn = match &self.choice {
            KmsChoice::Customer { arn } => Some(arn.clone()),
            _ => None,
        };
        let aws_owned = self.choice == KmsChoice::AwsOwned;
        self.list.render_rows(list, buf, theme, |e, _| match e {
            Entry::AwsOwned => Line::from(vec![
                Span::raw(if aws_owned { "● " } else { "  " }),
                Span::raw("AWS owned key"),
                Span::styled(
                    "  no key to manage; you cannot audit or revoke it",
                    theme.dim,
                ),
            ]),
            Entry::Key { key, reasons } => {
                let mark = if chosen_arn.as_deref() == Some(key.arn.as_str()) {
                    "● "
                } else {
                    "  "
                };
                // At least one space before the key id, even for aliases longer than the column.
                let name = format!("{:<32}", format!("{} ", key.label()));
                if reasons.is_empty() {
                    Line::from(vec![
                        Span::raw(mark),
                        Span::raw(name),
                        Span::styled(key.key_id.clone(), theme.dim),
                    ])
                } else {
                    let why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                    Line::from(vec![
                        Span::raw(mark),
                        Span::styled(name, theme.dim),
                        Span::styled(format!("✗ {}", why.join("; ")), theme.dim),
                    ])
                }
            }
        });
        if list.height > 0 && self.list.visible().is_empty() {
            Paragraph::new("no key matches the filter")
                .style(theme.dim)
                .wrap(Wrap { trim: true })
                .render(list, buf);
        }
        below
    }
}

/// Rows above the list: the chosen line, the status line and the 3-line filter.
const LIST_TOP: u16 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn key(region: &str, id: &str) -> KeyInfo {
        KeyInfo {
            key_id: id.into(),
            arn: format!("arn:aws:kms:{region}:111122223333:key/{id}"),
            aliases: vec![format!("alias/{id}")],
            description: String::new(),
            key_spec: "SYMMETRIC_DEFAULT".into(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            key_state: "Enabled".into(),
            key_manager: "CUSTOMER".into(),
        }
    }

    #[test]
    fn keys_of_a_region_left_behind_never_show() {
        let mut p = KeyPicker::new(KmsChoice::Undecided, None, String::new());
        assert_eq!(
            p.show(None, "us-east-1"),
            None,
            "no account: nothing to list"
        );
        let east = p.show(Some(&AwsTarget::Local), "us-east-1").unwrap();
        // Shown again for the same place: the listing in flight is kept.
        assert_eq!(p.show(Some(&AwsTarget::Local), "us-east-1"), None);
        let west = p.show(Some(&AwsTarget::Local), "us-west-2").unwrap();
        assert_eq!(west.region, "us-west-2");
        assert!(!p.keys(
            east.generation,
            KeysEvent::Page(vec![key("us-east-1", "a")])
        ));
        assert!(p.keys(
            west.generation,
            KeysEvent::Page(vec![key("us-west-2", "b")])
        ));
        assert!(p.listed(&key("us-east-1", "a").arn).is_none());
        assert_eq!(p.listed(&key("us-west-2", "b").arn).unwrap().1, &[]);
        assert!(p.busy());
        assert!(p.keys(west.generation, KeysEvent::Done));
        assert!(!p.busy());
        assert_eq!(p.retry(), None, "nothing failed: nothing to retry");
    }
}
