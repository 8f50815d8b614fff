//! Roles, the actions of the console's API and the one permission matrix
//! that both the server (which enforces it) and the UI (which only follows
//! it, to hide what a role cannot do) read.

use serde::{Deserialize, Serialize};

use crate::secret::SecretInput;
use crate::validate::{InvalidField, Problem};

use crate::area::Area;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Edits DingTalk groups; reads chat configurations and robots.
    Helpdesk,
    /// Reads everything a secret is not part of, plus the audit trail.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Helpdesk, Role::Auditor];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Helpdesk => "helpdesk",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Every operation of the console's API. A route names exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ChatConfigsRead,
    ChatConfigsWrite,
    RobotsRead,
    RobotsWrite,
    GroupsRead,
    /// Members, name, owner, admins, nicknames, private chat, join QR code.
    GroupsWrite,
    UsersRead,
    UsersManage,
    /// Names and fingerprints only: nobody reads a secret back.
    CredentialsRead,
    CredentialsManage,
    /// The audit trail and every area's change history (who, from where,
    /// what changed).
    AuditRead,
    AuditExport,
    OwnPasswordChange,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::ChatConfigsRead,
        Action::ChatConfigsWrite,
        Action::RobotsRead,
        Action::RobotsWrite,
        Action::GroupsRead,
        Action::GroupsWrite,
        Action::UsersRead,
        Action::UsersManage,
        Action::CredentialsRead,
        Action::CredentialsManage,
        Action::AuditRead,
        Action::AuditExport,
        Action::OwnPasswordChange,
    ];

    /// The action's name on the wire (`groups_write`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::ChatConfigsRead => "chat_configs_read",
            Action::ChatConfigsWrite => "chat_configs_write",
            Action::RobotsRead => "robots_read",
            Action::RobotsWrite => "robots_write",
            Action::GroupsRead => "groups_read",
            Action::GroupsWrite => "groups_write",
            Action::UsersRead => "users_read",
            Action::UsersManage => "users_manage",
            Action::CredentialsRead => "credentials_read",
            Action::CredentialsManage => "credentials_manage",
            Action::AuditRead => "audit_read",
            Action::AuditExport => "audit_export",
            Action::OwnPasswordChange => "own_password_change",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// The permission matrix: whether `role` may perform `action`.
pub const fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Helpdesk => matches!(
            action,
            ChatConfigsRead | RobotsRead | GroupsRead | GroupsWrite | OwnPasswordChange
        ),
        Role::Auditor => matches!(
            action,
            ChatConfigsRead
                | RobotsRead
                | GroupsRead
                | UsersRead
                | CredentialsRead
                | AuditRead
                | AuditExport
                | OwnPasswordChange
        ),
    }
}

/// Everything `role` may do, in [`Action::ALL`] order.
pub fn permissions(role: Role) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| allows(role, *a))
        .collect()
}

impl Area {
    /// What a role needs to see the area at all.
    pub const fn read_action(self) -> Action {
        match self {
            Area::ChatConfigs => Action::ChatConfigsRead,
            Area::Robots => Action::RobotsRead,
            Area::Groups => Action::GroupsRead,
            Area::Audit => Action::AuditRead,
            Area::Users => Action::UsersRead,
            Area::Credentials => Action::CredentialsRead,
        }
    }
}

/// Shortest password accepted for a local account.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted (argon2 hashes anything, but a megabyte
/// "password" is an attack on the CPU).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Why a new password is refused.
pub fn check_new_password(password: &str) -> Result<(), InvalidField> {
    let count = password.chars().count();
    let message = if count < MIN_PASSWORD_LEN {
        format!("must be at least {MIN_PASSWORD_LEN} characters long")
    } else if count > MAX_PASSWORD_LEN {
        format!("must be at most {MAX_PASSWORD_LEN} characters long")
    } else {
        return Ok(());
    };
    Err(
        InvalidField::new("password", message).because(Problem::Length {
            min: MIN_PASSWORD_LEN,
            max: MAX_PASSWORD_LEN,
            count,
        }),
    )
}

