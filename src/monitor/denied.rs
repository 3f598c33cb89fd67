//! A denied monitor call in plain words: the IAM action, the resource a policy must allow it
//! on, and whose policy that is (the role behind the caller's session, not "the role you
//! deploy with": monitoring may run as someone else).

use crate::aws::{Category, Error, ErrorContext};

/// Who needs the permission, from the caller's ARN: an assumed role's session is its role.
pub fn principal(ctx: &ErrorContext) -> String {
    let Some(arn) = ctx.caller_arn.as_deref() else {
        return match &ctx.profile {
            Some(p) => format!("the identity of AWS profile {p}"),
            None => "the identity your AWS credentials belong to".into(),
        };
    };
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let mut parts = resource.split('/');
    match (parts.next(), parts.next()) {
        (Some("assumed-role"), Some(role)) => format!("IAM role {role} (you call as {arn})"),
        (Some("user"), Some(_)) => format!("IAM user {arn}"),
        _ => arn.to_owned(),
    }
}

/// `e` with the fix named, when it is a denial: add `action` on `resource` to whose policy.
pub fn explain(e: Error, action: &str, resource: &str, ctx: &ErrorContext) -> Error {
    if e.category != Category::Permission {
        return e;
    }
    let hint = format!(
        "add {action} on {resource} to the policy of {}",
        principal(ctx)
    );
    e.with_hint(hint)
}

/// The account in the caller's ARN, for a resource ARN built before any answer names it.
pub fn account(ctx: &ErrorContext) -> &str {
    ctx.caller_arn
        .as_deref()
        .and_then(crate::arn::account_id)
        .unwrap_or("*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(arn: Option<&str>) -> ErrorContext {
        ErrorContext {
            caller_arn: arn.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn the_principal_is_the_role_behind_a_session() {
        assert_eq!(
            principal(&ctx(Some("arn:aws:sts::111122223333:assumed-role/Dev/me"))),
            "IAM role Dev (you call as arn:aws:sts::111122223333:assumed-role/Dev/me)"
        );
        assert_eq!(
            principal(&ctx(Some("arn:aws:iam::111122223333:user/ana"))),
            "IAM user arn:aws:iam::111122223333:user/ana"
        );
        assert_eq!(
            principal(&ctx(None)),
            "the identity your AWS credentials belong to"
        );
    }
}
