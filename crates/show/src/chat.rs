//! What viewers send: chat messages and channel events, as every chat source delivers them.

use serde::{Deserialize, Serialize};

/// What a chat event is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatEvent {
    /// A message typed in the chat.
    #[default]
    Message,
    /// A viewer followed the channel.
    Follow,
    /// A viewer sent a gift (or subscribed, cheered, tipped).
    Gift,
    /// A viewer joined the room.
    Join,
}

/// One message or event from a room's chat, as a source hands it in. `text` and `user` are
/// the viewer's, untouched: never instructions, never spoken as they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Unique within the show (`irc-42`, `api-7`, or the platform's own id).
    #[serde(default)]
    pub id: String,
    pub user: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub kind: ChatEvent,
    /// The room it was sent to; `None`: every room (a shared chat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Which source delivered it (`api`, `irc`, `replay`, `ndjson`).
    #[serde(default)]
    pub source: String,
    /// When it arrived, in milliseconds since the Unix epoch (set by the source).
    #[serde(default)]
    pub received_ms: u64,
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Why the host says a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// An answer to a viewer's question.
    Answer,
    /// A welcome.
    Greeting,
    /// Thanks for a follow, a gift or kind words.
    Thanks,
    /// A line the operator asked for.
    Operator,
}

impl ReplyKind {
    pub fn name(self) -> &'static str {
        match self {
            ReplyKind::Answer => "answer",
            ReplyKind::Greeting => "greeting",
            ReplyKind::Thanks => "thanks",
            ReplyKind::Operator => "operator",
        }
    }
}

/// A line said out of the run of show, at the room's next sentence boundary: a reply to a
/// viewer or the operator's own words, already checked by the guard.
#[derive(Clone, Debug)]
pub struct Reply {
    pub line: crate::Line,
    pub kind: ReplyKind,
    /// The message it answers: its id and when it arrived (ms since the epoch).
    pub message: Option<(String, u64)>,
}
