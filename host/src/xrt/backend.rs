//! [`XrtBackend`]: the Device API on a VCK190 running the rsn_xnn xclbin.
//!
//! Memory model: see [`super::windows`]. Each window's arena is allocated in the memory group XRT
//! reports for the kernel argument that reaches it; sizes come from `RSN_XRT_DDR_MIB`,
//! `RSN_XRT_LPDDR_MIB` and `RSN_XRT_INSTR_MIB`.

use super::ffi::{self, Arg, CmdState, XrtError};
use super::regs;
use super::windows::Windows;
use crate::bitstream::Bitstream;
use crate::hal::regmap::{self, arg_plan, bound_pairs, ArgValue};
use crate::hal::{
    Allocation, Backend, BackendKind, DeviceError, DeviceStatus, FuCounters, FuState, Launch, Memory, OpenOptions,
    Positions, RawRun, Result, RunReport,
};
use crate::image::{self as vck190, Manifest};
use crate::isa::{self, EngineRtp, InstrPos, ENGINES};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long the device may go without any FU making progress before it stops itself.
const WATCHDOG: Duration = Duration::from_secs(1);
/// How long to wait for the kernel to stop after an abort.
const ABORT_GRACE: Duration = Duration::from_secs(1);

fn be(e: XrtError) -> DeviceError {
    DeviceError::Backend { backend: BackendKind::Xrt, call: e.call, message: e.message }
}

fn open_err(call: &'static str, message: String) -> DeviceError {
    DeviceError::Backend { backend: BackendKind::Xrt, call, message }
}

/// Arena size for `memory` in bytes, from its environment variable or the default.
pub fn arena_bytes(memory: Memory) -> Result<u64> {
    let (var, default_mib) = match memory {
        Memory::Ddr => ("RSN_XRT_DDR_MIB", 1024),
        Memory::Lpddr => ("RSN_XRT_LPDDR_MIB", 1024),
        Memory::Instr => ("RSN_XRT_INSTR_MIB", 16),
    };
    let mib = match std::env::var(var) {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|m| *m > 0)
            .ok_or_else(|| open_err("open", format!("{var}={v:?} is not a positive number of MiB")))?,
        Err(_) => default_mib,
    };
    let bytes = mib << 20;
    if bytes > memory.window_bytes() {
        return Err(open_err(
            "open",
            format!(
                "{var}={mib} exceeds the {} MiB {memory:?} window the DRAM units address",
                memory.window_bytes() >> 20
            ),
        ));
    }
    Ok(bytes)
}

struct InFlight {
    id: u64,
    positions: Positions,
}

/// The Device API backend for a VCK190 through XRT.
pub struct XrtBackend {
    // Field order is drop order: the run and graph close before the kernel, the buffers before
    // the device.
    run: ffi::Run,
    graph: ffi::Graph,
    kernel: ffi::Kernel,
    windows: Windows,
    _device: ffi::Device,
    bitstream: Bitstream,
    manifest: Manifest,
    description: String,
    next_run: u64,
    in_flight: Option<InFlight>,
    /// A timed-out run that did not stop after the abort: the kernel may still be running.
    stuck: bool,
    /// The graph did not finish its iteration (its streams stopped): reset it before the next run.
    graph_dirty: bool,
    /// Positions of the last program that ran (for fault and state reports).
    last_positions: Positions,
    finished: bool,
}

