//! The linearizability checker: Wing & Gong's search with Lowe's memoisation, as Porcupine does it.
//!
//! **The question.** Can the completed operations of a history be put in one sequential order that
//! (1) respects real time: if A returned before B was invoked, A comes first, and (2) gives every
//! answer the clients saw when replayed against one correct copy of the object ([`Model`])?
//!
//! **The search (Wing & Gong, 1993).** Lay every invoke and every return on one timeline, as a
//! linked list. Walk it from the front: at an invoke, try to *linearize* that operation now: step
//! the model; if the answer fits, take the operation (and its return) out of the list and start
//! again from the front. At a return, the operation it belongs to should already have been taken:
//! it was not, so the last choice was wrong; put the last taken operation back (*unlift*) and try
//! the next candidate after it. An empty list means an order was found; backtracking past the
//! first choice means there is none.
//!
//! **The memo (Lowe, 2017).** Two different paths often reach the same *set* of linearized
//! operations with the same object state; everything after is then identical. Remembering each
//! (set, state) pair seen, as a bitset and the state in a hash set, turns an exponential search
//! into one that finishes in milliseconds on real histories. [Porcupine](https://github.com/anishathalye/porcupine)
//! is this algorithm in Go; this is the same algorithm, in the same shape.
//!
//! **Uncertainty.** A failed operation (a CAS whose compare failed, a read that timed out) did
//! nothing, so it is left out. An indeterminate one (`:info`) may have taken effect at any moment
//! after its invoke, or never: its return is put at the end of time, so it is a candidate
//! everywhere after its invoke and is never *required*: the search succeeds as soon as every
//! operation that completed is placed.
//!
//! **The witness.** When no order exists the checker reports the deepest point the search reached:
//! the longest order it could build, the operation that then had to take effect and could not, and
//! the operations concurrent with it that it tried. That is where a learner should look.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::Hash;

use crate::hash::FxBuild;
use crate::history::{History, KvOperation, Operation, Outcome, RegisterOperation, Stamp};
use crate::model::{KvKey, Model, Register};

/// The checker's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some order of the operations respects real time and the object's rules.
    Linearizable,
    /// None does; the witness says where the search got stuck.
    NotLinearizable(Box<Witness>),
}

impl Verdict {
    /// True for [`Verdict::Linearizable`].
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable)
    }

    /// The witness, if not linearizable.
    pub fn witness(&self) -> Option<&Witness> {
        match self {
            Verdict::Linearizable => None,
            Verdict::NotLinearizable(w) => Some(w),
        }
    }
}

/// One operation named in a witness, as a learner finds it in the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessOp {
    /// The operation's id in the history given to the checker.
    pub id: usize,
    /// Its client process.
    pub process: u64,
    /// "read → 3", "write 4 (outcome unknown)".
    pub text: String,
    /// When it was invoked.
    pub invoke: Stamp,
    /// When it completed (`None` if it never did).
    pub complete: Option<Stamp>,
    /// True for an `:info` operation.
    pub indeterminate: bool,
}

impl fmt::Display for WitnessOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{} {} (", self.process, self.text)?;
        match (self.indeterminate, self.complete) {
            (true, Some(c)) => write!(
                f,
                "invoked line {}, unknown outcome at line {}",
                self.invoke.line, c.line
            )?,
            (true, None) => write!(f, "invoked line {}, never returned", self.invoke.line)?,
            (false, Some(c)) => write!(f, "lines {}–{}", self.invoke.line, c.line)?,
            (false, None) => write!(f, "line {}", self.invoke.line)?,
        }
        write!(f, ")")
    }
}

