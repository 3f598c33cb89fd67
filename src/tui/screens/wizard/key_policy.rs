//! The chosen key's policy in the KMS step: fetched through an effect, analysed with
//! [`crate::services::key_policy`] for the caller's account, the region and the caller's role, the
//! recommended policy shown as a diff, and put on the key only after a confirmation that
//! defaults to Cancel.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::Shared;
use crate::config::{Diagnostic, category};
use crate::kms::policy::{DiffLine, LineChange, PolicyTarget};
use crate::services::key_policy::{self, Checked};
use crate::tui::effect::Effect;
use crate::tui::screens::View;
use crate::tui::services::{AwsTarget, ServiceError};
use crate::tui::slot::{Gen, Slot};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Analysed {
    /// The policy is not read yet, or reading it failed.
    Nothing,
    /// Account, region or caller unknown or invalid: the policy cannot be judged yet.
    NoTarget {
        message: String,
        fix: String,
    },
    NotJson(String),
    Done {
        compliant: bool,
        findings: Vec<Diagnostic>,
        recommended: String,
        diff: Vec<DiffLine>,
        caller: String,
    },
}

pub struct KeyPolicyView {
    key_arn: String,
    label: String,
    fetch: Slot,
    put: Slot,
    /// `None` while the first read is in flight.
    current: Option<Result<String, ServiceError>>,
    analysed: Analysed,
    scroll: usize,
    confirming: bool,
    applied: Option<Result<(), ServiceError>>,
}

/// The status lines on top; returns the room left under them.
fn render_head(head: Vec<Line<'_>>, area: Rect, buf: &mut Buffer) -> Rect {
    let para = Paragraph::new(head).wrap(Wrap { trim: true });
    let height = u16::try_from(para.line_count(area.width)).unwrap_or(u16::MAX);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    para.render(top, buf);
    rest
}

impl KeyPolicyView {
    pub fn new(key_arn: String, label: String) -> Self {
        Self {
            key_arn,
            label,
            fetch: Slot::default(),
            put: Slot::default(),
            current: None,
            analysed: Analysed::Nothing,
            scroll: 0,
            confirming: false,
            applied: None,
        }
    }

    pub fn key_arn(&self) -> &str {
        &self.key_arn
    }

    pub fn confirming(&self) -> bool {
        self.confirming
    }

    pub fn busy(&self) -> bool {
        self.fetch.is_pending() || self.put.is_pending()
    }

    pub fn failed(&self) -> bool {
        matches!(self.current, Some(Err(_)))
    }

    pub fn request(&mut self, target: &AwsTarget, region: &str, effects: &mut Vec<Effect>) {
        effects.push(Effect::FetchKeyPolicy {
            generation: self.fetch.issue(),
            target: target.clone(),
            region: region.to_string(),
            key_arn: self.key_arn.clone(),
        });
    }

    pub fn loaded(&mut self, generation: Gen, result: Result<String, ServiceError>) -> bool {
        if !self.fetch.accept(generation) {
            return false;
        }
        self.current = Some(result);
        self.scroll = 0;
        true
    }

    /// After a PutKeyPolicy, the key's policy is read again so what is shown is what KMS has.
    pub fn put_done(
        &mut self,
        generation: Gen,
        result: Result<(), ServiceError>,
        target: Option<&AwsTarget>,
        region: &str,
        effects: &mut Vec<Effect>,
    ) -> bool {
        if !self.put.accept(generation) {
            return false;
        }
        self.applied = Some(result);
        if let Some(t) = target {
            self.request(t, region, effects);
        }
        true
    }

    fn has_changes(&self) -> bool {
        matches!(&self.analysed, Analysed::Done { diff, .. }
            if diff.iter().any(|l| l.change != LineChange::Same))
    }

    /// Ctrl-K: only a policy that differs from the recommended one is offered for replacement.
    pub fn ask(&mut self) {
        self.confirming = self.has_changes() && !self.put.is_pending();
    }

