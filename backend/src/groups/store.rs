//! The group catalogue in chatdesk's database (`0400_groups.sql`): groups per
//! DingTalk app with their members as last read, console labels, and what
//! DingTalk cannot read back (admins appointed, private chat, nicknames).

use std::collections::HashMap;

use shared::groups::{
    CATALOGUE_PAGE, CatalogueGroup, CataloguePage, CatalogueQuery, ChatId, Label, LastSet,
    OpenConversationId, UserId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::{Db, new_id, now_ms};

/// How a group came into the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Created,
    Imported,
    Demo,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Created => "created",
            Source::Imported => "imported",
            Source::Demo => "demo",
        }
    }
}

/// A group as DingTalk described it at one read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub chat_id: ChatId,
    pub open_conversation_id: Option<OpenConversationId>,
    pub name: String,
    pub owner: Option<UserId>,
    /// Members in joining order, with names when known.
    pub members: Vec<(UserId, Option<String>)>,
    pub dismissed: bool,
}

impl Snapshot {
    fn owner_name(&self) -> Option<&str> {
        let owner = self.owner.as_ref()?;
        self.members
            .iter()
            .find(|(id, _)| id == owner)
            .and_then(|(_, name)| name.as_deref())
    }
}

const COLUMNS: &str = "g.id, g.app_id, a.name AS app_name, g.chat_id, g.open_conversation_id, \
     g.name, g.owner, g.owner_name, g.member_count, g.dismissed, g.refreshed_at";

fn parse<T>(
    field: &str,
    value: &str,
    f: impl Fn(&str) -> Result<T, shared::validate::InvalidField>,
) -> Result<T, sqlx::Error> {
    f(value).map_err(|e| sqlx::Error::Decode(format!("stored {field} {value:?}: {e}").into()))
}

fn group_of(row: &AnyRow, labels: Vec<Label>) -> Result<CatalogueGroup, sqlx::Error> {
    let ocid: Option<String> = row.try_get("open_conversation_id")?;
    let owner: Option<String> = row.try_get("owner")?;
    Ok(CatalogueGroup {
        id: row.try_get("id")?,
        app_id: row.try_get("app_id")?,
        app_name: row.try_get("app_name")?,
        chat_id: parse(
            "chat_id",
            &row.try_get::<String, _>("chat_id")?,
            ChatId::parse,
        )?,
        open_conversation_id: ocid
            .map(|c| parse("open_conversation_id", &c, OpenConversationId::parse))
            .transpose()?,
        name: row.try_get("name")?,
        owner: owner
            .map(|o| parse("owner", &o, UserId::parse))
            .transpose()?,
        owner_name: row.try_get("owner_name")?,
        member_count: u32::try_from(row.try_get::<i64, _>("member_count")?).unwrap_or(0),
        dismissed: row.try_get::<i64, _>("dismissed")? != 0,
        labels,
        refreshed_at: row.try_get("refreshed_at")?,
    })
}

/// `LIKE` pattern for "contains `q`", any case, wildcards escaped.
fn contains_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of the catalogue, by name, across every app unless filtered.
pub async fn page(db: &Db, query: &CatalogueQuery) -> Result<CataloguePage, sqlx::Error> {
    let q = query.q.as_deref().map(str::trim).unwrap_or_default();
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let next = |binds: &mut Vec<String>, value: String| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if !q.is_empty() {
        let pattern = contains_pattern(q);
        let p: Vec<String> = (0..5).map(|_| next(&mut binds, pattern.clone())).collect();
        clauses.push(format!(
            "(LOWER(g.name) LIKE {} ESCAPE '\\' OR LOWER(COALESCE(g.owner_name, '')) LIKE {} ESCAPE '\\' \
             OR LOWER(COALESCE(g.owner, '')) LIKE {} ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM dingtalk_group_members m WHERE m.group_id = g.id \
                 AND (LOWER(COALESCE(m.name, '')) LIKE {} ESCAPE '\\' OR LOWER(m.user_id) LIKE {} ESCAPE '\\')))",
            p[0], p[1], p[2], p[3], p[4]
        ));
    }
    if let Some(app) = query.app_id.as_deref().filter(|a| !a.is_empty()) {
        clauses.push(format!("g.app_id = {}", next(&mut binds, app.to_owned())));
    }
    if let Some(label) = query.label.as_deref().filter(|l| !l.is_empty()) {
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM dingtalk_group_labels l WHERE l.group_id = g.id AND l.label = {})",
            next(&mut binds, label.to_owned())
        ));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let from = "FROM dingtalk_groups g JOIN dingtalk_apps a ON a.id = g.app_id";
    let count_sql = format!("SELECT COUNT(*) AS n {from} {filter}");
    let mut count = sqlx::query(&count_sql);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total =
        u64::try_from(count.fetch_one(db.pool()).await?.try_get::<i64, _>("n")?).unwrap_or(0);
    let offset = query.offset.unwrap_or(0);
    let sql = format!(
        "SELECT {COLUMNS} {from} {filter} ORDER BY g.name, g.id LIMIT {CATALOGUE_PAGE} OFFSET {}",
        i64::try_from(offset).unwrap_or(i64::MAX)
    );
    let mut select = sqlx::query(&sql);
    for b in &binds {
        select = select.bind(b.clone());
    }
    let rows = select.fetch_all(db.pool()).await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut labels = labels_of(db, &ids).await?;
    let groups = rows
        .iter()
        .zip(&ids)
        .map(|(row, id)| group_of(row, labels.remove(id).unwrap_or_default()))
        .collect::<Result<Vec<_>, _>>()?;
    let end = offset + groups.len() as u64;
    Ok(CataloguePage {
        groups,
        total,
        next_offset: (end < total).then_some(end),
    })
}