/// Why a history is not linearizable.
///
/// Two views. `minimal` is the short one a learner reads first: the few operations whose answers
/// contradict each other. `order`, `state`, `stuck` and `concurrent` are the deepest point the
/// search reached, read as: "these operations (`order`) can take effect in this order, leaving the
/// object in `state`; then `stuck` has to take effect (its return comes next on the timeline) and
/// neither it nor any order of the `concurrent` operations before it gives the answers the
/// clients saw."
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// For a key-value history, the key whose operations cannot be ordered.
    pub key: Option<String>,
    /// A minimal set of operations that cannot be ordered: keep these as they completed, let every
    /// other operation be indeterminate (it may have taken effect at any moment after its invoke,
    /// or never), and the history is still not linearizable; make any one of these indeterminate
    /// and it is. Oldest first.
    pub minimal: Vec<WitnessOp>,
    /// The history is already not linearizable when cut at this stamp (the return of the last
    /// operation in `minimal`): everything after it is irrelevant.
    pub breaks_at: Stamp,
    /// The longest order the search built (a linearizable prefix of the history).
    pub order: Vec<WitnessOp>,
    /// The object's state after `order`.
    pub state: String,
    /// The operation that had to take effect next and could not be placed.
    pub stuck: WitnessOp,
    /// The other operations invoked before `stuck` returned and not in `order`: the candidates.
    pub concurrent: Vec<WitnessOp>,
}

impl fmt::Display for Witness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(key) = &self.key {
            write!(f, "key {key:?}: ")?;
        }
        write!(
            f,
            "these {} op(s) cannot be ordered, even if every other op may or may not have taken effect (it fails by line {}): ",
            self.minimal.len(),
            self.breaks_at.line
        )?;
        for (i, op) in self.minimal.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{op}")?;
        }
        write!(
            f,
            " | the longest valid order places {} op(s) (value {}), then {} cannot take effect",
            self.order.len(),
            self.state,
            self.stuck
        )?;
        if !self.concurrent.is_empty() {
            write!(
                f,
                " with any of the {} op(s) concurrent with it",
                self.concurrent.len()
            )?;
        }
        Ok(())
    }
}

/// Checks a parsed history of either kind.
pub fn check(history: &History) -> Verdict {
    match history {
        History::Register(ops) => check_register(ops),
        History::Kv(ops) => check_kv(ops),
    }
}

/// Only the verdict, without the witness: what a benchmark of the search itself should time.
pub fn is_linearizable(history: &History) -> bool {
    fn holds<M: Model>(model: &M, ops: &[&Operation<M::Input, M::Output>]) -> bool {
        matches!(search(model, ops, None, false), Search::Linearizable)
    }
    match history {
        History::Register(ops) => holds(&Register, &ops.iter().collect::<Vec<_>>()),
        History::Kv(ops) => {
            let mut by_key: BTreeMap<&str, Vec<&KvOperation>> = BTreeMap::new();
            for op in ops {
                by_key.entry(op.input.key()).or_default().push(op);
            }
            by_key.values().all(|ops| holds(&KvKey, ops))
        }
    }
}

/// Checks a single-register history (read, write, compare-and-set).
pub fn check_register(ops: &[RegisterOperation]) -> Verdict {
    let refs: Vec<&RegisterOperation> = ops.iter().collect();
    verdict(check_refs(&Register, &refs), None)
}

/// Checks a key-value history one key at a time: keys are independent objects, and a history is
/// linearizable exactly when each key's sub-history is (linearizability is *local*, Herlihy &
/// Wing 1990). The first key that fails, in key order, is reported.
pub fn check_kv(ops: &[KvOperation]) -> Verdict {
    let mut by_key: BTreeMap<&str, Vec<&KvOperation>> = BTreeMap::new();
    for op in ops {
        by_key.entry(op.input.key()).or_default().push(op);
    }
    for (key, ops) in by_key {
        if let Err(witness) = check_refs(&KvKey, &ops) {
            return verdict(Err(witness), Some(key.to_string()));
        }
    }
    Verdict::Linearizable
}

/// Checks any history against any [`Model`].
pub fn check_operations<M: Model>(model: &M, ops: &[Operation<M::Input, M::Output>]) -> Verdict {
    let refs: Vec<&Operation<M::Input, M::Output>> = ops.iter().collect();
    verdict(check_refs(model, &refs), None)
}

