//! Step 6: the KMS key for recommendations (and memory, when configured). Customer managed keys
//! of the region stream in page by page while the list stays usable; keys that cannot be used
//! are greyed with the reason. "AWS owned key" is always offered and is a valid choice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::key_policy::KeyPolicyView;
use super::{Flow, Shared, Step, StepCx};
use crate::config::{Diagnostic, category, fields};
use crate::kms::eligibility::{self, Ineligibility, KeyInfo};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::{Answers, KmsChoice};
use crate::tui::screens::{Input, View};
use crate::tui::services::{AwsTarget, KeysEvent, ServiceError};
use crate::tui::slot::{Gen, Slot};
use crate::tui::widgets::filter_list::FilterList;

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

pub struct KmsStep {
    list: FilterList<Entry>,
    load: Load,
    slot: Slot,
    loaded_for: Option<(AwsTarget, String)>,
    choice: KmsChoice,
    region: String,
    target: Option<AwsTarget>,
    refused: Option<String>,
    diags: Vec<Diagnostic>,
    /// The wizard analyses the chosen key's policy; other users of the picker do not.
    policy_check: bool,
    policy: Option<KeyPolicyView>,
}

impl KmsStep {
    pub fn new(answers: &Answers) -> Self {
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
            choice: answers.kms.clone(),
            region: answers.region.clone(),
            target: answers.target.clone(),
            refused: None,
            diags: Vec::new(),
            policy_check: false,
            policy: None,
        }
    }

    /// Choosing a customer managed key also reads and analyses its policy, and offers to put
    /// the recommended one (the wizard's step 6).
    pub fn with_policy_check(mut self) -> Self {
        self.policy_check = true;
        self
    }

    /// Reads the chosen key's policy unless it is already read (or being read).
    fn check_policy(&mut self, effects: &mut Vec<Effect>) {
        let KmsChoice::Customer { arn } = &self.choice else {
            self.policy = None;
            return;
        };
        if !self.policy_check
            || self
                .policy
                .as_ref()
                .is_some_and(|p| p.key_arn() == arn && !p.failed())
        {
            return;
        }
        let label = self
            .list
            .items()
            .iter()
            .find_map(|e| match e {
                Entry::Key { key, .. } if &key.arn == arn => Some(key.label().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| arn.clone());
        let mut view = KeyPolicyView::new(arn.clone(), label);
        if let Some(t) = &self.target {
            view.request(t, &self.region, effects);
        }
        self.policy = Some(view);
    }

    pub fn policy_loaded(&mut self, generation: Gen, result: Result<String, ServiceError>) -> bool {
        self.policy
            .as_mut()
            .is_some_and(|p| p.loaded(generation, result))
    }

    pub fn policy_put(
        &mut self,
        generation: Gen,
        result: Result<(), ServiceError>,
        cx: &mut StepCx<'_>,
    ) -> bool {
        let (target, region) = (self.target.clone(), self.region.clone());
        self.policy
            .as_mut()
            .is_some_and(|p| p.put_done(generation, result, target.as_ref(), &region, cx.effects))
    }

    fn request(&mut self, effects: &mut Vec<Effect>) {
        let (Some(target), false) = (self.target.clone(), self.region.is_empty()) else {
            self.load = Load::Idle;
            return;
        };
        self.load = Load::Loading { pages: 0 };
        effects.push(Effect::ListKmsKeys {
            generation: self.slot.issue(),
            target,
            region: self.region.clone(),
        });
    }

    fn reload(&mut self, effects: &mut Vec<Effect>) {
        self.list.clear();
        self.list.extend(vec![Entry::AwsOwned], Entry::search_text);
        self.loaded_for = self.target.clone().map(|t| (t, self.region.clone()));
        self.request(effects);
        self.select_choice();
    }

    fn select_choice(&mut self) {
        let choice = self.choice.clone();
        self.list.select_where(|e| match (e, &choice) {
            (Entry::AwsOwned, KmsChoice::AwsOwned) => true,
            (Entry::Key { key, .. }, KmsChoice::Customer { arn }) => &key.arn == arn,
            _ => false,
        });
    }

    pub fn page_loaded(&mut self, generation: Gen, event: KeysEvent) -> bool {
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
}

impl Step for KmsStep {
    fn context(&self) -> Context {
        match &self.policy {
            Some(p) if p.confirming() => Context::KeyPolicyConfirm,
            _ if self.policy_check => Context::KmsKeys,
            _ => Context::FilterList,
        }
    }

    fn handle(&mut self, input: Input<'_>, cx: &mut StepCx<'_>) -> Flow {
        if let Some(p) = self.policy.as_mut().filter(|p| p.confirming()) {
            match input {
                Input::Command(Command::Confirm) => {
                    cx.effects
                        .extend(p.confirm(self.target.as_ref(), &self.region));
                }
                Input::Command(Command::Cancel) => p.cancel(),
                // The dialog is modal: nothing else happens until it is answered.
                _ => {}
            }
            return Flow::Handled;
        }
        match input {
            Input::Command(Command::ApplyKeyPolicy) => {
                if let Some(p) = &mut self.policy {
                    p.ask();
                }
            }
            Input::Command(Command::PolicyUp) => {
                if let Some(p) = &mut self.policy {
                    p.scroll_by(-1);
                }
            }
            Input::Command(Command::PolicyDown) => {
                if let Some(p) = &mut self.policy {
                    p.scroll_by(1);
                }
            }
            Input::Command(Command::Up) | Input::Scroll(-1) => self.list.move_by(-1),
            Input::Command(Command::Down) | Input::Scroll(1) => self.list.move_by(1),
            Input::Command(Command::PageUp) => self.list.move_by(-10),
            Input::Command(Command::PageDown) => self.list.move_by(10),
            Input::Command(Command::Select) => {
                self.choose();
                self.check_policy(cx.effects);
                // A customer key stays on screen so its policy analysis can be read.
                let analysing = self.policy_check && self.policy.is_some();
                if self.refused.is_none() && !analysing {
                    return Flow::Advance;
                }
            }
            Input::Command(Command::Retry) => {
                if matches!(self.load, Load::Failed(_)) || self.loaded_for.is_none() {
                    self.reload(cx.effects);
                }
                if self.policy.as_ref().is_some_and(KeyPolicyView::failed) {
                    self.policy = None;
                    self.check_policy(cx.effects);
                }
            }
            Input::Key(k) => {
                self.list.input(k);
            }
            Input::Paste(s) => {
                self.list.paste(s);
            }
            Input::Click { row, height, .. } => {
                let Some(r) = row.checked_sub(LIST_TOP) else {
                    return Flow::Unhandled;
                };
                self.list
                    .select_row(usize::from(r), usize::from(height.saturating_sub(LIST_TOP)));
                self.choose();
                self.check_policy(cx.effects);
            }
            _ => return Flow::Unhandled,
        }
        Flow::Handled
    }

    fn on_enter(&mut self, cx: &mut StepCx<'_>) {
        self.region = cx.shared.region().to_string();
        self.target.clone_from(&cx.shared.target);
        let wanted = self.target.clone().map(|t| (t, self.region.clone()));
        if wanted != self.loaded_for || matches!(self.load, Load::Failed(_)) {
            self.reload(cx.effects);
        }
        self.check_policy(cx.effects);
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.region = shared.region().to_string();
        self.target.clone_from(&shared.target);
        self.diags = match &self.choice {
            KmsChoice::Undecided => vec![
                Diagnostic::error("kms_key", category::SECURITY, "no KMS key chosen")
                    .with_hint("choose a customer managed key of this region, or \"AWS owned key\" to let AWS manage encryption"),
            ],
            KmsChoice::AwsOwned => Vec::new(),
            KmsChoice::Customer { arn } => {
                let mut d = fields::encryption_key_arn(arn, &self.region);
                for d2 in &mut d {
                    d2.field = "kms_key".into();
                }
                let listed = self.list.items().iter().find_map(|e| match e {
                    Entry::Key { key, reasons } if &key.arn == arn => Some((key, reasons)),
                    _ => None,
                });
                if let Some((key, reasons)) = listed
                    && let Some(first) = reasons.first()
                {
                    let why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                    d.push(
                        Diagnostic::error("kms_key", category::SECURITY, format!("{} cannot be used: {}", key.label(), why.join("; ")))
                            .with_hint(first.fix()),
                    );
                }
                d
            }
        };
        if let Some(p) = &mut self.policy {
            p.analyse(shared);
            p.diagnostics(&mut self.diags);
        }
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn write(&self, answers: &mut Answers) {
        answers.kms = self.choice.clone();
    }

    fn busy(&self) -> bool {
        matches!(self.load, Load::Loading { .. })
            || self.policy.as_ref().is_some_and(KeyPolicyView::busy)
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [chosen, status, filter, rest] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(area);
        // The policy takes what the list does not need beyond a few rows.
        let (list, policy_area) = match &self.policy {
            Some(_) => {
                let rows = u16::try_from(self.list.visible().len()).unwrap_or(u16::MAX);
                let [l, p] =
                    Layout::vertical([Constraint::Length(rows.clamp(2, 4)), Constraint::Min(3)])
                        .areas(rest);
                (l, Some(p))
            }
            None => (rest, None),
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
                    "{} loading keys of {}… ({keys} so far, page {})",
                    view.spinner(),
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
        if let (Some(p), Some(pa)) = (&self.policy, policy_area) {
            p.render(pa, buf, view);
            if p.confirming() {
                p.render_confirm(area, buf, view);
            }
        }
    }
}

/// Rows above the list: the chosen line, the status line and the 3-line filter.
const LIST_TOP: u16 = 5;
