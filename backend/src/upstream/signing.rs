//! Alibaba Cloud request signatures: ACS3-HMAC-SHA256 (V3) and the legacy
//! HMAC-SHA1 RPC signature. Pure functions, shared by the upstream clients
//! (which sign) and the sandbox (which verifies), so both agree to the byte.

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

pub const ACS3: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of the empty body, the payload hash of every RPC call.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// RFC 3986: everything but `A-Z a-z 0-9 - _ . ~` is `%XX` (space is `%20`,
/// `*` is `%2A`), which is what both signature versions require.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, RFC3986).to_string()
}

pub fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Parameters sorted by name (byte order), encoded, joined with `&`. This
/// exact string is both signed and sent as the URL query.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k.as_ref()), percent_encode(v.as_ref())))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical request and the `SignedHeaders` list for `headers`, the
/// headers being signed (any case, any order).
pub fn canonical_request(
    method: &str,
    uri: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    payload_hash: &str,
) -> (String, String) {
    let mut headers: Vec<(String, &str)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let request = format!(
        "{method}\n{uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}"
    );
    (request, signed_headers)
}

pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ACS3}\n{}", hex_sha256(canonical_request.as_bytes()))
}

/// Hex HMAC-SHA256 of `string_to_sign` under the AccessKey secret.
pub fn acs3_signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The parts of an `Authorization: ACS3-HMAC-SHA256 ...` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    pub fn to_header(&self) -> String {
        format!(
            "{ACS3} Credential={},SignedHeaders={},Signature={}",
            self.access_key_id,
            self.signed_headers.join(";"),
            self.signature
        )
    }

    /// Parses the header; `None` means it is malformed (`IncompleteSignature`).
    pub fn parse(header: &str) -> Option<Authorization> {
        let rest = header.strip_prefix(ACS3)?.trim_start();
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (key, value) = part.trim().split_once('=')?;
            match key {
                "Credential" => credential = Some(value),
                "SignedHeaders" => signed = Some(value),
                "Signature" => signature = Some(value),
                _ => return None,
            }
        }
        let (credential, signed, signature) = (credential?, signed?, signature?);
        if credential.is_empty() || signed.is_empty() || signature.is_empty() {
            return None;
        }
        Some(Authorization {
            access_key_id: credential.to_owned(),
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature: signature.to_owned(),
        })
    }
}

/// Legacy RPC signature: `METHOD&%2F&` + the encoded canonical query.
pub fn legacy_string_to_sign<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    params: &[(K, V)],
) -> String {
    format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&canonical_query(params))
    )
}

/// Base64 HMAC-SHA1 under `secret&`.
pub fn legacy_signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let key = format!("{access_key_secret}&");
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two signatures without leaking where they differ.
pub fn signatures_match(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_follows_rfc3986() {
        assert_eq!(
            percent_encode("a b*c+d~e-f_g.h/"),
            "a%20b%2Ac%2Bd~e-f_g.h%2F"
        );
        assert_eq!(percent_encode("漏洞"), "%E6%BC%8F%E6%B4%9E");
    }

    #[test]
    fn authorization_round_trips_and_rejects_garbage() {
        let auth = Authorization {
            access_key_id: "LTAI".into(),
            signed_headers: vec!["host".into(), "x-acs-date".into()],
            signature: "abc".into(),
        };
        assert_eq!(Authorization::parse(&auth.to_header()), Some(auth));
        for bad in [
            "",
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host",
            "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=x",
            "HMAC-SHA1 Credential=a,SignedHeaders=host,Signature=x",
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=x,Extra=1",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn signature_comparison() {
        assert!(signatures_match("abcd", "abcd"));
        assert!(!signatures_match("abcd", "abce"));
        assert!(!signatures_match("abcd", "abc"));
    }
}
