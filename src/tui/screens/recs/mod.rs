//! The recommendation screens: list, detail, start, confirm (delete), activity (KMS), their flow.
//!
//! Recommendations (issue 7) and their KMS activity: list → detail → delete, reachable from any
//! screen and laid over it, so closing them returns to the wizard or deploy screen untouched.
//! [`RecsFlow`] owns which screen shows, the delete confirmation, and the generation slots: a
//! page, detail or lookup answered after the user moved on is dropped.

pub mod activity;
pub mod confirm;
pub mod detail;
pub mod list;
pub mod start;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{Input, View};
use crate::recommend::{Status, Summary};
use crate::tui::effect::Effect;
use crate::tui::keymap::Context;
use crate::tui::services::AwsTarget;
use crate::tui::slot::Slot;
use crate::tui::theme::Theme;
use crate::tui::widgets::key_hints;

use crate::tui::msg::recs::{Place, RecsEffect, RecsMsg, RecsOutcome};
pub use activity::ActivityState;
pub use confirm::DeleteConfirm;
pub use detail::DetailState;
pub use list::ListState;
pub use start::{DeployedRuntime, Draft, StartForm, WizardFacts};

pub enum Screen {
    List,
    Detail(DetailState),
    Activity(ActivityState),
    /// The start form (kept in [`RecsFlow::form`] while away from it).
    Start,
}

/// What the app must do after the recommendation screens handled an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Handled,
    /// Ask whether to quit (the app's own question).
    Quit,
    /// Back to the screen the recommendations were opened from.
    Close,
}

#[derive(Default)]
struct Slots {
    list: Slot,
    detail: Slot,
    refresh: Slot,
    delete: Slot,
    activity: Slot,
    start: Slot,
}

pub struct RecsFlow {
    open: bool,
    pub screen: Screen,
    /// Kept while a detail or the activity shows, so going back finds it as it was.
    pub list: ListState,
    pub confirm: Option<DeleteConfirm>,
    /// The start form, kept while the user looks elsewhere until it has started something.
    pub form: Option<Box<StartForm>>,
    place: Option<Place>,
    slots: Slots,
}

/// What the screens need from the rest of the app to open the start form: a read-only view the
/// app builds (`app::recs_cx`), so these screens never read another screen's state.
pub struct Cx {
    pub wizard: WizardFacts,
    pub runtime: Option<DeployedRuntime>,
}

impl Default for RecsFlow {
    fn default() -> Self {
        Self {
            open: false,
            screen: Screen::List,
            list: ListState::default(),
            confirm: None,
            form: None,
            place: None,
            slots: Slots::default(),
        }
    }
}

/// Where the screens would talk to, from what the wizard knows: `Err` says what is missing.
pub fn place(target: Option<&AwsTarget>, region: &str) -> Result<Place, String> {
    match (target, region.is_empty()) {
        (Some(t), false) => Ok(Place {
            target: t.clone(),
            region: region.to_string(),
        }),
        (None, _) => {
            Err("choose an AWS profile or the local emulator first (wizard step 0)".into())
        }
        (Some(_), true) => Err("choose a region first (wizard step 1)".into()),
    }
}

impl RecsFlow {
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn place(&self) -> Option<&Place> {
        self.place.as_ref()
    }

    pub fn close(&mut self) {
        self.open = false;
        self.confirm = None;
        // Answers still in flight for screens that are gone are not wanted.
        self.slots.detail.cancel();
        self.slots.activity.cancel();
    }

    pub fn context(&self) -> Context {
        if self.confirm.is_some() {
            return Context::RecDelete;
        }
        match &self.screen {
            Screen::List if self.list.filtering => Context::RecFilter,
            Screen::List => Context::RecList,
            Screen::Detail(_) => Context::RecDetail,
            Screen::Activity(a) if a.filtering => Context::RecFilter,
            Screen::Activity(_) => Context::RecActivity,
            Screen::Start => Context::RecStart,
        }
    }

