//! Server side of the IDE view: reads the item's repository checkout (through
//! `redress-forge`), highlights files (`redress-iac`), evaluates, generates and verifies fixes
//! (`redress-policy`). Nothing read from the repository is trusted: paths must be tracked
//! files, reads are size-bounded by the forge crate, and the view is bounded in files and lines.
use std::sync::LazyLock;

use chrono::NaiveDate;
use redress_forge::{LocalRepo, ReadSource};
use redress_policy::{Catalog, EvalResult, Repo, Status, Verification, fix, verify::verify_edit};
use redress_store::{ExceptionRules, MAX_PATCH_BYTES, NewException, NewFixProposal, Store};
use redress_types::{
    ExceptionScope, FixProposal, Repository, Role, UserSummary, VerificationStatus, WorkItem,
};

use super::{
    CodeFile, EditStatus, FixOrigin, FixView, ItemView, MAX_CODE_LINES, MAX_TREE_FILES, Offending,
    PolicyNotes, Token, TreeEntry, diff,
};
use crate::error::AppError;

static CATALOG: LazyLock<Result<Catalog, String>> =
    LazyLock::new(|| Catalog::builtin().map_err(|e| e.to_string()));

fn catalog() -> Result<&'static Catalog, AppError> {
    CATALOG
        .as_ref()
        .map_err(|e| AppError::Internal(crate::ssr::log_internal(&format!("policy catalog: {e}"))))
}

/// A `.tf` or `.tfvars` path.
pub fn is_terraform(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tfvars")
}

/// The item's repository checkout, opened and checked.
struct Checkout {
    name: String,
    git: LocalRepo,
    source: ReadSource,
}

impl Checkout {
    fn open(repository: &Repository) -> Result<Checkout, AppError> {
        let Some(path) = repository.local_path.as_deref() else {
            return Err(AppError::Conflict(format!(
                "repository {} has no local checkout yet: fetch it on the Repositories page",
                repository.name
            )));
        };
        let unreadable = |e: redress_forge::ForgeError| {
            AppError::Conflict(format!(
                "repository {} cannot be read: {e}",
                repository.name
            ))
        };
        let (git, source) = match LocalRepo::open(path) {
            Ok(git) => (git, ReadSource::WorkTree),
            Err(_) => (
                LocalRepo::open_bare(path).map_err(unreadable)?,
                ReadSource::Head,
            ),
        };
        Ok(Checkout {
            name: repository.name.clone(),
            git,
            source,
        })
    }

    fn error(&self, e: impl std::fmt::Display) -> AppError {
        AppError::Conflict(format!("repository {} cannot be read: {e}", self.name))
    }

    fn tracked(&self) -> Result<Vec<String>, AppError> {
        self.git.tracked_files().map_err(|e| self.error(e))
    }

    fn read(&self, path: &str) -> Result<String, AppError> {
        self.git
            .read_text(path, &self.source)
            .map_err(|e| self.error(e))
    }

    /// The Terraform files as the policy engine sees them.
    fn policy_repo(&self) -> Result<Repo, AppError> {
        if self.source == ReadSource::WorkTree {
            return Repo::load(self.git.root()).map_err(|e| self.error(e));
        }
        let mut sources = Vec::new();
        for path in self
            .tracked()?
            .into_iter()
            .filter(|p| is_terraform(p))
            .take(redress_policy::repo::MAX_FILES)
        {
            let text = self.read(&path)?;
            sources.push((path, text));
        }
        Ok(Repo::from_sources(sources))
    }
}

/// The evaluation of the item's policy over its repository.
struct Evaluated {
    repo: Repo,
    /// Results of the item's policy for the instances the item covers (any status).
    covered: Vec<EvalResult>,
}

/// Whether `address` selects `result` (exact, or without the instance key).
fn selects(address: &str, result: &str) -> bool {
    result == address
        || result
            .strip_prefix(address)
            .is_some_and(|rest| rest.starts_with('['))
}

fn evaluate_item(checkout: &Checkout, item: &WorkItem) -> Result<Evaluated, AppError> {
    let catalog = catalog()?;
    let repo = checkout.policy_repo()?;
    let only = catalog.subset(&[item.policy_id.as_str()]);
    let results = redress_policy::evaluate(&repo, &only);
    let by_radius: Vec<EvalResult> = results
        .iter()
        .filter(|r| item.blast_radius.iter().any(|b| selects(b, &r.address)))
        .cloned()
        .collect();
    let covered = if by_radius.is_empty() {
        let line = item.line as usize;
        results
            .into_iter()
            .filter(|r| {
                r.file == item.file && r.start_line <= line && line <= r.end_line.max(r.start_line)
            })
            .collect()
    } else {
        by_radius
    };
    Ok(Evaluated { repo, covered })
}

