//! The audit trail's pure decisions: a query's filter, the export's file,
//! and the verdict on the chain from its events in seq order
//! ([`ChainCheck`]), so that [`super::store`] only reads and streams.

use serde::Deserialize;
use shared::audit::{BrokenLink, EventFilter, ExportFormat, MAX_PAGE_SIZE, Outcome, VerifyReport};
use shared::validate::{InvalidField, Problem};

use super::AuditError;
use super::chain::{Checkpoint, GENESIS, Head, Record};
use super::keys::{Keyring, Trust};

/// `GET /audit/events` and `/audit/export`: the filter, and for the export
/// `format`. An empty text filter is no filter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    from: Option<i64>,
    to: Option<i64>,
    before: Option<i64>,
    limit: Option<u32>,
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    outcome: Option<Outcome>,
    format: Option<ExportFormat>,
}

impl AuditQuery {
    /// The filter of a page of events, which takes no `format`.
    pub fn page(self) -> Result<EventFilter, InvalidField> {
        if self.format.is_some() {
            return Err(InvalidField::new("format", "is for the export only")
                .because(Problem::UnknownField));
        }
        self.filter()
    }

    /// The filter and format of an export.
    pub fn export(self) -> Result<(EventFilter, ExportFormat), InvalidField> {
        let format = self.format.ok_or_else(|| {
            InvalidField::new("format", "is required: csv or jsonl").because(Problem::Required)
        })?;
        Ok((self.filter()?, format))
    }

    fn filter(self) -> Result<EventFilter, InvalidField> {
        if let Some(limit) = self.limit
            && !(1..=MAX_PAGE_SIZE).contains(&limit)
        {
            return Err(InvalidField::new(
                "limit",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            )
            .because(Problem::Range {
                min: 1,
                max: i64::from(MAX_PAGE_SIZE),
            }));
        }
        let text = |v: Option<String>| v.filter(|v| !v.is_empty());
        Ok(EventFilter {
            from: self.from,
            to: self.to,
            before: self.before,
            limit: self.limit,
            actor: text(self.actor),
            action: text(self.action),
            target: text(self.target),
            outcome: self.outcome,
        })
    }
}

/// An export's media type and file name, with the time it was made.
pub fn export_file(format: ExportFormat, now_ms: i64) -> (&'static str, String) {
    let (content_type, ext) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Jsonl => ("application/jsonl; charset=utf-8", "jsonl"),
    };
    (content_type, format!("audit-{now_ms}.{ext}"))
}

/// The verdict of a walk: the report, and the last good event (the one a
/// checkpoint vouches for).
pub struct Verdict {
    pub report: VerifyReport,
    pub good_seq: i64,
    pub good_link: String,
}

/// The chain's check, fed every stored event in seq order (also those above
/// the head): it reports every event that is missing, duplicated, edited,
/// forged, out of place, older than its predecessor or signed with an
/// unknown key, and every checkpoint the trail no longer matches.
pub struct ChainCheck<'a> {
    head: &'a Head,
    trust: &'a Trust<'a>,
    keys: &'a Keyring,
    checkpoints: &'a [Checkpoint],
    found: Findings,
    /// The last event seen, and the last one whose own link held.
    seen: i64,
    seen_link: String,
    good_seq: i64,
    good_link: String,
    good_at: i64,
    /// Once a trusted key has signed, the derived key is no longer the
    /// audit key: a later event under it is forged, whatever eras say.
    trusted_signed: bool,
    derived: Option<String>,
}

