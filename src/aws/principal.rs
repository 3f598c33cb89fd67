//! The IAM principal behind a caller, as a key policy has to name it. An STS session ARN
//! (`assumed-role/NAME/SESSION`) leaves the role's path out, and KMS refuses a policy naming a
//! role that does not exist, so the role ARN comes from iam:GetRole. IAM Identity Center (SSO)
//! roles always have a path (`/aws-reserved/sso.amazonaws.com/REGION/`).

use super::clients::Clients;
use super::error::{Category, Error};
use crate::arn::Arn;

impl Clients {
    /// `arn` as a key-policy principal: an IAM role or user ARN as it is, an STS assumed-role
    /// session as its role with the path. `ask` tells how to give the role ARN by hand (a flag
    /// or a field), for when GetRole is denied.
    pub async fn principal_arn(&self, arn: &str, ask: &str) -> Result<String, Error> {
        let Some((partition, account, role)) = assumed_role(arn) else {
            return Ok(arn.to_owned());
        };
        match self.iam.get_role().role_name(role).send().await {
            Ok(out) => match out.role() {
                Some(r) if !r.arn().is_empty() => Ok(r.arn().to_owned()),
                _ => Err(Error::new(
                    Category::Resource,
                    "GetRole",
                    format!("GetRole answered without the ARN of role {role}"),
                )
                .with_hint(format!("{ask}; {}", lookup_hint(role)))),
            },
            Err(e) => {
                let err = Error::from_sdk("iam", "GetRole", &e, &self.error_context());
                let example = crate::arn::iam(partition, account, &format!("role/PATH/{role}"));
                match err.code.as_deref() {
                    Some("AccessDenied" | "AccessDeniedException") => Err(Error {
                        message: format!(
                            "iam:GetRole was denied for role {role}, so its path is unknown: the session ARN {arn} leaves it out, and a key policy must name the role with its path"
                        ),
                        hint: Some(format!("{ask} ({example}); {}", lookup_hint(role))),
                        ..err
                    }),
                    Some("NoSuchEntity" | "NoSuchEntityException") => Err(Error {
                        category: Category::Resource,
                        message: format!(
                            "role {role} of the session {arn} does not exist in IAM any more"
                        ),
                        hint: Some(format!("sign in again, or {ask} ({example})")),
                        ..err
                    }),
                    _ => Err(err),
                }
            }
        }
    }
}

fn lookup_hint(role: &str) -> String {
    format!(
        "`aws iam get-role --role-name {role} --query Role.Arn`, run by someone allowed to, shows it (SSO roles live under /aws-reserved/sso.amazonaws.com/REGION/)"
    )
}

/// Partition, account and role name of an STS assumed-role session ARN.
fn assumed_role(arn: &str) -> Option<(&str, &str, &str)> {
    let a = Arn::parse(arn).filter(|a| a.known_partition() && a.service == "sts")?;
    let role = a
        .resource
        .strip_prefix("assumed-role/")?
        .split('/')
        .next()
        .filter(|r| !r.is_empty())?;
    Some((a.partition, a.account_id()?, role))
}

#[cfg(test)]
mod tests {
    use super::assumed_role;

    #[test]
    fn only_assumed_role_sessions_need_a_lookup() {
        assert_eq!(
            assumed_role(
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com"
            ),
            Some(("aws", "123456789012", "AWSReservedSSO_Admin_0123"))
        );
        assert_eq!(
            assumed_role("arn:aws-cn:sts::123456789012:assumed-role/R/s"),
            Some(("aws-cn", "123456789012", "R"))
        );
        assert_eq!(assumed_role("arn:aws:iam::123456789012:role/p/R"), None);
        assert_eq!(
            assumed_role("arn:aws:sts::123456789012:federated-user/u"),
            None
        );
    }
}