    pub fn title(&self) -> &'static str {
        match &self.screen {
            Screen::List => "Recommendations",
            Screen::Detail(_) => "Recommendation",
            Screen::Activity(_) => "KMS activity",
            Screen::Start => "Start a recommendation",
        }
    }

    pub fn animating(&self) -> bool {
        if !self.open {
            return false;
        }
        let list = self.list.loading() || self.list.unfinished() > 0 || self.list.deleting();
        match &self.screen {
            Screen::List => list,
            Screen::Detail(d) => d.loading || list,
            Screen::Activity(a) => a.loading || list,
            Screen::Start => {
                self.form
                    .as_ref()
                    .is_some_and(|f| f.sending || f.picker.busy() || f.checking_policy())
                    || list
            }
        }
    }

    /// Opens the list for `place` (or says what is missing). The same place keeps what was
    /// loaded; another place starts over.
    pub fn open_list(&mut self, place: Result<Place, String>) -> Vec<Effect> {
        self.open = true;
        self.screen = Screen::List;
        self.confirm = None;
        let place = match place {
            Ok(p) => p,
            Err(why) => {
                self.place = None;
                self.slots.list.cancel();
                self.list = ListState::default();
                self.list.unavailable(why);
                return Vec::new();
            }
        };
        if self.place.as_ref() == Some(&place) && !self.list.is_unavailable() {
            return Vec::new();
        }
        self.place = Some(place);
        self.reload()
    }

    /// Opens the KMS activity, filtered to `recommendation` when given.
    pub fn open_activity(
        &mut self,
        place: Result<Place, String>,
        recommendation: Option<String>,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        if !self.open || self.place.as_ref() != place.as_ref().ok() {
            effects = self.open_list(place.clone());
        }
        self.open = true;
        self.confirm = None;
        let mut state = ActivityState::new(recommendation);
        match place {
            Ok(p) => {
                state.loading = true;
                effects.push(Effect::Recs(RecsEffect::Activity {
                    generation: self.slots.activity.issue(),
                    place: p,
                }));
            }
            Err(why) => state.failed = Some(why),
        }
        self.screen = Screen::Activity(state);
        effects
    }

    fn reload(&mut self) -> Vec<Effect> {
        let Some(place) = self.place.clone() else {
            return Vec::new();
        };
        self.slots.refresh.cancel();
        self.list.start_loading();
        vec![Effect::Recs(RecsEffect::List {
            generation: self.slots.list.issue(),
            place,
        })]
    }

    fn open_detail(&mut self, summary: Summary) -> Vec<Effect> {
        let Some(place) = self.place.clone() else {
            return Vec::new();
        };
        let id = summary.id.clone();
        self.screen = Screen::Detail(DetailState::loading(summary));
        vec![Effect::Recs(RecsEffect::Get {
            generation: self.slots.detail.issue(),
            place,
            id,
        })]
    }

    pub fn handle(&mut self, input: Input<'_>, cx: &Cx, effects: &mut Vec<Effect>) -> Flow {
        if let Some(confirm) = &mut self.confirm {
            match confirm.handle(input) {
                confirm::Answer::Pending => {}
                confirm::Answer::Cancel => self.confirm = None,
                confirm::Answer::Delete(ids) => {
                    self.confirm = None;
                    effects.extend(self.delete(ids));
                }
            }
            return Flow::Handled;
        }
        let request = match &mut self.screen {
            Screen::List => self.list.handle(input),
            Screen::Detail(d) => d.handle(input),
            Screen::Activity(a) => a.handle(input),
            Screen::Start => match (&mut self.form, &self.place) {
                (Some(f), Some(p)) => f.handle(input, p, effects),
                _ => Request::Back,
            },
        };
        match request {
            Request::None => {}
            Request::Quit => return Flow::Quit,
            Request::Back => match self.screen {
                Screen::List => return Flow::Close,
                _ => {
                    self.slots.detail.cancel();
                    self.slots.activity.cancel();
                    self.screen = Screen::List;
                }
            },
            Request::Reload => effects.extend(self.reload()),
            Request::Open(summary) => effects.extend(self.open_detail(*summary)),
            Request::ReloadDetail => {
                if let Screen::Detail(d) = &self.screen {
                    let s = d.summary.clone();
                    effects.extend(self.open_detail(s));
                }
            }
            Request::AskDelete(items) => {
                if !items.is_empty() {
                    self.confirm = Some(DeleteConfirm::new(items));
                }
            }
            Request::Activity(rec) => {
                let place = self.place.clone().ok_or_else(|| "no account chosen".into());
                effects.extend(self.open_activity(place, rec));
            }
            Request::ReloadActivity => {
                if let (Screen::Activity(a), Some(place)) = (&mut self.screen, self.place.clone()) {
                    a.loading = true;
                    effects.push(Effect::Recs(RecsEffect::Activity {
                        generation: self.slots.activity.issue(),
                        place,
                    }));
                }
            }
            Request::Copy(text) => effects.push(Effect::CopyToClipboard(text)),
            Request::New => {
                if self.place.is_some() {
                    if self.form.is_none()
                        && let Some(place) = &self.place
                    {
                        let mut form =
                            StartForm::new(cx.wizard.clone(), cx.runtime.as_ref(), effects);
                        form.check_policy(place, effects);
                        self.form = Some(Box::new(form));
                    }
                    self.screen = Screen::Start;
                }
            }
            Request::Start(draft) => {
                if let Some(place) = self.place.clone() {
                    effects.push(Effect::Recs(RecsEffect::Start {
                        generation: self.slots.start.issue(),
                        place,
                        request: Box::new(draft.request),
                        input_file: draft.input_file,
                    }));
                }
            }
        }
        Flow::Handled
    }

    fn delete(&mut self, ids: Vec<String>) -> Vec<Effect> {
        let Some(place) = self.place.clone() else {
            return Vec::new();
        };
        self.list.deleting_started(&ids);
        // A deleted recommendation's detail has nothing left to show.
        if let Screen::Detail(d) = &self.screen
            && ids.contains(&d.summary.id)
        {
            self.slots.detail.cancel();
            self.screen = Screen::List;
        }
        vec![Effect::Recs(RecsEffect::Delete {
            generation: self.slots.delete.issue(),
            place,
            ids,
        })]
    }

    /// A task's answer; false when it was stale and changed nothing.
    pub fn result(&mut self, msg: RecsMsg) -> bool {
        let g = msg.generation;
        match msg.outcome {
            RecsOutcome::Page(items) if self.slots.list.is_current(g) => {
                self.list.page(items);
                true
            }
            RecsOutcome::ListDone if self.slots.list.accept(g) => {
                self.list.done();
                true
            }
            RecsOutcome::ListFailed(e) if self.slots.list.accept(g) => {
                self.list.failed(e);
                true
            }
            RecsOutcome::Detail(r) => match &mut self.screen {
                Screen::Detail(d) if self.slots.detail.accept(g) => {
                    if let Ok(detail) = &r {
                        self.list.learned(&detail.summary.id, Ok(detail));
                    } else if let Err(e) = &r {
                        self.list.learned(&d.summary.id, Err(e));
                    }
                    d.loaded(r);
                    true
                }
                _ => false,
            },
            RecsOutcome::Refreshed(got) if self.slots.refresh.accept(g) => {
                for (id, r) in &got {
                    self.list.learned(id, r.as_ref());
                }
                true
            }
            // Deletions are applied whatever happened since: each names its recommendation.
            RecsOutcome::Deleted { id, result } => {
                self.list.deleted(&id, result);
                true
            }
            RecsOutcome::DeleteDone => {
                self.slots.delete.accept(g);
                self.list.deleting_finished();
                true
            }
            RecsOutcome::Keys(ev) => match &mut self.form {
                Some(f) => f.keys(g, ev),
                None => false,
            },
            RecsOutcome::KeyPolicy(r) => match &mut self.form {
                Some(f) => f.policy_checked(g, r),
                None => false,
            },
            RecsOutcome::Started(r) if self.slots.start.accept(g) => {
                if let Some(f) = &mut self.form {
                    f.started(&r);
                }
                if let Ok(s) = r {
                    self.form = None;
                    self.list.added(s);
                    if matches!(self.screen, Screen::Start) {
                        self.screen = Screen::List;
                    }
                }
                true
            }
            RecsOutcome::Activity(r) => match &mut self.screen {
                Screen::Activity(a) if self.slots.activity.accept(g) => {
                    a.loaded(r, &self.list);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Every tick: the list counts down to re-reading what is not finished yet.
    pub fn tick(&mut self) -> Vec<Effect> {
        if !self.open || self.slots.refresh.is_pending() {
            return Vec::new();
        }
        let Some(place) = self.place.clone() else {
            return Vec::new();
        };
        match self.list.tick() {
            Some(ids) => vec![Effect::Recs(RecsEffect::Refresh {
                generation: self.slots.refresh.issue(),
                place,
                ids,
            })],
            None => Vec::new(),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let theme = view.theme;
        let mut spans = vec![
            Span::styled(" agentcore-tui ", theme.title),
            Span::styled(format!("· {}", self.title()), theme.dim),
        ];
        if let Some(p) = &self.place {
            spans.push(Span::styled(
                format!("  {} · {}", p.target.label(), p.region),
                theme.accent,
            ));
        }
        Line::from(spans).render(head, buf);
        match &self.screen {
            Screen::List => self.list.render(body, buf, view),
            Screen::Detail(d) => d.render(body, buf, view),
            Screen::Activity(a) => a.render(body, buf, view),
            Screen::Start => {
                if let Some(f) = &self.form {
                    f.render(body, buf, view);
                }
            }
        }
        if let Some(c) = &self.confirm {
            c.render(area, buf, theme);
        }
        key_hints::render(self.context(), false, foot, buf, theme);
    }
}

/// What a screen asks its flow to do (screens never build each other).
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    None,
    Quit,
    Back,
    Reload,
    Open(Box<Summary>),
    ReloadDetail,
    AskDelete(Vec<Summary>),
    Activity(Option<String>),
    ReloadActivity,
    /// Open the start form.
    New,
    Start(Box<Draft>),
    Copy(String),
}

/// `2026-01-01 10:00:00` (UTC), the same width everywhere.
pub(crate) fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A status in its colour: finished ones green or red, moving ones in the warning colour.
pub(crate) fn status_span(s: &Status, theme: &Theme) -> Span<'static> {
    let style = match s {
        Status::Completed => theme.ok,
        Status::Failed => theme.error,
        Status::Pending | Status::InProgress | Status::Deleting => theme.warning,
        Status::Other(_) => theme.dim,
    };
    Span::styled(s.as_str().to_string(), style)
}

/// Keeps the first `width` characters, marking a cut with `…`.
pub(crate) fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}
