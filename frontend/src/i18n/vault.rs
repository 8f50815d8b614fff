//! The credentials vault's words.

use super::T;

pub const TITLE: T = T(&["Credentials", "凭据"]);
pub const ALIBABA: T = T(&["Alibaba Cloud accounts", "阿里云账号"]);
pub const DINGTALK: T = T(&["DingTalk apps", "钉钉应用"]);
pub const ADD_ALIBABA: T = T(&["Add Alibaba Cloud account", "添加阿里云账号"]);
pub const ADD_DINGTALK: T = T(&["Add DingTalk app", "添加钉钉应用"]);
pub const EDIT_NAMED: T = T(&["Edit {}", "编辑 {}"]);
pub const APPLY_NAMED: T = T(&["Apply to {}", "应用到 {}"]);
pub const WRITE_ONLY: T = T(&[
    "Secrets are write-only: nobody, administrators included, can read one back.",
    "密钥只可写入：任何人（包括管理员）都无法读回。",
]);
pub const ACCESS_KEY_ID: T = T(&["AccessKey ID", "AccessKey ID"]);
pub const ACCESS_KEY_SECRET: T = T(&["AccessKey secret", "AccessKey Secret"]);
pub const STS_TOKEN: T = T(&["STS token", "STS 令牌"]);
pub const REMOVE_STS: T = T(&["Remove the stored STS token", "删除已保存的 STS 令牌"]);
pub const KEEP_SECRET: T = T(&[
    "Leave empty to keep the stored one.",
    "留空则保留已保存的值。",
]);
pub const SIGNATURE: T = T(&["Signature", "签名方式"]);
pub const SIGNATURES: &[(&str, T)] = &[
    (
        "v3",
        T(&["ACS3-HMAC-SHA256 (V3)", "ACS3-HMAC-SHA256（V3）"]),
    ),
    ("legacy", T(&["HMAC-SHA1 (legacy)", "HMAC-SHA1（旧版）"])),
];
pub const REGIONS: T = T(&["Regions", "地域"]);
pub const REGIONS_HINT: T = T(&[
    "One region id per line, such as cn-hangzhou.",
    "每行一个地域 ID，例如 cn-hangzhou。",
]);
pub const FINGERPRINT: T = T(&["Fingerprint", "指纹"]);
pub const APP_KEY: T = T(&["AppKey", "AppKey"]);
pub const APP_SECRET: T = T(&["AppSecret", "AppSecret"]);
pub const SITE: T = T(&["Site", "站点"]);
pub const SITES: &[(&str, T)] = &[
    ("mainland", T(&["China mainland", "中国内地"])),
    ("international", T(&["International", "国际站"])),
];
pub const API: T = T(&["API", "接口"]);
pub const APIS: &[(&str, T)] = &[
    (
        "new",
        T(&["New API (api.dingtalk.com)", "新版接口（api.dingtalk.com）"]),
    ),
    (
        "legacy",
        T(&[
            "Legacy API (oapi.dingtalk.com)",
            "旧版接口（oapi.dingtalk.com）",
        ]),
    ),
];
pub const DEFAULT: T = T(&["Default", "默认"]);
pub const MAKE_DEFAULT: T = T(&["Make default", "设为默认"]);
pub const NOW_DEFAULT: T = T(&["Now the default: {}", "已设为默认：{}"]);
pub const TEST: T = T(&["Test connection", "测试连接"]);
pub const TEST_OK: T = T(&["Connection works: {}", "连接正常：{}"]);
pub const TEST_FAILED: T = T(&["Connection failed: {}", "连接失败：{}"]);
pub const CREDENTIAL: T = T(&["credential {}", "凭据 {}"]);
pub const LABELS: &[(&str, T)] = &[
    ("name", crate::i18n::common::NAME),
    ("access_key_id", ACCESS_KEY_ID),
    ("access_key_secret", ACCESS_KEY_SECRET),
    ("sts_token", STS_TOKEN),
    ("signature", SIGNATURE),
    ("regions", REGIONS),
    ("app_key", APP_KEY),
    ("app_secret", APP_SECRET),
    ("site", SITE),
    ("api", API),
];
