//! New group API (`api.dingtalk.com`, spec 4.3).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::groups::{
    AdminChange, ChatId, GroupBaseInfo, GroupCreate, GroupCreated, GroupMember, GroupSearchHit,
    GroupUpdate, MemberPage, OpenConversationId, UserId, UserSearch,
};

use super::legacy::{WireCreated, without_empty};
use super::{
    Api, Call, DingTalkApp, DingTalkClient, WireSettings, lenient_bool, lenient_int, permission,
};
use crate::upstream::Receipt;
use crate::upstream::error::{Service, UpstreamError};
use crate::upstream::retry::Idempotency;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConverted {
    open_conversation_id: OpenConversationId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBaseInfo {
    result: Option<WireBaseInfoResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBaseInfoResult {
    open_conversation_id: OpenConversationId,
    #[serde(default)]
    title: String,
    icon: Option<String>,
    member_count: Option<u32>,
    /// A string in the official SDK model.
    #[serde(default, deserialize_with = "lenient_int")]
    tag: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMembers {
    #[serde(default)]
    has_more: bool,
    #[serde(default, deserialize_with = "lenient_int")]
    next_token: Option<i64>,
    #[serde(default)]
    list: Vec<WireMember>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMember {
    user_id: UserId,
    name: Option<String>,
    nick_name: Option<String>,
    icon: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSearch {
    #[serde(default)]
    group_infos: Vec<WireSearchHit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSearchHit {
    open_conversation_id: OpenConversationId,
    #[serde(default)]
    title: String,
    icon: Option<String>,
    /// A string in the official SDK model.
    #[serde(default, deserialize_with = "lenient_int")]
    member_amount: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUserSearch {
    #[serde(default)]
    has_more: bool,
    #[serde(default, deserialize_with = "lenient_int")]
    total_count: Option<i64>,
    #[serde(default)]
    list: Vec<UserId>,
}

fn post<'a>(path: &'a str, body: Option<Value>, read: bool, permission: &'static str) -> Call<'a> {
    Call {
        api: Api::New,
        method: Method::POST,
        path,
        query: &[],
        body,
        idempotency: if read {
            Idempotency::Read
        } else {
            Idempotency::Write
        },
        permission,
    }
}

impl DingTalkClient {
    /// ChatIdToOpenConversationId.
    pub async fn open_conversation_id(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
    ) -> Result<OpenConversationId, UpstreamError> {
        // ChatId admits no '/', '?' or '%', so the path keeps its shape.
        let path = format!("/v1.0/im/chat/{chat_id}/convertToOpenConversationId");
        let answer: WireConverted = self
            .call(app, post(&path, None, true, permission::CHAT_READ))
            .await?;
        Ok(answer.open_conversation_id)
    }

    /// ChatSubAdminUpdate.
    pub async fn update_admins(
        &self,
        app: &DingTalkApp,
        group: &OpenConversationId,
        user_ids: &[UserId],
        change: AdminChange,
    ) -> Result<Receipt<bool>, UpstreamError> {
        let body = json!({"openConversationId": group, "userIds": user_ids, "role": change.role()});
        let answer: Receipt<Value> = self
            .call(
                app,
                post(
                    "/v1.0/im/subAdministrators",
                    Some(body),
                    false,
                    permission::CHAT_MANAGE,
                ),
            )
            .await?;
        Ok(answer.map(|a| lenient_bool(&a["success"])))
    }

    /// CreateGroup.
    pub async fn create_group(
        &self,
        app: &DingTalkApp,
        group: &GroupCreate,
    ) -> Result<Receipt<GroupCreated>, UpstreamError> {
        let body = json!({
            "name": group.name,
            "owner": group.owner,
            "useridlist": group.members,
            "managementOptions": WireSettings::from(&group.settings),
        });
        let created: Receipt<WireCreated> = self
            .call(
                app,
                post(
                    "/v1.0/im/group/create",
                    Some(body),
                    false,
                    permission::CHAT_MANAGE,
                ),
            )
            .await?;
        Ok(created.map(Into::into))
    }

    /// UpdateGroup.
    pub async fn update_group(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
        update: &GroupUpdate,
    ) -> Result<Receipt<bool>, UpstreamError> {
        let body = without_empty(json!({
            "chatid": chat_id,
            "name": update.name,
            "owner": update.owner,
            "add_useridlist": update.add_members,
            "del_useridlist": update.remove_members,
            "managementOptions": update.settings.as_ref().map(WireSettings::from),
        }));
        let answer: Receipt<Value> = self
            .call(
                app,
                post(
                    "/v1.0/im/group/update",
                    Some(body),
                    false,
                    permission::CHAT_MANAGE,
                ),
            )
            .await?;
        Ok(answer.map(|a| lenient_bool(&a["success"])))
    }

    /// QueryOpenGroupBaseInfo.
    pub async fn group_base_info(
        &self,
        app: &DingTalkApp,
        group: &OpenConversationId,
    ) -> Result<GroupBaseInfo, UpstreamError> {
        let body = json!({"openConversationId": group});
        let path = "/v1.0/im/groups/baseInfos/query";
        let answer: WireBaseInfo = self
            .call(app, post(path, Some(body), true, permission::CHAT_READ))
            .await?;
        let r = answer.result.ok_or_else(|| {
            UpstreamError::protocol(Service::DingTalk, 200, "baseInfos/query without result")
        })?;
        Ok(GroupBaseInfo {
            open_conversation_id: r.open_conversation_id,
            title: r.title,
            icon: r.icon,
            member_count: r.member_count,
            tag: r.tag,
        })
    }

    /// QueryInnerGroupMemberList, as seen by `operator` (a member), from
    /// `next_token` (`None`: the first page; the API requires a token, `0`).
    pub async fn group_members(
        &self,
        app: &DingTalkApp,
        group: &OpenConversationId,
        operator: &UserId,
        max_results: u32,
        next_token: Option<i64>,
    ) -> Result<MemberPage, UpstreamError> {
        let body = json!({
            "openConversationId": group,
            "userId": operator,
            "maxResults": max_results,
            "nextToken": next_token.unwrap_or(0),
        });
        let path = "/v1.0/im/innerGroups/memberLists/query";
        let answer: WireMembers = self
            .call(app, post(path, Some(body), true, permission::CHAT_READ))
            .await?;
        Ok(MemberPage {
            members: answer
                .list
                .into_iter()
                .map(|m| GroupMember {
                    user_id: m.user_id,
                    name: m.name,
                    nick_name: m.nick_name,
                    icon: m.icon,
                })
                .collect(),
            has_more: answer.has_more,
            next_token: answer.next_token,
        })
    }

    /// SearchInnerGroups: groups of `user_id` matching `search_key`.
    pub async fn search_groups(
        &self,
        app: &DingTalkApp,
        user_id: &UserId,
        search_key: &str,
        max_results: u32,
    ) -> Result<Vec<GroupSearchHit>, UpstreamError> {
        let body = json!({"userId": user_id, "searchKey": search_key, "maxResults": max_results});
        let path = "/v1.0/im/innerGroups/search";
        let answer: WireSearch = self
            .call(app, post(path, Some(body), true, permission::CHAT_READ))
            .await?;
        Ok(answer
            .group_infos
            .into_iter()
            .map(|g| GroupSearchHit {
                open_conversation_id: g.open_conversation_id,
                title: g.title,
                icon: g.icon,
                member_amount: g.member_amount.and_then(|n| u32::try_from(n).ok()),
            })
            .collect())
    }
}

impl DingTalkClient {
    /// Contact search (`/v1.0/contact/users/search`): people whose name,
    /// pinyin or English name holds `word` (`exact`: whose name is `word`),
    /// `size` (at most 50) from `offset`.
    pub async fn search_users(
        &self,
        app: &DingTalkApp,
        word: &str,
        offset: u32,
        size: u32,
        exact: bool,
    ) -> Result<UserSearch, UpstreamError> {
        let mut body = json!({"queryWord": word, "offset": offset, "size": size.clamp(1, 50)});
        if exact {
            body["fullMatchField"] = json!(1);
        }
        let path = "/v1.0/contact/users/search";
        let answer: WireUserSearch = self
            .call(app, post(path, Some(body), true, permission::GET_MEMBER))
            .await?;
        Ok(UserSearch {
            user_ids: answer.list,
            has_more: answer.has_more,
            total_count: answer
                .total_count
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or_default(),
        })
    }
}
