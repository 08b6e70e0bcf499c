//! Minimal NumPy `.npy` (format 1.0/2.0/3.0) reader and writer: little-endian `<f4`, `<i8`, `<i4`,
//! C order only. Enough for goldens and `rsn embed --out FILE.npy`, with no dependency on numpy.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 6] = b"\x93NUMPY";

#[derive(Debug, thiserror::Error)]
pub enum NpyError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a .npy file: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{path}: unsupported .npy dtype {descr:?} (supported: '<f4', '<i8', '<i4')")]
    Dtype { path: PathBuf, descr: String },
    #[error("{path}: Fortran-order arrays are not supported")]
    FortranOrder { path: PathBuf },
    #[error("{path}: shape {shape:?} needs {expected} bytes of data, file has {actual}")]
    Size { path: PathBuf, shape: Vec<usize>, expected: usize, actual: usize },
    #[error("shape {shape:?} has {expected} elements but {actual} values were given")]
    ShapeMismatch { shape: Vec<usize>, expected: usize, actual: usize },
    #[error("{path}: expected dtype {expected}, file holds {actual}")]
    WrongDtype { path: PathBuf, expected: &'static str, actual: &'static str },
}

/// Element data of a parsed array.
#[derive(Debug, Clone, PartialEq)]
pub enum NpyData {
    F32(Vec<f32>),
    I64(Vec<i64>),
    I32(Vec<i32>),
}

impl NpyData {
    fn dtype_name(&self) -> &'static str {
        match self {
            NpyData::F32(_) => "<f4",
            NpyData::I64(_) => "<i8",
            NpyData::I32(_) => "<i4",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub data: NpyData,
}

impl NpyArray {
    /// The data as f32, or a dtype error naming `path`.
    pub fn into_f32(self, path: &Path) -> Result<Vec<f32>, NpyError> {
        match self.data {
            NpyData::F32(v) => Ok(v),
            other => Err(NpyError::WrongDtype { path: path.to_owned(), expected: "<f4", actual: other.dtype_name() }),
        }
    }

    /// Integer data widened to i64 (accepts `<i8` and `<i4`).
    pub fn into_i64(self, path: &Path) -> Result<Vec<i64>, NpyError> {
        match self.data {
            NpyData::I64(v) => Ok(v),
            NpyData::I32(v) => Ok(v.into_iter().map(i64::from).collect()),
            other => Err(NpyError::WrongDtype { path: path.to_owned(), expected: "<i8", actual: other.dtype_name() }),
        }
    }
}

fn shape_tuple(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// Encodes an f32 array (C order) as `.npy` version 1.0 bytes.
pub fn encode_f32(shape: &[usize], data: &[f32]) -> Result<Vec<u8>, NpyError> {
    let expected: usize = shape.iter().product();
    if expected != data.len() {
        return Err(NpyError::ShapeMismatch { shape: shape.to_vec(), expected, actual: data.len() });
    }
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}", shape_tuple(shape));
    // The spec pads the header with spaces so the data starts 64-byte aligned, ending in '\n'.
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    let pad = (64 - unpadded % 64) % 64;
    header.push_str(&" ".repeat(pad));
    header.push('\n');
    let header_len = u16::try_from(header.len()).map_err(|_| NpyError::ShapeMismatch {
        shape: shape.to_vec(),
        expected,
        actual: data.len(),
    })?;
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// Writes an f32 array (C order) to `path` as `.npy`.
pub fn write_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<(), NpyError> {
    let bytes = encode_f32(shape, data)?;
    let io = |source| NpyError::Io { path: path.to_owned(), source };
    let mut f = fs::File::create(path).map_err(io)?;
    f.write_all(&bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Reads a `.npy` file.
pub fn read(path: &Path) -> Result<NpyArray, NpyError> {
    let bytes = crate::files::read_bounded(path, crate::files::limits::NPY, "a .npy tensor")
        .map_err(|source| NpyError::Io { path: path.to_owned(), source })?;
    decode(path, &bytes)
}

/// Parses `.npy` bytes; `path` only labels errors.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<NpyArray, NpyError> {
    let fmt = |reason: &str| NpyError::Format { path: path.to_owned(), reason: reason.to_string() };
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(fmt("missing \\x93NUMPY magic"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10usize),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(fmt("truncated header length"));
            }
            let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (n as usize, 12)
        }
        v => return Err(fmt(&format!("unknown format version {v}"))),
    };
    let end = start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| fmt("header runs past end of file"))?;
    let header = std::str::from_utf8(&bytes[start..end]).map_err(|_| fmt("header not UTF-8"))?;
    let descr = dict_value(header, "descr").ok_or_else(|| fmt("no 'descr' in header"))?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let fortran = dict_value(header, "fortran_order").ok_or_else(|| fmt("no 'fortran_order'"))?;
    if fortran.trim() != "False" {
        return Err(NpyError::FortranOrder { path: path.to_owned() });
    }
    let shape_s = dict_value(header, "shape").ok_or_else(|| fmt("no 'shape' in header"))?;
    let shape = parse_shape(shape_s).ok_or_else(|| fmt(&format!("bad shape {shape_s:?}")))?;
    let elem = match descr {
        "<f4" | "<i4" => 4,
        "<i8" => 8,
        other => return Err(NpyError::Dtype { path: path.to_owned(), descr: other.to_string() }),
    };
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(|| fmt("shape overflows"))?;
    let body = &bytes[end..];
    let expected = count * elem;
    if body.len() != expected {
        return Err(NpyError::Size { path: path.to_owned(), shape, expected, actual: body.len() });
    }
    let data = match descr {
        "<f4" => NpyData::F32(body.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
        "<i4" => NpyData::I32(body.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
        _ => NpyData::I64(
            body.chunks_exact(8)
                .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        ),
    };
    Ok(NpyArray { shape, data })
}

/// The raw text of `key`'s value in the header's Python dict literal.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let pat_s = format!("'{key}':");
    let pat_d = format!("\"{key}\":");
    let at = header.find(&pat_s).map(|i| i + pat_s.len()).or_else(|| header.find(&pat_d).map(|i| i + pat_d.len()))?;
    let rest = header[at..].trim_start();
    if rest.starts_with('(') {
        let close = rest.find(')')?;
        return Some(&rest[..=close]);
    }
    let stop = rest.find([',', '}']).unwrap_or(rest.len());
    Some(&rest[..stop])
}

fn parse_shape(s: &str) -> Option<Vec<usize>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner.split(',').map(str::trim).filter(|p| !p.is_empty()).map(|p| p.trim_end_matches('L').parse().ok()).collect()
}