fn offending(covered: &[EvalResult]) -> Vec<Offending> {
    covered
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| {
            // The violation may sit in another file than the resource (a module call, a
            // variable default): then only its own line is highlighted there.
            let (file, line) = r.location();
            let (start_line, end_line) = if file == r.file {
                (r.start_line, r.end_line.max(r.start_line))
            } else {
                (line, line)
            };
            Offending {
                address: r.address.clone(),
                file: file.to_owned(),
                start_line: to_u32(start_line),
                end_line: to_u32(end_line),
                line: to_u32(line),
                message: r
                    .violations
                    .first()
                    .map(|v| v.message.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The address without its instance key (`aws_s3_bucket.b[0]` → `aws_s3_bucket.b`).
fn base_address(address: &str) -> &str {
    match address.rfind('[') {
        Some(i) if address.ends_with(']') => &address[..i],
        _ => address,
    }
}

/// Highlights a file into per-line tokens (plain text when highlighting fails).
pub fn highlight(path: &str, text: &str) -> CodeFile {
    let spans = redress_iac::highlight_lines(text).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    let mut lines = Vec::with_capacity(all.len().min(MAX_CODE_LINES));
    for (i, line) in all.iter().take(MAX_CODE_LINES).enumerate() {
        let mut tokens = Vec::new();
        let mut at = 0;
        for span in spans.get(i).map(Vec::as_slice).unwrap_or_default() {
            let (Some(gap), Some(word)) =
                (line.get(at..span.start), line.get(span.start..span.end))
            else {
                continue;
            };
            if !gap.is_empty() {
                tokens.push(Token {
                    class: None,
                    text: gap.to_owned(),
                });
            }
            tokens.push(Token {
                class: Some(span.class.replace('.', "-")),
                text: word.to_owned(),
            });
            at = span.end;
        }
        if let Some(rest) = line.get(at..).filter(|r| !r.is_empty()) {
            tokens.push(Token {
                class: None,
                text: rest.to_owned(),
            });
        }
        lines.push(tokens);
    }
    CodeFile {
        path: path.to_owned(),
        lines,
        more_lines: all.len().saturating_sub(MAX_CODE_LINES),
    }
}

fn rows_of(patch: &str) -> Vec<diff::FilePatch> {
    diff::parse(patch)
}

fn stored_fix(
    checkout: &Checkout,
    item: &WorkItem,
    proposal: FixProposal,
    author: String,
) -> FixView {
    let files = rows_of(&proposal.patch);
    let site = files.iter().find(|f| f.path == item.file).or(files.first());
    let file = site.map_or_else(|| item.file.clone(), |f| f.path.clone());
    let patched_text = site.and_then(|f| {
        checkout
            .read(&f.path)
            .ok()
            .and_then(|orig| diff::apply(&orig, f))
    });
    let passes = proposal.verification == VerificationStatus::Passed;
    let verification = match &proposal.verification_detail {
        Some(detail) => format!("{}: {detail}", proposal.verification),
        None => proposal.verification.to_string(),
    };
    FixView {
        patch: proposal.patch.clone(),
        file,
        files: files.into_iter().map(|f| (f.path, f.rows)).collect(),
        patched_text,
        passes,
        verification,
        origin: FixOrigin::Stored { proposal, author },
    }
}

/// The policy engine's fix for the item, or why there is none.
fn generated_fix(evaluated: &Evaluated, item: &WorkItem) -> Result<FixView, String> {
    let catalog = catalog().map_err(|e| e.to_string())?;
    let Some(first) = evaluated.covered.iter().find(|r| r.status == Status::Fail) else {
        return Err(
            "The policy passes for this item's resources in the current checkout: nothing to fix."
                .into(),
        );
    };
    let fix = fix::propose(
        &evaluated.repo,
        catalog,
        &item.policy_id,
        base_address(&first.address),
    )
    .map_err(|e| format!("No fix could be generated: {e}"))?;
    if fix.diff.is_empty() {
        return Err(format!(
            "No fix could be generated: {}",
            fix.reason
                .unwrap_or_else(|| "the policy engine made no change".into())
        ));
    }
    let files = rows_of(&fix.diff);
    let file = fix
        .fix_site
        .as_ref()
        .map(|s| s.file.clone())
        .or_else(|| files.first().map(|f| f.path.clone()))
        .unwrap_or_else(|| item.file.clone());
    Ok(FixView {
        patch: fix.diff.clone(),
        patched_text: fix.patched.get(&file).cloned(),
        file,
        files: files.into_iter().map(|f| (f.path, f.rows)).collect(),
        passes: fix.offered,
        verification: if fix.offered {
            "passes (generated and verified now)".to_owned()
        } else {
            fix.reason.unwrap_or_else(|| fix.verification.describe())
        },
        origin: FixOrigin::Generated,
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        AppError::Internal(crate::ssr::log_internal(&format!(
            "IDE view task failed: {e}"
        )))
    })?
}

/// Builds the IDE view of item `id` with `file` open (default: the fix-site file).
pub async fn load_view(
    store: &Store,
    user: &UserSummary,
    id: i64,
    file: Option<String>,
) -> Result<ItemView, AppError> {
    let item = store.work_item(id).await?;
    let repository = store.repository(item.repository_id).await?;
    let campaign = store.campaign(item.campaign_id).await?.name;
    let stored = match store.latest_fix_proposal(id).await? {
        Some(p) => {
            let author = store.names([p.author_id], []).await?.user(p.author_id);
            Some((p, author))
        }
        None => None,
    };
    let you_proposed = stored.as_ref().is_some_and(|(p, _)| p.author_id == user.id);
    let assignee = store
        .assignee_names([&item.assignee])
        .await?
        .assignee(&item.assignee);
    let assignees = crate::api::campaigns::assignee_choices(store, user).await?;
    let policy = catalog()?.get_str(&item.policy_id).map(|p| PolicyNotes {
        id: p.id.as_str().to_owned(),
        title: p.title.clone(),
        severity: p.severity.as_str().to_owned(),
        why: p.why.clone(),
        breaks: p.breaks.clone(),
    });
    let today = store.now().date_naive();
    let max_days = u64::try_from(ExceptionRules::default().max_duration.num_days())
        .unwrap_or(0)
        .saturating_sub(1);
    let can_work = [Role::Developer, Role::Security, Role::Admin].contains(&user.role);
    let mut view = ItemView {
        repository: repository.name.clone(),
        campaign,
        policy,
        tree: Vec::new(),
        tree_more: 0,
        file: None,
        offending: Vec::new(),
        fix: None,
        notice: None,
        can_work,
        you_proposed,
        assignee,
        assignees,
        exception_earliest: (today + chrono::Days::new(1)).to_string(),
        exception_latest: (today + chrono::Days::new(max_days)).to_string(),
        item: item.clone(),
    };
    let checkout = match Checkout::open(&repository) {
        Ok(c) => c,
        Err(e) => {
            view.notice = Some(e.to_string());
            return Ok(view);
        }
    };
    blocking(move || {
        let tracked = match checkout.tracked() {
            Ok(t) => t,
            Err(e) => {
                view.notice = Some(e.to_string());
                return Ok(view);
            }
        };
        let open = file
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| item.file.clone());
        if tracked.binary_search(&open).is_ok() {
            match checkout.read(&open) {
                Ok(text) => view.file = Some(highlight(&open, &text)),
                Err(e) => view.notice = Some(e.to_string()),
            }
        } else {
            view.notice = Some(format!(
                "{open} is not a tracked file of repository {}.",
                repository.name
            ));
        }
        view.tree_more = tracked.len().saturating_sub(MAX_TREE_FILES);
        view.tree = tracked
            .into_iter()
            .take(MAX_TREE_FILES)
            .map(|path| TreeEntry {
                terraform: is_terraform(&path),
                path,
            })
            .collect();
        let evaluated = evaluate_item(&checkout, &item)?;
        view.offending = offending(&evaluated.covered);
        view.fix = match stored {
            Some((proposal, author)) => Some(stored_fix(&checkout, &item, proposal, author)),
            None => match generated_fix(&evaluated, &item) {
                Ok(fix) => Some(fix),
                Err(why) => {
                    view.notice.get_or_insert(why);
                    None
                }
            },
        };
        Ok(view)
    })
    .await
}

fn edit_status(v: &Verification) -> EditStatus {
    match v {
        Verification::Passes => EditStatus::Passes,
        Verification::ParseError { line, message, .. } => EditStatus::ParseError {
            line: to_u32(*line),
            message: message.clone(),
        },
        other => EditStatus::FailsPolicy {
            message: other.describe(),
        },
    }
}

/// Verifies `text` as the new content of `file` for item `id`; also returns the file's
/// current text.
async fn verify_with_original(
    store: &Store,
    id: i64,
    file: &str,
    text: String,
) -> Result<(EditStatus, String), AppError> {
    if text.len() > MAX_PATCH_BYTES {
        return Err(AppError::invalid(
            "text",
            format!("is larger than {} KiB", MAX_PATCH_BYTES / 1024),
        ));
    }
    let item = store.work_item(id).await?;
    let repository = store.repository(item.repository_id).await?;
    let checkout = Checkout::open(&repository)?;
    let file = file.to_owned();
    blocking(move || {
        let evaluated = evaluate_item(&checkout, &item)?;
        let Some(original) = evaluated.repo.file(&file).map(|f| f.text.clone()) else {
            return Err(AppError::invalid(
                "file",
                format!(
                    "{file} is not a Terraform file of repository {}",
                    repository.name
                ),
            ));
        };
        let targets: Vec<String> = evaluated
            .covered
            .iter()
            .map(|r| r.address.clone())
            .collect();
        if targets.is_empty() {
            return Err(AppError::Conflict(format!(
                "work item {id}: none of its resources is in the current checkout of {}",
                repository.name
            )));
        }
        let verification = verify_edit(
            &evaluated.repo,
            catalog()?,
            &file,
            &text,
            &item.policy_id,
            &targets,
        )
        .map_err(|e| AppError::invalid("file", e.to_string()))?;
        Ok((edit_status(&verification), original))
    })
    .await
}

/// The live status of an edited fix.
pub async fn verify(
    store: &Store,
    id: i64,
    file: &str,
    text: String,
) -> Result<EditStatus, AppError> {
    Ok(verify_with_original(store, id, file, text).await?.0)
}

/// The proposal to store for an edited file, verified on the server; refused unless it passes.
pub async fn checked_proposal(
    store: &Store,
    id: i64,
    file: &str,
    text: String,
) -> Result<NewFixProposal, AppError> {
    let text = text.replace("\r\n", "\n");
    let (status, original) = verify_with_original(store, id, file, text.clone()).await?;
    if status != EditStatus::Passes {
        return Err(AppError::invalid(
            "text",
            format!("the fix was not stored: it {}", status.describe()),
        ));
    }
    let patch = redress_policy::diff::unified(file, &original, &text, 3);
    if patch.is_empty() {
        return Err(AppError::invalid(
            "text",
            "is the same as the current file: there is no change to propose",
        ));
    }
    Ok(NewFixProposal {
        patch,
        verification: VerificationStatus::Passed,
        verification_detail: None,
    })
}

/// The patch Download patch returns: the latest stored proposal when it passed verification,
/// else the policy engine's verified fix.
pub async fn item_patch(store: &Store, id: i64) -> Result<String, AppError> {
    if let Some(p) = store.latest_fix_proposal(id).await?
        && p.verification == VerificationStatus::Passed
    {
        return Ok(p.patch);
    }
    let item = store.work_item(id).await?;
    let repository = store.repository(item.repository_id).await?;
    let checkout = Checkout::open(&repository)?;
    blocking(move || {
        let evaluated = evaluate_item(&checkout, &item)?;
        match generated_fix(&evaluated, &item) {
            Ok(fix) if fix.passes => Ok(fix.patch),
            Ok(fix) => Err(AppError::NotFound(format!(
                "a verified fix for work item {id} ({})",
                fix.verification
            ))),
            Err(why) => Err(AppError::NotFound(format!(
                "a fix for work item {id} ({why})"
            ))),
        }
    })
    .await
}

/// The exception request for item `id` from the form's fields.
pub async fn exception_request(
    store: &Store,
    id: i64,
    justification: String,
    scope: &str,
    path_glob: Option<String>,
    expires_on: &str,
) -> Result<NewException, AppError> {
    let item = store.work_item(id).await?;
    let scope = match scope {
        "item" => ExceptionScope::WorkItem {
            work_item_id: item.id,
        },
        "policy" => ExceptionScope::Policy {
            policy_id: item.policy_id.clone(),
            repository_id: item.repository_id,
            path_glob: path_glob
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty()),
        },
        other => {
            return Err(AppError::invalid(
                "scope",
                format!("{other:?} is not item or policy"),
            ));
        }
    };
    let expires_at = match expires_on.trim() {
        "" => None,
        day => Some(
            NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| {
                    AppError::invalid("expires_on", format!("{day:?} is not a date (YYYY-MM-DD)"))
                })?
                .and_time(chrono::NaiveTime::MIN)
                .and_utc(),
        ),
    };
    Ok(NewException {
        scope,
        justification,
        expires_at,
    })
}
