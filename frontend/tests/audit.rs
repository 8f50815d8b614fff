//! The audit page's strings exist in every language.

use frontend::i18n::{AuditMsg, Lang, Msg, text};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_audit_message_is_translated() {
    for msg in AuditMsg::ALL.map(Msg::Audit) {
        for lang in Lang::ALL {
            assert!(
                !text(lang, msg).trim().is_empty(),
                "{msg:?} is empty in {lang:?}"
            );
        }
        assert_ne!(
            text(Lang::En, msg),
            text(Lang::ZhCn, msg),
            "{msg:?} is untranslated"
        );
    }
}
