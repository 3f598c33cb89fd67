//! Original → recommended text as a line diff (system prompts, tool descriptions).

pub use crate::kms::policy::{DiffLine, LineChange};

pub fn text_diff(original: &str, recommended: &str) -> Vec<DiffLine> {
    // A missing final newline is not a change a reader cares about.
    let with_nl = |s: &str| {
        if s.ends_with('\n') || s.is_empty() {
            s.to_owned()
        } else {
            format!("{s}\n")
        }
    };
    crate::kms::policy::line_diff(&with_nl(original), &with_nl(recommended))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_line_is_removed_then_added() {
        let d = text_diff(
            "You are a helpful assistant.\nBe brief.\n",
            "You are a helpful assistant.\nBe brief and cite sources.\n",
        );
        let changes: Vec<LineChange> = d.iter().map(|l| l.change).collect();
        assert_eq!(
            changes,
            vec![LineChange::Same, LineChange::Removed, LineChange::Added]
        );
        assert_eq!(d[2].text, "Be brief and cite sources.");
        let d = text_diff("You are helpful.", "You are helpful.\n\nBe brief.");
        assert_eq!(d[0].change, LineChange::Same);
    }
}