fn verdict(result: Result<(), Box<Witness>>, key: Option<String>) -> Verdict {
    match result {
        Ok(()) => Verdict::Linearizable,
        Err(mut witness) => {
            witness.key = key;
            Verdict::NotLinearizable(witness)
        }
    }
}

/// "No node": the end of the list.
const NONE: usize = usize::MAX;

/// One invoke or return on the timeline, in a doubly linked list we can cut operations out of
/// and splice them back into.
#[derive(Clone, Copy, Debug)]
struct Node {
    /// Index into the operations being checked.
    op: usize,
    /// True for an invoke, false for a return.
    call: bool,
    /// For an invoke, the node of its return.
    partner: usize,
    prev: usize,
    next: usize,
}

/// The timeline as a linked list; node 0 is the head sentinel.
struct Timeline {
    nodes: Vec<Node>,
}

impl Timeline {
    /// The invokes and returns of the completed operations (`(invoke, return, op)` triples),
    /// sorted by time; at equal times invokes come first, so two operations that merely touch
    /// are treated as concurrent.
    fn new(spans: &[(u64, u64, usize)]) -> Timeline {
        let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * spans.len());
        for &(invoke, ret, op) in spans {
            events.push((invoke, false, op));
            events.push((ret, true, op));
        }
        // (time, is_return, op): invokes before returns at the same time.
        events.sort_unstable();
        let mut nodes = Vec::with_capacity(events.len() + 1);
        nodes.push(Node {
            op: NONE,
            call: false,
            partner: NONE,
            prev: NONE,
            next: if events.is_empty() { NONE } else { 1 },
        });
        let mut call_node: std::collections::HashMap<usize, usize> =
            std::collections::HashMap::new();
        for (k, &(_, is_return, op)) in events.iter().enumerate() {
            let index = k + 1;
            nodes.push(Node {
                op,
                call: !is_return,
                partner: NONE,
                prev: index - 1,
                next: if index == events.len() {
                    NONE
                } else {
                    index + 1
                },
            });
            if is_return {
                nodes[call_node[&op]].partner = index;
            } else {
                call_node.insert(op, index);
            }
        }
        Timeline { nodes }
    }

    fn first(&self) -> usize {
        self.nodes[0].next
    }

    fn unlink(&mut self, x: usize) {
        let Node { prev, next, .. } = self.nodes[x];
        self.nodes[prev].next = next;
        if next != NONE {
            self.nodes[next].prev = prev;
        }
    }

    fn relink(&mut self, x: usize) {
        let Node { prev, next, .. } = self.nodes[x];
        self.nodes[prev].next = x;
        if next != NONE {
            self.nodes[next].prev = x;
        }
    }

    /// Takes an operation (its invoke and its return) out of the timeline.
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        self.unlink(self.nodes[call].partner);
    }

    /// Puts back the operation lifted last (the reverse of [`Timeline::lift`]).
    fn unlift(&mut self, call: usize) {
        self.relink(self.nodes[call].partner);
        self.relink(call);
    }
}

/// Lowe's memo, with one extra rule for indeterminate operations.
///
/// A search position is the set of completed operations placed (`placed`), the set of
/// indeterminate ones used (`used`) and the object's state. Lowe: the same position twice has the
/// same future, so visit it once. Our extra rule: an indeterminate operation is *optional*, so a
/// position that used fewer of them (`used` a subset) can do everything a position that used
/// more can; if it was visited, the one that used more need not be. Without this rule each
/// subset of timed-out writes counts as a new position, and histories with many of them blow up.
struct Memo<S> {
    /// For each (placed set, state), the minimal `used` sets it was visited with.
    seen: HashMap<(Compact, S), Used, FxBuild>,
}

/// The `used` sets a (placed set, state) was visited with.
enum Used {
    /// Visited having used none: that covers every later visit (the common case, stored
    /// without allocating).
    None,
    /// The minimal sets visited with (none of them empty).
    Sets(Vec<Compact>),
}

