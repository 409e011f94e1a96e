//! A lease-based lock service that numbers its grants.
//!
//! A lock that never expires is stuck forever when its holder crashes, so real lock services
//! grant *leases*: the lock is yours until a deadline, unless you renew it. The price is that the
//! holder can lose the lock without noticing (a pause, a slow network), which is why every grant
//! also carries a **fencing token**: a number that goes up by one with every grant, so that the
//! resource the lock protects can tell an old holder from the current one (see [`crate::storage`]).
//!
//! The service is plain state: no clock of its own. The caller passes the time as the service's
//! clock reads it, so a skewed or jumping clock is the caller's to simulate.

use sim::{Span, Time};

/// What a client gets when the lock is granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The fencing token: higher than every token granted before.
    pub token: u64,
    /// When the lease ends, on the lock service's clock.
    pub expires: Time,
}

/// The lock service for one resource: who holds it, until when, and the last token handed out.
#[derive(Clone, Debug)]
pub struct LeaseLock {
    lease: Span,
    last_token: u64,
    holder: Option<(usize, Grant)>,
}

impl LeaseLock {
    /// A free lock whose leases last `lease`, whose first grant gets token `first_token`
    /// (Kleppmann's example starts at 33; any number works, as long as it only goes up).
    pub fn new(lease: Span, first_token: u64) -> Self {
        assert!(
            first_token > 0,
            "tokens start at 1 or above: 0 means no token"
        );
        Self {
            lease,
            last_token: first_token - 1,
            holder: None,
        }
    }

    /// How long a lease lasts.
    pub fn lease(&self) -> Span {
        self.lease
    }

    /// The last token granted (one below the first token before any grant).
    pub fn last_token(&self) -> u64 {
        self.last_token
    }

    /// Who holds the lock at `now` (the service's clock), if anyone: an expired lease is no hold.
    pub fn holder(&self, now: Time) -> Option<(usize, Grant)> {
        self.holder.filter(|(_, grant)| now < grant.expires)
    }

    /// `client` asks for the lock at `now`. It gets a new lease with a new token if nobody holds
    /// the lock or the holder's lease has run out; the current holder asking again renews (same
    /// token, new deadline). Anyone else gets `None`.
    pub fn acquire(&mut self, client: usize, now: Time) -> Option<Grant> {
        match self.holder(now) {
            Some((holder, grant)) if holder == client => {
                let renewed = Grant {
                    expires: now + self.lease,
                    ..grant
                };
                self.holder = Some((client, renewed));
                Some(renewed)
            }
            Some(_) => None,
            None => {
                self.last_token += 1;
                let grant = Grant {
                    token: self.last_token,
                    expires: now + self.lease,
                };
                self.holder = Some((client, grant));
                Some(grant)
            }
        }
    }

    /// `client` gives the lock back. Only the holder of `token` can release: a paused client
    /// that wakes up and releases must not free the lock its successor holds.
    pub fn release(&mut self, client: usize, token: u64) -> bool {
        match self.holder {
            Some((holder, grant)) if holder == client && grant.token == token => {
                self.holder = None;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_go_up_with_every_grant_and_not_on_renewal() {
        let mut lock = LeaseLock::new(Span::from_millis(100), 33);
        let a = lock.acquire(1, Time::ZERO).unwrap();
        assert_eq!(a.token, 33);
        assert_eq!(lock.acquire(2, Time::from_millis(50)), None, "held");
        let renewed = lock.acquire(1, Time::from_millis(60)).unwrap();
        assert_eq!(
            (renewed.token, renewed.expires),
            (33, Time::from_millis(160))
        );
        let b = lock.acquire(2, Time::from_millis(160)).unwrap();
        assert_eq!(b.token, 34, "the lease ran out: a new holder, a new token");
        assert!(
            !lock.release(1, 33),
            "the old holder cannot free its successor's lock"
        );
        assert!(lock.release(2, 34));
        assert_eq!(lock.acquire(1, Time::from_millis(170)).unwrap().token, 35);
    }
}
