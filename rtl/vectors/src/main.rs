//! `rsn-vectors`: the inputs of the RTL testbenches (rtl/tb), computed from the host's own
//! definitions: the numerics contract, the ISA, the register map, and the model's per-FU kernels
//! (`rsn::model::mem_ab`, `rsn::model::memc`, ...), so a testbench checks the RTL against exactly
//! what the model computes.
//!
//! ```text
//! rsn-vectors GENERATOR ARGS... > FILE
//! ```
//! GENERATOR is one of the names in [`GENERATORS`]; each documents its format in its module.

mod decoder;
mod dram;
mod mem;
mod memc;
mod memc_post;
mod mesh;
mod numerics;
mod regs_header;
mod splitmix;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Why vectors could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("usage: rsn-vectors {0}")]
    Usage(&'static str),
    #[error("argument {name} = {value:?} is not an unsigned integer")]
    BadNumber { name: &'static str, value: String },
    #[error("a generated payload does not encode: {0}")]
    Encode(#[from] rsn::isa::EncodeError),
    #[error("{0}")]
    Gen(String),
    #[error("writing vectors failed: {0}")]
    Io(#[from] io::Error),
}

/// A decimal command-line number.
fn number(name: &'static str, value: &str) -> Result<u64, Error> {
    value.parse().map_err(|_| Error::BadNumber { name, value: value.to_string() })
}

type Generator = fn(&[String], &mut dyn Write) -> Result<(), Error>;

/// Every generator by name.
pub const GENERATORS: &[(&str, Generator)] = &[
    ("numerics", numerics::run),
    ("decoder", decoder::run),
    ("dram", dram::run),
    ("mem", mem::run),
    ("mesh", mesh::run),
    ("memc", memc::run),
    ("memc-post", memc_post::run),
    ("regs-header", regs_header::run),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = GENERATORS.iter().map(|g| g.0).collect();
    let Some((name, rest)) = args.split_first() else {
        eprintln!("usage: rsn-vectors GENERATOR ARGS... (generators: {})", names.join(", "));
        return ExitCode::FAILURE;
    };
    let Some((_, run)) = GENERATORS.iter().find(|g| g.0 == name) else {
        eprintln!("rsn-vectors: unknown generator {name:?} (generators: {})", names.join(", "));
        return ExitCode::FAILURE;
    };
    let mut out = BufWriter::new(io::stdout().lock());
    match run(rest, &mut out).and_then(|()| out.flush().map_err(Error::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rsn-vectors {name}: {e}");
            ExitCode::FAILURE
        }
    }
}
