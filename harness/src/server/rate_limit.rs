//! EMV-15: the service lookup answers only to a payment reference *and* its amount, and every
//! miss looks the same; this limiter makes guessing slow as well. Each participant has a
//! bucket of [`LOOKUP_POLICY`]`.burst` lookups; a lookup takes one before it runs and gives it
//! back when it found a payment, so only misses cost. An empty bucket answers 429 with
//! `Retry-After` — also for a guess that would have been right, or the answer would tell.
//! A token comes back every `refill_every`.
//!
//! Buckets are kept per participant (the key), so their number is bounded by the key file.
//! The test lab is not limited: it may read payment accounts by PAN anyway, and a suite run
//! asks for wrong amounts on purpose. An open server (no keys) is a local test lab, so it has
//! no limit either.
//!
//! This is the server layer, not the reference: it measures real elapsed time with a
//! monotonic clock, passed in as `now` so the tests control it.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::auth::Caller;
use crate::api::Operation as _;
use crate::api::access::ApiRole;
use crate::api::operations::ServiceLookup;
use crate::sut::payments::Lookup;

/// How many misses a participant may have in a burst, and how fast they come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub burst: u32,
    pub refill_every: Duration,
}

/// Ten misses at once, then one every six seconds (ten a minute): a traveller mistyping an
/// amount is never stopped, and trying the amounts of one reference takes hours.
pub const LOOKUP_POLICY: Policy = Policy {
    burst: 10,
    refill_every: Duration::from_secs(6),
};

/// Token buckets of failed lookups, per participant.
pub struct LookupLimiter {
    policy: Policy,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    /// When the next token is counted from (the last refill, or the moment it ran full).
    since: Instant,
}

impl LookupLimiter {
    pub fn new(policy: Policy) -> LookupLimiter {
        LookupLimiter {
            policy,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for a lookup by `who` at `now`, or answers how long to wait for one.
    pub fn take(&self, who: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(who.to_owned()).or_insert(Bucket {
            tokens: self.policy.burst,
            since: now,
        });
        self.refill(bucket, now);
        if bucket.tokens == 0 {
            let next = bucket.since + self.policy.refill_every;
            return Err(next
                .saturating_duration_since(now)
                .max(Duration::from_secs(1)));
        }
        if bucket.tokens == self.policy.burst {
            bucket.since = now;
        }
        bucket.tokens -= 1;
        Ok(())
    }

    /// The lookup found a payment: its token comes back.
    pub fn give_back(&self, who: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(who) {
            bucket.tokens = (bucket.tokens + 1).min(self.policy.burst);
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let step = self.policy.refill_every.as_nanos().max(1);
        let elapsed = now.saturating_duration_since(bucket.since).as_nanos();
        let earned = u32::try_from(elapsed / step).unwrap_or(u32::MAX);
        if earned == 0 {
            return;
        }
        bucket.tokens = bucket.tokens.saturating_add(earned).min(self.policy.burst);
        bucket.since = if bucket.tokens == self.policy.burst {
            now
        } else {
            bucket.since + self.policy.refill_every * earned
        };
    }
}

/// Whether a call of `operation` by `caller` counts against its bucket.
pub fn applies(operation: &str, caller: &Caller) -> bool {
    operation == ServiceLookup::NAME && caller.role != ApiRole::TestLab
}

/// Whether a lookup's answer found a payment (the token comes back).
pub fn found(answer: &dyn Any) -> bool {
    matches!(answer.downcast_ref::<Lookup>(), Some(Lookup::Found(_)))
}

/// Whole seconds for `Retry-After`, rounded up.
pub fn retry_after_s(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        burst: 3,
        refill_every: Duration::from_secs(10),
    };

    #[test]
    fn misses_empty_the_bucket_and_time_refills_it() {
        let limiter = LookupLimiter::new(POLICY);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("ns", start), Ok(()));
        }
        assert_eq!(limiter.take("ns", start), Err(Duration::from_secs(10)));
        let later = start + Duration::from_secs(4);
        assert_eq!(limiter.take("ns", later), Err(Duration::from_secs(6)));
        // Another participant has its own bucket.
        assert_eq!(limiter.take("gvb", start), Ok(()));
        // One token per period, never more than the burst.
        let after_one = start + Duration::from_secs(10);
        assert_eq!(limiter.take("ns", after_one), Ok(()));
        assert!(limiter.take("ns", after_one).is_err());
        let much_later = start + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(limiter.take("ns", much_later), Ok(()));
        }
        assert!(limiter.take("ns", much_later).is_err());
    }

    #[test]
    fn found_payments_cost_nothing() {
        let limiter = LookupLimiter::new(POLICY);
        let now = Instant::now();
        for _ in 0..20 {
            assert_eq!(limiter.take("ns", now), Ok(()));
            limiter.give_back("ns");
        }
        limiter.give_back("unknown participant");
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_s(Duration::from_millis(5001)), 6);
        assert_eq!(retry_after_s(Duration::from_secs(6)), 6);
    }
}
