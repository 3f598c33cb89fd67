//! Step 7: the deploy config as JSON, every error and warning of the whole config (the
//! adapter's validation order), and where to save it. Writing is an effect; the file is written
//! atomically with mode 0600.

use std::path::PathBuf;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::{Flow, Shared, Step, StepCx, field_severity};
use crate::config::{CheckContext, Diagnostic, category};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::{Answers, ArtifactKind};
use crate::tui::screens::{Input, View};
use crate::tui::slot::{Gen, Slot};
use crate::tui::widgets::text_field::TextField;

#[derive(Debug, Clone, PartialEq, Eq)]
enum WriteState {
    NotYet,
    Writing,
    Written(PathBuf),
    Failed(String),
}

pub struct ReviewStep {
    path: TextField,
    json: Vec<String>,
    scroll: usize,
    write: WriteState,
    slot: Slot,
    written_json: Option<String>,
    diags: Vec<Diagnostic>,
    default_path: String,
    /// Carried as it came: the fields of it the wizard asks about are overridden on writing.
    base_config: Option<serde_json::Value>,
}

impl ReviewStep {
    pub fn new(answers: &Answers) -> Self {
        let mut path = TextField::new("Save the deploy config to", "deploy.json")
            .with_value(&answers.output_path);
        path.set_focused(true);
        Self {
            path,
            json: Vec::new(),
            scroll: 0,
            write: WriteState::NotYet,
            slot: Slot::default(),
            written_json: None,
            diags: Vec::new(),
            default_path: "deploy.json".into(),
            base_config: answers.base_config.clone(),
        }
    }

    fn target_path(&self) -> String {
        let typed = self.path.value().trim();
        if typed.is_empty() {
            self.default_path.clone()
        } else {
            typed.to_string()
        }
    }

    pub fn written(&mut self, generation: Gen, result: Result<PathBuf, String>) -> bool {
        if !self.slot.accept(generation) {
            return false;
        }
        self.write = match result {
            Ok(p) => WriteState::Written(p),
            Err(e) => WriteState::Failed(e),
        };
        true
    }

    fn request_write(&mut self, effects: &mut Vec<Effect>) {
        if self.diags.iter().any(Diagnostic::is_error) {
            self.write = WriteState::Failed(
                "fix the errors first: an invalid config is never written".into(),
            );
            return;
        }
        self.write = WriteState::Writing;
        let contents = self.json.join("\n") + "\n";
        self.written_json = Some(contents.clone());
        effects.push(Effect::WriteConfig {
            generation: self.slot.issue(),
            path: PathBuf::from(self.target_path()),
            contents,
        });
    }
}

impl Step for ReviewStep {
    fn context(&self) -> Context {
        Context::Review
    }

    fn handle(&mut self, input: Input<'_>, cx: &mut StepCx<'_>) -> Flow {
        match input {
            Input::Command(Command::Write) => self.request_write(cx.effects),
            Input::Command(Command::Up) | Input::Scroll(-1) => {
                self.scroll = self.scroll.saturating_sub(1)
            }
            Input::Command(Command::Down) | Input::Scroll(1) => {
                self.scroll = (self.scroll + 1).min(self.json.len().saturating_sub(1))
            }
            Input::Key(k) => {
                self.path.input(k);
            }
            Input::Paste(s) => {
                self.path.paste(s);
            }
            _ => return Flow::Unhandled,
        }
        Flow::Handled
    }

    fn revalidate(&mut self, shared: &Shared) {
        let a = &shared.answers;
        if let Some(p) = &shared.pack {
            self.default_path = format!("{}.deploy.json", p.id);
        }
        let cfg = crate::services::answers::deploy_config(a);
        self.json = serde_json::to_string_pretty(&cfg)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect();
        let ctx = CheckContext {
            caller_account: shared.caller_account.clone(),
            container_image_uri: (a.artifact_kind == ArtifactKind::ContainerImage)
                .then(|| a.container_image_uri.clone()),
            // The artifact step checks the file through an effect; no file system access here.
            check_local_files: false,
        };
        let mut d = crate::derive::check(&cfg, shared.loaded_pack.as_deref(), &ctx);
        if shared.loaded_pack.is_none() {
            d.push(
                Diagnostic::error("pack", category::PACK, "no pack loaded")
                    .with_hint("step 0: choose a *.pack.json file"),
            );
        }
        if a.kms == crate::tui::persist::KmsChoice::Undecided {
            d.push(
                Diagnostic::error("kms_key", category::SECURITY, "no KMS key chosen")
                    .with_hint("step 6: choose a key or the AWS owned key"),
            );
        }
        d.sort_by_key(|x| x.severity);
        self.diags = d;
        // A written file that no longer matches the answers is stale: say so.
        if let (WriteState::Written(_), Some(w)) = (&self.write, &self.written_json)
            && *w != self.json.join("\n") + "\n"
        {
            self.write = WriteState::NotYet;
        }
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn write(&self, answers: &mut Answers) {
        answers.output_path = self.path.value().trim().to_string();
        answers.base_config.clone_from(&self.base_config);
    }

    fn busy(&self) -> bool {
        self.slot.is_pending()
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [path, status, json] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(2),
            Constraint::Min(3),
        ])
        .areas(area);
        self.path
            .render(path, buf, theme, field_severity(&self.diags, "output"));
        let errors = self.diags.iter().filter(|d| d.is_error()).count();
        let line1 = match &self.write {
            WriteState::NotYet if errors > 0 => Line::styled(
                format!("{errors} error(s) must be fixed before the config can be written"),
                theme.error,
            ),
            WriteState::NotYet => Line::from(vec![
                Span::styled("Enter", theme.key),
                Span::raw(format!(" writes {} (mode 0600)", self.target_path())),
            ]),
            WriteState::Writing => Line::styled(format!("{} writing…", view.spinner()), theme.dim),
            WriteState::Written(p) => {
                Line::styled(format!("✓ written to {}", p.display()), theme.ok)
            }
            WriteState::Failed(e) => Line::styled(format!("✗ {e}"), theme.error),
        };
        let line2 = Line::styled(
            "Next (Ctrl-N) plans the deployment: what will be created, updated or deleted.",
            theme.dim,
        );
        Paragraph::new(vec![line1, line2]).render(status, buf);
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(" deploy config (JSON) ", theme.title));
        let lines: Vec<Line> = self
            .json
            .iter()
            .skip(self.scroll)
            .map(|l| Line::raw(l.clone()))
            .collect();
        Paragraph::new(lines).block(block).render(json, buf);
    }
}
