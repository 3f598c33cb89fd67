//! AWS's model-validation message (`N validation errors detected: Value '…' at 'a.b'
//! failed to satisfy constraint: Member must …; …`) in plain words: which member, its value
//! cut short, and what AWS wants of it.

const VALUE_MAX: usize = 40;

pub fn plain(message: &str) -> Option<String> {
    let (_, list) = message.split_once(" detected: ")?;
    let problems: Vec<String> = list
        .split("; Value ")
        .map(|p| p.strip_prefix("Value ").unwrap_or(p))
        .filter_map(one)
        .collect();
    (!problems.is_empty()).then(|| problems.join("; "))
}

fn one(p: &str) -> Option<String> {
    let (head, constraint) = p.split_once(" failed to satisfy constraint: ")?;
    let head = format!(" {head}");
    let (value, member) = head.rsplit_once(" at '")?;
    let (value, member) = (value.trim(), member.trim_end_matches('\''));
    let value = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .map(cut);
    let member = member.replace(".member", "").replace("..", ".");
    let want = constraint
        .trim_end_matches('.')
        .strip_prefix("Member must ")
        .map(|c| {
            c.replace("have length less than or equal to", "be at most")
                .replace("have length greater than or equal to", "be at least")
                .replace("have value less than or equal to", "be at most")
                .replace("have value greater than or equal to", "be at least")
                .replace("satisfy regular expression pattern:", "match")
                .replace("satisfy enum value set:", "be one of")
        })
        .unwrap_or_else(|| constraint.to_string());
    Some(match value {
        _ if constraint.contains("must not be null") => format!("{member} is required"),
        Some(v) => format!("{member} '{v}' must {want}"),
        None => format!("{member} must {want}"),
    })
}

fn cut(v: &str) -> String {
    let clean: String = v
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= VALUE_MAX {
        clean
    } else {
        format!("{}…", clean.chars().take(VALUE_MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn names_the_member_and_what_aws_wants() {
        let m = "2 validation errors detected: Value 'support-desk' at 'agentRuntimeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,47}; Value null at 'memoryStrategies.1.member.semanticMemoryStrategy.name' failed to satisfy constraint: Member must not be null";
        assert_eq!(
            plain(m).unwrap(),
            "agentRuntimeName 'support-desk' must match [a-zA-Z][a-zA-Z0-9_]{0,47}; memoryStrategies.1.semanticMemoryStrategy.name is required"
        );
    }

    #[test]
    fn long_values_are_cut_and_lists_say_their_size() {
        let long = "x".repeat(300);
        let m = format!(
            "1 validation error detected: Value '{long}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 200"
        );
        let p = plain(&m).unwrap();
        assert!(p.starts_with("description 'xxxxxxxx"), "{p}");
        assert!(p.ends_with("…' must be at most 200"), "{p}");
        let m = "1 validation error detected: Value at 'dataSourceConfig.cloudWatchLogs.serviceNames' failed to satisfy constraint: Member must have length less than or equal to 1";
        assert_eq!(
            plain(m).unwrap(),
            "dataSourceConfig.cloudWatchLogs.serviceNames must be at most 1"
        );
    }

    #[test]
    fn other_messages_are_left_alone() {
        assert_eq!(plain("Gateway g has 2 targets associated with it"), None);
    }
}
