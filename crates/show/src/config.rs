//! The show definition (`show.toml`): catalog, persona, run of show, rooms, music, stage.
//!
//! Parsing is two-phase: [`ShowConfig::load`] reads and validates the file with no side
//! effects beyond reading it; catalogs, voices and pipelines are built from it by the stages.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{SourceError, SourceErrors, line_col};
use crate::line::SegmentKind;
use crate::locale::Locale;
use crate::money::Currency;

/// How the host talks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    #[default]
    Warm,
    Upbeat,
    Calm,
    Luxury,
}

/// How the built-in host looks. Colours are `#rrggbb`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Look {
    pub skin: String,
    pub hair: String,
    /// Hair style: `bob`, `long`, `bun`, `short`, `curly`.
    pub hair_style: String,
    pub eyes: String,
    /// Outfit style: `blazer`, `tee`, `hoodie`, `dress`.
    pub outfit: String,
    pub outfit_color: String,
    pub accent: String,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            skin: "#e8b894".into(),
            hair: "#3b2219".into(),
            hair_style: "bob".into(),
            eyes: "#4a3426".into(),
            outfit: "blazer".into(),
            outfit_color: "#e4572e".into(),
            accent: "#ffd166".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub name: String,
    #[serde(default)]
    pub tone: Tone,
    /// Phrases the host drops in now and then.
    #[serde(default)]
    pub catchphrases: Vec<String>,
    /// What the host says about themself in the opening ("your host from Sunny Nest").
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub look: Look,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunOfShow {
    /// Product ids in the order they are presented; empty means the catalog's order.
    pub products: Vec<String>,
    /// How long each product stays on, in minutes of speech.
    pub product_minutes: f32,
    /// The segments of each product block, in order.
    pub segments: Vec<SegmentKind>,
    /// The length of the limited-time offer's on-screen countdown, in minutes.
    pub offer_minutes: u32,
    /// Silence between sentences, in seconds.
    pub pause_seconds: f32,
}

impl Default for RunOfShow {
    fn default() -> Self {
        RunOfShow {
            products: Vec::new(),
            product_minutes: 3.0,
            segments: vec![
                SegmentKind::Hook,
                SegmentKind::Pitch,
                SegmentKind::SocialProof,
                SegmentKind::Offer,
                SegmentKind::CallToAction,
                SegmentKind::Transition,
            ],
            offer_minutes: 5,
            pause_seconds: 0.45,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MusicConfig {
    pub file: PathBuf,
    /// Music level with nobody speaking, 0 … 1.
    pub volume: f32,
    /// Music level while the host speaks, as a fraction of `volume`.
    pub duck: f32,
}

/// Which host rig draws the host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RigSpec {
    /// The built-in illustrated host, styled by `[persona.look]`.
    #[default]
    BuiltIn,
    /// A layered PNG rig: a folder with `rig.toml`.
    Png(PathBuf),
    /// A clip rig of a real person: a folder with `clips.toml` and short video loops.
    Clips(PathBuf),
}

impl RigSpec {
    /// Parses `built-in`, `png:FOLDER` or `clips:FOLDER` (folders relative to `base`).
    pub fn parse(s: &str, base: &Path) -> Result<RigSpec, String> {
        let s = s.trim();
        if s == "built-in" || s == "builtin" {
            return Ok(RigSpec::BuiltIn);
        }
        let (kind, folder) = s.split_once(':').ok_or_else(|| format!("`{s}` is not a rig: expected \"built-in\", \"png:FOLDER\" or \"clips:FOLDER\""))?;
        let path = base.join(folder.trim());
        let (spec, file) = match kind.trim() {
            "png" => (RigSpec::Png(path.clone()), "rig.toml"),
            "clips" => (RigSpec::Clips(path.clone()), "clips.toml"),
            k => return Err(format!("`{k}` is not a rig kind: expected png or clips")),
        };
        if !path.join(file).is_file() {
            return Err(format!("no {file} in {}", path.display()));
        }
        Ok(spec)
    }
}

/// Where lip-sync comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LipSync {
    /// The voice's phoneme timing (espeak).
    #[default]
    Phonemes,
    /// Estimated from the audio itself, for voices without phoneme timing.
    Audio,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageConfig {
    /// The host rig (rooms may choose their own).
    pub rig: RigSpec,
    /// The "AI-generated host" label; a localized default is used when absent.
    pub label: Option<String>,
    /// Lines of the lower-third ticker (shipping, returns, promo code).
    pub ticker: Vec<String>,
    /// Accent colour of cards and badges.
    pub accent: Option<String>,
    /// Background image behind the set.
    pub background: Option<PathBuf>,
}

/// Which writer writes the show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WriterKind {
    /// The local LLM when its model is installed, else templates.
    #[default]
    Auto,
    Llm,
    Template,
}

impl std::str::FromStr for WriterKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(WriterKind::Auto),
            "llm" => Ok(WriterKind::Llm),
            "template" | "templates" => Ok(WriterKind::Template),
            _ => Err(format!("`{s}` is not a writer: expected auto, llm or template")),
        }
    }
}

