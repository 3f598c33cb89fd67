//! Step 0: the pack file and where to deploy (the local emulator or an AWS profile), with the
//! pack's summary and the caller's account. Reading the pack, listing profiles and asking STS
//! who we are all run as effects; the step shows each as loading, loaded or failed.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{Flow, PackFacts, Shared, Step, StepCx, field_severity};
use crate::config::{Diagnostic, category};
use crate::pack::{Pack, PackSummary};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::msg::wizard::LoadedPack;
use crate::tui::persist::Answers;
use crate::tui::screens::{Input, View};
use crate::tui::services::{AwsTarget, CallerIdentity, ServiceError, TargetsFound};
use crate::tui::slot::{Gen, Slot};
use crate::tui::widgets::text_field::TextField;

#[derive(Debug, Clone, PartialEq)]
enum Remote<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(ServiceError),
}

#[derive(Debug, Clone)]
enum PackState {
    Empty,
    Loading(String),
    Loaded(Box<LoadedPack>),
    Failed(Vec<Diagnostic>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    Path,
    Targets,
}

pub struct PackStep {
    path: TextField,
    pack: PackState,
    pack_slot: Slot,
    focus: Focus,
    profiles: Remote<TargetsFound>,
    profiles_slot: Slot,
    /// Rows of the target list: the emulator first, the environment's credentials, profiles.
    targets: Vec<AwsTarget>,
    cursor: usize,
    target: Option<AwsTarget>,
    identity: Remote<CallerIdentity>,
    identity_slot: Slot,
    region: String,
    /// What the pack would create with the current answers, per pipeline step (title, names).
    resources: Result<Vec<(&'static str, Vec<String>)>, usize>,
    diags: Vec<Diagnostic>,
}

impl PackStep {
    pub fn new(answers: &Answers) -> Self {
        let mut path = TextField::new("Pack file (*.pack.json)", "path/to/pack.json")
            .with_value(&answers.pack_path);
        path.set_focused(true);
        let mut targets = vec![AwsTarget::Local];
        if let Some(t @ AwsTarget::Profile(_)) = &answers.target {
            targets.push(t.clone());
        }
        let cursor = targets
            .iter()
            .position(|t| Some(t) == answers.target.as_ref())
            .unwrap_or(0);
        Self {
            path,
            pack: PackState::Empty,
            pack_slot: Slot::default(),
            focus: Focus::Path,
            profiles: Remote::Idle,
            profiles_slot: Slot::default(),
            targets,
            cursor,
            target: answers.target.clone(),
            identity: Remote::Idle,
            identity_slot: Slot::default(),
            region: answers.region.clone(),
            resources: Ok(Vec::new()),
            diags: Vec::new(),
        }
    }

    pub fn caller_account(&self) -> Option<String> {
        match &self.identity {
            Remote::Loaded(id) => Some(id.account.clone()),
            _ => None,
        }
    }

    pub fn caller_principal(&self) -> Option<Result<String, ServiceError>> {
        match &self.identity {
            Remote::Loaded(id) => Some(id.principal.clone()),
            _ => None,
        }
    }

    pub fn loaded(&self) -> Option<Arc<Pack>> {
        match &self.pack {
            PackState::Loaded(p) => Some(p.pack.clone()),
            _ => None,
        }
    }

    pub fn facts(&self) -> Option<PackFacts> {
        match &self.pack {
            PackState::Loaded(p) => Some(PackFacts {
                id: p.summary.id.clone(),
                version: p.summary.version.clone(),
                multi_agent: p.summary.multi_agent,
                agents: if p.summary.members.is_empty() {
                    p.summary.prompts.clone()
                } else {
                    p.summary.members.clone()
                },
            }),
            _ => None,
        }
    }

