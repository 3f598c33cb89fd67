//! Where a deployed agent runtime's traces are: its log group (the runtime's `DEFAULT` endpoint
//! writes to `/aws/bedrock-agentcore/runtimes/ID-DEFAULT`) and its service name (`NAME.DEFAULT`),
//! in the runtime's own partition, region and account. The TUI's start form and `recs start
//! --runtime` both take their defaults from here.

use crate::arn::Arn;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeTraces {
    pub log_group_arn: String,
    pub service_name: String,
}

/// `None` unless `runtime_arn` is an AgentCore runtime ARN (`…:runtime/ID`).
pub fn of_runtime(runtime_arn: &str, runtime_name: &str) -> Option<RuntimeTraces> {
    let a = Arn::parse(runtime_arn).filter(|a| a.known_partition())?;
    let id = a
        .resource
        .strip_prefix("runtime/")
        .filter(|id| !id.is_empty() && !id.contains('/'))?;
    let log_group = format!("log-group:/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    Some(RuntimeTraces {
        log_group_arn: Arn {
            partition: a.partition,
            service: "logs",
            region: a.region,
            account: a.account,
            resource: &log_group,
        }
        .to_string(),
        service_name: format!("{runtime_name}.DEFAULT"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_group_follows_the_runtime_arn_in_any_partition() {
        let t = of_runtime(
            "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/support_desk-AbC123",
            "support_desk",
        )
        .unwrap();
        assert_eq!(
            t.log_group_arn,
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/runtimes/support_desk-AbC123-DEFAULT"
        );
        assert_eq!(t.service_name, "support_desk.DEFAULT");
        let gov = of_runtime(
            "arn:aws-us-gov:bedrock-agentcore:us-gov-west-1:111122223333:runtime/r-1",
            "r",
        )
        .unwrap();
        assert!(
            gov.log_group_arn
                .starts_with("arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:"),
            "{gov:?}"
        );
        assert_eq!(
            of_runtime(
                "arn:aws:bedrock-agentcore:us-east-1:111122223333:gateway/g",
                "g"
            ),
            None
        );
        assert_eq!(of_runtime("support_desk", "support_desk"), None);
    }
}
