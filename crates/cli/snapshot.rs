//! `evercast snapshot`: one frame of the preview as a PNG, to check a look before going live.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use director::room::{WriterChoice, snapshot};
use director::show::Show;

#[derive(Args)]
pub struct SnapshotArgs {
    /// The show definition (default: the demo show).
    show: Option<PathBuf>,
    /// Seconds into the show.
    #[arg(long, default_value_t = 20.0)]
    at: f64,
    /// The PNG file to write.
    #[arg(long)]
    out: PathBuf,
    /// The room (default: the first).
    #[arg(long)]
    room: Option<String>,
    /// Use this output profile instead of the room's (e.g. vertical-1080x1920).
    #[arg(long)]
    profile: Option<String>,
}

pub fn run(args: SnapshotArgs) -> Result<ExitCode> {
    let path = crate::util::show_path(args.show)?;
    let show = Show::load(&path, None)?;
    let room = match &args.room {
        Some(id) => show.rooms(Some(id))?.remove(0),
        None => show.config.rooms.first().context("the show has no room")?.clone(),
    };
    let profile = show.profiles.get(args.profile.as_deref().unwrap_or(&room.profile))?.clone();
    let rgba = snapshot(&show, &room, &profile, args.at, &WriterChoice::Template)?;
    let img = image::RgbaImage::from_raw(profile.width, profile.height, rgba).context("frame size mismatch")?;
    img.save(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!("{}: room {} at {:.1} s, {}x{}", args.out.display(), room.id, args.at, profile.width, profile.height);
    Ok(ExitCode::SUCCESS)
}
