//! Key bindings as data. Lookup and the `?` help overlay both read these tables, so the help can
//! never drift from what the keys really do. Pure: no terminal access.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key means once the context is known. Text typed into a field is not a command: keys
/// with no binding in a text context go to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    NextStep,
    PrevStep,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Select,
    Submit,
    AddRow,
    DeleteRow,
    Retry,
    Write,
    Confirm,
    Cancel,
    DiagUp,
    DiagDown,
    // Plan, apply, status and destroy screens.
    Apply,
    Back,
    Search,
    NextMatch,
    PrevMatch,
    Pause,
    Copy,
    Destroy,
    ShowStatus,
    Refresh,
    // The Logs view.
    Top,
    Bottom,
    CycleLevel,
    CycleRange,
    ScrollLeft,
    ScrollRight,
    // The Invoke view.
    OpenInvoke,
    NewSession,
    // The monitor's other views, and Tab through all four.
    OpenLogs,
    OpenEvaluations,
    OpenHealth,
    NextView,
    // Recommendations and KMS activity.
    OpenRecs,
    OpenKmsActivity,
    ToggleMark,
    Delete,
    Sort,
    CopyArn,
    NewRec,
    // The wizard's KMS key step.
    ApplyKeyPolicy,
    PolicyUp,
    PolicyDown,
}

/// Where the keyboard focus is; decides which table applies on top of [`Context::Global`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Always active, under every other context.
    Global,
    /// A single-line text field has focus: printable keys type.
    Text,
    /// A list with a filter line: printable keys filter, arrows move.
    FilterList,
    /// A list or choice without text entry: letters are free for commands.
    Choice,
    /// The tags table: cells are text fields, rows can be added and removed.
    Table,
    /// The review step.
    Review,
    /// The help overlay.
    Help,
    /// A yes/no dialog.
    Confirm,
    /// The plan of a deploy.
    Plan,
    /// An apply or destroy, running or finished.
    Run,
    /// Typing a search in the event log.
    Search,
    /// The detail of one resource or error.
    Detail,
    /// The live status of the deployed resources.
    Status,
    /// Typing the pack id to confirm a destroy.
    TypeConfirm,
    /// A runtime's log lines, followed live.
    Logs,
    /// Typing the Logs view's text filter (lines filter as it is typed).
    LogFilter,
    /// A prompt typed to a runtime: printable keys type.
    Invoke,
    /// A runtime's online evaluation scores and explanations.
    Evaluations,
    /// A runtime's status, versions and endpoints, and the gateway's targets.
    Health,
    /// Keys that open the recommendation screens from anywhere that is not modal.
    Screens,
    /// The recommendations list.
    RecList,
    /// Typing a filter over the recommendations or the KMS events.
    RecFilter,
    /// One recommendation.
    RecDetail,
    /// The CloudTrail KMS events of recommendations.
    RecActivity,
    /// "Delete these recommendations?" (Cancel is the default).
    RecDelete,
    /// The start form: printable keys type into the focused field.
    RecStart,
    /// The wizard's KMS key list with the chosen key's policy analysis under it.
    KmsKeys,
    /// "Put the recommended key policy?" (Cancel is the default).
    KeyPolicyConfirm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            mods: KeyModifiers::NONE,
        }
    }
    pub const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }
    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }
    pub const fn shift(code: KeyCode) -> Self {
        Self {
            code,
            mods: KeyModifiers::SHIFT,
        }
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        // Terminals disagree on whether `?` or `G` arrive with SHIFT; the character says it all.
        let mut mods = ev.modifiers;
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let mut want = self.mods;
        if matches!(self.code, KeyCode::Char(_) | KeyCode::BackTab) {
            want.remove(KeyModifiers::SHIFT);
        }
        let code = match ev.code {
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        code == self.code && mods == want
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub command: Command,
    pub help: &'static str,
}

const fn b(keys: &'static [Key], command: Command, help: &'static str) -> Binding {
    Binding {
        keys,
        command,
        help,
    }
}

use Command as C;

const GLOBAL: &[Binding] = &[
    b(
        &[Key {
            code: KeyCode::Down,
            mods: KeyModifiers::CONTROL,
        }],
        C::DiagDown,
        "scroll the diagnostics down",
    ),
    b(
        &[Key {
            code: KeyCode::Up,
            mods: KeyModifiers::CONTROL,
        }],
        C::DiagUp,
        "scroll the diagnostics up",
    ),
    b(
        &[Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(
        &[Key::ctrl('n'), Key::plain(KeyCode::PageDown)],
        C::NextStep,
        "next step (blocked while the step has errors)",
    ),
    b(
        &[Key::ctrl('p'), Key::plain(KeyCode::PageUp)],
        C::PrevStep,
        "previous step (answers are kept)",
    ),
    b(&[Key::plain(KeyCode::Tab)], C::FocusNext, "next field"),
    b(
        &[Key::plain(KeyCode::BackTab)],
        C::FocusPrev,
        "previous field",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ctrl('c')],
        C::Quit,
        "quit (answers are saved)",
    ),
];

const TEXT: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Submit,
        "accept the field and move on",
    ),
    b(&[Key::plain(KeyCode::Up)], C::Up, "previous field"),
    b(&[Key::plain(KeyCode::Down)], C::Down, "next field"),
];

