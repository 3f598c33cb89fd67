//! The one TUI harness of the tests and the benches: an [`App`] driven through `update` with
//! keys and task results, the effects it returns kept in order, the local ones really run and
//! the AWS ones answered from a [`World`], and the screen rendered on a `TestBackend`.
//!
//! Each test binary adds its own builders (`impl Harness` in the test file: same crate) and its
//! own snapshot helper, since insta names a snapshot after the file that takes it. Benches
//! include this file with `#[path = "../tests/common/harness.rs"] mod harness;`.
#![allow(dead_code)] // each binary uses a part of it

use std::sync::Arc;

use agentcore_tui::kms::eligibility::KeyInfo;
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::{App, AppOptions};
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::msg::deploy::{DeployMsg, DeployOutcome};
use agentcore_tui::tui::msg::recs::{RecsEffect, RecsMsg, RecsOutcome};
use agentcore_tui::tui::msg::wizard::{Outcome, TaskResult};
use agentcore_tui::tui::persist::{A2aMode, Answers, ArtifactKind, KmsChoice};
use agentcore_tui::tui::runtime;
use agentcore_tui::tui::screens::wizard::StepId;
use agentcore_tui::tui::sdk_services::SdkServices;
use agentcore_tui::tui::services::{
    AwsServices, AwsTarget, CallerIdentity, KeysEvent, ProfileEntry, TargetsFound,
};
use agentcore_tui::tui::slot::Gen;
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const ACCOUNT: &str = "111122223333";
pub const DEMO_PACK: &str = "assets/demo/support-desk.pack.json";
pub const DEMO_BINARY: &str = "assets/demo/promptkit-agentcore-runtime";

