//! The wizard's steps, one module each: pack, region, role, artifact, a2a, tags, kms, review.
//!
//! The deploy wizard: eight steps (DESIGN.md "Screens"), one module each. Every step keeps its
//! own input for the whole session, so going back never loses anything. After any change the
//! wizard collects the answers, derives what the steps share (caller account, region, pack), and
//! re-checks every step: the stepper and the diagnostics always agree with the inputs.

pub mod a2a;
pub mod artifact;
pub mod key_policy;
pub mod kms;
pub mod pack;
pub mod region;
pub mod review;
pub mod role;
pub mod tags;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Input, View};
use crate::config::{Diagnostic, Severity};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::msg::wizard::{Outcome, TaskResult};
use crate::tui::persist::Answers;
use crate::tui::services::{AwsTarget, ServiceError};
use crate::tui::widgets::stepper::StepStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepId {
    Pack,
    Region,
    Role,
    Artifact,
    A2a,
    Tags,
    Kms,
    Review,
}

impl StepId {
    pub const ALL: [StepId; 8] = [
        Self::Pack,
        Self::Region,
        Self::Role,
        Self::Artifact,
        Self::A2a,
        Self::Tags,
        Self::Kms,
        Self::Review,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Pack => "Pack & account",
            Self::Region => "Region",
            Self::Role => "Runtime role",
            Self::Artifact => "Runtime artifact",
            Self::A2a => "A2A auth",
            Self::Tags => "Tags",
            Self::Kms => "KMS key",
            Self::Review => "Review",
        }
    }

    fn next(self) -> Option<Self> {
        Self::ALL.get(self.index() + 1).copied()
    }

    fn prev(self) -> Option<Self> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }
}

/// What a pack contributes to other steps (tags defaults, A2A note, review).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackFacts {
    pub id: String,
    pub version: String,
    pub multi_agent: bool,
    pub agents: Vec<String>,
}

/// Facts derived from all steps, recomputed after every change.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    pub answers: Answers,
    pub target: Option<AwsTarget>,
    pub caller_account: Option<String>,
    /// The principal a key policy must name for the caller (a role with its path), or why it
    /// is unknown.
    pub caller_principal: Option<Result<String, ServiceError>>,
    /// Where AWS calls go when it is not AWS (`AWS_ENDPOINT_URL`), for the header.
    pub endpoint: Option<String>,
    pub pack: Option<PackFacts>,
    pub loaded_pack: Option<std::sync::Arc<crate::pack::Pack>>,
}

impl Shared {
    pub fn region(&self) -> &str {
        &self.answers.region
    }
}

pub enum Flow {
    Handled,
    Unhandled,
    /// The step is done (e.g. Enter on its last field): go to the next step if allowed.
    Advance,
}

pub struct StepCx<'a> {
    pub shared: &'a Shared,
    pub effects: &'a mut Vec<Effect>,
}

pub trait Step {
    fn context(&self) -> Context;
    fn handle(&mut self, input: Input<'_>, cx: &mut StepCx<'_>) -> Flow;
    /// Called when the step becomes current (e.g. to start loading what it lists).
    fn on_enter(&mut self, _cx: &mut StepCx<'_>) {}
    fn revalidate(&mut self, shared: &Shared);
    fn diagnostics(&self) -> &[Diagnostic];
    fn write(&self, answers: &mut Answers);
    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>);
    /// True while a request of this step is in flight (the spinner animates).
    fn busy(&self) -> bool {
        false
    }
    /// Whether Tab moves between fields here; the footer offers it only then.
    fn tabs_between_fields(&self) -> bool {
        false
    }
}

pub struct WizardState {
    current: StepId,
    visited: [bool; 8],
    pub pack: pack::PackStep,
    pub region: region::RegionStep,
    pub role: role::RoleStep,
    pub artifact: artifact::ArtifactStep,
    pub a2a: a2a::A2aStep,
    pub tags: tags::TagsStep,
    pub kms: kms::KmsStep,
    pub review: review::ReviewStep,
    shared: Shared,
    /// Why the last Next was refused, shown until the next input.
    pub blocked: Option<String>,
    /// First line of the diagnostics panel shown (Ctrl-↓ / Ctrl-↑); the panel clamps it.
    pub diag_scroll: usize,
}

