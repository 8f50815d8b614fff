//! Every change to a chat configuration planned before anything is sent,
//! as pure functions from the parsed form (and, for an update, the current
//! state) to a [`Plan`]: the upstream's `Configuration` JSON, the secrets
//! to keep sealed (re-sent when the Configuration changes, never a mask),
//! and what the audit trail and the preview show.

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use shared::audit::FieldChange;
use shared::chat_configs::{
    ChatConfig, ChatConfigFields, ChatPlatform, ConfigRef, Configuration, DINGTALK_CLIENT_ID,
    DINGTALK_CLIENT_SECRET, DINGTALK_TEMPLATE_ID, Label, NewChatConfig, SecretChange, SettingValue,
    WeComValue, secret_field,
};
use shared::validate::{InvalidField, Problem};

use super::ChatConfigError;
use super::store::{HeldSecrets, Instance};
use crate::audit::{self, Target, TargetKind};
use crate::upstream::oos::ChatConfigWrite;

/// The audit target of a configuration: its account, region and name.
pub fn target(config: &ConfigRef) -> Target {
    Target::new(
        TargetKind::ChatConfig,
        target_id(config),
        format!("{} ({})", config.name, config.region_id),
    )
}

pub fn target_id(config: &ConfigRef) -> String {
    format!("{}/{}/{}", config.account_id, config.region_id, config.name)
}

/// A short, non-reversible tag of a secret: the audit trail compares these
/// (as "changed"/"unchanged") and never shows them.
fn digest(secret: &SecretString) -> String {
    hex::encode(&Sha256::digest(secret.expose_secret().as_bytes())[..8])
}

/// A secret chatdesk does not hold (created outside): its digest is unknown.
const NOT_HELD: &str = "not held";

/// The `Configuration` to send, built from typed fields, and what comes
/// with it.
pub struct Built {
    /// The JSON text, secrets inside.
    pub text: SecretString,
    /// Every secret it carries, to hold afterwards.
    pub secrets: HeldSecrets,
    /// The configuration as the audit trail sees it (secrets as digests).
    pub audit: Value,
}

/// Builds the `Configuration` JSON: a kept secret is the one chatdesk
/// holds for this instance; one it does not hold (the configuration was
/// created outside chatdesk, or deleted and re-created there) must be
/// given again.
pub fn build_configuration(
    configuration: &Configuration,
    held: &HeldSecrets,
) -> Result<Built, ChatConfigError> {
    let secret = |key: &str, change: &SecretChange| -> Result<SecretString, ChatConfigError> {
        match change {
            SecretChange::Set(input) => Ok(SecretString::from(input.clone().into_exposed())),
            SecretChange::Keep => held.get(key).cloned().ok_or_else(|| {
                ChatConfigError::Invalid(
                    InvalidField::new(
                        secret_field(configuration, key),
                        "this configuration was created outside chatdesk, which never saw its \
                         secret: give it again to change the configuration (changing only the \
                         RAM role does not need it)",
                    )
                    .because(Problem::Required),
                )
            }),
        }
    };
    // (key, plain value or secret), in the order the form shows them.
    let mut items: Vec<(String, Result<String, SecretString>)> = Vec::new();
    match configuration {
        Configuration::DingTalk(d) => {
            items.push((DINGTALK_CLIENT_ID.into(), Ok(d.client_id.to_string())));
            items.push((
                DINGTALK_CLIENT_SECRET.into(),
                Err(secret(DINGTALK_CLIENT_SECRET, &d.client_secret)?),
            ));
            if let Some(template) = &d.template_id {
                items.push((DINGTALK_TEMPLATE_ID.into(), Ok(template.to_string())));
            }
        }
        Configuration::WeCom(entries) => {
            for entry in entries {
                let value = match &entry.value {
                    WeComValue::Secret(change) => Err(secret(entry.key.as_str(), change)?),
                    WeComValue::Plain(value) => Ok(value.clone()),
                };
                items.push((entry.key.to_string(), value));
            }
        }
    }
    let mut text = Map::new();
    let mut audit = Map::new();
    let mut secrets = HeldSecrets::new();
    for (key, value) in items {
        match value {
            Ok(plain) => {
                text.insert(key.clone(), plain.as_str().into());
                audit.insert(key, plain.into());
            }
            Err(value) => {
                text.insert(key.clone(), value.expose_secret().into());
                audit.insert(key.clone(), digest(&value).into());
                secrets.insert(key, value);
            }
        }
    }
    Ok(Built {
        text: SecretString::from(Value::Object(text).to_string()),
        secrets,
        audit: Value::Object(audit),
    })
}

