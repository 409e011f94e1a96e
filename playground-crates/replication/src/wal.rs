//! The write-ahead log a leader ships to its followers.
//!
//! Every write becomes an entry with a position (`index`, counting from 1) and the `epoch` of the
//! leader that wrote it. Followers hold a prefix of the leader's log; "lag" is how far behind that
//! prefix is, in entries and in milliseconds. The epoch is what lets two logs be compared after a
//! failover: two entries at the same index with the same epoch were written by the same leader
//! and are the same write (Raft's *log matching* rule, which this log follows).

use sim::Time;

/// One write in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Position in the log, from 1.
    pub index: u64,
    /// The epoch of the leader that appended it.
    pub epoch: u64,
    /// The key written.
    pub key: String,
    /// The value written (unique in a run, so a write can be traced to its client).
    pub value: String,
    /// When the leader appended it: what lag in milliseconds is measured from.
    pub written_at: Time,
}

/// A log: entries `1..=len()`, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wal {
    entries: Vec<Entry>,
}

impl Wal {
    /// How many entries the log holds (the index of the last one).
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// True for an empty log.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index` (from 1), if the log reaches it.
    pub fn get(&self, index: u64) -> Option<&Entry> {
        index
            .checked_sub(1)
            .and_then(|i| self.entries.get(i as usize))
    }

    /// The epoch of the entry at `index`; 0 for index 0 (the empty prefix every log shares).
    pub fn epoch_at(&self, index: u64) -> Option<u64> {
        if index == 0 {
            Some(0)
        } else {
            self.get(index).map(|e| e.epoch)
        }
    }

    /// Appends a new write at the end and returns its index.
    pub fn append(&mut self, epoch: u64, key: &str, value: &str, at: Time) -> u64 {
        let index = self.len() + 1;
        self.entries.push(Entry {
            index,
            epoch,
            key: key.to_string(),
            value: value.to_string(),
            written_at: at,
        });
        index
    }

    /// The entries after position `from`, at most `max` of them: what to ship to a follower whose
    /// log matches ours up to `from`.
    pub fn after(&self, from: u64, max: usize) -> Vec<Entry> {
        self.entries
            .iter()
            .skip(from as usize)
            .take(max)
            .cloned()
            .collect()
    }

    /// Puts `entries` (which follow position `from`) into the log. An entry already there with
    /// the same index and epoch is kept; the first one that differs cuts the log there, and
    /// everything from that point on is replaced. Returns the entries cut: writes this replica
    /// held that the sender's log does not.
    pub fn splice(&mut self, from: u64, entries: &[Entry]) -> Vec<Entry> {
        let mut cut = Vec::new();
        for (offset, entry) in entries.iter().enumerate() {
            let index = from + 1 + offset as u64;
            match self.get(index) {
                Some(mine) if mine.epoch == entry.epoch => continue,
                Some(_) => {
                    cut.extend(self.entries.drain((index - 1) as usize..));
                    self.entries.push(entry.clone());
                }
                None => self.entries.push(entry.clone()),
            }
        }
        cut
    }

    /// Cuts the log after `len` entries, returning what was cut.
    pub fn truncate(&mut self, len: u64) -> Vec<Entry> {
        if len >= self.len() {
            return Vec::new();
        }
        self.entries.drain(len as usize..).collect()
    }

    /// The value of `key` after the first `upto` entries (`""` if it was never written there).
    pub fn value_of(&self, key: &str, upto: u64) -> String {
        self.entries
            .iter()
            .take(upto as usize)
            .rev()
            .find(|e| e.key == key)
            .map(|e| e.value.clone())
            .unwrap_or_default()
    }

    /// Whether any entry holds this value.
    pub fn contains_value(&self, value: &str) -> bool {
        self.entries.iter().any(|e| e.value == value)
    }

    /// The first index whose epoch is `epoch`, searching back from `index`: where a follower
    /// tells a leader to resume after a mismatch, skipping a whole foreign epoch at once.
    pub fn start_of_epoch(&self, index: u64) -> u64 {
        let Some(epoch) = self.epoch_at(index) else {
            return self.len();
        };
        let mut i = index;
        while i > 1 && self.epoch_at(i - 1) == Some(epoch) {
            i -= 1;
        }
        i.saturating_sub(1)
    }

    /// Every entry, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_keeps_matching_entries_and_cuts_at_the_first_difference() {
        let mut mine = Wal::default();
        for v in ["a", "b", "c"] {
            mine.append(1, "k", v, Time::ZERO);
        }
        let mut theirs = Wal::default();
        theirs.append(1, "k", "a", Time::ZERO);
        theirs.append(2, "k", "x", Time::ZERO);
        let cut = mine.splice(0, theirs.entries());
        assert_eq!(
            cut.iter().map(|e| e.value.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert_eq!(mine.value_of("k", 2), "x");
        assert_eq!(mine.len(), 2);
    }
}
