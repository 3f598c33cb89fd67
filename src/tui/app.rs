//! The application state and its one transition function. `update` is synchronous and does no
//! I/O: it changes state and returns effects for the runtime. Overlays take keys first.

use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::action::Action;
use super::effect::Effect;
use super::keymap::{self, Command, Context};
use super::layout;
use super::msg::deploy::{DeployMsg, DeployOutcome};
use super::msg::wizard::Outcome;
use super::persist::Answers;
use super::screens::Input;
use super::screens::deploy::{self, DeployFlow};
use super::screens::recs::{self, RecsFlow};
use super::screens::wizard::{StepId, WizardState};
use super::theme::Theme;
use super::waits::Waits;
use super::widgets::overlay;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The keys of the context that was focused when help opened.
    Help(Context),
    ConfirmQuit,
    /// Answers saved by an earlier run, offered back.
    Resume(Box<Answers>),
    /// After a restart: the state of the answers holds resources an apply left "creating".
    /// Only `y` resumes (through the plan screen); Enter, `n` and Esc mean later.
    ResumeApply(Vec<String>),
}

pub struct AppOptions {
    /// Answers to start from (e.g. `--local` preselects the demo pack and the emulator).
    pub initial: Answers,
    /// Look for answers saved by an earlier run and offer them.
    pub offer_saved: bool,
}

pub struct App {
    pub wizard: WizardState,
    /// Which screen shows: the wizard, or plan / apply / status after it.
    pub deploy: DeployFlow,
    /// Recommendations and KMS activity, shown over whichever screen opened them.
    pub recs: RecsFlow,
    pub overlay: Option<Overlay>,
    pub theme: Theme,
    /// AWS calls in flight, for the wait line and Esc.
    pub waits: Waits,
    size: (u16, u16),
    frame: u64,
    quit: bool,
    changed: bool,
    /// Saving starts once the resume question is settled, so the old answers are not
    /// overwritten before the user has been asked about them.
    persist_ready: bool,
    last_saved: Option<Answers>,
    offer_saved: bool,
    /// An interrupted apply found at startup, waiting for the screen to be free to ask.
    interrupted: Option<Vec<String>>,
}

impl App {
    pub fn new(options: AppOptions, theme: Theme, size: (u16, u16)) -> Self {
        Self {
            wizard: WizardState::new(&options.initial),
            deploy: DeployFlow::default(),
            recs: RecsFlow::default(),
            overlay: None,
            theme,
            waits: Waits::default(),
            size,
            frame: 0,
            quit: false,
            changed: true,
            persist_ready: !options.offer_saved,
            last_saved: None,
            offer_saved: options.offer_saved,
            interrupted: None,
        }
    }

