//! The `xrt` backend: RSN-XNN on a VCK190 through XRT (cargo feature `xrt`).
//!
//! * [`ffi`]: safe wrappers over the XRT C API (device, buffer objects, PL kernel runs, AIE graph).
//! * [`regs`]: the PL kernel's control-register map (bitstreams/vck190/regs.md).
//! * [`vck190`]: the device-image manifest and the build files generated from host definitions
//!   ([`crate::image`], which needs no XRT; re-exported here).
//! * [`windows`]: the DDR, LPDDR and instruction windows (one XRT buffer object each).
//! * [`backend`]: [`XrtBackend`], the [`crate::hal::Backend`] implementation.

pub mod backend;
pub mod ffi;
pub use crate::image as vck190;
pub use crate::image::uuid;
pub use crate::regs;
pub mod windows;

pub use backend::XrtBackend;
