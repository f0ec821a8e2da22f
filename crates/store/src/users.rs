//! Accounts: creating users, logging in, roles.
use redress_types::{Role, UserSummary};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use crate::{
    Store, StoreError,
    entities::user,
    password::{self, check_strength},
    workflow::audit::{Actor, AuditEntry},
};

/// What is needed to create an account.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Login e-mail (stored lower-case, must be unique).
    pub email: String,
    /// Name shown in the UI; defaults to the part of the e-mail before `@`.
    pub display_name: Option<String>,
    /// The account's role.
    pub role: Role,
    /// Plain-text password; hashed with argon2id before it is stored.
    pub password: String,
}

/// The first administrator created on an empty database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstAdmin {
    /// Its e-mail.
    pub email: String,
    /// The password, when Redress generated it (printed once, never stored in clear).
    pub generated_password: Option<String>,
}

impl Store {
    /// Creates an account (audited as done by the system; see [`Store::create_user_by`]).
    pub async fn create_user(&self, new: NewUser) -> Result<UserSummary, StoreError> {
        self.create_user_by(None, new).await
    }

    /// Creates an account; the audit log names `actor` (`None`: the system).
    pub async fn create_user_by(
        &self,
        actor: Option<&UserSummary>,
        new: NewUser,
    ) -> Result<UserSummary, StoreError> {
        let email = normalize_email(&new.email)?;
        check_strength(&new.password)?;
        let display_name = new
            .display_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
        let hash = password::hash(&new.password)?;
        let txn = self.db.begin().await?;
        let taken = user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .count(&txn)
            .await?
            > 0;
        if taken {
            return Err(StoreError::Conflict(format!(
                "a user with e-mail {email} already exists"
            )));
        }
        let model = user::ActiveModel {
            email: Set(email),
            display_name: Set(display_name),
            role: Set(new.role.as_str().to_owned()),
            password_hash: Set(hash),
            disabled: Set(false),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let created = to_summary(model)?;
        AuditEntry::new("user.create", "user", created.id)
            .after(&created)
            .write(&txn, self, &actor.map_or_else(Actor::system, Actor::user))
            .await?;
        txn.commit().await?;
        Ok(created)
    }

    /// Checks an e-mail and password; returns the account when both match and it is active.
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
    ) -> Result<UserSummary, StoreError> {
        let email = email.trim().to_lowercase();
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .one(&self.db)
            .await?;
        match found {
            Some(model) if !model.disabled && password::verify(password, &model.password_hash) => {
                to_summary(model)
            }
            Some(_) => Err(StoreError::InvalidCredentials),
            None => {
                // Spend the same time as a real check so timing does not reveal accounts.
                let _ = password::verify(password, DUMMY_HASH);
                Err(StoreError::InvalidCredentials)
            }
        }
    }

    /// The active account with this id, if any.
    pub async fn active_user(&self, id: i64) -> Result<Option<UserSummary>, StoreError> {
        match user::Entity::find_by_id(id).one(&self.db).await? {
            Some(model) if !model.disabled => to_summary(model).map(Some),
            _ => Ok(None),
        }
    }

    /// Every account, ordered by e-mail.
    pub async fn list_users(&self) -> Result<Vec<UserSummary>, StoreError> {
        user::Entity::find()
            .order_by_asc(user::Column::Email)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_summary)
            .collect()
    }

    /// Changes an account's role (audited as done by the system; see [`Store::set_user_role_by`]).
    pub async fn set_user_role(&self, id: i64, role: Role) -> Result<UserSummary, StoreError> {
        self.set_user_role_by(None, id, role).await
    }

    /// Changes an account's role; the audit log names `actor` (`None`: the system).
    pub async fn set_user_role_by(
        &self,
        actor: Option<&UserSummary>,
        id: i64,
        role: Role,
    ) -> Result<UserSummary, StoreError> {
        let txn = self.db.begin().await?;
        let model = user::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("user {id}")))?;
        let before = model.role.clone();
        let mut active: user::ActiveModel = model.into();
        active.role = Set(role.as_str().to_owned());
        let model = active.update(&txn).await?;
        AuditEntry::new("user.set_role", "user", id)
            .before(serde_json::json!({ "role": before }))
            .after(serde_json::json!({ "role": role }))
            .write(&txn, self, &actor.map_or_else(Actor::system, Actor::user))
            .await?;
        txn.commit().await?;
        to_summary(model)
    }

    /// Number of accounts.
    pub async fn count_users(&self) -> Result<u64, StoreError> {
        Ok(user::Entity::find().count(&self.db).await?)
    }

    /// On an empty database, creates the first administrator. With no password given, one is
    /// generated and returned so it can be printed once. Returns `None` when users exist.
    pub async fn ensure_first_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<Option<FirstAdmin>, StoreError> {
        if self.count_users().await? > 0 {
            return Ok(None);
        }
        let email = email.unwrap_or("admin@localhost").to_owned();
        let generated = password.is_none().then(|| password::random_secret(20));
        let password = password
            .map(str::to_owned)
            .or_else(|| generated.clone())
            .unwrap_or_default();
        let created = self
            .create_user(NewUser {
                email,
                display_name: Some("Administrator".into()),
                role: Role::Admin,
                password,
            })
            .await?;
        Ok(Some(FirstAdmin {
            email: created.email,
            generated_password: generated,
        }))
    }
}

/// An argon2id hash of a random string, used to equalize timing for unknown e-mails.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Pp3Xq6v6HMRrwMBSC0Lj8lcR6Mqb6cUF5ybRgY2Fbb8";

fn normalize_email(email: &str) -> Result<String, StoreError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(StoreError::invalid("email", "is not an e-mail address"))
    }
}

fn to_summary(model: user::Model) -> Result<UserSummary, StoreError> {
    let role = model
        .role
        .parse::<Role>()
        .map_err(|e| StoreError::Conflict(format!("user {}: {e}", model.id)))?;
    Ok(UserSummary {
        id: model.id,
        email: model.email,
        display_name: model.display_name,
        role,
    })
}