impl<S> Default for Memo<S> {
    fn default() -> Self {
        Memo {
            seen: HashMap::default(),
        }
    }
}

impl<S: Eq + Hash + Clone> Memo<S> {
    /// Records the position; false if it (or one that dominates it) was visited before.
    fn first_visit(&mut self, placed: &Bitset, used: &Bitset, state: &S) -> bool {
        let used = used.compact();
        match self.seen.entry((placed.compact(), state.clone())) {
            Entry::Vacant(slot) => {
                slot.insert(if used.is_empty() {
                    Used::None
                } else {
                    Used::Sets(vec![used])
                });
                true
            }
            Entry::Occupied(mut slot) => match slot.get_mut() {
                Used::None => false,
                Used::Sets(sets) => {
                    if sets.iter().any(|u| u.is_subset_of(&used)) {
                        return false;
                    }
                    if used.is_empty() {
                        *slot.get_mut() = Used::None;
                    } else {
                        sets.retain(|u| !used.is_subset_of(u));
                        sets.push(used);
                    }
                    true
                }
            },
        }
    }
}

/// A set of operations as the memo keeps it: operations are numbered in invoke order and the
/// search linearizes roughly in that order, so a set is a long run of all-ones words, a short
/// window, then zeros. Storing only the window keeps each memo entry a few words long instead of
/// a bit per operation of the history (which, for 20,000 operations, is 2.5 kB an entry).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Compact {
    /// Leading words that are all ones.
    full: usize,
    /// The words after them, up to the last non-zero one.
    tail: Box<[u64]>,
}

impl Compact {
    fn word(&self, i: usize) -> u64 {
        if i < self.full {
            u64::MAX
        } else {
            self.tail.get(i - self.full).copied().unwrap_or(0)
        }
    }

    fn is_empty(&self) -> bool {
        self.full == 0 && self.tail.is_empty()
    }

    fn is_subset_of(&self, other: &Compact) -> bool {
        (0..self.full + self.tail.len()).all(|i| self.word(i) & !other.word(i) == 0)
    }
}

/// The set of operations linearized so far.
struct Bitset {
    words: Vec<u64>,
    /// Words `..full` are all ones (kept up to date by `set` and `clear`).
    full: usize,
    /// Words `end..` are all zero.
    end: usize,
}

impl Bitset {
    fn new(bits: usize) -> Bitset {
        Bitset {
            words: vec![0; bits.div_ceil(64)],
            full: 0,
            end: 0,
        }
    }
    fn set(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] |= 1 << (i % 64);
        self.end = self.end.max(w + 1);
        while self.full < self.words.len() && self.words[self.full] == u64::MAX {
            self.full += 1;
        }
    }
    fn clear(&mut self, i: usize) {
        let w = i / 64;
        self.words[w] &= !(1 << (i % 64));
        self.full = self.full.min(w);
        while self.end > 0 && self.words[self.end - 1] == 0 {
            self.end -= 1;
        }
    }
    fn get(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }
    fn compact(&self) -> Compact {
        let end = self.end.max(self.full);
        Compact {
            full: self.full,
            tail: self.words[self.full..end].into(),
        }
    }
}

/// The deepest point of the search so far, kept for the witness.
struct Deepest<S> {
    order: Vec<usize>,
    state: S,
    stuck: usize,
    concurrent: Vec<usize>,
}

/// What one run of the search found.
enum Search {
    Linearizable,
    NotLinearizable(Box<Witness>),
    /// Ran out of its step budget (only the witness minimiser sets one).
    GaveUp,
}

/// How many search steps the witness minimiser may spend in all, across its re-checks. The
/// verdict itself has no budget; this only bounds how hard we try to shorten the witness, and
/// running out leaves it correct but possibly longer.
const MINIMISE_BUDGET: u64 = 4_000_000;

