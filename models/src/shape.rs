//! The parts of a botocore model that validation reads.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::pattern::Pattern;

#[derive(Debug, Deserialize)]
pub struct Model {
    pub metadata: Metadata,
    pub source: Source,
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
pub struct Source {
    pub botocore: String,
    pub wheel_sha256: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub protocol: String,
    pub api_version: String,
    #[serde(default)]
    pub target_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub http: Http,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    pub method: String,
    pub request_uri: String,
    #[serde(default)]
    pub response_code: Option<u16>,
}

#[derive(Debug, Deserialize)]
pub struct ShapeRef {
    pub shape: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: ShapeType,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    // In the model's order, which is the order AWS reports problems in.
    pub members: IndexMap<String, Member>,
    #[serde(default)]
    pub member: Option<Member>,
    #[serde(default)]
    pub key: Option<Member>,
    #[serde(default)]
    pub value: Option<Member>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default, rename = "enum")]
    pub enum_values: Vec<String>,
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub payload: Option<String>,
    #[serde(default)]
    pub exception: bool,
    #[serde(skip)]
    compiled: OnceLock<Option<Pattern>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub shape: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub location_name: Option<String>,
    #[serde(default)]
    pub idempotency_token: bool,
}

impl Member {
    pub fn wire_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.location_name.as_deref().unwrap_or(name)
    }
}

impl Model {
    pub fn parse(text: &str) -> Result<Model, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Patterns of the data that no engine here can run, with why: must be empty.
    pub fn pattern_errors(&self) -> Vec<String> {
        self.shapes
            .iter()
            .filter_map(|(name, s)| {
                let p = s.pattern.as_deref()?;
                Pattern::new(p).err().map(|e| format!("{name}: {e}"))
            })
            .collect()
    }

    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    pub fn input(&self, operation: &str) -> Option<&Shape> {
        self.operation(operation)?
            .input
            .as_ref()
            .and_then(|r| self.shape(&r.shape))
    }

    pub fn output(&self, operation: &str) -> Option<&Shape> {
        self.operation(operation)?
            .output
            .as_ref()
            .and_then(|r| self.shape(&r.shape))
    }

    /// The shape at a dotted member path of an operation's input (`a.b.c`; list and map
    /// elements are skipped through by `member`/`value`), e.g. for checking one field.
    pub fn member_shape(&self, operation: &str, path: &str) -> Option<&Shape> {
        let mut shape = self.input(operation)?;
        for part in path.split('.') {
            shape = match shape.kind {
                ShapeType::Structure => self.shape(&shape.members.get(part)?.shape)?,
                ShapeType::List if part == "member" => self.shape(&shape.member.as_ref()?.shape)?,
                ShapeType::Map if part == "key" => self.shape(&shape.key.as_ref()?.shape)?,
                ShapeType::Map if part == "value" => self.shape(&shape.value.as_ref()?.shape)?,
                _ => return None,
            };
        }
        Some(shape)
    }
}

impl Shape {
    /// The compiled pattern, or None when the model gives none. A pattern that does not
    /// translate is a data problem: reported by the crate's tests, not at a request.
    pub(crate) fn compiled(&self) -> Option<&Pattern> {
        self.compiled
            .get_or_init(|| self.pattern.as_deref().and_then(|p| Pattern::new(p).ok()))
            .as_ref()
    }
}
