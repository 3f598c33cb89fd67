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

    /// One of the partitions we deploy to (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn known_partition(&self) -> bool {
        PARTITIONS.contains(&self.partition)
    }

    /// A KMS key ARN (`key/ID`, not an alias) in a known partition with an account id.
    pub fn kms_key(s: &'a str) -> Option<Self> {
        Arn::parse(s).filter(|a| {
            a.known_partition()
                && a.service == "kms"
                && a.account_id().is_some()
                && a.resource
                    .strip_prefix("key/")
                    .is_some_and(|id| !id.is_empty())
        })
    }

    /// The account, if it is a 12-digit account id.
    pub fn account_id(&self) -> Option<&'a str> {
        is_account_id(self.account).then_some(self.account)
    }
}

impl std::fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Arn {
            partition,
            service,
            region,
            account,
            resource,
        } = self;
        write!(f, "arn:{partition}:{service}:{region}:{account}:{resource}")
    }
}

pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// The partition a region belongs to: China and GovCloud regions have their own.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The ARN of a regional resource, in the region's partition.
pub fn regional(service: &str, region: &str, account: &str, resource: &str) -> String {
    Arn {
        partition: partition_of_region(region),
        service,
        region,
        account,
        resource,
    }
    .to_string()
}

/// The ARN of an IAM resource (`root`, `role/PATH/NAME`) in `partition`.
pub fn iam(partition: &str, account: &str, resource: &str) -> String {
    Arn {
        partition,
        service: "iam",
        region: "",
        account,
        resource,
    }
    .to_string()
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

    #[test]
    fn partitions_round_trip() {
        for s in [
            "arn:aws-cn:iam::111122223333:role/aws-reserved/sso.amazonaws.com/cn-north-1/R",
            "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/k",
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/x:*",
        ] {
            let a = Arn::parse(s).unwrap();
            assert!(a.known_partition(), "{s}");
            assert_eq!(a.to_string(), s);
        }
        assert!(
            !Arn::parse("arn:azure:kms:r:111122223333:key/k")
                .unwrap()
                .known_partition()
        );
        assert_eq!(
            regional("kms", "cn-north-1", "111122223333", "key/k"),
            "arn:aws-cn:kms:cn-north-1:111122223333:key/k"
        );
        assert_eq!(partition_of_region("us-gov-east-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
        assert_eq!(
            iam("aws-cn", "111122223333", "root"),
            "arn:aws-cn:iam::111122223333:root"
        );
        assert!(Arn::kms_key("arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/k").is_some());
        assert!(Arn::kms_key("arn:aws:kms:us-east-1:111122223333:alias/a").is_none());
        assert!(Arn::kms_key("arn:aws:kms:us-east-1:111122223333:key/").is_none());
    }
}