impl WizardState {
    pub fn new(answers: &Answers) -> Self {
        let mut w = Self {
            current: StepId::Pack,
            visited: [false; 8],
            pack: pack::PackStep::new(answers),
            region: region::RegionStep::new(answers),
            role: role::RoleStep::new(answers),
            artifact: artifact::ArtifactStep::new(answers),
            a2a: a2a::A2aStep::new(answers),
            tags: tags::TagsStep::new(answers),
            kms: kms::KmsStep::new(answers),
            review: review::ReviewStep::new(answers),
            shared: Shared::default(),
            blocked: None,
            diag_scroll: 0,
        };
        w.visited[0] = true;
        w.refresh();
        w
    }

    /// Effects to run at start: entering the first step (loading the preselected pack, etc.).
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.enter(StepId::Pack, &mut effects);
        effects
    }

    pub fn current(&self) -> StepId {
        self.current
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    pub fn answers(&self) -> &Answers {
        &self.shared.answers
    }

    pub fn step(&self, id: StepId) -> &dyn Step {
        match id {
            StepId::Pack => &self.pack,
            StepId::Region => &self.region,
            StepId::Role => &self.role,
            StepId::Artifact => &self.artifact,
            StepId::A2a => &self.a2a,
            StepId::Tags => &self.tags,
            StepId::Kms => &self.kms,
            StepId::Review => &self.review,
        }
    }

    fn step_mut(&mut self, id: StepId) -> &mut dyn Step {
        match id {
            StepId::Pack => &mut self.pack,
            StepId::Region => &mut self.region,
            StepId::Role => &mut self.role,
            StepId::Artifact => &mut self.artifact,
            StepId::A2a => &mut self.a2a,
            StepId::Tags => &mut self.tags,
            StepId::Kms => &mut self.kms,
            StepId::Review => &mut self.review,
        }
    }

    pub fn context(&self) -> Context {
        self.step(self.current).context()
    }

    pub fn busy(&self) -> bool {
        StepId::ALL.iter().any(|s| self.step(*s).busy())
    }

    /// Commands that would do nothing on this step, so the footer does not offer them: Tab on a
    /// step with one field, back on the first step.
    pub fn idle_commands(&self) -> Vec<Command> {
        let mut idle = Vec::new();
        if !self.step(self.current).tabs_between_fields() {
            idle.push(Command::FocusNext);
        }
        if self.current.prev().is_none() {
            idle.push(Command::PrevStep);
        }
        idle
    }

    pub fn status(&self, id: StepId) -> StepStatus {
        if !self.visited[id.index()] {
            return StepStatus::NotVisited;
        }
        let diags = self.step(id).diagnostics();
        if diags.iter().any(|d| d.severity == Severity::Error) {
            StepStatus::Errors
        } else if diags.is_empty() {
            StepStatus::Valid
        } else {
            StepStatus::Warnings
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.step(self.current).diagnostics()
    }

    fn has_errors(&self, id: StepId) -> bool {
        self.step(id).diagnostics().iter().any(Diagnostic::is_error)
    }

    pub fn handle(&mut self, input: Input<'_>) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.blocked = None;
        match input {
            Input::Command(Command::NextStep) => self.go_next(&mut effects),
            Input::Command(Command::PrevStep) => self.go_prev(&mut effects),
            _ => {
                let id = self.current;
                let shared = std::mem::take(&mut self.shared);
                let flow = {
                    let mut cx = StepCx {
                        shared: &shared,
                        effects: &mut effects,
                    };
                    self.step_mut(id).handle(input, &mut cx)
                };
                self.shared = shared;
                self.refresh();
                if matches!(flow, Flow::Advance) {
                    self.go_next(&mut effects);
                }
            }
        }
        effects
    }

    /// Scrolls the diagnostics panel one line; `panel` is where it is drawn (borders included),
    /// so the last line can reach the bottom and no further.
    pub fn scroll_diagnostics(&mut self, down: bool, panel: Rect) {
        let total = usize::from(
            crate::tui::widgets::diagnostics::wanted_height(self.diagnostics(), panel.width)
                .saturating_sub(2),
        );
        let max = total.saturating_sub(usize::from(panel.height.saturating_sub(2)));
        self.diag_scroll = if down {
            (self.diag_scroll + 1).min(max)
        } else {
            self.diag_scroll.saturating_sub(1).min(max)
        };
    }

    /// Click on the stepper: back to any step, forward only over steps without errors.
    pub fn jump_to(&mut self, target: StepId) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.blocked = None;
        if target > self.current {
            if let Some(bad) = (self.current.index()..target.index())
                .map(|i| StepId::ALL[i])
                .find(|s| self.has_errors(*s))
            {
                self.blocked = Some(format!(
                    "fix the errors of step {} ({}) first",
                    bad.index(),
                    bad.title()
                ));
                return effects;
            }
            if !self.visited[target.index() - 1] {
                self.blocked = Some("visit the steps in order the first time (Ctrl-N)".into());
                return effects;
            }
        }
        self.enter(target, &mut effects);
        effects
    }

    fn go_next(&mut self, effects: &mut Vec<Effect>) {
        if self.has_errors(self.current) {
            let n = self.diagnostics().iter().filter(|d| d.is_error()).count();
            self.blocked = Some(format!(
                "{n} error(s) on this step block Next; see Diagnostics"
            ));
            return;
        }
        match self.current.next() {
            Some(next) => self.enter(next, effects),
            // The app opens the plan on Next from a review without errors; only the wizard
            // alone (without the app around it) gets here.
            None => {
                self.blocked =
                    Some("Review is the last step: Next opens the plan of the deployment".into())
            }
        }
    }

    fn go_prev(&mut self, effects: &mut Vec<Effect>) {
        if let Some(prev) = self.current.prev() {
            self.enter(prev, effects);
        }
    }

    fn enter(&mut self, id: StepId, effects: &mut Vec<Effect>) {
        self.current = id;
        self.diag_scroll = 0;
        self.visited[id.index()] = true;
        let shared = std::mem::take(&mut self.shared);
        {
            let mut cx = StepCx {
                shared: &shared,
                effects,
            };
            self.step_mut(id).on_enter(&mut cx);
        }
        self.shared = shared;
        self.refresh();
    }

    /// Routes a task result to the step that asked for it; the step checks the generation.
    /// Returns false when the result was stale and nothing changed.
    pub fn task(&mut self, result: TaskResult) -> (bool, Vec<Effect>) {
        let mut effects = Vec::new();
        let shared = std::mem::take(&mut self.shared);
        let changed = {
            let mut cx = StepCx {
                shared: &shared,
                effects: &mut effects,
            };
            let g = result.generation;
            match result.outcome {
                Outcome::Profiles(r) => self.pack.profiles_loaded(g, r, &mut cx),
                Outcome::CallerIdentity(r) => self.pack.identity_loaded(g, r),
                Outcome::Pack(r) => self.pack.pack_loaded(g, r),
                Outcome::FileCheck(r) => self.artifact.file_checked(g, r),
                Outcome::KmsKeys(r) => self.kms.page_loaded(g, r),
                Outcome::ConfigWritten(r) => self.review.written(g, r),
                Outcome::KeyPolicy(r) => self.kms.policy_loaded(g, r),
                Outcome::KeyPolicyPut(r) => self.kms.policy_put(g, r, &mut cx),
                Outcome::SavedAnswers(_) => false,
            }
        };
        self.shared = shared;
        if changed {
            self.refresh();
        }
        (changed, effects)
    }

    /// Re-derives the shared facts from every step's input, then re-checks every step.
    pub fn refresh(&mut self) {
        if self.region.chosen().is_empty()
            && let Some(r) = self.pack.proposed_region()
        {
            self.region.propose(&r);
        }
        let mut answers = Answers::default();
        for id in StepId::ALL {
            self.step(id).write(&mut answers);
        }
        self.shared.target = answers.target.clone();
        self.shared.caller_account = self.pack.caller_account();
        self.shared.caller_principal = self.pack.caller_principal();
        self.shared.endpoint = self.pack.endpoint().map(str::to_owned);
        self.shared.pack = self.pack.facts();
        self.shared.loaded_pack = self.pack.loaded();
        self.shared.answers = answers;
        let shared = std::mem::take(&mut self.shared);
        for id in StepId::ALL {
            self.step_mut(id).revalidate(&shared);
        }
        self.shared = shared;
    }

    pub fn render_step(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        self.step(self.current).render(area, buf, view);
    }
}

/// The worst severity among diagnostics of one field (for a field's border).
pub fn field_severity(diags: &[Diagnostic], field_prefix: &str) -> Option<Severity> {
    diags
        .iter()
        .filter(|d| d.field.starts_with(field_prefix))
        .map(|d| d.severity)
        .min()
}
