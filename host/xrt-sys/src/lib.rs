//! Raw bindings to XRT 2.13 through the exception-catching C shim in `shim/`.
//!
//! Every `rsn_xrt_*` function returns 0 on success or a nonzero code and, on failure, leaves a
//! message for [`rsn_xrt_last_error`] on the calling thread. No XRT entry point is bound
//! directly: they may throw C++ exceptions, which abort a Rust process.
//!
//! [`ert_cmd_state`] and [`xclBOSyncDirection`] are newtypes over the C integer, so a value this
//! binding does not know is representable (a plain Rust enum would make it undefined behaviour).
//! Safe wrappers live in the `rsn` crate (`rsn::xrt`, feature `xrt`).
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
