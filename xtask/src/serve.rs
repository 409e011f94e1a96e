//! `cargo xtask serve`: the book, its widgets and a working playground on one local port, rebuilt
//! and reloaded in the browser on every real edit to `src/`, `theme/` or `book.toml`.

use crate::{site, watch};
use anyhow::{Context, Result};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use xtask::book::LIVE_RELOAD_ENDPOINT;
use xtask::workspace;

/// Builds everything, then serves until interrupted.
pub fn run(root: &Path, port: u16) -> Result<()> {
    let dest = workspace::site_dir(root);
    let built = site::build(root, &dest, true)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| {
                format!(
                    "port {port} is taken: try `cargo xtask serve --port {}`",
                    port + 1
                )
            })?;
        let (reload, _) = broadcast::channel::<()>(4);
        let _watcher = rebuild_on_change(root, root, &dest, built, reload.clone())?;
        let app = app(root, &dest, reload)?;
        eprintln!("serving the book at http://{address}/ (Ctrl-C to stop)");
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

/// The one router: the playground's API, the live-reload socket and the static site, compressed
/// (gzip or brotli, as the browser asks) as any static host would.
pub fn app(root: &Path, dest: &Path, reload: broadcast::Sender<()>) -> Result<Router> {
    let playground = Arc::new(playground::Playground::new(
        playground::Config::for_workspace(root),
    )?);
    let not_found = dest.join("404.html");
    Ok(playground::router(playground)
        .route(
            &format!("/{LIVE_RELOAD_ENDPOINT}"),
            get(move |socket: WebSocketUpgrade| {
                let reload = reload.subscribe();
                async move { socket.on_upgrade(move |ws| notify_on_reload(ws, reload)) }
            }),
        )
        .fallback_service(ServeDir::new(dest).not_found_service(ServeFile::new(not_found)))
        .layer(CompressionLayer::new()))
}

async fn notify_on_reload(mut socket: WebSocket, mut reload: broadcast::Receiver<()>) {
    if reload.recv().await.is_ok() {
        let _ = socket.send(Message::text("reload")).await;
    }
}

/// Rebuilds the pages of the book at `book` into `dest` after each real edit, then tells every
/// open page to reload. The returned watcher must be kept alive.
pub fn rebuild_on_change(
    root: &Path,
    book: &Path,
    dest: &Path,
    built: site::Built,
    reload: broadcast::Sender<()>,
) -> Result<RebuildWatcher> {
    let rebuilds = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&rebuilds);
    let (root, book_root, dest): (PathBuf, PathBuf, PathBuf) =
        (root.to_path_buf(), book.to_path_buf(), dest.to_path_buf());
    let watcher = watch::on_change(&book_root.clone(), move || {
        let count = counter.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("change detected: rebuilding the book (rebuild {count})");
        match site::pages(&root, &book_root, &dest, &built, true) {
            Ok(()) => {
                let _ = reload.send(());
            }
            Err(error) => eprintln!("error: {error:#}"),
        }
    })
    .context("could not watch the book's sources")?;
    Ok(RebuildWatcher {
        _watcher: Box::new(watcher),
        rebuilds,
    })
}

/// A running watcher; dropping it stops the rebuilds.
pub struct RebuildWatcher {
    _watcher: Box<dyn Send>,
    rebuilds: Arc<AtomicUsize>,
}

impl RebuildWatcher {
    /// How many rebuilds edits have caused so far.
    pub fn rebuilds(&self) -> usize {
        self.rebuilds.load(Ordering::SeqCst)
    }
}
