use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What a user may do in Redress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users, teams and settings.
    Admin,
    /// Creates campaigns and approves exceptions.
    Security,
    /// Works on items: reviews, adjusts and approves fixes, requests exceptions.
    Developer,
    /// Reads everything, changes nothing.
    Manager,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Security, Role::Developer, Role::Manager];

    /// The stable lower-case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Security => "security",
            Role::Developer => "developer",
            Role::Manager => "manager",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected one of admin, security, developer, manager")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Security ".parse::<Role>(), Ok(Role::Security));
        assert!("root".parse::<Role>().is_err());
    }
}
