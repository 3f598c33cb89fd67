//! Starting a recommendation: type, name, input (inline, from the wizard's pack, or from a
//! file), agent traces (log groups, service names, a window of the last N hours; defaulted from
//! the deployed runtime when the status screen knows it), evaluators, tags, and the key, chosen
//! with the key picker widget the wizard's KMS step uses too. Every field is checked locally, as you type, with the
//! recommend module's rules; Ctrl-S sends only when nothing is in error.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::Request;
use crate::config::Diagnostic;
use crate::diagnostic::category;
use crate::pack::Pack;
use crate::recommend::Input as RecInput;
use crate::recommend::model_check;
use crate::recommend::request::{self, RecType, StartRequest, ToolText, Traces};
use crate::tui::effect::Effect;
use crate::tui::keymap::Command;
use crate::tui::persist::KmsChoice;
use crate::tui::screens::{Input, View};
use crate::tui::services::{AwsTarget, KeysEvent, PolicyCheck, ServiceError};
use crate::tui::slot::{Gen, Slot};
use crate::tui::widgets::key_picker::{KeyPicker, KeysRequest};
use crate::tui::widgets::text_field::TextField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Inline,
    Pack,
    File,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Self::Inline => "inline",
            Self::Pack => "from the wizard's pack",
            Self::File => "from a file",
        }
    }
    fn next(self) -> Self {
        match self {
            Self::Inline => Self::Pack,
            Self::Pack => Self::File,
            Self::File => Self::Inline,
        }
    }
}

/// The form's rows, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Type,
    Name,
    Source,
    Input,
    LogGroups,
    Services,
    Hours,
    Evaluators,
    Tags,
    Key,
}

const FIELDS: [Field; 10] = [
    Field::Type,
    Field::Name,
    Field::Source,
    Field::Input,
    Field::LogGroups,
    Field::Services,
    Field::Hours,
    Field::Evaluators,
    Field::Tags,
    Field::Key,
];

/// What the form starts from, as the wizard has it: built by `app.rs`, so these screens never
/// read the wizard's state.
#[derive(Debug, Clone, Default)]
pub struct WizardFacts {
    pub target: Option<AwsTarget>,
    pub region: String,
    pub account: Option<String>,
    pub pack: Option<Arc<Pack>>,
    pub kms: KmsChoice,
}

/// A deployed agent runtime, for the traces defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedRuntime {
    pub name: String,
    pub arn: String,
}

/// What the form sends: the request, and the file its input is read from (read when sending,
/// since `update` does no I/O).
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub request: StartRequest,
    pub input_file: Option<PathBuf>,
}

pub struct StartForm {
    rec_type: RecType,
    source: Source,
    name: TextField,
    input: TextField,
    log_groups: TextField,
    services: TextField,
    hours: TextField,
    evaluators: TextField,
    tags: TextField,
    pub picker: KeyPicker,
    wizard: WizardFacts,
    focus: usize,
    pub diags: Vec<Diagnostic>,
    pub sending: bool,
    /// Ctrl-S was pressed with errors left: said until the next input, so the key is not silent.
    refused: bool,
    pub failed: Option<ServiceError>,
    /// The chosen key's policy check, for the key it was asked for.
    pub policy: Option<Result<PolicyCheck, ServiceError>>,
    policy_for: Option<String>,
    policy_slot: Slot,
}

impl StartForm {
    /// The wizard's facts give the defaults: its pack, region, account, and chosen key.
    pub fn new(
        wizard: WizardFacts,
        runtime: Option<&DeployedRuntime>,
        effects: &mut Vec<Effect>,
    ) -> Self {
        let (log_group, service) = runtime
            .and_then(|r| crate::recommend::runtime_traces::of_runtime(&r.arn, &r.name))
            .map(|t| (t.log_group_arn, t.service_name))
            .unwrap_or_default();
        let mut form = Self {
            rec_type: RecType::SystemPrompt,
            source: if wizard.pack.is_some() {
                Source::Pack
            } else {
                Source::Inline
            },
            name: TextField::new("Name", "e.g. support_prompt_v2"),
            input: TextField::new("Input", ""),
            log_groups: TextField::new(
                "Log groups",
                "arn:aws:logs:REGION:ACCOUNT:log-group:NAME, …",
            )
            .with_value(&log_group),
            services: TextField::new("Services", "e.g. my_agent.DEFAULT, …").with_value(&service),
            hours: TextField::new("Last hours", "24").with_value("24"),
            evaluators: TextField::new("Evaluators", "Builtin.Helpfulness, or an evaluator ARN")
                .with_value("Builtin.Helpfulness"),
            tags: TextField::new("Tags", "team=support, env=dev"),
            picker: KeyPicker::new(
                wizard.kms.clone(),
                wizard.target.clone(),
                wizard.region.clone(),
            ),
            wizard,
            focus: 1,
            diags: Vec::new(),
            sending: false,
            refused: false,
            failed: None,
            policy: None,
            policy_for: None,
            policy_slot: Slot::default(),
        };
        form.focus_changed();
        let request = form
            .picker
            .show(form.wizard.target.as_ref(), &form.wizard.region);
        list_keys(request, effects);
        form.revalidate(Utc::now());
        form
    }

