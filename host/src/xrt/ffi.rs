//! Safe wrappers over the XRT C API (through the exception-catching shim in `rsn-xrt-sys`).
//!
//! Ownership mirrors XRT's: a [`Bo`], [`Kernel`] or [`Graph`] keeps its [`Device`] open, and a
//! [`Run`] keeps its kernel open, so handles are always closed child-first. Every failure is an
//! [`XrtError`] naming the XRT call and carrying the shim's message.

use rsn_xrt_sys as sys;
use std::ffi::{c_void, CStr, CString};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A failed XRT call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{call} failed: {message}")]
pub struct XrtError {
    /// The XRT C entry point (or the wrapper step) that failed.
    pub call: &'static str,
    /// The shim's return code: an errno value where XRT gave one, else -1.
    pub code: i32,
    pub message: String,
}

pub type XrtResult<T> = Result<T, XrtError>;

fn check(call: &'static str, rc: i32) -> XrtResult<()> {
    if rc == 0 {
        return Ok(());
    }
    // SAFETY: the shim returns a pointer to its thread-local message, valid until the next shim
    // call on this thread; it is copied out immediately.
    let msg = unsafe { CStr::from_ptr(sys::rsn_xrt_last_error()) }.to_string_lossy().into_owned();
    let message = if msg.is_empty() { format!("error code {rc}") } else { msg };
    Err(XrtError { call, code: rc, message })
}

fn cstring(call: &'static str, s: &str) -> XrtResult<CString> {
    CString::new(s).map_err(|_| XrtError { call, code: libc_einval(), message: format!("{s:?} contains a NUL byte") })
}

const fn libc_einval() -> i32 {
    22
}

/// Milliseconds for an XRT wait: XRT reads 0 as "no timeout", so the shortest wait is 1 ms.
fn wait_ms(timeout: Duration) -> u32 {
    timeout.as_millis().clamp(1, u32::MAX as u128) as u32
}

pub use crate::image::uuid::Uuid;

/// State of a kernel run (XRT's `ert_cmd_state`; values XRT may add later are kept as numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CmdState(pub u32);

impl CmdState {
    pub const NEW: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_NEW.0);
    pub const QUEUED: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_QUEUED.0);
    pub const RUNNING: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_RUNNING.0);
    pub const COMPLETED: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_COMPLETED.0);
    pub const ERROR: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_ERROR.0);
    pub const ABORT: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_ABORT.0);
    pub const SUBMITTED: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_SUBMITTED.0);
    pub const TIMEOUT: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_TIMEOUT.0);
    pub const NORESPONSE: CmdState = CmdState(sys::ert_cmd_state::ERT_CMD_STATE_NORESPONSE.0);

    /// Still queued or executing.
    pub fn is_pending(self) -> bool {
        matches!(self, CmdState::NEW | CmdState::QUEUED | CmdState::RUNNING | CmdState::SUBMITTED)
    }
}

impl std::fmt::Display for CmdState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match *self {
            CmdState::NEW => "new",
            CmdState::QUEUED => "queued",
            CmdState::RUNNING => "running",
            CmdState::COMPLETED => "completed",
            CmdState::ERROR => "error",
            CmdState::ABORT => "aborted",
            CmdState::SUBMITTED => "submitted",
            CmdState::TIMEOUT => "timeout",
            CmdState::NORESPONSE => "no response",
            CmdState(n) => return write!(f, "unknown state {n}"),
        };
        f.write_str(name)
    }
}

/// Direction of a buffer sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDir {
    ToDevice,
    FromDevice,
}

impl SyncDir {
    fn raw(self) -> sys::xclBOSyncDirection {
        match self {
            SyncDir::ToDevice => sys::xclBOSyncDirection::XCL_BO_SYNC_BO_TO_DEVICE,
            SyncDir::FromDevice => sys::xclBOSyncDirection::XCL_BO_SYNC_BO_FROM_DEVICE,
        }
    }
}

struct DeviceHandle(sys::xrtDeviceHandle);

// SAFETY: an XRT device handle is a key into XRT's internally synchronised handle table and may be
// used from any thread; this crate never uses one handle from two threads at once.
unsafe impl Send for DeviceHandle {}
unsafe impl Sync for DeviceHandle {}

impl Drop for DeviceHandle {
    fn drop(&mut self) {
        // SAFETY: the handle came from a successful open and is closed exactly once.
        let _ = unsafe { sys::rsn_xrt_device_close(self.0) };
    }
}

