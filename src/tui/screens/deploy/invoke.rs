//! A prompt sent to a deployed runtime (InvokeAgentRuntime through the monitor), its answer
//! shown as it streams in, then with its latency and time to first byte; the session id the
//! runtime answers with is kept, so the next prompt continues the same conversation until
//! Ctrl-N starts a new one.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::Request;
use crate::monitor::invoke::Answer;
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::ServiceError;
use crate::tui::widgets::text_field::TextField;
use crate::tui::widgets::visible;

pub struct Exchange {
    pub prompt: String,
    /// The answer's text so far, while it streams in.
    pub partial: String,
    /// `None` while the answer is awaited.
    pub answer: Option<Result<Box<Answer>, ServiceError>>,
}

pub struct InvokeState {
    pub runtime: String,
    /// ratatui-textarea under it: cursor movement, word jumps, undo, paste.
    pub prompt: TextField,
    /// The runtime's session id, sent with the next prompt.
    pub session: Option<String>,
    pub exchanges: Vec<Exchange>,
    /// Rows scrolled up from the newest answer.
    pub scroll: u16,
}

impl InvokeState {
    pub fn new(runtime: String) -> Self {
        Self {
            runtime,
            prompt: {
                let mut f = TextField::new("Prompt", "type a prompt, Enter sends it");
                f.set_focused(true);
                f
            },
            session: None,
            exchanges: Vec::new(),
            scroll: 0,
        }
    }

    pub fn context(&self) -> Context {
        Context::Invoke
    }

    pub fn sending(&self) -> bool {
        self.exchanges.last().is_some_and(|e| e.answer.is_none())
    }

    /// A piece of the answer arrived.
    pub fn streamed(&mut self, text: &str) {
        if let Some(last) = self.exchanges.last_mut()
            && last.answer.is_none()
        {
            last.partial.push_str(text);
            self.scroll = 0;
        }
    }

    pub fn answered(&mut self, result: Result<Box<Answer>, ServiceError>) {
        if let Ok(a) = &result
            && !a.session_id.is_empty()
        {
            self.session = Some(a.session_id.clone());
        }
        if let Some(last) = self.exchanges.last_mut() {
            last.answer = Some(result);
        }
        self.scroll = 0;
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        match input {
            Input::Command(Command::Submit) => {
                let prompt = self.prompt.value().trim().to_string();
                if prompt.is_empty() || self.sending() {
                    return Request::None;
                }
                self.prompt.set_value("");
                self.exchanges.push(Exchange {
                    prompt: prompt.clone(),
                    partial: String::new(),
                    answer: None,
                });
                self.scroll = 0;
                return Request::Invoke {
                    prompt,
                    session: self.session.clone(),
                };
            }
            Input::Command(Command::NewSession) => self.session = None,
            Input::Command(Command::Up) => self.scroll = self.scroll.saturating_add(1),
            Input::Command(Command::Down) => self.scroll = self.scroll.saturating_sub(1),
            Input::Scroll(d) => {
                self.scroll = self.scroll.saturating_add_signed(-i16::from(d));
            }
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            Input::Key(k) => {
                self.prompt.input(k);
            }
            Input::Paste(s) => {
                self.prompt.paste(s);
            }
            _ => {}
        }
        Request::None
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [top, body, prompt_row] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(3),
        ])
        .areas(area);
        let session = self
            .session
            .as_deref()
            .map_or_else(|| "new session".to_string(), |s| format!("session {s}"));
        visible::line(Line::from(vec![
            Span::styled(format!("runtime {}", self.runtime), theme.title),
            Span::styled(format!(" · {session}"), theme.dim),
        ]))
        .render(top, buf);

        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.dim)
            .title(Span::styled(" Answers ", theme.title));
        let inner = block.inner(body);
        block.render(body, buf);
        let mut lines: Vec<Line<'static>> = Vec::new();
        if self.exchanges.is_empty() {
            lines.push(Line::styled(
                "Type a prompt and press Enter: it is sent to the runtime with InvokeAgentRuntime.",
                theme.dim,
            ));
        }
        for e in &self.exchanges {
            lines.push(visible::line(Line::from(vec![
                Span::styled("› ", theme.key),
                Span::styled(e.prompt.clone(), theme.title),
            ])));
            match &e.answer {
                None if e.partial.is_empty() => lines.push(Line::styled(
                    format!("{} waiting for the answer…", view.spinner()),
                    theme.dim,
                )),
                None => {
                    lines.extend(
                        e.partial
                            .lines()
                            .map(|l| visible::line(Line::raw(l.to_owned()))),
                    );
                    lines.push(Line::styled(
                        format!(
                            "{} receiving… {} characters so far",
                            view.spinner(),
                            e.partial.chars().count()
                        ),
                        theme.dim,
                    ));
                }
                Some(Ok(a)) => {
                    lines.extend(
                        a.answer
                            .lines()
                            .map(|l| visible::line(Line::raw(l.to_owned()))),
                    );
                    lines.push(Line::styled(
                        format!(
                            "answered in {} ms (first byte {} ms)",
                            a.latency_ms, a.first_byte_ms
                        ),
                        theme.ok,
                    ));
                }
                Some(Err(err)) => {
                    lines.push(visible::line(Line::styled(
                        format!("✗ [{}] {}", err.category, err.message),
                        theme.error,
                    )));
                    if let Some(h) = &err.hint {
                        lines.push(visible::line(Line::raw(format!("  {h}"))));
                    }
                }
            }
            lines.push(Line::raw(""));
        }
        let width = usize::from(inner.width.max(1));
        let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
        let rows = u16::try_from(rows).unwrap_or(u16::MAX);
        let bottom = rows.saturating_sub(inner.height);
        let from_top = bottom.saturating_sub(self.scroll.min(bottom));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((from_top, 0))
            .render(inner, buf);

        self.prompt.render(prompt_row, buf, theme, None);
    }
}