async fn labels_of(db: &Db, ids: &[String]) -> Result<HashMap<String, Vec<Label>>, sqlx::Error> {
    let mut out: HashMap<String, Vec<Label>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT group_id, label FROM dingtalk_group_labels WHERE group_id IN ({}) ORDER BY label",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.clone());
    }
    for row in query.fetch_all(db.pool()).await? {
        let label: String = row.try_get("label")?;
        out.entry(row.try_get("group_id")?).or_default().push(parse(
            "label",
            &label,
            Label::parse,
        )?);
    }
    Ok(out)
}

/// One catalogue entry by its console id.
pub async fn get(db: &Db, id: &str) -> Result<Option<CatalogueGroup>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM dingtalk_groups g JOIN dingtalk_apps a ON a.id = g.app_id WHERE g.id = $1"
    );
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let mut labels = labels_of(db, &[id.to_owned()]).await?;
    group_of(&row, labels.remove(id).unwrap_or_default()).map(Some)
}

/// The console id of `chat_id` in `app_id`'s catalogue.
pub async fn find(db: &Db, app_id: &str, chat_id: &ChatId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT id FROM dingtalk_groups WHERE app_id = $1 AND chat_id = $2")
        .bind(app_id)
        .bind(chat_id.as_str())
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("id"))
        .transpose()
}

