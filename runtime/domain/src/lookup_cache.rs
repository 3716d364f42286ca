//! Recent lookups' answers, reused while the catalog is unchanged.
//!
//! A lookup reads several records; tills scan the same popular products over
//! and over. A store keeps answers under a catalog *generation* that every
//! change of the catalog moves on (the redb store: a counter raised in the
//! very transaction that writes; the PostgreSQL store: a number moved on by
//! each change notification), and asks only at the generation it reads at,
//! so no answer outlives the change that made it wrong.
//!
//! Bounded: at most [`SHARD_ENTRIES`] codes in each of two generations of
//! each shard (recent ones, and the ones before them, promoted back when
//! asked again), and only codes and units of measure up to [`MAX_KEY_BYTES`].

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use crate::store::Lookup;

/// Shards, each behind its own lock, so that threads rarely wait.
const SHARDS: usize = 16;

/// Codes kept per shard and generation: 16 × 2 × 1,024 = 32,768 at most.
const SHARD_ENTRIES: usize = 1024;

/// Longer codes or units of measure are looked up every time.
pub const MAX_KEY_BYTES: usize = 64;

#[derive(Default)]
pub struct LookupCache {
    hasher: RandomState,
    shards: [Mutex<Shard>; SHARDS],
}

/// The answers for one code, one per unit of measure asked for (`None`:
/// any unit).
type Answers = Vec<(Option<Box<str>>, Option<Lookup>)>;

#[derive(Default)]
struct Shard {
    /// The catalog generation every answer here was read at.
    generation: u64,
    recent: HashMap<Box<str>, Answers>,
    older: HashMap<Box<str>, Answers>,
}

impl Shard {
    /// Empties the shard when it holds answers of another generation.
    fn settle(&mut self, generation: u64) {
        if self.generation != generation {
            self.recent.clear();
            self.older.clear();
            self.generation = generation;
        }
    }

    fn find(&mut self, code: &str, uom: Option<&str>) -> Option<Option<Lookup>> {
        if !self.recent.contains_key(code)
            && let Some((code, answers)) = self.older.remove_entry(code)
        {
            self.admit(code, answers);
        }
        let answers = self.recent.get(code)?;
        answers
            .iter()
            .find(|(unit, _)| unit.as_deref() == uom)
            .map(|(_, answer)| answer.clone())
    }

    /// Makes room by retiring the recent generation when it is full.
    fn admit(&mut self, code: Box<str>, answers: Answers) {
        if self.recent.len() >= SHARD_ENTRIES {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(code, answers);
    }
}

impl LookupCache {
    pub fn new() -> LookupCache {
        LookupCache::default()
    }

    fn shard(&self, code: &str) -> std::sync::MutexGuard<'_, Shard> {
        let index = (self.hasher.hash_one(code) % SHARDS as u64) as usize;
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer read at `generation` for `code` and `uom`, if kept:
    /// `Some(None)` is a kept "not found".
    pub fn get(&self, generation: u64, code: &str, uom: Option<&str>) -> Option<Option<Lookup>> {
        let mut shard = self.shard(code);
        if shard.generation != generation {
            return None;
        }
        shard.find(code, uom)
    }

    /// Keeps `answer`, read at `generation`. An answer read at an older
    /// generation than the shard's is dropped: a newer one is there.
    pub fn put(&self, generation: u64, code: &str, uom: Option<&str>, answer: &Option<Lookup>) {
        if code.len() > MAX_KEY_BYTES || uom.is_some_and(|uom| uom.len() > MAX_KEY_BYTES) {
            return;
        }
        let mut shard = self.shard(code);
        if generation < shard.generation {
            return;
        }
        shard.settle(generation);
        let entry = (uom.map(Box::from), answer.clone());
        match shard.recent.get_mut(code) {
            Some(answers) => {
                // A handful of units per code at most: bounded as well.
                if answers.len() < 8 && !answers.iter().any(|(unit, _)| unit == &entry.0) {
                    answers.push(entry);
                }
            }
            None => shard.admit(code.into(), vec![entry]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Barcode;

    fn found(quantity: u32) -> Option<Lookup> {
        Some(Lookup {
            barcode: Barcode {
                id: uuid::Uuid::nil(),
                barcode: "4006381333931".into(),
                barcode_type: "EAN".into(),
                format: "EAN-13".into(),
                product_sku: "SKU-1".into(),
                uom_code: "EA".into(),
                quantity,
                is_default: false,
                is_active: true,
            },
            product: None,
        })
    }

    #[test]
    fn an_answer_is_given_only_at_the_generation_it_was_read_at() {
        let cache = LookupCache::new();
        cache.put(1, "4006381333931", None, &found(1));
        cache.put(1, "999", None, &None);
        assert_eq!(cache.get(1, "4006381333931", None), Some(found(1)));
        assert_eq!(cache.get(1, "999", None), Some(None));
        assert_eq!(cache.get(1, "4006381333931", Some("EA")), None);
        assert_eq!(cache.get(2, "4006381333931", None), None);
        // A newer generation empties the shard; an older answer is dropped.
        cache.put(2, "4006381333931", None, &found(6));
        cache.put(1, "4006381333931", None, &found(1));
        assert_eq!(cache.get(2, "4006381333931", None), Some(found(6)));
        assert_eq!(cache.get(1, "4006381333931", None), None);
    }

    #[test]
    fn it_stays_bounded_and_keeps_what_is_asked_again() {
        let cache = LookupCache::new();
        let codes: Vec<String> = (0..SHARDS * SHARD_ENTRIES * 4)
            .map(|i| i.to_string())
            .collect();
        cache.put(1, "popular", None, &found(1));
        for code in &codes {
            cache.put(1, code, None, &None);
            // Asked between the others, it is promoted and never retired.
            assert_eq!(cache.get(1, "popular", None), Some(found(1)));
        }
        let kept: usize = cache
            .shards
            .iter()
            .map(|shard| {
                let shard = shard.lock().unwrap();
                shard.recent.len() + shard.older.len()
            })
            .sum();
        assert!(kept <= SHARDS * SHARD_ENTRIES * 2, "{kept}");
        let long = "9".repeat(MAX_KEY_BYTES + 1);
        cache.put(1, &long, None, &None);
        assert_eq!(cache.get(1, &long, None), None);
    }
}