const FILTER_LIST: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up)], C::Up, "move up"),
    b(&[Key::plain(KeyCode::Down)], C::Down, "move down"),
    b(&[Key::ctrl('u')], C::PageUp, "page up"),
    b(&[Key::ctrl('d')], C::PageDown, "page down"),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Select,
        "choose the highlighted entry",
    ),
    b(&[Key::ctrl('r')], C::Retry, "retry a failed request"),
];

const CHOICE: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "move up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "move down",
    ),
    b(
        &[Key::plain(KeyCode::Enter), Key::ch(' ')],
        C::Select,
        "choose",
    ),
    b(&[Key::ch('r')], C::Retry, "retry a failed request"),
    b(
        &[Key::ch('n'), Key::plain(KeyCode::Right)],
        C::NextStep,
        "next step",
    ),
    b(
        &[Key::ch('b'), Key::plain(KeyCode::Left)],
        C::PrevStep,
        "previous step",
    ),
    b(&[Key::ch('?')], C::Help, "show the keys of this screen"),
    b(&[Key::ch('q')], C::Quit, "quit (answers are saved)"),
];

const TABLE: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up)], C::Up, "previous row"),
    b(&[Key::plain(KeyCode::Down)], C::Down, "next row"),
    b(
        &[Key::plain(KeyCode::Enter), Key::ctrl('a')],
        C::AddRow,
        "add a tag below",
    ),
    b(&[Key::ctrl('d')], C::DeleteRow, "delete the tag"),
];

const REVIEW: &[Binding] = &[
    b(
        &[Key::ctrl('w')],
        C::Write,
        "write the deploy config to the path",
    ),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Write,
        "write the deploy config to the path",
    ),
    b(&[Key::plain(KeyCode::Up)], C::Up, "scroll up"),
    b(&[Key::plain(KeyCode::Down)], C::Down, "scroll down"),
];

const HELP: &[Binding] = &[b(
    &[
        Key::plain(KeyCode::Esc),
        Key::ch('?'),
        Key::ch('q'),
        Key::plain(KeyCode::F(1)),
    ],
    C::Cancel,
    "close the help",
)];

const CONFIRM: &[Binding] = &[
    b(
        &[Key::ch('y'), Key::plain(KeyCode::Enter)],
        C::Confirm,
        "yes",
    ),
    b(&[Key::ch('n'), Key::plain(KeyCode::Esc)], C::Cancel, "no"),
];

const PLAN: &[Binding] = &[
    b(
        &[Key::ch('a'), Key::plain(KeyCode::Enter)],
        C::Apply,
        "apply this plan (asks first)",
    ),
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "scroll up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "scroll down",
    ),
    b(&[Key::plain(KeyCode::PageUp)], C::PageUp, "page up"),
    b(&[Key::plain(KeyCode::PageDown)], C::PageDown, "page down"),
    b(&[Key::ch('r')], C::Refresh, "plan again"),
    b(&[Key::ch('s')], C::ShowStatus, "status of what is deployed"),
    b(
        &[Key::ch('D')],
        C::Destroy,
        "destroy the deployment (type the pack id)",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the wizard (answers are kept)",
    ),
    b(
        &[Key::ch('?'), Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const RUN: &[Binding] = &[
    b(
        &[Key::ctrl('c')],
        C::Cancel,
        "cancel the run (asks first; calls in flight finish)",
    ),
    b(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        C::Up,
        "previous resource / scroll the log",
    ),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "next resource / scroll the log",
    ),
    b(
        &[Key::plain(KeyCode::PageUp)],
        C::PageUp,
        "scroll the log up",
    ),
    b(
        &[Key::plain(KeyCode::PageDown)],
        C::PageDown,
        "scroll the log down",
    ),
    b(
        &[Key::plain(KeyCode::Tab)],
        C::FocusNext,
        "switch between the panes and the log",
    ),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Select,
        "detail of the resource (error, hint, ARN)",
    ),
    b(&[Key::ch('/')], C::Search, "search the event log"),
    b(&[Key::ch('n')], C::NextMatch, "next match"),
    b(&[Key::ch('N')], C::PrevMatch, "previous match"),
    b(&[Key::ch('s')], C::ShowStatus, "status (once finished)"),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the plan (once finished)",
    ),
    b(
        &[Key::ch('?'), Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ch('q')], C::Quit, "quit"),
];

