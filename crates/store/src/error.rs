use sea_orm::DbErr;

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened at all (wrong URL, server down, no permission).
    #[error("cannot open database {url}: {source}")]
    Unreachable {
        /// The database URL with any password removed.
        url: String,
        /// What the driver said.
        #[source]
        source: DbErr,
    },
    /// The database URL is not one Redress understands.
    #[error("invalid database URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given (password removed).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A schema migration failed; the transaction was rolled back.
    #[error("database migration failed: {0}")]
    Migration(#[source] DbErr),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// The object does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. `user 12`.
        what: String,
    },
    /// The change conflicts with existing data (duplicate e-mail, stale state).
    #[error("{0}")]
    Conflict(String),
    /// A field of the request is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field name as the user sees it.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Wrong e-mail or password, or a disabled account. Deliberately vague.
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// The action breaks a rule of the workflow (e.g. approving one's own request).
    #[error("{0}")]
    NotAllowed(String),
    /// A findings import failed and was rolled back; the history records it as failed.
    #[error("{message}")]
    Import {
        /// The failed import's entry in the history, when it could be recorded.
        import_id: Option<i64>,
        /// What went wrong, naming the format, the record and the field when the file is at fault.
        message: String,
    },
    /// Hashing a password failed (should not happen with valid parameters).
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl StoreError {
    /// Shorthand for [`StoreError::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// Shorthand for [`StoreError::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }
}
