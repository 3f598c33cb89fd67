//! S3 over restXml, path style only: HeadBucket, CreateBucket, PutObject, HeadObject,
//! DeleteObject. Every bucket is the world account's; a request whose
//! `x-amz-expected-bucket-owner` names another account is refused as S3 refuses it.
//! Object bodies are not kept (nothing reads them back); size, ETag and encryption headers are.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::wire::{ApiError, set_s3_request_id};
use crate::world::{Bucket, Ctx, Object, WorldState};

/// Any other S3 call: answered with NotImplemented, in S3's own error format.
pub const UNSUPPORTED: &str = "UnsupportedS3Operation";

pub fn operation(method: &Method, segs: &[String]) -> Option<&'static str> {
    match (method.as_str(), segs.len()) {
        (_, 0) => Some(UNSUPPORTED),
        ("HEAD", 1) => Some("HeadBucket"),
        ("PUT", 1) => Some("CreateBucket"),
        ("PUT", n) if n >= 2 => Some("PutObject"),
        ("HEAD", n) if n >= 2 => Some("HeadObject"),
        ("DELETE", n) if n >= 2 => Some("DeleteObject"),
        _ => Some(UNSUPPORTED),
    }
}

fn no_such_bucket(name: &str) -> ApiError {
    let mut e = ApiError::new(404, "NoSuchBucket", "The specified bucket does not exist");
    e.extra.insert("BucketName".into(), json!(name));
    e
}

