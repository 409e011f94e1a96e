//! Plays a script against the store and prints what each step answered.
//!
//! The output is the interface the PostgreSQL comparison checks, one line a step in script
//! order: `<txn> <step> -> <result>`. A step that must wait prints `-> blocked`; when a later
//! step lets it finish, a line `<txn> <step> -> <result> (was blocked)` follows that later
//! step's own line (several at once: in the order they blocked).

use crate::step::{self, Line, ScriptError, Step};
use crate::store::{Answer, Outcome, State, Store, TxnId};
use std::collections::BTreeMap;
use std::fmt;

/// What one output line reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The step answered at once.
    Answer(Answer),
    /// The step waits.
    Blocked,
    /// A step that was blocked finished while another step ran.
    Released(Answer),
}

/// One output line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The script line of the step reported (for a release: the step that had blocked).
    pub line: usize,
    /// The transaction's name.
    pub txn: String,
    /// The step as written, single-spaced.
    pub text: String,
    /// What happened.
    pub shown: Shown,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> ", self.txn, self.text)?;
        match &self.shown {
            Shown::Answer(answer) => write!(f, "{answer}"),
            Shown::Blocked => f.write_str("blocked"),
            Shown::Released(answer) => write!(f, "{answer} (was blocked)"),
        }
    }
}

/// A script being played: the store, the open transactions, the blocked steps.
#[derive(Clone, Debug, Default)]
pub struct Player {
    /// The store, starting from Hermitage's two rows.
    pub store: Store,
    /// Every name's transaction.
    names: BTreeMap<String, TxnId>,
    /// Steps that wait, in the order they blocked.
    blocked: Vec<(TxnId, Line)>,
    /// Every line printed so far.
    pub events: Vec<Event>,
}

impl Player {
    /// A player on Hermitage's table (`1 → 10`, `2 → 20`).
    pub fn new() -> Player {
        Player::default()
    }

    /// The transaction a name stands for, if it has begun.
    pub fn txn(&self, name: &str) -> Option<TxnId> {
        self.names.get(name).copied()
    }

    /// Whether the named transaction has a step waiting.
    pub fn is_blocked(&self, name: &str) -> bool {
        self.txn(name)
            .is_some_and(|t| self.blocked.iter().any(|(b, _)| *b == t))
    }

    /// Plays one line and returns the output lines it produced (its own, then any releases).
    pub fn play(&mut self, line: &Line) -> Result<Vec<Event>, ScriptError> {
        let refuse = |message: String| ScriptError {
            line: line.number,
            message,
        };
        let name = &line.txn;
        let answer = match (&line.step, self.txn(name)) {
            (Step::Begin(_), Some(_)) => {
                return Err(refuse(format!(
                    "{name} already began; give each transaction its own name"
                )))
            }
            (Step::Begin(level), None) => {
                let t = self.store.begin(name, *level);
                self.names.insert(name.clone(), t);
                Shown::Answer(Answer::Ok)
            }
            (_, None) => return Err(refuse(format!("{name} has not begun"))),
            (step, Some(t)) => {
                if self.is_blocked(name) {
                    return Err(refuse(format!(
                        "{name} is blocked: a blocked transaction cannot run another step"
                    )));
                }
                if matches!(
                    self.store.txns[t].state,
                    State::Committed | State::RolledBack
                ) {
                    return Err(refuse(format!("{name} has already ended")));
                }
                match self.store.run(t, step) {
                    Outcome::Done(answer) => Shown::Answer(answer),
                    Outcome::Blocked { .. } => {
                        self.blocked.push((t, line.clone()));
                        Shown::Blocked
                    }
                }
            }
        };
        let mut out = vec![Event {
            line: line.number,
            txn: name.clone(),
            text: line.text.clone(),
            shown: answer,
        }];
        out.extend(self.release());
        self.events.extend(out.iter().cloned());
        Ok(out)
    }

    /// Runs again every blocked step whose holder has let go, until nothing changes; the
    /// finished ones are reported in the order they blocked.
    fn release(&mut self) -> Vec<Event> {
        let mut finished: Vec<(usize, Event)> = Vec::new();
        loop {
            let ready = self.blocked.iter().position(|(t, _)| {
                let holder = self.store.txns[*t].waits_for.expect("a blocked step waits");
                self.store.txns[holder].state != State::Active
            });
            let Some(at) = ready else { break };
            let (t, line) = self.blocked[at].clone();
            match self.store.resume(t, &line.step) {
                Outcome::Blocked { .. } => {}
                Outcome::Done(answer) => {
                    self.blocked.remove(at);
                    // Blocked steps are ordered by the script line that blocked: the order they blocked.
                    finished.push((
                        line.number,
                        Event {
                            line: line.number,
                            txn: line.txn.clone(),
                            text: line.text.clone(),
                            shown: Shown::Released(answer),
                        },
                    ));
                }
            }
        }
        finished.sort_by_key(|(order, _)| *order);
        finished.into_iter().map(|(_, event)| event).collect()
    }
}

/// Plays a whole script and returns its output lines; a script that is malformed, or that
/// asks a blocked transaction for another step, is refused with its line number.
pub fn run(script: &str) -> Result<Vec<String>, ScriptError> {
    let lines = step::parse(script)?;
    let mut player = Player::new();
    let mut out = Vec::new();
    for line in &lines {
        for event in player.play(line)? {
            out.push(event.to_string());
        }
    }
    Ok(out)
}
