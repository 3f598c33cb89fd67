//! `--local`: the wizard's starting point on the emulator's demo world, from the demo pack and
//! the demo deploy config in assets/demo/.

use std::path::{Path, PathBuf};

use super::persist::{A2aMode, Answers, ArtifactKind};
use super::services::AwsTarget;
use crate::config::DeployConfig;

const DEPLOY_JSON: &str = include_str!("../../assets/demo/support-desk.deploy.json");
pub const PACK: &str = "assets/demo/support-desk.pack.json";

/// Relative to the working directory when run from a checkout (`cargo run`), else where the
/// crate was built, so the demo also opens from another directory.
fn locate(relative: &str) -> String {
    if Path::new(relative).exists() {
        return relative.to_string();
    }
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    if built.exists() {
        built.display().to_string()
    } else {
        relative.to_string()
    }
}

/// The demo config as answers: what the wizard asks is prefilled, the rest rides along as the
/// base config. The KMS key is left for the user to choose.
pub fn local_answers() -> Answers {
    let value: serde_json::Value =
        serde_json::from_str(DEPLOY_JSON).expect("the embedded demo config is JSON");
    let cfg: DeployConfig =
        serde_json::from_value(value.clone()).expect("the embedded demo config parses");
    let (a2a_mode, discovery_url, allowed_audience, allowed_clients) = match &cfg.a2a_auth {
        Some(a) if a.mode == "jwt" => (
            A2aMode::Jwt,
            a.discovery_url.clone().unwrap_or_default(),
            a.allowed_audience.clone(),
            a.allowed_clients.clone(),
        ),
        Some(a) if a.mode == "iam" => (A2aMode::Iam, String::new(), Vec::new(), Vec::new()),
        _ => (A2aMode::None, String::new(), Vec::new(), Vec::new()),
    };
    Answers {
        pack_path: locate(PACK),
        target: Some(AwsTarget::Local),
        region: cfg.region.clone(),
        runtime_role_arn: cfg.runtime_role_arn.clone(),
        artifact_kind: ArtifactKind::RuntimeBinary,
        // The config names it from its own folder, as every config does.
        runtime_binary_path: cfg
            .runtime_binary_path
            .as_deref()
            .map(|p| locate(&format!("assets/demo/{p}")))
            .unwrap_or_default(),
        a2a_mode,
        discovery_url,
        allowed_audience,
        allowed_clients,
        tags: cfg
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        base_config: Some(value),
        ..Answers::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::answers::deploy_config;

    #[test]
    fn the_demo_answers_write_back_the_whole_demo_config() {
        let answers = local_answers();
        assert_eq!(answers.target, Some(AwsTarget::Local));
        assert_eq!(answers.a2a_mode, A2aMode::Iam);
        assert!(answers.pack_path.ends_with(PACK));
        let written = deploy_config(&answers);
        let mut expected: DeployConfig = serde_json::from_str(DEPLOY_JSON).unwrap();
        expected.runtime_binary_path = written.runtime_binary_path.clone();
        assert_eq!(written, expected, "no field of the demo config is lost");
    }

    #[test]
    fn a_chosen_customer_key_encrypts_the_carried_memory_store() {
        let mut answers = local_answers();
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k".to_string();
        answers.kms = crate::tui::persist::KmsChoice::Customer { arn: arn.clone() };
        let written = deploy_config(&answers);
        assert_eq!(written.memory_store.encryption_key_arn, Some(arn));
        assert_eq!(written.memory_store.strategies, ["semantic", "summary"]);
    }
}