/// An open XRT device.
#[derive(Clone)]
pub struct Device {
    h: Arc<DeviceHandle>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("xrt::Device").finish_non_exhaustive()
    }
}

impl Device {
    /// Open device `index` (0 is the first device).
    pub fn open(index: u32) -> XrtResult<Device> {
        let mut h = std::ptr::null_mut();
        // SAFETY: `h` is a valid out-pointer.
        check("xrtDeviceOpen", unsafe { sys::rsn_xrt_device_open(index, &mut h) })?;
        Ok(Device { h: Arc::new(DeviceHandle(h)) })
    }

    /// Open the device at PCIe BDF `bdf` (e.g. "0000:65:00.1").
    pub fn open_bdf(bdf: &str) -> XrtResult<Device> {
        let c = cstring("xrtDeviceOpenByBDF", bdf)?;
        let mut h = std::ptr::null_mut();
        // SAFETY: `c` is a NUL-terminated string alive for the call; `h` is a valid out-pointer.
        check("xrtDeviceOpenByBDF", unsafe { sys::rsn_xrt_device_open_bdf(c.as_ptr(), &mut h) })?;
        Ok(Device { h: Arc::new(DeviceHandle(h)) })
    }

    /// Load (program) an xclbin file.
    pub fn load_xclbin(&self, path: &Path) -> XrtResult<()> {
        let s = path.to_str().ok_or_else(|| XrtError {
            call: "xrtDeviceLoadXclbinFile",
            code: libc_einval(),
            message: format!("{} is not valid UTF-8", path.display()),
        })?;
        let c = cstring("xrtDeviceLoadXclbinFile", s)?;
        // SAFETY: open handle; NUL-terminated path alive for the call.
        check("xrtDeviceLoadXclbinFile", unsafe { sys::rsn_xrt_device_load_xclbin_file(self.h.0, c.as_ptr()) })
    }

    /// UUID of the loaded xclbin.
    pub fn xclbin_uuid(&self) -> XrtResult<Uuid> {
        let mut u = [0u8; 16];
        // SAFETY: `u` has the 16 bytes the call writes.
        check("xrtDeviceGetXclbinUUID", unsafe { sys::rsn_xrt_device_xclbin_uuid(self.h.0, u.as_mut_ptr()) })?;
        Ok(Uuid(u))
    }
}

/// How a buffer object's host mapping is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoFlags {
    /// XRT's default.
    Normal,
    /// Cached host mapping; syncs flush and invalidate the range (on embedded platforms, far
    /// faster host copies than the default uncached mapping).
    Cacheable,
}

impl BoFlags {
    fn bits(self) -> u64 {
        match self {
            BoFlags::Normal => 0,
            BoFlags::Cacheable => sys::XCL_BO_FLAGS_CACHEABLE as u64,
        }
    }
}

/// A buffer object: device memory with a host mapping. Freed on drop.
pub struct Bo {
    h: sys::xrtBufferHandle,
    map: *mut u8,
    len: usize,
    _dev: Device,
}

// SAFETY: the BO handle and its mapping may be used from any thread; `&mut self` guards writes.
unsafe impl Send for Bo {}
unsafe impl Sync for Bo {}

impl std::fmt::Debug for Bo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("xrt::Bo").field("len", &self.len).finish_non_exhaustive()
    }
}

impl Bo {
    /// Allocate `len` bytes in memory group `group` (see [`Kernel::arg_group`]) and map them.
    pub fn alloc(dev: &Device, len: usize, group: u32) -> XrtResult<Bo> {
        Bo::alloc_with_flags(dev, len, group, BoFlags::Normal)
    }

