//! The runtime artifact: a container image, or the PromptKit runtime binary
//! zipped with the pack in the adapter's code-deploy layout and put in S3.

use std::io::{Cursor, Write};
use std::path::Path;

use aws_sdk_bedrockagentcorecontrol::types as t;
use serde::{Deserialize, Serialize};

use crate::aws::{self, Clients};
use crate::plan::runtime::ENTRY_POINT;
// The apply engine names the key here; the rule itself is the plan's.
pub use crate::plan::runtime::code_key;

const BINARY_NAME: &str = "promptkit-runtime";
const PACK_FILE: &str = "pack.json";

// The adapter's launcher, so a package we build runs exactly like one it builds.
const MAIN_PY: &str = r#"#!/usr/bin/env python3
"""Thin wrapper to launch the PromptKit Go runtime on AgentCore CodeConfiguration."""
import os
import subprocess
import sys

def main():
    binary = os.path.join(os.path.dirname(__file__), "promptkit-runtime")
    os.environ.setdefault("PROMPTPACK_FILE", os.path.join(os.path.dirname(__file__), "pack.json"))
    sys.exit(subprocess.call([binary]))

if __name__ == "__main__":
    main()
"#;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum RuntimeArtifact {
    Container { uri: String },
    Code { bucket: String, key: String },
}

impl RuntimeArtifact {
    pub fn to_sdk(&self) -> t::AgentRuntimeArtifact {
        match self {
            RuntimeArtifact::Container { uri } => t::AgentRuntimeArtifact::ContainerConfiguration(
                t::ContainerConfiguration::builder()
                    .container_uri(uri)
                    .build()
                    .expect("container uri set"),
            ),
            RuntimeArtifact::Code { bucket, key } => t::AgentRuntimeArtifact::CodeConfiguration(
                t::CodeConfiguration::builder()
                    .code(t::Code::S3(
                        t::S3Location::builder()
                            .bucket(bucket)
                            .prefix(key)
                            .build()
                            .expect("bucket and key set"),
                    ))
                    .runtime(t::AgentManagedRuntimeType::Python313)
                    .entry_point(ENTRY_POINT)
                    .build()
                    .expect("code, runtime and entry point set"),
            ),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            RuntimeArtifact::Container { uri } => format!("container image {uri}"),
            RuntimeArtifact::Code { bucket, key } => format!("code package s3://{bucket}/{key}"),
        }
    }
}

pub fn code_bucket(account: &str, region: &str) -> String {
    format!("bedrock-agentcore-code-{account}-{region}")
}

/// `main.py`, `promptkit-runtime` and `pack.json` at the root, all 0755
/// (the runtime's /var/task is read-only, so modes must come from the ZIP).
pub fn build_code_zip(binary: &Path, pack_json: &str) -> Result<Vec<u8>, String> {
    let bin = std::fs::read(binary).map_err(|e| {
        format!(
            "runtime_binary_path \"{}\" cannot be read: {e}; point it at the PromptKit runtime binary (built for linux/arm64)",
            binary.display()
        )
    })?;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    let mut add = |name: &str, bytes: &[u8]| -> Result<(), String> {
        w.start_file(name, opts)
            .map_err(|e| format!("zip {name}: {e}"))?;
        w.write_all(bytes).map_err(|e| format!("zip {name}: {e}"))
    };
    add(ENTRY_POINT, MAIN_PY.as_bytes())?;
    add(BINARY_NAME, &bin)?;
    add(PACK_FILE, pack_json.as_bytes())?;
    let cur = w.finish().map_err(|e| format!("zip: {e}"))?;
    Ok(cur.into_inner())
}