const SEARCH: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Submit,
        "search (n / N move between matches)",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ctrl('c')],
        C::Cancel,
        "stop searching",
    ),
];

const DETAIL: &[Binding] = &[
    b(&[Key::ch('c')], C::Copy, "copy the ARN (OSC 52)"),
    b(
        &[
            Key::plain(KeyCode::Esc),
            Key::plain(KeyCode::Enter),
            Key::ch('q'),
        ],
        C::Cancel,
        "close",
    ),
];

const STATUS: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "move up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "move down",
    ),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Select,
        "logs of an agent runtime; detail of any other resource",
    ),
    b(
        &[Key::ch('i')],
        C::OpenInvoke,
        "send a prompt to the agent runtime",
    ),
    b(
        &[Key::ch('e')],
        C::OpenEvaluations,
        "online evaluation results of the agent runtime",
    ),
    b(
        &[Key::ch('h')],
        C::OpenHealth,
        "health of the agent runtime: versions, endpoints, gateway targets",
    ),
    b(&[Key::ch(' ')], C::Pause, "pause / resume the auto-refresh"),
    b(&[Key::ch('r')], C::Refresh, "refresh now"),
    b(&[Key::ch('c')], C::Copy, "copy the ARN (OSC 52)"),
    b(
        &[Key::ch('D')],
        C::Destroy,
        "destroy the deployment (type the pack id)",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the wizard (answers are kept)",
    ),
    b(
        &[Key::ch('?'), Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const KMS_KEYS: &[Binding] = &[
    b(
        &[Key::ctrl('k')],
        C::ApplyKeyPolicy,
        "put the recommended key policy (asks first)",
    ),
    b(
        &[Key::shift(KeyCode::Up)],
        C::PolicyUp,
        "scroll the policy diff up",
    ),
    b(
        &[Key::shift(KeyCode::Down)],
        C::PolicyDown,
        "scroll the policy diff down",
    ),
];

const KEY_POLICY_CONFIRM: &[Binding] = &[
    b(
        &[Key::ch('y')],
        C::Confirm,
        "put the recommended policy (PutKeyPolicy)",
    ),
    b(
        &[
            Key::plain(KeyCode::Enter),
            Key::plain(KeyCode::Esc),
            Key::ch('n'),
        ],
        C::Cancel,
        "cancel (the default): the key policy is left as it is",
    ),
];

const TYPE_CONFIRM: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Confirm,
        "destroy (only once the pack id is typed exactly)",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ctrl('c')],
        C::Cancel,
        "keep everything",
    ),
];