    fn field(&self) -> Field {
        FIELDS[self.focus]
    }

    fn text_mut(&mut self, f: Field) -> Option<&mut TextField> {
        Some(match f {
            Field::Name => &mut self.name,
            Field::Input => &mut self.input,
            Field::LogGroups => &mut self.log_groups,
            Field::Services => &mut self.services,
            Field::Hours => &mut self.hours,
            Field::Evaluators => &mut self.evaluators,
            Field::Tags => &mut self.tags,
            _ => return None,
        })
    }

    fn focus_changed(&mut self) {
        let current = self.field();
        for f in FIELDS {
            if let Some(t) = self.text_mut(f) {
                t.set_focused(f == current);
            }
        }
    }

    fn move_focus(&mut self, d: isize) {
        self.focus = (self.focus as isize + d).rem_euclid(FIELDS.len() as isize) as usize;
        self.focus_changed();
    }

    fn input_hint(&self) -> &'static str {
        match (self.source, self.rec_type) {
            (Source::Inline, RecType::SystemPrompt) => "the system prompt to improve",
            (Source::Inline, RecType::ToolDescription) => {
                "{\"tool_name\": \"description\", …} (JSON)"
            }
            (Source::Pack, RecType::SystemPrompt) => "prompt key (empty: the pack's only prompt)",
            (Source::Pack, RecType::ToolDescription) => "tool names, comma-separated (empty: all)",
            (Source::File, RecType::SystemPrompt) => "path of a text file with the prompt",
            (Source::File, RecType::ToolDescription) => "path of a JSON file of tools",
        }
    }

    /// The request the fields describe, with every local problem. `now` ends the window.
    pub fn draft(&self, now: DateTime<Utc>) -> (Option<Draft>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let bad = |field: &str, message: String, hint: &str| {
            Diagnostic::error(field, category::CONFIGURATION, message).with_hint(hint)
        };
        let raw = self.input.value().trim();
        let mut input_file = None;
        let input = match (self.source, self.rec_type) {
            (Source::Inline, RecType::SystemPrompt) => Some(RecInput::SystemPrompt(raw.into())),
            (Source::Inline, RecType::ToolDescription) if raw.is_empty() => {
                diags.push(bad(
                    "tools",
                    "no tool descriptions given".into(),
                    "type {\"tool_name\": \"description\"} or choose the pack or a file as source",
                ));
                None
            }
            (Source::Inline, RecType::ToolDescription) => {
                match request::tools_from_json(raw, "inline tools") {
                    Ok(t) => Some(RecInput::Tools(t)),
                    Err(d) => {
                        diags.push(d);
                        None
                    }
                }
            }
            (Source::Pack, t) => match self.wizard.pack.as_deref() {
                None => {
                    diags.push(bad(
                        "input",
                        "no pack is loaded".into(),
                        "choose a pack in the wizard (step 0), or switch the source to inline or a file",
                    ));
                    None
                }
                Some(pack) => {
                    let got = match t {
                        RecType::SystemPrompt => {
                            request::system_prompt_from_pack(pack, (!raw.is_empty()).then_some(raw))
                                .map(RecInput::SystemPrompt)
                        }
                        RecType::ToolDescription => {
                            request::tools_from_pack(pack, &list(raw)).map(RecInput::Tools)
                        }
                    };
                    got.map_err(|d| diags.push(d)).ok()
                }
            },
            (Source::File, t) => {
                if raw.is_empty() {
                    diags.push(bad(
                        "input",
                        "no file given".into(),
                        "type the path of the file to read the input from",
                    ));
                    None
                } else {
                    input_file = Some(PathBuf::from(raw));
                    // Read when sending; a stand-in lets the other fields be checked now.
                    Some(match t {
                        RecType::SystemPrompt => RecInput::SystemPrompt(format!("(file {raw})")),
                        RecType::ToolDescription => RecInput::Tools(vec![ToolText {
                            name: "file".into(),
                            description: format!("(file {raw})"),
                        }]),
                    })
                }
            }
        };
        let hours = match self.hours.value().trim().parse::<u32>() {
            Ok(h) if (1..=24 * 90).contains(&h) => h,
            _ => {
                diags.push(bad(
                    "hours",
                    format!("{:?} is not a number of hours", self.hours.value()),
                    "a whole number from 1 to 2160, e.g. 24 for the last day",
                ));
                24
            }
        };
        let mut tags = BTreeMap::new();
        for t in list(self.tags.value()) {
            match t.split_once('=') {
                Some((k, v)) => {
                    tags.insert(k.trim().to_owned(), v.trim().to_owned());
                }
                None => diags.push(bad(
                    "tags",
                    format!("tag {t:?} has no '='"),
                    "write KEY=VALUE, separated by commas",
                )),
            }
        }
        let kms_key_arn = match self.picker.choice().clone() {
            KmsChoice::Customer { arn } => Some(arn),
            KmsChoice::AwsOwned => None,
            KmsChoice::Undecided => {
                diags.push(bad(
                    "kms_key",
                    "no key chosen".into(),
                    "choose a customer managed key below, or \"AWS owned key\"",
                ));
                None
            }
        };
        let evaluators = match self.rec_type {
            RecType::SystemPrompt => list(self.evaluators.value()),
            // Evaluators only apply to system prompts; the field is ignored for tools.
            RecType::ToolDescription => Vec::new(),
        };
        let Some(input) = input else {
            return (None, diags);
        };
        let req = StartRequest {
            name: self.name.value().trim().to_owned(),
            description: None,
            input,
            traces: Traces {
                log_group_arns: list(self.log_groups.value()),
                service_names: list(self.services.value()),
                start: now - chrono::Duration::hours(i64::from(hours)),
                end: now,
            },
            evaluators,
            tags,
            kms_key_arn,
        };
        diags.extend(model_check::validate(&req, &self.wizard.region, now));
        diags.sort_by_key(|d| d.severity);
        let draft = (!request::has_errors(&diags)).then_some(Draft {
            request: req,
            input_file,
        });
        (draft, diags)
    }

    fn revalidate(&mut self, now: DateTime<Utc>) {
        self.diags = self.draft(now).1;
        // Policy findings explain; they never block (the service checks again).
        if let Some(Ok(p)) = &self.policy {
            self.diags.extend(p.findings.iter().cloned());
        }
    }

    /// Keys streamed in for the picker.
    pub fn keys(&mut self, generation: Gen, event: KeysEvent) -> bool {
        let changed = self.picker.keys(generation, event);
        self.revalidate(Utc::now());
        changed
    }

    pub fn handle(
        &mut self,
        input: Input<'_>,
        place: &super::Place,
        effects: &mut Vec<Effect>,
    ) -> Request {
        let request = self.handle_inner(input, effects);
        if !matches!(request, Request::Start(_)) {
            self.check_policy(place, effects);
            self.revalidate(Utc::now());
        }
        request
    }

    /// Asks for the policy check of a newly chosen customer managed key.
    pub fn check_policy(&mut self, place: &super::Place, effects: &mut Vec<Effect>) {
        let arn = match self.picker.choice().clone() {
            KmsChoice::Customer { arn } => Some(arn),
            _ => None,
        };
        if arn == self.policy_for {
            return;
        }
        self.policy_for.clone_from(&arn);
        self.policy = None;
        match arn {
            Some(key_arn) => effects.push(Effect::Recs(super::RecsEffect::CheckKeyPolicy {
                generation: self.policy_slot.issue(),
                place: place.clone(),
                key_arn,
            })),
            None => self.policy_slot.cancel(),
        }
    }

    pub fn policy_checked(&mut self, g: Gen, r: Result<PolicyCheck, ServiceError>) -> bool {
        if !self.policy_slot.accept(g) {
            return false;
        }
        self.policy = Some(r);
        self.revalidate(Utc::now());
        true
    }

    pub fn checking_policy(&self) -> bool {
        self.policy_slot.is_pending()
    }

    fn handle_inner(&mut self, input: Input<'_>, effects: &mut Vec<Effect>) -> Request {
        let field = self.field();
        self.refused = false;
        match input {
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            Input::Command(Command::FocusNext) => self.move_focus(1),
            Input::Command(Command::FocusPrev) => self.move_focus(-1),
            Input::Command(Command::Submit) => {
                if self.sending {
                    return Request::None;
                }
                let (draft, diags) = self.draft(Utc::now());
                self.diags = diags;
                if let Some(d) = draft {
                    self.sending = true;
                    self.failed = None;
                    return Request::Start(Box::new(d));
                }
                self.refused = true;
            }
            Input::Command(Command::Retry) if field == Field::Key => {
                list_keys(self.picker.retry(), effects);
            }
            _ if field == Field::Key => {
                self.picker.handle(input);
            }
            Input::Command(Command::Up) => self.move_focus(-1),
            Input::Command(Command::Down | Command::Select) => self.move_focus(1),
            Input::Key(k) if matches!(field, Field::Type | Field::Source) => {
                if matches!(k.code, KeyCode::Left | KeyCode::Right | KeyCode::Char(' ')) {
                    match field {
                        Field::Type => {
                            self.rec_type = match self.rec_type {
                                RecType::SystemPrompt => RecType::ToolDescription,
                                RecType::ToolDescription => RecType::SystemPrompt,
                            }
                        }
                        _ => self.source = self.source.next(),
                    }
                }
            }
            Input::Key(k) => {
                if let Some(t) = self.text_mut(field) {
                    t.input(k);
                }
            }
            Input::Paste(s) => {
                if let Some(t) = self.text_mut(field) {
                    t.paste(s);
                }
            }
            _ => {}
        }
        Request::None
    }

    pub fn started(&mut self, r: &Result<crate::recommend::Summary, ServiceError>) {
        self.sending = false;
        self.failed = r.as_ref().err().cloned();
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(" Start a recommendation ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines: Vec<Line> = if self.sending {
            vec![Line::styled(
                format!("{} starting…", view.spinner()),
                theme.dim,
            )]
        } else if let Some(e) = &self.failed {
            vec![Line::styled(
                format!("✗ not started ({}): {}", e.category, e.message),
                theme.error,
            )]
        } else if self.diags.is_empty() {
            vec![Line::styled(
                "✓ ready: Ctrl-S starts it (checked again by AWS)",
                theme.ok,
            )]
        } else {
            self.diags
                .iter()
                .map(|d| {
                    let style = if d.is_error() {
                        theme.error
                    } else {
                        theme.warning
                    };
                    let hint = d
                        .hint
                        .as_deref()
                        .map(|h| format!(" — {h}"))
                        .unwrap_or_default();
                    Line::styled(
                        format!(
                            "{} {}{hint}",
                            if d.is_error() { "✗" } else { "⚠" },
                            d.message
                        ),
                        style,
                    )
                })
                .collect()
        };
        if let Some(l) = self.policy_line(theme) {
            lines.insert(0, l);
        }
        if self.refused {
            let n = self.diags.iter().filter(|d| d.is_error()).count();
            lines.insert(
                0,
                Line::styled(
                    format!("✗ not started: {n} error(s) below to fix first"),
                    theme.error,
                ),
            );
        }
        let width = usize::from(inner.width).max(1);
        let wanted: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
        let diag_h = u16::try_from(wanted.clamp(1, 6)).unwrap_or(6);
        let [rows, picker, diags] = Layout::vertical([
            Constraint::Length(9),
            Constraint::Min(4),
            Constraint::Length(diag_h),
        ])
        .areas(inner);
        let label_w = 13u16;
        for (n, f) in FIELDS.iter().take(9).enumerate() {
            let y = rows.y + u16::try_from(n).unwrap_or(0);
            if y >= rows.bottom() {
                break;
            }
            let focused = *f == self.field();
            let name = match f {
                Field::Type => "Type",
                Field::Name => "Name",
                Field::Source => "Input from",
                Field::Input => "Input",
                Field::LogGroups => "Log groups",
                Field::Services => "Services",
                Field::Hours => "Last hours",
                Field::Evaluators => "Evaluators",
                Field::Tags => "Tags",
                Field::Key => "Key",
            };
            let bad = self
                .diags
                .iter()
                .any(|d| d.is_error() && field_of(&d.field) == Some(*f));
            let style = if focused {
                theme.title
            } else if bad {
                theme.error
            } else {
                theme.dim
            };
            let mark = if bad { "✗" } else { " " };
            Line::from(vec![
                Span::styled(if focused { "▸" } else { " " }, theme.accent),
                Span::styled(format!("{name:<10}"), style),
                Span::styled(mark, theme.error),
            ])
            .render(Rect::new(rows.x, y, label_w, 1), buf);
            let value = Rect::new(rows.x + label_w, y, rows.width.saturating_sub(label_w), 1);
            let choice = |text: String| {
                Line::from(vec![
                    Span::raw(text),
                    Span::styled(if focused { "   ←/→ changes" } else { "" }, theme.dim),
                ])
            };
            match f {
                Field::Type => choice(match self.rec_type {
                    RecType::SystemPrompt => "system prompt".into(),
                    RecType::ToolDescription => "tool descriptions".into(),
                })
                .render(value, buf),
                Field::Source => choice(self.source.label().into()).render(value, buf),
                Field::Input if self.input.value().is_empty() => {
                    let hint = if focused { self.input_hint() } else { "" };
                    Line::styled(hint, theme.dim).render(value, buf);
                    if focused {
                        buf.set_style(Rect::new(value.x, y, 1, 1), theme.cursor);
                    }
                }
                Field::Evaluators if self.rec_type == RecType::ToolDescription => {
                    Line::styled("(system prompts only)", theme.dim).render(value, buf);
                }
                other => {
                    let t = match other {
                        Field::Name => &self.name,
                        Field::Input => &self.input,
                        Field::LogGroups => &self.log_groups,
                        Field::Services => &self.services,
                        Field::Hours => &self.hours,
                        Field::Evaluators => &self.evaluators,
                        _ => &self.tags,
                    };
                    t.render_plain(value, buf);
                }
            }
        }
        let key_focused = self.field() == Field::Key;
        let pblock = Block::new()
            .borders(Borders::TOP)
            .border_style(if key_focused {
                theme.focused_border
            } else {
                theme.border
            })
            .title(Span::styled(
                if key_focused {
                    " ▸ Key (type to filter, Enter chooses) "
                } else {
                    " Key (Tab to here to change) "
                },
                if key_focused { theme.title } else { theme.dim },
            ));
        let pin = pblock.inner(picker);
        pblock.render(picker, buf);
        self.picker
            .render(pin, buf, view.theme, view.spinner(), false);
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(diags, buf);
    }

    fn policy_line(&self, theme: &crate::tui::theme::Theme) -> Option<Line<'static>> {
        let arn = self.policy_for.as_ref()?;
        Some(match &self.policy {
            None => Line::styled("… checking the key policy", theme.dim),
            Some(Ok(p)) if p.compliant => Line::styled(
                "✓ key policy: the caller and the AgentCore service can use this key, correctly scoped",
                theme.ok,
            ),
            Some(Ok(p)) => Line::styled(
                format!(
                    "⚠ key policy: {} finding(s) below; `agentcore-tui keys check {arn} --apply --yes` writes the recommended policy ({} line(s) change)",
                    p.findings.len(),
                    p.diff
                        .iter()
                        .filter(|d| d.change != crate::kms::policy::LineChange::Same)
                        .count()
                ),
                theme.warning,
            ),
            Some(Err(e)) => Line::styled(
                format!("⚠ key policy not checked ({}): {}", e.category, e.message),
                theme.warning,
            ),
        })
    }
}

/// Which row a diagnostic's field belongs to.
fn field_of(field: &str) -> Option<Field> {
    Some(match field.split('.').next().unwrap_or(field) {
        "name" => Field::Name,
        "systemPrompt" | "tools" | "input" | "prompt" => Field::Input,
        "logGroupArns" => Field::LogGroups,
        "serviceNames" => Field::Services,
        "startTime" | "hours" => Field::Hours,
        "evaluators" => Field::Evaluators,
        "tags" => Field::Tags,
        "kmsKeyArn" | "kms_key" => Field::Key,
        _ => return None,
    })
}

/// Comma-separated values, trimmed, empties dropped.
fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The picker's listing, asked as the form's own effect so the pages come back to the form.
fn list_keys(request: Option<KeysRequest>, effects: &mut Vec<Effect>) {
    if let Some(r) = request {
        effects.push(Effect::Recs(super::RecsEffect::Keys {
            generation: r.generation,
            place: super::Place {
                target: r.target,
                region: r.region,
            },
        }));
    }
}
