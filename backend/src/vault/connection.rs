//! "Test connection": one harmless read with a stored credential, through
//! the same clients (and, by default, the sandbox) as every other call, so
//! an admin learns at once whether a key, secret or permission is wrong.

use axum::extract::{Path, State};
use axum::http::Method;
use shared::auth::Action;
use shared::chat_configs::{ListQuery, RegionId};
use shared::vault::ConnectionCheck;

use super::{AlibabaCredentials, DingTalkCredentials};
use crate::api::{Access, ApiRoute, route};
use crate::error::ApiError;
use crate::server::AppState;
use crate::upstream::acs::AcsCredentials;
use crate::upstream::dingtalk::DingTalkApp;
use crate::upstream::error::UpstreamError;

/// The region probed when an account names none.
const DEFAULT_REGION: &str = "cn-hangzhou";

impl AlibabaCredentials {
    pub fn acs(&self) -> AcsCredentials {
        AcsCredentials {
            access_key_id: self.access_key_id.clone(),
            access_key_secret: self.access_key_secret.clone(),
            security_token: self.sts_token.clone(),
            signature: self.signature,
        }
    }
}

impl DingTalkCredentials {
    pub fn app(&self) -> DingTalkApp {
        DingTalkApp {
            app_key: self.app_key.clone(),
            app_secret: self.app_secret.clone(),
            site: self.site,
        }
    }
}

pub fn routes() -> Vec<ApiRoute> {
    let manage = Access::Allowed(Action::CredentialsManage);
    vec![
        route(
            Method::POST,
            "/credentials/alibaba/{id}/test",
            manage,
            test_alibaba,
        ),
        route(
            Method::POST,
            "/credentials/dingtalk/{id}/test",
            manage,
            test_dingtalk,
        ),
    ]
}

fn report(result: Result<String, UpstreamError>) -> ConnectionCheck {
    match result {
        Ok(message) => ConnectionCheck {
            ok: true,
            message,
            request_id: None,
        },
        Err(err) => ConnectionCheck {
            ok: false,
            message: ApiError::from(err.clone()).to_string(),
            request_id: err.request_id,
        },
    }
}

async fn test_alibaba(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<ConnectionCheck>, ApiError> {
    Ok(axum::Json(check_alibaba(&s, &id).await?))
}

async fn test_dingtalk(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<ConnectionCheck>, ApiError> {
    Ok(axum::Json(check_dingtalk(&s, &id).await?))
}

/// Lists the account's chat configurations in its first region.
pub async fn check_alibaba(s: &AppState, id: &str) -> Result<ConnectionCheck, ApiError> {
    let account = s.vault.alibaba_account(id).await?;
    let region = account
        .regions
        .first()
        .map_or(DEFAULT_REGION, String::as_str);
    let region =
        RegionId::parse(region).map_err(|e| ApiError::invalid("regions", e.to_string()))?;
    let listed = s
        .upstream
        .oos
        .list(&account.acs(), &region, &ListQuery::default())
        .await
        .map(|configs| {
            format!(
                "OOS in {region} accepted the key: {} chat configurations",
                configs.len()
            )
        });
    Ok(report(listed))
}

/// Gets an access token for the app.
pub async fn check_dingtalk(s: &AppState, id: &str) -> Result<ConnectionCheck, ApiError> {
    let app = s.vault.dingtalk_app(id).await?;
    let checked = s
        .upstream
        .dingtalk
        .check_app(&app.app())
        .await
        .map(|()| "DingTalk issued an access token for this app".to_owned());
    Ok(report(checked))
}
