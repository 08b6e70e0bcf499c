//! Running compiled work on a device: place the buffers, upload the operands, compile for that
//! placement ([`crate::builder`]), submit, wait, read back. Each step that can fail says which.

mod encoder;
mod gemm;

pub use encoder::{DeviceEncoder, EncoderRun};
pub use gemm::{run_gemm, GemmRun};

use crate::builder::BuildError;
use crate::hal::DeviceError;

/// Why a run did not produce its result.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("input {what} has {got} elements, expected {expected}")]
    Input { what: &'static str, got: usize, expected: usize },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Device(#[from] DeviceError),
}
