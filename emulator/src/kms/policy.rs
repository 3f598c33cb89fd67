//! Key policies: GetKeyPolicy, PutKeyPolicy, and the document and lockout checks CreateKey shares.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::keypolicy;
use crate::wire::{ApiError, ApiResult};
use crate::world::{Ctx, WorldState};

use super::{caller_who, member, resolve, str_member};

pub(super) fn validate_policy(policy: &str) -> Result<Value, ApiError> {
    let malformed = |why: String| ApiError::kms("MalformedPolicyDocumentException", why);
    if policy.len() > 32768 {
        return Err(malformed(
            "The key policy is longer than 32768 characters.".into(),
        ));
    }
    let doc: Value = serde_json::from_str(policy)
        .map_err(|e| malformed(format!("The key policy is not valid JSON: {e}")))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return Err(malformed("The key policy has no Statement.".into())),
    };
    for (i, st) in statements.iter().enumerate() {
        match st.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => {
                return Err(malformed(format!(
                    "Statement {i} needs an Effect of Allow or Deny."
                )));
            }
        }
        if st.get("Principal").is_none() && st.get("NotPrincipal").is_none() {
            return Err(malformed(format!("Statement {i} has no Principal.")));
        }
        if st.get("Action").is_none() && st.get("NotAction").is_none() {
            return Err(malformed(format!("Statement {i} has no Action.")));
        }
    }
    Ok(doc)
}

/// KMS resolves every IAM principal of a policy when it is set, and refuses the policy when a
/// role of this account does not exist. A role ARN names its path, so `role/NAME` is not the
/// same role as `role/aws-reserved/…/NAME`.
pub(super) fn principals_exist(world: &WorldState, doc: &Value) -> Result<(), ApiError> {
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    let arns = statements.iter().flat_map(|st| {
        ["Principal", "NotPrincipal"]
            .into_iter()
            .filter_map(|k| st.get(k)?.get("AWS"))
            .flat_map(|v| match v {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            })
    });
    for arn in arns {
        let Some(role) = own_role(arn, &world.account) else {
            continue;
        };
        let exists = world
            .roles
            .values()
            .any(|r| format!("{}{}", r.path, r.name) == format!("/{role}"));
        if !exists {
            return Err(ApiError::kms(
                "MalformedPolicyDocumentException",
                "Policy contains a statement with one or more invalid principals.",
            ));
        }
    }
    Ok(())
}

/// `PATH/NAME` of `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` when ACCOUNT is this account.
fn own_role<'a>(arn: &'a str, account: &str) -> Option<&'a str> {
    let mut fields = arn.splitn(6, ':');
    let (arn_, _partition, service, region, acct, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    (arn_ == "arn" && service == "iam" && region.is_empty() && acct == account)
        .then(|| resource.strip_prefix("role/"))
        .flatten()
}

/// KMS refuses a policy that would lock the caller out of changing it again.
pub(super) fn lockout_check(
    world: &WorldState,
    policy: &str,
    bypass: bool,
) -> Result<(), ApiError> {
    if bypass {
        return Ok(());
    }
    let req = keypolicy::Request {
        who: caller_who(world),
        action: "kms:PutKeyPolicy",
        context: BTreeMap::new(),
    };
    if keypolicy::evaluate(policy, &req).allowed() {
        Ok(())
    } else {
        Err(ApiError::kms(
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy in the future.",
        ))
    }
}

pub(super) fn get_key_policy(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key = resolve(world, region, member(body, "KeyId"))?;
    let name = str_member(body, "PolicyName").unwrap_or("default");
    if name != "default" {
        return Err(ApiError::kms("NotFoundException", "No such policy exists"));
    }
    Ok(Some(
        json!({ "Policy": key.policy, "PolicyName": "default" }),
    ))
}

pub(super) fn put_key_policy(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key_id = resolve(world, region, member(body, "KeyId"))?
        .key_id
        .clone();
    let policy = member(body, "Policy");
    if str_member(body, "PolicyName").is_some_and(|n| n != "default") {
        return Err(ApiError::kms("NotFoundException", "No such policy exists"));
    }
    let doc = validate_policy(policy)?;
    principals_exist(world, &doc)?;
    lockout_check(
        world,
        policy,
        body.get("BypassPolicyLockoutSafetyCheck")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    )?;
    if let Some(k) = world.keys.get_mut(&key_id) {
        k.policy = policy.to_string();
    }
    Ok(None)
}
