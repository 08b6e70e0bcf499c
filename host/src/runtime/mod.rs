//! Running compiled work on a device: place the buffers, upload the operands, compile for that
//! placement ([`crate::builder`]), submit, wait, read back. Each step that can fail says which.
//! [`run_file`] runs a program file at the placement it records.

mod encoder;
mod gemm;
mod program;

pub use encoder::{DeviceEncoder, EncoderRun, PhaseTime};
pub use gemm::{run_gemm, run_gemm_with, GemmInputs, GemmRun};
pub use program::{run_file, FileRun, Tensor};

use crate::builder::BuildError;
use crate::hal::DeviceError;
use crate::progfile::ProgramFileError;

/// Why a run did not produce its result.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("input {what} has {got} elements, expected {expected}")]
    Input { what: &'static str, got: usize, expected: usize },
    #[error("operand {what}: {message}")]
    Operand { what: &'static str, message: String },
    #[error("the program has no input `{name}` (its inputs: {known})")]
    UnknownInput { name: String, known: String },
    #[error("input `{name}` is missing")]
    MissingInput { name: String },
    #[error("input `{name}` is given twice")]
    DuplicateInput { name: String },
    #[error("input `{name}` has {got} elements; its shape {shape:?} needs {}", shape.iter().product::<usize>())]
    Shape { name: String, shape: Vec<usize>, got: usize },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    File(#[from] ProgramFileError),
    #[error(transparent)]
    Device(#[from] DeviceError),
}