/// The demo pack deployed locally with answers that pass every check.
pub fn demo_answers() -> Answers {
    Answers {
        pack_path: DEMO_PACK.into(),
        target: Some(AwsTarget::Local),
        region: "us-east-1".into(),
        runtime_role_arn: format!("arn:aws:iam::{ACCOUNT}:role/AgentCoreRuntime"),
        artifact_kind: ArtifactKind::RuntimeBinary,
        runtime_binary_path: DEMO_BINARY.into(),
        a2a_mode: A2aMode::Iam,
        tags: vec![("team".into(), "support-platform".into())],
        kms: KmsChoice::AwsOwned,
        ..Answers::default()
    }
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// How [`Harness::settle`] answers the wizard's AWS effects.
pub struct World {
    pub profiles: Vec<String>,
    /// Sent as one page (none when empty), then the end of the listing.
    pub keys: Vec<KeyInfo>,
    pub caller: CallerIdentity,
    /// Profiles with their kind and region, and the environment's AWS settings.
    pub environment: TargetsFound,
}

impl World {
    /// No profiles, no KMS keys, the demo deployer as the caller.
    pub fn demo() -> Self {
        Self {
            profiles: Vec::new(),
            keys: Vec::new(),
            caller: CallerIdentity {
                account: ACCOUNT.into(),
                arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/AgentCoreDeployer/demo"),
                principal: Ok(format!("arn:aws:iam::{ACCOUNT}:role/AgentCoreDeployer")),
            },
            environment: TargetsFound::default(),
        }
    }
}

pub struct Harness {
    pub app: App,
    /// Effects returned by `update` and not handled yet, oldest first (saves excepted).
    pub pending: Vec<Effect>,
    /// Every answer set the app asked to save, in order.
    pub saved: Vec<Answers>,
    pub world: World,
    /// The embedded emulator's demo world, started on the first key policy call; one per
    /// harness, so what a test does to a key policy stays its own.
    aws: Option<(tokio::runtime::Runtime, Arc<SdkServices>)>,
}

impl Harness {
    /// The app, for a test that drives it with the real runtime; a fresh one stays behind.
    pub fn take_app(&mut self) -> App {
        std::mem::replace(
            &mut self.app,
            App::new(
                AppOptions {
                    initial: Answers::default(),
                    offer_saved: false,
                },
                Theme::monochrome(),
                (100, 30),
            ),
        )
    }

    /// The app after start-up with its start-up effects answered: the pack read, the caller
    /// identified.
    pub fn new(initial: Answers) -> Self {
        let mut h = Self::bare(initial);
        h.settle();
        h
    }

    /// The app after start-up, its start-up effects pending.
    pub fn bare(initial: Answers) -> Self {
        Self::started(initial, false, Theme::monochrome(), (100, 30))
    }

    /// The app built, `init` not called: nothing pending.
    pub fn unstarted(initial: Answers) -> Self {
        Self::unstarted_with(initial, false, Theme::monochrome(), (100, 30))
    }

    /// The app after start-up: `offer_saved` as the binary sets it, in `theme` at `size`.
    pub fn started(initial: Answers, offer_saved: bool, theme: Theme, size: (u16, u16)) -> Self {
        let mut h = Self::unstarted_with(initial, offer_saved, theme, size);
        h.pending = h.app.init();
        h.collect_saves();
        h
    }

    /// The app built as the binary builds it (`offer_saved`, `theme`, `size`), `init` not
    /// called.
    pub fn unstarted_with(
        initial: Answers,
        offer_saved: bool,
        theme: Theme,
        size: (u16, u16),
    ) -> Self {
        let app = App::new(
            AppOptions {
                initial,
                offer_saved,
            },
            theme,
            size,
        );
        Self {
            app,
            pending: Vec::new(),
            saved: Vec::new(),
            world: World::demo(),
            aws: None,
        }
    }

    pub fn with_world(mut self, world: World) -> Self {
        self.world = world;
        self
    }

    fn collect_saves(&mut self) {
        let (saves, rest): (Vec<_>, Vec<_>) = self
            .pending
            .drain(..)
            .partition(|e| matches!(e, Effect::SaveAnswers(_)));
        self.pending = rest;
        for s in saves {
            if let Effect::SaveAnswers(a) = s {
                self.saved.push(*a);
            }
        }
    }

    pub fn apply(&mut self, action: Action) {
        let effects = self.app.update(action);
        self.pending.extend(effects);
        self.collect_saves();
    }

    pub fn press(&mut self, code: KeyCode) {
        self.apply(Action::Key(key(code)));
    }

    pub fn ch(&mut self, c: char) {
        self.press(KeyCode::Char(c));
    }

    pub fn ctrl(&mut self, c: char) {
        self.apply(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.ch(c);
        }
    }

    pub fn clear_field(&mut self) {
        for _ in 0..120 {
            self.press(KeyCode::Backspace);
        }
    }

    /// The first pending effect matching `pred`, removed.
    pub fn take(&mut self, pred: impl Fn(&Effect) -> bool) -> Option<Effect> {
        let i = self.pending.iter().position(pred)?;
        Some(self.pending.remove(i))
    }

    /// The recommendation effects issued since the last call; every other pending one is
    /// dropped.
    pub fn take_recs(&mut self) -> Vec<RecsEffect> {
        std::mem::take(&mut self.pending)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Recs(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    pub fn answer(&mut self, generation: Gen, outcome: Outcome) {
        self.apply(Action::Task(TaskResult {
            generation,
            outcome,
        }));
    }

    pub fn deploy(&mut self, generation: Gen, outcome: DeployOutcome) {
        self.apply(Action::Deploy(DeployMsg {
            generation,
            outcome,
        }));
    }

    pub fn answer_recs(&mut self, generation: Gen, outcome: RecsOutcome) {
        self.apply(Action::Recs(RecsMsg {
            generation,
            outcome,
        }));
    }

    /// Runs the pending effects that need no AWS (file reads and writes) and answers the AWS
    /// ones from the [`World`]; key policies are read and written in the embedded emulator.
    pub fn settle(&mut self) {
        for _ in 0..20 {
            let Some(effect) = self.pending.first().cloned() else {
                return;
            };
            self.pending.remove(0);
            if let Some(result) = runtime::run_local(&effect, None) {
                self.apply(Action::Task(result));
                continue;
            }
            match effect {
                Effect::LoadProfiles { generation } => {
                    let found = TargetsFound {
                        profiles: self
                            .world
                            .profiles
                            .iter()
                            .map(|p| ProfileEntry::named(p))
                            .chain(self.world.environment.profiles.iter().cloned())
                            .collect(),
                        ..self.world.environment.clone()
                    };
                    self.answer(generation, Outcome::Profiles(Ok(found)));
                }
                Effect::FetchCallerIdentity { generation, .. } => {
                    let caller = self.world.caller.clone();
                    self.answer(generation, Outcome::CallerIdentity(Ok(caller)));
                }
                Effect::ListKmsKeys { generation, .. } => {
                    if !self.world.keys.is_empty() {
                        let keys = self.world.keys.clone();
                        self.answer(generation, Outcome::KmsKeys(KeysEvent::Page(keys)));
                    }
                    self.answer(generation, Outcome::KmsKeys(KeysEvent::Done));
                }
                Effect::FetchKeyPolicy {
                    generation,
                    target,
                    region,
                    key_arn,
                } => {
                    let (rt, aws) = self.aws();
                    let r = rt.block_on(aws.key_policy(target, region, key_arn));
                    self.answer(generation, Outcome::KeyPolicy(r));
                }
                Effect::PutKeyPolicy {
                    generation,
                    target,
                    region,
                    key_arn,
                    policy,
                } => {
                    let (rt, aws) = self.aws();
                    let r = rt.block_on(aws.put_key_policy(target, region, key_arn, policy));
                    self.answer(generation, Outcome::KeyPolicyPut(r));
                }
                other => panic!("unexpected effect {other:?}"),
            }
        }
        panic!("effects keep coming: {:?}", self.pending);
    }

    fn aws(&mut self) -> &(tokio::runtime::Runtime, Arc<SdkServices>) {
        self.aws.get_or_insert_with(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            (rt, Arc::new(SdkServices::new(None)))
        })
    }

    /// Next or Back until the wizard shows `step`, settling after each.
    pub fn goto(&mut self, step: StepId) {
        while self.app.wizard.current() < step {
            let before = self.app.wizard.current();
            self.ctrl('n');
            self.settle();
            assert_ne!(
                before,
                self.app.wizard.current(),
                "Next was refused on {before:?}: {:?}",
                self.app.wizard.diagnostics()
            );
        }
        while self.app.wizard.current() > step {
            self.ctrl('p');
            self.settle();
        }
    }

    pub fn screen(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| ui::render(&self.app, f)).unwrap();
        terminal.backend().to_string()
    }

    /// The screen with its styles (a focus shown only by its style is seen here).
    pub fn buffer(&self, width: u16, height: u16) -> ratatui::buffer::Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| ui::render(&self.app, f)).unwrap();
        terminal.backend().buffer().clone()
    }

    /// The screen after the app was told the terminal has this size, as a real resize does.
    pub fn resized_screen(&mut self, width: u16, height: u16) -> String {
        self.apply(Action::Resize { width, height });
        self.screen(width, height)
    }

    pub fn errors(&self) -> usize {
        self.app
            .wizard
            .diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.app
            .wizard
            .diagnostics()
            .iter()
            .filter(|d| !d.is_error())
            .count()
    }
}

