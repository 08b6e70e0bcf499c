//! Program files: a compiled program together with everything needed to run it again on any
//! backend (what `rsn compile` writes, `rsn run` and `rsn disasm` read).
//!
//! ```text
//! bytes 0..8     magic "RSNPROG\0"
//! bytes 8..12    format version (u32 little-endian), FORMAT_VERSION
//! bytes 12..16   header length H in bytes (u32 little-endian), at most MAX_HEADER_BYTES
//! bytes 16..16+H the header: UTF-8 JSON (`Header`)
//! then           zero bytes up to a multiple of 4
//! then           exactly `header.words` instruction words (u32 little-endian); nothing after
//! ```
//!
//! The header names the ISA version and the bitstream fingerprint the words were compiled for,
//! every buffer the program addresses (memory, byte offset, size: the words hold those addresses,
//! so a run must allocate exactly there), the engines' runtime parameters, and the named input and
//! output tensors with their shapes, dtypes and row pitches inside those buffers. Reading checks
//! everything before anything is allocated from a size the file states.

use crate::bitstream::Bitstream;
use crate::hal::Memory;
use crate::isa::{self, EngineRtp, Executable, ENGINES};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// First eight bytes of every program file.
pub const FILE_MAGIC: [u8; 8] = *b"RSNPROG\0";
/// Version of this container layout (not of the ISA). Bump on any change to the header's fields.
pub const FORMAT_VERSION: u32 = 1;
/// Largest header accepted (a GEMM's header is about 1 KiB).
pub const MAX_HEADER_BYTES: u32 = 1 << 20;
/// Bytes before the header.
const PREAMBLE: usize = 16;
/// Largest file accepted: the preamble, the largest header (plus padding) and as many words as the
/// instruction window holds. Reads stop there, so a huge or endless file is never read whole.
pub const MAX_FILE_BYTES: u64 = PREAMBLE as u64 + MAX_HEADER_BYTES as u64 + 3 + Memory::Instr.window_bytes();
/// Byte alignment of every buffer (what the device allocators hand out).
pub const BUFFER_ALIGN: u64 = 4096;

/// Why a program file was refused. Each names what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProgramFileError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("not an rsn program file: bad magic {found:02x?} (expected \"RSNPROG\\0\"; raw instruction words start with \"RSNI\")")]
    BadMagic { found: Vec<u8> },
    #[error("program file format version {found}; this host reads version {FORMAT_VERSION}")]
    Version { found: u32 },
    #[error("program file truncated: {what} needs {needed} bytes, {left} left")]
    Truncated { what: &'static str, needed: u64, left: u64 },
    #[error("program file header of {0} bytes exceeds the {MAX_HEADER_BYTES}-byte limit")]
    HeaderTooLarge(u32),
    #[error("program file header is not valid: {0}")]
    Header(String),
    #[error("program compiled for ISA version {found}; this host speaks version {}", isa::ISA_VERSION)]
    IsaVersion { found: u32 },
    #[error(
        "program compiled for bitstream {found_name} [{found}], this device has {expected_name} [{expected}]: \
         recompile it for this bitstream"
    )]
    Fingerprint { found: String, found_name: String, expected: String, expected_name: String },
    #[error("program file has {extra} bytes after its {words} instruction words")]
    TrailingBytes { words: u64, extra: u64 },
    #[error("instruction words do not match the header's sha256 (file corrupted)")]
    Checksum,
    #[error("instruction words are not a program: {0}")]
    Words(#[from] isa::DecodeError),
    #[error("buffer `{name}`: {message}")]
    Buffer { name: String, message: String },
    #[error("tensor `{name}`: {message}")]
    Tensor { name: String, message: String },
}

/// Which bitstream the words were compiled for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BitstreamRef {
    pub name: String,
    pub fingerprint: String,
}

/// One buffer the program addresses: `bytes` at byte `offset` of `memory`'s window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BufferSpec {
    pub name: String,
    pub memory: Memory,
    pub offset: u64,
    pub bytes: u64,
}

/// Element type of a tensor. The device computes in FP32 only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    F32,
}

