//! The PromptPack (`*.pack.json`): its model, parse errors and the summary shown before deploying.
//!
//! Parse errors carry the position and the field path. What a pack becomes in AWS is derived in
//! `derive/`.

pub mod model;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use model::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub file: Option<PathBuf>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Dotted path into the pack, e.g. `prompts.support.tool_policy.max_rounds`.
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::diagnostic::write_located(
            f,
            self.file.as_deref(),
            self.line.zip(self.column),
            &self.field,
            &self.message,
        )
    }
}

impl std::error::Error for PackError {}

impl PackError {
    pub fn to_diagnostic(&self) -> crate::diagnostic::Diagnostic {
        let field = if self.field.is_empty() {
            "pack".to_string()
        } else {
            format!("pack.{}", self.field)
        };
        let d = crate::diagnostic::Diagnostic::error(
            field,
            crate::diagnostic::category::PACK,
            self.to_string(),
        );
        match &self.hint {
            Some(h) => d.with_hint(h.clone()),
            None => d,
        }
    }
}

fn not_a_pack_hint(text: &str) -> Option<(String, String)> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return None;
    }
    let has = |k: &str| text.lines().any(|l| l.trim_start().starts_with(k));
    if has("kind: ConfigMap") || (has("apiVersion:") && text.contains("pack.json")) {
        return Some((
            "this is a Kubernetes manifest, not a pack file".into(),
            "extract the pack: the ConfigMap's data[\"pack.json\"] holds it (e.g. yq '.data[\"pack.json\"]')".into(),
        ));
    }
    if has("kind: Arena") {
        return Some((
            "this is an arena config (YAML), not a compiled pack".into(),
            "compile it first (promptarena compile) and pass the resulting *.pack.json; pass the arena file as --config to use its spec.deploy block".into(),
        ));
    }
    if has("apiVersion:") || has("kind:") || has("---") {
        return Some((
            "this is a YAML document, not a pack file".into(),
            "a pack is JSON (*.pack.json)".into(),
        ));
    }
    None
}

pub fn parse_str(text: &str) -> Result<Pack, PackError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some((message, hint)) = not_a_pack_hint(text) {
        return Err(PackError {
            file: None,
            line: Some(1),
            column: Some(1),
            field: String::new(),
            message,
            hint: Some(hint),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<Pack, _> = serde_path_to_error::deserialize(&mut de);
    let pack = result.map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        let mut message = inner.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        let hint = match inner.classify() {
            serde_json::error::Category::Data => Some(
                "fix the value's type (the adapter's Go decoder rejects it the same way)"
                    .to_string(),
            ),
            serde_json::error::Category::Eof => Some("the file is truncated".to_string()),
            _ => None,
        };
        PackError {
            file: None,
            line: pos(inner.line()),
            column: pos(inner.column()),
            field: if field == "." || field == "?" {
                String::new()
            } else {
                field
            },
            message,
            hint,
        }
    })?;
    de.end().map_err(|e| PackError {
        file: None,
        line: pos(e.line()),
        column: pos(e.column()),
        field: String::new(),
        message: "trailing characters after the pack object".into(),
        hint: None,
    })?;
    if pack.prompts.is_empty() {
        return Err(PackError {
            file: None,
            line: None,
            column: None,
            field: "prompts".into(),
            message: "the pack has no prompts".into(),
            hint: Some("a pack needs at least one prompt (is this really a pack file?)".into()),
        });
    }
    Ok(pack)
}

/// The pack file's text, read with the size cap of [`crate::input_file`].
pub fn read_path(path: &Path) -> Result<String, PackError> {
    crate::input_file::read_text(path).map_err(|e| PackError {
        file: Some(path.to_path_buf()),
        line: None,
        column: None,
        field: String::new(),
        message: e.to_string(),
        hint: e.hint().map(str::to_owned),
    })
}

pub fn load_path(path: &Path) -> Result<Pack, PackError> {
    let text = read_path(path)?;
    parse_str(&text).map_err(|mut e| {
        e.file = Some(path.to_path_buf());
        e
    })
}

/// What the pack is, for the first wizard step and `plan` headers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackSummary {
    pub id: String,
    pub name: String,
    pub version: String,
    pub prompts: Vec<String>,
    pub tools: Vec<String>,
    pub multi_agent: bool,
    pub entry: Option<String>,
    pub members: Vec<String>,
    pub evals: usize,
    pub online_evals: usize,
    pub blocked_tools: Vec<String>,
}

impl Pack {
    pub fn summary(&self) -> PackSummary {
        let mut blocked: Vec<String> = self
            .prompts
            .values()
            .filter_map(|p| p.tool_policy.as_ref())
            .flat_map(|tp| tp.blocklist.iter().cloned())
            .collect();
        blocked.sort();
        blocked.dedup();
        PackSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            prompts: self.prompts.keys().cloned().collect(),
            tools: self.tools.keys().cloned().collect(),
            multi_agent: self.is_multi_agent(),
            entry: self.agents.as_ref().map(|a| a.entry.clone()),
            members: self
                .agents
                .as_ref()
                .map(|a| a.members.keys().cloned().collect())
                .unwrap_or_default(),
            evals: self.evals.len(),
            online_evals: self.online_eval_defs().count(),
            blocked_tools: blocked,
        }
    }
}

/// Positions are 1-based and small; u32 keeps the error type compact.
fn pos(n: usize) -> Option<u32> {
    u32::try_from(n).ok()
}
