//! A small read-through cache of database rows for the hot read path
//! (sessions, decrypted accounts), so a request does not wait for the
//! connection pool to learn what it learnt a moment ago.
//!
//! - Writers in this process call [`RowCache::invalidate`] (or
//!   [`RowCache::invalidate_if`]) after committing: the next read loads
//!   again. A load that started before the invalidation is not kept (a
//!   generation counter), so it cannot put the old row back.
//! - Changes made by another process (the CLI, another instance on the
//!   same database) are seen within [`REVALIDATE_AFTER`]: past that age
//!   the first reader reloads the row while the others still use the
//!   cached one, so a busy key never makes every request wait at once.
//! - Only found rows are cached: a miss always asks the database.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How old a cached row may be before one reader reloads it.
pub const REVALIDATE_AFTER: Duration = Duration::from_secs(1);

/// How old a cached row may be at most, e.g. while its reload is slow or
/// failing; older rows are loaded by every reader.
const EXPIRE_AFTER: Duration = Duration::from_secs(10);

/// Above this many entries, an insert first drops the expired ones.
const SWEEP_ABOVE: usize = 1024;

struct Entry<V> {
    value: V,
    loaded: Instant,
    /// Set by the one reader reloading the row.
    reloading: AtomicBool,
}

struct Inner<K, V> {
    /// Bumped by every invalidation.
    generation: u64,
    entries: HashMap<K, Entry<V>>,
}

pub struct RowCache<K, V> {
    inner: RwLock<Inner<K, V>>,
}

impl<K, V> Default for RowCache<K, V> {
    fn default() -> Self {
        RowCache {
            inner: RwLock::new(Inner {
                generation: 0,
                entries: HashMap::new(),
            }),
        }
    }
}

impl<K, V> std::fmt::Debug for RowCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowCache(..)")
    }
}

impl<K: Eq + Hash + Clone, V: Clone> RowCache<K, V> {
    /// The cached value of `key`, or what `load` finds (`None`: no such
    /// row), which is then cached.
    pub async fn get_or_load<E, F, Fut>(&self, key: &K, load: F) -> Result<Option<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<V>, E>>,
    {
        let generation = {
            let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
            if let Some(entry) = inner.entries.get(key) {
                let age = entry.loaded.elapsed();
                let someone_else_reloads = || entry.reloading.swap(true, Ordering::AcqRel);
                if age < REVALIDATE_AFTER || (age < EXPIRE_AFTER && someone_else_reloads()) {
                    return Ok(Some(entry.value.clone()));
                }
            }
            inner.generation
        };
        let loaded = load().await;
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        match &loaded {
            Ok(Some(value)) if inner.generation == generation => {
                if inner.entries.len() >= SWEEP_ABOVE {
                    inner
                        .entries
                        .retain(|_, e| e.loaded.elapsed() < EXPIRE_AFTER);
                }
                let entry = Entry {
                    value: value.clone(),
                    loaded: Instant::now(),
                    reloading: AtomicBool::new(false),
                };
                inner.entries.insert(key.clone(), entry);
            }
            Ok(None) => {
                inner.entries.remove(key);
            }
            // Invalidated meanwhile (what was loaded may be stale), or
            // failed: the next reader tries again.
            Ok(Some(_)) | Err(_) => {
                if let Some(entry) = inner.entries.get(key) {
                    entry.reloading.store(false, Ordering::Release);
                }
            }
        }
        loaded
    }

    /// Forgets `key`: the next read loads it again.
    pub fn invalidate<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.generation += 1;
        inner.entries.remove(key);
    }

    /// Forgets every entry `stale` picks.
    pub fn invalidate_if(&self, stale: impl Fn(&V) -> bool) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.generation += 1;
        inner.entries.retain(|_, e| !stale(&e.value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    async fn get(cache: &RowCache<&'static str, u32>, loads: &AtomicUsize, value: u32) -> u32 {
        cache
            .get_or_load(&"k", || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(Some(value))
            })
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn a_cached_row_is_served_until_invalidated() {
        let (cache, loads) = (RowCache::default(), AtomicUsize::new(0));
        assert_eq!(get(&cache, &loads, 1).await, 1);
        assert_eq!(get(&cache, &loads, 2).await, 1);
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        cache.invalidate(&"k");
        assert_eq!(get(&cache, &loads, 3).await, 3);
        cache.invalidate_if(|v| *v == 3);
        assert_eq!(get(&cache, &loads, 4).await, 4);
        cache.invalidate_if(|v| *v == 3);
        assert_eq!(get(&cache, &loads, 5).await, 4);
    }

    #[tokio::test]
    async fn a_load_overtaken_by_an_invalidation_is_not_kept() {
        let cache: RowCache<&str, u32> = RowCache::default();
        let loaded = cache
            .get_or_load(&"k", || async {
                // A writer commits and invalidates while this load runs.
                cache.invalidate(&"k");
                Ok::<_, ()>(Some(1))
            })
            .await;
        assert_eq!(loaded, Ok(Some(1)));
        let loads = AtomicUsize::new(0);
        assert_eq!(get(&cache, &loads, 2).await, 2);
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn rows_not_found_are_not_cached() {
        let cache: RowCache<&str, u32> = RowCache::default();
        let none = cache
            .get_or_load(&"k", || async { Ok::<_, ()>(None) })
            .await;
        assert_eq!(none, Ok(None));
        let loads = AtomicUsize::new(0);
        assert_eq!(get(&cache, &loads, 7).await, 7);
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_old_row_is_reloaded_by_one_reader_while_others_use_it() {
        let (cache, loads) = (RowCache::default(), AtomicUsize::new(0));
        assert_eq!(get(&cache, &loads, 1).await, 1);
        std::thread::sleep(REVALIDATE_AFTER);
        // The first reader past the age reloads; one that comes while it
        // does is answered from the cache.
        let reloaded = cache
            .get_or_load(&"k", || async {
                assert_eq!(get(&cache, &loads, 9).await, 1);
                Ok::<_, ()>(Some(2))
            })
            .await;
        assert_eq!(reloaded, Ok(Some(2)));
        assert_eq!(get(&cache, &loads, 3).await, 2);
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }
}
