//! The AI Engine side of RSN-XNN, runnable on the host.
//!
//! The six matrix engines (MME0-5) are ADF graphs of 4x4x4 FP32 kernels (aie/graph/graph.h,
//! aie/kernels/). This crate compiles those exact sources with g++ against our AIE API / ADF
//! compatibility layer (aie/compat/) and exposes them to the simulator: [`engine_block`] serialises
//! two 128x128 blocks onto an engine's 32 input PLIO streams as the PL sends them, runs its 64
//! kernels in cascade order and gathers the 16 output streams. Results follow
//! `rsn::numerics::mme_block_ref` bit for bit.
//!
//! All entry points are thread-safe: each thread keeps its own reusable simulation context.

use std::ffi::{c_char, c_int};

use thiserror::Error;

/// Edge of one engine block: the graph's 4 x 4 kernels of [`TILE`] (the ISA's `rsn::isa::BLOCK`;
/// tests/engine.rs checks they agree).
pub const BLOCK: usize = 4 * TILE;
/// Floats in one engine block.
pub const BLOCK_ELEMS: usize = BLOCK * BLOCK;
/// Edge of one kernel's tile (M = K = N = 32).
pub const TILE: usize = 32;
/// Floats in one kernel tile.
pub const TILE_ELEMS: usize = TILE * TILE;
/// Cascade stages per output tile (K = 4 x 32 = 128).
pub const STAGES: usize = 4;
/// Most block products one call may run (bounds the per-thread context's memory).
pub const MAX_BLOCKS: usize = 64;

/// What went wrong in a call into the AIE model.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A slice has the wrong length.
    #[error("{what} holds {got} floats, expected {want}")]
    Length { what: &'static str, got: usize, want: usize },
    /// The number of blocks implied by the slices is 0 or above [`MAX_BLOCKS`].
    #[error("{0} blocks requested; the AIE model runs 1..={MAX_BLOCKS} per call")]
    Blocks(usize),
    /// The C++ side rejected an argument.
    #[error("AIE model rejected an argument: {0}")]
    Argument(String),
    /// A kernel or the graph broke the stream protocol (read past the data, left data unread,
    /// RTP not written, miswired port).
    #[error("AIE graph protocol error: {0}")]
    Graph(String),
    /// Anything else reported by the C++ side.
    #[error("AIE model failure (status {status}): {message}")]
    Internal { status: i32, message: String },
}

/// Which kernel variant of a cascade runs in [`kernel_stage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Stage 0: starts each chain with a product, writes accumulators to the cascade.
    First,
    /// Stages 1-2: continue the chains received over the cascade.
    Middle,
    /// Stage 3: continues the chains and streams C out.
    Last,
}

mod ffi {
    use super::{c_char, c_int};

    extern "C" {
        pub fn rsn_aie_engine_block(a: *const f32, b: *const f32, c: *mut f32) -> c_int;
        pub fn rsn_aie_engine_blocks(a: *const f32, b: *const f32, c: *mut f32, blocks: u32) -> c_int;
        pub fn rsn_aie_cascade(a: *const f32, b: *const f32, c: *mut f32, blocks: u32) -> c_int;
        pub fn rsn_aie_kernel_stage(
            stage: c_int,
            a: *const f32,
            b: *const f32,
            acc_in: *const f32,
            out: *mut f32,
            blocks: u32,
        ) -> c_int;
        pub fn rsn_aie_last_error(buf: *mut c_char, len: usize) -> usize;
    }
}

const ERR_ARG: c_int = -2;
const ERR_GRAPH: c_int = -3;

