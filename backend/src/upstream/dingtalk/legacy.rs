//! Legacy group calls (`oapi`, spec 4.2), used by the seed workflow. The new
//! API (new.rs) is preferred where both exist.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::groups::{
    AdminChange, ChatId, GroupCreate, GroupCreated, GroupInfo, GroupSettings, GroupUpdate,
    OpenConversationId, UserId,
};

use super::{Api, Call, DingTalkApp, DingTalkClient, WireSettings, lenient_bool, permission};
use crate::upstream::Receipt;
use crate::upstream::error::{Service, UpstreamError};
use crate::upstream::retry::Idempotency;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireCreated {
    chatid: ChatId,
    open_conversation_id: Option<OpenConversationId>,
    conversation_tag: Option<i64>,
}

impl From<WireCreated> for GroupCreated {
    fn from(w: WireCreated) -> Self {
        GroupCreated {
            chat_id: w.chatid,
            open_conversation_id: w.open_conversation_id,
            conversation_tag: w.conversation_tag,
        }
    }
}

#[derive(Deserialize)]
struct WireChatGet {
    chat_info: WireChatInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireChatInfo {
    #[serde(default)]
    name: String,
    owner: Option<UserId>,
    #[serde(default)]
    useridlist: Vec<UserId>,
    conversation_tag: Option<i64>,
    #[serde(default)]
    chat_banned_type: u8,
    #[serde(default)]
    searchable: u8,
    #[serde(default)]
    validation_type: u8,
    #[serde(default)]
    mention_all_authority: u8,
    #[serde(default)]
    management_type: u8,
    #[serde(default)]
    show_history_type: u8,
    icon: Option<String>,
    status: Option<i64>,
}

#[derive(Deserialize)]
struct WireResult {
    result: Option<String>,
}

/// The fields of a member list or settings change in a create or update.
pub(super) fn group_body(settings: Option<&GroupSettings>, fields: Value) -> Value {
    let mut body = fields;
    if let (Some(settings), Some(map)) = (settings, body.as_object_mut())
        && let Ok(Value::Object(flags)) = serde_json::to_value(WireSettings::from(settings))
    {
        map.extend(flags);
    }
    body
}

/// Drops `null`s and empty lists, which DingTalk would read as "clear".
pub(super) fn without_empty(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
    }
    body
}

fn comma_list(ids: &[UserId]) -> String {
    ids.iter().map(UserId::as_str).collect::<Vec<_>>().join(",")
}

impl DingTalkClient {
    /// A `topapi` group-management call whose answer is `success`.
    async fn topapi_manage(
        &self,
        app: &DingTalkApp,
        path: &'static str,
        body: Value,
    ) -> Result<Receipt<bool>, UpstreamError> {
        let answer: Receipt<Value> = self
            .call(
                app,
                legacy(Method::POST, path, body, permission::CHAT_MANAGE),
            )
            .await?;
        Ok(answer.map(|a| lenient_bool(&a["success"])))
    }

    /// `POST /chat/create`.
    pub async fn legacy_create_group(
        &self,
        app: &DingTalkApp,
        group: &GroupCreate,
    ) -> Result<Receipt<GroupCreated>, UpstreamError> {
        let body = group_body(
            Some(&group.settings),
            json!({"name": group.name, "owner": group.owner, "useridlist": group.members}),
        );
        let created: Receipt<WireCreated> = self
            .call(
                app,
                legacy(Method::POST, "/chat/create", body, permission::CHAT_MANAGE),
            )
            .await?;
        Ok(created.map(Into::into))
    }

    /// `GET /chat/get`.
    pub async fn legacy_get_group(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
    ) -> Result<GroupInfo, UpstreamError> {
        let call = Call {
            api: Api::Legacy,
            method: Method::GET,
            path: "/chat/get",
            query: &[("chatid", chat_id.as_str())],
            body: None,
            idempotency: Idempotency::Read,
            permission: permission::CHAT_READ,
        };
        let WireChatGet { chat_info: i } = self.call(app, call).await?;
        Ok(GroupInfo {
            chat_id: chat_id.clone(),
            name: i.name,
            owner: i.owner,
            members: i.useridlist,
            organization_group: i.conversation_tag == Some(2),
            settings: GroupSettings {
                muted: i.chat_banned_type == 1,
                searchable: i.searchable == 1,
                join_needs_approval: i.validation_type == 1,
                only_owner_mentions_all: i.mention_all_authority == 1,
                only_owner_manages: i.management_type == 1,
                new_members_see_history: i.show_history_type == 1,
            },
            icon: i.icon.filter(|s| !s.is_empty()),
            dismissed: i.status == Some(2),
        })
    }