/// `[writer]`: the script writer and its model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WriterConfig {
    pub kind: WriterKind,
    /// An installed model's name (`evercast models list`) or a path to a GGUF file.
    pub model: Option<String>,
    /// `auto`, `cpu`, `cuda` or `metal`.
    pub device: Option<String>,
}

/// Where a room's stream goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// `rtmp://` or `rtmps://` ingest.
    Rtmp,
    /// An MP4 file.
    Mp4,
    /// An HLS playlist (`.m3u8`) and its segments.
    Hls,
}

/// An output URL as written in the show, with `${VAR}` references still unresolved.
/// Its `Display` never shows a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    pub template: String,
}

impl OutputSpec {
    pub fn new(template: impl Into<String>) -> OutputSpec {
        OutputSpec { template: template.into() }
    }

    pub fn kind(&self) -> Result<OutputKind, String> {
        let t = self.template.trim();
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("rtmp://") || lower.starts_with("rtmps://") {
            Ok(OutputKind::Rtmp)
        } else if lower.ends_with(".mp4") {
            Ok(OutputKind::Mp4)
        } else if lower.ends_with(".m3u8") {
            Ok(OutputKind::Hls)
        } else {
            Err(format!(
                "`{}` is not an output evercast can write: expected rtmp://host/app/key, a file ending in .mp4, or a playlist ending in .m3u8",
                self.redacted()
            ))
        }
    }

    /// Names of the environment variables the URL refers to.
    pub fn env_vars(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.template.as_str();
        while let Some(i) = rest.find("${") {
            let after = &rest[i + 2..];
            match after.find('}') {
                Some(j) => {
                    out.push(after[..j].to_string());
                    rest = &after[j + 1..];
                }
                None => break,
            }
        }
        out
    }

    /// The URL with `${VAR}`s read from the environment. The result is a secret: never log it.
    pub fn resolve(&self) -> Result<String, String> {
        let mut out = self.template.clone();
        for var in self.env_vars() {
            let value = std::env::var(&var).map_err(|_| {
                format!("the output {} needs the environment variable {var}, which is not set", self.redacted())
            })?;
            out = out.replace(&format!("${{{var}}}"), &value);
        }
        Ok(out)
    }

    /// A form safe to print: `${VAR}` stay as written; a literal RTMP stream key is masked.
    pub fn redacted(&self) -> String {
        let t = &self.template;
        let lower = t.to_ascii_lowercase();
        if (lower.starts_with("rtmp://") || lower.starts_with("rtmps://")) && self.env_vars().is_empty() {
            // rtmp://host/app/KEY: keep host and app, mask the key.
            let parts: Vec<&str> = t.splitn(5, '/').collect();
            if parts.len() == 5 {
                return format!("{}/{}/{}/{}/****", parts[0], parts[1], parts[2], parts[3]);
            }
        }
        t.clone()
    }
}

impl std::fmt::Display for OutputSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// One market's room: its language, voice, format and destination.
#[derive(Clone, Debug, PartialEq)]
pub struct RoomConfig {
    pub id: String,
    pub locale: Locale,
    /// The language pack (`assets/packs/<id>`, or `packs/<id>` next to the show); the one
    /// for the locale when absent.
    pub pack: Option<String>,
    /// Where `pack` is written in the show file (line, column), for errors.
    pub pack_at: Option<(usize, usize)>,
    /// A voice (`en-us`, `espeak:es`); the pack's first installed voice when absent.
    pub voice: Option<String>,
    /// The room's own catalog with local prices (same product handles as the show's); the
    /// show's catalog when absent. evercast never converts currencies itself.
    pub catalog: Option<PathBuf>,
    /// The currency of the room's catalog (Shopify exports carry none); the show's when absent.
    pub currency: Option<Currency>,
    /// An output profile name (`pipelines/<name>.toml`).
    pub profile: String,
    pub output: Option<OutputSpec>,
    /// Overrides the show's AI label for this room.
    pub label: Option<String>,
    /// Overrides the show's host rig for this room.
    pub rig: Option<RigSpec>,
    pub lipsync: LipSync,
    /// Programme loudness in LUFS (integrated, EBU R 128) every voice and the music bed are
    /// levelled to; −16 by default.
    pub loudness: f32,
}

