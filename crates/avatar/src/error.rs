//! The renderer's errors: each names the file, layer or setting it is about.

use std::path::PathBuf;

/// Why a stage could not be set up. Rendering itself never fails: once a [`crate::Stage`]
/// exists, every frame is drawn (missing pictures become placeholders at load time).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AvatarError {
    /// The frame size cannot be rendered (zero, odd, or too large).
    #[error("cannot render a {width}×{height} stage: {reason}")]
    Size { width: u32, height: u32, reason: &'static str },

    /// No usable font was found for text that must be drawn.
    #[error("no font is installed for the stage text (looked for {wanted}); install fonts-noto-core and fonts-noto-cjk")]
    Fonts { wanted: String },

    /// An image the stage needs (background, rig layer) could not be read.
    #[error("cannot read the image {}: {message}", path.display())]
    Image { path: PathBuf, message: String },

    /// A rig folder's descriptor is missing or malformed.
    #[error("the rig descriptor {} is not valid: {message}", path.display())]
    RigDescriptor { path: PathBuf, message: String },

    /// A rig descriptor names a layer whose file is not there, or leaves out a required layer.
    #[error("the rig {} has no `{layer}` layer: {message}", rig.display())]
    RigLayer { rig: PathBuf, layer: String, message: String },

    /// A clip of a clip rig could not be decoded.
    #[error("cannot decode the clip {}: {message}", path.display())]
    Clip { path: PathBuf, message: String },
}

impl AvatarError {
    pub(crate) fn image(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> AvatarError {
        AvatarError::Image { path: path.into(), message: message.to_string() }
    }
}
