//! The recommendations list: pages stream in (the first is on screen while the rest load),
//! `/` filters as you type with the recommend module's filter, `s` sorts, Space marks rows for a
//! multi-delete, and the rows not finished yet are re-read every few seconds.
//!
//! ListRecommendations returns metadata only, so which key encrypts a recommendation is known
//! once it has been read (opened, or re-read by the auto-refresh); until then the key column
//! shows `·`.

use std::collections::{BTreeSet, HashMap};

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Request, clip, status_span};
use crate::recommend::filter::{SortKey, filter, sort};
use crate::recommend::{Detail, Status, Summary};
use crate::tui::keymap::Command;
use crate::tui::screens::{Input, View};
use crate::tui::services::{KEY_UNAVAILABLE, ServiceError};
use crate::tui::theme::Theme;
use crate::tui::widgets::visible;

/// Ticks (100 ms each) between two re-reads of the unfinished recommendations.
pub const REFRESH_TICKS: u32 = 50;
/// At most this many unfinished recommendations are re-read per refresh.
const REFRESH_MAX: usize = 25;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyUse {
    Unknown,
    AwsOwned,
    Cmk(String),
    /// Reading failed because its key is disabled or deleted.
    CmkUnavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Load {
    #[default]
    Idle,
    /// No account or region to ask yet.
    Unavailable(String),
    Loading {
        pages: usize,
    },
    Loaded,
    Failed(ServiceError),
}

#[derive(Debug, Clone, Default)]
pub struct ListState {
    items: Vec<Summary>,
    keys: Vec<KeyUse>,
    by_id: HashMap<String, usize>,
    /// Every item in the sort order.
    order: Vec<usize>,
    /// `order` narrowed by the filter.
    visible: Vec<usize>,
    selected: usize,
    pub marked: BTreeSet<String>,
    pub filter: String,
    pub filtering: bool,
    sort: Sort,
    load: Load,
    until_refresh: u32,
    deleting: BTreeSet<String>,
    /// The last thing that went wrong outside loading (a delete, a refresh).
    notice: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Sort(u8);

impl Sort {
    fn key(self) -> SortKey {
        match self.0 {
            1 => SortKey::Name,
            2 => SortKey::Status,
            _ => SortKey::NewestFirst,
        }
    }
    fn label(self) -> &'static str {
        match self.0 {
            1 => "name",
            2 => "status",
            _ => "newest first",
        }
    }
    fn next(self) -> Self {
        Self((self.0 + 1) % 3)
    }
}

impl ListState {
    pub fn items(&self) -> &[Summary] {
        &self.items
    }

    pub fn visible(&self) -> impl Iterator<Item = &Summary> {
        self.visible.iter().map(|&i| &self.items[i])
    }

    pub fn selected(&self) -> Option<&Summary> {
        self.visible.get(self.selected).map(|&i| &self.items[i])
    }

    pub fn key_use(&self, id: &str) -> Option<&KeyUse> {
        self.by_id.get(id).map(|&i| &self.keys[i])
    }

    pub fn loading(&self) -> bool {
        matches!(self.load, Load::Loading { .. })
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self.load, Load::Unavailable(_) | Load::Failed(_))
    }

    pub fn deleting(&self) -> bool {
        !self.deleting.is_empty()
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn unfinished(&self) -> usize {
        self.items.iter().filter(|s| !s.status.is_final()).count()
    }

    pub fn sort_key(&self) -> SortKey {
        self.sort.key()
    }

    pub fn unavailable(&mut self, why: String) {
        self.load = Load::Unavailable(why);
    }

    /// A new listing: what was shown goes, the filter and sort stay.
    pub fn start_loading(&mut self) {
        self.items.clear();
        self.keys.clear();
        self.by_id.clear();
        self.order.clear();
        self.visible.clear();
        self.marked.clear();
        self.selected = 0;
        self.notice = None;
        self.until_refresh = REFRESH_TICKS;
        self.load = Load::Loading { pages: 0 };
    }

    pub fn page(&mut self, page: Vec<Summary>) {
        let keep = self.selected().map(|s| s.id.clone());
        for s in page {
            if let Some(&i) = self.by_id.get(&s.id) {
                self.items[i] = s;
                continue;
            }
            self.by_id.insert(s.id.clone(), self.items.len());
            self.items.push(s);
            self.keys.push(KeyUse::Unknown);
        }
        if let Load::Loading { pages } = &mut self.load {
            *pages += 1;
        }
        self.resort(keep);
    }

    /// A recommendation just started: shown (and highlighted) without reloading.
    pub fn added(&mut self, s: Summary) {
        let id = s.id.clone();
        if let Some(&i) = self.by_id.get(&id) {
            self.items[i] = s;
        } else {
            self.by_id.insert(id.clone(), self.items.len());
            self.items.push(s);
            self.keys.push(KeyUse::Unknown);
        }
        self.until_refresh = self.until_refresh.clamp(1, REFRESH_TICKS / 2);
        self.resort(Some(id));
    }

    pub fn done(&mut self) {
        self.load = Load::Loaded;
    }

    pub fn failed(&mut self, e: ServiceError) {
        self.load = Load::Failed(e);
    }

    /// What reading one recommendation taught: its status and key.
    pub fn learned(&mut self, id: &str, read: Result<&Detail, &ServiceError>) {
        let Some(&i) = self.by_id.get(id) else { return };
        match read {
            Ok(d) => {
                let changed = self.items[i].status != d.summary.status;
                self.items[i] = d.summary.clone();
                self.keys[i] = match &d.kms_key_arn {
                    Some(arn) => KeyUse::Cmk(arn.clone()),
                    None => KeyUse::AwsOwned,
                };
                if changed && self.sort.key() == SortKey::Status {
                    let keep = self.selected().map(|s| s.id.clone());
                    self.resort(keep);
                }
            }
            Err(e) if e.category == KEY_UNAVAILABLE => self.keys[i] = KeyUse::CmkUnavailable,
            Err(_) => {}
        }
    }

    pub fn deleting_started(&mut self, ids: &[String]) {
        self.notice = None;
        self.deleting.extend(ids.iter().cloned());
    }

    pub fn deleted(&mut self, id: &str, result: Result<Status, ServiceError>) {
        self.deleting.remove(id);
        match result {
            Ok(_) => self.remove(id),
            Err(e) => {
                let name = self
                    .by_id
                    .get(id)
                    .map_or(id, |&i| self.items[i].name.as_str());
                self.notice = Some(format!("could not delete {name}: {}", e.message));
            }
        }
    }

    pub fn deleting_finished(&mut self) {
        self.deleting.clear();
    }

    fn remove(&mut self, id: &str) {
        let Some(i) = self.by_id.remove(id) else {
            return;
        };
        let keep = self.selected().map(|s| s.id.clone());
        self.marked.remove(id);
        self.items.remove(i);
        self.keys.remove(i);
        self.by_id = self
            .items
            .iter()
            .enumerate()
            .map(|(n, s)| (s.id.clone(), n))
            .collect();
        let pos = self.selected;
        self.resort(keep.clone());
        if self.selected().is_none() || keep.as_deref() == Some(id) {
            self.selected = pos.min(self.visible.len().saturating_sub(1));
        }
    }

    fn resort(&mut self, keep: Option<String>) {
        self.order = (0..self.items.len()).collect();
        sort(&self.items, &mut self.order, self.sort.key());
        self.refilter(keep);
    }

    fn refilter(&mut self, keep: Option<String>) {
        let matching = filter(&self.items, &self.filter);
        let mut hit = vec![false; self.items.len()];
        for i in matching {
            hit[i] = true;
        }
        self.visible = self.order.iter().copied().filter(|&i| hit[i]).collect();
        self.selected = keep
            .and_then(|id| self.by_id.get(&id))
            .and_then(|i| self.visible.iter().position(|v| v == i))
            .unwrap_or(0);
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        let keep = self.selected().map(|s| s.id.clone());
        self.refilter(keep);
    }

    fn move_by(&mut self, d: isize) {
        if self.visible.is_empty() {
            return;
        }
        self.selected = self
            .selected
            .saturating_add_signed(d)
            .min(self.visible.len() - 1);
    }

    /// Counts down; at zero, the ids of unfinished recommendations to re-read.
    pub fn tick(&mut self) -> Option<Vec<String>> {
        if !matches!(self.load, Load::Loaded) || self.unfinished() == 0 {
            return None;
        }
        self.until_refresh = self.until_refresh.saturating_sub(1);
        if self.until_refresh > 0 {
            return None;
        }
        self.until_refresh = REFRESH_TICKS;
        let ids: Vec<String> = self
            .order
            .iter()
            .map(|&i| &self.items[i])
            .filter(|s| !s.status.is_final() && !self.deleting.contains(&s.id))
            .take(REFRESH_MAX)
            .map(|s| s.id.clone())
            .collect();
        (!ids.is_empty()).then_some(ids)
    }

    pub fn handle(&mut self, input: Input<'_>) -> Request {
        if self.filtering {
            return self.handle_filter(input);
        }
        match input {
            Input::Command(Command::Up) | Input::Scroll(-1) => self.move_by(-1),
            Input::Command(Command::Down) | Input::Scroll(1) => self.move_by(1),
            Input::Command(Command::PageUp) => self.move_by(-10),
            Input::Command(Command::PageDown) => self.move_by(10),
            Input::Command(Command::Select) => {
                if let Some(s) = self.selected() {
                    return Request::Open(Box::new(s.clone()));
                }
            }
            Input::Command(Command::ToggleMark) => {
                if let Some(id) = self.selected().map(|s| s.id.clone()) {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    self.move_by(1);
                }
            }
            Input::Command(Command::Delete) => return Request::AskDelete(self.to_delete()),
            Input::Command(Command::Search) => self.filtering = true,
            Input::Command(Command::Sort) => {
                self.sort = self.sort.next();
                let keep = self.selected().map(|s| s.id.clone());
                self.resort(keep);
            }
            Input::Command(Command::Refresh) => return Request::Reload,
            Input::Command(Command::NewRec) => return Request::New,
            Input::Command(Command::OpenKmsActivity) => {
                return Request::Activity(self.selected().map(|s| s.id.clone()));
            }
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    /// The marked recommendations in list order, or the highlighted one; none being deleted.
    fn to_delete(&self) -> Vec<Summary> {
        let pick: Vec<Summary> = if self.marked.is_empty() {
            self.selected().cloned().into_iter().collect()
        } else {
            self.order
                .iter()
                .map(|&i| &self.items[i])
                .filter(|s| self.marked.contains(&s.id))
                .cloned()
                .collect()
        };
        pick.into_iter()
            .filter(|s| !self.deleting.contains(&s.id))
            .collect()
    }

    fn handle_filter(&mut self, input: Input<'_>) -> Request {
        match input {
            Input::Command(Command::Submit) => self.filtering = false,
            Input::Command(Command::Cancel) => {
                self.filtering = false;
                self.set_filter("");
            }
            Input::Command(Command::Up) | Input::Scroll(-1) => self.move_by(-1),
            Input::Command(Command::Down) | Input::Scroll(1) => self.move_by(1),
            Input::Command(Command::Quit) => return Request::Quit,
            Input::Key(k)
                if !k
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                let mut text = self.filter.clone();
                match k.code {
                    KeyCode::Char(c) => text.push(c),
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    _ => return Request::None,
                }
                self.set_filter(&text);
            }
            Input::Paste(s) => {
                let text = format!("{}{}", self.filter, s.replace(['\n', '\r'], " "));
                self.set_filter(&text);
            }
            _ => {}
        }
        Request::None
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [status, filter_row, head, rows] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        self.status_line(view).render(status, buf);
        let filter_line = if self.filtering || !self.filter.is_empty() {
            let mut spans = vec![
                Span::styled(" Filter: ", theme.title),
                Span::raw(self.filter.clone()),
            ];
            if self.filtering {
                spans.push(Span::styled(" ", theme.cursor));
            }
            spans.push(Span::styled(
                format!("  {} of {} match", self.visible.len(), self.items.len()),
                theme.dim,
            ));
            Line::from(spans)
        } else {
            Line::styled(
                " / filter by name, id, status or type · Space marks · d deletes",
                theme.dim,
            )
        };
        filter_line.render(filter_row, buf);
        let cols = Columns::new(area.width);
        cols.header().patch_style(theme.title).render(head, buf);
        if let Some(msg) = self.empty_message() {
            Paragraph::new(msg)
                .style(theme.dim)
                .wrap(Wrap { trim: true })
                .render(rows, buf);
            return;
        }
        let height = usize::from(rows.height);
        let offset = if height == 0 {
            0
        } else {
            self.selected.saturating_sub(height - 1)
        };
        for (n, &i) in self.visible.iter().skip(offset).take(height).enumerate() {
            let selected = offset + n == self.selected;
            let s = &self.items[i];
            let mut line = cols.row(
                s,
                &self.keys[i],
                self.marked.contains(&s.id),
                self.deleting.contains(&s.id),
                theme,
            );
            let rect = Rect {
                y: rows.y + u16::try_from(n).unwrap_or(u16::MAX),
                height: 1,
                ..rows
            };
            if selected {
                line = line.patch_style(theme.selected);
                buf.set_style(rect, theme.selected);
            }
            line.render(rect, buf);
        }
    }

    fn empty_message(&self) -> Option<String> {
        if !self.visible.is_empty() {
            return None;
        }
        Some(match &self.load {
            Load::Unavailable(why) => format!("Recommendations cannot be listed yet: {why}."),
            Load::Failed(_) => "Nothing to show. r tries again.".into(),
            Load::Loading { .. } | Load::Idle => String::new(),
            Load::Loaded if self.items.is_empty() => {
                "No recommendations in this region yet. n starts one.".into()
            }
            Load::Loaded => format!(
                "No recommendation matches \"{}\" ({} in all). Esc in the filter clears it.",
                self.filter,
                self.items.len()
            ),
        })
    }

    fn status_line(&self, view: &View<'_>) -> Line<'static> {
        let theme = view.theme;
        if let Some(n) = &self.notice {
            return visible::line(Line::styled(format!(" ✗ {n}"), theme.error));
        }
        let n = self.items.len();
        let mut spans = match &self.load {
            Load::Idle => vec![],
            Load::Unavailable(_) => {
                vec![Span::styled(" ✗ no account or region chosen", theme.error)]
            }
            Load::Failed(e) => vec![Span::styled(
                format!(" ✗ listing failed ({}): {}", e.category, e.message),
                theme.error,
            )],
            Load::Loading { pages } => vec![Span::styled(
                format!(
                    " {} loading… {n} so far (page {})",
                    view.spinner(),
                    pages + 1
                ),
                theme.dim,
            )],
            Load::Loaded => vec![Span::raw(format!(" {n} recommendation(s)"))],
        };
        if !matches!(self.load, Load::Unavailable(_) | Load::Failed(_)) {
            let running = self.unfinished();
            if running > 0 && matches!(self.load, Load::Loaded) {
                spans.push(Span::styled(
                    format!(
                        " · {running} running, re-read every {}s (next in {}s)",
                        REFRESH_TICKS / 10,
                        self.until_refresh.div_ceil(10)
                    ),
                    theme.warning,
                ));
            }
            spans.push(Span::styled(
                format!(" · by {}", self.sort.label()),
                theme.dim,
            ));
            if !self.marked.is_empty() {
                spans.push(Span::styled(
                    format!(" · {} marked", self.marked.len()),
                    theme.accent,
                ));
            }
            if !self.deleting.is_empty() {
                spans.push(Span::styled(
                    format!(" · {} {} deleting", view.spinner(), self.deleting.len()),
                    theme.warning,
                ));
            }
        }
        visible::line(Line::from(spans))
    }
}

/// Column widths for the terminal width: the id column only when there is room.
struct Columns {
    name: usize,
    id: usize,
}

const STATUS_W: usize = 11;
const TYPE_W: usize = 6;
const KEY_W: usize = 4;
const CREATED_W: usize = 16;

impl Columns {
    fn new(width: u16) -> Self {
        let width = usize::from(width);
        let fixed = 3 + STATUS_W + 1 + TYPE_W + 1 + KEY_W + 1 + CREATED_W + 1;
        let id = if width >= 96 { 17 } else { 0 };
        Self {
            name: width.saturating_sub(fixed + id).max(8),
            id,
        }
    }

    fn header(&self) -> Line<'static> {
        let mut s = format!(
            "   {:<nw$} {:<STATUS_W$} {:<TYPE_W$} {:<KEY_W$} {:<CREATED_W$}",
            "NAME",
            "STATUS",
            "TYPE",
            "KEY",
            "CREATED",
            nw = self.name
        );
        if self.id > 0 {
            s.push_str(" ID");
        }
        Line::raw(s)
    }

    fn row(
        &self,
        s: &Summary,
        key: &KeyUse,
        marked: bool,
        deleting: bool,
        theme: &Theme,
    ) -> Line<'static> {
        let mark = if deleting {
            " ⌫ "
        } else if marked {
            " ● "
        } else {
            "   "
        };
        let kind = match s.rec_type.as_str() {
            "SYSTEM_PROMPT_RECOMMENDATION" => "prompt",
            "TOOL_DESCRIPTION_RECOMMENDATION" => "tools",
            _ => "other",
        };
        let (key_text, key_style) = match key {
            KeyUse::Unknown => ("·", theme.dim),
            KeyUse::AwsOwned => ("AWS", theme.text),
            KeyUse::Cmk(_) => ("CMK", theme.accent),
            KeyUse::CmkUnavailable => ("CMK✗", theme.error),
        };
        let status = status_span(&s.status, theme);
        let status_pad = STATUS_W.saturating_sub(s.status.as_str().chars().count());
        let mut spans = vec![
            Span::styled(mark, theme.accent),
            Span::raw(format!("{:<w$} ", clip(&s.name, self.name), w = self.name)),
            status,
            Span::raw(format!("{} ", " ".repeat(status_pad))),
            Span::styled(format!("{kind:<TYPE_W$} "), theme.dim),
            Span::styled(format!("{key_text:<KEY_W$} "), key_style),
            Span::styled(s.created_at.format("%Y-%m-%d %H:%M").to_string(), theme.dim),
        ];
        if self.id > 0 {
            spans.push(Span::styled(format!(" {}", s.id), theme.dim));
        }
        // Names and ids come from AWS.
        visible::line(Line::from(spans))
    }
}