    /// `POST /chat/update`.
    pub async fn legacy_update_group(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
        update: &GroupUpdate,
    ) -> Result<Receipt<()>, UpstreamError> {
        let body = without_empty(group_body(
            update.settings.as_ref(),
            json!({
                "chatid": chat_id,
                "name": update.name,
                "owner": update.owner,
                "add_useridlist": update.add_members,
                "del_useridlist": update.remove_members,
            }),
        ));
        let answer: Receipt<Value> = self
            .call(
                app,
                legacy(Method::POST, "/chat/update", body, permission::CHAT_MANAGE),
            )
            .await?;
        Ok(answer.map(drop))
    }

    /// `POST /topapi/chat/subadmin/update`.
    pub async fn legacy_update_admins(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
        user_ids: &[UserId],
        change: AdminChange,
    ) -> Result<Receipt<bool>, UpstreamError> {
        let body =
            json!({"chatid": chat_id, "userids": comma_list(user_ids), "role": change.role()});
        let path = "/topapi/chat/subadmin/update";
        self.topapi_manage(app, path, body).await
    }

    /// `POST /topapi/chat/member/friendswitch/update`: forbid or allow
    /// members to add each other as friends.
    pub async fn legacy_set_friend_switch(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
        prohibit: bool,
    ) -> Result<Receipt<bool>, UpstreamError> {
        let body = json!({"chatid": chat_id, "is_prohibit": prohibit});
        let path = "/topapi/chat/member/friendswitch/update";
        self.topapi_manage(app, path, body).await
    }

    /// `POST /topapi/chat/updategroupnick`.
    pub async fn legacy_set_group_nick(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
        user_id: &UserId,
        nick: &str,
    ) -> Result<Receipt<bool>, UpstreamError> {
        let body = json!({"chatid": chat_id, "userid": user_id, "group_nick": nick});
        let path = "/topapi/chat/updategroupnick";
        self.topapi_manage(app, path, body).await
    }

    /// `POST /topapi/chat/qrcode/get`: the join link `sharer` shares.
    pub async fn legacy_group_join_link(
        &self,
        app: &DingTalkApp,
        chat_id: &ChatId,
        sharer: &UserId,
    ) -> Result<String, UpstreamError> {
        let body = json!({"chatid": chat_id, "userid": sharer});
        let mut call = legacy(
            Method::POST,
            "/topapi/chat/qrcode/get",
            body,
            permission::CHAT_BASE_READ,
        );
        call.idempotency = Idempotency::Read;
        let answer: WireResult = self.call(app, call).await?;
        answer.result.ok_or_else(|| {
            UpstreamError::protocol(Service::DingTalk, 200, "qrcode/get without result")
        })
    }
}

/// A legacy write with a JSON body.
pub(super) fn legacy<'a>(
    method: Method,
    path: &'a str,
    body: Value,
    permission: &'static str,
) -> Call<'a> {
    Call {
        api: Api::Legacy,
        method,
        path,
        query: &[],
        body: Some(body),
        idempotency: Idempotency::Write,
        permission,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_bodies_leave_out_what_does_not_change() {
        let body = without_empty(group_body(
            Some(&GroupSettings {
                muted: true,
                ..GroupSettings::default()
            }),
            json!({"chatid": "c", "name": null, "add_useridlist": ["u1"], "del_useridlist": []}),
        ));
        assert_eq!(
            body,
            json!({
                "chatid": "c", "add_useridlist": ["u1"], "chatBannedType": 1, "searchable": 0,
                "validationType": 0, "mentionAllAuthority": 0, "managementType": 0,
                "showHistoryType": 0
            })
        );
        assert_eq!(
            comma_list(&[UserId::parse("a").unwrap(), UserId::parse("b").unwrap()]),
            "a,b"
        );
    }
}
