//! The built-in local server on 127.0.0.1: the preview page that plays each room's HLS stream
//! and shows the line being spoken, and the control endpoint (bearer token) that swaps a
//! room's language pack while it streams.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use director::room::RoomStatus;
use tokio::sync::oneshot;

use crate::control::Control;

pub struct PreviewRoom {
    pub id: String,
    /// Served on the preview page (false: it streams to its own output; status only).
    pub preview: bool,
    pub locale: String,
    pub dir: PathBuf,
    pub width: u32,
    pub height: u32,
    pub status: Arc<Mutex<RoomStatus>>,
}

struct AppState {
    title: String,
    rooms: Vec<PreviewRoom>,
    control: Arc<Control>,
}

pub struct PreviewServer {
    port: u16,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl PreviewServer {
    pub async fn start(port: u16, title: &str, rooms: Vec<PreviewRoom>, control: Arc<Control>) -> Result<PreviewServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("cannot serve the preview on 127.0.0.1:{port} (in use? pass --port)"))?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(AppState { title: title.to_string(), rooms, control });
        let app = Router::new()
            .route("/", get(index))
            .route("/api/status", get(status))
            .route("/api/rooms/{id}/pack", post(swap_pack))
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
        .filter(|r| r.preview)
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
            let ready = r.preview && r.dir.join("index.m3u8").is_file();
            serde_json::json!({"status": s, "ready": ready, "id": r.id, "preview": r.preview})
        })
        .collect();
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(list)).into_response()
}

async fn file(State(state): State<Arc<AppState>>, Path((id, name)): Path<(String, String)>) -> Response {
    let Some(room) = state.rooms.iter().find(|r| r.id == id && r.preview) else {
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

#[derive(serde::Deserialize)]
struct SwapBody {
    pack: String,
}

/// `POST /api/rooms/{id}/pack {"pack": "pt-BR"}` with `Authorization: Bearer TOKEN`: the room
/// speaks the new pack from its next sentence on; its stream and media clock go on.
async fn swap_pack(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !state.control.authorized(auth) {
        return (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "missing or wrong bearer token"}))).into_response();
    }
    let Ok(req) = serde_json::from_slice::<SwapBody>(&body) else {
        return (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": "expected a JSON body {\"pack\": \"ID\"}"}))).into_response();
    };
    let control = state.control.clone();
    let result = tokio::task::spawn_blocking(move || control.swap(&id, &req.pack)).await;
    match result {
        Ok(Ok(pack)) => axum::Json(serde_json::json!({"ok": true, "pack": pack})).into_response(),
        Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({"error": e.to_string()}))).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(serde_json::json!({"error": e.to_string()}))).into_response(),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PAGE: &str = include_str!("preview.html");
