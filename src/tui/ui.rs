//! The whole-screen view: header, stepper, the current step, the diagnostics panel, a footer
//! of key hints, and overlays on top. Reads the app; never changes it.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::app::{App, Overlay};
use super::layout;
use super::screens::View;
use super::screens::wizard::StepId;
use super::widgets::{diagnostics, key_hints, overlay, stepper};

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    render_to(app, area, frame.buffer_mut());
    super::widgets::visible::controls_in_buffer(frame.buffer_mut());
}

pub fn render_to(app: &App, area: Rect, buf: &mut Buffer) {
    render_screen(app, area, buf);
    // Over whichever screen's footer: what an AWS call in flight waits for, and that Esc cancels.
    if let Some(text) = app.waits.line()
        && !overlay::too_small(area)
    {
        let row = Rect::new(area.x, area.bottom() - 1, area.width, 1);
        Clear.render(row, buf);
        Line::styled(format!(" {text}"), app.theme.warning).render(row, buf);
    }
}

fn render_screen(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if overlay::too_small(area) {
        overlay::render_too_small(area, buf, theme);
        return;
    }
    if app.recs.is_open() {
        render_recs(app, area, buf);
        return;
    }
    if !app.deploy.is_wizard() {
        render_deploy(app, area, buf);
        return;
    }
    let a = layout::areas(area, app.wizard.diagnostics());
    let view = View {
        theme,
        frame: app.frame_count(),
    };
    let current = app.wizard.current();

    header(app, a.header, buf);
    let rows: Vec<stepper::StepperRow> = StepId::ALL
        .iter()
        .map(|s| stepper::StepperRow {
            label: s.title(),
            status: app.wizard.status(*s),
            current: *s == current,
        })
        .collect();
    stepper::render(&rows, a.stepper, buf, theme);

    let title = Line::from(vec![Span::styled(
        format!(" {} · {} ", current.index(), current.title()),
        theme.title,
    )]);
    Block::new()
        .borders(Borders::ALL)
        .border_style(theme.focused_border)
        .title(title)
        .render(a.body_frame, buf);
    app.wizard.render_step(a.body, buf, &view);
    diagnostics::render(
        app.wizard.diagnostics(),
        app.wizard.diag_scroll,
        a.diagnostics,
        buf,
        theme,
    );
    footer(app, a.footer, buf);

    match &app.overlay {
        Some(Overlay::Help(ctx)) => overlay::render_help(*ctx, current.title(), area, buf, theme),
        Some(Overlay::ConfirmQuit) => overlay::render_confirm(
            "Quit?",
            &["Your answers are saved and offered next time.".into()],
            area,
            buf,
            theme,
        ),
        Some(Overlay::Resume(saved)) => {
            let mut body = vec!["Answers from your last session were saved:".to_string()];
            if !saved.pack_path.is_empty() {
                body.push(format!("  pack    {}", saved.pack_path));
            }
            if !saved.region.is_empty() {
                body.push(format!("  region  {}", saved.region));
            }
            if !saved.runtime_role_arn.is_empty() {
                body.push(format!("  role    {}", saved.runtime_role_arn));
            }
            body.push(
                "Continue with them? (no starts fresh; they are replaced as you type)".into(),
            );
            overlay::render_confirm("Resume?", &body, area, buf, theme);
        }
        Some(Overlay::ResumeApply(left)) => {
            super::screens::deploy::render_resume_apply(left, area, buf, theme);
        }
        None => {}
    }
}

/// Plan, apply, status and destroy: their own layout, the app's overlays on top.
fn render_deploy(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let view = View {
        theme,
        frame: app.frame_count(),
    };
    let shared = app.wizard.shared();
    let header = super::screens::deploy::Header {
        target: shared.target.as_ref().map(|t| t.label()),
        account: shared.caller_account.as_deref(),
        region: shared.region(),
    };
    super::screens::deploy::render(&app.deploy, &header, area, buf, &view);
    match &app.overlay {
        Some(Overlay::Help(ctx)) => {
            overlay::render_help(*ctx, app.deploy.title(), area, buf, theme);
        }
        Some(Overlay::ConfirmQuit) => overlay::render_confirm(
            "Quit?",
            &["A running apply stops where it is; applying again resumes it.".into()],
            area,
            buf,
            theme,
        ),
        _ => {}
    }
}

/// Recommendations and KMS activity: their own layout, the app's overlays on top.
fn render_recs(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let view = View {
        theme,
        frame: app.frame_count(),
    };
    app.recs.render(area, buf, &view);
    match &app.overlay {
        Some(Overlay::Help(ctx)) => overlay::render_help(*ctx, app.recs.title(), area, buf, theme),
        Some(Overlay::ConfirmQuit) => overlay::render_confirm(
            "Quit?",
            &["Your wizard answers are saved and offered next time.".into()],
            area,
            buf,
            theme,
        ),
        _ => {}
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let shared = app.wizard.shared();
    let mut spans = vec![
        Span::styled(" agentcore-tui ", theme.title),
        Span::styled("· deploy wizard", theme.dim),
    ];
    let mut facts = Vec::new();
    if let Some(t) = &shared.target {
        facts.push(t.label());
    }
    if let Some(acct) = &shared.caller_account {
        facts.push(format!("account {acct}"));
    }
    if !shared.region().is_empty() {
        facts.push(shared.region().to_string());
    }
    if let Some(url) = &shared.endpoint {
        facts.push(format!("endpoint {}", crate::sanitize::escape(url)));
    }
    if !facts.is_empty() {
        spans.push(Span::styled(
            format!("  {}", facts.join(" · ")),
            theme.accent,
        ));
    }
    Line::from(spans).render(area, buf);
}

fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if let Some(why) = &app.wizard.blocked {
        Line::styled(format!(" ✗ {why}"), theme.error).render(area, buf);
        return;
    }
    key_hints::render_without(
        app.context(),
        false,
        &app.wizard.idle_commands(),
        area,
        buf,
        theme,
    );
}
