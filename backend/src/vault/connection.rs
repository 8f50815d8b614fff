//! "Test connection": one harmless read with a stored credential, through
//! the same clients (and, by default, the sandbox) as every other call, so
//! an admin learns at once whether a key, secret or permission is wrong.

use shared::chat_configs::ListQuery;
use shared::ids::RegionId;
use shared::vault::ConnectionCheck;

use super::{AlibabaCredentials, DingTalkCredentials, Vault, VaultError, invalid};
use crate::error::ApiError;
use crate::upstream::Upstream;
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

/// A check's outcome as the UI shows it: what was tried, or the upstream's
/// refusal with its RequestId.
pub fn report(result: Result<String, UpstreamError>) -> ConnectionCheck {
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

/// Lists the account's chat configurations in its first region.
pub async fn check_alibaba(
    vault: &Vault,
    upstream: &Upstream,
    id: &str,
) -> Result<ConnectionCheck, VaultError> {
    let account = vault.alibaba_account(id).await?;
    let region = account
        .regions
        .first()
        .map_or(DEFAULT_REGION, String::as_str);
    let region = RegionId::parse(region).map_err(|e| invalid("regions", e.to_string()))?;
    let listed = upstream
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
pub async fn check_dingtalk(
    vault: &Vault,
    upstream: &Upstream,
    id: &str,
) -> Result<ConnectionCheck, VaultError> {
    let app = vault.dingtalk_app(id).await?;
    let checked = upstream
        .dingtalk
        .check_app(&app.app())
        .await
        .map(|()| "DingTalk issued an access token for this app".to_owned());
    Ok(report(checked))
}
