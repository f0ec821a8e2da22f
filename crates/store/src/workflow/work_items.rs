//! Work items: one per fix site per campaign, with the findings they close and their blast
//! radius; state changes checked against [`WorkItemState::can_move_to`] (in [`move_item`], the
//! only place item states change); assignment from CODEOWNERS or by hand; "My work".
use std::collections::BTreeSet;

use redress_types::{Assignee, CampaignStatus, Page, UserSummary, WorkItem, WorkItemState};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::{
    audit::{Actor, AuditEntry, paging},
    campaigns::{find_campaign, to_campaign},
    entities::{team, work_item, work_item_finding, work_item_instance},
    glob,
    repositories::{load_repository, relative_path},
    teams::{assignee_names_in, resolve_code_owner, user_team_ids},
};
use crate::{
    Store, StoreError,
    entities::{finding, user},
};

/// Most findings or instances one fix site can carry in one call.
const MAX_PER_SITE: usize = 10_000;

/// One fix site found for a campaign: where the change goes and what it closes.
#[derive(Clone, Debug)]
pub struct NewFixSite {
    /// The repository.
    pub repository_id: i64,
    /// The canonical policy the fix is for.
    pub policy_id: String,
    /// The file the fix changes, relative to the repository root.
    pub file: String,
    /// The 1-based line the fix changes.
    pub line: u32,
    /// A short title for lists.
    pub title: String,
    /// The findings the change closes (several tools, several instances).
    pub finding_ids: Vec<i64>,
    /// Resource instance addresses the change touches.
    pub instances: Vec<String>,
    /// The CODEOWNERS owners of `file`, in file order (`@org/team`, `@user`, e-mail).
    pub code_owners: Vec<String>,
}

/// What [`Store::add_work_items`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddedWorkItems {
    /// Items created.
    pub created: u64,
    /// Fix sites that joined an existing item of the same fix site.
    pub merged: u64,
    /// Fix sites left out by the campaign's repository glob or team scope.
    pub out_of_scope: u64,
}

impl Store {
    /// Adds fix sites to a draft or active campaign. Sites with the same repository, policy,
    /// file and line become ONE item whose findings and blast radius are the union. New items
    /// are assigned to the first CODEOWNERS owner that resolves to a team or user.
    pub async fn add_work_items(
        &self,
        actor: Option<&UserSummary>,
        campaign_id: i64,
        sites: Vec<NewFixSite>,
    ) -> Result<AddedWorkItems, StoreError> {
        let txn = self.db.begin().await?;
        let out = self
            .add_work_items_in(&txn, actor, campaign_id, sites)
            .await?;
        txn.commit().await?;
        Ok(out)
    }

