//! A role's permission matrix: per area a level (none, read, edit) and, for conversations
//! and contacts, a scope (own, team, all). Pure values: no database, no HTTP. Never decides
//! a request by itself; `access::require` does, using these values.

use std::fmt;

/// The areas of the appliance a role grants access to, in the order the admin UI lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Conversations,
    Contacts,
    Exports,
    Deletions,
    /// Widgets and the widget router.
    Widgets,
    Canned,
    /// Staff accounts, roles and teams.
    Staff,
    Audit,
    Statistics,
    Settings,
}

impl Area {
    pub const ALL: [Area; 10] = [
        Area::Conversations,
        Area::Contacts,
        Area::Exports,
        Area::Deletions,
        Area::Widgets,
        Area::Canned,
        Area::Staff,
        Area::Audit,
        Area::Statistics,
        Area::Settings,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Conversations => "conversations",
            Self::Contacts => "contacts",
            Self::Exports => "exports",
            Self::Deletions => "deletions",
            Self::Widgets => "widgets",
            Self::Canned => "canned",
            Self::Staff => "staff",
            Self::Audit => "audit",
            Self::Statistics => "statistics",
            Self::Settings => "settings",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Whether the area is limited by scope (own / team / all).
    pub fn scoped(self) -> bool {
        matches!(self, Self::Conversations | Self::Contacts)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    #[default]
    None,
    Read,
    Edit,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::None, Level::Read, Level::Edit];

    pub fn key(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Read => "read",
            Self::Edit => "edit",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// Which conversations (and contacts) of the installation a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Scope {
    /// Conversations the staff member holds, and unassigned ones of their teams (so an
    /// operator limited to their own chats can still take new ones).
    Own,
    /// Conversations of the staff member's teams, and those they hold.
    Team,
    #[default]
    All,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Own, Scope::Team, Scope::All];

    pub fn key(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Team => "team",
            Self::All => "all",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// What a role holds in one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grant {
    pub level: Level,
    /// Meaningful for scoped areas only; `All` elsewhere.
    pub scope: Scope,
}

impl Grant {
    pub const NONE: Grant = Grant {
        level: Level::None,
        scope: Scope::All,
    };

    /// Whether holding `self` includes everything `other` grants.
    pub fn covers(self, other: Grant, area: Area) -> bool {
        if other.level == Level::None {
            return true;
        }
        self.level >= other.level && (!area.scoped() || self.scope >= other.scope)
    }
}

/// One grant per area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Matrix([Grant; 10]);

impl Matrix {
    pub fn empty() -> Self {
        Self([Grant::NONE; 10])
    }

    /// Everything, everywhere: what the built-in Admin role always holds.
    pub fn full() -> Self {
        Self(
            [Grant {
                level: Level::Edit,
                scope: Scope::All,
            }; 10],
        )
    }

    pub fn get(&self, area: Area) -> Grant {
        self.0[area.index()]
    }

    pub fn set(&mut self, area: Area, grant: Grant) {
        let scope = if area.scoped() {
            grant.scope
        } else {
            Scope::All
        };
        self.0[area.index()] = Grant {
            level: grant.level,
            scope,
        };
    }

    /// Whether a holder of `self` may grant `other`: nobody grants what they do not hold.
    pub fn covers(&self, other: &Matrix) -> bool {
        Area::ALL
            .into_iter()
            .all(|a| self.get(a).covers(other.get(a), a))
    }

    /// The areas where `other` exceeds `self`, for an error message.
    pub fn exceeded_by(&self, other: &Matrix) -> Vec<Area> {
        Area::ALL
            .into_iter()
            .filter(|a| !self.get(*a).covers(other.get(*a), *a))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(level: Level, scope: Scope) -> Grant {
        Grant { level, scope }
    }

    #[test]
    fn covering_compares_level_and_scope_where_it_matters() {
        let team_edit = grant(Level::Edit, Scope::Team);
        assert!(team_edit.covers(grant(Level::Read, Scope::Own), Area::Conversations));
        assert!(!team_edit.covers(grant(Level::Read, Scope::All), Area::Conversations));
        assert!(team_edit.covers(grant(Level::Edit, Scope::All), Area::Canned));
        assert!(!grant(Level::Read, Scope::All).covers(team_edit, Area::Canned));
        assert!(Grant::NONE.covers(Grant::NONE, Area::Audit));
        let mut m = Matrix::empty();
        m.set(Area::Audit, grant(Level::Read, Scope::Own));
        assert_eq!(
            m.get(Area::Audit).scope,
            Scope::All,
            "unscoped areas store all"
        );
        assert!(Matrix::full().covers(&m));
        assert!(!m.covers(&Matrix::full()));
        assert_eq!(Matrix::empty().exceeded_by(&m), vec![Area::Audit]);
    }

    #[test]
    fn keys_round_trip() {
        for a in Area::ALL {
            assert_eq!(Area::parse(a.key()), Some(a));
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.key()), Some(l));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.key()), Some(s));
        }
        assert_eq!(Area::parse("root"), None);
    }
}
