//! The demo Terraform repository written to disk as a real git checkout, with one
//! Terraform state (v4 JSON) per root module generated from the resource table.
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use super::resources::{InstanceKey, RESOURCES};
use crate::StoreError;

/// Root modules of the demo repository.
pub(crate) const ROOTS: [&str; 2] = ["envs/prod", "envs/staging"];

/// The repository's files: (relative path, content). Kept as real files next to this module
/// so they can be read, scanned and edited as Terraform.
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        ".github/CODEOWNERS",
        include_str!("acme-infra/.github/CODEOWNERS"),
    ),
    ("README.md", include_str!("acme-infra/README.md")),
    (
        "envs/prod/main.tf",
        include_str!("acme-infra/envs/prod/main.tf"),
    ),
    (
        "envs/prod/data.tf",
        include_str!("acme-infra/envs/prod/data.tf"),
    ),
    (
        "envs/staging/main.tf",
        include_str!("acme-infra/envs/staging/main.tf"),
    ),
    (
        "modules/bucket/main.tf",
        include_str!("acme-infra/modules/bucket/main.tf"),
    ),
    (
        "modules/bucket/variables.tf",
        include_str!("acme-infra/modules/bucket/variables.tf"),
    ),
    (
        "modules/bucket/outputs.tf",
        include_str!("acme-infra/modules/bucket/outputs.tf"),
    ),
    (
        "modules/network/main.tf",
        include_str!("acme-infra/modules/network/main.tf"),
    ),
    (
        "modules/network/variables.tf",
        include_str!("acme-infra/modules/network/variables.tf"),
    ),
    (
        "modules/network/outputs.tf",
        include_str!("acme-infra/modules/network/outputs.tf"),
    ),
];

/// Where each root's state file is written, relative to the repository.
pub(crate) fn state_path(root: &str) -> String {
    format!("{root}/terraform.tfstate")
}

/// The Terraform state (format version 4) of one root, consistent with the resource table.
pub(crate) fn state(root: &str) -> Value {
    let mut resources: Vec<Value> = Vec::new();
    let mut seen: Vec<(&str, &str, &str)> = Vec::new();
    for r in RESOURCES.iter().filter(|r| r.root == root) {
        let key = (r.module, r.kind, r.name);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let instances: Vec<Value> = RESOURCES
            .iter()
            .filter(|o| o.root == root && (o.module, o.kind, o.name) == key)
            .map(|o| {
                let mut attributes = json!({ "id": o.id, "arn": o.arn(), "tags": {} });
                if o.kind == "aws_s3_bucket" {
                    attributes["bucket"] = json!(o.id);
                    attributes["region"] = json!(super::resources::REGION);
                }
                let mut instance = json!({ "schema_version": 0, "attributes": attributes, "sensitive_attributes": [] });
                match o.key {
                    Some(InstanceKey::Index(i)) => instance["index_key"] = json!(i),
                    Some(InstanceKey::Key(k)) => instance["index_key"] = json!(k),
                    None => {}
                }
                instance
            })
            .collect();
        let mut entry = json!({
            "mode": "managed",
            "type": r.kind,
            "name": r.name,
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": instances,
        });
        if !r.module.is_empty() {
            entry["module"] = json!(r.module);
        }
        resources.push(entry);
    }
    let lineage = if root.ends_with("prod") {
        "5f0c6a1e-2b7d-4c1a-9e3f-0d9a8b7c6e01"
    } else {
        "5f0c6a1e-2b7d-4c1a-9e3f-0d9a8b7c6e02"
    };
    json!({
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 42,
        "lineage": lineage,
        "outputs": {},
        "resources": resources,
        "check_results": null,
    })
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Conflict(format!("demo data: cannot {what} {}: {e}", path.display()))
}

/// Writes the repository under `dir/acme-infra` and commits it with git, unless a git
/// checkout is already there (then it is reused as is). Returns the absolute checkout path.
pub(crate) fn write_checkout(dir: &Path) -> Result<PathBuf, StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| io_error("resolve", dir, &e))?;
    let checkout = dir.join("acme-infra");
    if checkout.join(".git").is_dir() {
        return Ok(checkout);
    }
    if checkout.exists() {
        return Err(StoreError::Conflict(format!(
            "demo data: {} exists but is not a git checkout; move it away and try again",
            checkout.display()
        )));
    }
    // Written next to the final place, then renamed, so a failed run leaves no half checkout.
    let staging = dir.join(format!(".acme-infra.partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| io_error("remove", &staging, &e))?;
    }
    for (path, text) in FILES {
        write(&staging, path, text.as_bytes())?;
    }
    for root in ROOTS {
        let text = serde_json::to_vec_pretty(&state(root))
            .map_err(|e| StoreError::Conflict(format!("demo data: state of {root}: {e}")))?;
        write(&staging, &state_path(root), &text)?;
    }
    git(&staging, &["init", "--quiet", "--initial-branch=main"])?;
    git(&staging, &["add", "--all"])?;
    git(
        &staging,
        &[
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Acme infrastructure (Redress demo data)",
        ],
    )?;
    std::fs::rename(&staging, &checkout)
        .map_err(|e| io_error("rename into place", &checkout, &e))?;
    Ok(checkout)
}

fn write(base: &Path, relative: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let path = base.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, &e))?;
    }
    std::fs::write(&path, bytes).map_err(|e| io_error("write", &path, &e))
}

fn git(dir: &Path, args: &[&str]) -> Result<(), StoreError> {
    let output = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Redress demo",
            "-c",
            "user.email=demo@redress.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2026-11-01T09:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-01T09:00:00Z")
        .output()
        .map_err(|e| {
            StoreError::Conflict(format!("demo data: cannot run git {}: {e}", args.join(" ")))
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "demo data: git {} failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_hold_every_instance_of_their_root_with_keys() {
        let prod = state("envs/prod");
        let resources = prod["resources"].as_array().expect("resources");
        let uploads = resources
            .iter()
            .find(|r| r["name"] == "uploads")
            .expect("uploads");
        let keys: Vec<&str> = uploads["instances"]
            .as_array()
            .expect("instances")
            .iter()
            .filter_map(|i| i["index_key"].as_str())
            .collect();
        assert_eq!(keys, ["eu", "us"]);
        let staging = state("envs/staging");
        let workers = staging["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .find(|r| r["name"] == "build_worker")
            .expect("workers");
        assert_eq!(workers["instances"][1]["index_key"], 1);
        assert_eq!(
            workers["instances"][1]["attributes"]["id"],
            "sg-0a88stagbuild00002"
        );
        assert!(resources.iter().all(|r| r["mode"] == "managed"));
        assert_eq!(prod["version"], 4);
    }

    #[test]
    fn checkout_is_a_committed_git_repository_and_is_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let checkout = write_checkout(dir.path()).expect("written");
        let status = Command::new("git")
            .current_dir(&checkout)
            .args(["status", "--porcelain"])
            .output()
            .expect("git");
        assert!(status.status.success());
        assert!(status.stdout.is_empty(), "everything is committed");
        let files = Command::new("git")
            .current_dir(&checkout)
            .args(["ls-files"])
            .output()
            .expect("git");
        let files = String::from_utf8_lossy(&files.stdout);
        assert!(
            files.contains("envs/prod/terraform.tfstate")
                && files.contains("modules/bucket/main.tf")
        );
        std::fs::write(checkout.join("marker"), "kept").expect("marker");
        assert_eq!(write_checkout(dir.path()).expect("reused"), checkout);
        assert!(
            checkout.join("marker").exists(),
            "an existing checkout is reused, not rewritten"
        );
    }
}
