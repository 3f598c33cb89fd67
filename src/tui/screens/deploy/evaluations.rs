//! A runtime's online evaluation results: each evaluator's scores over the last day as a
//! sparkline (oldest left, newest right), and the latest explanations of the chosen evaluator.
//! Read again every 15 s while open; a failed read waits for `r` unless it was the network.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Widget, Wrap};

use super::Request;
use super::poll::Poll;
use crate::monitor::evaluations::{EMPTY_NOTE, EvalResult, Results};
use crate::monitor::logs::time_text;
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::ServiceError;
use crate::tui::widgets::visible;

/// Ticks (100 ms) between reads.
const REFRESH_TICKS: u32 = 150;
/// Explanations of the chosen evaluator listed at most (the box shows what fits).
const EXPLANATIONS: usize = 20;
/// Rows of one evaluator's sparkline at most.
const SPARK_ROWS: u16 = 3;

pub struct EvaluationsState {
    pub runtime: String,
    pub results: Option<Results>,
    pub error: Option<ServiceError>,
    /// The evaluator whose explanations are shown (index in name order).
    pub selected: usize,
    pub poll: Poll,
}

impl EvaluationsState {
    pub fn new(runtime: String) -> Self {
        Self {
            runtime,
            results: None,
            poll: Poll::started(REFRESH_TICKS),
            error: None,
            selected: 0,
        }
    }

    pub fn context(&self) -> Context {
        Context::Evaluations
    }

    pub fn read(&mut self, result: Result<Results, ServiceError>) {
        self.poll.answered(result.as_ref().err());
        match result {
            Ok(r) => {
                self.error = None;
                self.results = Some(r);
            }
            Err(e) => self.error = Some(e),
        }
        self.selected = self.selected.min(self.evaluators().len().saturating_sub(1));
    }

    /// True when a read is due.
    pub fn tick(&mut self) -> bool {
        self.poll.tick()
    }

    fn evaluators(&self) -> Vec<&str> {
        self.results
            .as_ref()
            .map(|r| {
                let mut names: Vec<&str> = r.results.iter().map(|x| x.evaluator.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                names
            })
            .unwrap_or_default()
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        let n = self.evaluators().len();
        match input {
            Input::Command(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Input::Command(Command::Down) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
            }
            Input::Command(Command::Refresh) if self.poll.now() => return Request::ReadMonitor,
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let names = self.evaluators();
        let rows = self.spark_rows(names.len(), area.height);
        let chart_h = if names.is_empty() {
            0
        } else {
            u16::try_from(names.len())
                .unwrap_or(u16::MAX)
                .saturating_mul(rows + 1)
                .saturating_add(2)
        };
        let [top, chart, notes] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(chart_h),
            Constraint::Min(0),
        ])
        .areas(area);
        let r = self.results.as_ref();
        let mut head = vec![Span::styled(
            format!("runtime {}", self.runtime),
            theme.title,
        )];
        if let Some(c) = r.and_then(|r| r.config.as_ref()) {
            head.push(Span::styled(format!(" · config {}", c.name), theme.dim));
        }
        if let Some(g) = r.and_then(|r| r.group.as_deref()) {
            head.push(Span::styled(format!(" · {g}"), theme.dim));
        }
        let state = if self.poll.loading {
            format!("{} reading…", view.spinner())
        } else if self.error.is_some() && self.poll.countdown == 0 {
            "stopped (r retries)".to_string()
        } else {
            format!("next read in {}s", self.poll.countdown.div_ceil(10))
        };
        let mut facts = vec![Span::styled(state, theme.accent)];
        if let Some(r) = r {
            facts.push(Span::styled(
                format!(
                    " · {} results of the last 24 h{} · times UTC",
                    r.results.len(),
                    if r.truncated { " (newest kept)" } else { "" }
                ),
                theme.dim,
            ));
        }
        Paragraph::new(vec![
            visible::line(Line::from(head)),
            visible::line(Line::from(facts)),
        ])
        .render(top, buf);

        if let Some(r) = r
            && !names.is_empty()
        {
            self.render_chart(r, &names, rows, chart, buf, view);
        }
        self.render_notes(&names, notes, buf, view);
    }

    /// Sparkline rows per evaluator: up to [`SPARK_ROWS`] while the chart takes at most half of
    /// `height`, never fewer than one.
    fn spark_rows(&self, evaluators: usize, height: u16) -> u16 {
        let n = u16::try_from(evaluators.max(1)).unwrap_or(u16::MAX);
        let room = (height / 2).saturating_sub(2) / n;
        room.saturating_sub(1).clamp(1, SPARK_ROWS)
    }

