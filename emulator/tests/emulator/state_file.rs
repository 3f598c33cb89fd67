//! The world saved to and loaded from `Config::state_file`.

use agentcore_emulator::{Config, Timing, World};
use aws_sdk_kms::primitives::Blob;

use crate::common::{client, start_with};

#[tokio::test]
async fn state_file_persists_the_world() {
    let dir = std::env::temp_dir().join(format!("agentcore-emu-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    let _ = std::fs::remove_file(&path);
    let config = || Config {
        world: World::Empty,
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    };
    let emu = start_with(config()).await;
    let kms = client!(aws_sdk_kms, emu);
    let id = kms
        .create_key()
        .description("kept")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let blob = kms
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new("persist me"))
        .send()
        .await
        .unwrap()
        .ciphertext_blob
        .unwrap();
    emu.shutdown().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let emu = start_with(config()).await;
    let kms = client!(aws_sdk_kms, emu);
    let md = kms
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(md.description(), Some("kept"));
    let plain = kms.decrypt().ciphertext_blob(blob).send().await.unwrap();
    assert_eq!(plain.plaintext().unwrap().as_ref(), b"persist me");
    emu.shutdown().await;

    std::fs::write(&path, "not json").unwrap();
    let err = agentcore_emulator::Emulator::start(config())
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains(&path.display().to_string())
            && err
                .to_string()
                .contains("neither an emulator state database nor a JSON state file"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn private_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("agentcore-emu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn requests_that_change_nothing_write_nothing() {
    let dir = private_dir("quiet");
    let path = dir.join("nested").join("world.db");
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        recommendations: 300,
        ..Default::default()
    })
    .await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "the database holds key material");
        assert_eq!(
            mode(path.parent().unwrap()),
            0o700,
            "a folder made for it is private"
        );
    }
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let kms = client!(aws_sdk_kms, emu);
    let sts = client!(aws_sdk_sts, emu);
    let cp = client!(aws_sdk_bedrockagentcorecontrol, emu);
    // Anything due moves on the first request, and is saved then.
    sts.get_caller_identity().send().await.unwrap();
    let before = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    for _ in 0..3 {
        let mut token = None;
        loop {
            let page = dpc
                .list_recommendations()
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            token = page.next_token.clone();
            if token.is_none() {
                break;
            }
        }
        sts.get_caller_identity().send().await.unwrap();
        // A write that fails changes nothing either.
        cp.delete_agent_runtime()
            .agent_runtime_id("missing-0123456789")
            .send()
            .await
            .unwrap_err();
    }
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified,
        "reads and a failed write must not touch the state"
    );
    assert!(std::fs::read(&path).unwrap() == before);
    // A KMS read is a change: CloudTrail records it, and only that event is written.
    kms.list_keys().send().await.unwrap();
    assert!(std::fs::read(&path).unwrap() != before);
    // A real change is written, and nothing is lost by the quiet time.
    kms.create_key().description("after").send().await.unwrap();
    assert!(std::fs::read(&path).unwrap() != before);
    emu.shutdown().await;
    let state = agentcore_emulator::dump_state(&path).unwrap();
    assert_eq!(state["recommendations"].as_object().unwrap().len(), 300);
    assert!(
        state["keys"]
            .as_object()
            .unwrap()
            .values()
            .any(|k| k["description"] == "after")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_format_1_json_state_file_is_moved_into_the_database() {
    let dir = private_dir("migrate");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    let config = |path: &std::path::Path| Config {
        world: World::Empty,
        timing: Timing::instant(),
        state_file: Some(path.to_path_buf()),
        ..Default::default()
    };
    // A format-1 file is the world as one JSON document: made here from a saved world.
    let source = dir.join("source.db");
    let emu = start_with(config(&source)).await;
    let kms = client!(aws_sdk_kms, emu);
    let id = kms
        .create_key()
        .description("from format 1")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let blob = kms
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new("migrated"))
        .send()
        .await
        .unwrap()
        .ciphertext_blob
        .unwrap();
    emu.shutdown().await;
    let world = agentcore_emulator::dump_state(&source).unwrap();
    let v1 = serde_json::json!({ "format": 1, "world": world });
    std::fs::write(&path, serde_json::to_vec(&v1).unwrap()).unwrap();

    let emu = start_with(config(&path)).await;
    let kept = dir.join("world.json.format1.json");
    assert_eq!(emu.migrated_state_file(), Some(kept.as_path()));
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        serde_json::to_vec(&v1).unwrap()
    );
    assert!(std::fs::read(&path).unwrap().starts_with(b"redb"));
    let kms = client!(aws_sdk_kms, emu);
    let md = kms.describe_key().key_id(&id).send().await.unwrap();
    assert_eq!(
        md.key_metadata.unwrap().description(),
        Some("from format 1")
    );
    let plain = kms.decrypt().ciphertext_blob(blob).send().await.unwrap();
    assert_eq!(plain.plaintext().unwrap().as_ref(), b"migrated");
    let trail = client!(aws_sdk_cloudtrail, emu);
    let events = trail.lookup_events().send().await.unwrap();
    assert!(
        events.events().len() >= 3,
        "the CloudTrail events came along, and the new ones follow them"
    );
    emu.shutdown().await;
    let emu = start_with(config(&path)).await;
    assert_eq!(emu.migrated_state_file(), None, "moved once");
    emu.shutdown().await;

    std::fs::write(&path, r#"{"format": 7, "world": {}}"#).unwrap();
    let err = agentcore_emulator::Emulator::start(config(&path))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains(&path.display().to_string()) && err.contains("format 7"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_state_database_is_open_in_one_emulator_at_a_time() {
    let dir = private_dir("locked");
    let path = dir.join("world.db");
    let config = || Config {
        world: World::Empty,
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    };
    let first = start_with(config()).await;
    let err = agentcore_emulator::Emulator::start(config())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains(&path.display().to_string()) && err.contains("another emulator has it open"),
        "{err}"
    );
    first.shutdown().await;
    let again = start_with(config()).await;
    again.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
