//! S3 buckets and object metadata (bodies are not kept).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    pub created: DateTime<Utc>,
    pub objects: BTreeMap<String, Object>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Object {
    pub size: usize,
    pub etag: String,
    pub content_type: String,
    pub last_modified: DateTime<Utc>,
    pub sse: Option<String>,
    pub kms_key_id: Option<String>,
    pub checksum_crc32: Option<String>,
}
