//! Ids that more than one domain uses: a lower module than any of them, so
//! that none has to import another for an id.

use crate::validate::string_type;

string_type!(
    /// An Alibaba Cloud region such as `cn-hangzhou`.
    RegionId,
    "region_id",
    2..=32,
    |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    "lowercase letters, digits and '-'"
);

impl RegionId {
    /// Mainland China regions (`cn-*`) are served by other hosts than the
    /// rest of the world.
    pub fn is_mainland(&self) -> bool {
        self.as_str().starts_with("cn-")
    }
}
