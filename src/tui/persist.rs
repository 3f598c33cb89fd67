//! The wizard's answers saved between runs, and the atomic 0600 file writes the TUI does.
//! Only names and paths are stored (a profile name, never a credential).

use std::io::Write;
use std::path::{Path, PathBuf};

// The answers are the services' model (a deployment is prepared from them); re-exported so the
// screens find them beside the saving.
pub use crate::services::answers::{A2aMode, Answers, ArtifactKind, KmsChoice};

/// Temp file in the same directory, fsync, rename: a crash leaves the old file or the new one,
/// never half of one. The file is created 0600 (tempfile's default on Unix).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Inside the data dir every folder is private; a folder the user chose for a config is theirs.
    match crate::services::paths::data_dir() {
        Some(data) if dir.starts_with(&data) => crate::deploy::state::create_private_dir(&dir)?,
        _ => std::fs::create_dir_all(&dir)?,
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".agentcore-tui-")
        .tempfile_in(&dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

pub fn save_answers(path: &Path, answers: &Answers) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(answers).map_err(std::io::Error::other)?;
    write_atomic(path, &json)
}

/// A missing or unreadable file means "nothing to offer": saved answers are a convenience, and
/// a corrupt file must not stop the wizard from starting.
pub fn load_answers(path: &Path) -> Option<Answers> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str::<Answers>(&text) {
        Ok(a) if !a.is_blank() => Some(a),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable saved answers");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::answers::AwsTarget;

    #[test]
    fn answers_round_trip_through_a_0600_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("answers.json");
        let answers = Answers {
            region: "us-west-2".into(),
            target: Some(AwsTarget::Profile("dev".into())),
            tags: vec![("team".into(), "a".into())],
            kms: KmsChoice::Customer {
                arn: "arn:aws:kms:us-west-2:111122223333:key/x".into(),
            },
            ..Answers::default()
        };
        save_answers(&path, &answers).unwrap();
        assert_eq!(load_answers(&path), Some(answers));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn corrupt_or_blank_files_offer_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(load_answers(&path), None);
        std::fs::write(&path, "{}").unwrap();
        assert_eq!(load_answers(&path), None);
        assert_eq!(load_answers(&dir.path().join("missing.json")), None);
    }
}