/// The verdict, and on failure the witness with its minimal core.
fn check_refs<M: Model>(
    model: &M,
    ops: &[&Operation<M::Input, M::Output>],
) -> Result<(), Box<Witness>> {
    match search(model, ops, None, true) {
        Search::Linearizable | Search::GaveUp => Ok(()),
        Search::NotLinearizable(mut witness) => {
            let (minimal, breaks_at) = minimise(model, ops);
            let describe = |op: &Operation<M::Input, M::Output>| witness_op(model, op);
            witness.minimal = minimal.iter().map(|&i| describe(ops[i])).collect();
            witness.breaks_at = breaks_at;
            Err(witness)
        }
    }
}

fn witness_op<M: Model>(model: &M, op: &Operation<M::Input, M::Output>) -> WitnessOp {
    let output = match &op.outcome {
        Outcome::Ok(o) => Some(o),
        _ => None,
    };
    let mut text = model.describe(&op.input, output);
    if op.is_indeterminate() {
        text.push_str(" (outcome unknown)");
    }
    WitnessOp {
        id: op.id,
        process: op.process,
        text,
        invoke: op.invoke,
        complete: op.complete,
        indeterminate: op.is_indeterminate(),
    }
}

/// Shrinks a non-linearizable history to the few operations that contradict each other.
///
/// Two moves, both of which can only make a history *easier* to linearize, so whatever is still
/// not linearizable after them is a true witness:
///
/// 1. **Cut** the history at the earliest return where it already fails (linearizability is
///    prefix-closed, so a binary search finds it): ops invoked later are dropped, ops still
///    running are made indeterminate.
/// 2. **Weaken** each remaining completed op in turn, making it indeterminate (a read is simply
///    dropped: unknown, it constrains nothing); keep the weakening if the history still fails.
///    Weakening is monotone, so one pass leaves a set where weakening any one op more would make
///    the history linearizable: a minimal witness.
///
/// Returns indices into `ops` (oldest invoke first) and the cut.
fn minimise<M: Model>(model: &M, ops: &[&Operation<M::Input, M::Output>]) -> (Vec<usize>, Stamp) {
    let mut budget = MINIMISE_BUDGET;
    let live: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops[i].outcome, Outcome::Fail))
        .collect();
    let done = |i: usize| -> Option<Stamp> {
        match ops[i].outcome {
            Outcome::Ok(_) => ops[i].complete,
            _ => None,
        }
    };
    let mut cuts: Vec<Stamp> = live.iter().filter_map(|&i| done(i)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    // `keep[i]`: op i (in `live`) is still determinate; `dropped[i]`: left out entirely.
    let build =
        |cut: Stamp, keep: &[bool], dropped: &[bool]| -> Vec<Operation<M::Input, M::Output>> {
            live.iter()
                .enumerate()
                .filter(|&(k, &i)| !dropped[k] && ops[i].invoke.time <= cut.time)
                .map(|(k, &i)| {
                    let mut op = ops[i].clone();
                    let finished = done(i).is_some_and(|c| c.time <= cut.time);
                    if !(keep[k] && finished) {
                        op.outcome = Outcome::Info;
                    }
                    op
                })
                .collect()
        };
    let fails = |history: Vec<Operation<M::Input, M::Output>>, budget: &mut u64| {
        let refs: Vec<&Operation<M::Input, M::Output>> = history.iter().collect();
        matches!(
            search(model, &refs, Some(budget), false),
            Search::NotLinearizable(_)
        )
    };
    let mut keep = vec![true; live.len()];
    let mut dropped = vec![false; live.len()];
    // 1. The earliest failing cut; the last cut (the whole history) is known to fail.
    let (mut lo, mut hi) = (0, cuts.len().saturating_sub(1));
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails(build(cuts[mid], &keep, &dropped), &mut budget) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let cut = cuts.get(hi).copied().unwrap_or(Stamp { time: 0, line: 0 });
    // 2. Weaken: reads first (dropping them is cheap and shrinks every later re-check), then
    // the rest, oldest first.
    let mut order: Vec<usize> = (0..live.len())
        .filter(|&k| done(live[k]).is_some_and(|c| c.time <= cut.time))
        .collect();
    order.sort_by_key(|&k| {
        (
            !model.is_read_only(&ops[live[k]].input),
            ops[live[k]].invoke,
        )
    });
    for k in order {
        if budget == 0 {
            break;
        }
        let read_only = model.is_read_only(&ops[live[k]].input);
        keep[k] = false;
        dropped[k] = read_only;
        if !fails(build(cut, &keep, &dropped), &mut budget) {
            keep[k] = true;
            dropped[k] = false;
        }
    }
    let mut minimal: Vec<usize> = (0..live.len())
        .filter(|&k| keep[k] && !dropped[k] && done(live[k]).is_some_and(|c| c.time <= cut.time))
        .map(|k| live[k])
        .collect();
    minimal.sort_by_key(|&i| ops[i].invoke);
    (minimal, cut)
}