    fn load_pack(&mut self, effects: &mut Vec<Effect>) {
        let path = self.path.value().trim().to_string();
        if path.is_empty() {
            self.pack_slot.cancel();
            self.pack = PackState::Empty;
            return;
        }
        let same = match &self.pack {
            PackState::Loading(p) => *p == path,
            PackState::Loaded(p) => p.path == std::path::Path::new(&path),
            _ => false,
        };
        if same {
            return;
        }
        self.pack = PackState::Loading(path.clone());
        effects.push(Effect::LoadPack {
            generation: self.pack_slot.issue(),
            path: PathBuf::from(path),
        });
    }

    fn fetch_identity(&mut self, effects: &mut Vec<Effect>) {
        let Some(target) = self.target.clone() else {
            return;
        };
        self.identity = Remote::Loading;
        // STS is global, but the SDK wants a region; any valid one answers for the account.
        let region = if self.region.is_empty() {
            "us-east-1".to_string()
        } else {
            self.region.clone()
        };
        effects.push(Effect::FetchCallerIdentity {
            generation: self.identity_slot.issue(),
            target,
            region,
        });
    }

    fn choose_target(&mut self, effects: &mut Vec<Effect>) {
        let Some(t) = self.targets.get(self.cursor).cloned() else {
            return;
        };
        if self.target.as_ref() != Some(&t)
            || !matches!(self.identity, Remote::Loaded(_) | Remote::Loading)
        {
            self.target = Some(t);
            self.fetch_identity(effects);
        }
    }

    pub fn pack_loaded(
        &mut self,
        generation: Gen,
        result: Result<Box<LoadedPack>, Vec<Diagnostic>>,
    ) -> bool {
        if !self.pack_slot.accept(generation) {
            return false;
        }
        self.pack = match result {
            Ok(p) => PackState::Loaded(p),
            Err(d) => PackState::Failed(d),
        };
        true
    }

    pub fn profiles_loaded(
        &mut self,
        generation: Gen,
        result: Result<TargetsFound, ServiceError>,
        cx: &mut StepCx<'_>,
    ) -> bool {
        if !self.profiles_slot.accept(generation) {
            return false;
        }
        let current = self.targets.get(self.cursor).cloned();
        match result {
            Ok(found) => {
                self.targets = std::iter::once(AwsTarget::Local)
                    .chain(found.env_credentials.then_some(AwsTarget::Environment))
                    .chain(
                        found
                            .profiles
                            .iter()
                            .map(|p| AwsTarget::Profile(p.name.clone())),
                    )
                    .collect();
                if let Some(t) = &self.target
                    && !self.targets.contains(t)
                {
                    self.targets.push(t.clone());
                }
                // Nothing chosen yet: AWS_PROFILE says which profile the user works with.
                let preselect = match (&self.target, &found.env_profile) {
                    (None, Some(p)) => {
                        Some(AwsTarget::Profile(p.clone())).filter(|t| self.targets.contains(t))
                    }
                    _ => None,
                };
                self.cursor = preselect
                    .clone()
                    .or(current)
                    .and_then(|c| self.targets.iter().position(|t| *t == c))
                    .unwrap_or(0);
                self.profiles = Remote::Loaded(found);
                if preselect.is_some() {
                    self.choose_target(cx.effects);
                }
            }
            Err(e) => self.profiles = Remote::Failed(e),
        }
        true
    }

    /// The region the chosen target suggests: its profile's, else `AWS_REGION`.
    pub fn proposed_region(&self) -> Option<String> {
        let Remote::Loaded(found) = &self.profiles else {
            return None;
        };
        let from_profile = match &self.target {
            Some(AwsTarget::Profile(p)) => found
                .profiles
                .iter()
                .find(|e| e.name == *p)
                .and_then(|e| e.region.clone()),
            Some(AwsTarget::Environment) => None,
            Some(AwsTarget::Local) | None => return None,
        };
        from_profile.or_else(|| found.env_region.clone())
    }

