//! The code package the runtimes ran: its S3 object, deleted once no runtime uses it.

use super::*;

pub const CODE_ARTIFACT_KIND: &str = "code_artifact";
/// Where a runtime's record keeps its code package (none for a container image).
pub const ARTIFACT_BUCKET: &str = "artifact_bucket";
pub const ARTIFACT_KEY: &str = "artifact_key";

pub(super) fn of_runtime(r: &ResourceRecord) -> Option<(String, String)> {
    // The package's own record holds the same keys.
    if r.kind != "agent_runtime" {
        return None;
    }
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

/// With the last runtime naming a code package gone from the state, the package would be
/// forgotten if the destroy stopped now: it is recorded in the same write.
pub(super) fn keep_track(st: &mut DeployState, gone: &Target) {
    let Target::Record(r) = gone else { return };
    let Some((bucket, key)) = of_runtime(r) else {
        return;
    };
    let still_used = st.live().any(|x| {
        x.kind == "agent_runtime"
            && of_runtime(x).is_some_and(|p| p == (bucket.clone(), key.clone()))
    });
    if !still_used && st.get(CODE_ARTIFACT_KIND, &name(&bucket, &key)).is_none() {
        let mut rec = record(&bucket, &key);
        rec.status = Some(RecordStatus::Created);
        st.resources.push(rec);
    }
}

pub(super) async fn delete(dep: &Deployment, bucket: &str, key: &str) -> Result<(), aws::Error> {
    crate::deploy::artifact::delete(&dep.clients, &dep.account, bucket, key).await
}