/// Stores what DingTalk said about a group: a new entry, or the existing
/// one refreshed (its members replaced). Returns the console id.
pub async fn upsert(
    conn: &mut AnyConnection,
    app_id: &str,
    snapshot: &Snapshot,
    source: Source,
) -> Result<String, sqlx::Error> {
    let now = now_ms();
    let row = sqlx::query(
        "INSERT INTO dingtalk_groups (id, app_id, chat_id, open_conversation_id, name, owner, \
         owner_name, member_count, dismissed, source, created_at, refreshed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (app_id, chat_id) DO UPDATE SET \
         open_conversation_id = COALESCE(excluded.open_conversation_id, dingtalk_groups.open_conversation_id), \
         name = excluded.name, owner = excluded.owner, owner_name = excluded.owner_name, \
         member_count = excluded.member_count, dismissed = excluded.dismissed, \
         refreshed_at = excluded.refreshed_at \
         RETURNING id",
    )
    .bind(new_id())
    .bind(app_id)
    .bind(snapshot.chat_id.as_str())
    .bind(snapshot.open_conversation_id.as_ref().map(|c| c.as_str().to_owned()))
    .bind(&snapshot.name)
    .bind(snapshot.owner.as_ref().map(|o| o.as_str().to_owned()))
    .bind(snapshot.owner_name().map(str::to_owned))
    .bind(i64::try_from(snapshot.members.len()).unwrap_or(i64::MAX))
    .bind(i64::from(snapshot.dismissed))
    .bind(source.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: String = row.try_get("id")?;
    replace_members(conn, &id, &snapshot.members).await?;
    Ok(id)
}

async fn replace_members(
    conn: &mut AnyConnection,
    id: &str,
    members: &[(UserId, Option<String>)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dingtalk_group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (chunk_no, chunk) in members.chunks(200).enumerate() {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    i * 4 + 1,
                    i * 4 + 2,
                    i * 4 + 3,
                    i * 4 + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO dingtalk_group_members (group_id, user_id, name, position) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (i, (user, name)) in chunk.iter().enumerate() {
            query = query
                .bind(id.to_owned())
                .bind(user.as_str().to_owned())
                .bind(name.clone())
                .bind(i64::try_from(chunk_no * 200 + i).unwrap_or(i64::MAX));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Members as last read, in joining order.
pub async fn members(db: &Db, id: &str) -> Result<Vec<(UserId, Option<String>)>, sqlx::Error> {
    let sql =
        "SELECT user_id, name FROM dingtalk_group_members WHERE group_id = $1 ORDER BY position";
    rows_of(db, sql, id)
        .await?
        .iter()
        .map(|r| Ok((user_id(r)?, r.try_get("name")?)))
        .collect()
}

/// The rows `sql` selects for the group `id` (its `$1`).
async fn rows_of(db: &Db, sql: &'static str, id: &str) -> Result<Vec<AnyRow>, sqlx::Error> {
    sqlx::query(sql).bind(id).fetch_all(db.pool()).await
}

/// A row's `user_id`.
fn user_id(row: &AnyRow) -> Result<UserId, sqlx::Error> {
    let user: String = row.try_get("user_id")?;
    parse("user_id", &user, UserId::parse)
}

pub async fn set_labels(
    conn: &mut AnyConnection,
    id: &str,
    labels: &[Label],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dingtalk_group_labels WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for label in labels {
        sqlx::query("INSERT INTO dingtalk_group_labels (group_id, label) VALUES ($1, $2)")
            .bind(id)
            .bind(label.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Admins appointed through chatdesk.
pub async fn admins(db: &Db, id: &str) -> Result<Vec<UserId>, sqlx::Error> {
    let sql =
        "SELECT user_id FROM dingtalk_group_admins WHERE group_id = $1 ORDER BY set_at, user_id";
    rows_of(db, sql, id).await?.iter().map(user_id).collect()
}

pub async fn set_admin(
    db: &Db,
    id: &str,
    user: &UserId,
    admin: bool,
    by: &str,
) -> Result<(), sqlx::Error> {
    if admin {
        sqlx::query(
            "INSERT INTO dingtalk_group_admins (group_id, user_id, set_by, set_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id, user_id) DO UPDATE SET set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(id)
        .bind(user.as_str())
        .bind(by)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    } else {
        sqlx::query("DELETE FROM dingtalk_group_admins WHERE group_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.as_str())
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

pub async fn private_chat(db: &Db, id: &str) -> Result<Option<LastSet<bool>>, sqlx::Error> {
    sqlx::query(
        "SELECT allowed, set_by, set_at FROM dingtalk_group_private_chat WHERE group_id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| last_set(&r, r.try_get::<i64, _>("allowed")? != 0))
    .transpose()
}

/// `value` with the row's `set_by` and `set_at`.
fn last_set<T>(row: &AnyRow, value: T) -> Result<LastSet<T>, sqlx::Error> {
    Ok(LastSet {
        value,
        by: row.try_get("set_by")?,
        at: row.try_get("set_at")?,
    })
}

pub async fn set_private_chat(
    db: &Db,
    id: &str,
    allowed: bool,
    by: &str,
) -> Result<LastSet<bool>, sqlx::Error> {
    let at = now_ms();
    sqlx::query(
        "INSERT INTO dingtalk_group_private_chat (group_id, allowed, set_by, set_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (group_id) DO UPDATE SET allowed = excluded.allowed, set_by = excluded.set_by, \
         set_at = excluded.set_at",
    )
    .bind(id)
    .bind(i64::from(allowed))
    .bind(by)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(LastSet {
        value: allowed,
        by: by.to_owned(),
        at,
    })
}

pub async fn nicknames(db: &Db, id: &str) -> Result<HashMap<UserId, LastSet<String>>, sqlx::Error> {
    let sql = "SELECT user_id, nickname, set_by, set_at FROM dingtalk_group_nicknames \
               WHERE group_id = $1";
    rows_of(db, sql, id)
        .await?
        .iter()
        .map(|r| Ok((user_id(r)?, last_set(r, r.try_get("nickname")?)?)))
        .collect()
}

/// Records a nickname set through chatdesk; an empty one is recorded too
/// ("cleared by ... at ...").
pub async fn set_nickname(
    db: &Db,
    id: &str,
    user: &UserId,
    nickname: &str,
    by: &str,
) -> Result<LastSet<String>, sqlx::Error> {
    let at = now_ms();
    sqlx::query(
        "INSERT INTO dingtalk_group_nicknames (group_id, user_id, nickname, set_by, set_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (group_id, user_id) DO UPDATE SET \
         nickname = excluded.nickname, set_by = excluded.set_by, set_at = excluded.set_at",
    )
    .bind(id)
    .bind(user.as_str())
    .bind(nickname)
    .bind(by)
    .bind(at)
    .execute(db.pool())
    .await?;
    Ok(LastSet {
        value: nickname.to_owned(),
        by: by.to_owned(),
        at,
    })
}

/// The oldest DingTalk app stored under `app_key` (the sandbox's), by id.
pub async fn app_by_key(db: &Db, app_key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT id FROM dingtalk_apps WHERE app_key = $1 ORDER BY created_at LIMIT 1")
        .bind(app_key)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("id"))
        .transpose()
}

/// How many groups of the app `app_id` the catalogue holds.
pub async fn count(db: &Db, app_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM dingtalk_groups WHERE app_id = $1")
        .bind(app_id)
        .fetch_one(db.pool())
        .await?
        .try_get("n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("Ab"), "%ab%");
        assert_eq!(contains_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}