    /// As [`Bo::alloc`], choosing how the host mapping is cached.
    pub fn alloc_with_flags(dev: &Device, len: usize, group: u32, flags: BoFlags) -> XrtResult<Bo> {
        if len == 0 {
            return Err(XrtError { call: "xrtBOAlloc", code: libc_einval(), message: "zero-sized buffer".into() });
        }
        let mut h = std::ptr::null_mut();
        // SAFETY: open device handle; `h` is a valid out-pointer.
        check("xrtBOAlloc", unsafe { sys::rsn_xrt_bo_alloc(dev.h.0, len, flags.bits(), group, &mut h) })?;
        let mut map: *mut c_void = std::ptr::null_mut();
        // SAFETY: `h` is the buffer just allocated.
        if let Err(e) = check("xrtBOMap", unsafe { sys::rsn_xrt_bo_map(h, &mut map) }) {
            // SAFETY: freeing the buffer that failed to map, once.
            let _ = unsafe { sys::rsn_xrt_bo_free(h) };
            return Err(e);
        }
        Ok(Bo { h, map: map.cast(), len, _dev: dev.clone() })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Device (physical) address of the first byte.
    pub fn address(&self) -> XrtResult<u64> {
        let mut a = 0u64;
        // SAFETY: live handle, valid out-pointer.
        check("xrtBOAddress", unsafe { sys::rsn_xrt_bo_address(self.h, &mut a) })?;
        Ok(a)
    }

    /// Size XRT reports for the buffer.
    pub fn size(&self) -> XrtResult<usize> {
        let mut s = 0usize;
        // SAFETY: live handle, valid out-pointer.
        check("xrtBOSize", unsafe { sys::rsn_xrt_bo_size(self.h, &mut s) })?;
        Ok(s)
    }

    /// The host mapping.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: XRT mapped `len` bytes at `map` for the lifetime of the BO.
        unsafe { std::slice::from_raw_parts(self.map, self.len) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above; `&mut self` makes this the only live view.
        unsafe { std::slice::from_raw_parts_mut(self.map, self.len) }
    }

    fn range(&self, call: &'static str, offset: usize, len: usize) -> XrtResult<()> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(XrtError {
                call,
                code: libc_einval(),
                message: format!("range {offset}+{len} is outside the {}-byte buffer", self.len),
            }),
        }
    }

    /// Synchronise `len` bytes at `offset` between the host mapping and the device.
    pub fn sync(&self, dir: SyncDir, offset: usize, len: usize) -> XrtResult<()> {
        self.range("xrtBOSync", offset, len)?;
        if len == 0 {
            return Ok(());
        }
        // SAFETY: live handle; the range was checked against the buffer.
        check("xrtBOSync", unsafe { sys::rsn_xrt_bo_sync(self.h, dir.raw(), len, offset) })
    }

    /// Copy `data` into the mapping at `offset` and sync that range to the device.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> XrtResult<()> {
        self.range("xrtBOSync", offset, data.len())?;
        self.as_mut_slice()[offset..offset + data.len()].copy_from_slice(data);
        self.sync(SyncDir::ToDevice, offset, data.len())
    }

    /// Sync the range from the device and copy it into `out`.
    pub fn read(&self, offset: usize, out: &mut [u8]) -> XrtResult<()> {
        self.sync(SyncDir::FromDevice, offset, out.len())?;
        out.copy_from_slice(&self.as_slice()[offset..offset + out.len()]);
        Ok(())
    }

    pub(crate) fn raw(&self) -> sys::xrtBufferHandle {
        self.h
    }
}

impl Drop for Bo {
    fn drop(&mut self) {
        // SAFETY: allocated by `alloc`, freed exactly once; the mapping dies with it.
        let _ = unsafe { sys::rsn_xrt_bo_free(self.h) };
    }
}

struct KernelHandle {
    h: sys::xrtKernelHandle,
    _dev: Device,
}

// SAFETY: see `DeviceHandle`.
unsafe impl Send for KernelHandle {}
unsafe impl Sync for KernelHandle {}

impl Drop for KernelHandle {
    fn drop(&mut self) {
        // SAFETY: opened successfully, closed once, after every run that uses it (runs hold an Arc).
        let _ = unsafe { sys::rsn_xrt_kernel_close(self.h) };
    }
}

/// A PL kernel (its compute unit) in the loaded xclbin.
#[derive(Clone)]
pub struct Kernel {
    k: Arc<KernelHandle>,
    name: String,
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("xrt::Kernel").field("name", &self.name).finish()
    }
}

