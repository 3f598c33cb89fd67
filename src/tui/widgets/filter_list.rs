//! A list that filters as you type: every word of the filter must appear (case-insensitive) in
//! the entry's search text. The visible rows are recomputed on edit, never while rendering.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::text_field::TextField;
use crate::tui::theme::Theme;

#[derive(Debug, Clone)]
pub struct FilterList<T> {
    items: Vec<T>,
    keys: Vec<String>,
    pub filter: TextField,
    visible: Vec<usize>,
    selected: usize,
}

impl<T> FilterList<T> {
    pub fn new(
        label: &'static str,
        placeholder: &str,
        items: Vec<T>,
        search_text: impl Fn(&T) -> String,
    ) -> Self {
        let keys = items
            .iter()
            .map(|i| search_text(i).to_lowercase())
            .collect();
        let mut list = Self {
            items,
            keys,
            filter: TextField::new(label, placeholder),
            visible: Vec::new(),
            selected: 0,
        };
        list.refilter();
        list
    }

    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Appends entries (a page that streamed in) without moving the selection.
    pub fn extend(&mut self, more: Vec<T>, search_text: impl Fn(&T) -> String) {
        let keep = self.selected_index();
        for item in more {
            self.keys.push(search_text(&item).to_lowercase());
            self.items.push(item);
        }
        self.refilter();
        if let Some(i) = keep {
            self.select_index(i);
        }
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.keys.clear();
        self.refilter();
    }

    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    pub fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    pub fn selected(&self) -> Option<&T> {
        self.selected_index().map(|i| &self.items[i])
    }

    pub fn select_index(&mut self, index: usize) {
        if let Some(pos) = self.visible.iter().position(|&i| i == index) {
            self.selected = pos;
        }
    }

    pub fn select_where(&mut self, pred: impl Fn(&T) -> bool) -> bool {
        match self.items.iter().position(pred) {
            Some(i) => {
                self.select_index(i);
                self.selected_index() == Some(i)
            }
            None => false,
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Row `row` of the last rendered window (for mouse clicks), given the window height.
    pub fn select_row(&mut self, row: usize, height: usize) {
        let target = Self::offset(self.selected, height) + row;
        if target < self.visible.len() {
            self.selected = target;
        }
    }

    pub fn filter_text(&self) -> &str {
        self.filter.value()
    }

    /// Returns whether the filter changed.
    pub fn input(&mut self, key: &KeyEvent) -> bool {
        let changed = self.filter.input(key);
        if changed {
            self.refilter();
        }
        changed
    }

    pub fn paste(&mut self, text: &str) -> bool {
        let changed = self.filter.paste(text);
        if changed {
            self.refilter();
        }
        changed
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter.set_value(text);
        self.refilter();
    }

    fn refilter(&mut self) {
        let keep = self.selected_index();
        let needle = self.filter.value().to_lowercase();
        let words: Vec<&str> = needle.split_whitespace().collect();
        self.visible = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| words.iter().all(|w| k.contains(w)))
            .map(|(i, _)| i)
            .collect();
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&i| i == k))
            .unwrap_or(0);
    }

    fn offset(selected: usize, height: usize) -> usize {
        if height == 0 {
            0
        } else {
            selected.saturating_sub(height - 1)
        }
    }

    /// Renders the visible window of rows; `row` draws one entry (`selected` says whether it is
    /// the highlighted one).
    pub fn render_rows(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        row: impl Fn(&T, bool) -> Line<'static>,
    ) {
        let height = area.height as usize;
        let offset = Self::offset(self.selected, height);
        for (n, &i) in self.visible.iter().skip(offset).take(height).enumerate() {
            let selected = offset + n == self.selected;
            let mut line = row(&self.items[i], selected);
            if selected {
                line = line.patch_style(theme.selected);
            }
            let y = area.y + u16::try_from(n).unwrap_or(u16::MAX);
            let rect = Rect {
                y,
                height: 1,
                ..area
            };
            if selected {
                buf.set_style(rect, theme.selected);
            }
            line.render(rect, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn list() -> FilterList<String> {
        let items = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]
            .map(String::from)
            .to_vec();
        FilterList::new("Region", "", items, Clone::clone)
    }

    fn typed(l: &mut FilterList<String>, s: &str) {
        for c in s.chars() {
            l.input(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn filters_by_every_word_case_insensitively() {
        let mut l = list();
        typed(&mut l, "WEST");
        assert_eq!(l.visible(), &[1, 2]);
        typed(&mut l, " eu");
        assert_eq!(l.visible(), &[2]);
        assert_eq!(l.selected().map(String::as_str), Some("eu-west-1"));
    }

    #[test]
    fn selection_survives_refiltering_when_still_visible() {
        let mut l = list();
        l.move_by(2);
        assert_eq!(l.selected().map(String::as_str), Some("eu-west-1"));
        typed(&mut l, "-1");
        assert_eq!(l.selected().map(String::as_str), Some("eu-west-1"));
        l.set_filter("zz");
        assert_eq!(l.selected(), None);
        l.move_by(1);
        assert_eq!(l.selected(), None);
    }

    #[test]
    fn streamed_pages_keep_the_selection() {
        let mut l = list();
        l.move_by(1);
        l.extend(vec!["us-west-1".into()], Clone::clone);
        assert_eq!(l.selected().map(String::as_str), Some("us-west-2"));
        assert_eq!(l.items().len(), 5);
    }
}
