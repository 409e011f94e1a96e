//! Reading Jepsen histories: etcd register logs and key-value EDN maps.
//!
//! Both formats are described in `shared/histories/README.md`. Each parser pairs every `:invoke`
//! with the same process's next `:ok`, `:fail` or `:info`, and an invocation still open when the
//! file ends becomes indeterminate. Every error names the file and the line, and says what the line
//! should have looked like: these files are written by other people's tools.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crate::history::{
    History, KvOp, KvOperation, Operation, Outcome, RegisterOp, RegisterOperation, Stamp,
};

/// A history that could not be read, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The file, as the caller named it.
    pub file: String,
    /// The 1-based line (0 if the file could not be read at all).
    pub line: usize,
    /// What is wrong, and what to write instead.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads a file and parses it in whichever format its content shows.
pub fn parse_file(path: impl AsRef<Path>) -> Result<History, ParseError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ParseError {
        file: name.clone(),
        line: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(&name, &text)
}

/// Parses `text` (named `file` in errors), telling the format from the content: etcd logs contain
/// `jepsen.util`; kv histories have one `{...}` map a line.
pub fn parse(file: &str, text: &str) -> Result<History, ParseError> {
    if text.contains("jepsen.util") {
        return parse_etcd(file, text).map(History::Register);
    }
    match text.lines().enumerate().find(|(_, l)| !l.trim().is_empty()) {
        Some((_, line)) if line.trim_start().starts_with('{') => {
            parse_kv(file, text).map(History::Kv)
        }
        Some((n, _)) => Err(ParseError {
            file: file.to_string(),
            line: n + 1,
            message: "cannot tell the format: expected etcd log lines (`INFO  jepsen.util - 0\t:invoke\t:read\tnil`) \
                      or one kv map a line (`{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}`)"
                .to_string(),
        }),
        None => Err(ParseError {
            file: file.to_string(),
            line: 0,
            message: "the file is empty: expected a Jepsen history".to_string(),
        }),
    }
}

/// The event types of a Jepsen history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Invoke,
    Ok,
    Fail,
    Info,
}

fn kind(word: &str) -> Option<Kind> {
    Some(match word {
        ":invoke" => Kind::Invoke,
        ":ok" => Kind::Ok,
        ":fail" => Kind::Fail,
        ":info" => Kind::Info,
        _ => return None,
    })
}

/// Pairs invokes with completions, one open operation a process.
struct Pairing<I, O> {
    file: String,
    ops: Vec<Operation<I, O>>,
    open: HashMap<u64, usize>,
}

impl<I, O> Pairing<I, O> {
    fn new(file: &str) -> Self {
        Pairing {
            file: file.to_string(),
            ops: Vec::new(),
            open: HashMap::new(),
        }
    }

