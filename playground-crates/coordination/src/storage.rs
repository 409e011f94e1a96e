//! The resource a lock protects: a single value, with the fencing check switched on or off.
//!
//! The lock service cannot stop a client that *believes* it still holds the lock: that client
//! is not talking to the lock service any more, it is talking to the storage. So the storage has
//! to do the checking. It remembers the highest fencing token it has seen, and refuses any read
//! or write that carries a lower one. Reads count too: a client that read under token 34 has
//! promised to write under 34, so a write under 33 that arrives in between must not land.

/// Why the storage refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The token the request carried.
    pub token: u64,
    /// The newest token the storage had already seen.
    pub newest: u64,
}

/// One value, guarded (or not) by fencing tokens.
#[derive(Clone, Debug)]
pub struct Storage {
    fencing: bool,
    value: u64,
    newest: u64,
    accepted_writes: u64,
    refused: u64,
}

impl Storage {
    /// A store holding `value`; with `fencing` off it accepts every request, like a plain
    /// database that trusts its clients to hold the lock.
    pub fn new(value: u64, fencing: bool) -> Self {
        Self {
            fencing,
            value,
            newest: 0,
            accepted_writes: 0,
            refused: 0,
        }
    }

    /// Whether the fencing check is on.
    pub fn fencing(&self) -> bool {
        self.fencing
    }

    /// The current value.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The highest token any request has carried so far.
    pub fn newest_token(&self) -> u64 {
        self.newest
    }

    /// How many requests were refused.
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// How many writes landed.
    pub fn accepted_writes(&self) -> u64 {
        self.accepted_writes
    }

    fn admit(&mut self, token: u64) -> Result<(), Refused> {
        if self.fencing && token < self.newest {
            self.refused += 1;
            return Err(Refused {
                token,
                newest: self.newest,
            });
        }
        self.newest = self.newest.max(token);
        Ok(())
    }

    /// Reads the value under `token`.
    pub fn read(&mut self, token: u64) -> Result<u64, Refused> {
        self.admit(token)?;
        Ok(self.value)
    }

    /// Writes `value` under `token`.
    pub fn write(&mut self, token: u64, value: u64) -> Result<(), Refused> {
        self.admit(token)?;
        self.value = value;
        self.accepted_writes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_token_is_refused_only_with_fencing() {
        let mut fenced = Storage::new(0, true);
        fenced.write(34, 1).unwrap();
        assert_eq!(
            fenced.write(33, 9),
            Err(Refused {
                token: 33,
                newest: 34
            })
        );
        assert_eq!(fenced.value(), 1);
        assert_eq!(fenced.read(34), Ok(1), "the same token is still fine");

        let mut plain = Storage::new(0, false);
        plain.write(34, 1).unwrap();
        plain.write(33, 9).unwrap();
        assert_eq!(plain.value(), 9, "without fencing the stale write lands");
    }
}