    pub fn cancel(&mut self) {
        self.confirming = false;
    }

    pub fn confirm(&mut self, target: Option<&AwsTarget>, region: &str) -> Option<Effect> {
        if !std::mem::take(&mut self.confirming) {
            return None;
        }
        let (Analysed::Done { recommended, .. }, Some(target)) = (&self.analysed, target) else {
            return None;
        };
        self.applied = None;
        Some(Effect::PutKeyPolicy {
            generation: self.put.issue(),
            target: target.clone(),
            region: region.to_string(),
            key_arn: self.key_arn.clone(),
            policy: recommended.clone(),
        })
    }

    pub fn scroll_by(&mut self, d: isize) {
        let len = match &self.analysed {
            Analysed::Done { diff, .. } => diff.len(),
            _ => 0,
        };
        self.scroll = self
            .scroll
            .saturating_add_signed(d)
            .min(len.saturating_sub(1));
    }

    pub fn analyse(&mut self, shared: &Shared) {
        let Some(Ok(current)) = &self.current else {
            self.analysed = Analysed::Nothing;
            return;
        };
        let (Some(account), Some(principal)) = (&shared.caller_account, &shared.caller_principal)
        else {
            self.analysed = Analysed::NoTarget {
                message: "the caller is not known yet".into(),
                fix: "step 0: choose where to deploy so the caller can be identified".into(),
            };
            return;
        };
        let caller = match principal {
            Ok(p) => p,
            Err(e) => {
                self.analysed = Analysed::NoTarget {
                    message: e.message.clone(),
                    fix: e.hint.clone().unwrap_or_default(),
                };
                return;
            }
        };
        let target = match PolicyTarget::new(account, shared.region(), caller) {
            Ok(t) => t,
            Err(e) => {
                self.analysed = Analysed::NoTarget {
                    message: e.to_string(),
                    fix: e.fix,
                };
                return;
            }
        };
        self.analysed = match key_policy::check(current, &target) {
            Ok(Checked {
                analysis,
                recommended: Ok(recommended),
                diff,
            }) => Analysed::Done {
                compliant: analysis.is_compliant(),
                findings: analysis
                    .findings
                    .iter()
                    .map(|f| f.to_diagnostic())
                    .collect(),
                diff,
                recommended,
                // The role name is what tells roles apart; the account is in the header.
                caller: crate::arn::Arn::parse(&target.caller)
                    .map_or(target.caller.as_str(), |a| a.resource)
                    .to_string(),
            },
            Ok(Checked {
                recommended: Err(e),
                ..
            })
            | Err(e) => Analysed::NotJson(e.to_string()),
        };
    }