/// The keys the footer (the screen's last line) offers, each with its hint as shown: the
/// footer read as the user reads it, `Ctrl-n next  Tab field  …`.
pub fn footer_keys(screen: &str) -> Vec<(String, KeyEvent)> {
    let last = screen.lines().last().unwrap_or_default();
    let last = last.trim_matches('"');
    last.split("  ")
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|hint| {
            let label = hint.split(' ').next().unwrap_or_default();
            (hint.to_string(), key_of(label))
        })
        .collect()
}

fn key_of(label: &str) -> KeyEvent {
    let (code, mods) = match label {
        "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
        "Shift-Tab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
        "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
        "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
        "Space" => (KeyCode::Char(' '), KeyModifiers::NONE),
        "Del" => (KeyCode::Delete, KeyModifiers::NONE),
        "PgUp" => (KeyCode::PageUp, KeyModifiers::NONE),
        "PgDn" => (KeyCode::PageDown, KeyModifiers::NONE),
        "↑" => (KeyCode::Up, KeyModifiers::NONE),
        "↓" => (KeyCode::Down, KeyModifiers::NONE),
        f if f.len() > 1 && f.starts_with('F') => (
            KeyCode::F(f[1..].parse().expect("function key")),
            KeyModifiers::NONE,
        ),
        c if c.starts_with("Ctrl-") => (
            KeyCode::Char(c["Ctrl-".len()..].chars().next().expect("ctrl key")),
            KeyModifiers::CONTROL,
        ),
        c if c.chars().count() == 1 => {
            (KeyCode::Char(c.chars().next().unwrap()), KeyModifiers::NONE)
        }
        other => panic!("the footer shows a key this helper cannot press: {other:?}"),
    };
    KeyEvent::new(code, mods)
}