const LOGS: &[Binding] = &[
    b(
        &[Key::ch(' ')],
        C::Pause,
        "pause / resume the tail (no reads while paused)",
    ),
    b(
        &[Key::ch('/')],
        C::Search,
        "filter the lines by text as you type",
    ),
    b(
        &[Key::ch('l')],
        C::CycleLevel,
        "minimum level: all, debug, info, warn, error",
    ),
    b(
        &[Key::ch('t')],
        C::CycleRange,
        "time range: 5m, 15m, 1h, 6h, 24h (reads again from that far back)",
    ),
    b(
        &[Key::ch('c')],
        C::Copy,
        "copy the selected line (›) to the clipboard (OSC 52)",
    ),
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "scroll up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "scroll down",
    ),
    b(&[Key::plain(KeyCode::PageUp)], C::PageUp, "page up"),
    b(&[Key::plain(KeyCode::PageDown)], C::PageDown, "page down"),
    b(
        &[Key::plain(KeyCode::Left)],
        C::ScrollLeft,
        "scroll long lines left",
    ),
    b(
        &[Key::plain(KeyCode::Right)],
        C::ScrollRight,
        "scroll long lines right",
    ),
    b(
        &[Key::ch('g'), Key::plain(KeyCode::Home)],
        C::Top,
        "oldest line",
    ),
    b(
        &[Key::ch('G'), Key::plain(KeyCode::End)],
        C::Bottom,
        "newest line, and follow new ones",
    ),
    b(
        &[Key::ch('r')],
        C::Refresh,
        "read now (after an error, retry)",
    ),
    b(&[Key::plain(KeyCode::Tab)], C::NextView, MONITOR_NEXT),
    b(&[Key::ch('i')], C::OpenInvoke, "invoke: send a prompt"),
    b(&[Key::ch('e')], C::OpenEvaluations, "evaluation results"),
    b(
        &[Key::ch('h')],
        C::OpenHealth,
        "health: versions, endpoints, gateway targets",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the status",
    ),
    b(
        &[Key::ch('?'), Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const LOG_FILTER: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Submit,
        "keep the filter and scroll again",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ctrl('c')],
        C::Cancel,
        "clear the filter",
    ),
];

const INVOKE: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Submit,
        "send the prompt (InvokeAgentRuntime)",
    ),
    b(
        &[Key::ctrl('n')],
        C::NewSession,
        "new session (the next prompt starts a fresh conversation)",
    ),
    b(&[Key::plain(KeyCode::Up)], C::Up, "scroll the answers up"),
    b(
        &[Key::plain(KeyCode::Down)],
        C::Down,
        "scroll the answers down",
    ),
    b(&[Key::plain(KeyCode::Tab)], C::NextView, MONITOR_NEXT),
    b(&[Key::plain(KeyCode::Esc)], C::Back, "back to the status"),
    // `?` types into the prompt, so help is F1 only.
    b(
        &[Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ctrl('c')], C::Quit, "quit"),
];

/// The monitor's views in the order Tab goes through them.
const MONITOR_NEXT: &str = "next monitor view: logs → invoke → evaluations → health";

const EVALUATIONS: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Up), Key::ch('k')],
        C::Up,
        "previous evaluator",
    ),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "next evaluator",
    ),
    b(&[Key::ch('r')], C::Refresh, "read the results now"),
    b(&[Key::plain(KeyCode::Tab)], C::NextView, MONITOR_NEXT),
    b(&[Key::ch('l')], C::OpenLogs, "logs of the runtime"),
    b(&[Key::ch('i')], C::OpenInvoke, "invoke: send a prompt"),
    b(
        &[Key::ch('h')],
        C::OpenHealth,
        "health: versions, endpoints, gateway targets",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the status",
    ),
    b(
        &[Key::ch('?'), Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const HEALTH: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "scroll up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "scroll down",
    ),
    b(&[Key::ch('r')], C::Refresh, "read again now"),
    b(&[Key::plain(KeyCode::Tab)], C::NextView, MONITOR_NEXT),
    b(&[Key::ch('l')], C::OpenLogs, "logs of the runtime"),
    b(&[Key::ch('i')], C::OpenInvoke, "invoke: send a prompt"),
    b(&[Key::ch('e')], C::OpenEvaluations, "evaluation results"),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the status",
    ),
    b(
        &[Key::ch('?'), Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const SCREENS: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::F(2))],
        C::OpenRecs,
        "recommendations (list, detail, delete)",
    ),
    b(
        &[Key::plain(KeyCode::F(3))],
        C::OpenKmsActivity,
        "KMS activity of recommendations (CloudTrail)",
    ),
];

const REC_LIST: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "move up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "move down",
    ),
    b(&[Key::plain(KeyCode::PageUp)], C::PageUp, "page up"),
    b(&[Key::plain(KeyCode::PageDown)], C::PageDown, "page down"),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Select,
        "detail of the recommendation",
    ),
    b(
        &[Key::ch(' ')],
        C::ToggleMark,
        "mark / unmark (several can be deleted at once)",
    ),
    b(
        &[Key::ch('d'), Key::plain(KeyCode::Delete)],
        C::Delete,
        "delete the marked ones, or the highlighted one (asks first)",
    ),
    b(&[Key::ch('/')], C::Search, "filter (type to narrow)"),
    b(&[Key::ch('s')], C::Sort, "sort: newest / name / status"),
    b(&[Key::ch('n')], C::NewRec, "start a new recommendation"),
    b(&[Key::ch('r')], C::Refresh, "reload the list"),
    b(
        &[Key::ch('K')],
        C::OpenKmsActivity,
        "KMS activity of the highlighted recommendation",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to where you were",
    ),
    b(&[Key::ch('?')], C::Help, "show the keys of this screen"),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const REC_FILTER: &[Binding] = &[
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Submit,
        "keep the filter, back to the list",
    ),
    b(
        &[Key::plain(KeyCode::Esc)],
        C::Cancel,
        "clear the filter, back to the list",
    ),
    b(&[Key::plain(KeyCode::Up)], C::Up, "move up"),
    b(&[Key::plain(KeyCode::Down)], C::Down, "move down"),
    b(&[Key::ctrl('c')], C::Quit, "quit"),
];