impl<'a> ChainCheck<'a> {
    /// Refuses checkpoints of another trail or not signed by a trusted key;
    /// notes what the eras, the switch-over point and the checkpoints'
    /// switch-over points already show.
    pub fn start(
        head: &'a Head,
        trust: &'a Trust<'a>,
        keys: &'a Keyring,
        checkpoints: &'a [Checkpoint],
        era_problems: Vec<(i64, String)>,
    ) -> Result<ChainCheck<'a>, AuditError> {
        for cp in checkpoints {
            if cp.trail != head.trail {
                return Err(AuditError::Checkpoint(format!(
                    "the checkpoint of seq {} belongs to another trail ({}, not {})",
                    cp.seq, cp.trail, head.trail
                )));
            }
            if let Err(why) = cp.signed_by(trust) {
                return Err(AuditError::Checkpoint(format!(
                    "the checkpoint of seq {} is {why}",
                    cp.seq
                )));
            }
        }
        let mut found = Findings {
            report: VerifyReport {
                checked: 0,
                head_seq: head.seq,
                keyed_from: head.keyed_from,
                checkpoints: checkpoints.len() as u64,
                first_broken: None,
                problems: Vec::new(),
                problem_count: 0,
            },
        };
        for (seq, reason) in era_problems {
            found.add(seq, reason);
        }
        if let Some(from) = head.keyed_from
            && let Some(reason) = switch_over_problem(trust, head)
        {
            found.add(from, reason);
        }
        for cp in checkpoints {
            if cp.keyed_from != head.keyed_from {
                let seq = [cp.keyed_from, head.keyed_from].into_iter().flatten().min();
                found.add(
                    seq.unwrap_or(1),
                    format!(
                        "the switch-over point was {:?} at the checkpoint of seq {}, now {:?}",
                        cp.keyed_from, cp.seq, head.keyed_from
                    ),
                );
            }
        }
        Ok(ChainCheck {
            head,
            trust,
            keys,
            checkpoints,
            found,
            seen: 0,
            seen_link: GENESIS.to_owned(),
            good_seq: 0,
            good_link: GENESIS.to_owned(),
            good_at: i64::MIN,
            trusted_signed: false,
            derived: keys.derived().map(|d| d.id().to_owned()),
        })
    }

    /// The next stored event.
    pub fn event(&mut self, r: Record) {
        let (head, found) = (self.head, &mut self.found);
        found.report.checked += 1;
        if r.seq == self.seen && found.report.checked > 1 {
            found.add(r.seq, format!("seq {} is stored twice", r.seq));
        } else if r.seq > self.seen + 1 {
            found.add(self.seen + 1, missing(self.seen + 1, r.seq - 1));
        }
        if r.seq > head.seq {
            found.add(
                r.seq,
                format!("the event lies above the chain's head (seq {})", head.seq),
            );
        }
        for cp in self.checkpoints.iter().filter(|cp| cp.seq == r.seq) {
            if cp.link != r.hash {
                found.add(
                    r.seq,
                    format!("the event differs from the checkpoint taken at {}", cp.at),
                );
            }
        }
        let checked = r.check(self.trust, head.keyed_from).and_then(|()| {
            if self.trusted_signed && r.key_id.is_some() && r.key_id == self.derived {
                return Err(
                    "the event is signed with the key derived from the master key \
                            after events signed with the configured audit key (forged?)"
                        .into(),
                );
            }
            Ok(())
        });
        match checked {
            Err(reason) => found.add(r.seq, reason),
            Ok(()) => {
                // Linked to the last good event, or to the row right
                // before it when that one is already reported (an event
                // edited in place): one tampered row, one problem.
                if r.prev_hash != self.good_link && r.prev_hash != self.seen_link {
                    found.add(
                        r.seq,
                        format!(
                            "the event does not link to event {}: events were \
                             inserted, removed, reordered or edited",
                            self.good_seq
                        ),
                    );
                }
                if r.at < self.good_at {
                    found.add(
                        r.seq,
                        format!(
                            "the event is older than event {} (time goes backwards)",
                            self.good_seq
                        ),
                    );
                }
                (self.good_seq, self.good_link, self.good_at) = (r.seq, r.hash.clone(), r.at);
                self.trusted_signed |=
                    (r.key_id.as_deref()).is_some_and(|id| self.keys.is_trusted(id));
            }
        }
        self.seen = r.seq;
        self.seen_link = r.hash;
    }

    /// What the events after the last one stored would have shown: a
    /// truncated trail, a head that matches no event.
    pub fn finish(mut self) -> Verdict {
        let (head, seen) = (self.head, self.seen);
        if seen < head.seq {
            self.found.add(
                seen + 1,
                format!(
                    "{}: the head is at seq {}",
                    missing(seen + 1, head.seq),
                    head.seq
                ),
            );
        } else if self.good_seq == head.seq && self.good_link != head.hash {
            self.found.add(
                head.seq,
                format!("the chain's head does not match event {}", head.seq),
            );
        }
        for cp in self.checkpoints.iter().filter(|cp| cp.seq > seen) {
            self.found.add(
                seen + 1,
                format!(
                    "{}: the checkpoint taken at {} saw the trail up to seq {} (truncated)",
                    missing(seen + 1, cp.seq),
                    cp.at,
                    cp.seq
                ),
            );
        }
        self.found.report.problems.sort_by_key(|p| p.seq);
        Verdict {
            report: self.found.report,
            good_seq: self.good_seq,
            good_link: self.good_link,
        }
    }
}

/// What the trail's switch-over point to keyed links signs.
pub fn switch_over_input(trail: &str, keyed_from: i64) -> String {
    format!("chatdesk-audit-switch-over\n{trail}\n{keyed_from}")
}

/// Why the head's switch-over point does not hold, if it does not.
fn switch_over_problem(trust: &Trust, head: &Head) -> Option<String> {
    let from = head.keyed_from?;
    let Some((id, mac)) = head.keyed_mac.as_deref().and_then(|m| m.split_once(':')) else {
        return Some("the switch-over point to keyed links is not signed (moved)".into());
    };
    match trust.signer(id, from) {
        Err(why) => Some(format!("the switch-over point to keyed links is {why}")),
        Ok(key) if !key.verifies(&[switch_over_input(&head.trail, from).as_bytes()], mac) => Some(
            "the switch-over point to keyed links does not verify under its key (moved)".into(),
        ),
        Ok(_) => None,
    }
}

/// Collects what is wrong: all problems counted, the first
/// [`MAX_PROBLEMS`](shared::audit::MAX_PROBLEMS) kept.
struct Findings {
    report: VerifyReport,
}

impl Findings {
    fn add(&mut self, seq: i64, reason: String) {
        let report = &mut self.report;
        report.problem_count += 1;
        if report.first_broken.as_ref().is_none_or(|b| seq < b.seq) {
            report.first_broken = Some(BrokenLink {
                seq,
                reason: reason.clone(),
            });
        }
        if report.problems.len() < shared::audit::MAX_PROBLEMS {
            report.problems.push(BrokenLink { seq, reason });
        }
    }
}

fn missing(from: i64, to: i64) -> String {
    if from == to {
        format!("event {from} is missing")
    } else {
        format!("events {from} to {to} are missing")
    }
}
