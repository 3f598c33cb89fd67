//! Step 4: how the agents of a multi-agent pack authenticate to each other: none, IAM (SigV4
//! with the runtime role) or JWT (an OIDC identity provider).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Flow, Shared, Step, StepCx, field_severity};
use crate::config::{A2aAuth, CheckContext, DeployConfig, Diagnostic, diagnose, fields};
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::{A2aMode, Answers};
use crate::tui::screens::{Input, View};
use crate::tui::widgets::text_field::TextField;

const MODES: [A2aMode; 3] = [A2aMode::None, A2aMode::Iam, A2aMode::Jwt];

pub struct A2aStep {
    mode: A2aMode,
    /// 0 is the mode choice, 1..=3 the JWT fields.
    focus: usize,
    discovery_url: TextField,
    audiences: TextField,
    clients: TextField,
    single_agent: Option<bool>,
    diags: Vec<Diagnostic>,
}

pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl A2aStep {
    pub fn new(answers: &Answers) -> Self {
        Self {
            mode: answers.a2a_mode.clone(),
            focus: 0,
            discovery_url: TextField::new("discovery_url", "https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/openid-configuration")
                .with_value(&answers.discovery_url),
            audiences: TextField::new("allowed_audience (comma-separated)", "my-agent-pool").with_value(&answers.allowed_audience.join(", ")),
            clients: TextField::new("allowed_clients (comma-separated, optional)", "client-id-1, client-id-2")
                .with_value(&answers.allowed_clients.join(", ")),
            single_agent: None,
            diags: Vec::new(),
        }
    }

    fn fields_shown(&self) -> usize {
        if self.mode == A2aMode::Jwt { 3 } else { 0 }
    }

    fn set_focus(&mut self, focus: usize) {
        self.focus = focus.min(self.fields_shown());
        self.discovery_url.set_focused(self.focus == 1);
        self.audiences.set_focused(self.focus == 2);
        self.clients.set_focused(self.focus == 3);
    }

    fn focused_field(&mut self) -> Option<&mut TextField> {
        match self.focus {
            1 => Some(&mut self.discovery_url),
            2 => Some(&mut self.audiences),
            3 => Some(&mut self.clients),
            _ => None,
        }
    }

    fn shift_mode(&mut self, delta: isize) {
        let i = MODES.iter().position(|m| *m == self.mode).unwrap_or(0);
        let n = MODES.len().saturating_add_signed(delta);
        self.mode = MODES[(i + n) % MODES.len()].clone();
    }

    pub fn auth(&self) -> Option<A2aAuth> {
        let mode = match self.mode {
            A2aMode::None => return None,
            A2aMode::Iam => "iam",
            A2aMode::Jwt => "jwt",
        };
        let jwt = self.mode == A2aMode::Jwt;
        let url = self.discovery_url.value().trim();
        Some(A2aAuth {
            mode: mode.into(),
            discovery_url: (jwt && !url.is_empty()).then(|| url.to_string()),
            allowed_audience: if jwt {
                split_list(self.audiences.value())
            } else {
                Vec::new()
            },
            allowed_clients: if jwt {
                split_list(self.clients.value())
            } else {
                Vec::new()
            },
        })
    }
}

impl Step for A2aStep {
    fn context(&self) -> Context {
        if self.focus == 0 {
            Context::Choice
        } else {
            Context::Text
        }
    }

