//! Where a value came from: the field a user edits to fix it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    Pack,
    Config,
    Request,
}

/// The field a user edits to fix a value, and how the message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    pub(super) origin: Origin,
    /// The field as written, e.g. `evals[0].description`, `tags.team`, `systemPrompt`.
    pub(super) path: String,
    /// How the message names it, when more than the field (e.g. "key of tags.x").
    pub(super) label: Option<String>,
}

pub(super) fn pack(path: impl Into<String>) -> Source {
    Source {
        origin: Origin::Pack,
        path: path.into(),
        label: None,
    }
}

pub(super) fn config(path: impl Into<String>) -> Source {
    Source {
        origin: Origin::Config,
        path: path.into(),
        label: None,
    }
}

pub(crate) fn req(path: impl Into<String>) -> Source {
    Source {
        origin: Origin::Request,
        path: path.into(),
        label: None,
    }
}

impl Source {
    pub(crate) fn labelled(mut self, label: String) -> Self {
        self.label = Some(label);
        self
    }

    /// The diagnostic field, in the convention of the other checks: `pack.` for the pack.
    pub(super) fn field(&self) -> String {
        match self.origin {
            Origin::Pack => format!("pack.{}", self.path),
            Origin::Config | Origin::Request => self.path.clone(),
        }
    }

    pub(super) fn name(&self) -> String {
        let what = self.label.as_deref().unwrap_or(&self.path);
        match self.origin {
            Origin::Pack => format!("pack field {what}"),
            Origin::Config => format!("deploy config: {what}"),
            Origin::Request => what.to_string(),
        }
    }

    pub(super) fn place(&self) -> &'static str {
        match self.origin {
            Origin::Pack => "in the pack",
            Origin::Config => "in the deploy config",
            Origin::Request => "in the request",
        }
    }

    /// A part of a structured value (a tool's schema): the model's path under the field.
    pub(super) fn nested(&self, sub: &str) -> Source {
        Source {
            origin: self.origin,
            path: format!("{}.{sub}", self.path),
            label: None,
        }
    }
}