    pub fn diagnostics(&self, out: &mut Vec<Diagnostic>) {
        if let Some(Err(e)) = &self.current {
            let mut d = Diagnostic::warning(
                "kms_key.policy",
                category::SECURITY,
                format!(
                    "the key policy of {} cannot be read ({}): {}",
                    self.label, e.category, e.message
                ),
            );
            d = d.with_hint(
                e.hint
                    .clone()
                    .unwrap_or_else(|| "Ctrl-R reads it again".into()),
            );
            out.push(d);
        }
        match &self.analysed {
            Analysed::Nothing => {}
            Analysed::NoTarget { message, fix } => out.push(
                Diagnostic::warning(
                    "kms_key.policy",
                    category::SECURITY,
                    format!("the key policy cannot be checked: {message}"),
                )
                .with_hint(fix.clone()),
            ),
            Analysed::NotJson(e) => out.push(
                Diagnostic::warning("kms_key.policy", category::SECURITY, e.clone())
                    .with_hint("Ctrl-K replaces it with the recommended policy (asks first)"),
            ),
            Analysed::Done { findings, .. } => out.extend(findings.iter().cloned()),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let mut block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(
                format!(" key policy of {} ", self.label),
                theme.title,
            ));
        if self.has_changes() && !self.put.is_pending() {
            block = block.title_bottom(Line::from(vec![
                Span::styled(" Ctrl-K", theme.key),
                Span::raw(" put the recommended policy · "),
                Span::styled("Shift-↑↓", theme.key),
                Span::raw(" scroll "),
            ]));
        }
        let inner = block.inner(area);
        block.render(area, buf);
        let mut head: Vec<Line> = Vec::new();
        match &self.applied {
            Some(Ok(())) if self.put.is_pending() => {}
            Some(Ok(())) => head.push(Line::styled(
                "✓ PutKeyPolicy done; the policy as KMS now has it:",
                theme.ok,
            )),
            Some(Err(e)) => head.push(Line::styled(
                format!(
                    "✗ PutKeyPolicy failed ({}): {}{}",
                    e.category,
                    e.message,
                    e.hint
                        .as_deref()
                        .map(|h| format!(" → {h}"))
                        .unwrap_or_default()
                ),
                theme.error,
            )),
            None => {}
        }
        let mut diff: &[DiffLine] = &[];
        if self.put.is_pending() {
            head.push(Line::styled(
                format!(
                    "{} putting the recommended policy on the key…",
                    view.spinner()
                ),
                theme.dim,
            ));
        } else {
            match (&self.current, &self.analysed) {
                (None, _) => head.push(Line::styled(
                    format!("{} reading the key policy…", view.spinner()),
                    theme.dim,
                )),
                (Some(Err(e)), _) => head.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "✗ reading the policy failed ({}): {}",
                            e.category, e.message
                        ),
                        theme.error,
                    ),
                    Span::styled("  Ctrl-R retries", theme.dim),
                ])),
                (
                    Some(Ok(_)),
                    Analysed::Done {
                        compliant,
                        findings,
                        diff: d,
                        caller,
                        ..
                    },
                ) => {
                    if *compliant {
                        head.push(Line::styled(
                            format!("✓ seed 000's three statements are there, for {caller}"),
                            theme.ok,
                        ));
                    }
                    if !self.has_changes() {
                        render_head(head, inner, buf);
                        return;
                    }
                    let who = if *compliant {
                        String::new()
                    } else {
                        format!(" for {caller}")
                    };
                    head.push(Line::styled(
                        format!(
                            "⚠ {} finding(s){who}; the recommended policy:",
                            findings.len()
                        ),
                        theme.warning,
                    ));
                    diff = d;
                }
                (Some(Ok(_)), _) => head.push(Line::styled(
                    "the policy cannot be checked yet: see Diagnostics",
                    theme.dim,
                )),
            }
        }
        let rest = render_head(head, inner, buf);
        let changed: Vec<Line> = diff
            .iter()
            .skip(self.scroll)
            .map(|l| match l.change {
                LineChange::Same => Line::styled(format!("  {}", l.text), theme.dim),
                LineChange::Added => Line::styled(format!("+ {}", l.text), theme.ok),
                LineChange::Removed => Line::styled(format!("- {}", l.text), theme.error),
            })
            .collect();
        Paragraph::new(changed).render(rest, buf);
    }

    /// The confirmation, over the step. Cancel is highlighted: Enter keeps the policy.
    pub fn render_confirm(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let width = area.width.min(64);
        let height = area.height.min(8);
        let r = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + (area.height - height) / 2,
            width,
            height,
        );
        Clear.render(r, buf);
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(
                " Put the recommended key policy? ",
                theme.title,
            ));
        let text = vec![
            Line::raw(format!(
                "PutKeyPolicy replaces the whole policy of {} with the recommended one shown in the diff.",
                self.label
            )),
            Line::raw(""),
            Line::from(vec![
                Span::styled("[ Cancel ]", theme.selected),
                Span::styled(" Enter/Esc    ", theme.dim),
                Span::styled("Put it", theme.text),
                Span::styled(" y", theme.key),
            ]),
        ];
        Paragraph::new(text)
            .block(block)
            .wrap(Wrap { trim: true })
            .render(r, buf);
    }
}
