//! The code package the runtimes ran: its S3 object, deleted once no runtime uses it.

use super::*;

pub const CODE_ARTIFACT_KIND: &str = "code_artifact";
/// Where a runtime's record keeps its code package (none for a container image).
pub const ARTIFACT_BUCKET: &str = "artifact_bucket";
pub const ARTIFACT_KEY: &str = "artifact_key";

pub(super) fn of_runtime(r: &ResourceRecord) -> Option<(String, String)> {
    Some((
        r.meta(ARTIFACT_BUCKET)?.to_owned(),
        r.meta(ARTIFACT_KEY)?.to_owned(),
    ))
}

pub(super) fn name(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// A package whose delete failed after its runtimes went: recorded so destroy tries again.
pub(super) fn record(bucket: &str, key: &str) -> ResourceRecord {
    let mut r = ResourceRecord::new(CODE_ARTIFACT_KIND, name(bucket, key));
    r.metadata.insert(ARTIFACT_BUCKET.into(), bucket.to_owned());
    r.metadata.insert(ARTIFACT_KEY.into(), key.to_owned());
    r
}

pub(super) async fn delete(dep: &Deployment, bucket: &str, key: &str) -> Result<(), aws::Error> {
    crate::deploy::artifact::delete(&dep.clients, &dep.account, bucket, key).await
}