impl Kernel {
    /// Open kernel `name` of xclbin `uuid`. Register access needs `exclusive`.
    pub fn open(dev: &Device, uuid: &Uuid, name: &str, exclusive: bool) -> XrtResult<Kernel> {
        let call = if exclusive { "xrtPLKernelOpenExclusive" } else { "xrtPLKernelOpen" };
        let c = cstring(call, name)?;
        let mut h = std::ptr::null_mut();
        // SAFETY: open device; 16-byte UUID and NUL-terminated name alive for the call.
        check(call, unsafe {
            sys::rsn_xrt_kernel_open(dev.h.0, uuid.0.as_ptr(), c.as_ptr(), exclusive as i32, &mut h)
        })?;
        Ok(Kernel { k: Arc::new(KernelHandle { h, _dev: dev.clone() }), name: name.into() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Memory group of argument `argno` (what [`Bo::alloc`] needs for a buffer it will receive).
    pub fn arg_group(&self, argno: u32) -> XrtResult<u32> {
        let mut g = 0i32;
        // SAFETY: open kernel; valid out-pointer.
        check("xrtKernelArgGroupId", unsafe { sys::rsn_xrt_kernel_arg_group(self.k.h, argno as i32, &mut g) })?;
        Ok(g as u32)
    }

    /// Read a 32-bit control register (needs an exclusive open).
    pub fn read_reg(&self, offset: u32) -> XrtResult<u32> {
        let mut v = 0u32;
        // SAFETY: open kernel; valid out-pointer.
        check("xrtKernelReadRegister", unsafe { sys::rsn_xrt_kernel_read_register(self.k.h, offset, &mut v) })?;
        Ok(v)
    }

    /// Read a 64-bit counter held in two registers (low word first), tear-free against a counter
    /// that is still moving (the high word is read around the low word until it is stable).
    pub fn read_reg64(&self, offset: u32) -> XrtResult<u64> {
        let mut hi = self.read_reg(offset + 4)?;
        for _ in 0..4 {
            let lo = self.read_reg(offset)?;
            let hi2 = self.read_reg(offset + 4)?;
            if hi2 == hi {
                return Ok((hi as u64) << 32 | lo as u64);
            }
            hi = hi2;
        }
        Err(XrtError {
            call: "xrtKernelReadRegister",
            code: -1,
            message: format!("the 64-bit register at {offset:#x} kept changing while read"),
        })
    }

    /// Write a 32-bit control register (needs an exclusive open).
    pub fn write_reg(&self, offset: u32, value: u32) -> XrtResult<()> {
        // SAFETY: open kernel.
        check("xrtKernelWriteRegister", unsafe { sys::rsn_xrt_kernel_write_register(self.k.h, offset, value) })
    }
}

/// One kernel argument value, typed the way XRT reads it from its variadic setter.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Buffer(&'a Bo),
    U32(u32),
    U64(u64),
}

/// A reusable run handle of a kernel.
pub struct Run {
    h: sys::xrtRunHandle,
    _kernel: Arc<KernelHandle>,
}

// SAFETY: see `DeviceHandle`.
unsafe impl Send for Run {}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("xrt::Run").finish_non_exhaustive()
    }
}

impl Run {
    pub fn open(kernel: &Kernel) -> XrtResult<Run> {
        let mut h = std::ptr::null_mut();
        // SAFETY: open kernel; valid out-pointer.
        check("xrtRunOpen", unsafe { sys::rsn_xrt_run_open(kernel.k.h, &mut h) })?;
        Ok(Run { h, _kernel: kernel.k.clone() })
    }

    /// Set argument `index` for the next start.
    pub fn set_arg(&mut self, index: u32, arg: Arg<'_>) -> XrtResult<()> {
        let i = index as i32;
        // SAFETY: open run; a buffer argument passes a live BO handle (XRT copies its address).
        let rc = unsafe {
            match arg {
                Arg::Buffer(bo) => sys::rsn_xrt_run_set_arg_bo(self.h, i, bo.raw()),
                Arg::U32(v) => sys::rsn_xrt_run_set_arg_u32(self.h, i, v),
                Arg::U64(v) => sys::rsn_xrt_run_set_arg_u64(self.h, i, v),
            }
        };
        check("xrtRunSetArg", rc).map_err(|mut e| {
            e.message = format!("argument {index}: {}", e.message);
            e
        })
    }

    pub fn start(&mut self) -> XrtResult<()> {
        // SAFETY: open run.
        check("xrtRunStart", unsafe { sys::rsn_xrt_run_start(self.h) })
    }

    /// Wait at most `timeout`; returns the state then (pending states mean it timed out).
    pub fn wait_for(&mut self, timeout: Duration) -> XrtResult<CmdState> {
        let mut s = sys::ert_cmd_state(0);
        // SAFETY: open run; valid out-pointer to a transparent u32 newtype.
        check("xrtRunWaitFor", unsafe { sys::rsn_xrt_run_wait_for(self.h, wait_ms(timeout), &mut s) })?;
        Ok(CmdState(s.0))
    }

    pub fn state(&self) -> XrtResult<CmdState> {
        let mut s = sys::ert_cmd_state(0);
        // SAFETY: open run; valid out-pointer.
        check("xrtRunState", unsafe { sys::rsn_xrt_run_state(self.h, &mut s) })?;
        Ok(CmdState(s.0))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // SAFETY: opened successfully, closed once, before its kernel (it holds the kernel's Arc).
        let _ = unsafe { sys::rsn_xrt_run_close(self.h) };
    }
}

