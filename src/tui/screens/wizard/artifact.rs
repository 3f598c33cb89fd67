//! Step 3: what the runtimes run: the PromptKit runtime binary (zipped and uploaded to S3, the
//! adapter's code deploy) or a container image in ECR. Whether the binary exists is checked by
//! an effect (file system access stays out of `update`), with a generation so an answer for a
//! path the user has since changed is dropped.

use std::path::PathBuf;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Flow, Shared, Step, StepCx, field_severity};
use crate::config::{Diagnostic, category, fields};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::{Answers, ArtifactKind};
use crate::tui::screens::{Input, View};
use crate::tui::slot::{Gen, Slot};
use crate::tui::widgets::text_field::TextField;

pub struct ArtifactStep {
    kind: ArtifactKind,
    focus_field: bool,
    binary: TextField,
    image: TextField,
    check: Slot,
    checked_path: Option<String>,
    file_diags: Vec<Diagnostic>,
    region: String,
    diags: Vec<Diagnostic>,
}

impl ArtifactStep {
    pub fn new(answers: &Answers) -> Self {
        Self {
            kind: answers.artifact_kind.clone(),
            focus_field: false,
            binary: TextField::new("runtime_binary_path", "path/to/promptkit-agentcore-runtime")
                .with_value(&answers.runtime_binary_path),
            image: TextField::new(
                "container image URI",
                "<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>",
            )
            .with_value(&answers.container_image_uri),
            check: Slot::default(),
            checked_path: None,
            file_diags: Vec::new(),
            region: answers.region.clone(),
            diags: Vec::new(),
        }
    }

    fn field_mut(&mut self) -> &mut TextField {
        match self.kind {
            ArtifactKind::RuntimeBinary => &mut self.binary,
            ArtifactKind::ContainerImage => &mut self.image,
        }
    }

    fn set_focus(&mut self, on_field: bool) {
        self.focus_field = on_field;
        self.binary
            .set_focused(on_field && self.kind == ArtifactKind::RuntimeBinary);
        self.image
            .set_focused(on_field && self.kind == ArtifactKind::ContainerImage);
    }

    /// Asks for a file check when the path differs from the last one checked.
    fn request_check(&mut self, effects: &mut Vec<Effect>) {
        let path = self.binary.value().trim().to_string();
        if self.kind != ArtifactKind::RuntimeBinary || path.is_empty() {
            self.check.cancel();
            self.checked_path = None;
            self.file_diags.clear();
            return;
        }
        if self.checked_path.as_deref() == Some(path.as_str()) && !self.check.is_pending() {
            return;
        }
        self.checked_path = Some(path.clone());
        self.file_diags.clear();
        effects.push(Effect::CheckRuntimeBinary {
            generation: self.check.issue(),
            path: PathBuf::from(path),
        });
    }

    pub fn file_checked(&mut self, generation: Gen, diags: Vec<Diagnostic>) -> bool {
        if !self.check.accept(generation) {
            return false;
        }
        self.file_diags = diags;
        true
    }
}

/// AgentCore pulls runtime images from ECR; anything else fails at CreateAgentRuntime.
pub fn image_uri_diagnostics(uri: &str, region: &str) -> Vec<Diagnostic> {
    const F: &str = "container_image_uri";
    if uri.is_empty() {
        return vec![
            Diagnostic::error(
                F,
                category::CONFIGURATION,
                "container image URI is required when deploying a container image",
            )
            .with_hint(
                "push the image to ECR and paste its URI, or choose the runtime binary instead",
            ),
        ];
    }
    if uri.chars().any(char::is_whitespace) {
        return vec![
            Diagnostic::error(
                F,
                category::CONFIGURATION,
                format!("container image URI {uri:?} contains spaces"),
            )
            .with_hint("paste the URI without spaces"),
        ];
    }
    let mut out = Vec::new();
    let (host, rest) = uri.split_once('/').unwrap_or((uri, ""));
    let parts: Vec<&str> = host.split('.').collect();
    let is_ecr = parts.len() >= 6
        && parts[0].len() == 12
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && parts[1] == "dkr"
        && parts[2] == "ecr"
        && host.ends_with(".amazonaws.com");
    if !is_ecr || rest.is_empty() {
        out.push(
            Diagnostic::error(F, category::CONFIGURATION, format!("container image URI {uri:?} is not an Amazon ECR image URI"))
                .with_hint("AgentCore pulls from ECR: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>"),
        );
        return out;
    }
    if parts[3] != region && !region.is_empty() {
        out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                format!("the image is in {}, the deployment in {region}", parts[3]),
            )
            .with_hint("use a repository in the deployment region (or set up ECR replication)"),
        );
    }
    let last = rest.rsplit('/').next().unwrap_or(rest);
    if !last.contains(':') && !rest.contains('@') {
        out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                "the image URI has no tag or digest, so :latest is deployed",
            )
            .with_hint("pin a tag or an @sha256 digest so a redeploy runs the same image"),
        );
    }
    out
}

impl Step for ArtifactStep {
    fn context(&self) -> Context {
        if self.focus_field {
            Context::Text
        } else {
            Context::Choice
        }
    }

