//! # rsn: host library for the RSN-XNN accelerator
//!
//! Start at [`device::Device`] (open a backend, allocate buffers, run programs) and
//! [`builder`] (compile workloads into instruction streams). [`isa`] is the single definition of the
//! instruction set; [`numerics`] is the bit-exact arithmetic contract every backend follows.

pub mod numerics;
pub mod isa;
pub mod bitstream;
pub mod device;
pub mod model;
pub mod topology;
pub mod validate;
pub mod builder;
pub mod bench;