    /// [`Store::add_work_items`] inside `txn`, for callers that write more in the same transaction.
    pub(crate) async fn add_work_items_in(
        &self,
        txn: &DatabaseTransaction,
        actor: Option<&UserSummary>,
        campaign_id: i64,
        sites: Vec<NewFixSite>,
    ) -> Result<AddedWorkItems, StoreError> {
        let audit_actor = actor.map_or_else(Actor::system, Actor::user);
        let campaign = to_campaign(find_campaign(txn, campaign_id).await?)?;
        if !matches!(
            campaign.status,
            CampaignStatus::Draft | CampaignStatus::Active
        ) {
            return Err(StoreError::NotAllowed(format!(
                "campaign {campaign_id} is {}: items can be added only to a draft or active campaign",
                campaign.status
            )));
        }
        let mut added = AddedWorkItems::default();
        for (n, site) in sites.into_iter().enumerate() {
            let file = relative_path("file", &site.file)?;
            let policy = site.policy_id.trim().to_owned();
            if policy.is_empty() {
                return Err(StoreError::invalid(
                    "policy_id",
                    format!("fix site {n} has no policy"),
                ));
            }
            if site.line == 0 {
                return Err(StoreError::invalid(
                    "line",
                    format!("fix site {n}: lines are 1-based"),
                ));
            }
            if site.finding_ids.len() > MAX_PER_SITE || site.instances.len() > MAX_PER_SITE {
                return Err(StoreError::invalid(
                    "finding_ids",
                    format!("fix site {n}: more than {MAX_PER_SITE}"),
                ));
            }
            let wanted: BTreeSet<i64> = site.finding_ids.iter().copied().collect();
            if !wanted.is_empty() {
                let found: BTreeSet<i64> = finding::Entity::find()
                    .select_only()
                    .column(finding::Column::Id)
                    .filter(finding::Column::Id.is_in(wanted.iter().copied()))
                    .into_tuple::<i64>()
                    .all(txn)
                    .await?
                    .into_iter()
                    .collect();
                if let Some(missing) = wanted.difference(&found).next() {
                    return Err(StoreError::invalid(
                        "finding_ids",
                        format!("fix site {n}: finding {missing} does not exist"),
                    ));
                }
            }
            let repo = load_repository(txn, site.repository_id).await?;
            if let Some(g) = &campaign.scope.repository_glob
                && !glob::matches(g, &repo.name)
            {
                added.out_of_scope += 1;
                continue;
            }
            let line = i32::try_from(site.line)
                .map_err(|_| StoreError::invalid("line", format!("fix site {n}: too large")))?;
            let existing = work_item::Entity::find()
                .filter(work_item::Column::CampaignId.eq(campaign_id))
                .filter(work_item::Column::RepositoryId.eq(site.repository_id))
                .filter(work_item::Column::PolicyId.eq(&policy))
                .filter(work_item::Column::File.eq(&file))
                .filter(work_item::Column::Line.eq(line))
                .one(txn)
                .await?;
            let created = existing.is_none();
            let item_id = match existing {
                Some(item) => {
                    added.merged += 1;
                    item.id
                }
                None => {
                    let mut assignee = Assignee::Unassigned;
                    for owner in &site.code_owners {
                        if let Some(found) = resolve_code_owner(txn, owner).await? {
                            assignee = found;
                            break;
                        }
                    }
                    if !campaign.scope.teams.is_empty() {
                        let in_scope = matches!(assignee, Assignee::Team { id } if campaign.scope.teams.contains(&id));
                        if !in_scope {
                            added.out_of_scope += 1;
                            continue;
                        }
                    }
                    let (user_id, team_id) = assignee_columns(&assignee);
                    let now = self.now();
                    let model = work_item::ActiveModel {
                        campaign_id: Set(campaign_id),
                        repository_id: Set(site.repository_id),
                        policy_id: Set(policy.clone()),
                        file: Set(file.clone()),
                        line: Set(line),
                        title: Set(site.title.chars().take(300).collect()),
                        state: Set(WorkItemState::Open.as_str().to_owned()),
                        assignee_user_id: Set(user_id),
                        assignee_team_id: Set(team_id),
                        excepted_until: Set(None),
                        exception_id: Set(None),
                        wont_fix_reason: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                    added.created += 1;
                    model.id
                }
            };
            let before = load_item(txn, item_id).await?;
            for finding_id in site.finding_ids.iter().collect::<BTreeSet<_>>() {
                if !before.finding_ids.contains(finding_id) {
                    work_item_finding::ActiveModel {
                        work_item_id: Set(item_id),
                        finding_id: Set(*finding_id),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            for address in site
                .instances
                .iter()
                .map(|a| a.trim())
                .filter(|a| !a.is_empty())
                .collect::<BTreeSet<_>>()
            {
                if !before.blast_radius.iter().any(|b| b == address) {
                    work_item_instance::ActiveModel {
                        work_item_id: Set(item_id),
                        address: Set(address.to_owned()),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            let after = load_item(txn, item_id).await?;
            let entry = AuditEntry::new(
                if created {
                    "work_item.create"
                } else {
                    "work_item.add_fix_site"
                },
                "work_item",
                item_id,
            )
            .campaign(campaign_id)
            .work_item(item_id);
            let entry = if created {
                entry.after(&after)
            } else {
                entry.before(&before).after(&after)
            };
            entry.write(txn, self, &audit_actor).await?;
        }
        Ok(added)
    }

    /// One work item with its findings and blast radius.
    pub async fn work_item(&self, id: i64) -> Result<WorkItem, StoreError> {
        load_item(&self.db, id).await
    }

    /// A campaign's items, by id, optionally in one state, one page.
    pub async fn campaign_work_items(
        &self,
        campaign_id: i64,
        state: Option<WorkItemState>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<WorkItem>, StoreError> {
        let mut select =
            work_item::Entity::find().filter(work_item::Column::CampaignId.eq(campaign_id));
        if let Some(state) = state {
            select = select.filter(work_item::Column::State.eq(state.as_str()));
        }
        self.item_page(select, page, per_page).await
    }

    /// "My work": items assigned to the user or to one of their teams that are not done
    /// (verified, excepted, won't fix), oldest first, one page.
    pub async fn my_work(
        &self,
        user_id: i64,
        page: u64,
        per_page: u64,
    ) -> Result<Page<WorkItem>, StoreError> {
        let teams = user_team_ids(&self.db, user_id).await?;
        let mut mine = Condition::any().add(work_item::Column::AssigneeUserId.eq(user_id));
        if !teams.is_empty() {
            mine = mine.add(work_item::Column::AssigneeTeamId.is_in(teams));
        }
        let done: Vec<&str> = WorkItemState::ALL
            .iter()
            .filter(|s| s.is_done())
            .map(|s| s.as_str())
            .collect();
        let select = work_item::Entity::find()
            .filter(mine)
            .filter(work_item::Column::State.is_not_in(done));
        self.item_page(select, page, per_page).await
    }

    /// Assigns an item by hand: to an active (not disabled) user, to a team, or to nobody.
    /// Who may do it is the caller's decision (the app allows security and admin).
    pub async fn reassign_work_item(
        &self,
        actor: &UserSummary,
        id: i64,
        to: Assignee,
    ) -> Result<WorkItem, StoreError> {
        let txn = self.db.begin().await?;
        match to {
            Assignee::User { id: user_id } => {
                match user::Entity::find_by_id(user_id).one(&txn).await? {
                    None => {
                        return Err(StoreError::invalid(
                            "assignee",
                            format!("user {user_id} does not exist"),
                        ));
                    }
                    Some(u) if u.disabled => {
                        return Err(StoreError::invalid(
                            "assignee",
                            format!("user {} is disabled", u.email),
                        ));
                    }
                    Some(_) => {}
                }
            }
            Assignee::Team { id: team_id }
                if team::Entity::find_by_id(team_id).one(&txn).await?.is_none() =>
            {
                return Err(StoreError::invalid(
                    "assignee",
                    format!("team {team_id} does not exist"),
                ));
            }
            _ => {}
        }
        let after = set_assignee(
            self,
            &txn,
            &Actor::user(actor),
            id,
            &to,
            "work_item.reassign",
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Assigns an item to the first of `owners` (its file's CODEOWNERS entry) that resolves
    /// to a team or user; leaves it unchanged and returns `None` when none does.
    pub async fn assign_from_code_owners(
        &self,
        actor: Option<&UserSummary>,
        id: i64,
        owners: &[String],
    ) -> Result<Option<WorkItem>, StoreError> {
        let txn = self.db.begin().await?;
        for owner in owners {
            if let Some(found) = resolve_code_owner(&txn, owner).await? {
                let actor = actor.map_or_else(Actor::system, Actor::user);
                let after = set_assignee(
                    self,
                    &txn,
                    &actor,
                    id,
                    &found,
                    "work_item.assign_code_owners",
                )
                .await?;
                txn.commit().await?;
                return Ok(Some(after));
            }
        }
        Ok(None)
    }

    /// Marks an item won't-fix with a reason.
    pub async fn mark_wont_fix(
        &self,
        actor: &UserSummary,
        item_id: i64,
        reason: &str,
    ) -> Result<WorkItem, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > 10_000 {
            return Err(StoreError::invalid(
                "reason",
                "must be 1 to 10000 characters",
            ));
        }
        let txn = self.db.begin().await?;
        let item = find_item(&txn, item_id).await?;
        let reason = reason.to_owned();
        let after = move_item(
            self,
            &txn,
            &Actor::user(actor),
            item,
            WorkItemState::WontFix,
            "work_item.wont_fix",
            |a| {
                a.wont_fix_reason = Set(Some(reason));
            },
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Returns an item to `open` (withdrawn fix, reconsidered won't-fix, findings back).
    pub async fn reopen_work_item(
        &self,
        actor: &UserSummary,
        item_id: i64,
    ) -> Result<WorkItem, StoreError> {
        let txn = self.db.begin().await?;
        let item = find_item(&txn, item_id).await?;
        let after = move_item(
            self,
            &txn,
            &Actor::user(actor),
            item,
            WorkItemState::Open,
            "work_item.reopen",
            clear_reasons,
        )
        .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Marks `verified` every item of the campaign (all campaigns when `None`) that is being
    /// worked (not done) and whose findings are all closed now. Returns how many moved.
    pub async fn verify_work_items(&self, campaign_id: Option<i64>) -> Result<u64, StoreError> {
        let txn = self.db.begin().await?;
        let moved = self.verify_work_items_in(&txn, campaign_id).await?;
        txn.commit().await?;
        Ok(moved)
    }

    /// [`Store::verify_work_items`] inside the caller's transaction (an import runs it before
    /// it commits, so the findings it closes and the items they verify change together).
    pub(crate) async fn verify_work_items_in(
        &self,
        txn: &DatabaseTransaction,
        campaign_id: Option<i64>,
    ) -> Result<u64, StoreError> {
        // Items with at least one finding and no open finding, found by the database.
        let wif = Alias::new("work_item_findings");
        let findings = Alias::new("findings");
        let open_findings = Query::select()
            .expr(Expr::val(1))
            .from(wif.clone())
            .inner_join(
                findings.clone(),
                Expr::col((findings.clone(), Alias::new("id")))
                    .equals((wif.clone(), Alias::new("finding_id"))),
            )
            .and_where(
                Expr::col((wif.clone(), Alias::new("work_item_id")))
                    .equals((Alias::new("work_items"), Alias::new("id"))),
            )
            .and_where(Expr::col((findings, Alias::new("status"))).eq("open"))
            .to_owned();
        let any_finding = Query::select()
            .expr(Expr::val(1))
            .from(wif.clone())
            .and_where(
                Expr::col((wif, Alias::new("work_item_id")))
                    .equals((Alias::new("work_items"), Alias::new("id"))),
            )
            .to_owned();
        let movable: Vec<&str> = WorkItemState::ALL
            .iter()
            .filter(|s| s.can_move_to(WorkItemState::Verified))
            .map(|s| s.as_str())
            .collect();
        let mut select = work_item::Entity::find()
            .filter(work_item::Column::State.is_in(movable))
            .filter(Expr::exists(any_finding))
            .filter(Expr::exists(open_findings).not());
        if let Some(id) = campaign_id {
            select = select.filter(work_item::Column::CampaignId.eq(id));
        }
        let items = select.order_by_asc(work_item::Column::Id).all(txn).await?;
        let moved = items.len() as u64;
        for item in items {
            move_item(
                self,
                txn,
                &Actor::system(),
                item,
                WorkItemState::Verified,
                "work_item.verify",
                |_| {},
            )
            .await?;
        }
        Ok(moved)
    }

    async fn item_page(
        &self,
        select: sea_orm::Select<work_item::Entity>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<WorkItem>, StoreError> {
        let (page, per_page) = paging(page, per_page);
        let paginator = select
            .order_by_asc(work_item::Column::Id)
            .paginate(&self.db, per_page);
        let total = paginator.num_items().await?;
        let mut items = Vec::new();
        for m in paginator.fetch_page(page - 1).await? {
            items.push(with_links(&self.db, m).await?);
        }
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }
}

fn clear_reasons(a: &mut work_item::ActiveModel) {
    a.wont_fix_reason = Set(None);
    a.excepted_until = Set(None);
    a.exception_id = Set(None);
}

/// Moves an item to `to` if the transition table allows it, applies `extra` to the row, and
/// writes the audit event, all in `txn`. The only place item states change.
pub(crate) async fn move_item(
    store: &Store,
    txn: &DatabaseTransaction,
    actor: &Actor,
    item: work_item::Model,
    to: WorkItemState,
    action: &'static str,
    extra: impl FnOnce(&mut work_item::ActiveModel),
) -> Result<WorkItem, StoreError> {
    let id = item.id;
    let campaign_id = item.campaign_id;
    let from = parse_state(&item)?;
    if !from.can_move_to(to) {
        return Err(StoreError::NotAllowed(format!(
            "work item {id}: cannot move from {from} to {to}"
        )));
    }
    let before = with_links(txn, item.clone()).await?;
    let mut active: work_item::ActiveModel = item.into();
    active.state = Set(to.as_str().to_owned());
    active.updated_at = Set(store.now());
    extra(&mut active);
    let after = with_links(txn, active.update(txn).await?).await?;
    AuditEntry::new(action, "work_item", id)
        .campaign(campaign_id)
        .work_item(id)
        .before(state_snapshot(&before))
        .after(state_snapshot(&after))
        .write(txn, store, actor)
        .await?;
    Ok(after)
}

fn state_snapshot(item: &WorkItem) -> serde_json::Value {
    serde_json::json!({
        "state": item.state,
        "assignee": item.assignee,
        "excepted_until": item.excepted_until,
        "wont_fix_reason": item.wont_fix_reason,
    })
}

async fn set_assignee(
    store: &Store,
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    to: &Assignee,
    action: &'static str,
) -> Result<WorkItem, StoreError> {
    let item = find_item(txn, id).await?;
    let before = with_links(txn, item.clone()).await?;
    let (user_id, team_id) = assignee_columns(to);
    let mut active: work_item::ActiveModel = item.into();
    active.assignee_user_id = Set(user_id);
    active.assignee_team_id = Set(team_id);
    active.updated_at = Set(store.now());
    let after = with_links(txn, active.update(txn).await?).await?;
    // The names as they were at the time, so the log reads without looking ids up.
    let names = assignee_names_in(txn, [&before.assignee, &after.assignee]).await?;
    AuditEntry::new(action, "work_item", id)
        .campaign(after.campaign_id)
        .work_item(id)
        .before(serde_json::json!({
            "assignee": before.assignee,
            "assignee_name": names.assignee(&before.assignee),
        }))
        .after(serde_json::json!({
            "assignee": after.assignee,
            "assignee_name": names.assignee(&after.assignee),
        }))
        .write(txn, store, actor)
        .await?;
    Ok(after)
}

fn assignee_columns(a: &Assignee) -> (Option<i64>, Option<i64>) {
    match a {
        Assignee::Unassigned => (None, None),
        Assignee::User { id } => (Some(*id), None),
        Assignee::Team { id } => (None, Some(*id)),
    }
}

pub(crate) async fn find_item<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<work_item::Model, StoreError> {
    work_item::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("work item {id}")))
}

pub(crate) async fn load_item<C: ConnectionTrait>(db: &C, id: i64) -> Result<WorkItem, StoreError> {
    with_links(db, find_item(db, id).await?).await
}

fn parse_state(m: &work_item::Model) -> Result<WorkItemState, StoreError> {
    m.state.parse::<WorkItemState>().map_err(|e| {
        StoreError::Conflict(format!("work item {}: stored state is invalid: {e}", m.id))
    })
}

pub(crate) async fn with_links<C: ConnectionTrait>(
    db: &C,
    m: work_item::Model,
) -> Result<WorkItem, StoreError> {
    let state = parse_state(&m)?;
    let finding_ids = work_item_finding::Entity::find()
        .filter(work_item_finding::Column::WorkItemId.eq(m.id))
        .order_by_asc(work_item_finding::Column::FindingId)
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.finding_id)
        .collect();
    let blast_radius = work_item_instance::Entity::find()
        .filter(work_item_instance::Column::WorkItemId.eq(m.id))
        .order_by_asc(work_item_instance::Column::Address)
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.address)
        .collect();
    let assignee = match (m.assignee_user_id, m.assignee_team_id) {
        (Some(id), _) => Assignee::User { id },
        (None, Some(id)) => Assignee::Team { id },
        (None, None) => Assignee::Unassigned,
    };
    Ok(WorkItem {
        id: m.id,
        campaign_id: m.campaign_id,
        repository_id: m.repository_id,
        policy_id: m.policy_id,
        file: m.file,
        line: u32::try_from(m.line).unwrap_or(0),
        title: m.title,
        state,
        assignee,
        excepted_until: m.excepted_until,
        wont_fix_reason: m.wont_fix_reason,
        finding_ids,
        blast_radius,
    })
}
