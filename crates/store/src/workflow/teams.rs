//! Teams and membership (admin-managed), resolving CODEOWNERS owners to teams or users, and
//! the display names pages show for assignees, requesters and deciders ([`Names`]).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use redress_types::{Assignee, Team, UserSummary};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::{
    audit::{Actor, AuditEntry},
    entities::{team, team_member},
};
use crate::{Store, StoreError, entities::user};

/// Display names of users and teams, looked up once for a page of items or exceptions.
///
/// A user shows as their display name (their e-mail when it is empty), a team as
/// `NAME (team)`; an id that no longer exists shows as `user #ID` / `team #ID`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    users: HashMap<i64, String>,
    teams: HashMap<i64, String>,
}

impl Names {
    /// The user's display name.
    pub fn user(&self, id: i64) -> String {
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("user #{id}"))
    }

    /// The team's name, marked as a team.
    pub fn team(&self, id: i64) -> String {
        match self.teams.get(&id) {
            Some(name) => format!("{name} (team)"),
            None => format!("team #{id}"),
        }
    }

    /// Who an item is assigned to, for people.
    pub fn assignee(&self, assignee: &Assignee) -> String {
        match assignee {
            Assignee::Unassigned => "unassigned".to_owned(),
            Assignee::User { id } => self.user(*id),
            Assignee::Team { id } => self.team(*id),
        }
    }
}

/// A user's name as pages show it: the display name, else the e-mail.
fn shown_name(model: &user::Model) -> String {
    if model.display_name.trim().is_empty() {
        model.email.clone()
    } else {
        model.display_name.clone()
    }
}

impl Store {
    /// The display names of `users` and `teams` (ids may repeat; unknown ids are left out and
    /// shown by [`Names`] as `user #ID` / `team #ID`).
    pub async fn names(
        &self,
        users: impl IntoIterator<Item = i64>,
        teams: impl IntoIterator<Item = i64>,
    ) -> Result<Names, StoreError> {
        names_in(&self.db, users, teams).await
    }

    /// The display names of `assignees`.
    pub async fn assignee_names<'a>(
        &self,
        assignees: impl IntoIterator<Item = &'a Assignee>,
    ) -> Result<Names, StoreError> {
        assignee_names_in(&self.db, assignees).await
    }

    /// Creates a team; names are unique and at most 100 characters.
    pub async fn create_team(&self, actor: &UserSummary, name: &str) -> Result<Team, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 || name.contains(char::is_whitespace) {
            return Err(StoreError::invalid(
                "name",
                "must be 1 to 100 characters without spaces",
            ));
        }
        let txn = self.db.begin().await?;
        if team::Entity::find()
            .filter(team::Column::Name.eq(name))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(format!(
                "a team named {name} already exists"
            )));
        }
        let model = team::ActiveModel {
            name: Set(name.to_owned()),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let created = Team {
            id: model.id,
            name: model.name,
            member_ids: Vec::new(),
        };
        AuditEntry::new("team.create", "team", created.id)
            .after(&created)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Adds a user to a team (adding a member twice is not an error).
    pub async fn add_team_member(
        &self,
        actor: &UserSummary,
        team_id: i64,
        user_id: i64,
    ) -> Result<Team, StoreError> {
        let txn = self.db.begin().await?;
        let before = load_team(&txn, team_id).await?;
        if user::Entity::find_by_id(user_id).one(&txn).await?.is_none() {
            return Err(StoreError::not_found(format!("user {user_id}")));
        }
        if !before.member_ids.contains(&user_id) {
            team_member::ActiveModel {
                team_id: Set(team_id),
                user_id: Set(user_id),
            }
            .insert(&txn)
            .await?;
        }
        let after = load_team(&txn, team_id).await?;
        AuditEntry::new("team.add_member", "team", team_id)
            .before(&before)
            .after(&after)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Removes a user from a team.
    pub async fn remove_team_member(
        &self,
        actor: &UserSummary,
        team_id: i64,
        user_id: i64,
    ) -> Result<Team, StoreError> {
        let txn = self.db.begin().await?;
        let before = load_team(&txn, team_id).await?;
        if !before.member_ids.contains(&user_id) {
            return Err(StoreError::not_found(format!(
                "user {user_id} in team {}",
                before.name
            )));
        }
        team_member::Entity::delete_by_id((team_id, user_id))
            .exec(&txn)
            .await?;
        let after = load_team(&txn, team_id).await?;
        AuditEntry::new("team.remove_member", "team", team_id)
            .before(&before)
            .after(&after)
            .write(&txn, self, &Actor::user(actor))
            .await?;
        txn.commit().await?;
        Ok(after)
    }

    /// Every team with its members, by name.
    pub async fn list_teams(&self) -> Result<Vec<Team>, StoreError> {
        let teams = team::Entity::find()
            .order_by_asc(team::Column::Name)
            .all(&self.db)
            .await?;
        let mut members: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for m in team_member::Entity::find()
            .order_by_asc(team_member::Column::UserId)
            .all(&self.db)
            .await?
        {
            members.entry(m.team_id).or_default().push(m.user_id);
        }
        Ok(teams
            .into_iter()
            .map(|t| Team {
                id: t.id,
                member_ids: members.remove(&t.id).unwrap_or_default(),
                name: t.name,
            })
            .collect())
    }

    /// Ids of the teams a user belongs to, ascending.
    pub async fn user_team_ids(&self, user_id: i64) -> Result<Vec<i64>, StoreError> {
        user_team_ids(&self.db, user_id).await
    }

    /// Resolves one CODEOWNERS owner: `@org/team` or a bare team name gives that team;
    /// an e-mail gives the user with that e-mail; `@name` gives the user whose e-mail starts
    /// with `name@` or whose display name is `name`. `None` when nothing matches.
    pub async fn resolve_code_owner(&self, owner: &str) -> Result<Option<Assignee>, StoreError> {
        resolve_code_owner(&self.db, owner).await
    }
}

pub(crate) async fn user_team_ids<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .order_by_asc(team_member::Column::TeamId)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.team_id)
        .collect())
}

