//! [`XrtBackend`]: the Device API on a VCK190 running the rsn_xnn xclbin.
//!
//! Memory model: see [`super::windows`]. Each window's arena is allocated in the memory group XRT
//! reports for the kernel argument that reaches it; sizes come from `RSN_XRT_DDR_MIB`,
//! `RSN_XRT_LPDDR_MIB` and `RSN_XRT_INSTR_MIB`.

use super::ffi::{self, Arg, CmdState, XrtError};
use super::regs;
use super::vck190::{self, Manifest};
use super::windows::Windows;
use crate::bitstream::Bitstream;
use crate::device::{
    Allocation, Backend, BackendKind, DeviceError, DeviceStatus, FaultCode, FuCounters, FuState, Memory, OpenOptions,
    RawRun, Result, RunReport,
};
use crate::isa::{self, EngineRtp, InstrPos, ENGINES};
use crate::topology::Fu;
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

/// Coalesce the buffers a program may touch into at most [`regs::MAX_BOUNDS`] ranges per the
/// device's bound registers: merge touching ranges, then the closest neighbours in one memory
/// (a wider bound still keeps every access inside that memory's arena).
pub fn bound_pairs(bounds: &[Allocation]) -> Vec<(Memory, u64, u64)> {
    let rank = |m: Memory| if m == Memory::Ddr { 0 } else { 1 };
    let mut v: Vec<(Memory, u64, u64)> = bounds
        .iter()
        .filter(|a| a.memory != Memory::Instr && a.len > 0)
        .map(|a| (a.memory, a.offset, a.offset + a.len))
        .collect();
    v.sort_by_key(|&(m, s, _)| (rank(m), s));
    let mut out: Vec<(Memory, u64, u64)> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if last.0 == r.0 && r.1 <= last.2 => last.2 = last.2.max(r.2),
            _ => out.push(r),
        }
    }
    while out.len() > regs::MAX_BOUNDS {
        // With more than two ranges over two memories, some neighbours share a memory.
        let Some(i) = (0..out.len() - 1).filter(|&i| out[i].0 == out[i + 1].0).min_by_key(|&i| out[i + 1].1 - out[i].2)
        else {
            break;
        };
        out[i].2 = out[i + 1].2;
        out.remove(i + 1);
    }
    out
}

/// What one kernel argument receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgValue {
    /// The base address of a memory window (its arena buffer object).
    Window(Memory),
    U32(u32),
    U64(u64),
}

/// Every kernel argument's value for one run, in argument-index order (see [`regs::kernel_args`]).
pub fn arg_plan(instr_offset: u64, words: u32, pairs: &[(Memory, u64, u64)], watchdog: u32) -> Vec<ArgValue> {
    let mask = pairs.iter().enumerate().filter(|(_, p)| p.0 == Memory::Lpddr).fold(0u32, |m, (i, _)| m | 1 << i);
    let mut v = vec![
        ArgValue::Window(Memory::Instr),
        ArgValue::Window(Memory::Ddr),
        ArgValue::Window(Memory::Ddr),
        ArgValue::Window(Memory::Lpddr),
        ArgValue::Window(Memory::Lpddr),
        ArgValue::U64(instr_offset),
        ArgValue::U32(words),
        ArgValue::U32(pairs.len().min(regs::MAX_BOUNDS) as u32),
        ArgValue::U32(mask),
        ArgValue::U32(watchdog),
    ];
    for i in 0..regs::MAX_BOUNDS {
        let (lo, hi) = pairs.get(i).map_or((0, 0), |p| (p.1, p.2));
        v.push(ArgValue::U64(lo));
        v.push(ArgValue::U64(hi));
    }
    v
}

fn fault_kind(raw: u32) -> Option<(FaultCode, &'static str)> {
    Some(match raw {
        regs::FAULT_ILLEGAL_INSTRUCTION => (FaultCode::IllegalInstruction, "the decoder rejected an instruction"),
        regs::FAULT_DMA_BOUNDS => (FaultCode::DmaBounds, "a DRAM access fell outside the programmed bounds"),
        regs::FAULT_DEADLOCK => (FaultCode::Deadlock, "no FU can make progress"),
        regs::FAULT_WATCHDOG => (FaultCode::Watchdog, "the device watchdog fired (no progress)"),
        regs::FAULT_ABORTED => (FaultCode::Watchdog, "the run was aborted by the host"),
        _ => return None,
    })
}

fn fu_state_name(raw: u32) -> String {
    match raw {
        regs::FU_STATE_IDLE => "idle".into(),
        regs::FU_STATE_BUSY => "busy".into(),
        regs::FU_STATE_WAIT_IN => "waiting for input".into(),
        regs::FU_STATE_WAIT_OUT => "waiting for space downstream".into(),
        regs::FU_STATE_DONE => "done".into(),
        n => format!("unknown state {n}"),
    }
}

/// Position of mOP `mop` given the packets' positions.
fn locate_mop(positions: &[InstrPos], mop: u32) -> Option<InstrPos> {
    let mop = mop as usize;
    let i = positions.partition_point(|p| p.mop <= mop);
    let p = positions.get(i.checked_sub(1)?)?;
    Some(InstrPos { packet: p.packet, mop, word: p.word })
}

