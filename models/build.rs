// The data is compiled in with include_str!, whose own error for a missing file says nothing
// of where the file comes from; this one names the fix first.
use std::path::Path;

const FILES: [&str; 9] = [
    "bedrock-agentcore-control.json",
    "bedrock-agentcore.json",
    "kms.json",
    "sts.json",
    "s3.json",
    "cloudtrail.json",
    "iam.json",
    "logs.json",
    "VERSION",
];

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let missing: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| !data.join(f).is_file())
        .collect();
    if !missing.is_empty() {
        panic!(
            "models/data is missing {}: regenerate it with `python3 models/regen.py` (see models/README.md)",
            missing.join(", ")
        );
    }
    println!("cargo:rerun-if-changed=data");
}