impl std::fmt::Debug for XrtBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl XrtBackend {
    /// Open device `opts.index`, load `opts.xclbin` and check it was built for this host.
    pub fn open(bitstream: &Bitstream, opts: &OpenOptions) -> Result<XrtBackend> {
        let xclbin: PathBuf = opts.xclbin.clone().ok_or_else(|| {
            open_err(
                "open",
                "no device image given: pass --xclbin PATH (OpenOptions::xclbin), the rsn_xnn.xclbin built by \
                 bitstreams/vck190"
                    .into(),
            )
        })?;
        let bytes = crate::files::read_bounded(&xclbin, crate::files::limits::XCLBIN, "an xclbin")
            .map_err(|e| open_err("open", format!("cannot read xclbin {}: {e}", xclbin.display())))?;
        let file_uuid =
            vck190::xclbin_file_uuid(&bytes).map_err(|e| open_err("open", format!("{}: {e}", xclbin.display())))?;
        let mpath = vck190::manifest_path(&xclbin);
        let manifest = Manifest::load(&mpath).map_err(|e| open_err("manifest", e.to_string()))?;
        if let Some((found, expected)) = manifest.mismatch(bitstream) {
            return Err(DeviceError::FingerprintMismatch { found, expected });
        }
        if let Some(u) = &manifest.xclbin_uuid {
            if u.parse::<ffi::Uuid>().ok() != Some(file_uuid) {
                return Err(open_err(
                    "manifest",
                    format!("{} belongs to xclbin {u}, but {} has UUID {file_uuid}", mpath.display(), xclbin.display()),
                ));
            }
        }

        let sizes = [arena_bytes(Memory::Ddr)?, arena_bytes(Memory::Lpddr)?, arena_bytes(Memory::Instr)?];

        let device = ffi::Device::open(opts.index).map_err(|e| DeviceError::NoDevice {
            backend: BackendKind::Xrt,
            message: format!(
                "XRT cannot open device {} ({e}; XILINX_XRT={}). On the VCK190 the zocl driver must be loaded \
                 and XILINX_XRT=/usr; without a board use --backend model",
                opts.index,
                std::env::var("XILINX_XRT").unwrap_or_else(|_| "unset".into())
            ),
        })?;
        device.load_xclbin(&xclbin).map_err(be)?;
        let uuid = device.xclbin_uuid().map_err(be)?;
        // Exclusive: status and counter registers are read with xrtKernelReadRegister.
        let kernel = ffi::Kernel::open(&device, &uuid, &manifest.kernel, true).map_err(be)?;
        let magic = kernel.read_reg(regs::MAGIC).map_err(be)?;
        if magic != regs::MAGIC_VALUE {
            return Err(open_err(
                "open",
                format!(
                    "kernel {} reads MAGIC {magic:#010x}, not an RSN-XNN kernel ({:#010x})",
                    manifest.kernel,
                    regs::MAGIC_VALUE
                ),
            ));
        }
        let version = kernel.read_reg(regs::VERSION).map_err(be)?;
        let (hw_isa, hw_regmap) = (version & 0xffff, version >> 16);
        if hw_isa != isa::ISA_VERSION || hw_regmap != regs::REGMAP_VERSION {
            return Err(DeviceError::FingerprintMismatch {
                found: format!("hardware reporting ISA v{hw_isa}, register map v{hw_regmap}"),
                expected: format!("ISA v{}, register map v{}", isa::ISA_VERSION, regs::REGMAP_VERSION),
            });
        }
        // Every buffer argument of the register map is an m_axi port of the kernel; ask XRT for
        // the memory each one reaches (an argument the xclbin lacks fails here, by index).
        let group = |arg: u32| kernel.arg_group(arg).map_err(be);
        let (g_instr, g_ddr0, g_ddr1, g_lp0) =
            (group(regs::ARG_INSTR)?, group(regs::ARG_DDR0)?, group(regs::ARG_DDR1)?, group(regs::ARG_LPDDR0)?);
        if g_ddr0 != g_ddr1 {
            return Err(open_err(
                "xrtKernelArgGroupId",
                format!(
                    "the DDR load and store ports (groups {g_ddr0}, {g_ddr1}) reach different memories; the link must \
                     map both to the DDR (bitstreams/vck190/connectivity.cfg)"
                ),
            ));
        }
        let graph = ffi::Graph::open(&device, &uuid, &manifest.graph).map_err(be)?;
        let windows = Windows::new(&device, [(g_ddr0, sizes[0]), (g_lp0, sizes[1]), (g_instr, sizes[2])])?;
        let run = ffi::Run::open(&kernel).map_err(be)?;
        let window_text: Vec<String> = windows
            .arenas()
            .iter()
            .map(|a| {
                let base = a.bo().address().map_or_else(|_| "?".into(), |b| format!("{b:#x}"));
                format!("{:?} {} MiB at {base} (group {})", a.memory(), a.capacity() >> 20, a.group())
            })
            .collect();
        let description = format!(
            "xrt backend: device {}, xclbin {} (uuid {uuid}), bitstream {} [{}], windows: {}",
            opts.index,
            xclbin.display(),
            bitstream.desc.name,
            &bitstream.fingerprint[..12.min(bitstream.fingerprint.len())],
            window_text.join(", ")
        );
        Ok(XrtBackend {
            run,
            graph,
            kernel,
            windows,
            _device: device,
            bitstream: bitstream.clone(),
            manifest,
            description,
            next_run: 0,
            in_flight: None,
            stuck: false,
            graph_dirty: false,
            last_positions: Positions::default(),
            finished: false,
        })
    }

