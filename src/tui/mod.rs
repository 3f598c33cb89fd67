//! The terminal UI: the app, its messages and effects, runtime, keymap, layout, screens, widgets.
//!
//! Elm style. Terminal events and task results become [`action::Action`]s;
//! [`app::App::update`] changes state and returns [`effect::Effect`]s (no I/O); the
//! [`runtime::Runtime`] runs them as tokio tasks that answer with actions; [`ui::render`] only
//! reads. AWS is reached only through [`services::AwsServices`]: no AWS SDK import here.

pub mod action;
pub mod app;
pub mod demo;
pub mod effect;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod logging;
pub mod msg;
pub mod persist;
pub mod runtime;
pub mod screens;
pub mod sdk_services;
pub mod services;
pub mod slot;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod waits;
pub mod widgets;

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use action::Action;
use app::{App, AppOptions};
use runtime::Runtime;
use services::AwsServices;

/// Frames are drawn at most this often; bursts of events in between become one draw.
const FRAME: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(100);

pub struct TuiOptions {
    pub app: AppOptions,
}

/// The binary's entry when no subcommand is given: the wizard, reaching AWS through the
/// profiles or the embedded emulator. `local` starts from the emulator's demo world (demo pack
/// and demo config). Answers of an earlier run are offered back either way.
pub fn main_entry(local: bool) -> std::process::ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("error: {e}");
        return std::process::ExitCode::from(1);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let services = Arc::new(sdk_services::SdkServices::new(
        crate::services::paths::world_file(),
    ));
    let options = TuiOptions {
        app: AppOptions {
            initial: if local {
                demo::local_answers()
            } else {
                persist::Answers::default()
            },
            offer_saved: true,
        },
    };
    match runtime.block_on(run(options, services)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::debug!(error = ?e, "the TUI stopped on an error");
            // The causes in words, one line, escaped: the report's Debug form is for the log.
            let words: Vec<String> = e
                .chain()
                .map(|c| crate::sanitize::escape(&c.to_string()).into_owned())
                .collect();
            eprintln!("error: {}", words.join(": "));
            std::process::ExitCode::from(1)
        }
    }
}

/// Takes over the terminal until the user quits. color-eyre must already be installed (the
/// binary does it first thing), so a panic restores the terminal and then reports.
pub async fn run(options: TuiOptions, services: Arc<dyn AwsServices>) -> color_eyre::Result<()> {
    let data_dir = crate::services::paths::data_dir();
    let _log_guard = match &data_dir {
        Some(d) => Some(logging::init(d)?),
        None => None,
    };
    tracing::info!(data_dir = ?data_dir, "starting the TUI");
    let (mut terminal, _guard) = terminal::init()?;
    let size = terminal.size()?;
    let mut app = App::new(
        options.app,
        theme::Theme::from_env(),
        (size.width, size.height),
    );
    let (runtime, rx) = Runtime::start(services, data_dir.as_deref());
    let events = EventStream::new();
    let result = run_loop(&mut terminal, &mut app, &runtime, rx, events).await;
    runtime.flush_saves().await;
    tracing::info!(ok = result.is_ok(), "TUI stopped");
    result
}

/// The loop, generic over the backend and the event source so it can run headless in tests.
pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    runtime: &Runtime,
    mut rx: mpsc::Receiver<Action>,
    mut events: S,
) -> color_eyre::Result<()>
where
    B: Backend + std::io::Write,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = std::io::Result<Event>> + Unpin,
{
    runtime.execute_all(app.init());
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut next_frame = Instant::now();
    loop {
        dirty |= app.take_changed();
        if app.should_quit() {
            return Ok(());
        }
        let animating = app.animating();
        let action = tokio::select! {
            () = tokio::time::sleep_until(next_frame), if dirty => {
                terminal.draw(|f| ui::render(app, f)).map_err(|e| color_eyre::eyre::eyre!("drawing failed: {e}"))?;
                // A copy goes out through the terminal's writer right after the frame that
                // confirms it, never in the middle of one.
                let copies = runtime.take_clipboard();
                if !copies.is_empty() {
                    let out = terminal.backend_mut();
                    for c in copies {
                        out.write_all(c.as_bytes())?;
                    }
                    std::io::Write::flush(out)?;
                }
                dirty = false;
                next_frame = Instant::now() + FRAME;
                continue;
            }
            ev = events.next() => match ev {
                Some(Ok(ev)) => match Action::from_terminal(ev) {
                    Some(a) => a,
                    None => continue,
                },
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(a) = rx.recv() => a,
            _ = tick.tick(), if animating => Action::Tick,
        };
        runtime.execute_all(app.update(action));
        // Drain what is already queued so a burst of results costs one frame.
        while let Ok(a) = rx.try_recv() {
            runtime.execute_all(app.update(a));
        }
        dirty |= runtime.has_clipboard();
    }
}
