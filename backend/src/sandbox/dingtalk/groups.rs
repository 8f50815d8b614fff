//! DingTalk groups: ONE state behind both API generations (a chatid and its
//! openConversationId name the same group), with the platform's limits.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::directory::Directory;

pub const MAX_NAME_CHARS: usize = 20;
pub const MAX_USERS_PER_CALL: usize = 40;
pub const MAX_MEMBERS: usize = 1000;
pub const MAX_ADMINS: usize = 12;
/// conversationTag of an organization group.
pub const ORG_GROUP_TAG: i64 = 2;
pub const STATUS_NORMAL: i64 = 1;
pub const STATUS_DISMISSED: i64 = 2;

/// The six 0/1 switches, in the order of [`SETTING_NAMES`].
pub type Settings = [i64; 6];
pub const SETTING_NAMES: [&str; 6] = [
    "chatBannedType",
    "searchable",
    "validationType",
    "mentionAllAuthority",
    "managementType",
    "showHistoryType",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub chatid: String,
    pub open_conversation_id: String,
    pub name: String,
    pub owner: String,
    pub owner_type: String,
    /// Employees, in joining order, the owner included.
    pub members: Vec<String>,
    pub ext_members: Vec<String>,
    pub admins: Vec<String>,
    pub conversation_tag: i64,
    pub settings: Settings,
    pub icon: String,
    pub status: i64,
    pub friend_switch_prohibited: bool,
    pub nicks: BTreeMap<String, String>,
}

impl Group {
    pub fn member_count(&self) -> usize {
        self.members.len() + self.ext_members.len()
    }

    pub fn is_member(&self, userid: &str) -> bool {
        self.members.iter().any(|m| m == userid)
    }
}

/// A refused group call, rendered by each API generation in its own way.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    #[error("unknown userid {0}")]
    UnknownUser(String),
    #[error("invalid user list: {0}")]
    UserList(String),
    #[error("no group with id {0}")]
    ChatNotFound(String),
    #[error("the group {0} is dismissed")]
    Dismissed(String),
    #[error("a group has at most {MAX_ADMINS} admins")]
    TooManyAdmins,
    #[error("user {0} is not in the group")]
    NotInGroup(String),
    #[error("a group has at most {MAX_MEMBERS} members")]
    MemberLimit,
}

pub type GroupResult<T> = Result<T, GroupError>;

/// Changes to the switches: `None` leaves one alone.
pub type SettingsPatch = [Option<i64>; 6];

fn apply_settings(settings: &mut Settings, patch: &SettingsPatch) -> GroupResult<()> {
    for (i, value) in patch.iter().enumerate() {
        if let Some(v) = value {
            if !matches!(v, 0 | 1) {
                return Err(GroupError::Invalid(
                    SETTING_NAMES[i],
                    "must be 0 or 1".into(),
                ));
            }
            settings[i] = *v;
        }
    }
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct NewGroup {
    pub name: Option<String>,
    pub owner: Option<String>,
    pub owner_type: Option<String>,
    pub members: Vec<String>,
    pub ext_members: Vec<String>,
    pub icon: Option<String>,
    pub conversation_tag: Option<i64>,
    pub settings: SettingsPatch,
}

#[derive(Clone, Debug, Default)]
pub struct GroupUpdate {
    pub name: Option<String>,
    pub owner: Option<String>,
    pub owner_type: Option<String>,
    pub add: Vec<String>,
    pub del: Vec<String>,
    pub add_ext: Vec<String>,
    pub del_ext: Vec<String>,
    pub icon: Option<String>,
    pub settings: SettingsPatch,
}

/// Admin changes: role 2 adds, role 3 removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminRole {
    Add,
    Remove,
}

impl AdminRole {
    pub fn parse(role: i64) -> GroupResult<AdminRole> {
        match role {
            2 => Ok(AdminRole::Add),
            3 => Ok(AdminRole::Remove),
            _ => Err(GroupError::Invalid(
                "role",
                "must be 2 (add) or 3 (remove)".into(),
            )),
        }
    }
}

