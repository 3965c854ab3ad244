//! The built-in local server on 127.0.0.1: the preview page that plays each room's HLS stream
//! and shows the line being spoken, the operator console, and the control API (bearer token):
//! language swaps, chat in (`POST /api/chat`, a WebSocket feed), say, pause, resume, skip,
//! switch product, mute, approve; `/metrics` and `/healthz` for supervisors.

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

use crate::swap::Control;

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

/// A room as the server sees it.
pub type ServedRoom = PreviewRoom;

struct AppState {
    title: String,
    rooms: Vec<PreviewRoom>,
    control: Arc<Control>,
    chat: Option<Arc<chat::Desk>>,
    /// Figures the show adds to `/metrics` (the writer's lines and refusals).
    extra_metrics: Box<dyn Fn(&mut crate::metrics::Exposition) + Send + Sync>,
}

pub struct PreviewServer {
    port: u16,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl PreviewServer {
    pub async fn start(
        bind: std::net::IpAddr,
        port: u16,
        title: &str,
        rooms: Vec<PreviewRoom>,
        control: Arc<Control>,
        chat: Option<Arc<chat::Desk>>,
        extra_metrics: Box<dyn Fn(&mut crate::metrics::Exposition) + Send + Sync>,
    ) -> Result<PreviewServer> {
        let listener = tokio::net::TcpListener::bind((bind, port))
            .await
            .with_context(|| format!("cannot serve the preview on {bind}:{port} (in use? pass --port)"))?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(AppState { title: title.to_string(), rooms, control, chat, extra_metrics });
        let app = Router::new()
            .route("/", get(index))
            .route("/console", get(console))
            .route("/healthz", get(healthz))
            .route("/metrics", get(metrics))
            .route("/api/status", get(status))
            .route("/api/rooms/{id}/pack", post(swap_pack))
            .route("/api/chat", post(chat_in).get(chat_state))
            .route("/api/chat/ws", get(chat_ws))
            .route("/api/chat/flush", post(chat_flush))
            .route("/api/chat/approval", post(chat_approval))
            .route("/api/chat/{id}/approve", post(chat_approve))
            .route("/api/chat/{id}/decline", post(chat_decline))
            .route("/api/mute", post(mute))
            .route("/api/say", post(say))
            .route("/api/pause", post(pause))
            .route("/api/resume", post(resume))
            .route("/api/skip", post(skip))
            .route("/api/product", post(product))
            .route("/rooms/{id}/{file}", get(file))
            .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
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
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Ok(req) = serde_json::from_slice::<SwapBody>(&body) else {
        return bad("expected a JSON body {\"pack\": \"ID\"}");
    };
    let control = state.control.clone();
    let result = tokio::task::spawn_blocking(move || control.swap(&id, &req.pack)).await;
    match result {
        Ok(Ok(pack)) => axum::Json(serde_json::json!({"ok": true, "pack": pack})).into_response(),
        Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({"error": e.to_string()}))).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(serde_json::json!({"error": e.to_string()}))).into_response(),
    }
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    if state.control.authorized(auth) {
        Ok(())
    } else {
        Err((StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "missing or wrong bearer token"}))).into_response())
    }
}

fn bad(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": msg}))).into_response()
}

fn refused(e: anyhow::Error) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(serde_json::json!({"error": format!("{e:#}")}))).into_response()
}

/// Authorizes, then hands `command` to the chat desk: the endpoints that only tell the desk.
fn tell_desk(state: &AppState, headers: &HeaderMap, command: chat::DeskCommand) -> Response {
    if let Err(r) = authorize(state, headers) {
        return r;
    }
    let Some(desk) = &state.chat else { return no_chat() };
    desk.command(command);
    axum::Json(serde_json::json!({"ok": true})).into_response()
}

fn no_chat() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"error": "this show runs without chat"}))).into_response()
}

/// A chat message as the API takes it: the viewer's name and text, optionally the kind
/// (`message`, `follow`, `gift`, `join`), the room and the platform's id.
fn chat_message(body: &[u8], source: &str) -> Result<show::ChatMessage, String> {
    let mut m: show::ChatMessage = serde_json::from_slice(body).map_err(|e| format!("expected {{\"user\": \"…\", \"text\": \"…\"}}: {e}"))?;
    m.source = source.to_string();
    m.received_ms = show::chat::now_ms();
    if m.id.len() > 128 {
        m.id.truncate(128);
    }
    Ok(m)
}

