//! Step 6: the KMS key for recommendations (and memory, when configured), chosen with the key
//! picker widget; choosing a customer managed key also reads and analyses its policy, and offers
//! to put the recommended one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::key_policy::KeyPolicyView;
use super::{Flow, Shared, Step, StepCx};
use crate::config::{Diagnostic, category, fields};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::{Answers, KmsChoice};
use crate::tui::screens::{Input, View};
use crate::tui::services::{KeysEvent, ServiceError};
use crate::tui::slot::Gen;
use crate::tui::widgets::key_picker::{KeyPicker, KeysRequest, Picked};

pub struct KmsStep {
    picker: KeyPicker,
    diags: Vec<Diagnostic>,
    policy: Option<KeyPolicyView>,
}

fn list_keys(request: Option<KeysRequest>, effects: &mut Vec<Effect>) {
    if let Some(r) = request {
        effects.push(Effect::ListKmsKeys {
            generation: r.generation,
            target: r.target,
            region: r.region,
        });
    }
}

impl KmsStep {
    pub fn new(answers: &Answers) -> Self {
        Self {
            picker: KeyPicker::new(
                answers.kms.clone(),
                answers.target.clone(),
                answers.region.clone(),
            ),
            diags: Vec::new(),
            policy: None,
        }
    }

    /// Reads the chosen key's policy unless it is already read (or being read).
    fn check_policy(&mut self, effects: &mut Vec<Effect>) {
        let KmsChoice::Customer { arn } = self.picker.choice() else {
            self.policy = None;
            return;
        };
        if self
            .policy
            .as_ref()
            .is_some_and(|p| p.key_arn() == arn && !p.failed())
        {
            return;
        }
        let label = self
            .picker
            .listed(arn)
            .map_or_else(|| arn.clone(), |(key, _)| key.label().to_string());
        let mut view = KeyPolicyView::new(arn.clone(), label);
        if let Some(t) = self.picker.target() {
            view.request(t, self.picker.region(), effects);
        }
        self.policy = Some(view);
    }

    pub fn page_loaded(&mut self, generation: Gen, event: KeysEvent) -> bool {
        self.picker.keys(generation, event)
    }

    pub fn policy_loaded(&mut self, generation: Gen, result: Result<String, ServiceError>) -> bool {
        self.policy
            .as_mut()
            .is_some_and(|p| p.loaded(generation, result))
    }

    pub fn policy_put(
        &mut self,
        generation: Gen,
        result: Result<(), ServiceError>,
        cx: &mut StepCx<'_>,
    ) -> bool {
        let (target, region) = (self.picker.target(), self.picker.region());
        self.policy
            .as_mut()
            .is_some_and(|p| p.put_done(generation, result, target, region, cx.effects))
    }
}

impl Step for KmsStep {
    fn context(&self) -> Context {
        match &self.policy {
            Some(p) if p.confirming() => Context::KeyPolicyConfirm,
            _ => Context::KmsKeys,
        }
    }

    fn handle(&mut self, input: Input<'_>, cx: &mut StepCx<'_>) -> Flow {
        if let Some(p) = self.policy.as_mut().filter(|p| p.confirming()) {
            match input {
                Input::Command(Command::Confirm) => {
                    cx.effects
                        .extend(p.confirm(self.picker.target(), self.picker.region()));
                }
                Input::Command(Command::Cancel) => p.cancel(),
                // The dialog is modal: nothing else happens until it is answered.
                _ => {}
            }
            return Flow::Handled;
        }
        match input {
            Input::Command(Command::ApplyKeyPolicy) => {
                if let Some(p) = &mut self.policy {
                    p.ask();
                }
            }
            Input::Command(Command::PolicyUp) => {
                if let Some(p) = &mut self.policy {
                    p.scroll_by(-1);
                }
            }
            Input::Command(Command::PolicyDown) => {
                if let Some(p) = &mut self.policy {
                    p.scroll_by(1);
                }
            }
            Input::Command(Command::Retry) => {
                list_keys(self.picker.retry(), cx.effects);
                if self.policy.as_ref().is_some_and(KeyPolicyView::failed) {
                    self.policy = None;
                    self.check_policy(cx.effects);
                }
            }
            _ => match self.picker.handle(input) {
                Picked::Unhandled => return Flow::Unhandled,
                Picked::Handled => {}
                Picked::Chose { enter } => {
                    self.check_policy(cx.effects);
                    // A customer key stays on screen so its policy analysis can be read.
                    if enter && self.picker.refused().is_none() && self.policy.is_none() {
                        return Flow::Advance;
                    }
                }
            },
        }
        Flow::Handled
    }

    fn on_enter(&mut self, cx: &mut StepCx<'_>) {
        let request = self
            .picker
            .show(cx.shared.target.as_ref(), cx.shared.region());
        list_keys(request, cx.effects);
        self.check_policy(cx.effects);
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.picker.follow(shared.target.as_ref(), shared.region());
        self.diags = match self.picker.choice() {
            KmsChoice::Undecided => vec![
                Diagnostic::error("kms_key", category::SECURITY, "no KMS key chosen")
                    .with_hint("choose a customer managed key of this region, or \"AWS owned key\" to let AWS manage encryption"),
            ],
            KmsChoice::AwsOwned => Vec::new(),
            KmsChoice::Customer { arn } => {
                let mut d = fields::encryption_key_arn(arn, self.picker.region());
                for d2 in &mut d {
                    d2.field = "kms_key".into();
                }
                if let Some((key, reasons)) = self.picker.listed(arn)
                    && let Some(first) = reasons.first()
                {
                    let why: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                    d.push(
                        Diagnostic::error("kms_key", category::SECURITY, format!("{} cannot be used: {}", key.label(), why.join("; ")))
                            .with_hint(first.fix()),
                    );
                }
                d
            }
        };
        if let Some(p) = &mut self.policy {
            p.analyse(shared);
            p.diagnostics(&mut self.diags);
        }
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn write(&self, answers: &mut Answers) {
        answers.kms = self.picker.choice().clone();
    }

    fn busy(&self) -> bool {
        self.picker.busy() || self.policy.as_ref().is_some_and(KeyPolicyView::busy)
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let below =
            self.picker
                .render(area, buf, view.theme, view.spinner(), self.policy.is_some());
        if let (Some(p), Some(pa)) = (&self.policy, below) {
            p.render(pa, buf, view);
            if p.confirming() {
                p.render_confirm(area, buf, view);
            }
        }
    }
}
