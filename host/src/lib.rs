//! # rsn: host library for the RSN-XNN accelerator
//!
//! Start at [`device::Device`] (open a backend, allocate buffers, run programs) and
//! [`builder`] (compile workloads into instruction streams). [`isa`] is the single definition of the
//! instruction set; [`numerics`] is the bit-exact arithmetic contract every backend follows.

pub mod bench;
pub mod bitstream;
pub mod builder;
pub mod device;
pub mod files;
pub mod hal;
pub mod image;
pub mod isa;
pub mod model;
pub mod nn;
pub mod numerics;
pub mod progfile;
pub mod regs;
pub mod runtime;
#[cfg(feature = "sim")]
pub mod sim;
pub mod sweep;
pub mod topology;
pub mod validate;
#[cfg(feature = "xrt")]
pub mod xrt;