    fn error(&self, line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    fn invoke(&mut self, line: usize, process: u64, input: I) -> Result<(), ParseError> {
        if let Some(&id) = self.open.get(&process) {
            return Err(self.error(
                line,
                format!(
                    "process {process} invokes again while its operation from line {} is still open; \
                     a process runs one operation at a time (after an :info, use a new process number)",
                    self.ops[id].invoke.line
                ),
            ));
        }
        let id = self.ops.len();
        let stamp = Stamp {
            time: line as u64,
            line,
        };
        self.ops.push(Operation {
            id,
            process,
            input,
            outcome: Outcome::Info,
            invoke: stamp,
            complete: None,
        });
        self.open.insert(process, id);
        Ok(())
    }

    /// The open operation of `process`, which this completion line ends.
    fn open_op(&mut self, line: usize, process: u64) -> Result<&mut Operation<I, O>, ParseError> {
        match self.open.remove(&process) {
            Some(id) => Ok(&mut self.ops[id]),
            None => Err(self.error(
                line,
                format!("process {process} completes an operation it never invoked; add its :invoke line above"),
            )),
        }
    }

    fn complete(
        &mut self,
        line: usize,
        process: u64,
        outcome: Outcome<O>,
    ) -> Result<(), ParseError> {
        let op = self.open_op(line, process)?;
        op.outcome = outcome;
        op.complete = Some(Stamp {
            time: line as u64,
            line,
        });
        Ok(())
    }
}

/// Parses an etcd register log (`INFO  jepsen.util - P\t:type\t:f\tvalue` lines; other lines are
/// ignored).
pub fn parse_etcd(file: &str, text: &str) -> Result<Vec<RegisterOperation>, ParseError> {
    let mut pairing: Pairing<RegisterOp, Option<i64>> = Pairing::new(file);
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let Some(at) = raw.find("jepsen.util") else {
            continue;
        };
        let rest = raw[at + "jepsen.util".len()..].trim_start();
        let Some(rest) = rest.strip_prefix('-') else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let expected = "expected `P :type :f value`, e.g. `0\t:invoke\t:write\t3`";
        if words.len() < 3 {
            return Err(pairing.error(line, format!("too few fields; {expected}")));
        }
        let process: u64 = words[0].parse().map_err(|_| {
            pairing.error(
                line,
                format!("process `{}` is not a number; {expected}", words[0]),
            )
        })?;
        let kind = kind(words[1]).ok_or_else(|| {
            pairing.error(
                line,
                format!(
                    "event type `{}` is not :invoke, :ok, :fail or :info",
                    words[1]
                ),
            )
        })?;
        // The value is one token, or a `[A B]` pair; anything after it (some Jepsen logs add
        // `:hint N`) is ignored.
        let rest = &words[3.min(words.len())..];
        let value = match rest.first() {
            Some(first) if first.starts_with('[') => {
                let end = rest
                    .iter()
                    .position(|w| w.ends_with(']'))
                    .unwrap_or(rest.len() - 1);
                rest[..=end].join(" ")
            }
            Some(first) => first.to_string(),
            None => String::new(),
        };
        let f = words[2];
        let bad_value =
            |what: &str| pairing.error(line, format!("{f} value `{value}` is not {what}"));
        let integer = |v: &str| v.parse::<i64>().ok();
        let pair = |v: &str| -> Option<(i64, i64)> {
            let inner = v.strip_prefix('[')?.strip_suffix(']')?;
            let mut it = inner.split_whitespace();
            let a = it.next()?.parse().ok()?;
            let b = it.next()?.parse().ok()?;
            it.next().is_none().then_some((a, b))
        };
        let input = match f {
            ":read" => RegisterOp::Read,
            ":write" => match kind {
                Kind::Invoke | Kind::Ok => {
                    RegisterOp::Write(integer(&value).ok_or_else(|| bad_value("an integer"))?)
                }
                _ => RegisterOp::Read, // unused: fail/info carry no value to check
            },
            ":cas" => match kind {
                Kind::Invoke | Kind::Ok => {
                    let (from, to) = pair(&value).ok_or_else(|| bad_value("a pair like [3 4]"))?;
                    RegisterOp::Cas { from, to }
                }
                _ => RegisterOp::Read,
            },
            other => {
                return Err(pairing.error(
                    line,
                    format!("operation `{other}` is not :read, :write or :cas"),
                ))
            }
        };
        match kind {
            Kind::Invoke => pairing.invoke(line, process, input)?,
            Kind::Ok => {
                let op = pairing.open_op(line, process)?;
                let invoked = op.input;
                let output = match invoked {
                    RegisterOp::Read if f == ":read" => {
                        if value == "nil" {
                            None
                        } else {
                            Some(integer(&value).ok_or_else(|| {
                                ParseError {
                                    file: file.to_string(),
                                    line,
                                    message: format!("read value `{value}` is not an integer or nil"),
                                }
                            })?)
                        }
                    }
                    _ if input == invoked => None,
                    _ => {
                        return Err(ParseError {
                            file: file.to_string(),
                            line,
                            message: format!(
                                "process {process} completes `{f} {value}` but invoked `{invoked}` at line {}",
                                op.invoke.line
                            ),
                        })
                    }
                };
                op.outcome = Outcome::Ok(output);
                op.complete = Some(Stamp {
                    time: line as u64,
                    line,
                });
            }
            Kind::Fail => pairing.complete(line, process, Outcome::Fail)?,
            Kind::Info => pairing.complete(line, process, Outcome::Info)?,
        }
    }
    Ok(pairing.ops)
}

/// A value in a kv line: the little of EDN these files use.
#[derive(Clone, Debug, PartialEq)]
enum Edn {
    Keyword(String),
    Str(String),
    Int(i64),
    Nil,
}