struct InFlight {
    id: u64,
    positions: Vec<InstrPos>,
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
    last_positions: Vec<InstrPos>,
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
        let bytes = std::fs::read(&xclbin)
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
        let group = |arg: u32| kernel.arg_group(arg).map_err(be);
        let (g_instr, g_ddr0, g_ddr1, g_lp0, g_lp1) = (
            group(regs::ARG_INSTR)?,
            group(regs::ARG_DDR0)?,
            group(regs::ARG_DDR1)?,
            group(regs::ARG_LPDDR0)?,
            group(regs::ARG_LPDDR1)?,
        );
        if g_ddr0 != g_ddr1 || g_lp0 != g_lp1 {
            return Err(open_err(
                "xrtKernelArgGroupId",
                format!(
                    "the two DDR ports (groups {g_ddr0}, {g_ddr1}) or the two LPDDR ports (groups {g_lp0}, {g_lp1}) reach \
                     different memories; the link must map each pair to one memory (bitstreams/vck190/connectivity.cfg)"
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
            last_positions: Vec::new(),
            finished: false,
        })
    }

    fn watchdog_cycles(&self) -> u32 {
        (self.bitstream.desc.clock.pl_mhz * 1e6 * WATCHDOG.as_secs_f64()).min(u32::MAX as f64) as u32
    }

    fn fu_states(&self, positions: &[InstrPos]) -> Result<Vec<FuState>> {
        let mut v = Vec::with_capacity(Fu::COUNT);
        for fu in Fu::all() {
            let base = regs::fu_block(fu.index());
            let state = self.kernel.read_reg(base + regs::FU_STATE).map_err(be)?;
            let cur = self.kernel.read_reg(base + regs::FU_CUR_MOP).map_err(be)?;
            let queued = self.kernel.read_reg(base + regs::FU_QUEUED).map_err(be)?;
            let at = (cur != regs::NO_POSITION).then(|| locate_mop(positions, cur)).flatten();
            v.push(FuState { fu: fu.name(), state: fu_state_name(state), at, queued: queued as usize });
        }
        Ok(v)
    }

    fn read_counters(&self) -> Result<Vec<FuCounters>> {
        let k = &self.kernel;
        let r = |base: u32, off: u32| k.read_reg64(base + off).map_err(be);
        Fu::all()
            .into_iter()
            .map(|fu| {
                let base = regs::fu_block(fu.index());
                Ok(FuCounters {
                    fu: fu.name(),
                    busy_cycles: r(base, regs::FU_BUSY)?,
                    stall_in_cycles: r(base, regs::FU_STALL_IN)?,
                    stall_out_cycles: r(base, regs::FU_STALL_OUT)?,
                    bytes: r(base, regs::FU_BYTES)?,
                    uops: r(base, regs::FU_UOPS)?,
                })
            })
            .collect()
    }

    /// The fault the device reports, if any.
    fn read_fault(&self, positions: &[InstrPos]) -> Result<Option<DeviceError>> {
        let raw = self.kernel.read_reg(regs::FAULT_CODE).map_err(be)?;
        if raw == regs::FAULT_NONE {
            return Ok(None);
        }
        let (code, what) = fault_kind(raw).ok_or_else(|| {
            open_err("xrtKernelReadRegister", format!("the device reported unknown fault code {raw}"))
        })?;
        let at = self.fault_position(positions)?;
        let detail = self.kernel.read_reg64(regs::FAULT_DETAIL).map_err(be)?;
        let message = match code {
            FaultCode::IllegalInstruction => format!("{what} (word {detail:#010x})"),
            FaultCode::DmaBounds => format!("{what} (byte offset {detail:#x})"),
            _ => what.to_string(),
        };
        let states = self.fu_states(positions).unwrap_or_default();
        Ok(Some(DeviceError::Fault { code, at, message, states }))
    }

    fn fault_position(&self, positions: &[InstrPos]) -> Result<Option<InstrPos>> {
        let k = &self.kernel;
        let packet = k.read_reg(regs::FAULT_PACKET).map_err(be)?;
        let mop = k.read_reg(regs::FAULT_MOP).map_err(be)?;
        let word = k.read_reg(regs::FAULT_WORD).map_err(be)?;
        if packet == regs::NO_POSITION {
            return Ok((mop != regs::NO_POSITION).then(|| locate_mop(positions, mop)).flatten());
        }
        let known = positions.get(packet as usize);
        Ok(Some(InstrPos {
            packet: packet as usize,
            mop: if mop != regs::NO_POSITION { mop as usize } else { known.map_or(0, |p| p.mop) },
            word: if word != regs::NO_POSITION { word as usize } else { known.map_or(0, |p| p.word) },
        }))
    }

    fn report(&self) -> Result<RunReport> {
        let cycles = self.kernel.read_reg64(regs::CYCLES).map_err(be)?;
        Ok(RunReport {
            cycles,
            device_ms: self.bitstream.cycles_to_ms(cycles),
            counters: self.read_counters()?,
            // The kernel keeps counters, not a per-mOP trace.
            timeline: Vec::new(),
        })
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
        let s = self.kernel.read_reg(regs::STATUS).map_err(be)?;
        if s & regs::STATUS_BUSY != 0 {
            return Ok(DeviceStatus::Busy);
        }
        if s & regs::STATUS_ERROR != 0 {
            let raw = self.kernel.read_reg(regs::FAULT_CODE).map_err(be)?;
            let (code, _) = fault_kind(raw).unwrap_or((FaultCode::Watchdog, ""));
            return Ok(DeviceStatus::Error { code, at: self.fault_position(&self.last_positions)? });
        }
        Ok(if s & regs::STATUS_DONE != 0 { DeviceStatus::Done } else { DeviceStatus::Idle })
    }
}

impl Backend for XrtBackend {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation> {
        self.windows.alloc(memory, bytes)
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