    fn handle(&mut self, input: Input<'_>, cx: &mut StepCx<'_>) -> Flow {
        let flow = match input {
            Input::Command(Command::FocusNext | Command::FocusPrev) => {
                self.set_focus(!self.focus_field);
                Flow::Handled
            }
            Input::Command(Command::Up | Command::Down) if !self.focus_field => {
                self.kind = match self.kind {
                    ArtifactKind::RuntimeBinary => ArtifactKind::ContainerImage,
                    ArtifactKind::ContainerImage => ArtifactKind::RuntimeBinary,
                };
                Flow::Handled
            }
            Input::Command(Command::Up) if self.focus_field => {
                self.set_focus(false);
                Flow::Handled
            }
            Input::Command(Command::Select) if !self.focus_field => {
                self.set_focus(true);
                Flow::Handled
            }
            Input::Command(Command::Submit) => Flow::Advance,
            Input::Key(k) if self.focus_field => {
                self.field_mut().input(k);
                Flow::Handled
            }
            Input::Paste(s) if self.focus_field => {
                self.field_mut().paste(s);
                Flow::Handled
            }
            Input::Click { row, .. } => {
                match row {
                    2 => self.kind = ArtifactKind::RuntimeBinary,
                    3 => self.kind = ArtifactKind::ContainerImage,
                    5..=7 => {
                        self.set_focus(true);
                        return Flow::Handled;
                    }
                    _ => return Flow::Unhandled,
                }
                self.set_focus(false);
                Flow::Handled
            }
            _ => Flow::Unhandled,
        };
        self.request_check(cx.effects);
        flow
    }

    fn on_enter(&mut self, cx: &mut StepCx<'_>) {
        self.set_focus(self.focus_field);
        self.request_check(cx.effects);
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.region = shared.region().to_string();
        self.diags = match self.kind {
            ArtifactKind::RuntimeBinary => {
                let path = self.binary.value().trim();
                let mut d = fields::runtime_binary_path(Some(path), false, false);
                if self.checked_path.as_deref() == Some(path) {
                    d.extend(self.file_diags.iter().cloned());
                }
                d
            }
            ArtifactKind::ContainerImage => {
                image_uri_diagnostics(self.image.value().trim(), &self.region)
            }
        };
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn tabs_between_fields(&self) -> bool {
        true
    }

    fn write(&self, answers: &mut Answers) {
        answers.artifact_kind = self.kind.clone();
        answers.runtime_binary_path = self.binary.value().trim().to_string();
        answers.container_image_uri = self.image.value().trim().to_string();
    }

    fn busy(&self) -> bool {
        self.check.is_pending()
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [intro, radio, _, field, status, info] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        Line::styled("What should the runtimes run?", theme.dim).render(intro, buf);
        let radio_line = |kind: ArtifactKind, label: &str| {
            let on = self.kind == kind;
            let style = if on && !self.focus_field {
                theme.selected
            } else {
                theme.text
            };
            Line::from(vec![
                Span::styled(if on { "(•) " } else { "( ) " }, style),
                Span::styled(label.to_string(), style),
            ])
        };
        Paragraph::new(vec![
            radio_line(
                ArtifactKind::RuntimeBinary,
                "PromptKit runtime binary (zipped and uploaded to S3: code deploy)",
            ),
            radio_line(
                ArtifactKind::ContainerImage,
                "Container image in Amazon ECR",
            ),
        ])
        .render(radio, buf);
        let (field_widget, prefix) = match self.kind {
            ArtifactKind::RuntimeBinary => (&self.binary, "runtime_binary_path"),
            ArtifactKind::ContainerImage => (&self.image, "container_image_uri"),
        };
        field_widget.render(field, buf, theme, field_severity(&self.diags, prefix));
        if self.check.is_pending() {
            Line::styled(format!("{} checking the file…", view.spinner()), theme.dim)
                .render(status, buf);
        } else if self.kind == ArtifactKind::RuntimeBinary
            && self.checked_path.is_some()
            && self.file_diags.is_empty()
        {
            Line::styled("✓ file found", theme.ok).render(status, buf);
        }
        let text = match self.kind {
            ArtifactKind::RuntimeBinary => {
                "The adapter zips this binary with the pack and uploads it to S3; the runtime is linux/arm64. \
                 Relative paths are resolved from the directory the TUI was started in."
            }
            ArtifactKind::ContainerImage => {
                "Our extension: the adapter's deploy config has no image field, so the image is kept with your \
                 answers and passed to the deploy engine, not written into the config JSON."
            }
        };
        Paragraph::new(text)
            .style(theme.dim)
            .wrap(Wrap { trim: true })
            .render(info, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_uris_are_accepted_and_others_explained() {
        let ok = "111122223333.dkr.ecr.us-east-1.amazonaws.com/support-desk:1.2.0";
        assert!(image_uri_diagnostics(ok, "us-east-1").is_empty());
        let d = image_uri_diagnostics("docker.io/library/nginx:latest", "us-east-1");
        assert!(
            d[0].is_error() && d[0].message.contains("not an Amazon ECR"),
            "{d:?}"
        );
        let d = image_uri_diagnostics(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/x",
            "us-east-1",
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().all(|x| !x.is_error()));
        assert!(image_uri_diagnostics("", "us-east-1")[0].is_error());
    }
}