/// Parses `{:k v, :k v}` into its pairs.
fn edn_map(line: &str) -> Result<Vec<(String, Edn)>, String> {
    let body = line
        .trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or("a kv line is one map in braces: `{:process 0, :type :invoke, ...}`")?;
    let mut chars = body.chars().peekable();
    let mut values = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let value = if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => return Err("a string is not closed with `\"`".to_string()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some(other) => s.push(other),
                        None => return Err("a string ends in a lone `\\`".to_string()),
                    },
                    Some(other) => s.push(other),
                }
            }
            Edn::Str(s)
        } else {
            let mut word = String::new();
            while chars
                .peek()
                .is_some_and(|c| !c.is_whitespace() && *c != ',')
            {
                word.push(chars.next().expect("peeked"));
            }
            if let Some(k) = word.strip_prefix(':') {
                Edn::Keyword(k.to_string())
            } else if word == "nil" {
                Edn::Nil
            } else if let Ok(n) = word.parse() {
                Edn::Int(n)
            } else {
                return Err(format!("`{word}` is not a keyword, string, integer or nil"));
            }
        };
        values.push(value);
    }
    if values.len() % 2 != 0 {
        return Err("a map needs a value after every key".to_string());
    }
    values
        .chunks(2)
        .map(|kv| match &kv[0] {
            Edn::Keyword(k) => Ok((k.clone(), kv[1].clone())),
            other => Err(format!(
                "map keys are keywords like `:process`, not {other:?}"
            )),
        })
        .collect()
}

/// Parses a kv history: one `{:process P, :type T, :f F, :key "K", :value V}` map a line.
pub fn parse_kv(file: &str, text: &str) -> Result<Vec<KvOperation>, ParseError> {
    let mut pairing: Pairing<KvOp, String> = Pairing::new(file);
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let map = edn_map(raw).map_err(|m| pairing.error(line, m))?;
        let field = |name: &str| map.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let missing = |name: &str| pairing.error(line, format!("missing `:{name}`"));
        let process = match field("process").ok_or_else(|| missing("process"))? {
            Edn::Int(p) if *p >= 0 => *p as u64,
            other => {
                return Err(pairing.error(line, format!(":process must be a number, not {other:?}")))
            }
        };
        let kind = match field("type").ok_or_else(|| missing("type"))? {
            Edn::Keyword(k) => kind(&format!(":{k}")),
            _ => None,
        }
        .ok_or_else(|| pairing.error(line, ":type must be :invoke, :ok, :fail or :info"))?;
        let f = match field("f").ok_or_else(|| missing("f"))? {
            Edn::Keyword(k) => k.clone(),
            other => {
                return Err(pairing.error(
                    line,
                    format!(":f must be :get, :put or :append, not {other:?}"),
                ))
            }
        };
        let key = match field("key").ok_or_else(|| missing("key"))? {
            Edn::Str(s) => s.clone(),
            Edn::Int(n) => n.to_string(),
            other => {
                return Err(pairing.error(line, format!(":key must be a string, not {other:?}")))
            }
        };
        let value = match field("value") {
            Some(Edn::Str(s)) => Some(s.clone()),
            Some(Edn::Int(n)) => Some(n.to_string()),
            Some(Edn::Nil) | None => None,
            Some(other) => {
                return Err(pairing.error(
                    line,
                    format!(":value must be a string or nil, not {other:?}"),
                ))
            }
        };
        let needs_value = |what: &str| {
            pairing.error(
                line,
                format!("{what} needs a string :value, e.g. `:value \"x 1 0 y\"`"),
            )
        };
        match kind {
            Kind::Invoke => {
                let input = match f.as_str() {
                    "get" => KvOp::Get(key),
                    "put" => KvOp::Put(key, value.ok_or_else(|| needs_value(":put"))?),
                    "append" => KvOp::Append(key, value.ok_or_else(|| needs_value(":append"))?),
                    other => {
                        return Err(pairing.error(
                            line,
                            format!("operation `:{other}` is not :get, :put or :append"),
                        ))
                    }
                };
                pairing.invoke(line, process, input)?;
            }
            Kind::Ok => {
                let op = pairing.open_op(line, process)?;
                let output = match &op.input {
                    KvOp::Get(_) => value.unwrap_or_default(),
                    _ => String::new(),
                };
                op.outcome = Outcome::Ok(output);
                op.complete = Some(Stamp {
                    time: line as u64,
                    line,
                });
            }
            Kind::Fail => pairing.complete(line, process, Outcome::Fail)?,
            Kind::Info => pairing.complete(line, process, Outcome::Info)?,
        }
    }
    Ok(pairing.ops)
}
