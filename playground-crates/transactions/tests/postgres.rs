//! Every script in `scripts/`, played through our store and through a real PostgreSQL: the two
//! outputs must be identical line for line.
//!
//! The test starts a throwaway server (initdb and postgres as the `postgres` user when run as
//! root, in a temporary directory, on a Unix socket only), opens one connection per
//! transaction, and tells a waiting statement from a running one through `pg_stat_activity`
//! (`wait_event_type = 'Lock'`). Without PostgreSQL it fails with one line saying what to install.

use postgres::{Client, NoTls, SimpleQueryMessage};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};
use transactions::step::{self, Step};

const INSTALL: &str = "PostgreSQL is missing: install it with `apt-get install postgresql` (Debian), which puts initdb and postgres in /usr/lib/postgresql/<version>/bin";

/// How long a waiter sleeps before PostgreSQL checks it for a deadlock; the harness waits
/// several times this before it calls a step blocked, so every check has run.
const DEADLOCK_TIMEOUT_MS: u64 = 50;

fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(INSTALL)
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("postgres").exists() && bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect(INSTALL)
}

struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
    version: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root).
fn as_postgres(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(bin.join(program));
        command
    } else {
        Command::new(bin.join(program))
    }
}

fn start() -> Server {
    let bin = postgres_bin();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let dir = std::env::temp_dir().join(format!("dsip-pg-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    if is_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .expect("chown");
        assert!(
            status.success(),
            "could not hand {} to the postgres user",
            dir.display()
        );
    }
    let data = dir.join("data");
    let out = as_postgres(&bin, "initdb")
        .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
        .arg(&data)
        .output()
        .expect(INSTALL);
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let child = as_postgres(&bin, "postgres")
        .arg("-D")
        .arg(&data)
        .args(["-k"])
        .arg(&dir)
        .args([
            "-c",
            "listen_addresses=",
            "-c",
            "fsync=off",
            "-c",
            "autovacuum=off",
        ])
        .args(["-c", &format!("deadlock_timeout={DEADLOCK_TIMEOUT_MS}ms")])
        .args(["-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("postgres");
    let mut server = Server {
        child,
        dir,
        port,
        version: String::new(),
    };
    let started = Instant::now();
    let mut client = loop {
        match connect(&server) {
            Ok(client) => break client,
            Err(error) if started.elapsed() < Duration::from_secs(20) => {
                let _ = error;
                thread::sleep(Duration::from_millis(50))
            }
            Err(error) => panic!("postgres did not start: {error}"),
        }
    };
    server.version = client
        .query_one("SHOW server_version", &[])
        .map(|row| row.get::<_, String>(0))
        .expect("version");
    server
}

fn connect(server: &Server) -> Result<Client, postgres::Error> {
    postgres::Config::new()
        .host_path(&server.dir)
        .port(server.port)
        .user("postgres")
        .dbname("postgres")
        .connect(NoTls)
}

/// What a statement came back with, in the script's words.
fn answer(
    step: &Step,
    result: Result<Vec<SimpleQueryMessage>, postgres::Error>,
    failed: bool,
) -> String {
    let messages = match result {
        Err(error) => {
            let code = error
                .code()
                .map(|c| c.code().to_string())
                .unwrap_or_default();
            return match code.as_str() {
                "40001" => "error: serialization failure".into(),
                "40P01" => "error: deadlock".into(),
                "23505" => "error: duplicate key".into(),
                "25P02" => "error: aborted".into(),
                _ => format!("unexpected PostgreSQL error: {error}"),
            };
        }
        Ok(messages) => messages,
    };
    let rows: Vec<Vec<String>> = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("").to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect();
    let changed = messages.iter().find_map(|m| match m {
        SimpleQueryMessage::CommandComplete(n) => Some(*n),
        _ => None,
    });
    match step {
        Step::Begin(_) | Step::Abort => "ok".into(),
        // COMMIT in a failed transaction block rolls it back (its command tag is ROLLBACK).
        Step::Commit if failed => "rolled back".into(),
        Step::Commit => "ok".into(),
        Step::Get(_) => rows
            .first()
            .map(|r| r[0].clone())
            .unwrap_or_else(|| "none".into()),
        Step::Select(_) => {
            let inner: Vec<String> = rows.iter().map(|r| format!("{}: {}", r[0], r[1])).collect();
            format!("{{{}}}", inner.join(", "))
        }
        _ => format!("ok {}", changed.unwrap_or(0)),
    }
}

/// One connection per transaction, on its own thread, so a statement can wait on a lock.
struct Conn {
    pid: i32,
    send: Sender<Step>,
    done: Receiver<String>,
}

fn open(server: &Server) -> Conn {
    let mut client = connect(server).expect("connect");
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    let (send, steps) = channel::<Step>();
    let (answers, done) = channel::<String>();
    thread::spawn(move || {
        let mut failed = false;
        for step in steps {
            let result = client.simple_query(&step.sql());
            if result.is_err() {
                failed = true;
            }
            let text = answer(&step, result, failed);
            if matches!(step, Step::Commit | Step::Abort) {
                failed = false;
            }
            if answers.send(text).is_err() {
                break;
            }
        }
    });
    Conn { pid, send, done }
}

fn reset(monitor: &mut Client) {
    monitor
        .batch_execute(
            "DROP TABLE IF EXISTS test; \
             CREATE TABLE test (id int PRIMARY KEY, value int); \
             INSERT INTO test (id, value) VALUES (1, 10), (2, 20);",
        )
        .expect("setup");
}

/// Plays a script through PostgreSQL and prints it the way the `interleave` example does.
fn play_postgres(server: &Server, monitor: &mut Client, script: &str) -> Vec<String> {
    reset(monitor);
    let lines = step::parse(script).expect("script parses");
    let mut conns: BTreeMap<String, Conn> = BTreeMap::new();
    // Steps sent and not answered yet: (line, txn, text).
    let mut waiting: Vec<(usize, String, String)> = Vec::new();
    let mut out = Vec::new();
    for line in &lines {
        assert!(
            !waiting.iter().any(|(_, txn, _)| *txn == line.txn),
            "line {}: {} is blocked",
            line.number,
            line.txn
        );
        if matches!(line.step, Step::Begin(_)) {
            conns.insert(line.txn.clone(), open(server));
        }
        let conn = &conns[&line.txn];
        conn.send.send(line.step.clone()).expect("send");
        waiting.push((line.number, line.txn.clone(), line.text.clone()));
        let answered = settle(monitor, &conns, &mut waiting);
        let mine = answered.iter().find(|(n, ..)| *n == line.number);
        match mine {
            Some((_, txn, text, result)) => out.push(format!("{txn} {text} -> {result}")),
            None => out.push(format!("{} {} -> blocked", line.txn, line.text)),
        }
        for (n, txn, text, result) in &answered {
            if *n != line.number {
                out.push(format!("{txn} {text} -> {result} (was blocked)"));
            }
        }
    }
    for conn in conns.values() {
        let _ = conn.send.send(Step::Abort);
    }
    out
}

/// Waits until every unanswered statement is waiting on a lock (and has stayed so past the
/// deadlock check), and returns those answered meanwhile, in the order they were sent.
fn settle(
    monitor: &mut Client,
    conns: &BTreeMap<String, Conn>,
    waiting: &mut Vec<(usize, String, String)>,
) -> Vec<(usize, String, String, String)> {
    let mut answered = Vec::new();
    let started = Instant::now();
    let mut quiet_since: Option<Instant> = None;
    loop {
        let mut progressed = false;
        waiting.retain(|(n, txn, text)| match conns[txn].done.try_recv() {
            Ok(result) => {
                answered.push((*n, txn.clone(), text.clone(), result));
                progressed = true;
                false
            }
            Err(_) => true,
        });
        if waiting.is_empty() {
            break;
        }
        let locked: Vec<i32> = monitor
            .query(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                &[],
            )
            .expect("pg_stat_activity")
            .iter()
            .map(|row| row.get(0))
            .collect();
        let all_locked = waiting
            .iter()
            .all(|(_, txn, _)| locked.contains(&conns[txn].pid));
        if progressed || !all_locked {
            quiet_since = None;
        } else {
            let since = *quiet_since.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_millis(DEADLOCK_TIMEOUT_MS * 4) {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "a statement never settled"
        );
        thread::sleep(Duration::from_millis(5));
    }
    answered.sort();
    answered
}

#[test]
fn every_script_answers_as_postgresql_does() {
    let server = start();
    let mut monitor = connect(&server).expect("monitor connection");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scripts/")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let mut mismatches = Vec::new();
    for path in &names {
        let script = std::fs::read_to_string(path).expect("script");
        let ours = transactions::script::run(&script).expect("our store runs it");
        let theirs = play_postgres(&server, &mut monitor, &script);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let matched = ours == theirs;
        println!(
            "PostgreSQL {} {name}: {}",
            server.version,
            if matched { "matched" } else { "DIFFERS" }
        );
        if !matched {
            mismatches.push(format!(
                "{name}\n ours:\n  {}\n PostgreSQL:\n  {}",
                ours.join("\n  "),
                theirs.join("\n  ")
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "scripts that differ:\n{}",
        mismatches.join("\n")
    );
}