/// The programme loudness rooms are levelled to unless they say otherwise, in LUFS.
pub const DEFAULT_LOUDNESS: f32 = -16.0;

#[derive(Clone, Debug, PartialEq)]
pub struct ShowConfig {
    pub file: PathBuf,
    pub title: String,
    pub catalog: PathBuf,
    pub currency: Currency,
    /// Seed of every random choice, so a show can be replayed.
    pub seed: u64,
    pub persona: Persona,
    pub run_of_show: RunOfShow,
    pub rooms: Vec<RoomConfig>,
    pub music: Option<MusicConfig>,
    pub stage: StageConfig,
    pub writer: WriterConfig,
    /// The shop's answers to what viewers ask besides the catalog (shipping, returns, sizes).
    pub policies: Policies,
}

/// The shop's policies, in the show's language: the only source (with the catalog) of what the
/// host may answer about shipping, returns, sizes, materials, payment and warranty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policies {
    pub shipping: Option<String>,
    pub returns: Option<String>,
    pub sizes: Option<String>,
    pub materials: Option<String>,
    pub payment: Option<String>,
    pub warranty: Option<String>,
}

impl Policies {
    /// Every policy sentence, with its topic.
    pub fn all(&self) -> Vec<(&'static str, &str)> {
        [("shipping", &self.shipping), ("returns", &self.returns), ("sizes", &self.sizes), ("materials", &self.materials), ("payment", &self.payment), ("warranty", &self.warranty)]
            .into_iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShow {
    show: RawShowSection,
    persona: Persona,
    #[serde(default)]
    run_of_show: RunOfShow,
    #[serde(default)]
    rooms: Vec<Spanned<RawRoom>>,
    music: Option<RawMusic>,
    #[serde(default)]
    stage: RawStage,
    #[serde(default)]
    writer: WriterConfig,
    #[serde(default)]
    policies: Policies,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShowSection {
    title: String,
    catalog: Spanned<String>,
    currency: Spanned<String>,
    #[serde(default)]
    seed: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoom {
    id: Spanned<String>,
    locale: Spanned<String>,
    pack: Option<Spanned<String>>,
    voice: Option<String>,
    catalog: Option<Spanned<String>>,
    currency: Option<Spanned<String>>,
    #[serde(default = "default_profile")]
    profile: Spanned<String>,
    output: Option<Spanned<String>>,
    label: Option<String>,
    rig: Option<Spanned<String>>,
    #[serde(default)]
    lipsync: LipSync,
    loudness: Option<Spanned<f32>>,
}

fn default_profile() -> Spanned<String> {
    Spanned::new(0..0, "landscape-720p".to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMusic {
    file: Spanned<String>,
    #[serde(default = "default_volume")]
    volume: f32,
    #[serde(default = "default_duck")]
    duck: f32,
}

fn default_volume() -> f32 {
    0.18
}
fn default_duck() -> f32 {
    0.35
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStage {
    label: Option<String>,
    #[serde(default)]
    ticker: Vec<String>,
    accent: Option<String>,
    background: Option<Spanned<String>>,
    rig: Option<Spanned<String>>,
}

impl ShowConfig {
    /// Reads and validates `show.toml`. Paths in it are relative to its folder.
    pub fn load(path: &Path) -> Result<ShowConfig, SourceErrors> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SourceError::new(path, format!("cannot read the show file: {e}")))?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<ShowConfig, SourceErrors> {
        let at = |span: std::ops::Range<usize>, field: &str, msg: String| -> SourceError {
            let (l, c) = line_col(text, span.start);
            SourceError::new(path, msg).at(l, c).field(field.to_string())
        };
        let raw: RawShow = toml::from_str(text).map_err(|e| {
            let mut err = SourceError::new(path, e.message().to_string());
            if let Some(span) = e.span() {
                let (l, c) = line_col(text, span.start);
                err = err.at(l, c);
            }
            err
        })?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut errors = Vec::new();

        let currency = match Currency::from_code(raw.show.currency.get_ref()) {
            Some(c) => c,
            None => {
                errors.push(at(raw.show.currency.span(), "currency", format!("`{}` is not a three-letter ISO 4217 code such as USD or EUR", raw.show.currency.get_ref())));
                Currency::USD
            }
        };
        let catalog = dir.join(raw.show.catalog.get_ref());
        if !catalog.is_file() {
            errors.push(at(raw.show.catalog.span(), "catalog", format!("no catalog file at {}", catalog.display())));
        }
        if raw.persona.name.trim().is_empty() {
            errors.push(SourceError::new(path, "the host needs a name").field("persona.name"));
        }
        let ros = raw.run_of_show;
        if ros.segments.is_empty() {
            errors.push(SourceError::new(path, "expected at least one segment kind").field("run_of_show.segments"));
        }
        if !(0.25..=120.0).contains(&ros.product_minutes) {
            errors.push(SourceError::new(path, "expected between 0.25 and 120 minutes per product").field("run_of_show.product_minutes"));
        }
        if !(0.0..=5.0).contains(&ros.pause_seconds) {
            errors.push(SourceError::new(path, "expected a pause between 0 and 5 seconds").field("run_of_show.pause_seconds"));
        }

        let mut rooms: Vec<RoomConfig> = Vec::new();
        if raw.rooms.is_empty() {
            errors.push(SourceError::new(path, "the show has no room: add at least one [[rooms]] with an id and a locale").field("rooms"));
        }
        for room in raw.rooms {
            let r = room.into_inner();
            let id = r.id.get_ref().trim().to_string();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                errors.push(at(r.id.span(), "id", format!("`{id}` is not a room id: use letters, digits, `-` and `_`")));
            }
            if rooms.iter().any(|x| x.id == id) {
                errors.push(at(r.id.span(), "id", format!("room `{id}` is defined twice")));
            }
            let locale = match Locale::parse(r.locale.get_ref()) {
                Ok(l) => l,
                Err(m) => {
                    errors.push(at(r.locale.span(), "locale", m));
                    continue;
                }
            };
            let output = match r.output {
                Some(o) => {
                    let spec = OutputSpec::new(o.get_ref().clone());
                    if let Err(m) = spec.kind() {
                        errors.push(at(o.span(), "output", m));
                    }
                    Some(spec)
                }
                None => None,
            };
            let rig = match &r.rig {
                Some(spec) => match RigSpec::parse(spec.get_ref(), &dir) {
                    Ok(rig) => Some(rig),
                    Err(m) => {
                        errors.push(at(spec.span(), "rig", m));
                        None
                    }
                },
                None => None,
            };
            let room_catalog = r.catalog.as_ref().map(|c| {
                let file = dir.join(c.get_ref());
                if !file.is_file() {
                    errors.push(at(c.span(), "catalog", format!("no catalog file at {}", file.display())));
                }
                file
            });
            let room_currency = r.currency.as_ref().and_then(|c| {
                let cur = Currency::from_code(c.get_ref());
                if cur.is_none() {
                    errors.push(at(c.span(), "currency", format!("`{}` is not a three-letter ISO 4217 code such as MXN or EUR", c.get_ref())));
                }
                cur
            });
            let pack_at = r.pack.as_ref().map(|p| line_col(text, p.span().start));
            let loudness = match r.loudness {
                Some(l) if !(-40.0..=-5.0).contains(l.get_ref()) => {
                    errors.push(at(l.span(), "rooms.loudness", "programme loudness is in LUFS between -40 and -5 (-16 is usual for streams, -23 for broadcast)".into()));
                    DEFAULT_LOUDNESS
                }
                Some(l) => l.into_inner(),
                None => DEFAULT_LOUDNESS,
            };
            rooms.push(RoomConfig { id, locale, pack: r.pack.map(Spanned::into_inner), pack_at, voice: r.voice, catalog: room_catalog, currency: room_currency, profile: r.profile.into_inner(), output, label: r.label, rig, lipsync: r.lipsync, loudness });
        }

        let music = match raw.music {
            Some(m) => {
                let file = dir.join(m.file.get_ref());
                if !file.is_file() {
                    errors.push(at(m.file.span(), "music.file", format!("no music file at {}", file.display())));
                }
                if !(0.0..=1.0).contains(&m.volume) || !(0.0..=1.0).contains(&m.duck) {
                    errors.push(SourceError::new(path, "volume and duck are fractions between 0 and 1").field("music"));
                }
                Some(MusicConfig { file, volume: m.volume, duck: m.duck })
            }
            None => None,
        };
        let background = match raw.stage.background {
            Some(b) => {
                let file = dir.join(b.get_ref());
                if !file.is_file() {
                    errors.push(at(b.span(), "stage.background", format!("no image at {}", file.display())));
                }
                Some(file)
            }
            None => None,
        };
        let rig = match &raw.stage.rig {
            Some(spec) => RigSpec::parse(spec.get_ref(), &dir).unwrap_or_else(|m| {
                errors.push(at(spec.span(), "stage.rig", m));
                RigSpec::BuiltIn
            }),
            None => RigSpec::BuiltIn,
        };
        if let Some(a) = &raw.stage.accent
            && parse_hex_color(a).is_none()
        {
            errors.push(SourceError::new(path, format!("`{a}` is not a colour like #ffd166")).field("stage.accent"));
        }
        for (field, c) in [
            ("persona.look.skin", &raw.persona.look.skin),
            ("persona.look.hair", &raw.persona.look.hair),
            ("persona.look.eyes", &raw.persona.look.eyes),
            ("persona.look.outfit_color", &raw.persona.look.outfit_color),
            ("persona.look.accent", &raw.persona.look.accent),
        ] {
            if parse_hex_color(c).is_none() {
                errors.push(SourceError::new(path, format!("`{c}` is not a colour like #e8b894")).field(field));
            }
        }
        if !errors.is_empty() {
            return Err(SourceErrors(errors));
        }
        Ok(ShowConfig {
            file: path.to_path_buf(),
            title: raw.show.title,
            catalog,
            currency,
            seed: raw.show.seed,
            persona: raw.persona,
            run_of_show: ros,
            rooms,
            music,
            stage: StageConfig { rig, label: raw.stage.label, ticker: raw.stage.ticker, accent: raw.stage.accent, background },
            writer: raw.writer,
            policies: raw.policies,
        })
    }

    pub fn room(&self, id: &str) -> Option<&RoomConfig> {
        self.rooms.iter().find(|r| r.id == id)
    }
}

/// `#rrggbb` → (r, g, b).
pub fn parse_hex_color(s: &str) -> Option<(u8, u8, u8)> {
    let h = s.trim().strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs() {
        let o = OutputSpec::new("rtmp://a.rtmp.youtube.com/live2/${YT_KEY}");
        assert_eq!(o.kind(), Ok(OutputKind::Rtmp));
        assert_eq!(o.env_vars(), ["YT_KEY"]);
        assert_eq!(o.to_string(), "rtmp://a.rtmp.youtube.com/live2/${YT_KEY}");
        let literal = OutputSpec::new("rtmp://host/live/secret123");
        assert_eq!(literal.to_string(), "rtmp://host/live/****");
        assert!(OutputSpec::new("/tmp/x.mp4").kind() == Ok(OutputKind::Mp4));
        assert!(OutputSpec::new("ftp://x").kind().is_err());
        // SAFETY: tests in this module do not read this variable concurrently.
        unsafe { std::env::set_var("EVERCAST_TEST_KEY_1", "k-1") };
        let o = OutputSpec::new("rtmp://h/app/${EVERCAST_TEST_KEY_1}");
        assert_eq!(o.resolve().unwrap(), "rtmp://h/app/k-1");
        let missing = OutputSpec::new("rtmp://h/app/${EVERCAST_TEST_KEY_UNSET}").resolve().unwrap_err();
        assert!(missing.contains("EVERCAST_TEST_KEY_UNSET") && !missing.contains("k-1"));
    }

    #[test]
    fn errors_point_at_fields() {
        let text = "[show]\ntitle = \"t\"\ncatalog = \"nope.csv\"\ncurrency = \"US\"\n[persona]\nname = \"Mia\"\n[[rooms]]\nid = \"main\"\nlocale = \"english\"\n";
        let e = ShowConfig::parse(Path::new("show.toml"), text).unwrap_err().to_string();
        assert!(e.contains("show.toml:3:11: field `catalog`: no catalog file"), "{e}");
        assert!(e.contains("show.toml:4:12: field `currency`"), "{e}");
        assert!(e.contains("show.toml:9:10: field `locale`"), "{e}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let text = "[show]\ntitle = \"t\"\ncatalog = \"c.csv\"\ncurrency = \"USD\"\ncolour = 1\n[persona]\nname = \"Mia\"\n";
        let e = ShowConfig::parse(Path::new("show.toml"), text).unwrap_err().to_string();
        assert!(e.contains("show.toml:5:1") && e.contains("colour"), "{e}");
    }
}