/// `POST /api/chat {"user": "anna", "text": "how much is the lamp?"}`: a viewer's message,
/// moderated and maybe answered. 202: taken; the reply (or why there is none) shows in
/// `GET /api/chat`.
async fn chat_in(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Some(desk) = &state.chat else { return no_chat() };
    let m = match chat_message(&body, "api") {
        Ok(m) => m,
        Err(e) => return bad(&e),
    };
    if let Some(room) = &m.room
        && !state.control.room_ids().contains(room)
    {
        return bad(&format!("no room `{room}` in this show"));
    }
    match desk.inbox().try_send(m) {
        Ok(()) => (StatusCode::ACCEPTED, axum::Json(serde_json::json!({"ok": true}))).into_response(),
        Err(_) => (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({"error": "the chat desk is full; try again"}))).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// `GET /api/chat/ws?token=…`: a WebSocket on which each text frame is one chat message as
/// `POST /api/chat` takes it (a platform bridge keeps one open).
async fn chat_ws(State(state): State<Arc<AppState>>, headers: HeaderMap, axum::extract::Query(q): axum::extract::Query<TokenQuery>, ws: axum::extract::ws::WebSocketUpgrade) -> Response {
    let via_query = q.token.as_deref().is_some_and(|t| state.control.authorized(&format!("Bearer {t}")));
    if !via_query && let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Some(desk) = state.chat.clone() else { return no_chat() };
    ws.max_message_size(64 * 1024).on_upgrade(move |mut socket| async move {
        use axum::extract::ws::Message;
        let health = desk.health.iter().find(|h| h.name == "ws").cloned();
        if let Some(h) = &health {
            h.connected.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        while let Some(Ok(msg)) = socket.recv().await {
            let body = match msg {
                Message::Text(t) => t.as_bytes().to_vec(),
                Message::Binary(b) => b.to_vec(),
                Message::Close(_) => break,
                _ => continue,
            };
            match chat_message(&body, "ws") {
                Ok(m) => {
                    if let Some(h) = &health {
                        h.messages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        h.last_ms.store(m.received_ms, std::sync::atomic::Ordering::Relaxed);
                    }
                    let _ = desk.inbox().try_send(m);
                }
                Err(e) => {
                    if let Some(h) = &health {
                        h.rejected_lines.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    let _ = socket.send(Message::Text(serde_json::json!({"error": e}).to_string().into())).await;
                }
            }
        }
        if let Some(h) = &health {
            h.connected.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    })
}

/// `GET /api/chat`: what the desk did with the latest messages (answered, dropped and why,
/// waiting for approval), what is queued, the sources' health.
async fn chat_state(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Some(desk) = &state.chat else { return no_chat() };
    let body = {
        let st = desk.state.lock().unwrap_or_else(|e| e.into_inner());
        let log: Vec<&chat::desk::Decision> = st.log.iter().rev().take(100).collect();
        let pending: Vec<&chat::desk::Decision> = st.pending.iter().map(|(d, _, _)| d).collect();
        let queued: Vec<serde_json::Value> = st.queued.iter().map(|(lane, id, user, text)| serde_json::json!({"lane": lane, "id": id, "user": user, "text": text})).collect();
        let sources: Vec<serde_json::Value> = desk
            .health
            .iter()
            .map(|h| {
                use std::sync::atomic::Ordering::Relaxed;
                serde_json::json!({"name": h.name, "connected": h.connected.load(Relaxed), "silent": h.silent.load(Relaxed), "messages": h.messages.load(Relaxed), "reconnects": h.reconnects.load(Relaxed)})
            })
            .collect();
        serde_json::json!({"log": log, "pending": pending, "queued": queued, "counts": st.counts, "approval": st.approval, "muted": st.muted, "sources": sources})
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

#[derive(serde::Deserialize)]
struct OnBody {
    on: bool,
}

async fn chat_flush(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    tell_desk(&state, &headers, chat::DeskCommand::Flush)
}

async fn chat_approval(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Some(desk) = &state.chat else { return no_chat() };
    let Ok(b) = serde_json::from_slice::<OnBody>(&body) else { return bad("expected {\"on\": true|false}") };
    desk.command(chat::DeskCommand::Approval(b.on));
    axum::Json(serde_json::json!({"ok": true, "approval": b.on})).into_response()
}

async fn chat_approve(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    tell_desk(&state, &headers, chat::DeskCommand::Approve(id))
}

async fn chat_decline(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    tell_desk(&state, &headers, chat::DeskCommand::Decline(id))
}

#[derive(serde::Deserialize)]
struct MuteBody {
    user: String,
    #[serde(default = "yes")]
    on: bool,
}

fn yes() -> bool {
    true
}

async fn mute(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Ok(b) = serde_json::from_slice::<MuteBody>(&body) else { return bad("expected {\"user\": \"NAME\", \"on\": true|false}") };
    tell_desk(&state, &headers, chat::DeskCommand::Mute(b.user, b.on))
}

#[derive(serde::Deserialize, Default)]
struct RoomBody {
    room: Option<String>,
}

#[derive(serde::Deserialize)]
struct SayBody {
    text: String,
    room: Option<String>,
    product: Option<String>,
}

/// `POST /api/say {"text": "…", "room": "main", "product": "id"}`: the host says it at the next
/// sentence boundary (after the guard), in each room's language.
async fn say(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Ok(b) = serde_json::from_slice::<SayBody>(&body) else { return bad("expected {\"text\": \"…\", \"room\": \"ID\" (optional)}") };
    match state.control.say(&b.text, b.room.as_deref(), b.product.as_deref()) {
        Ok(rooms) => axum::Json(serde_json::json!({"ok": true, "rooms": rooms})).into_response(),
        Err(e) => refused(e),
    }
}

fn room_body(body: &[u8]) -> Result<RoomBody, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(RoomBody::default());
    }
    serde_json::from_slice::<RoomBody>(body).map_err(|_| bad("expected {\"room\": \"ID\"} or no body (every room)"))
}

async fn pause(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    hold(&state, &headers, &body, true)
}

async fn resume(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    hold(&state, &headers, &body, false)
}

fn hold(state: &AppState, headers: &HeaderMap, body: &[u8], on: bool) -> Response {
    if let Err(r) = authorize(state, headers) {
        return r;
    }
    let b = match room_body(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    match state.control.pause(b.room.as_deref(), on) {
        Ok(rooms) => axum::Json(serde_json::json!({"ok": true, "paused": on, "rooms": rooms})).into_response(),
        Err(e) => refused(e),
    }
}

async fn skip(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let b = match room_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    match state.control.skip(b.room.as_deref()) {
        Ok(rooms) => axum::Json(serde_json::json!({"ok": true, "rooms": rooms})).into_response(),
        Err(e) => refused(e),
    }
}

#[derive(serde::Deserialize)]
struct ProductBody {
    product: String,
}

async fn product(State(state): State<Arc<AppState>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let Ok(b) = serde_json::from_slice::<ProductBody>(&body) else { return bad("expected {\"product\": \"CATALOG ID\"}") };
    match state.control.switch_product(&b.product) {
        Ok(rooms) => axum::Json(serde_json::json!({"ok": true, "rooms": rooms})).into_response(),
        Err(e) => refused(e),
    }
}

/// `GET /healthz`: 200 while every room streams (or is starting), 503 with the rooms' states
/// otherwise. No token: supervisors poll it.
async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let states: Vec<(String, String)> = state.rooms.iter().map(|r| {
        let s = r.status.lock().unwrap_or_else(|e| e.into_inner());
        (r.id.clone(), s.state.clone())
    }).collect();
    let ok = states.iter().all(|(_, s)| s == "live" || s == "starting");
    let body = serde_json::json!({"ok": ok, "rooms": states.iter().map(|(id, s)| serde_json::json!({"room": id, "state": s})).collect::<Vec<_>>()});
    let code = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// `GET /metrics`: Prometheus text. No token (it says nothing secret); it listens on 127.0.0.1 unless told otherwise.
async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let mut e = crate::metrics::Exposition::default();
    let statuses: Vec<RoomStatus> = state.rooms.iter().map(|r| r.status.lock().unwrap_or_else(|e| e.into_inner()).clone()).collect();
    crate::metrics::rooms(&mut e, &statuses);
    if let Some(desk) = &state.chat {
        crate::metrics::chat(&mut e, desk);
    }
    (state.extra_metrics)(&mut e);
    crate::metrics::process(&mut e);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4"), (header::CACHE_CONTROL, "no-store")], e.finish()).into_response()
}

async fn console(State(state): State<Arc<AppState>>) -> Html<String> {
    let rooms: Vec<serde_json::Value> = state
        .rooms
        .iter()
        .map(|r| serde_json::json!({"id": r.id, "locale": r.locale, "preview": r.preview, "width": r.width, "height": r.height}))
        .collect();
    let products: Vec<serde_json::Value> = state.control.show.products.iter().map(|p| serde_json::json!({"id": p.id, "title": p.title})).collect();
    Html(
        CONSOLE
            .replace("{{TITLE}}", &html_escape(&state.title))
            .replace("{{ROOMS}}", &serde_json::to_string(&rooms).unwrap_or_else(|_| "[]".into()).replace("</", "<\\/"))
            .replace("{{PRODUCTS}}", &serde_json::to_string(&products).unwrap_or_else(|_| "[]".into()).replace("</", "<\\/")),
    )
}

const CONSOLE: &str = include_str!("console.html");

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PAGE: &str = include_str!("preview.html");