/// The current Configuration as the audit trail sees it: plain values as
/// they are, held secrets as digests, others as [`NOT_HELD`].
fn current_configuration(config: &ChatConfig, held: &HeldSecrets) -> Value {
    let map: Map<String, Value> = config
        .settings
        .iter()
        .filter_map(|s| match &s.value {
            SettingValue::Plain(v) => Some((s.key.clone(), v.as_str().into())),
            SettingValue::Secret { set: false } => None,
            SettingValue::Secret { set: true } => Some((
                s.key.clone(),
                held.get(&s.key).map_or(NOT_HELD.to_owned(), digest).into(),
            )),
        })
        .collect();
    Value::Object(map)
}

/// Whether `configuration` (typed) differs from the current one: another
/// platform, another plain value, another set of keys, or a new secret.
fn configuration_changes(configuration: &Configuration, current: &ChatConfig) -> bool {
    if current.summary.platform != Some(configuration.platform()) {
        return true;
    }
    if configuration
        .secrets()
        .iter()
        .any(|(_, change)| matches!(change, SecretChange::Set(_)))
    {
        return true;
    }
    let plain_now: Map<String, Value> = current
        .settings
        .iter()
        .filter_map(|s| match &s.value {
            SettingValue::Plain(v) => Some((s.key.clone(), v.as_str().into())),
            SettingValue::Secret { set: true } => Some((s.key.clone(), Value::Null)),
            SettingValue::Secret { set: false } => None,
        })
        .collect();
    let plain_next: Map<String, Value> = match configuration {
        Configuration::DingTalk(d) => {
            let mut m = Map::new();
            m.insert(DINGTALK_CLIENT_ID.into(), d.client_id.as_str().into());
            m.insert(DINGTALK_CLIENT_SECRET.into(), Value::Null);
            if let Some(t) = &d.template_id {
                m.insert(DINGTALK_TEMPLATE_ID.into(), t.as_str().into());
            }
            m
        }
        Configuration::WeCom(entries) => entries
            .iter()
            .map(|e| {
                let v = match &e.value {
                    WeComValue::Plain(v) => v.as_str().into(),
                    WeComValue::Secret(_) => Value::Null,
                };
                (e.key.to_string(), v)
            })
            .collect(),
    };
    plain_now != plain_next
}

fn audit_state(
    platform: Option<ChatPlatform>,
    ram_role: Option<&str>,
    resource_group_id: Option<&str>,
    configuration: Value,
    labels: &[Label],
) -> Value {
    json!({
        "type": platform.map(ChatPlatform::as_str),
        "ram_role": ram_role,
        "resource_group_id": resource_group_id,
        "configuration": configuration,
        "labels": labels.iter().map(Label::as_str).collect::<Vec<_>>(),
    })
}

/// What a create or update will do.
#[derive(Debug)]
pub struct Plan {
    pub config: ConfigRef,
    /// The upstream call; `None` when only console labels change.
    pub write: Option<ChatConfigWrite>,
    /// Before/after for the preview and the audit trail, secrets masked.
    pub changes: Vec<FieldChange>,
    pub labels: Vec<Label>,
    /// The secrets to hold afterwards; `None` keeps the held ones.
    pub secrets: Option<HeldSecrets>,
    /// The upstream instance they are given to: the one an edit read, or
    /// (for a create) the one the create made, known once it answered.
    pub instance: Instance,
}

/// What a delete removes, for the audit trail (secrets masked).
pub fn delete_changes(
    current: &ChatConfig,
    labels: &[Label],
    held: &HeldSecrets,
) -> Vec<FieldChange> {
    let before = audit_state(
        current.summary.platform,
        current.summary.ram_role.as_deref(),
        current.resource_group_id.as_deref(),
        current_configuration(current, held),
        labels,
    );
    audit::diff(&before, &Value::Null, &[])
}

