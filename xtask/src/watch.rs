//! Watching the book's sources for real edits.
//!
//! Linux's inotify reports every *open* of a watched file, and a rebuild opens every file under
//! `src/` and `theme/`: a watcher that reacts to any event rebuilds forever, about once a second,
//! and reloads every open page with it. So two filters stand between an event and a rebuild:
//!
//! 1. only events that can change content count (create, write, remove, rename), never opens,
//!    reads or metadata changes, and never editors' scratch files (`.name.swp`, `name~`);
//! 2. after a quiet spell the watched files' contents are fingerprinted, and the book is rebuilt
//!    only if the fingerprint differs from the last build's. Saving a file unchanged, or an editor
//!    that writes a file and then restores it, costs no rebuild and no reload.

use notify::event::{EventKind, ModifyKind};
use notify::{Event, RecursiveMode, Watcher};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// The files and folders of a book whose edits change the site.
pub const WATCHED: [&str; 3] = ["src", "theme", "book.toml"];

/// How long the sources must stay quiet before a rebuild starts: an editor's save is often a
/// burst of events (write a temporary file, rename it over the old one, set its mode).
const QUIET: Duration = Duration::from_millis(300);

/// Calls `on_change` once for each settled edit to the book at `book_root`, on a thread of its
/// own, until the returned watcher is dropped.
pub fn on_change(
    book_root: &Path,
    mut on_change: impl FnMut() + Send + 'static,
) -> notify::Result<notify::RecommendedWatcher> {
    let (events, incoming) = mpsc::channel::<Event>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        if let Ok(event) = event {
            let _ = events.send(event);
        }
    })?;
    for path in WATCHED {
        let path = book_root.join(path);
        if path.exists() {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    let book_root = book_root.to_path_buf();
    std::thread::spawn(move || {
        let mut last = fingerprint(&book_root);
        while let Ok(event) = incoming.recv() {
            if !can_change_content(&event) {
                continue;
            }
            // Let the burst settle: keep draining until nothing arrives for QUIET.
            while incoming.recv_timeout(QUIET).is_ok() {}
            let now = fingerprint(&book_root);
            if now != last {
                last = now;
                on_change();
            }
        }
    });
    Ok(watcher)
}

/// Whether an event may have changed what the book is built from.
pub fn can_change_content(event: &Event) -> bool {
    let kind_counts = match event.kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    };
    kind_counts && event.paths.iter().any(|path| !is_scratch_file(path))
}

/// Editors' swap, backup and temporary files, which are never part of the book.
fn is_scratch_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name == "4913"
}

/// A hash of every watched file's path and contents. Reading the files opens them, which is why
/// opens never count as changes.
pub fn fingerprint(book_root: &Path) -> u64 {
    let mut files = Vec::new();
    for path in WATCHED {
        collect(&book_root.join(path), &mut files);
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if is_scratch_file(path) {
        return;
    }
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            collect(&entry.path(), files);
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, MetadataKind};

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn opening_or_reading_a_file_is_not_a_change() {
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Read),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ] {
            assert!(
                !can_change_content(&event(kind, "src/index.md")),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn writing_creating_and_removing_are_changes() {
        for kind in [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(notify::event::RemoveKind::File),
        ] {
            assert!(can_change_content(&event(kind, "src/index.md")), "{kind:?}");
        }
    }

    #[test]
    fn editor_scratch_files_are_ignored() {
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        for path in [
            "src/.index.md.swp",
            "src/index.md~",
            "src/4913",
            "theme/.#x.css",
        ] {
            assert!(!can_change_content(&event(write, path)), "{path}");
        }
    }

    #[test]
    fn the_fingerprint_changes_with_content_only() {
        let dir = std::env::temp_dir().join(format!("dsip-watch-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.md"), "one").unwrap();
        let first = fingerprint(&dir);
        std::fs::write(src.join("a.md"), "one").unwrap();
        assert_eq!(
            fingerprint(&dir),
            first,
            "saving the same text changes nothing"
        );
        std::fs::write(src.join("a.md"), "two").unwrap();
        assert_ne!(fingerprint(&dir), first, "new text is a change");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