/// A named tensor inside a buffer: C-order `shape`, its rows (all dimensions but the last
/// flattened) `row_pitch` elements apart, starting at element `offset` of the buffer. The gaps
/// between rows are zero on input and ignored on output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TensorSpec {
    pub name: String,
    pub buffer: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub row_pitch: usize,
    pub offset: usize,
}

impl TensorSpec {
    /// Elements in the tensor.
    pub fn elements(&self) -> usize {
        self.shape.iter().product()
    }
    /// Length of a row (the last dimension).
    pub fn cols(&self) -> usize {
        self.shape.last().copied().unwrap_or(1)
    }
    /// Rows: every dimension but the last.
    pub fn rows(&self) -> usize {
        self.shape[..self.shape.len().saturating_sub(1)].iter().product()
    }
}

/// The JSON header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub isa_version: u32,
    pub bitstream: BitstreamRef,
    /// What was compiled, e.g. `gemm:512,512,512`.
    pub workload: String,
    /// The engines' runtime parameters (MME0..5).
    pub engines: [EngineRtp; ENGINES],
    pub buffers: Vec<BufferSpec>,
    pub inputs: Vec<TensorSpec>,
    pub outputs: Vec<TensorSpec>,
    /// Number of instruction words after the header.
    pub words: u64,
    /// sha256 of the words' little-endian bytes.
    pub words_sha256: String,
}

/// A program file in memory: its header and the executable it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramFile {
    pub header: Header,
    pub exe: Executable,
}

