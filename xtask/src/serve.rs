//! `cargo xtask serve`: the book, its widgets and a working playground on one local port, rebuilt
//! and reloaded in the browser on every edit to `src/`, `theme/` or `book.toml`.

use crate::site;
use anyhow::{Context, Result};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::routing::get;
use axum::Router;
use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode, DebounceEventResult};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
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
        let _watcher = watch(root.to_path_buf(), dest.clone(), built, reload.clone())?;
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

/// The one router: the playground's API, the live-reload socket and the static site.
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
        .fallback_service(ServeDir::new(dest).not_found_service(ServeFile::new(not_found))))
}

async fn notify_on_reload(mut socket: WebSocket, mut reload: broadcast::Receiver<()>) {
    if reload.recv().await.is_ok() {
        let _ = socket.send(Message::text("reload")).await;
    }
}

/// Rebuilds the pages when the book's sources change. The returned debouncer must be kept alive.
fn watch(
    root: PathBuf,
    dest: PathBuf,
    built: site::Built,
    reload: broadcast::Sender<()>,
) -> Result<impl Drop> {
    let watched_root = root.clone();
    let mut debouncer = new_debouncer(
        Duration::from_millis(300),
        move |events: DebounceEventResult| {
            if events.map(|events| events.is_empty()).unwrap_or(true) {
                return;
            }
            eprintln!("change detected: rebuilding the book");
            match site::pages(&root, &dest, &built, true) {
                Ok(()) => {
                    let _ = reload.send(());
                }
                Err(error) => eprintln!("error: {error:#}"),
            }
        },
    )?;
    for path in ["src", "theme", "book.toml"] {
        debouncer
            .watcher()
            .watch(&watched_root.join(path), RecursiveMode::Recursive)?;
    }
    Ok(debouncer)
}