fn last_error() -> String {
    let mut buf = vec![0u8; 1024];
    // SAFETY: buf is valid for buf.len() bytes; the callee writes at most len bytes, NUL-terminated.
    let full = unsafe { ffi::rsn_aie_last_error(buf.as_mut_ptr().cast::<c_char>(), buf.len()) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let mut msg = String::from_utf8_lossy(&buf[..end]).into_owned();
    if full > end {
        msg.push_str(" [...]");
    }
    msg
}

fn status(rc: c_int) -> Result<(), Error> {
    match rc {
        0 => Ok(()),
        ERR_ARG => Err(Error::Argument(last_error())),
        ERR_GRAPH => Err(Error::Graph(last_error())),
        other => Err(Error::Internal { status: other, message: last_error() }),
    }
}

fn check_len(what: &'static str, got: usize, want: usize) -> Result<(), Error> {
    if got == want {
        Ok(())
    } else {
        Err(Error::Length { what, got, want })
    }
}

/// Number of `unit`-sized items in `len`, checked to be a whole number in 1..=MAX_BLOCKS.
fn blocks_of(what: &'static str, len: usize, unit: usize) -> Result<usize, Error> {
    let n = len / unit;
    if n * unit != len {
        return Err(Error::Length { what, got: len, want: (n + 1) * unit });
    }
    if n == 0 || n > MAX_BLOCKS {
        return Err(Error::Blocks(n));
    }
    Ok(n)
}

/// One engine block product `c = a x b` (128x128 row-major each), through the MME graph.
pub fn engine_block(a: &[f32], b: &[f32], c: &mut [f32]) -> Result<(), Error> {
    check_len("a", a.len(), BLOCK_ELEMS)?;
    check_len("b", b.len(), BLOCK_ELEMS)?;
    check_len("c", c.len(), BLOCK_ELEMS)?;
    // SAFETY: each slice holds BLOCK_ELEMS floats (checked), which is what the callee reads/writes.
    status(unsafe { ffi::rsn_aie_engine_block(a.as_ptr(), b.as_ptr(), c.as_mut_ptr()) })
}

/// Several block products in one engine program (the kernels' `blocks` RTP = number of blocks):
/// `a`, `b` and `c` hold the blocks back to back. Returns the number of blocks run.
pub fn engine_blocks(a: &[f32], b: &[f32], c: &mut [f32]) -> Result<usize, Error> {
    let n = blocks_of("a", a.len(), BLOCK_ELEMS)?;
    check_len("b", b.len(), a.len())?;
    check_len("c", c.len(), a.len())?;
    // SAFETY: each slice holds n * BLOCK_ELEMS floats (checked); n <= MAX_BLOCKS fits in u32.
    status(unsafe { ffi::rsn_aie_engine_blocks(a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), n as u32) })?;
    Ok(n)
}

/// One output tile's cascade through its four-kernel graph: `c` (32x32) = `a` (32x128) x `b`
/// (128x32), for one or more consecutive (a, b, c) triples. Returns the number of triples run.
pub fn cascade(a: &[f32], b: &[f32], c: &mut [f32]) -> Result<usize, Error> {
    let unit = TILE * TILE * STAGES;
    let n = blocks_of("a", a.len(), unit)?;
    check_len("b", b.len(), a.len())?;
    check_len("c", c.len(), n * TILE_ELEMS)?;
    // SAFETY: a and b hold n * 4096 floats and c n * 1024 (checked); n <= MAX_BLOCKS.
    status(unsafe { ffi::rsn_aie_cascade(a.as_ptr(), b.as_ptr(), c.as_mut_ptr(), n as u32) })?;
    Ok(n)
}

/// One kernel on its own, over one or more consecutive 32x32 tiles. `acc_in` (the cascade input,
/// row-major accumulators) is required for [`Stage::Middle`] and [`Stage::Last`] and must be `None`
/// for [`Stage::First`]. `out` receives the cascade output (first, middle) or the C tile (last).
pub fn kernel_stage(
    stage: Stage,
    a: &[f32],
    b: &[f32],
    acc_in: Option<&[f32]>,
    out: &mut [f32],
) -> Result<usize, Error> {
    let n = blocks_of("a", a.len(), TILE_ELEMS)?;
    check_len("b", b.len(), a.len())?;
    check_len("out", out.len(), a.len())?;
    let acc_ptr = match (stage, acc_in) {
        (Stage::First, None) => std::ptr::null(),
        (Stage::First, Some(x)) => {
            return Err(Error::Length { what: "acc_in (first stage takes none)", got: x.len(), want: 0 })
        }
        (_, Some(x)) => {
            check_len("acc_in", x.len(), a.len())?;
            x.as_ptr()
        }
        (_, None) => return Err(Error::Length { what: "acc_in", got: 0, want: a.len() }),
    };
    let code: c_int = match stage {
        Stage::First => 0,
        Stage::Middle => 1,
        Stage::Last => 2,
    };
    // SAFETY: a, b, out (and acc_in unless first stage) hold n * 1024 floats (checked).
    status(unsafe { ffi::rsn_aie_kernel_stage(code, a.as_ptr(), b.as_ptr(), acc_ptr, out.as_mut_ptr(), n as u32) })?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked_before_the_ffi() {
        let a = vec![0.0; BLOCK_ELEMS];
        let mut c = vec![0.0; BLOCK_ELEMS - 1];
        assert_eq!(
            engine_block(&a, &a, &mut c),
            Err(Error::Length { what: "c", got: BLOCK_ELEMS - 1, want: BLOCK_ELEMS })
        );
        let big = vec![0.0; BLOCK_ELEMS * (MAX_BLOCKS + 1)];
        let mut cbig = big.clone();
        assert_eq!(engine_blocks(&big, &big, &mut cbig), Err(Error::Blocks(MAX_BLOCKS + 1)));
        let t = vec![0.0; TILE_ELEMS];
        let mut o = t.clone();
        assert!(matches!(kernel_stage(Stage::Middle, &t, &t, None, &mut o), Err(Error::Length { what: "acc_in", .. })));
        assert!(matches!(kernel_stage(Stage::First, &t, &t, Some(&t), &mut o), Err(Error::Length { .. })));
    }
}
