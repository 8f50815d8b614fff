//! The console's areas: what the navigation shows and where each one lives.

use serde::{Deserialize, Serialize};

/// One top-level area of the console. The same names are used for the
/// backend and frontend modules that implement it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    ChatConfigs,
    Robots,
    Groups,
    Audit,
    Users,
    Credentials,
}

impl Area {
    /// In navigation order.
    pub const ALL: [Area; 6] = [
        Area::ChatConfigs,
        Area::Robots,
        Area::Groups,
        Area::Audit,
        Area::Users,
        Area::Credentials,
    ];

    /// The client-side route of the area.
    pub const fn path(self) -> &'static str {
        match self {
            Area::ChatConfigs => "/chat-configs",
            Area::Robots => "/robots",
            Area::Groups => "/groups",
            Area::Audit => "/audit",
            Area::Users => "/users",
            Area::Credentials => "/credentials",
        }
    }

    pub fn from_path(path: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.path() == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_round_trip() {
        for area in Area::ALL {
            assert_eq!(Area::from_path(area.path()), Some(area));
        }
        let mut paths: Vec<_> = Area::ALL.iter().map(|a| a.path()).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), Area::ALL.len());
    }

    #[test]
    fn unknown_path_is_no_area() {
        assert_eq!(Area::from_path("/nope"), None);
    }
}
