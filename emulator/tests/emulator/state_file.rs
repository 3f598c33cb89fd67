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
        err.to_string().contains("not an emulator state file"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