async fn load_team<C: ConnectionTrait>(db: &C, team_id: i64) -> Result<Team, StoreError> {
    let model = team::Entity::find_by_id(team_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("team {team_id}")))?;
    let member_ids = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team_id))
        .order_by_asc(team_member::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(Team {
        id: model.id,
        name: model.name,
        member_ids,
    })
}

/// [`Store::names`] inside a transaction or on the pool.
pub(crate) async fn names_in<C: ConnectionTrait>(
    db: &C,
    users: impl IntoIterator<Item = i64>,
    teams: impl IntoIterator<Item = i64>,
) -> Result<Names, StoreError> {
    let users: BTreeSet<i64> = users.into_iter().collect();
    let teams: BTreeSet<i64> = teams.into_iter().collect();
    let mut names = Names::default();
    // Bounded batches keep the IN lists within every backend's parameter limit.
    let users: Vec<i64> = users.into_iter().collect();
    for chunk in users.chunks(500) {
        for model in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            names.users.insert(model.id, shown_name(&model));
        }
    }
    let teams: Vec<i64> = teams.into_iter().collect();
    for chunk in teams.chunks(500) {
        for model in team::Entity::find()
            .filter(team::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            names.teams.insert(model.id, model.name);
        }
    }
    Ok(names)
}

/// [`Store::assignee_names`] inside a transaction or on the pool.
pub(crate) async fn assignee_names_in<'a, C: ConnectionTrait>(
    db: &C,
    assignees: impl IntoIterator<Item = &'a Assignee>,
) -> Result<Names, StoreError> {
    let (mut users, mut teams) = (Vec::new(), Vec::new());
    for assignee in assignees {
        match assignee {
            Assignee::User { id } => users.push(*id),
            Assignee::Team { id } => teams.push(*id),
            Assignee::Unassigned => {}
        }
    }
    names_in(db, users, teams).await
}

pub(crate) async fn resolve_code_owner<C: ConnectionTrait>(
    db: &C,
    owner: &str,
) -> Result<Option<Assignee>, StoreError> {
    let owner = owner.trim();
    if owner.is_empty() || owner.len() > 254 {
        return Ok(None);
    }
    let team_named = |name: &str| {
        let name = name.to_owned();
        async move {
            team::Entity::find()
                .filter(team::Column::Name.eq(name))
                .one(db)
                .await
        }
    };
    if let Some(handle) = owner.strip_prefix('@') {
        if let Some((_org, team_name)) = handle.split_once('/') {
            // GitHub `@org/team`; GitLab groups nest (`@group/sub/team`): the last segment names the team,
            // and the full path is tried first.
            let last = team_name.rsplit('/').next().unwrap_or(team_name);
            for candidate in [handle, team_name, last] {
                if let Some(t) = team_named(candidate).await? {
                    return Ok(Some(Assignee::Team { id: t.id }));
                }
            }
            return Ok(None);
        }
        let lower = handle.to_lowercase();
        // LIKE treats `_` and `%` as wildcards: narrow with it, then compare exactly.
        let prefix = format!("{lower}@");
        let by_email = user::Entity::find()
            .filter(user::Column::Email.starts_with(&prefix))
            .order_by_asc(user::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .find(|u| u.email.starts_with(&prefix));
        let found = match by_email {
            Some(u) => Some(u),
            None => {
                user::Entity::find()
                    .filter(user::Column::DisplayName.eq(handle))
                    .one(db)
                    .await?
            }
        };
        return Ok(found.map(|u| Assignee::User { id: u.id }));
    }
    if owner.contains('@') {
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(owner.to_lowercase()))
            .one(db)
            .await?;
        return Ok(found.map(|u| Assignee::User { id: u.id }));
    }
    Ok(team_named(owner)
        .await?
        .map(|t| Assignee::Team { id: t.id }))
}
