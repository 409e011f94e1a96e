//! A retry budget: a token bucket that every first attempt fills by `ratio` and every retry
//! drains by one, so retries stay below `ratio` of requests: Finagle's `RetryBudget` rule (a share of
//! traffic) without its deposit TTL and per-second floor. gRPC's retry throttling (tokens earned by
//! successes, spent by failures, no retries below half) and the AWS SDKs' retry quota (a 500-token
//! reserve, 5 per retry) are different algorithms; Module 7's retry-budget page compares them. It is the defense that breaks the retry storm's amplification: during an outage
//! the client sends `1 + ratio` attempts per user request instead of `1 + retries`.
//!
//! Failure mode: a budget of zero (`ratio = 0`, `max_tokens = 0`) means no retries at all, so a
//! blip that retries would have absorbed (a few hundred timeouts) reaches users as errors.

/// Tuning for the retry budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryBudget {
    /// Tokens earned per first attempt: 0.1 allows retries for 10% of requests.
    pub ratio: f64,
    /// Bucket size: how many retries a quiet period can save up for a blip.
    pub max_tokens: f64,
}

impl Default for RetryBudget {
    /// Retries for at most 10% of requests, with up to 50 saved for a burst.
    fn default() -> Self {
        Self {
            ratio: 0.1,
            max_tokens: 50.0,
        }
    }
}

/// The bucket's current content; the client owns one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryTokens {
    tokens: f64,
}

impl RetryTokens {
    /// A full bucket.
    pub fn new(budget: &RetryBudget) -> Self {
        Self {
            tokens: budget.max_tokens,
        }
    }

    /// A first attempt was sent: earn `ratio` of a retry.
    pub fn on_request(&mut self, budget: &RetryBudget) {
        self.tokens = (self.tokens + budget.ratio).min(budget.max_tokens);
    }

    /// Asks to retry: spends a token and says yes, or says no when the bucket is empty.
    pub fn try_spend(&mut self) -> bool {
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Tokens left, for reports.
    pub fn tokens(&self) -> f64 {
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_capped_at_the_ratio_of_requests() {
        let budget = RetryBudget {
            ratio: 0.1,
            max_tokens: 5.0,
        };
        let mut bucket = RetryTokens::new(&budget);
        let mut retries = 0;
        for _ in 0..1000 {
            bucket.on_request(&budget);
            // Every request fails and wants a retry.
            if bucket.try_spend() {
                retries += 1;
            }
        }
        // 5 saved up front plus 10% of 1000.
        assert!((100..=106).contains(&retries), "{retries}");
    }

    #[test]
    fn zero_budget_never_retries() {
        let budget = RetryBudget {
            ratio: 0.0,
            max_tokens: 0.0,
        };
        let mut bucket = RetryTokens::new(&budget);
        bucket.on_request(&budget);
        assert!(!bucket.try_spend());
    }
}