    fn handle(&mut self, input: Input<'_>, _cx: &mut StepCx<'_>) -> Flow {
        let last = self.fields_shown();
        match input {
            Input::Command(Command::Up) if self.focus == 0 => self.shift_mode(-1),
            Input::Command(Command::Down) if self.focus == 0 => self.shift_mode(1),
            Input::Command(Command::Select) if self.focus == 0 => {
                if last == 0 {
                    return Flow::Advance;
                }
                self.set_focus(1);
            }
            Input::Command(Command::FocusNext | Command::Down) => {
                self.set_focus(if self.focus >= last {
                    0
                } else {
                    self.focus + 1
                })
            }
            Input::Command(Command::FocusPrev | Command::Up) => {
                self.set_focus(if self.focus == 0 {
                    last
                } else {
                    self.focus - 1
                })
            }
            Input::Command(Command::Submit) => {
                if self.focus >= last {
                    return Flow::Advance;
                }
                self.set_focus(self.focus + 1);
            }
            Input::Key(k) => {
                if let Some(f) = self.focused_field() {
                    f.input(k);
                }
            }
            Input::Paste(s) => {
                if let Some(f) = self.focused_field() {
                    f.paste(s);
                }
            }
            Input::Click { row, .. } => match row {
                1..=3 => {
                    self.mode = MODES[usize::from(row - 1)].clone();
                    self.set_focus(0);
                }
                4..=6 if last > 0 => self.set_focus(1),
                7..=9 if last > 0 => self.set_focus(2),
                10..=12 if last > 0 => self.set_focus(3),
                _ => return Flow::Unhandled,
            },
            _ => return Flow::Unhandled,
        }
        Flow::Handled
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.single_agent = shared.pack.as_ref().map(|p| !p.multi_agent);
        self.diags = match self.auth() {
            None => Vec::new(),
            Some(auth) => {
                let mut d = fields::a2a_mode(&auth.mode, auth.discovery_url.is_some());
                // The audience warning and the URL checks are part of the config diagnostics;
                // run them on a config holding only this block and keep what concerns it.
                let cfg = DeployConfig {
                    a2a_auth: Some(auth),
                    ..DeployConfig::default()
                };
                d.extend(
                    diagnose::diagnose(&cfg, &CheckContext::default(), false)
                        .into_iter()
                        .filter(|x| x.field.starts_with("a2a_auth")),
                );
                d
            }
        };
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn tabs_between_fields(&self) -> bool {
        self.fields_shown() > 0
    }

    fn write(&self, answers: &mut Answers) {
        answers.a2a_mode = self.mode.clone();
        answers.discovery_url = self.discovery_url.value().trim().to_string();
        answers.allowed_audience = split_list(self.audiences.value());
        answers.allowed_clients = split_list(self.clients.value());
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [intro, modes, url, aud, cli, note] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(area);
        Line::styled("How agents of this pack call each other (A2A):", theme.dim)
            .render(intro, buf);
        let labels = [
            (A2aMode::None, "none: no a2a_auth block"),
            (
                A2aMode::Iam,
                "IAM: SigV4 signed with the runtime role (simplest)",
            ),
            (A2aMode::Jwt, "JWT: tokens from an OIDC identity provider"),
        ];
        let lines: Vec<Line> = labels
            .iter()
            .map(|(m, label)| {
                let on = *m == self.mode;
                let style = if on && self.focus == 0 {
                    theme.selected
                } else {
                    theme.text
                };
                Line::from(vec![
                    Span::styled(if on { "(•) " } else { "( ) " }, style),
                    Span::styled(*label, style),
                ])
            })
            .collect();
        Paragraph::new(lines).render(modes, buf);
        if self.mode == A2aMode::Jwt {
            self.discovery_url.render(
                url,
                buf,
                theme,
                field_severity(&self.diags, "a2a_auth.discovery_url"),
            );
            self.audiences.render(
                aud,
                buf,
                theme,
                field_severity(&self.diags, "a2a_auth.allowed_audience"),
            );
            self.clients.render(
                cli,
                buf,
                theme,
                field_severity(&self.diags, "a2a_auth.allowed_clients"),
            );
        }
        if self.single_agent == Some(true) {
            let note_area = if self.mode == A2aMode::Jwt { note } else { url };
            Paragraph::new(Line::styled(
                "Note: this pack has a single agent, so no agent calls another; A2A auth only matters for multi-agent packs.",
                theme.accent,
            ))
            .wrap(Wrap { trim: true })
            .render(note_area, buf);
        }
    }
}