const REC_DETAIL: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "scroll up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "scroll down",
    ),
    b(&[Key::plain(KeyCode::PageUp)], C::PageUp, "page up"),
    b(&[Key::plain(KeyCode::PageDown)], C::PageDown, "page down"),
    b(
        &[Key::ch('c')],
        C::Copy,
        "copy the recommended text (OSC 52)",
    ),
    b(&[Key::ch('a')], C::CopyArn, "copy the ARN (OSC 52)"),
    b(
        &[Key::ch('d'), Key::plain(KeyCode::Delete)],
        C::Delete,
        "delete it (asks first)",
    ),
    b(&[Key::ch('r')], C::Refresh, "read it again"),
    b(
        &[Key::ch('K')],
        C::OpenKmsActivity,
        "KMS activity of this recommendation",
    ),
    b(
        &[Key::plain(KeyCode::Esc), Key::ch('b')],
        C::Back,
        "back to the list",
    ),
    b(&[Key::ch('?')], C::Help, "show the keys of this screen"),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const REC_ACTIVITY: &[Binding] = &[
    b(&[Key::plain(KeyCode::Up), Key::ch('k')], C::Up, "move up"),
    b(
        &[Key::plain(KeyCode::Down), Key::ch('j')],
        C::Down,
        "move down",
    ),
    b(&[Key::plain(KeyCode::PageUp)], C::PageUp, "page up"),
    b(&[Key::plain(KeyCode::PageDown)], C::PageDown, "page down"),
    b(
        &[Key::ch('/')],
        C::Search,
        "filter by recommendation (id, name or ARN)",
    ),
    b(&[Key::ch('r')], C::Refresh, "look the events up again"),
    b(&[Key::plain(KeyCode::Esc), Key::ch('b')], C::Back, "back"),
    b(&[Key::ch('?')], C::Help, "show the keys of this screen"),
    b(&[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
];

const REC_START: &[Binding] = &[
    b(
        &[Key::ctrl('s')],
        C::Submit,
        "start it (only once nothing is in error)",
    ),
    b(&[Key::plain(KeyCode::Tab)], C::FocusNext, "next field"),
    b(
        &[Key::plain(KeyCode::BackTab)],
        C::FocusPrev,
        "previous field",
    ),
    b(
        &[Key::plain(KeyCode::Up)],
        C::Up,
        "previous field (in the key list: move up)",
    ),
    b(
        &[Key::plain(KeyCode::Down)],
        C::Down,
        "next field (in the key list: move down)",
    ),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Select,
        "next field (in the key list: choose the key)",
    ),
    b(
        &[Key::plain(KeyCode::PageUp)],
        C::PageUp,
        "key list: page up",
    ),
    b(
        &[Key::plain(KeyCode::PageDown)],
        C::PageDown,
        "key list: page down",
    ),
    b(
        &[Key::ctrl('r')],
        C::Retry,
        "list the keys again after a failure",
    ),
    b(
        &[Key::plain(KeyCode::Esc)],
        C::Back,
        "back to the list (the form is kept)",
    ),
    // `?` types into the fields (a prompt may ask questions), so help is F1 only.
    b(
        &[Key::plain(KeyCode::F(1))],
        C::Help,
        "show the keys of this screen",
    ),
    b(&[Key::ctrl('c')], C::Quit, "quit"),
];

const REC_DELETE: &[Binding] = &[
    b(
        &[
            Key::plain(KeyCode::Left),
            Key::plain(KeyCode::Right),
            Key::plain(KeyCode::Tab),
        ],
        C::FocusNext,
        "switch between Cancel and Delete",
    ),
    b(
        &[Key::plain(KeyCode::Enter)],
        C::Select,
        "press the highlighted button (Cancel unless you moved)",
    ),
    b(&[Key::ch('y')], C::Confirm, "delete"),
    b(
        &[Key::ch('n'), Key::plain(KeyCode::Esc), Key::ctrl('c')],
        C::Cancel,
        "keep them",
    ),
];

pub fn bindings(ctx: Context) -> &'static [Binding] {
    match ctx {
        Context::Global => GLOBAL,
        Context::Text => TEXT,
        Context::FilterList => FILTER_LIST,
        Context::Choice => CHOICE,
        Context::Table => TABLE,
        Context::Review => REVIEW,
        Context::Help => HELP,
        Context::Confirm => CONFIRM,
        Context::Plan => PLAN,
        Context::Run => RUN,
        Context::Search => SEARCH,
        Context::Detail => DETAIL,
        Context::Status => STATUS,
        Context::Logs => LOGS,
        Context::LogFilter => LOG_FILTER,
        Context::Invoke => INVOKE,
        Context::Evaluations => EVALUATIONS,
        Context::Health => HEALTH,
        Context::TypeConfirm => TYPE_CONFIRM,
        Context::Screens => SCREENS,
        Context::RecList => REC_LIST,
        Context::RecFilter => REC_FILTER,
        Context::RecDetail => REC_DETAIL,
        Context::RecActivity => REC_ACTIVITY,
        Context::RecDelete => REC_DELETE,
        Context::RecStart => REC_START,
        Context::KmsKeys => KMS_KEYS,
        Context::KeyPolicyConfirm => KEY_POLICY_CONFIRM,
    }
}

