//! Step 2: the IAM role the AgentCore runtimes assume (`runtime_role_arn`).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{Flow, Shared, Step, StepCx, field_severity};
use crate::config::{Diagnostic, fields};
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::Answers;
use crate::tui::screens::{Input, View};
use crate::tui::widgets::text_field::TextField;

pub struct RoleStep {
    field: TextField,
    caller_account: Option<String>,
    diags: Vec<Diagnostic>,
}

impl RoleStep {
    pub fn new(answers: &Answers) -> Self {
        let mut field = TextField::new(
            "runtime_role_arn",
            "arn:aws:iam::<account-id>:role/<role-name>",
        )
        .with_value(&answers.runtime_role_arn);
        field.set_focused(true);
        Self {
            field,
            caller_account: None,
            diags: Vec::new(),
        }
    }
}

impl Step for RoleStep {
    fn context(&self) -> Context {
        Context::Text
    }

    fn handle(&mut self, input: Input<'_>, _cx: &mut StepCx<'_>) -> Flow {
        match input {
            Input::Command(Command::Submit) => Flow::Advance,
            Input::Key(k) => {
                self.field.input(k);
                Flow::Handled
            }
            Input::Paste(s) => {
                self.field.paste(s);
                Flow::Handled
            }
            _ => Flow::Unhandled,
        }
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.caller_account.clone_from(&shared.caller_account);
        self.diags =
            fields::runtime_role_arn(self.field.value().trim(), shared.caller_account.as_deref());
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn write(&self, answers: &mut Answers) {
        answers.runtime_role_arn = self.field.value().trim().to_string();
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [intro, field, info] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(area);
        Paragraph::new(
            "The IAM role AgentCore runtimes assume at execution time: it decides which models, memory, \
             gateways and peer runtimes they may use. Give it least privilege.",
        )
        .style(theme.dim)
        .wrap(Wrap { trim: true })
        .render(intro, buf);
        self.field.render(
            field,
            buf,
            theme,
            field_severity(&self.diags, "runtime_role_arn"),
        );
        let account = match &self.caller_account {
            Some(a) => Line::from(vec![
                Span::raw("Caller account: "),
                Span::styled(a.clone(), theme.title),
            ]),
            None => Line::styled(
                "Caller account: unknown (step 0 has not resolved it)",
                theme.dim,
            ),
        };
        let example = match &self.caller_account {
            Some(a) => format!("e.g. arn:aws:iam::{a}:role/AgentCoreRuntime"),
            None => "e.g. arn:aws:iam::111122223333:role/AgentCoreRuntime".into(),
        };
        Paragraph::new(vec![account, Line::styled(example, theme.dim)]).render(info, buf);
    }
}
