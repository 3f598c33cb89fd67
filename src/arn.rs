//! ARNs (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`), taken apart in one place so every
//! caller agrees on which field is which.

/// The fields of an ARN, borrowed from the string. `region` and `account` are empty where the
/// service has none (IAM has no region, `Builtin.*` evaluators no account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the account, colons included (`key/ID`, `log-group:NAME`, `role/PATH/NAME`);
    /// empty when the ARN stops after the account.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `None` unless `s` starts with `arn:` and reaches the account field. Nothing else is
    /// checked here: each caller knows what it expects of the service and the resource.
    pub fn parse(s: &'a str) -> Option<Self> {
        let mut fields = s.splitn(6, ':');
        if fields.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: fields.next()?,
            service: fields.next()?,
            region: fields.next()?,
            account: fields.next()?,
            resource: fields.next().unwrap_or(""),
        })
    }

    /// The account, if it is a 12-digit account id.
    pub fn account_id(&self) -> Option<&'a str> {
        is_account_id(self.account).then_some(self.account)
    }
}

/// The 12-digit account id of `arn`, if it has one.
pub fn account_id(arn: &str) -> Option<&str> {
    Arn::parse(arn)?.account_id()
}

/// The region field of `arn` (empty when it has none or is not an ARN).
pub fn region(arn: &str) -> &str {
    Arn::parse(arn).map_or("", |a| a.region)
}

/// What follows the last `/`: the id of a key, recommendation or runtime. The whole string when
/// it holds no `/`, so a bare id can be passed where an ARN or an id is accepted.
pub fn resource_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let a = Arn::parse("arn:aws:logs:us-east-1:111122223333:log-group:/aws/x:*").unwrap();
        assert_eq!(
            (a.partition, a.service, a.region, a.account, a.resource),
            (
                "aws",
                "logs",
                "us-east-1",
                "111122223333",
                "log-group:/aws/x:*"
            )
        );
        let iam = Arn::parse("arn:aws:iam::111122223333:role/path/r").unwrap();
        assert_eq!((iam.region, iam.resource), ("", "role/path/r"));
        assert_eq!(
            account_id("arn:aws:iam::111122223333"),
            Some("111122223333")
        );
        assert_eq!(account_id("arn:aws:iam::1111:role/r"), None);
        assert_eq!(Arn::parse("kms:us-east-1:111122223333:key/k"), None);
        assert_eq!(
            region("arn:aws:kms:eu-west-1:111122223333:key/k"),
            "eu-west-1"
        );
        assert_eq!(region("alias/x"), "");
        assert_eq!(resource_id("arn:aws:kms:r:a:key/k-1"), "k-1");
        assert_eq!(resource_id("rec-1"), "rec-1");
    }
}
