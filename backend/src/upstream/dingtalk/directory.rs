//! Directory reads (legacy API, spec 4.4): members by name, departments.

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::groups::{Department, DirectoryLang, DirectoryUser, UserBrief, UserId, UserPage};

use super::legacy::legacy;
use super::{DingTalkApp, DingTalkClient, permission};
use crate::upstream::error::UpstreamError;
use crate::upstream::retry::Idempotency;

#[derive(Deserialize)]
struct WireResult<T> {
    result: T,
}

#[derive(Deserialize)]
struct WireUser {
    userid: UserId,
    unionid: Option<String>,
    #[serde(default)]
    name: String,
    avatar: Option<String>,
    title: Option<String>,
    #[serde(default)]
    dept_id_list: Vec<i64>,
    active: Option<bool>,
    admin: Option<bool>,
}

#[derive(Deserialize)]
struct WireUserPage {
    #[serde(default)]
    has_more: bool,
    next_cursor: Option<i64>,
    #[serde(default)]
    list: Vec<WireBrief>,
}

#[derive(Deserialize)]
struct WireBrief {
    userid: UserId,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct WireDepartment {
    dept_id: i64,
    #[serde(default)]
    name: String,
    parent_id: Option<i64>,
}

impl DingTalkClient {
    async fn directory_read<T: DeserializeOwned>(
        &self,
        app: &DingTalkApp,
        path: &'static str,
        body: Value,
    ) -> Result<T, UpstreamError> {
        let mut call = legacy(Method::POST, path, body, permission::GET_MEMBER);
        call.idempotency = Idempotency::Read;
        let answer: WireResult<T> = self.call(app, call).await?;
        Ok(answer.result)
    }

    /// `POST /topapi/v2/user/get`.
    pub async fn user(
        &self,
        app: &DingTalkApp,
        user_id: &UserId,
        lang: DirectoryLang,
    ) -> Result<DirectoryUser, UpstreamError> {
        let body = json!({"userid": user_id, "language": lang.as_str()});
        let u: WireUser = self
            .directory_read(app, "/topapi/v2/user/get", body)
            .await?;
        Ok(DirectoryUser {
            user_id: u.userid,
            union_id: u.unionid,
            name: u.name,
            avatar: u.avatar.filter(|a| !a.is_empty()),
            title: u.title.filter(|t| !t.is_empty()),
            dept_ids: u.dept_id_list,
            active: u.active,
            admin: u.admin,
        })
    }

    /// `POST /topapi/user/listsimple`: a department's members, `size` at
    /// most 100 from `cursor` (0 first).
    pub async fn department_users(
        &self,
        app: &DingTalkApp,
        dept_id: i64,
        cursor: i64,
        size: u32,
        lang: DirectoryLang,
    ) -> Result<UserPage, UpstreamError> {
        let body = json!({
            "dept_id": dept_id, "cursor": cursor, "size": size.min(100), "language": lang.as_str()
        });
        let page: WireUserPage = self
            .directory_read(app, "/topapi/user/listsimple", body)
            .await?;
        Ok(UserPage {
            users: page
                .list
                .into_iter()
                .map(|b| UserBrief {
                    user_id: b.userid,
                    name: b.name,
                })
                .collect(),
            has_more: page.has_more,
            next_cursor: page.next_cursor,
        })
    }

    /// `POST /topapi/v2/department/listsub`: the sub-departments of `dept_id`
    /// (1 = root).
    pub async fn departments(
        &self,
        app: &DingTalkApp,
        dept_id: i64,
        lang: DirectoryLang,
    ) -> Result<Vec<Department>, UpstreamError> {
        let body = json!({"dept_id": dept_id, "language": lang.as_str()});
        let list: Vec<WireDepartment> = self
            .directory_read(app, "/topapi/v2/department/listsub", body)
            .await?;
        Ok(list
            .into_iter()
            .map(|d| Department {
                dept_id: d.dept_id,
                name: d.name,
                parent_id: d.parent_id,
            })
            .collect())
    }
}
