//! AWS's service models as data (models/data, from botocore; see models/README.md) and what
//! is checked against them: requests bound from HTTP, then validated shape by shape.

mod bind;
mod pattern;
mod shape;
mod validate;
mod violation;
mod xml;

use std::sync::OnceLock;

pub use bind::{BindError, HttpRequest};
pub use shape::{Member, Model, Operation, Shape, ShapeType};
pub use violation::{Constraint, Violation, validation_message};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Control,
    Data,
    Kms,
    Sts,
    Iam,
    S3,
    CloudTrail,
    Logs,
}

impl Service {
    pub const ALL: [Service; 8] = [
        Service::Control,
        Service::Data,
        Service::Kms,
        Service::Sts,
        Service::Iam,
        Service::S3,
        Service::CloudTrail,
        Service::Logs,
    ];

    /// The botocore service name, which is also the data file's name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Control => "bedrock-agentcore-control",
            Service::Data => "bedrock-agentcore",
            Service::Kms => "kms",
            Service::Sts => "sts",
            Service::Iam => "iam",
            Service::S3 => "s3",
            Service::CloudTrail => "cloudtrail",
            Service::Logs => "logs",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Service::Control => include_str!("../data/bedrock-agentcore-control.json"),
            Service::Data => include_str!("../data/bedrock-agentcore.json"),
            Service::Kms => include_str!("../data/kms.json"),
            Service::Sts => include_str!("../data/sts.json"),
            Service::Iam => include_str!("../data/iam.json"),
            Service::S3 => include_str!("../data/s3.json"),
            Service::CloudTrail => include_str!("../data/cloudtrail.json"),
            Service::Logs => include_str!("../data/logs.json"),
        }
    }
}

pub const REGENERATE: &str = "regenerate it with `python3 models/regen.py` (see models/README.md)";

/// The model of one service, parsed once. The data is compiled in, so a missing file fails
/// the build; a file that does not parse fails here, naming the fix.
pub fn model(service: Service) -> &'static Model {
    static MODELS: [OnceLock<Model>; Service::ALL.len()] =
        [const { OnceLock::new() }; Service::ALL.len()];
    let idx = Service::ALL
        .iter()
        .position(|s| *s == service)
        .unwrap_or_default();
    MODELS[idx].get_or_init(|| {
        Model::parse(service.source()).unwrap_or_else(|e| {
            panic!(
                "models/data/{}.json does not parse ({e}): {REGENERATE}",
                service.name()
            )
        })
    })
}

/// The botocore release the data was taken from (models/data/VERSION).
pub fn version() -> &'static str {
    include_str!("../data/VERSION").trim()
}
