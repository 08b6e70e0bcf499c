//! Reading input files with a size bound: a file is read only when it is no larger than what its
//! format can sensibly hold, so a wrong path (a device node, a pipe, a huge file) is an error, not
//! an endless read or an exhausted host.

use std::io::{self, Read};
use std::path::Path;

/// The whole of `path`, if it has at most `limit` bytes. A larger file gives `InvalidData`
/// naming the limit; `what` says what the file should have been.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let too_big =
        || io::Error::new(io::ErrorKind::InvalidData, format!("larger than the {limit} bytes {what} may have"));
    if f.metadata().is_ok_and(|m| m.is_file() && m.len() > limit) {
        return Err(too_big());
    }
    let mut out = Vec::new();
    f.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(out)
}

/// As [`read_bounded`], as UTF-8 text.
pub fn read_text_bounded(path: &Path, limit: u64, what: &str) -> io::Result<String> {
    String::from_utf8(read_bounded(path, limit, what)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("{what} is not UTF-8 text")))
}

/// Size bounds of the inputs this crate reads.
pub mod limits {
    /// A bitstream description, a model's config.json, a device-image manifest.
    pub const SMALL_TEXT: u64 = 1 << 20;
    /// A tokenizer.json (the published ones are ~0.5-2 MB).
    pub const TOKENIZER: u64 = 64 << 20;
    /// A model.safetensors: the FP32 models that fit the device's weight memory.
    pub const WEIGHTS: u64 = 8 << 30;
    /// A .npy tensor for a device buffer.
    pub const NPY: u64 = 8 << 30;
    /// An xclbin.
    pub const XCLBIN: u64 = 1 << 30;
}
