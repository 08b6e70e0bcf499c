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

/// The bytes of an input file: mapped when it is a regular file, else read (a pipe, a device).
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Read(v) => v,
        }
    }
}

/// As [`read_bounded`], but a regular file is memory-mapped instead of copied: a model's weights
/// (hundreds of MB) are then paged in once, as their tensors are converted, not held twice.
/// The mapping is read-only; a file truncated by another process
/// while mapped would fault on access, so it is only for files we own (the model cache).
pub fn map_bounded(path: &Path, limit: u64, what: &str) -> io::Result<Bytes> {
    let f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return read_bounded(path, limit, what).map(Bytes::Read);
    }
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the {limit} bytes {what} may have"),
        ));
    }
    // SAFETY: a read-only mapping of a regular file that is only read; concurrent truncation by
    // another process is the caveat documented above, as for every mmap reader.
    let map = unsafe { memmap2::MmapOptions::new().map(&f)? };
    Ok(Bytes::Mapped(map))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapped_file_reads_as_the_read_one_and_keeps_the_bound() {
        let dir = std::env::temp_dir().join(format!("rsn-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("w.bin");
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        let m = map_bounded(&p, 10_000, "a test file").unwrap();
        assert!(matches!(m, Bytes::Mapped(_)));
        assert_eq!(&m[..], &read_bounded(&p, 10_000, "a test file").unwrap()[..]);
        let e = map_bounded(&p, 9_999, "a test file").err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("9999 bytes a test file"), "{e}");
        // An empty file maps to no bytes (the safetensors parser then names the problem).
        std::fs::write(&p, b"").unwrap();
        assert!(map_bounded(&p, 10, "a test file").unwrap().is_empty());
        // Not a regular file: read through the bound, never mapped.
        let e = map_bounded(Path::new("/dev/zero"), 1 << 10, "a test file").err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