fn sha256_words(words: &[u32]) -> String {
    let mut h = Sha256::new();
    for w in words {
        h.update(w.to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Plans buffer offsets as an empty device's first-fit allocator hands them out for the same
/// sequence of requests: per memory, 4 KiB aligned from offset 4096 on, back to back.
#[derive(Debug, Clone, Default)]
pub struct Planner {
    buffers: Vec<BufferSpec>,
}

impl Planner {
    pub fn new() -> Planner {
        Planner::default()
    }

    /// Place `bytes` (at least one 64-byte line, as `Device::alloc` rounds) in `memory`; returns the
    /// buffer's first line, what DRAM mOPs address.
    pub fn place(&mut self, name: &str, memory: Memory, bytes: u64) -> u64 {
        let bytes = bytes.max(isa::LINE_BYTES);
        let offset = self
            .buffers
            .iter()
            .filter(|b| b.memory == memory)
            .map(|b| b.offset + b.bytes.div_ceil(BUFFER_ALIGN) * BUFFER_ALIGN)
            .max()
            .unwrap_or(BUFFER_ALIGN);
        self.buffers.push(BufferSpec { name: name.to_string(), memory, offset, bytes });
        offset / isa::LINE_BYTES
    }

    pub fn buffers(&self) -> &[BufferSpec] {
        &self.buffers
    }

    pub fn into_buffers(self) -> Vec<BufferSpec> {
        self.buffers
    }
}

impl ProgramFile {
    /// Package an executable compiled for `buffers` with its named tensors; checks the result as
    /// a reader would.
    pub fn new(
        exe: Executable,
        bitstream: &Bitstream,
        workload: String,
        buffers: Vec<BufferSpec>,
        inputs: Vec<TensorSpec>,
        outputs: Vec<TensorSpec>,
    ) -> Result<ProgramFile, ProgramFileError> {
        let header = Header {
            isa_version: isa::ISA_VERSION,
            bitstream: BitstreamRef { name: bitstream.desc.name.clone(), fingerprint: bitstream.fingerprint.clone() },
            workload,
            engines: exe.rtp,
            buffers,
            inputs,
            outputs,
            words: exe.words.len() as u64,
            words_sha256: sha256_words(&exe.words),
        };
        check_header(&header)?;
        isa::decode_with_positions(&exe.words)?;
        Ok(ProgramFile { header, exe })
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProgramFileError> {
        let json = serde_json::to_vec_pretty(&self.header).map_err(|e| ProgramFileError::Header(e.to_string()))?;
        let len = u32::try_from(json.len())
            .ok()
            .filter(|l| *l <= MAX_HEADER_BYTES)
            .ok_or(ProgramFileError::HeaderTooLarge(u32::MAX))?;
        let mut out = Vec::with_capacity(PREAMBLE + json.len() + 3 + 4 * self.exe.words.len());
        out.extend_from_slice(&FILE_MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&json);
        out.resize(out.len().next_multiple_of(4), 0);
        for w in &self.exe.words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        Ok(out)
    }

    /// Write the file.
    pub fn save(&self, path: &Path) -> Result<(), ProgramFileError> {
        let bytes = self.to_bytes()?;
        std::fs::write(path, bytes).map_err(|source| ProgramFileError::Io { path: path.to_owned(), source })
    }

    /// Whether `bytes` start like a program file (as opposed to raw instruction words).
    pub fn sniff(bytes: &[u8]) -> bool {
        bytes.starts_with(&FILE_MAGIC)
    }

    /// Read and check a file (format, ISA version, words, buffers, tensors); reads at most
    /// [`MAX_FILE_BYTES`]. The bitstream is checked by [`ProgramFile::check_bitstream`].
    pub fn load(path: &Path) -> Result<ProgramFile, ProgramFileError> {
        let bytes = crate::files::read_bounded(path, MAX_FILE_BYTES, "a program file")
            .map_err(|source| ProgramFileError::Io { path: path.to_owned(), source })?;
        ProgramFile::from_bytes(&bytes)
    }

    /// Parse and check a file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ProgramFile, ProgramFileError> {
        let left = |at: usize| (bytes.len().saturating_sub(at)) as u64;
        let head = &bytes[..bytes.len().min(8)];
        if !FILE_MAGIC.starts_with(head) {
            return Err(ProgramFileError::BadMagic { found: head.to_vec() });
        }
        if bytes.len() < PREAMBLE {
            return Err(ProgramFileError::Truncated { what: "the preamble", needed: PREAMBLE as u64, left: left(0) });
        }
        let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(ProgramFileError::Version { found: version });
        }
        let hlen = u32_at(12);
        if hlen > MAX_HEADER_BYTES {
            return Err(ProgramFileError::HeaderTooLarge(hlen));
        }
        let hend = PREAMBLE + hlen as usize;
        if bytes.len() < hend {
            return Err(ProgramFileError::Truncated { what: "the header", needed: hlen as u64, left: left(PREAMBLE) });
        }
        let header: Header =
            serde_json::from_slice(&bytes[PREAMBLE..hend]).map_err(|e| ProgramFileError::Header(e.to_string()))?;
        if header.isa_version != isa::ISA_VERSION {
            return Err(ProgramFileError::IsaVersion { found: header.isa_version });
        }
        check_header(&header)?;
        let start = hend.next_multiple_of(4);
        // The word count is checked against the bytes present before anything is sized from it.
        let body = left(start);
        let needed = header.words.saturating_mul(4);
        if body < needed {
            return Err(ProgramFileError::Truncated { what: "the instruction words", needed, left: body });
        }
        if body > needed {
            return Err(ProgramFileError::TrailingBytes { words: header.words, extra: body - needed });
        }
        let words: Vec<u32> =
            bytes[start..].chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        if sha256_words(&words) != header.words_sha256 {
            return Err(ProgramFileError::Checksum);
        }
        isa::decode_with_positions(&words)?;
        let exe = Executable { words, rtp: header.engines };
        Ok(ProgramFile { header, exe })
    }

    /// Refuse a program compiled for another bitstream than `bs`.
    pub fn check_bitstream(&self, bs: &Bitstream) -> Result<(), ProgramFileError> {
        if self.header.bitstream.fingerprint == bs.fingerprint {
            return Ok(());
        }
        Err(ProgramFileError::Fingerprint {
            found: self.header.bitstream.fingerprint.clone(),
            found_name: self.header.bitstream.name.clone(),
            expected: bs.fingerprint.clone(),
            expected_name: bs.desc.name.clone(),
        })
    }

    pub fn buffer(&self, name: &str) -> Option<&BufferSpec> {
        self.header.buffers.iter().find(|b| b.name == name)
    }
}

impl Executable {
    /// Load a program file compiled for `bitstream`: [`ProgramFile::load`] plus the fingerprint
    /// check. The executable is `.exe`; the placement it needs is in `.header`.
    pub fn load(path: &Path, bitstream: &Bitstream) -> Result<ProgramFile, ProgramFileError> {
        let f = ProgramFile::load(path)?;
        f.check_bitstream(bitstream)?;
        Ok(f)
    }
}

/// Everything a header states that a run would trust: unique names, buffers aligned, inside their
/// windows and apart, tensors inside their buffers. Reading and [`ProgramFile::new`] check it; the
/// runtime's `run_file` checks it again, since the fields are public and a file may have been
/// edited in memory since.
pub fn check_header(h: &Header) -> Result<(), ProgramFileError> {
    let max_words = Memory::Instr.window_bytes() / 4;
    if h.words > max_words {
        return Err(ProgramFileError::Header(format!(
            "{} instruction words exceed the {max_words} the instruction window holds",
            h.words
        )));
    }
    let bad_buf = |name: &str, message: String| ProgramFileError::Buffer { name: name.to_string(), message };
    for (i, b) in h.buffers.iter().enumerate() {
        if h.buffers[..i].iter().any(|o| o.name == b.name) {
            return Err(bad_buf(&b.name, "named twice".into()));
        }
        if b.memory == Memory::Instr {
            return Err(bad_buf(&b.name, "the instruction window holds only the program".into()));
        }
        if b.offset == 0 || !b.offset.is_multiple_of(BUFFER_ALIGN) {
            return Err(bad_buf(
                &b.name,
                format!("offset {:#x} is not a non-zero multiple of {BUFFER_ALIGN}", b.offset),
            ));
        }
        if b.bytes == 0 || !b.bytes.is_multiple_of(4) {
            return Err(bad_buf(&b.name, format!("{} bytes is not a positive number of f32 elements", b.bytes)));
        }
        let end = b.offset.checked_add(b.bytes).filter(|e| *e <= b.memory.window_bytes());
        let Some(end) = end else {
            return Err(bad_buf(
                &b.name,
                format!("{:#x} + {} bytes is outside the {:?} window", b.offset, b.bytes, b.memory),
            ));
        };
        for o in &h.buffers[..i] {
            if o.memory == b.memory && o.offset < end && b.offset < o.offset + o.bytes {
                return Err(bad_buf(&b.name, format!("overlaps buffer `{}`", o.name)));
            }
        }
    }
    let all: Vec<&TensorSpec> = h.inputs.iter().chain(&h.outputs).collect();
    for (i, t) in all.iter().enumerate() {
        let bad = |message: String| ProgramFileError::Tensor { name: t.name.clone(), message };
        if all[..i].iter().any(|o| o.name == t.name) {
            return Err(bad("named twice".into()));
        }
        let Some(b) = h.buffers.iter().find(|b| b.name == t.buffer) else {
            return Err(bad(format!("its buffer `{}` is not declared", t.buffer)));
        };
        if t.shape.is_empty() || t.shape.contains(&0) {
            return Err(bad(format!("shape {:?} is empty", t.shape)));
        }
        let rows = t.shape[..t.shape.len() - 1].iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let cols = t.cols();
        if t.row_pitch < cols {
            return Err(bad(format!("row pitch {} is shorter than a row of {cols}", t.row_pitch)));
        }
        // Last element + 1, in elements from the buffer's start.
        let end = rows
            .and_then(|r| (r - 1).checked_mul(t.row_pitch))
            .and_then(|x| x.checked_add(cols))
            .and_then(|x| x.checked_add(t.offset))
            .and_then(|x| (x as u64).checked_mul(4));
        if end.is_none_or(|e| e > b.bytes) {
            return Err(bad(format!(
                "shape {:?} with row pitch {} at element {} does not fit buffer `{}` ({} bytes)",
                t.shape, t.row_pitch, t.offset, b.name, b.bytes
            )));
        }
    }
    Ok(())
}