/// One choice on the search's stack: which operation was linearized at this depth.
#[derive(Clone, Copy)]
enum Choice {
    /// A completed operation: its invoke node in the timeline and its place in the depth's
    /// candidate list.
    Completed { node: usize, index: usize },
    /// A completed read-only operation taken as soon as it fitted: no alternative needs trying
    /// (see [`search`]), so backtracking goes straight past it.
    Read(usize),
    /// An indeterminate operation, by its position in the `open` list, tried while `bound` (a
    /// return node) was the earliest return still in the timeline.
    Open { at: usize, bound: usize },
}

/// Where the scan for the next candidate resumes.
#[derive(Clone, Copy)]
enum Cursor {
    /// A position just reached: list the candidates, and take a read that fits before anything
    /// else.
    Fresh,
    /// At this place in the depth's candidate list.
    Candidate(usize),
    /// At this position of the `open` list, with candidates invoked no later than `bound`.
    Open { at: usize, bound: usize },
}

/// The Wing–Gong–Lowe search. `budget`, when given, is decremented a step at a time and the
/// search gives up when it reaches zero; `record` keeps the deepest point for a witness.
///
/// Refinements over Porcupine, none of which changes a verdict (they only reorder or skip
/// branches that cannot succeed where another already failed):
///
/// - **Reads first, and only once.** If a completed read-only operation is a candidate (invoked
///   before the earliest pending return) and fits the current state, taking it *now* is never
///   worse than taking it later: it changes nothing, and nothing still pending had returned
///   before it was invoked. So it is taken at once, with no alternative to try on the way back.
///   This removes the 2^k orders of k concurrent reads. (The position after such a read is not
///   memoised: the position before it was, and the read is its only continuation.)
/// - **Soonest return first.** The candidates at each depth are tried in the order of their
///   returns, not their invokes: the operation that must take effect soonest goes first, so a
///   long operation that overlaps many short ones is not placed before all of them by default.
///   (This is the intuition of Lowe's "just-in-time" linearization.)
/// - **Indeterminate operations last.** They are kept off the timeline, in their own `open`
///   list, and tried only after every completed candidate at that depth has failed; and the memo
///   treats a position that used fewer of them as covering one that used more (see [`Memo`]).
fn search<M: Model>(
    model: &M,
    all: &[&Operation<M::Input, M::Output>],
    mut budget: Option<&mut u64>,
    record: bool,
) -> Search {
    let completed = |op: &Operation<M::Input, M::Output>| -> Option<u64> {
        match (&op.outcome, op.complete) {
            (Outcome::Ok(_), Some(c)) => Some(c.time),
            _ => None,
        }
    };
    // A failed operation did nothing and told us nothing; an indeterminate read neither changed
    // nor showed anything: leave both out.
    let ops: Vec<&Operation<M::Input, M::Output>> = all
        .iter()
        .copied()
        .filter(|op| !matches!(op.outcome, Outcome::Fail))
        .filter(|op| completed(op).is_some() || !model.is_read_only(&op.input))
        .collect();
    let output = |i: usize| match &ops[i].outcome {
        Outcome::Ok(o) if ops[i].complete.is_some() => Some(o),
        _ => None,
    };
    let read_only: Vec<bool> = ops.iter().map(|op| model.is_read_only(&op.input)).collect();
    let spans: Vec<(u64, u64, usize)> = (0..ops.len())
        .filter_map(|i| completed(ops[i]).map(|ret| (ops[i].invoke.time, ret, i)))
        .collect();
    let mut open: Vec<usize> = (0..ops.len())
        .filter(|&i| completed(ops[i]).is_none())
        .collect();
    open.sort_by_key(|&i| ops[i].invoke.time);
    let mut timeline = Timeline::new(&spans);
    let mut state = model.init();
    // Linearized so far: completed operations in `placed`, indeterminate ones in `used`.
    let mut placed = Bitset::new(ops.len());
    let mut used = Bitset::new(ops.len());
    let mut memo: Memo<M::State> = Memo::default();
    // The choices made so far, each with the state, candidate list and earliest pending return
    // of the depth it was made at.
    let mut taken: Vec<(Choice, M::State, Vec<usize>, usize)> = Vec::new();
    // This depth's candidates (invoke nodes, soonest return first) and earliest pending return.
    let mut candidates: Vec<usize> = Vec::new();
    // Candidate lists of undone depths, reused so the search does not allocate at every step.
    let mut spare: Vec<Vec<usize>> = Vec::new();
    let mut bound = NONE;
    let mut to_place = spans.len();
    let mut deepest: Option<Deepest<M::State>> = None;
    let mut cursor = Cursor::Fresh;

    while to_place > 0 {
        if let Some(left) = budget.as_deref_mut() {
            if *left == 0 {
                return Search::GaveUp;
            }
            *left -= 1;
        }
        // Find the next candidate: an operation that may take effect now.
        let candidate = match cursor {
            Cursor::Fresh => {
                candidates.clear();
                let mut at = timeline.first();
                while timeline.nodes[at].call {
                    candidates.push(at);
                    at = timeline.nodes[at].next;
                }
                bound = at;
                candidates.sort_unstable_by_key(|&c| timeline.nodes[c].partner);
                cursor = Cursor::Candidate(0);
                let read = candidates.iter().copied().find(|&c| {
                    let op = timeline.nodes[c].op;
                    read_only[op] && model.step(&state, &ops[op].input, output(op)).is_some()
                });
                match read {
                    Some(c) => Some((timeline.nodes[c].op, Choice::Read(c))),
                    None => continue,
                }
            }
            Cursor::Candidate(index) => {
                let Some(&node) = candidates.get(index) else {
                    // Every completed candidate failed: try the open ones.
                    cursor = Cursor::Open { at: 0, bound };
                    continue;
                };
                cursor = Cursor::Candidate(index + 1);
                let op = timeline.nodes[node].op;
                if read_only[op] {
                    // Tried (and failed) in the Fresh pass, or taken there.
                    continue;
                }
                Some((op, Choice::Completed { node, index }))
            }
            Cursor::Open { at, bound } => {
                let limit = ops[timeline.nodes[bound].op]
                    .complete
                    .map_or(u64::MAX, |c| c.time);
                let next = (at..open.len())
                    .take_while(|&k| ops[open[k]].invoke.time <= limit)
                    .find(|&k| !used.get(open[k]));
                match next {
                    Some(k) => {
                        cursor = Cursor::Open { at: k + 1, bound };
                        Some((open[k], Choice::Open { at: k, bound }))
                    }
                    None => {
                        // Dead end at this depth: the operation of `bound` cannot take effect.
                        if record && deepest.as_ref().is_none_or(|d| taken.len() > d.order.len()) {
                            let stuck = timeline.nodes[bound].op;
                            let mut concurrent = Vec::new();
                            let mut at = timeline.first();
                            while at != bound {
                                let n = timeline.nodes[at];
                                if n.call && n.op != stuck {
                                    concurrent.push(n.op);
                                }
                                at = n.next;
                            }
                            concurrent.extend(
                                open.iter()
                                    .copied()
                                    .filter(|&i| !used.get(i) && ops[i].invoke.time <= limit),
                            );
                            deepest = Some(Deepest {
                                order: taken
                                    .iter()
                                    .map(|(c, ..)| chosen_op(&timeline, &open, *c))
                                    .collect(),
                                state: state.clone(),
                                stuck,
                                concurrent,
                            });
                        }
                        None
                    }
                }
            }
        };
        if let Some((op, choice)) = candidate {
            // Try to linearize `op` now.
            if let Some(next) = model.step(&state, &ops[op].input, output(op)) {
                let set = if matches!(choice, Choice::Open { .. }) {
                    &mut used
                } else {
                    &mut placed
                };
                set.set(op);
                if matches!(choice, Choice::Read(_)) || memo.first_visit(&placed, &used, &next) {
                    let before = std::mem::replace(&mut state, next);
                    let fresh = spare.pop().unwrap_or_default();
                    let parent = std::mem::replace(&mut candidates, fresh);
                    taken.push((choice, before, parent, bound));
                    if let Choice::Completed { node: call, .. } | Choice::Read(call) = choice {
                        to_place -= 1;
                        timeline.lift(call);
                    }
                    cursor = Cursor::Fresh;
                    continue;
                }
                // Been here before (same set, same state), or somewhere at least as good:
                // nothing new down this path.
                let set = if matches!(choice, Choice::Open { .. }) {
                    &mut used
                } else {
                    &mut placed
                };
                set.clear(op);
            }
            if !matches!(choice, Choice::Read(_)) {
                continue;
            }
            // A read that fits but leads somewhere already explored: this position is a dead
            // end too (fall through to backtracking).
        }
        // Backtrack: undo the last choice and resume after it; past a read, keep undoing.
        loop {
            let Some((last, before, parent_candidates, parent_bound)) = taken.pop() else {
                return Search::NotLinearizable(Box::new(match deepest {
                    Some(d) => {
                        let describe = |i: usize| witness_op(model, ops[i]);
                        Witness {
                            key: None,
                            minimal: Vec::new(),
                            breaks_at: Stamp { time: 0, line: 0 },
                            order: d.order.iter().map(|&i| describe(i)).collect(),
                            state: model.describe_state(&d.state),
                            stuck: describe(d.stuck),
                            concurrent: d.concurrent.iter().map(|&i| describe(i)).collect(),
                        }
                    }
                    // Not recording: the caller only needs the answer.
                    None => Witness {
                        key: None,
                        minimal: Vec::new(),
                        breaks_at: Stamp { time: 0, line: 0 },
                        order: Vec::new(),
                        state: String::new(),
                        stuck: witness_op(model, ops[timeline.nodes[timeline.first()].op]),
                        concurrent: Vec::new(),
                    },
                }));
            };
            state = before;
            spare.push(std::mem::replace(&mut candidates, parent_candidates));
            bound = parent_bound;
            match last {
                Choice::Completed { node: call, index } => {
                    placed.clear(timeline.nodes[call].op);
                    to_place += 1;
                    timeline.unlift(call);
                    cursor = Cursor::Candidate(index + 1);
                    break;
                }
                Choice::Read(call) => {
                    placed.clear(timeline.nodes[call].op);
                    to_place += 1;
                    timeline.unlift(call);
                }
                Choice::Open { at, bound } => {
                    used.clear(open[at]);
                    cursor = Cursor::Open { at: at + 1, bound };
                    break;
                }
            }
        }
    }
    Search::Linearizable
}

/// The operation a choice linearized.
fn chosen_op(timeline: &Timeline, open: &[usize], choice: Choice) -> usize {
    match choice {
        Choice::Completed { node, .. } | Choice::Read(node) => timeline.nodes[node].op,
        Choice::Open { at, .. } => open[at],
    }
}