    fn watchdog_cycles(&self) -> u32 {
        (self.bitstream.desc.clock.pl_mhz * 1e6 * WATCHDOG.as_secs_f64()).min(u32::MAX as f64) as u32
    }

    /// The control registers, as the shared register-map readers see them.
    fn regs(&self) -> KernelRegs<'_> {
        KernelRegs(&self.kernel)
    }

    fn fu_states(&self, positions: &[InstrPos]) -> Result<Vec<FuState>> {
        regmap::fu_states(&mut self.regs(), positions)
    }

    fn read_counters(&self) -> Result<Vec<FuCounters>> {
        regmap::read_counters(&mut self.regs())
    }

    fn read_fault(&self, positions: &Positions) -> Result<Option<DeviceError>> {
        regmap::read_fault(&mut self.regs(), positions)
    }

    fn report(&self) -> Result<RunReport> {
        regmap::report(&mut self.regs(), &self.bitstream)
    }

    fn set_args(&mut self, instr_offset: u64, words: u32, pairs: &[(Memory, u64, u64)]) -> Result<()> {
        let plan = arg_plan(instr_offset, words, pairs, self.watchdog_cycles());
        let run = &mut self.run;
        for (index, value) in plan.into_iter().enumerate() {
            let arg = match value {
                ArgValue::Window(m) => Arg::Buffer(self.windows.arena(m).bo()),
                ArgValue::U32(v) => Arg::U32(v),
                ArgValue::U64(v) => Arg::U64(v),
            };
            run.set_arg(index as u32, arg).map_err(be)?;
        }
        Ok(())
    }

    /// Wait briefly for the graph after a run that stopped early; remember if it is stuck.
    fn settle_graph(&mut self) {
        if self.graph.wait_done(ABORT_GRACE).is_err() {
            self.graph_dirty = true;
        }
    }

    /// Reset a graph left mid-iteration by a faulted or aborted run.
    fn ready_graph(&mut self) -> Result<()> {
        if self.graph_dirty {
            self.graph.reset().map_err(|e| {
                open_err(
                    e.call,
                    format!(
                        "the AI Engine graph is stuck after the previous run and could not be reset ({}); \
                         reopen the device to reload the xclbin",
                        e.message
                    ),
                )
            })?;
            self.graph_dirty = false;
        }
        Ok(())
    }

    fn status_from_registers(&self) -> Result<DeviceStatus> {
        regmap::status(&mut self.regs(), &self.last_positions)
    }
}

/// [`regmap::RegPort`] over XRT's register reads.
struct KernelRegs<'a>(&'a ffi::Kernel);

impl regmap::RegPort for KernelRegs<'_> {
    fn read_reg(&mut self, offset: u32) -> Result<u32> {
        self.0.read_reg(offset).map_err(be)
    }

    fn backend(&self) -> BackendKind {
        BackendKind::Xrt
    }

    fn read_reg64(&mut self, offset: u32) -> Result<u64> {
        self.0.read_reg64(offset).map_err(be)
    }
}

impl Backend for XrtBackend {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation> {
        self.windows.alloc(memory, bytes)
    }