impl Plan {
    /// Whether anything changes (a secret listed as "unchanged" does not).
    pub fn changes_anything(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.secret != Some(shared::audit::SecretChange::Unchanged))
    }
}

pub fn plan_create(new: &NewChatConfig) -> Result<Plan, ChatConfigError> {
    let configuration = new
        .fields
        .configuration
        .as_ref()
        .ok_or_else(|| ChatConfigError::invalid("configuration", "is required"))?;
    let built = build_configuration(configuration, &HeldSecrets::new())?;
    let fields = &new.fields;
    let labels = fields.labels.clone().unwrap_or_default();
    let after = audit_state(
        Some(configuration.platform()),
        fields.ram_role.as_ref().map(|r| r.as_str()),
        fields.resource_group_id.as_ref().map(|r| r.as_str()),
        built.audit,
        &labels,
    );
    Ok(Plan {
        config: ConfigRef {
            account_id: new.account_id.clone(),
            region_id: new.region_id.clone(),
            name: new.name.clone(),
        },
        write: Some(ChatConfigWrite {
            region_id: new.region_id.clone(),
            name: new.name.clone(),
            platform: Some(configuration.platform()),
            ram_role: fields.ram_role.clone(),
            resource_group_id: fields.resource_group_id.clone(),
            configuration: Some(built.text),
        }),
        changes: audit::diff(&Value::Null, &after, &[]),
        labels,
        secrets: Some(built.secrets),
        instance: Instance::default(),
    })
}

/// Plans an edit of `current` (as Get returned it) with console `labels`
/// and `held` secrets. The Configuration is sent only when it changes (a
/// RAM role edit leaves it out, so a secret chatdesk never saw is not
/// needed). What the edit leaves out stays as it is: no Configuration,
/// no labels, an empty RAM role or resource group (OOS cannot remove
/// either).
pub fn plan_update(
    config: &ConfigRef,
    current: &ChatConfig,
    labels: &[Label],
    held: &HeldSecrets,
    fields: &ChatConfigFields,
) -> Result<Plan, ChatConfigError> {
    let now_role = current.summary.ram_role.as_deref();
    let now_group = current.resource_group_id.as_deref();
    // Empty leaves them as they are: OOS cannot remove either.
    let next_role = fields.ram_role.as_ref().map(|r| r.as_str()).or(now_role);
    let next_group = fields
        .resource_group_id
        .as_ref()
        .map(|r| r.as_str())
        .or(now_group);
    let before_configuration = current_configuration(current, held);
    let built = match &fields.configuration {
        Some(c) if configuration_changes(c, current) => {
            Some((c.platform(), build_configuration(c, held)?))
        }
        _ => None,
    };
    let next_labels = fields.labels.as_deref().unwrap_or(labels);
    let role_changes = next_role != now_role;
    let group_changes = next_group != now_group;
    let before = audit_state(
        current.summary.platform,
        now_role,
        now_group,
        before_configuration.clone(),
        labels,
    );
    let after = audit_state(
        built
            .as_ref()
            .map_or(current.summary.platform, |(p, _)| Some(*p)),
        next_role,
        next_group,
        built
            .as_ref()
            .map_or(before_configuration, |(_, b)| b.audit.clone()),
        next_labels,
    );
    let write = (built.is_some() || role_changes || group_changes).then(|| ChatConfigWrite {
        region_id: config.region_id.clone(),
        name: config.name.clone(),
        platform: built.as_ref().map(|(p, _)| *p),
        ram_role: fields.ram_role.clone().filter(|_| role_changes),
        resource_group_id: fields.resource_group_id.clone().filter(|_| group_changes),
        configuration: built.as_ref().map(|(_, b)| b.text.clone()),
    });
    Ok(Plan {
        config: config.clone(),
        write,
        changes: audit::diff(&before, &after, &[]),
        labels: next_labels.to_vec(),
        secrets: built.map(|(_, b)| b.secrets),
        instance: Instance::of(&current.summary),
    })
}