    /// `AWS_ENDPOINT_URL` when set: AWS calls of a profile or the environment go there.
    pub fn endpoint(&self) -> Option<&str> {
        match (&self.profiles, &self.target) {
            (Remote::Loaded(found), Some(AwsTarget::Profile(_) | AwsTarget::Environment)) => {
                found.endpoint.as_deref()
            }
            _ => None,
        }
    }

    /// A target as listed: profiles with how they sign in and their region.
    fn target_label(&self, t: &AwsTarget) -> String {
        let entry = match (&self.profiles, t) {
            (Remote::Loaded(found), AwsTarget::Profile(p)) => {
                found.profiles.iter().find(|e| e.name == *p)
            }
            _ => None,
        };
        let notes: Vec<&str> = entry
            .map(|e| {
                e.kind
                    .iter()
                    .chain(e.region.iter())
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        if notes.is_empty() {
            t.label()
        } else {
            format!("{} ({})", t.label(), notes.join(", "))
        }
    }

    pub fn identity_loaded(
        &mut self,
        generation: Gen,
        result: Result<CallerIdentity, ServiceError>,
    ) -> bool {
        if !self.identity_slot.accept(generation) {
            return false;
        }
        self.identity = match result {
            Ok(id) => Remote::Loaded(id),
            Err(e) => Remote::Failed(e),
        };
        true
    }

    fn set_focus(&mut self, focus: Focus) {
        self.focus = focus;
        self.path.set_focused(focus == Focus::Path);
    }
}

impl Step for PackStep {
    fn context(&self) -> Context {
        match self.focus {
            Focus::Path => Context::Text,
            Focus::Targets => Context::Choice,
        }
    }

    fn on_enter(&mut self, cx: &mut StepCx<'_>) {
        if matches!(self.profiles, Remote::Idle) {
            self.profiles = Remote::Loading;
            cx.effects.push(Effect::LoadProfiles {
                generation: self.profiles_slot.issue(),
            });
        }
        if matches!(self.pack, PackState::Empty) {
            self.load_pack(cx.effects);
        }
        if self.target.is_some() && matches!(self.identity, Remote::Idle) {
            self.fetch_identity(cx.effects);
        }
    }

    fn handle(&mut self, input: Input<'_>, cx: &mut StepCx<'_>) -> Flow {
        match (self.focus, input) {
            (_, Input::Command(Command::FocusNext | Command::FocusPrev))
            | (Focus::Path, Input::Command(Command::Down)) => {
                if self.focus == Focus::Path {
                    self.load_pack(cx.effects);
                    self.set_focus(Focus::Targets);
                } else {
                    self.set_focus(Focus::Path);
                }
            }
            (Focus::Path, Input::Command(Command::Submit)) => {
                self.load_pack(cx.effects);
                self.set_focus(Focus::Targets);
            }
            (Focus::Path, Input::Key(k)) => {
                self.path.input(k);
            }
            (Focus::Path, Input::Paste(s)) => {
                self.path.paste(s);
            }
            (Focus::Targets, Input::Command(Command::Up)) | (Focus::Targets, Input::Scroll(-1)) => {
                if self.cursor == 0 {
                    self.set_focus(Focus::Path);
                } else {
                    self.cursor -= 1;
                }
            }
            (Focus::Targets, Input::Command(Command::Down))
            | (Focus::Targets, Input::Scroll(1)) => {
                self.cursor = (self.cursor + 1).min(self.targets.len().saturating_sub(1));
            }
            (Focus::Targets, Input::Command(Command::Select)) => {
                let already = self.targets.get(self.cursor) == self.target.as_ref()
                    && matches!(self.identity, Remote::Loaded(_));
                self.choose_target(cx.effects);
                if already {
                    return Flow::Advance;
                }
            }
            (_, Input::Command(Command::Retry)) => {
                if matches!(self.identity, Remote::Failed(_)) {
                    self.fetch_identity(cx.effects);
                }
                if matches!(self.profiles, Remote::Failed(_)) {
                    self.profiles = Remote::Loading;
                    cx.effects.push(Effect::LoadProfiles {
                        generation: self.profiles_slot.issue(),
                    });
                }
                if matches!(self.pack, PackState::Failed(_)) {
                    self.load_pack(cx.effects);
                }
            }
            (_, Input::Click { row, .. }) => {
                if (1..=3).contains(&row) {
                    self.set_focus(Focus::Path);
                } else if let Some(i) = row.checked_sub(TARGETS_TOP).map(usize::from)
                    && i < self.targets.len()
                {
                    self.set_focus(Focus::Targets);
                    self.cursor = i;
                    self.choose_target(cx.effects);
                } else {
                    return Flow::Unhandled;
                }
            }
            _ => return Flow::Unhandled,
        }
        Flow::Handled
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.region = shared.region().to_string();
        self.resources = match &shared.loaded_pack {
            None => Ok(Vec::new()),
            Some(pack) => match crate::derive::derive(
                pack,
                &crate::services::answers::deploy_config(&shared.answers),
            ) {
                Ok(plan) => Ok(crate::services::deploy::resources_by_step(&plan)),
                Err(e) => Err(e.0.len()),
            },
        };
        let mut d = Vec::new();
        let typed = self.path.value().trim();
        match &self.pack {
            PackState::Empty if typed.is_empty() => d.push(
                Diagnostic::error("pack", category::PACK, "no pack file chosen")
                    .with_hint("type the path of a *.pack.json file and press Enter"),
            ),
            PackState::Empty => d.push(
                Diagnostic::error("pack", category::PACK, "the pack has not been read yet")
                    .with_hint("press Enter to read it"),
            ),
            PackState::Loading(_) => d.push(Diagnostic::error(
                "pack",
                category::PACK,
                "reading the pack…",
            )),
            PackState::Loaded(p) if p.path != std::path::Path::new(typed) => d.push(
                Diagnostic::error(
                    "pack",
                    category::PACK,
                    "the path changed since the pack was read",
                )
                .with_hint("press Enter to read the new path"),
            ),
            PackState::Loaded(_) => {}
            PackState::Failed(errs) => d.extend(errs.iter().cloned()),
        }
        match (&self.target, &self.identity) {
            (None, _) => d.push(
                Diagnostic::error(
                    "account",
                    category::CONFIGURATION,
                    "no deployment target chosen",
                )
                .with_hint(
                    "pick the local emulator or an AWS profile in the list (Tab, then Enter)",
                ),
            ),
            (Some(_), Remote::Failed(e)) => {
                let mut diag = Diagnostic::error(
                    "account",
                    e.category.clone(),
                    format!("cannot identify the caller: {}", e.message),
                );
                diag.hint.clone_from(&e.hint);
                d.push(diag);
            }
            _ => {}
        }
        self.diags = d;
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn tabs_between_fields(&self) -> bool {
        true
    }

    fn write(&self, answers: &mut Answers) {
        answers.pack_path = self.path.value().trim().to_string();
        answers.target.clone_from(&self.target);
    }

    fn busy(&self) -> bool {
        self.pack_slot.is_pending()
            || self.identity_slot.is_pending()
            || self.profiles_slot.is_pending()
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [path, _, targets_area] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Min(4),
        ])
        .areas(area);
        self.path
            .render(path, buf, theme, field_severity(&self.diags, "pack"));
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(targets_area);

        let mut lines = vec![Line::styled("Deploy to:", theme.title)];
        for (i, t) in self.targets.iter().enumerate() {
            let mark = if Some(t) == self.target.as_ref() {
                "● "
            } else {
                "○ "
            };
            let style = if i == self.cursor && self.focus == Focus::Targets {
                theme.selected
            } else {
                theme.text
            };
            lines.push(Line::styled(
                format!("{mark}{}", self.target_label(t)),
                style,
            ));
        }
        match &self.profiles {
            Remote::Loading => lines.push(Line::styled(
                format!("{} reading AWS profiles…", view.spinner()),
                theme.dim,
            )),
            Remote::Failed(e) => lines.push(Line::styled(
                format!("✗ profiles: {}", e.message),
                theme.error,
            )),
            Remote::Loaded(v) if v.profiles.is_empty() => {
                lines.push(Line::styled("(no profiles in ~/.aws/config)", theme.dim))
            }
            _ => {}
        }
        lines.push(Line::raw(""));
        lines.push(match &self.identity {
            Remote::Idle => Line::styled("Account: choose a target", theme.dim),
            Remote::Loading => Line::styled(
                format!("{} asking STS who we are…", view.spinner()),
                theme.dim,
            ),
            Remote::Loaded(id) => Line::from(vec![
                Span::raw("Account: "),
                Span::styled(id.account.clone(), theme.title),
            ]),
            Remote::Failed(e) => Line::styled(
                format!("✗ {} (Ctrl-R / r retries)", e.category),
                theme.error,
            ),
        });
        if let Remote::Loaded(id) = &self.identity {
            lines.push(Line::styled(id.arn.clone(), theme.dim));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(left, buf);

        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" Pack ", theme.title));
        let summary: Vec<Line> = match &self.pack {
            PackState::Empty => vec![Line::styled("no pack read yet", theme.dim)],
            PackState::Loading(p) => vec![Line::styled(
                format!("{} reading {p}…", view.spinner()),
                theme.dim,
            )],
            PackState::Failed(_) => vec![Line::styled(
                "the pack could not be read: see Diagnostics",
                theme.error,
            )],
            PackState::Loaded(p) => {
                let mut lines = summary_lines(&p.summary, theme);
                lines.push(Line::raw(""));
                match &self.resources {
                    Ok(steps) => {
                        let n: usize = steps.iter().map(|(_, names)| names.len()).sum();
                        lines.push(Line::styled(
                            format!("Will create {n} resource(s):"),
                            theme.title,
                        ));
                        for (title, names) in steps {
                            lines.push(Line::from(vec![
                                Span::styled(format!("{title}: "), theme.dim),
                                Span::raw(names.join(", ")),
                            ]));
                        }
                    }
                    Err(n) => lines.push(Line::styled(
                        format!("cannot be planned yet: {n} error(s), see Review"),
                        theme.warning,
                    )),
                }
                lines
            }
        };
        Paragraph::new(summary)
            .wrap(Wrap { trim: false })
            .block(block)
            .render(right, buf);
    }
}

fn summary_lines(s: &PackSummary, theme: &crate::tui::theme::Theme) -> Vec<Line<'static>> {
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), theme.dim),
            Span::raw(v),
        ])
    };
    let mut out = vec![
        Line::styled(format!("{} ({})", s.name, s.id), theme.title),
        kv("version", s.version.clone()),
        kv("prompts", s.prompts.join(", ")),
    ];
    if s.multi_agent {
        out.push(kv(
            "agents",
            format!(
                "entry {} → {}",
                s.entry.clone().unwrap_or_default(),
                s.members.join(", ")
            ),
        ));
    } else {
        out.push(kv("agents", "single agent".into()));
    }
    out.push(kv(
        "tools",
        if s.tools.is_empty() {
            "none".into()
        } else {
            s.tools.join(", ")
        },
    ));
    if !s.blocked_tools.is_empty() {
        out.push(kv(
            "blocked",
            format!("{} (Cedar forbid)", s.blocked_tools.join(", ")),
        ));
    }
    out.push(kv(
        "evals",
        format!("{} ({} online)", s.evals, s.online_evals),
    ));
    out
}

/// Row of the first target: under the path field (3), a spacer (1) and "Deploy to:" (1).
const TARGETS_TOP: u16 = 5;