fn valid_bucket_name(n: &str) -> bool {
    (3..=63).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && n.starts_with(|c: char| c.is_ascii_alphanumeric())
        && n.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !n.contains("..")
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Undoes `Content-Encoding: aws-chunked` framing (signed or unsigned, with or without trailers).
fn decode_chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(pos) = rest.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(&rest[..pos]);
        let size =
            usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        rest = &rest[pos + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
    out
}

fn http_date(t: &DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn with_headers(status: StatusCode, headers: &[(&str, String)], request_id: &str) -> Response {
    let mut resp = status.into_response();
    for (k, v) in headers {
        if let (Ok(name), Ok(val)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            resp.headers_mut().insert(name, val);
        }
    }
    set_s3_request_id(resp.headers_mut(), request_id);
    resp
}

type Operation =
    fn(&mut WorldState, &Ctx, &str, &str, &HeaderMap, &[u8]) -> Result<Response, ApiError>;

pub(crate) const OPERATIONS: &[(&str, Operation)] = &[
    ("HeadBucket", head_bucket),
    ("CreateBucket", create_bucket),
    ("PutObject", put_object),
    ("HeadObject", head_object),
    ("DeleteObject", delete_object),
];

/// The operations whose model has `ExpectedBucketOwner`.
const OWNER_CHECKED: [&str; 4] = ["HeadBucket", "HeadObject", "PutObject", "DeleteObject"];

pub fn handle(
    world: &mut WorldState,
    ctx: &Ctx,
    op: &str,
    segs: &[String],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let run = OPERATIONS
        .iter()
        .find(|(name, _)| *name == op)
        .map(|(_, run)| run)
        .filter(|_| !segs.is_empty());
    let Some(run) = run else {
        return Err(ApiError::new(
            501,
            "NotImplemented",
            "Only HeadBucket, CreateBucket, PutObject, HeadObject and DeleteObject are implemented by this emulator",
        ));
    };
    let bucket = &segs[0];
    // S3 checks the owner of a bucket that exists; a missing one is still NoSuchBucket.
    if OWNER_CHECKED.contains(&op)
        && world.buckets.contains_key(bucket)
        && let Some(expected) = header(headers, "x-amz-expected-bucket-owner")
        && expected != world.account
    {
        if op.starts_with("Head") {
            return Ok(with_headers(StatusCode::FORBIDDEN, &[], &ctx.request_id));
        }
        return Err(ApiError::new(403, "AccessDenied", "Access Denied"));
    }
    run(world, ctx, bucket, &segs[1..].join("/"), headers, body)
}

fn head_bucket(
    world: &mut WorldState,
    ctx: &Ctx,
    bucket: &str,
    _key: &str,
    _headers: &HeaderMap,
    _body: &[u8],
) -> Result<Response, ApiError> {
    match world.buckets.get(bucket) {
        Some(b) => Ok(with_headers(
            StatusCode::OK,
            &[("x-amz-bucket-region", b.region.clone())],
            &ctx.request_id,
        )),
        None => head_not_found(ctx),
    }
}

/// HEAD answers carry no body, so a miss is a bare 404.
fn head_not_found(ctx: &Ctx) -> Result<Response, ApiError> {
    Ok(with_headers(StatusCode::NOT_FOUND, &[], &ctx.request_id))
}

fn create_bucket(
    world: &mut WorldState,
    ctx: &Ctx,
    bucket: &str,
    _key: &str,
    _headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    if !valid_bucket_name(bucket) {
        let mut e = ApiError::new(
            400,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        );
        e.extra.insert("BucketName".into(), json!(bucket));
        return Err(e);
    }
    let text = String::from_utf8_lossy(body);
    let constraint = text
        .split("<LocationConstraint>")
        .nth(1)
        .and_then(|r| r.split("</LocationConstraint>").next())
        .map(str::to_string);
    if constraint.as_deref() == Some("us-east-1") {
        // us-east-1 is the one region where an explicit constraint is refused.
        return Err(ApiError::new(
            400,
            "InvalidLocationConstraint",
            "The specified location-constraint is not valid",
        ));
    }
    let bucket_region = constraint
        .clone()
        .unwrap_or_else(|| "us-east-1".to_string());
    if bucket_region != ctx.region {
        let msg = match constraint {
            None => "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.".to_string(),
            Some(c) => format!("The {c} location constraint is incompatible for the region specific endpoint this request was sent to."),
        };
        return Err(ApiError::new(
            400,
            "IllegalLocationConstraintException",
            msg,
        ));
    }
    if let Some(existing) = world.buckets.get(bucket) {
        // us-east-1 answers 200 to re-creating your own bucket; other regions say so.
        if existing.region == "us-east-1" && ctx.region == "us-east-1" {
            return Ok(with_headers(
                StatusCode::OK,
                &[("location", format!("/{bucket}"))],
                &ctx.request_id,
            ));
        }
        let mut e = ApiError::new(
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        );
        e.extra.insert("BucketName".into(), json!(bucket));
        return Err(e);
    }
    world.buckets.insert(
        bucket.to_string(),
        Bucket {
            name: bucket.to_string(),
            region: bucket_region,
            created: ctx.now,
            objects: BTreeMap::new(),
        },
    );
    Ok(with_headers(
        StatusCode::OK,
        &[("location", format!("/{bucket}"))],
        &ctx.request_id,
    ))
}

fn put_object(
    world: &mut WorldState,
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let Some(b) = world.buckets.get_mut(bucket) else {
        return Err(no_such_bucket(bucket));
    };
    let chunked = header(headers, "content-encoding").is_some_and(|e| e.contains("aws-chunked"))
        || header(headers, "x-amz-content-sha256").is_some_and(|s| s.starts_with("STREAMING-"));
    let data = if chunked {
        decode_chunked(body)
    } else {
        body.to_vec()
    };
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&data);
    let etag = format!(
        "\"{}\"",
        digest
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let sse = header(headers, "x-amz-server-side-encryption").unwrap_or_else(|| "AES256".into());
    let kms_key_id = header(headers, "x-amz-server-side-encryption-aws-kms-key-id");
    let obj = Object {
        size: data.len(),
        etag: etag.clone(),
        content_type: header(headers, "content-type")
            .unwrap_or_else(|| "binary/octet-stream".into()),
        last_modified: ctx.now,
        sse: Some(sse.clone()),
        kms_key_id: kms_key_id.clone(),
        checksum_crc32: header(headers, "x-amz-checksum-crc32"),
    };
    let mut hs = vec![("etag", etag), ("x-amz-server-side-encryption", sse)];
    if let Some(k) = kms_key_id {
        hs.push(("x-amz-server-side-encryption-aws-kms-key-id", k));
    }
    if let Some(c) = &obj.checksum_crc32 {
        hs.push(("x-amz-checksum-crc32", c.clone()));
    }
    b.objects.insert(key.to_string(), obj);
    Ok(with_headers(StatusCode::OK, &hs, &ctx.request_id))
}

fn head_object(
    world: &mut WorldState,
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    _headers: &HeaderMap,
    _body: &[u8],
) -> Result<Response, ApiError> {
    let Some(obj) = world.buckets.get(bucket).and_then(|b| b.objects.get(key)) else {
        return head_not_found(ctx);
    };
    let mut hs = vec![
        ("content-length", obj.size.to_string()),
        ("etag", obj.etag.clone()),
        ("last-modified", http_date(&obj.last_modified)),
        ("content-type", obj.content_type.clone()),
        ("accept-ranges", "bytes".into()),
    ];
    if let Some(s) = &obj.sse {
        hs.push(("x-amz-server-side-encryption", s.clone()));
    }
    if let Some(k) = &obj.kms_key_id {
        hs.push(("x-amz-server-side-encryption-aws-kms-key-id", k.clone()));
    }
    Ok(with_headers(StatusCode::OK, &hs, &ctx.request_id))
}

/// S3 answers 204 whether or not the key existed.
fn delete_object(
    world: &mut WorldState,
    ctx: &Ctx,
    bucket: &str,
    key: &str,
    _headers: &HeaderMap,
    _body: &[u8],
) -> Result<Response, ApiError> {
    let Some(b) = world.buckets.get_mut(bucket) else {
        return Err(no_such_bucket(bucket));
    };
    b.objects.remove(key);
    Ok(with_headers(StatusCode::NO_CONTENT, &[], &ctx.request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_chunked_bodies_are_unframed() {
        let framed = b"5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
        assert_eq!(decode_chunked(framed), b"hello world");
    }

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert!(valid_bucket_name("my-artifacts.1"));
        assert!(!valid_bucket_name("My_Bucket"));
        assert!(!valid_bucket_name("ab"));
    }
}