    fn start(&mut self, instr: u64, words: u32, bounds: &[Allocation]) -> Result<RawRun> {
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
        let program: Vec<u32> = self
            .windows
            .host_view(instr, words as usize * 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        // Unchecked submissions may not decode; positions then stay unknown in reports.
        let positions: Vec<InstrPos> =
            isa::decode_with_positions(&program).map(|v| v.into_iter().map(|(_, p)| p).collect()).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(id: u64, memory: Memory, offset: u64, len: u64) -> Allocation {
        Allocation { id, memory, offset, len }
    }

    #[test]
    fn bounds_merge_touching_ranges_and_stay_within_sixteen() {
        let b = [
            alloc(1, Memory::Ddr, 0x1000, 0x1000),
            alloc(2, Memory::Ddr, 0x2000, 0x800),
            alloc(3, Memory::Lpddr, 0x1000, 0x100),
            alloc(4, Memory::Instr, 0x1000, 0x100),
        ];
        assert_eq!(bound_pairs(&b), vec![(Memory::Ddr, 0x1000, 0x2800), (Memory::Lpddr, 0x1000, 0x1100)]);
        let many: Vec<Allocation> =
            (0..40u64).map(|i| alloc(i, Memory::Ddr, 0x1000 + i * 0x3000 + (i % 3) * 0x1000, 0x1000)).collect();
        let p = bound_pairs(&many);
        assert_eq!(p.len(), regs::MAX_BOUNDS);
        for a in &many {
            assert!(
                p.iter().any(|&(m, s, e)| m == a.memory && s <= a.offset && a.offset + a.len <= e),
                "{a:?} not covered"
            );
        }
    }

    #[test]
    fn every_argument_gets_a_value_of_its_register_type() {
        use regs::ArgKind;
        let pairs = [(Memory::Ddr, 0x1000, 0x2000), (Memory::Lpddr, 0x3000, 0x4000)];
        let plan = arg_plan(0x5000, 77, &pairs, 123);
        let args = regs::kernel_args();
        assert_eq!(plan.len(), args.len());
        for (a, v) in args.iter().zip(&plan) {
            match (a.kind, v) {
                (ArgKind::Buffer { port }, ArgValue::Window(m)) => {
                    let expect = if port.contains("lpddr") {
                        Memory::Lpddr
                    } else if port.contains("ddr") {
                        Memory::Ddr
                    } else {
                        Memory::Instr
                    };
                    assert_eq!(*m, expect, "{}", a.name);
                }
                (ArgKind::U32, ArgValue::U32(_)) | (ArgKind::U64, ArgValue::U64(_)) => {}
                (k, v) => panic!("argument {} is {k:?} but gets {v:?}", a.name),
            }
        }
        let at = |name: &str| plan[args.iter().position(|a| a.name == name).unwrap()];
        assert_eq!(at("instr_offset"), ArgValue::U64(0x5000));
        assert_eq!(at("instr_words"), ArgValue::U32(77));
        assert_eq!(at("bound_count"), ArgValue::U32(2));
        assert_eq!(at("bound_lpddr_mask"), ArgValue::U32(0b10));
        assert_eq!(at("watchdog_cycles"), ArgValue::U32(123));
        assert_eq!(at("bound1_lo"), ArgValue::U64(0x3000));
        assert_eq!(at("bound1_hi"), ArgValue::U64(0x4000));
        assert_eq!(at("bound2_hi"), ArgValue::U64(0));
    }

    #[test]
    fn mop_positions_and_codes() {
        let pos = [InstrPos { packet: 0, mop: 0, word: 4 }, InstrPos { packet: 1, mop: 3, word: 9 }];
        assert_eq!(locate_mop(&pos, 4), Some(InstrPos { packet: 1, mop: 4, word: 9 }));
        assert_eq!(locate_mop(&pos, 1).unwrap().packet, 0);
        assert_eq!(locate_mop(&[], 1), None);
        assert_eq!(fault_kind(regs::FAULT_DMA_BOUNDS).unwrap().0, FaultCode::DmaBounds);
        assert!(fault_kind(99).is_none());
        assert_eq!(fu_state_name(7), "unknown state 7");
    }
}