fn check_name(name: &str) -> GroupResult<()> {
    let count = name.trim().chars().count();
    if count == 0 || name.chars().count() > MAX_NAME_CHARS {
        return Err(GroupError::Invalid(
            "name",
            format!("must be 1-{MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_owner_type(owner_type: Option<&str>) -> GroupResult<&str> {
    match owner_type.unwrap_or("emp") {
        t @ ("emp" | "ext") => Ok(t),
        _ => Err(GroupError::Invalid(
            "ownerType",
            "must be emp or ext".into(),
        )),
    }
}

/// At most 40 known users, duplicates dropped.
fn check_users(dir: &Directory, users: &[String], field: &str) -> GroupResult<Vec<String>> {
    if users.len() > MAX_USERS_PER_CALL {
        return Err(GroupError::UserList(format!(
            "{field} holds {} users; at most {MAX_USERS_PER_CALL} per call",
            users.len()
        )));
    }
    let mut out: Vec<String> = Vec::with_capacity(users.len());
    for u in users {
        if dir.user(u).is_none() {
            return Err(GroupError::UnknownUser(u.clone()));
        }
        if !out.contains(u) {
            out.push(u.clone());
        }
    }
    Ok(out)
}

fn digest(input: &str) -> [u8; 32] {
    Sha256::digest(input.as_bytes()).into()
}

#[derive(Clone, Debug, Default)]
pub struct Groups {
    by_chatid: BTreeMap<String, Group>,
    chatid_by_cid: HashMap<String, String>,
    seq: u64,
}

impl Groups {
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_chatid.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Group> {
        self.by_chatid.values()
    }

    pub fn get(&self, chatid: &str) -> GroupResult<&Group> {
        self.by_chatid
            .get(chatid)
            .ok_or_else(|| GroupError::ChatNotFound(chatid.to_owned()))
    }

    pub fn by_cid(&self, cid: &str) -> GroupResult<&Group> {
        let chatid = self
            .chatid_by_cid
            .get(cid)
            .ok_or_else(|| GroupError::ChatNotFound(cid.to_owned()))?;
        self.get(chatid)
    }

    pub fn chatid_of(&self, cid: &str) -> GroupResult<String> {
        Ok(self.by_cid(cid)?.chatid.clone())
    }

    /// A live (not dismissed) group, for changes.
    fn live(&self, chatid: &str) -> GroupResult<Group> {
        let group = self.get(chatid)?;
        if group.status == STATUS_DISMISSED {
            return Err(GroupError::Dismissed(chatid.to_owned()));
        }
        Ok(group.clone())
    }

    fn store(&mut self, group: Group) {
        self.chatid_by_cid
            .insert(group.open_conversation_id.clone(), group.chatid.clone());
        self.by_chatid.insert(group.chatid.clone(), group);
    }

    pub fn create(&mut self, dir: &Directory, req: NewGroup) -> GroupResult<&Group> {
        let name = req.name.ok_or(GroupError::Missing("name"))?;
        check_name(&name)?;
        let owner = req.owner.ok_or(GroupError::Missing("owner"))?;
        let owner_type = check_owner_type(req.owner_type.as_deref())?.to_owned();
        if req.members.is_empty() {
            return Err(GroupError::Missing("useridlist"));
        }
        let members = check_users(dir, &req.members, "useridlist")?;
        let ext_members = dedup(&req.ext_members, "extidlist")?;
        let owner_listed = if owner_type == "emp" {
            members.contains(&owner)
        } else {
            ext_members.contains(&owner)
        };
        if !owner_listed {
            return Err(GroupError::UserList(format!(
                "the owner {owner} must be in the member list"
            )));
        }
        if members.len() + ext_members.len() > MAX_MEMBERS {
            return Err(GroupError::MemberLimit);
        }
        let mut settings = Settings::default();
        apply_settings(&mut settings, &req.settings)?;
        self.seq += 1;
        let d = digest(&format!("sandbox-group/{}", self.seq));
        let chatid = format!("chat{}", hex::encode(&d[..16]));
        let cid = format!(
            "cid{}",
            base64::engine::general_purpose::STANDARD.encode(&d[16..32])
        );
        let group = Group {
            chatid: chatid.clone(),
            open_conversation_id: cid,
            name,
            owner,
            owner_type,
            members,
            ext_members,
            admins: Vec::new(),
            conversation_tag: req.conversation_tag.unwrap_or(ORG_GROUP_TAG),
            settings,
            icon: req.icon.unwrap_or_default(),
            status: STATUS_NORMAL,
            friend_switch_prohibited: false,
            nicks: BTreeMap::new(),
        };
        self.store(group);
        Ok(&self.by_chatid[&chatid])
    }

    /// Validates everything on a copy, then commits: nothing half-applied.
    pub fn update(&mut self, dir: &Directory, chatid: &str, req: GroupUpdate) -> GroupResult<()> {
        let mut g = self.live(chatid)?;
        if let Some(name) = req.name {
            check_name(&name)?;
            g.name = name;
        }
        let add = check_users(dir, &req.add, "add_useridlist")?;
        if req.del.len() > MAX_USERS_PER_CALL {
            return Err(GroupError::UserList(format!(
                "del_useridlist holds {} users; at most {MAX_USERS_PER_CALL} per call",
                req.del.len()
            )));
        }
        for user in &req.del {
            if !g.is_member(user) {
                return Err(GroupError::NotInGroup(user.clone()));
            }
            if *user == g.owner {
                return Err(GroupError::Invalid(
                    "del_useridlist",
                    "the owner cannot be removed; transfer the ownership first".into(),
                ));
            }
        }
        g.members.retain(|m| !req.del.contains(m));
        g.admins.retain(|m| !req.del.contains(m));
        g.nicks.retain(|m, _| !req.del.contains(m));
        for user in add {
            if !g.is_member(&user) {
                g.members.push(user);
            }
        }
        let add_ext = dedup(&req.add_ext, "add_extidlist")?;
        g.ext_members.retain(|m| !req.del_ext.contains(m));
        for user in add_ext {
            if !g.ext_members.contains(&user) {
                g.ext_members.push(user);
            }
        }
        if g.member_count() > MAX_MEMBERS {
            return Err(GroupError::MemberLimit);
        }
        if req.owner_type.is_some() || req.owner.is_some() {
            g.owner_type = check_owner_type(req.owner_type.as_deref())?.to_owned();
        }
        if let Some(owner) = req.owner {
            g.admins.retain(|a| *a != owner);
            g.owner = owner;
        }
        // The owner, new or kept, must still be in the group as its type says.
        let listed = if g.owner_type == "emp" {
            g.is_member(&g.owner)
        } else {
            g.ext_members.contains(&g.owner)
        };
        if !listed {
            return Err(GroupError::NotInGroup(g.owner.clone()));
        }
        if let Some(icon) = req.icon {
            g.icon = icon;
        }
        apply_settings(&mut g.settings, &req.settings)?;
        self.store(g);
        Ok(())
    }

    pub fn set_admins(
        &mut self,
        chatid: &str,
        users: &[String],
        role: AdminRole,
    ) -> GroupResult<()> {
        let mut g = self.live(chatid)?;
        if users.is_empty() {
            return Err(GroupError::Missing("userids"));
        }
        if users.len() > MAX_USERS_PER_CALL {
            return Err(GroupError::UserList(format!(
                "at most {MAX_USERS_PER_CALL} users per call"
            )));
        }
        for user in users {
            if !g.is_member(user) {
                return Err(GroupError::NotInGroup(user.clone()));
            }
            match role {
                AdminRole::Add if *user == g.owner => {
                    return Err(GroupError::Invalid(
                        "userids",
                        format!("{user} owns the group and cannot also be an admin"),
                    ));
                }
                AdminRole::Add if !g.admins.contains(user) => g.admins.push(user.clone()),
                AdminRole::Add => {}
                AdminRole::Remove => g.admins.retain(|a| a != user),
            }
        }
        if g.admins.len() > MAX_ADMINS {
            return Err(GroupError::TooManyAdmins);
        }
        self.store(g);
        Ok(())
    }

    pub fn set_friend_switch(&mut self, chatid: &str, prohibit: bool) -> GroupResult<()> {
        let mut g = self.live(chatid)?;
        g.friend_switch_prohibited = prohibit;
        self.store(g);
        Ok(())
    }

    /// An empty nickname clears it.
    pub fn set_nick(&mut self, chatid: &str, userid: &str, nick: &str) -> GroupResult<()> {
        let mut g = self.live(chatid)?;
        if !g.is_member(userid) {
            return Err(GroupError::NotInGroup(userid.to_owned()));
        }
        if nick.chars().count() > MAX_NAME_CHARS {
            return Err(GroupError::Invalid(
                "group_nick",
                format!("must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        if nick.is_empty() {
            g.nicks.remove(userid);
        } else {
            g.nicks.insert(userid.to_owned(), nick.to_owned());
        }
        self.store(g);
        Ok(())
    }

    /// The join link a member shares; stable per group and sharer.
    pub fn qrcode(&self, chatid: &str, userid: &str) -> GroupResult<String> {
        let g = self.live(chatid)?;
        if !g.is_member(userid) {
            return Err(GroupError::NotInGroup(userid.to_owned()));
        }
        let d = digest(&format!("{chatid}/{userid}"));
        let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&d[..18]);
        Ok(format!(
            "https://qr.dingtalk.com/action/joingroup?code=v1,k1,{code}&_dt_no_comment=1&origin=11"
        ))
    }

    /// One page of members, in joining order, as seen by `operator` (who
    /// must be a member). `offset` is the nextToken.
    pub fn member_page(
        &self,
        cid: &str,
        operator: &str,
        max: usize,
        offset: usize,
    ) -> GroupResult<(Vec<&str>, Option<usize>)> {
        let g = self.by_cid(cid)?;
        if !g.is_member(operator) {
            return Err(GroupError::NotInGroup(operator.to_owned()));
        }
        let page: Vec<&str> = g
            .members
            .iter()
            .skip(offset)
            .take(max)
            .map(String::as_str)
            .collect();
        let next = offset + page.len();
        Ok((page, (next < g.members.len()).then_some(next)))
    }

    /// Live groups `userid` is in whose name contains `key`.
    pub fn search(&self, userid: &str, key: &str, max: usize) -> Vec<&Group> {
        let key = key.to_lowercase();
        self.by_chatid
            .values()
            .filter(|g| g.status == STATUS_NORMAL && g.is_member(userid))
            .filter(|g| g.name.to_lowercase().contains(&key))
            .take(max)
            .collect()
    }

    /// Demo data only: marks a group dismissed (no API dismisses groups).
    pub fn dismiss(&mut self, chatid: &str) {
        if let Some(g) = self.by_chatid.get_mut(chatid) {
            g.status = STATUS_DISMISSED;
        }
    }

    /// Demo data only: a group of any size up to the cap, bypassing the
    /// 40-per-call rule that real groups reach by repeated updates.
    pub fn seed(&mut self, dir: &Directory, mut req: NewGroup) -> GroupResult<String> {
        let rest = req
            .members
            .split_off(req.members.len().min(MAX_USERS_PER_CALL));
        let chatid = self.create(dir, req)?.chatid.clone();
        for chunk in rest.chunks(MAX_USERS_PER_CALL) {
            let update = GroupUpdate {
                add: chunk.to_vec(),
                ..GroupUpdate::default()
            };
            self.update(dir, &chatid, update)?;
        }
        Ok(chatid)
    }
}

/// External contacts are not in the directory: only the per-call limit applies.
fn dedup(users: &[String], field: &str) -> GroupResult<Vec<String>> {
    if users.len() > MAX_USERS_PER_CALL {
        return Err(GroupError::UserList(format!(
            "{field}: at most {MAX_USERS_PER_CALL} per call"
        )));
    }
    let mut out: Vec<String> = Vec::new();
    for u in users {
        if !out.contains(u) {
            out.push(u.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::dingtalk::directory::userid;

    fn users(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
        range.map(userid).collect()
    }

    fn setup() -> (Directory, Groups, String) {
        let dir = Directory::generate(1);
        let mut groups = Groups::default();
        let chatid = groups
            .create(
                &dir,
                NewGroup {
                    name: Some("项目组".into()),
                    owner: Some(userid(1)),
                    members: users(1..=5),
                    ..NewGroup::default()
                },
            )
            .unwrap()
            .chatid
            .clone();
        (dir, groups, chatid)
    }

    #[test]
    fn create_enforces_name_owner_and_call_size() {
        let (dir, mut groups, _) = setup();
        let base = NewGroup {
            name: Some("x".repeat(20)),
            owner: Some(userid(1)),
            members: users(1..=40),
            ..NewGroup::default()
        };
        assert!(groups.create(&dir, base.clone()).is_ok());
        let long = NewGroup {
            name: Some("x".repeat(21)),
            ..base.clone()
        };
        assert!(matches!(
            groups.create(&dir, long),
            Err(GroupError::Invalid("name", _))
        ));
        let many = NewGroup {
            members: users(1..=41),
            ..base.clone()
        };
        assert!(matches!(
            groups.create(&dir, many),
            Err(GroupError::UserList(_))
        ));
        let stranger = NewGroup {
            owner: Some(userid(99)),
            ..base.clone()
        };
        assert!(matches!(
            groups.create(&dir, stranger),
            Err(GroupError::UserList(_))
        ));
        let ghost = NewGroup {
            members: vec![userid(1), "nobody".into()],
            ..base
        };
        assert!(
            matches!(groups.create(&dir, ghost), Err(GroupError::UnknownUser(u)) if u == "nobody")
        );
    }

    #[test]
    fn member_cap_admin_cap_and_atomic_updates() {
        let (dir, mut groups, chatid) = setup();
        let big = groups
            .seed(
                &dir,
                NewGroup {
                    name: Some("big".into()),
                    owner: Some(userid(1)),
                    members: users(1..=1000),
                    ..NewGroup::default()
                },
            )
            .unwrap();
        assert_eq!(groups.get(&big).unwrap().members.len(), 1000);
        let one_more = GroupUpdate {
            add: vec![userid(1001)],
            ..GroupUpdate::default()
        };
        assert_eq!(
            groups.update(&dir, &big, one_more),
            Err(GroupError::MemberLimit)
        );
        // The rename in the same failing call did not happen.
        let rename_and_fail = GroupUpdate {
            name: Some("renamed".into()),
            del: vec![userid(77)],
            ..GroupUpdate::default()
        };
        assert!(groups.update(&dir, &chatid, rename_and_fail).is_err());
        assert_eq!(groups.get(&chatid).unwrap().name, "项目组");

        let admins = users(2..=13);
        groups.set_admins(&big, &admins, AdminRole::Add).unwrap();
        assert_eq!(
            groups.set_admins(&big, &[userid(14)], AdminRole::Add),
            Err(GroupError::TooManyAdmins)
        );
        groups
            .set_admins(&big, &[userid(2)], AdminRole::Remove)
            .unwrap();
        groups
            .set_admins(&big, &[userid(14)], AdminRole::Add)
            .unwrap();
        assert_eq!(
            groups.set_admins(&chatid, &[userid(9)], AdminRole::Add),
            Err(GroupError::NotInGroup(userid(9)))
        );
    }

    #[test]
    fn a_sub_admin_made_owner_is_no_longer_a_sub_admin() {
        let (dir, mut groups, chatid) = setup();
        groups
            .set_admins(&chatid, &users(2..=3), AdminRole::Add)
            .unwrap();
        let transfer = GroupUpdate {
            owner: Some(userid(2)),
            ..GroupUpdate::default()
        };
        groups.update(&dir, &chatid, transfer).unwrap();
        let group = groups.get(&chatid).unwrap();
        assert_eq!(group.owner, userid(2));
        assert_eq!(group.admins, [userid(3)]);
    }

    #[test]
    fn an_owner_must_stay_in_the_group_as_its_type_says() {
        let (dir, mut groups, chatid) = setup();
        let to_ext = GroupUpdate {
            owner_type: Some("ext".into()),
            ..GroupUpdate::default()
        };
        assert_eq!(
            groups.update(&dir, &chatid, to_ext),
            Err(GroupError::NotInGroup(userid(1)))
        );
        let ext_owner = GroupUpdate {
            owner: Some("ext-1".into()),
            owner_type: Some("ext".into()),
            add_ext: vec!["ext-1".into()],
            ..GroupUpdate::default()
        };
        groups.update(&dir, &chatid, ext_owner).unwrap();
        let drop_owner = GroupUpdate {
            del_ext: vec!["ext-1".into()],
            ..GroupUpdate::default()
        };
        assert!(groups.update(&dir, &chatid, drop_owner).is_err());
        assert_eq!(groups.get(&chatid).unwrap().owner, "ext-1");
        assert_eq!(groups.get(&chatid).unwrap().member_count(), 6);
    }

    #[test]
    fn owner_transfer_paging_search_and_dismissal() {
        let (dir, mut groups, chatid) = setup();
        let cid = groups.get(&chatid).unwrap().open_conversation_id.clone();
        assert_eq!(groups.chatid_of(&cid).unwrap(), chatid);
        let no_owner = GroupUpdate {
            del: vec![userid(1)],
            ..GroupUpdate::default()
        };
        assert!(groups.update(&dir, &chatid, no_owner).is_err());
        groups
            .update(
                &dir,
                &chatid,
                GroupUpdate {
                    owner: Some(userid(2)),
                    ..GroupUpdate::default()
                },
            )
            .unwrap();
        assert_eq!(groups.get(&chatid).unwrap().owner, userid(2));
        let (page, next) = groups.member_page(&cid, &userid(3), 2, 0).unwrap();
        assert_eq!((page, next), (vec!["user0001", "user0002"], Some(2)));
        let (page, next) = groups.member_page(&cid, &userid(3), 2, 4).unwrap();
        assert_eq!((page, next), (vec!["user0005"], None));
        assert_eq!(groups.search(&userid(3), "项目", 10).len(), 1);
        assert!(groups.search(&userid(9), "项目", 10).is_empty());
        groups.dismiss(&chatid);
        assert_eq!(
            groups.set_friend_switch(&chatid, true),
            Err(GroupError::Dismissed(chatid.clone()))
        );
        assert_eq!(groups.get(&chatid).unwrap().status, STATUS_DISMISSED);
        assert!(groups.search(&userid(3), "项目", 10).is_empty());
    }
}