    /// The effects of starting up.
    pub fn init(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.offer_saved {
            effects.push(Effect::LoadSavedAnswers);
        }
        effects.extend(self.wizard.start());
        effects
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether anything changed since the last call (the loop draws only then).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Ticks are only needed while a spinner turns.
    pub fn animating(&self) -> bool {
        self.wizard.busy() || self.deploy.animating() || self.recs.animating()
    }

    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    pub fn frame_count(&self) -> u64 {
        self.frame
    }

    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(_)) => Context::Help,
            Some(Overlay::ConfirmQuit | Overlay::Resume(_) | Overlay::ResumeApply(_)) => {
                Context::Confirm
            }
            None if self.recs.is_open() => self.recs.context(),
            None if !self.deploy.is_wizard() => self.deploy.context(),
            None => self.wizard.context(),
        }
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = match action {
            Action::Key(k) => self.key(&k),
            Action::Mouse(m) => self.mouse(&m),
            Action::Paste(s) => {
                if self.overlay.is_some() {
                    return Vec::new();
                }
                self.changed = true;
                if self.recs.is_open() {
                    let mut effects = Vec::new();
                    let cx = recs_cx(&self.wizard, &self.deploy);
                    self.recs.handle(Input::Paste(&s), &cx, &mut effects);
                    return effects;
                }
                if !self.deploy.is_wizard() {
                    let mut effects = Vec::new();
                    self.deploy
                        .handle(Input::Paste(&s), self.wizard.answers(), &mut effects);
                    return effects;
                }
                self.wizard.handle(Input::Paste(&s))
            }
            Action::Resize { width, height } => {
                self.size = (width, height);
                self.changed = true;
                Vec::new()
            }
            Action::Tick => {
                if self.animating() {
                    self.frame = self.frame.wrapping_add(1);
                    self.changed = true;
                }
                let mut effects = self.deploy.tick(self.wizard.answers());
                effects.extend(self.recs.tick());
                effects
            }
            Action::Recs(msg) => {
                self.changed |= self.recs.result(msg);
                Vec::new()
            }
            Action::Call(msg) => {
                self.changed |= self.waits.on(msg);
                Vec::new()
            }
            Action::Deploy(DeployMsg {
                outcome: DeployOutcome::Interrupted(found),
                ..
            }) => {
                match found {
                    Ok(list) if !list.is_empty() => self.interrupted = Some(list),
                    Ok(_) => {}
                    // Only an offer: a target that cannot be reached yet says so on its own step.
                    Err(e) => tracing::debug!(error = %e.message, "no interrupted-apply check"),
                }
                Vec::new()
            }
            Action::Deploy(msg) => {
                self.changed |= self.deploy.deploy(msg);
                Vec::new()
            }
            Action::Task(result) => {
                if let Outcome::SavedAnswers(saved) = result.outcome {
                    self.changed = true;
                    match saved {
                        Some(a) if *a != *self.wizard.answers() => {
                            self.overlay = Some(Overlay::Resume(a));
                            Vec::new()
                        }
                        _ => {
                            self.persist_ready = true;
                            check_interrupted(self.wizard.answers())
                        }
                    }
                } else {
                    let (changed, effects) = self.wizard.task(result);
                    self.changed |= changed;
                    effects
                }
            }
        };
        // Asked once nothing else is: after the saved-answers question, on the wizard.
        if self.overlay.is_none()
            && self.deploy.is_wizard()
            && !self.recs.is_open()
            && let Some(list) = self.interrupted.take()
        {
            self.overlay = Some(Overlay::ResumeApply(list));
            self.changed = true;
        }
        if self.persist_ready && self.last_saved.as_ref() != Some(self.wizard.answers()) {
            let answers = self.wizard.answers().clone();
            self.last_saved = Some(answers.clone());
            effects.push(Effect::SaveAnswers(Box::new(answers)));
        }
        effects
    }

    fn too_small(&self) -> bool {
        overlay::too_small(Rect::new(0, 0, self.size.0, self.size.1))
    }

    fn key(&mut self, k: &KeyEvent) -> Vec<Effect> {
        // While the wait line shows, Esc means what it says: cancel that call.
        if k.code == KeyCode::Esc
            && let Some(id) = self.waits.cancel()
        {
            self.changed = true;
            return vec![Effect::CancelCall { id }];
        }
        let ctx = self.context();
        let mut command = keymap::lookup(ctx, k);
        // Resuming changes AWS resources: Enter, the default, means later.
        if matches!(self.overlay, Some(Overlay::ResumeApply(_)))
            && command == Some(Command::Confirm)
            && k.code == KeyCode::Enter
        {
            command = Some(Command::Cancel);
        }
        if self.too_small() {
            // Nothing is visible to act on; only quitting makes sense.
            if command == Some(Command::Quit) {
                self.quit = true;
            }
            return Vec::new();
        }
        match command {
            Some(cmd) => self.command(cmd, ctx),
            None if self.overlay.is_none() && self.recs.is_open() => {
                self.changed = true;
                let mut effects = Vec::new();
                let cx = recs_cx(&self.wizard, &self.deploy);
                self.recs.handle(Input::Key(k), &cx, &mut effects);
                effects
            }
            // Search and "type the pack id" boxes take the keys no binding claimed.
            None if self.overlay.is_none() && !self.deploy.is_wizard() => {
                self.changed = true;
                let mut effects = Vec::new();
                self.deploy
                    .handle(Input::Key(k), self.wizard.answers(), &mut effects);
                effects
            }
            None if self.overlay.is_none()
                && matches!(
                    ctx,
                    Context::Text
                        | Context::FilterList
                        | Context::KmsKeys
                        | Context::Table
                        | Context::Review
                ) =>
            {
                self.changed = true;
                self.wizard.handle(Input::Key(k))
            }
            None => Vec::new(),
        }
    }

    fn command(&mut self, cmd: Command, ctx: Context) -> Vec<Effect> {
        self.changed = true;
        match (self.overlay.take(), cmd) {
            (Some(Overlay::Help(_)), _) => Vec::new(),
            (Some(Overlay::ConfirmQuit), Command::Confirm) => {
                self.quit = true;
                Vec::new()
            }
            (Some(Overlay::ConfirmQuit), _) => Vec::new(),
            (Some(Overlay::Resume(saved)), Command::Confirm) => {
                self.persist_ready = true;
                self.wizard = WizardState::new(&saved);
                let mut effects = self.wizard.start();
                effects.extend(check_interrupted(&saved));
                effects
            }
            (Some(Overlay::Resume(_)), _) => {
                self.persist_ready = true;
                check_interrupted(self.wizard.answers())
            }
            // The plan screen shows what resuming does and asks before applying.
            (Some(Overlay::ResumeApply(_)), Command::Confirm) => {
                self.deploy.open_plan(self.wizard.answers())
            }
            (Some(Overlay::ResumeApply(_)), _) => Vec::new(),
            (None, Command::Help) => {
                self.overlay = Some(Overlay::Help(ctx));
                Vec::new()
            }
            (None, Command::Quit) => {
                self.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            }
            (None, Command::OpenRecs) => {
                let shared = self.wizard.shared();
                let place = recs::place(shared.target.as_ref(), shared.region());
                self.recs.open_list(place)
            }
            (None, Command::OpenKmsActivity) if !self.recs.is_open() => {
                let shared = self.wizard.shared();
                let place = recs::place(shared.target.as_ref(), shared.region());
                self.recs.open_activity(place, None)
            }
            (None, other) if self.recs.is_open() => {
                let mut effects = Vec::new();
                let cx = recs_cx(&self.wizard, &self.deploy);
                match self.recs.handle(Input::Command(other), &cx, &mut effects) {
                    recs::Flow::Handled => {}
                    recs::Flow::Quit => self.overlay = Some(Overlay::ConfirmQuit),
                    recs::Flow::Close => self.recs.close(),
                }
                effects
            }
            (None, other) if !self.deploy.is_wizard() => {
                let mut effects = Vec::new();
                let flow =
                    self.deploy
                        .handle(Input::Command(other), self.wizard.answers(), &mut effects);
                if flow == deploy::Flow::Quit {
                    self.overlay = Some(Overlay::ConfirmQuit);
                }
                effects
            }
            // Next on a review without errors leaves the wizard for the plan.
            (None, Command::NextStep)
                if self.wizard.current() == StepId::Review
                    && !self.wizard.diagnostics().iter().any(|d| d.is_error()) =>
            {
                self.deploy.open_plan(self.wizard.answers())
            }
            // Only wizard contexts bind these; the panel's real size bounds the scroll.
            (None, cmd @ (Command::DiagUp | Command::DiagDown)) => {
                let panel = layout::areas(
                    Rect::new(0, 0, self.size.0, self.size.1),
                    self.wizard.diagnostics(),
                )
                .diagnostics;
                self.wizard
                    .scroll_diagnostics(cmd == Command::DiagDown, panel);
                Vec::new()
            }
            (None, other) => self.wizard.handle(Input::Command(other)),
        }
    }

    fn mouse(&mut self, m: &MouseEvent) -> Vec<Effect> {
        if self.overlay.is_some() || self.too_small() {
            return Vec::new();
        }
        if self.recs.is_open() {
            let d = match m.kind {
                MouseEventKind::ScrollUp => -1,
                MouseEventKind::ScrollDown => 1,
                _ => return Vec::new(),
            };
            self.changed = true;
            let mut effects = Vec::new();
            let cx = recs_cx(&self.wizard, &self.deploy);
            self.recs.handle(Input::Scroll(d), &cx, &mut effects);
            return effects;
        }
        if !self.deploy.is_wizard() {
            let d = match m.kind {
                MouseEventKind::ScrollUp => -1,
                MouseEventKind::ScrollDown => 1,
                _ => return Vec::new(),
            };
            self.changed = true;
            let mut effects = Vec::new();
            self.deploy
                .handle(Input::Scroll(d), self.wizard.answers(), &mut effects);
            return effects;
        }
        let areas = layout::areas(
            Rect::new(0, 0, self.size.0, self.size.1),
            self.wizard.diagnostics(),
        );
        let pos = Position::new(m.column, m.row);
        let input = match m.kind {
            MouseEventKind::ScrollUp if areas.body.contains(pos) => Input::Scroll(-1),
            MouseEventKind::ScrollDown if areas.body.contains(pos) => Input::Scroll(1),
            MouseEventKind::Down(MouseButton::Left) if areas.stepper.contains(pos) => {
                let row = m
                    .row
                    .saturating_sub(areas.stepper.y + super::widgets::stepper::FIRST_ROW_OFFSET);
                let Some(step) = StepId::ALL.get(usize::from(row)) else {
                    return Vec::new();
                };
                self.changed = true;
                return self.wizard.jump_to(*step);
            }
            MouseEventKind::Down(MouseButton::Left) if areas.body.contains(pos) => Input::Click {
                column: m.column - areas.body.x,
                row: m.row - areas.body.y,
                height: areas.body.height,
            },
            _ => return Vec::new(),
        };
        self.changed = true;
        self.wizard.handle(input)
    }
}