    fn render_chart(
        &self,
        r: &Results,
        names: &[&str],
        rows: u16,
        area: Rect,
        buf: &mut Buffer,
        view: &View<'_>,
    ) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(
                " Scores per evaluator (oldest → newest) ",
                theme.title,
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        let series = r.series();
        for (i, name) in names.iter().enumerate() {
            let y = inner.y
                + u16::try_from(i)
                    .unwrap_or(u16::MAX)
                    .saturating_mul(rows + 1);
            if y >= inner.bottom() {
                break;
            }
            let scores = series.get(name).map(Vec::as_slice).unwrap_or_default();
            let latest = r.results.iter().rev().find(|x| x.evaluator == *name);
            let mark = if i == self.selected { "▶ " } else { "  " };
            let style = if i == self.selected {
                theme.selected
            } else {
                theme.text
            };
            let avg = if scores.is_empty() {
                String::new()
            } else {
                format!(
                    "avg {:.2} · n {}",
                    scores.iter().sum::<f64>() / scores.len() as f64,
                    scores.len()
                )
            };
            let now = latest
                .map(|l| {
                    format!(
                        "latest {} {}",
                        l.score.map_or("-".to_string(), |s| format!("{s:.2}")),
                        l.label.as_deref().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            visible::line(Line::from(vec![
                Span::styled(format!("{mark}{name}"), style),
                Span::styled(format!("  {now}  {avg}"), theme.dim),
            ]))
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
            if y + 1 >= inner.bottom() {
                break;
            }
            // One column per result, the newest at the right; a score is drawn against the
            // evaluator's own top (a 1–5 judge and a 0–1 built-in share the chart), and a zero
            // still shows as the lowest bar.
            let height = rows.min(inner.bottom() - (y + 1));
            let spark = Rect::new(inner.x + 2, y + 1, inner.width.saturating_sub(2), height);
            let width = usize::from(spark.width);
            let shown = &scores[scores.len().saturating_sub(width)..];
            let top = shown.iter().copied().fold(1.0_f64, f64::max);
            let data: Vec<u64> = shown
                .iter()
                .map(|s| 1 + (s.max(0.0) / top * 99.0).round() as u64)
                .collect();
            Sparkline::default()
                .data(&data)
                .max(100)
                .style(theme.ok)
                .render(spark, buf);
        }
    }

    fn render_notes(&self, names: &[&str], area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let chosen = names.get(self.selected).copied();
        let title = match chosen {
            Some(n) => format!(" Latest explanations · {n} "),
            None => " Latest explanations ".to_string(),
        };
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(crate::sanitize::escape(&title), theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines: Vec<Line<'_>> = Vec::new();
        if let Some(e) = &self.error {
            lines.push(Line::styled(
                format!("✗ [{}] {}", e.category, e.message),
                theme.error,
            ));
            if let Some(h) = &e.hint {
                lines.push(Line::raw(format!("  {h}")));
            }
            lines.push(Line::styled("r reads again.", theme.dim));
        } else if let Some(r) = &self.results {
            if r.config.is_none() {
                lines.push(Line::styled(
                    format!(
                        "Runtime {} has no online evaluation config: the pack's evals with a judge \
                         or a built-in evaluator create one on apply.",
                        self.runtime
                    ),
                    theme.dim,
                ));
            } else if r.results.is_empty() {
                let why = if r.no_group {
                    "Nothing evaluated yet: the result log group does not exist"
                } else {
                    "No evaluation results in the last 24 hours"
                };
                lines.push(Line::styled(
                    format!("{why}; {EMPTY_NOTE}. Send a prompt with Tab → Invoke."),
                    theme.dim,
                ));
            }
        }
        if let (Some(r), Some(name)) = (&self.results, chosen) {
            let newest: Vec<&EvalResult> = r
                .results
                .iter()
                .rev()
                .filter(|x| x.evaluator == name)
                .take(EXPLANATIONS)
                .collect();
            for x in newest {
                let t = time_text(x.timestamp);
                let mut facts = vec![
                    Span::styled(t.get(11..19).unwrap_or(&t).to_string(), theme.dim),
                    Span::styled(
                        format!(
                            "  {} {}",
                            x.score.map_or("-".to_string(), |s| format!("{s:.2}")),
                            x.label.as_deref().unwrap_or_default()
                        ),
                        theme.accent,
                    ),
                ];
                if let Some(s) = &x.session {
                    facts.push(Span::styled(format!("  session {s}"), theme.dim));
                }
                lines.push(Line::from(facts));
                lines.push(Line::raw(format!(
                    "  {}",
                    x.explanation.as_deref().unwrap_or("(no explanation)")
                )));
            }
        }
        Paragraph::new(visible::lines(lines))
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
