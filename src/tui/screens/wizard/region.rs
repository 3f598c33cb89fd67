//! Step 1: the AWS region, picked from a list that filters as you type (AgentCore regions
//! marked), or typed in full when it is not listed.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{Flow, Shared, Step, StepCx, field_severity};
use crate::config::{Diagnostic, fields};
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::Answers;
use crate::tui::screens::{Input, View};
use crate::tui::widgets::filter_list::FilterList;

/// Commercial regions (code, name). AgentCore availability comes from `config::fields`.
pub const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("me-central-1", "Middle East (UAE)"),
    ("sa-east-1", "South America (São Paulo)"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionEntry {
    pub code: String,
    pub name: String,
    pub agentcore: bool,
}

impl RegionEntry {
    fn search_text(&self) -> String {
        let mark = if self.agentcore { " agentcore" } else { "" };
        format!("{} {}{mark}", self.code, self.name)
    }
}

pub fn region_entries() -> Vec<RegionEntry> {
    let mut v: Vec<RegionEntry> = REGIONS
        .iter()
        .map(|(code, name)| RegionEntry {
            code: (*code).into(),
            name: (*name).into(),
            agentcore: fields::AGENTCORE_REGIONS.contains(code),
        })
        .collect();
    // AgentCore regions first: they are the ones that work.
    v.sort_by_key(|e| !e.agentcore);
    v
}

pub struct RegionStep {
    list: FilterList<RegionEntry>,
    chosen: String,
    diags: Vec<Diagnostic>,
}

impl RegionStep {
    pub fn new(answers: &Answers) -> Self {
        let mut list = FilterList::new(
            "Filter (type to narrow, Enter to choose)",
            "e.g. oregon, eu-, agentcore",
            region_entries(),
            RegionEntry::search_text,
        );
        list.filter.set_focused(true);
        list.select_where(|e| e.code == answers.region);
        Self {
            list,
            chosen: answers.region.clone(),
            diags: Vec::new(),
        }
    }

    pub fn chosen(&self) -> &str {
        &self.chosen
    }

    /// Takes the region the target suggests (its profile's, `AWS_REGION`) as the answer.
    pub fn propose(&mut self, code: &str) {
        self.chosen = code.to_owned();
        self.list.select_where(|e| e.code == code);
    }

    fn choose(&mut self) -> Flow {
        if let Some(e) = self.list.selected() {
            self.chosen = e.code.clone();
            Flow::Advance
        } else if !self.list.filter_text().trim().is_empty() {
            // Not listed: take the text as typed and let the validators judge it.
            self.chosen = self.list.filter_text().trim().to_string();
            Flow::Handled
        } else {
            Flow::Handled
        }
    }
}

impl Step for RegionStep {
    fn context(&self) -> Context {
        Context::FilterList
    }

    fn handle(&mut self, input: Input<'_>, _cx: &mut StepCx<'_>) -> Flow {
        match input {
            Input::Command(Command::Up) | Input::Scroll(-1) => self.list.move_by(-1),
            Input::Command(Command::Down) | Input::Scroll(1) => self.list.move_by(1),
            Input::Command(Command::PageUp) => self.list.move_by(-10),
            Input::Command(Command::PageDown) => self.list.move_by(10),
            Input::Command(Command::Select) => return self.choose(),
            Input::Key(k) => {
                self.list.input(k);
            }
            Input::Paste(s) => {
                self.list.paste(s);
            }
            Input::Click { row, height, .. } => {
                if let Some(r) = row.checked_sub(LIST_TOP) {
                    self.list
                        .select_row(usize::from(r), usize::from(height.saturating_sub(LIST_TOP)));
                    // A click chooses but does not advance: the user may still be looking.
                    let _ = self.choose();
                }
            }
            _ => return Flow::Unhandled,
        }
        Flow::Handled
    }

    fn revalidate(&mut self, _shared: &Shared) {
        self.diags = fields::region(&self.chosen);
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn write(&self, answers: &mut Answers) {
        answers.region.clone_from(&self.chosen);
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [chosen, filter, header, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(area);
        let chosen_line = if self.chosen.is_empty() {
            Line::from(vec![
                Span::raw("Region: "),
                Span::styled("none chosen yet", theme.dim),
            ])
        } else {
            Line::from(vec![
                Span::raw("Region: "),
                Span::styled(self.chosen.clone(), theme.title),
            ])
        };
        chosen_line.render(chosen, buf);
        self.list
            .filter
            .render(filter, buf, theme, field_severity(&[], ""));
        let shown = self.list.visible().len();
        Line::from(vec![
            Span::styled(
                format!("{shown} of {} regions", self.list.items().len()),
                theme.dim,
            ),
            Span::styled("   ★ = Bedrock AgentCore available", theme.dim),
        ])
        .render(header, buf);
        if shown == 0 {
            let text = if self.list.filter_text().trim().is_empty() {
                "no regions".to_string()
            } else {
                format!(
                    "not listed: Enter uses {:?} as typed",
                    self.list.filter_text().trim()
                )
            };
            Line::styled(text, theme.warning).render(list, buf);
            return;
        }
        let chosen_code = self.chosen.clone();
        self.list.render_rows(list, buf, theme, |e, _| {
            let star = if e.agentcore {
                Span::styled("★ ", theme.accent)
            } else {
                Span::raw("  ")
            };
            let check = if e.code == chosen_code { "● " } else { "  " };
            Line::from(vec![
                Span::raw(check),
                star,
                Span::raw(format!("{:<16}", e.code)),
                Span::styled(e.name.clone(), theme.dim),
            ])
        });
    }
}

/// Rows above the list: chosen line, the 3-line filter field, the count line.
const LIST_TOP: u16 = 5;