    fn alloc_at(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation> {
        self.windows.alloc_at(memory, offset, bytes)
    }

    fn free(&mut self, id: u64) -> Result<()> {
        self.windows.free(id)
    }

    fn write(&mut self, id: u64, offset: u64, data: &[u8]) -> Result<()> {
        self.windows.write(id, offset, data)
    }

    fn read(&mut self, id: u64, offset: u64, out: &mut [u8]) -> Result<()> {
        self.windows.read(id, offset, out)
    }

    fn write_engine_params(&mut self, rtp: &[EngineRtp; ENGINES]) -> Result<()> {
        if self.in_flight.is_some() {
            return Err(DeviceError::Busy);
        }
        self.ready_graph()?;
        for (e, p) in rtp.iter().enumerate() {
            let bytes = p.blocks.to_le_bytes();
            for port in &self.manifest.rtp_ports[e] {
                self.graph.update_rtp(port, &bytes).map_err(be)?;
            }
        }
        Ok(())
    }

    fn start(&mut self, launch: Launch<'_>) -> Result<RawRun> {
        let (instr, words, bounds) = (launch.instr, launch.words, launch.bounds);
        if self.in_flight.is_some() {
            return Err(DeviceError::Busy);
        }
        if self.stuck {
            if self.run.state().map_err(be)?.is_pending() {
                return Err(DeviceError::Busy);
            }
            self.stuck = false;
        }
        self.ready_graph()?;
        let a = self.windows.get(instr)?;
        if a.memory != Memory::Instr {
            return Err(open_err(
                "start",
                format!("buffer {instr} is in {:?}, not in the instruction memory", a.memory),
            ));
        }
        let positions = launch.positions(|| {
            Ok(self
                .windows
                .host_view(instr, words as usize * 4)?
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        })?;
        let pairs = bound_pairs(bounds);
        self.set_args(a.offset, words, &pairs)?;
        // The graph waits for its streams, so it starts first; one iteration runs each kernel once,
        // and each kernel loops over the `blocks` its parameter was given.
        self.graph.run(1).map_err(be)?;
        self.run.start().map_err(be)?;
        self.next_run += 1;
        self.finished = false;
        self.in_flight = Some(InFlight { id: self.next_run, positions });
        Ok(RawRun { id: self.next_run })
    }

    fn wait(&mut self, run: RawRun, timeout: Duration) -> Result<RunReport> {
        match &self.in_flight {
            Some(f) if f.id == run.id => {}
            _ => return Err(DeviceError::NotRunning),
        }
        let t0 = Instant::now();
        let state = self.run.wait_for(timeout);
        let Some(flight) = self.in_flight.take() else { return Err(DeviceError::NotRunning) };
        self.last_positions = flight.positions;
        let positions = self.last_positions.clone();
        let state = state.map_err(|e| {
            // The run's fate is unknown: later starts ask XRT before reusing the kernel.
            self.stuck = true;
            be(e)
        })?;
        if state.is_pending() || state == CmdState::TIMEOUT {
            let states = self.fu_states(&positions).unwrap_or_default();
            // Stop the FUs so the device can take the next program; if the kernel does not
            // complete after the abort, later starts report Busy until it does.
            let stopped = self.kernel.write_reg(regs::ABORT, 1).is_ok()
                && self.run.wait_for(ABORT_GRACE).map(|s| !s.is_pending()).unwrap_or(false);
            self.stuck = !stopped;
            self.settle_graph();
            return Err(DeviceError::Timeout { timeout, states });
        }
        if state != CmdState::COMPLETED {
            self.settle_graph();
            if let Some(fault) = self.read_fault(&positions)? {
                return Err(fault);
            }
            return Err(open_err("xrtRunWaitFor", format!("the run ended in XRT state {state}")));
        }
        if let Some(fault) = self.read_fault(&positions)? {
            self.settle_graph();
            return Err(fault);
        }
        let left = timeout.saturating_sub(t0.elapsed()).max(Duration::from_millis(1));
        self.graph.wait_done(left).map_err(|e| {
            self.graph_dirty = true;
            open_err(
                e.call,
                format!("the PL kernel finished but the AI Engine graph did not within the timeout: {}", e.message),
            )
        })?;
        let report = self.report()?;
        self.finished = true;
        Ok(report)
    }

    fn status(&mut self) -> Result<DeviceStatus> {
        if (self.in_flight.is_some() || self.stuck) && self.run.state().map_err(be)?.is_pending() {
            return Ok(DeviceStatus::Busy);
        }
        self.status_from_registers()
    }

    fn counters(&mut self) -> Result<Vec<FuCounters>> {
        if !self.finished {
            return Err(DeviceError::NotRunning);
        }
        self.read_counters()
    }
}

impl Drop for XrtBackend {
    fn drop(&mut self) {
        // A graph that is not ended keeps the AI Engine array configured for the next process.
        let _ = self.graph.end();
    }
}