/// Why a user name is refused: 1 to 64 of a-z, 0-9, `.`, `_`, `-`, `@`.
pub fn check_username(name: &str) -> Result<(), InvalidField> {
    let count = name.chars().count();
    if count == 0 || count > 64 {
        let problem = if count == 0 {
            Problem::Empty
        } else {
            Problem::Length {
                min: 1,
                max: 64,
                count,
            }
        };
        return Err(
            InvalidField::new("username", "must be 1 to 64 characters long").because(problem),
        );
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c);
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        return Err(InvalidField::new(
            "username",
            "may contain only a-z, 0-9, '.', '_', '-' and '@'",
        )
        .because(Problem::Char(bad)));
    }
    Ok(())
}

/// `POST /api/v1/session`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: SecretInput,
}

/// A local account as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    /// Epoch milliseconds.
    pub created_at: i64,
}

/// `GET /api/v1/session`: who is signed in and what they may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: User,
    /// Send back in the `x-csrf-token` header of every state-changing call.
    pub csrf_token: String,
    pub permissions: Vec<Action>,
}

/// Header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `POST /api/v1/me/password`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: SecretInput,
    pub new_password: SecretInput,
}

/// `POST /api/v1/users`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub role: Role,
    pub password: SecretInput,
}

/// `PATCH /api/v1/users/{id}`: fields left out stay as they are.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `POST /api/v1/users/{id}/password`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: SecretInput,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_may_do_everything() {
        assert_eq!(permissions(Role::Admin), Action::ALL.to_vec());
    }

    #[test]
    fn helpdesk_edits_groups_and_reads_configs_and_robots_only() {
        assert_eq!(
            permissions(Role::Helpdesk),
            vec![
                Action::ChatConfigsRead,
                Action::RobotsRead,
                Action::GroupsRead,
                Action::GroupsWrite,
                Action::OwnPasswordChange
            ]
        );
    }

    #[test]
    fn auditor_writes_nothing_but_its_own_password() {
        let writes = [
            Action::ChatConfigsWrite,
            Action::RobotsWrite,
            Action::GroupsWrite,
            Action::UsersManage,
            Action::CredentialsManage,
        ];
        for action in Action::ALL {
            assert_eq!(allows(Role::Auditor, action), !writes.contains(&action));
        }
    }

    #[test]
    fn every_role_sees_its_areas() {
        let visible = |role| {
            Area::ALL
                .into_iter()
                .filter(|a| allows(role, a.read_action()))
                .collect::<Vec<_>>()
        };
        assert_eq!(visible(Role::Admin), Area::ALL.to_vec());
        assert_eq!(
            visible(Role::Helpdesk),
            vec![Area::ChatConfigs, Area::Robots, Area::Groups]
        );
        assert_eq!(
            visible(Role::Auditor),
            vec![
                Area::ChatConfigs,
                Area::Robots,
                Area::Groups,
                Area::Audit,
                Area::Users,
                Area::Credentials
            ]
        );
    }

    #[test]
    fn roles_and_actions_serialize_as_snake_case() {
        assert_eq!(
            serde_json::to_string(&Role::Helpdesk).unwrap(),
            "\"helpdesk\""
        );
        assert_eq!(
            serde_json::to_string(&Action::OwnPasswordChange).unwrap(),
            "\"own_password_change\""
        );
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        // The console reads a session's permissions by these names.
        for action in Action::ALL {
            let wire = serde_json::to_string(&action).unwrap();
            assert_eq!(wire, format!("\"{}\"", action.as_str()));
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(Action::parse("groups"), None);
    }

    #[test]
    fn passwords_and_usernames_are_checked() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pw").is_ok());
        assert!(check_new_password(&"x".repeat(300)).is_err());
        assert!(check_username("alice.w@corp").is_ok());
        assert!(check_username("Alice").is_err());
        // What was wrong, for the console to word in the user's language.
        let short = check_new_password("short").unwrap_err();
        assert_eq!(short.message, "must be at least 12 characters long");
        assert_eq!(
            short.problem,
            crate::validate::Problem::Length {
                min: 12,
                max: 256,
                count: 5
            }
        );
        let upper = check_username("Alice").unwrap_err().problem;
        assert_eq!(upper, crate::validate::Problem::Char('A'));
        assert!(check_username("").is_err());
    }
}
