//! Paths inside a deploy config are relative to the file that holds them, not to wherever the
//! command runs: a config written by the wizard in one folder must deploy the same binary when
//! CI runs it from another.

use std::path::{Component, Path, PathBuf};

/// `value` as the config file at `config_file` means it: relative paths resolved from its folder.
pub fn resolve_beside(config_file: &Path, value: &str) -> String {
    let p = Path::new(value);
    if value.is_empty() || p.is_absolute() {
        return value.to_owned();
    }
    let folder = config_file.parent().unwrap_or(Path::new(""));
    tidy(&folder.join(p)).display().to_string()
}

/// `target` written relative to the folder `base` (both absolute), for a config saved in `base`.
pub fn relative_to(target: &Path, base: &Path) -> PathBuf {
    let (target, base) = (tidy(target), tidy(base));
    let t: Vec<Component<'_>> = target.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Nothing shared but the root (or another drive): the absolute path says it plainly.
    if common <= 1 {
        return target;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Drops `.` and folds `x/..` where `x` is a plain name; leading `..` stay.
fn tidy(p: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().map(|c| c.as_os_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_values_are_read_from_the_config_folder() {
        let cfg = Path::new("deploy/prod/app.deploy.json");
        assert_eq!(
            resolve_beside(cfg, "./bin/runtime"),
            "deploy/prod/bin/runtime"
        );
        assert_eq!(
            resolve_beside(cfg, "../shared/runtime"),
            "deploy/shared/runtime"
        );
        assert_eq!(resolve_beside(cfg, "/opt/runtime"), "/opt/runtime");
        assert_eq!(resolve_beside(Path::new("app.json"), "runtime"), "runtime");
    }

    #[test]
    fn a_path_is_written_relative_to_the_config_it_goes_in() {
        assert_eq!(
            relative_to(Path::new("/w/bin/runtime"), Path::new("/w/deploy")),
            PathBuf::from("../bin/runtime")
        );
        assert_eq!(
            relative_to(Path::new("/w/deploy/runtime"), Path::new("/w/deploy/")),
            PathBuf::from("runtime")
        );
        assert_eq!(
            relative_to(Path::new("/w/./a/../bin/rt"), Path::new("/w/x/y")),
            PathBuf::from("../../bin/rt")
        );
        assert_eq!(
            relative_to(Path::new("/work/bin/rt"), Path::new("/tmp/x")),
            PathBuf::from("/work/bin/rt")
        );
    }
}