/// An AI Engine graph of the loaded xclbin.
pub struct Graph {
    h: sys::xrtGraphHandle,
    name: String,
    _dev: Device,
}

// SAFETY: see `DeviceHandle`.
unsafe impl Send for Graph {}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("xrt::Graph").field("name", &self.name).finish()
    }
}

impl Graph {
    pub fn open(dev: &Device, uuid: &Uuid, name: &str) -> XrtResult<Graph> {
        let c = cstring("xrtGraphOpen", name)?;
        let mut h = std::ptr::null_mut();
        // SAFETY: open device; UUID and name alive for the call; valid out-pointer.
        check("xrtGraphOpen", unsafe { sys::rsn_xrt_graph_open(dev.h.0, uuid.0.as_ptr(), c.as_ptr(), &mut h) })?;
        Ok(Graph { h, name: name.into(), _dev: dev.clone() })
    }

    /// Write runtime parameter `port` (hierarchical name, e.g. "g.k.in[2]").
    pub fn update_rtp(&mut self, port: &str, data: &[u8]) -> XrtResult<()> {
        let c = cstring("xrtGraphUpdateRTP", port)?;
        // SAFETY: open graph; `data` is valid for `len` bytes.
        check("xrtGraphUpdateRTP", unsafe {
            sys::rsn_xrt_graph_update_rtp(self.h, c.as_ptr(), data.as_ptr().cast(), data.len())
        })
        .map_err(|mut e| {
            e.message = format!("port {port}: {}", e.message);
            e
        })
    }

    /// Read runtime parameter `port` into `out`.
    pub fn read_rtp(&mut self, port: &str, out: &mut [u8]) -> XrtResult<()> {
        let c = cstring("xrtGraphReadRTP", port)?;
        // SAFETY: open graph; `out` is writable for `len` bytes.
        check("xrtGraphReadRTP", unsafe {
            sys::rsn_xrt_graph_read_rtp(self.h, c.as_ptr(), out.as_mut_ptr().cast(), out.len())
        })
    }

    /// Run `iterations` graph iterations.
    pub fn run(&mut self, iterations: u32) -> XrtResult<()> {
        let it = i32::try_from(iterations).map_err(|_| XrtError {
            call: "xrtGraphRun",
            code: libc_einval(),
            message: format!("{iterations} iterations is more than XRT accepts"),
        })?;
        // SAFETY: open graph.
        check("xrtGraphRun", unsafe { sys::rsn_xrt_graph_run(self.h, it) })
    }

    /// Wait for the iterations started by [`Graph::run`], at most `timeout`.
    pub fn wait_done(&mut self, timeout: Duration) -> XrtResult<()> {
        let ms = wait_ms(timeout).min(i32::MAX as u32) as i32;
        // SAFETY: open graph.
        check("xrtGraphWaitDone", unsafe { sys::rsn_xrt_graph_wait_done(self.h, ms) })
    }

    /// Reset the graph (stops its kernels and clears their locks), e.g. after its input streams
    /// stopped mid-iteration.
    pub fn reset(&mut self) -> XrtResult<()> {
        // SAFETY: open graph.
        check("xrtGraphReset", unsafe { sys::rsn_xrt_graph_reset(self.h) })
    }

    /// End the graph (it cannot run again).
    pub fn end(&mut self) -> XrtResult<()> {
        // SAFETY: open graph; cycle 0 = end after the current iterations.
        check("xrtGraphEnd", unsafe { sys::rsn_xrt_graph_end(self.h, 0) })
    }
}

impl Drop for Graph {
    fn drop(&mut self) {
        // SAFETY: opened successfully, closed once.
        let _ = unsafe { sys::rsn_xrt_graph_close(self.h) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_run_states_are_values_not_ub() {
        assert_eq!(CmdState(4), CmdState::COMPLETED);
        assert_eq!(CmdState(77).to_string(), "unknown state 77");
        assert!(CmdState::RUNNING.is_pending() && !CmdState::COMPLETED.is_pending());
    }

    #[test]
    fn waits_never_pass_zero_to_xrt() {
        assert_eq!(wait_ms(Duration::ZERO), 1);
        assert_eq!(wait_ms(Duration::from_secs(1 << 40)), u32::MAX);
    }
}