/// Answers that name a target and a pack have a state file worth checking at startup.
fn check_interrupted(answers: &Answers) -> Vec<Effect> {
    if answers.target.is_none() || answers.pack_path.is_empty() {
        return Vec::new();
    }
    vec![Effect::CheckInterrupted {
        answers: Box::new(answers.clone()),
    }]
}

/// The recommendation screens' view of the rest of the app.
fn recs_cx(wizard: &WizardState, deploy: &DeployFlow) -> recs::Cx {
    let shared = wizard.shared();
    recs::Cx {
        wizard: recs::WizardFacts {
            target: shared.target.clone(),
            region: shared.region().to_string(),
            account: shared.caller_account.clone(),
            pack: shared.loaded_pack.clone(),
            kms: shared.answers.kms.clone(),
        },
        runtime: deployed_runtime(deploy),
    }
}

/// The first agent runtime the status screen found deployed, for the traces defaults.
fn deployed_runtime(flow: &DeployFlow) -> Option<recs::DeployedRuntime> {
    let deploy::Screen::Status(s) = &flow.screen else {
        return None;
    };
    s.report.as_ref()?.resources.iter().find_map(|r| {
        (r.kind == "agent_runtime")
            .then(|| {
                Some(recs::DeployedRuntime {
                    name: r.name.clone(),
                    arn: r.arn.clone()?,
                })
            })
            .flatten()
    })
}