/// Overlays are modal: only their own table applies. Otherwise the focused context wins over the
/// global one, so a screen can reuse a global key.
pub fn layers(ctx: Context) -> &'static [Context] {
    match ctx {
        Context::Help => &[Context::Help],
        Context::Confirm => &[Context::Confirm],
        Context::Text => &[Context::Text, Context::Global, Context::Screens],
        Context::FilterList => &[Context::FilterList, Context::Global, Context::Screens],
        Context::Choice => &[Context::Choice, Context::Global, Context::Screens],
        Context::Table => &[Context::Table, Context::Global, Context::Screens],
        Context::Review => &[Context::Review, Context::Global, Context::Screens],
        Context::Global => &[Context::Global, Context::Screens],
        // The wizard's global keys (next step, field focus) mean nothing here.
        Context::Plan => &[Context::Plan, Context::Screens],
        Context::Run => &[Context::Run, Context::Screens],
        Context::Status => &[Context::Status, Context::Screens],
        Context::Logs => &[Context::Logs, Context::Screens],
        // Modal: typed text filters, it triggers nothing.
        Context::LogFilter => &[Context::LogFilter],
        Context::Invoke => &[Context::Invoke, Context::Screens],
        Context::Evaluations => &[Context::Evaluations, Context::Screens],
        Context::Health => &[Context::Health, Context::Screens],
        // Modal: typed text must not trigger anything else.
        Context::Search => &[Context::Search],
        Context::Detail => &[Context::Detail],
        Context::TypeConfirm => &[Context::TypeConfirm],
        Context::Screens => &[Context::Screens],
        Context::RecList => &[Context::RecList, Context::Screens],
        Context::RecFilter => &[Context::RecFilter, Context::Screens],
        Context::RecDetail => &[Context::RecDetail, Context::Screens],
        Context::RecActivity => &[Context::RecActivity, Context::Screens],
        Context::RecDelete => &[Context::RecDelete],
        Context::RecStart => &[Context::RecStart, Context::Screens],
        Context::KmsKeys => &[
            Context::KmsKeys,
            Context::FilterList,
            Context::Global,
            Context::Screens,
        ],
        Context::KeyPolicyConfirm => &[Context::KeyPolicyConfirm],
    }
}

pub fn lookup(ctx: Context, ev: &KeyEvent) -> Option<Command> {
    layers(ctx)
        .iter()
        .flat_map(|c| bindings(*c))
        .find(|bnd| bnd.keys.iter().any(|k| k.matches(ev)))
        .map(|bnd| bnd.command)
}