/// Puts the package, creating the conventional bucket on first use. The bucket's name is
/// public and predictable, so every call names the account that must own it (CreateBucket has
/// no such header: S3 answers BucketAlreadyExists when someone else owns the name).
pub async fn upload(
    clients: &Clients,
    account: &str,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<(), aws::Error> {
    let ctx = clients.error_context();
    let put = |body: Vec<u8>| {
        clients
            .s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(account)
            .body(body.into())
            .send()
    };
    match put(body.clone()).await {
        Ok(_) => return Ok(()),
        Err(e) => {
            let no_bucket = e
                .as_service_error()
                .map(|se| {
                    aws_smithy_types::error::metadata::ProvideErrorMetadata::code(se)
                        == Some("NoSuchBucket")
                })
                .unwrap_or(false);
            if !no_bucket {
                return Err(aws::Error::from_sdk("s3", "PutObject", &e, &ctx));
            }
        }
    }
    let mut create = clients.s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that rejects an explicit location constraint.
    if clients.region != "us-east-1" {
        create = create.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    clients.region.as_str(),
                ))
                .build(),
        );
    }
    if let Err(e) = create.send().await {
        let owned = e
            .as_service_error()
            .map(|se| se.is_bucket_already_owned_by_you())
            .unwrap_or(false);
        if !owned {
            return Err(aws::Error::from_sdk("s3", "CreateBucket", &e, &ctx));
        }
    }
    put(body)
        .await
        .map(|_| ())
        .map_err(|e| aws::Error::from_sdk("s3", "PutObject", &e, &ctx))
}

/// Whether the package is still in its bucket (a missing bucket: no).
pub async fn exists(
    clients: &Clients,
    account: &str,
    bucket: &str,
    key: &str,
) -> Result<bool, aws::Error> {
    let res = clients
        .s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(account)
        .send()
        .await;
    match res {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(false),
        Err(e) => Err(aws::Error::from_sdk(
            "s3",
            "HeadObject",
            &e,
            &clients.error_context(),
        )),
    }
}

/// Deletes the package; one already gone (or its bucket) counts as deleted.
pub async fn delete(
    clients: &Clients,
    account: &str,
    bucket: &str,
    key: &str,
) -> Result<(), aws::Error> {
    let res = clients
        .s3
        .delete_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(account)
        .send()
        .await;
    match res {
        Ok(_) => Ok(()),
        Err(e) => {
            let code = e
                .as_service_error()
                .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::code);
            if matches!(code, Some("NoSuchBucket") | Some("NoSuchKey")) {
                return Ok(());
            }
            Err(aws::Error::from_sdk(
                "s3",
                "DeleteObject",
                &e,
                &clients.error_context(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn zip_has_the_adapter_layout_with_exec_modes() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("rt");
        std::fs::write(&bin, b"\x7fELF fake").unwrap();
        let bytes = build_code_zip(&bin, r#"{"id":"p"}"#).unwrap();
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<_> = z.file_names().map(str::to_owned).collect();
        assert_eq!(names.len(), 3);
        for n in ["main.py", "promptkit-runtime", "pack.json"] {
            assert!(names.iter().any(|x| x == n), "{n} missing: {names:?}");
        }
        let mut pack = String::new();
        z.by_name("pack.json")
            .unwrap()
            .read_to_string(&mut pack)
            .unwrap();
        assert_eq!(pack, r#"{"id":"p"}"#);
        assert_eq!(
            z.by_name("promptkit-runtime").unwrap().unix_mode().unwrap() & 0o777,
            0o755
        );
    }

    #[test]
    fn missing_binary_names_the_field_and_path() {
        let e = build_code_zip(Path::new("/nope/rt"), "{}").unwrap_err();
        assert!(e.contains("runtime_binary_path") && e.contains("/nope/rt"));
    }

    #[test]
    fn bucket_and_key_follow_the_convention() {
        assert_eq!(
            code_bucket("111122223333", "us-west-2"),
            "bedrock-agentcore-code-111122223333-us-west-2"
        );
        assert_eq!(
            code_key("p", "1.0.0"),
            "promptkit/p/1.0.0/deployment_package.zip"
        );
    }
}
