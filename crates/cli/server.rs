//! The built-in local preview: an HTTP server on 127.0.0.1 with a page that plays each room's
//! HLS stream and shows the line being spoken.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use director::room::RoomStatus;
use tokio::sync::oneshot;

pub struct PreviewRoom {
    pub id: String,
    pub locale: String,
    pub dir: PathBuf,
    pub width: u32,
    pub height: u32,
    pub status: Arc<Mutex<RoomStatus>>,
}

struct AppState {
    title: String,
    rooms: Vec<PreviewRoom>,
}

pub struct PreviewServer {
    port: u16,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl PreviewServer {
    pub async fn start(port: u16, title: &str, rooms: Vec<PreviewRoom>) -> Result<PreviewServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("cannot serve the preview on 127.0.0.1:{port} (in use? pass --port)"))?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(AppState { title: title.to_string(), rooms });
        let app = Router::new()
            .route("/", get(index))
            .route("/api/status", get(status))
            .route("/rooms/{id}/{file}", get(file))
            .with_state(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("preview server: {e}");
            }
        });
        Ok(PreviewServer { port, stop, task })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

async fn index(State(state): State<Arc<AppState>>) -> Html<String> {
    let rooms: Vec<serde_json::Value> = state
        .rooms
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "locale": r.locale, "width": r.width, "height": r.height}))
        .collect();
    let page = PAGE
        .replace("{{TITLE}}", &html_escape(&state.title))
        .replace("{{ROOMS}}", &serde_json::to_string(&rooms).unwrap_or_else(|_| "[]".into()));
    Html(page)
}

async fn status(State(state): State<Arc<AppState>>) -> Response {
    let list: Vec<serde_json::Value> = state
        .rooms
        .iter()
        .map(|r| {
            let s = r.status.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let ready = r.dir.join("index.m3u8").is_file();
            serde_json::json!({"status": s, "ready": ready, "id": r.id})
        })
        .collect();
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(list)).into_response()
}

async fn file(State(state): State<Arc<AppState>>, Path((id, name)): Path<(String, String)>) -> Response {
    let Some(room) = state.rooms.iter().find(|r| r.id == id) else {
        return (StatusCode::NOT_FOUND, "no such room").into_response();
    };
    // Only plain file names from the room's own folder.
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') || name.starts_with('.') {
        return (StatusCode::BAD_REQUEST, "bad file name").into_response();
    }
    let mime = if name.ends_with(".m3u8") {
        "application/vnd.apple.mpegurl"
    } else if name.ends_with(".ts") {
        "video/mp2t"
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    match tokio::fs::read(room.dir.join(&name)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "no-cache")], bytes).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "not yet").into_response(),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PAGE: &str = include_str!("preview.html");