/// One help row per binding, the focused context first; a key shadowed by an earlier layer is
/// left out so the list shows only what the key really does here.
pub fn help_rows(ctx: Context) -> Vec<(String, &'static str)> {
    let mut seen: Vec<Key> = Vec::new();
    let mut rows = Vec::new();
    for layer in layers(ctx) {
        for bnd in bindings(*layer) {
            let keys: Vec<Key> = bnd
                .keys
                .iter()
                .copied()
                .filter(|k| !seen.contains(k))
                .collect();
            if keys.is_empty() {
                continue;
            }
            seen.extend(keys.iter().copied());
            let label = keys.iter().map(Key::label).collect::<Vec<_>>().join(" / ");
            rows.push((label, bnd.help));
        }
    }
    rows
}

/// The first key bound to `cmd` in `ctx` (for the footer's hints).
pub fn first_key(ctx: Context, cmd: Command) -> Option<String> {
    first_bound(ctx, cmd).map(|k| k.label())
}

fn first_bound(ctx: Context, cmd: Command) -> Option<Key> {
    layers(ctx)
        .iter()
        .flat_map(|c| bindings(*c))
        .find(|b| b.command == cmd)
        .and_then(|b| b.keys.first().copied())
}

/// What a footer advertises in `ctx`, in order, each command with its short name there. The
/// wizard, deploy and recommendation footers all read this; `run_finished` tells a finished
/// apply or destroy from a running one.
pub fn hints(ctx: Context, run_finished: bool) -> &'static [(Command, &'static str)] {
    match ctx {
        Context::Help
        | Context::Confirm
        | Context::Search
        | Context::Detail
        | Context::TypeConfirm
        | Context::Screens
        | Context::RecDelete => &[],
        Context::KeyPolicyConfirm => &[
            (C::Confirm, "put the recommended policy"),
            (C::Cancel, "cancel"),
        ],
        Context::Global
        | Context::Text
        | Context::FilterList
        | Context::Choice
        | Context::Table
        | Context::Review
        | Context::KmsKeys => &[
            (C::Help, "help"),
            (C::NextStep, "next"),
            (C::PrevStep, "back"),
            (C::FocusNext, "field"),
            (C::Quit, "quit"),
        ],
        Context::Plan => &[
            (C::Apply, "apply"),
            (C::Refresh, "plan again"),
            (C::ShowStatus, "status"),
            (C::Destroy, "destroy"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::Run if run_finished => &[
            (C::ShowStatus, "status"),
            (C::Back, "back"),
            (C::Select, "detail"),
            (C::Search, "search"),
            (C::Quit, "quit"),
            (C::Help, "help"),
        ],
        Context::Run => &[
            (C::Cancel, "cancel"),
            (C::Select, "detail"),
            (C::Search, "search"),
            (C::FocusNext, "log"),
            (C::Help, "help"),
        ],
        // The monitor's keys first; pause and copy are in `?`, so the line fits 80 columns.
        Context::Status => &[
            (C::Select, "logs"),
            (C::OpenInvoke, "invoke"),
            (C::OpenEvaluations, "evals"),
            (C::OpenHealth, "health"),
            (C::Destroy, "destroy"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        // G (follow) is in `?`: with it the line would not fit 80 columns and `? help` would go.
        Context::Logs => &[
            (C::Pause, "pause"),
            (C::Search, "filter"),
            (C::CycleLevel, "level"),
            (C::CycleRange, "range"),
            (C::Copy, "copy"),
            (C::NextView, "views"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::LogFilter => &[(C::Submit, "keep filter"), (C::Cancel, "clear")],
        Context::Invoke => &[
            (C::Submit, "send"),
            (C::NewSession, "new session"),
            (C::NextView, "views"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::Evaluations => &[
            (C::Down, "evaluator"),
            (C::Refresh, "read now"),
            (C::NextView, "views"),
            (C::OpenLogs, "logs"),
            (C::OpenHealth, "health"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::Health => &[
            (C::Refresh, "read now"),
            (C::NextView, "views"),
            (C::OpenLogs, "logs"),
            (C::OpenEvaluations, "evals"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::RecList => &[
            (C::Select, "detail"),
            (C::ToggleMark, "mark"),
            (C::Delete, "delete"),
            (C::Search, "filter"),
            (C::Sort, "sort"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::RecFilter => &[(C::Submit, "keep filter"), (C::Cancel, "clear")],
        Context::RecDetail => &[
            (C::Copy, "copy"),
            (C::CopyArn, "copy ARN"),
            (C::Delete, "delete"),
            (C::OpenKmsActivity, "KMS activity"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::RecStart => &[
            (C::Submit, "start"),
            (C::FocusNext, "next field"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
        Context::RecActivity => &[
            (C::Search, "filter"),
            (C::Refresh, "refresh"),
            (C::Back, "back"),
            (C::Help, "help"),
        ],
    }
}

/// The footer of `ctx` as (key, name) pairs: each hint with the first key bound to its command
/// here; a hint whose command has no key in `ctx`, or that the screen says is `idle` (it would
/// do nothing there now), is left out.
pub fn footer(ctx: Context, run_finished: bool, idle: &[Command]) -> Vec<(String, &'static str)> {
    hints(ctx, run_finished)
        .iter()
        .filter(|(cmd, _)| !idle.contains(cmd))
        .filter_map(|(cmd, name)| first_key(ctx, *cmd).map(|k| (k, *name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn letters_type_in_text_fields_but_command_in_choices() {
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Context::Text, &q), None);
        assert_eq!(lookup(Context::FilterList, &q), None);
        assert_eq!(lookup(Context::Choice, &q), Some(Command::Quit));
    }

    #[test]
    fn question_mark_with_or_without_shift_opens_help_outside_text() {
        for mods in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
            assert_eq!(
                lookup(Context::Choice, &key(KeyCode::Char('?'), mods)),
                Some(Command::Help)
            );
            assert_eq!(lookup(Context::Text, &key(KeyCode::Char('?'), mods)), None);
        }
        assert_eq!(
            lookup(Context::Text, &key(KeyCode::F(1), KeyModifiers::NONE)),
            Some(Command::Help)
        );
    }

    #[test]
    fn ctrl_keys_match_regardless_of_case() {
        let ev = key(
            KeyCode::Char('N'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(lookup(Context::Text, &ev), Some(Command::NextStep));
    }

    #[test]
    fn overlays_are_modal() {
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(lookup(Context::Help, &tab), None);
        assert_eq!(
            lookup(
                Context::Confirm,
                &key(KeyCode::Char('y'), KeyModifiers::NONE)
            ),
            Some(Command::Confirm)
        );
    }

    /// Every context; `hints` matches on them all, so a new one gets a footer and belongs here.
    const CONTEXTS: [Context; 28] = [
        Context::Global,
        Context::Text,
        Context::FilterList,
        Context::Choice,
        Context::Table,
        Context::Review,
        Context::Help,
        Context::Confirm,
        Context::Plan,
        Context::Run,
        Context::Search,
        Context::Detail,
        Context::Status,
        Context::TypeConfirm,
        Context::Logs,
        Context::LogFilter,
        Context::Invoke,
        Context::Evaluations,
        Context::Health,
        Context::Screens,
        Context::RecList,
        Context::RecFilter,
        Context::RecDetail,
        Context::RecActivity,
        Context::RecDelete,
        Context::RecStart,
        Context::KmsKeys,
        Context::KeyPolicyConfirm,
    ];

    /// A footer shows each hint with the first key bound to its command; that key must be
    /// there, and pressing it must do that command, not something an earlier layer binds it to.
    #[test]
    fn every_key_a_footer_shows_does_what_it_says() {
        for ctx in CONTEXTS {
            for finished in [false, true] {
                for (cmd, name) in hints(ctx, finished) {
                    let Some(k) = first_bound(ctx, *cmd) else {
                        panic!("{ctx:?}: the footer offers \"{name}\" but no key does {cmd:?}");
                    };
                    assert_eq!(
                        lookup(ctx, &KeyEvent::new(k.code, k.mods)),
                        Some(*cmd),
                        "{ctx:?}: the footer shows \"{} {name}\" but the key does something else",
                        k.label()
                    );
                }
                assert_eq!(
                    footer(ctx, finished, &[]).len(),
                    hints(ctx, finished).len(),
                    "{ctx:?}"
                );
            }
        }
    }

    #[test]
    fn help_rows_hide_shadowed_keys() {
        let rows = help_rows(Context::Table);
        let enter_rows: Vec<_> = rows
            .iter()
            .filter(|(k, _)| k.split(" / ").any(|p| p == "Enter"))
            .collect();
        assert_eq!(enter_rows.len(), 1, "{rows:?}");
        assert!(
            rows.iter()
                .any(|(k, h)| k.contains("Ctrl-d") && h.contains("delete"))
        );
        assert!(rows.iter().any(|(_, h)| h.starts_with("quit")));
    }
}
