//! The `sim` backend (feature `sim`): the Device API on the Verilator co-simulation of rtl/
//! (crate `rsn-sim`), with the engines running the aie/ kernels.
//!
//! It drives the verilated kernel exactly as the XRT backend drives the board: kernel arguments and
//! `ap_start` through the AXI4-Lite control slave, then status, faults and counters from the same
//! registers ([`crate::hal::regmap`]). Memory sizes, bandwidths and latencies come from the
//! bitstream description, so the RTL's cycle count is comparable with the model's estimate.

use crate::bitstream::Bitstream;
use crate::hal::regmap::{self, arg_plan, bound_pairs, ArgValue, RegPort};
use crate::hal::{
    Allocation, Backend, BackendKind, DeviceError, DeviceStatus, FaultCode, FuCounters, FuState, Launch, Memory,
    OpenOptions, Positions, RangeAllocator, RawRun, Result, RunReport,
};
use crate::isa::{self, EngineRtp, InstrPos, ENGINES};
use crate::regs;
use rsn_sim::{Config, Mem, Sim, SimError};
use std::time::{Duration, Instant};

/// Wall time simulated per FFI call while waiting: a timeout is noticed within about this much
/// (the call costs microseconds, so a few hundred calls a second cost nothing).
const SLICE_TIME: Duration = Duration::from_millis(4);
/// Bounds of the cycles per call: the first call's size, and at most this many.
const SLICE_MIN_CYCLES: u64 = 64;
const SLICE_MAX_CYCLES: u64 = 50_000;
/// Cycles the kernel may go without any stream or memory beat moving before it stops itself. An
/// engine block takes far fewer; override with RSN_SIM_WATCHDOG_CYCLES.
const DEFAULT_WATCHDOG_CYCLES: u32 = 200_000;
/// After an abort, cycles the kernel gets to drain its memory traffic and report done.
const ABORT_CYCLES: u64 = 100_000;

fn se(call: &'static str, e: SimError) -> DeviceError {
    DeviceError::Backend { backend: BackendKind::Sim, call, message: e.to_string() }
}

fn mem_of(m: Memory) -> Mem {
    match m {
        Memory::Ddr => Mem::Ddr,
        Memory::Lpddr => Mem::Lpddr,
        Memory::Instr => Mem::Instr,
    }
}

struct InFlight {
    id: u64,
    positions: Positions,
}

/// The Device API backend over one simulated device.
pub struct SimBackend {
    sim: Sim,
    bitstream: Bitstream,
    alloc: RangeAllocator,
    rtp: [EngineRtp; ENGINES],
    watchdog: u32,
    next_run: u64,
    in_flight: Option<InFlight>,
    last_positions: Positions,
    finished: bool,
}

impl std::fmt::Debug for SimBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The memory and engine timing of the description, in the harness's units.
pub fn sim_config(bs: &Bitstream) -> Config {
    let d = &bs.desc;
    let per_cycle = |gbps: f64| bs.bytes_per_cycle(gbps);
    Config {
        mem_bytes: [Memory::Ddr.window_bytes(), Memory::Lpddr.window_bytes(), Memory::Instr.window_bytes()],
        ddr_rd_bytes_per_cycle: per_cycle(d.ddr.read_gbps),
        ddr_wr_bytes_per_cycle: per_cycle(d.ddr.write_gbps),
        lpddr_bytes_per_cycle: per_cycle(d.lpddr.read_gbps),
        ddr_latency: d.ddr.latency_cycles as u32,
        lpddr_latency: d.lpddr.latency_cycles as u32,
        instr_latency: d.decoder.fetch_latency_cycles as u32,
        engine_block_cycles: bs.engine_block_cycles().ceil() as u32,
        engine_latency: d.engine.latency_cycles as u32,
        engine_out_cycles: bs.engine_io_cycles(d.engine.out_streams).ceil() as u32,
    }
}

impl SimBackend {
    pub fn open(bitstream: &Bitstream, opts: &OpenOptions) -> Result<SimBackend> {
        if opts.wave.is_some() && !rsn_sim::WAVE {
            return Err(DeviceError::Unsupported(
                "FST waveforms (--wave): this rsn was built without them; rebuild with \
                 `cargo build --release -p rsn --features sim-wave` (or `make build WAVE=1`)"
                    .into(),
            ));
        }
        let watchdog = match std::env::var("RSN_SIM_WATCHDOG_CYCLES") {
            Ok(v) => v.trim().parse::<u32>().ok().filter(|c| *c > 0).ok_or_else(|| DeviceError::NoDevice {
                backend: BackendKind::Sim,
                message: format!("RSN_SIM_WATCHDOG_CYCLES={v:?} is not a positive number of cycles"),
            })?,
            Err(_) => DEFAULT_WATCHDOG_CYCLES,
        };
        let mut sim = Sim::new(sim_config(bitstream))
            .map_err(|e| DeviceError::NoDevice { backend: BackendKind::Sim, message: e.to_string() })?;
        let magic = sim.read_reg(regs::MAGIC).map_err(|e| se("open", e))?;
        let version = sim.read_reg(regs::VERSION).map_err(|e| se("open", e))?;
        let want = isa::ISA_VERSION | regs::REGMAP_VERSION << 16;
        if magic != regs::MAGIC_VALUE || version != want {
            return Err(DeviceError::NoDevice {
                backend: BackendKind::Sim,
                message: format!(
                    "the verilated kernel reports magic {magic:#010x} version {version:#010x}, this host expects \
                     {:#010x} / {want:#010x}: rebuild rsn-sim",
                    regs::MAGIC_VALUE
                ),
            });
        }
        // The done interrupt tells the harness when a run has finished.
        sim.write_reg(regs::GIER, 1).map_err(|e| se("open", e))?;
        sim.write_reg(regs::IP_IER, 1).map_err(|e| se("open", e))?;
        if let Some(path) = &opts.wave {
            sim.open_wave(path).map_err(|e| DeviceError::NoDevice {
                backend: BackendKind::Sim,
                message: format!("cannot write the waveform {}: {e}", path.display()),
            })?;
        }
        Ok(SimBackend {
            sim,
            bitstream: bitstream.clone(),
            alloc: RangeAllocator::default(),
            rtp: [EngineRtp::default(); ENGINES],
            watchdog,
            next_run: 0,
            in_flight: None,
            last_positions: Positions::default(),
            finished: false,
        })
    }

    fn regs(&mut self) -> SimRegs<'_> {
        SimRegs(&mut self.sim)
    }

    fn write_arg(&mut self, offset: u32, bytes: u32, value: u64) -> Result<()> {
        self.sim.write_reg(offset, value as u32).map_err(|e| se("write argument", e))?;
        if bytes == 8 {
            self.sim.write_reg(offset + 4, (value >> 32) as u32).map_err(|e| se("write argument", e))?;
        }
        Ok(())
    }

    /// Acknowledge the previous run's done (interrupt status and ap_done) before the next start.
    fn acknowledge(&mut self) -> Result<()> {
        let isr = self.sim.read_reg(regs::IP_ISR).map_err(|e| se("acknowledge", e))?;
        if isr & 1 != 0 {
            self.sim.write_reg(regs::IP_ISR, 1).map_err(|e| se("acknowledge", e))?;
        }
        self.sim.read_reg(regs::AP_CTRL).map_err(|e| se("acknowledge", e))?;
        Ok(())
    }

    fn engine_residue(&mut self) -> Option<String> {
        let left: Vec<String> = self
            .sim
            .engine_states()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.a_beats > 0 || s.b_beats > 0 || s.out_blocks > 0)
            .map(|(e, s)| format!("MME{e} holds {} A and {} B beats, {} products", s.a_beats, s.b_beats, s.out_blocks))
            .collect();
        (!left.is_empty()).then(|| left.join("; "))
    }

    /// FU states from the registers, the engines' from their model (see `SimRegs`).
    fn states(&mut self, positions: &[InstrPos]) -> Vec<FuState> {
        regmap::fu_states(&mut self.regs(), positions).unwrap_or_default()
    }
}

/// [`RegPort`] over the harness's AXI4-Lite master.
struct SimRegs<'a>(&'a mut Sim);

impl RegPort for SimRegs<'_> {
    fn read_reg(&mut self, offset: u32) -> Result<u32> {
        self.0.read_reg(offset).map_err(|e| se("read register", e))
    }

    fn backend(&self) -> BackendKind {
        BackendKind::Sim
    }

    /// The kernel only sees the engines' PLIO streams; their own state comes from the harness.
    fn overlay_states(&mut self, states: &mut Vec<FuState>) {
        for (e, s) in self.0.engine_states().iter().enumerate() {
            let state = FuState {
                fu: format!("MME{e}"),
                state: if s.left == 0 && s.a_beats == 0 && s.b_beats == 0 && s.out_blocks == 0 {
                    "idle".into()
                } else {
                    format!(
                        "{} blocks to go; holds {} A / {} B beats, {} products",
                        s.left, s.a_beats, s.b_beats, s.out_blocks
                    )
                },
                at: None,
                queued: 0,
            };
            match states.iter_mut().find(|x| x.fu == state.fu) {
                Some(x) => *x = state,
                None => states.push(state),
            }
        }
    }
}

impl Backend for SimBackend {
    fn describe(&self) -> String {
        format!(
            "sim backend (Verilator co-simulation of rtl/ rsn_xnn_top, engines run the aie/ kernels), bitstream {} [{}]",
            self.bitstream.desc.name,
            &self.bitstream.fingerprint[..12],
        )
    }

    fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation> {
        self.alloc.alloc(memory, bytes)
    }

    fn alloc_at(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation> {
        // The harness's memories start zeroed and every run's buffers are written before use, as
        // with `alloc`.
        self.alloc.alloc_at(memory, offset, bytes)
    }

    fn free(&mut self, id: u64) -> Result<()> {
        self.alloc.free(id).map(|_| ())
    }

    fn write(&mut self, id: u64, offset: u64, data: &[u8]) -> Result<()> {
        let a = self.alloc.get(id)?;
        if offset.checked_add(data.len() as u64).is_none_or(|e| e > a.len) {
            return Err(DeviceError::OutOfBounds { id, offset, len: data.len() as u64, size: a.len });
        }
        self.sim.write_mem(mem_of(a.memory), a.offset + offset, data).map_err(|e| se("write", e))
    }

    fn read(&mut self, id: u64, offset: u64, out: &mut [u8]) -> Result<()> {
        let a = self.alloc.get(id)?;
        if offset.checked_add(out.len() as u64).is_none_or(|e| e > a.len) {
            return Err(DeviceError::OutOfBounds { id, offset, len: out.len() as u64, size: a.len });
        }
        self.sim.read_mem(mem_of(a.memory), a.offset + offset, out).map_err(|e| se("read", e))
    }

    fn write_engine_params(&mut self, rtp: &[EngineRtp; ENGINES]) -> Result<()> {
        if self.in_flight.is_some() {
            return Err(DeviceError::Busy);
        }
        self.rtp = *rtp;
        Ok(())
    }

    fn start(&mut self, launch: Launch<'_>) -> Result<RawRun> {
        let (instr, words, bounds) = (launch.instr, launch.words, launch.bounds);
        if self.in_flight.is_some() {
            return Err(DeviceError::Busy);
        }
        let a = self.alloc.get(instr)?;
        if a.memory != Memory::Instr {
            return Err(DeviceError::Backend {
                backend: BackendKind::Sim,
                call: "start",
                message: format!("buffer {instr} is in {:?}, not in the instruction memory", a.memory),
            });
        }
        let positions = launch.positions(|| {
            let mut raw = vec![0u8; words as usize * 4];
            self.read(instr, 0, &mut raw)?;
            Ok(raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
        })?;
        self.acknowledge()?;
        let args = regs::kernel_args();
        for (arg, value) in args.iter().zip(arg_plan(a.offset, words, &bound_pairs(bounds), self.watchdog)) {
            let v = match value {
                ArgValue::Window(m) => Sim::base(mem_of(m)),
                ArgValue::U32(v) => v as u64,
                ArgValue::U64(v) => v,
            };
            self.write_arg(arg.offset, arg.kind.bytes(), v)?;
        }
        self.sim.set_engine_blocks(self.rtp.map(|r| r.blocks));
        self.sim.write_reg(regs::AP_CTRL, regs::AP_START).map_err(|e| se("start", e))?;
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
        let mut done = false;
        let mut failure = None;
        let mut slice = SLICE_MIN_CYCLES;
        while !done {
            let left = timeout.saturating_sub(t0.elapsed());
            if left.is_zero() {
                break;
            }
            let t = Instant::now();
            match self.sim.run(slice) {
                Ok(d) => done = d,
                Err(e) => {
                    failure = Some(se("run", e));
                    break;
                }
            }
            // Size the next call from this one's speed so that it ends near SLICE_TIME, or at
            // the deadline if that is sooner.
            let per_cycle = t.elapsed().as_secs_f64() / slice as f64;
            let target = left.saturating_sub(t.elapsed()).min(SLICE_TIME).as_secs_f64();
            slice = ((target / per_cycle.max(1e-9)) as u64).clamp(SLICE_MIN_CYCLES, SLICE_MAX_CYCLES);
        }
        let Some(flight) = self.in_flight.take() else { return Err(DeviceError::NotRunning) };
        self.last_positions = flight.positions;
        let positions = self.last_positions.clone();
        if let Some(e) = failure {
            return Err(e);
        }
        if !done {
            let states = self.states(&positions);
            // Stop the FUs so the device takes the next program.
            self.sim.write_reg(regs::ABORT, 1).map_err(|e| se("abort", e))?;
            let _ = self.sim.run(ABORT_CYCLES);
            return Err(DeviceError::Timeout { timeout, states });
        }
        if let Some(fault) = regmap::read_fault(&mut self.regs(), &positions)? {
            return Err(fault);
        }
        if let Some(what) = self.engine_residue() {
            return Err(DeviceError::Fault {
                code: FaultCode::StreamResidue,
                at: None,
                message: format!("the kernel finished but an engine still holds data: {what}"),
                states: self.states(&positions),
            });
        }
        // The engines run as many blocks as their runtime parameters say. One that still expects
        // blocks when the PL is done would wait for them forever (on the board the graph never
        // ends): the model calls that a deadlock, and so does this backend.
        let waiting: Vec<String> = self
            .sim
            .engine_states()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.left > 0)
            .map(|(e, s)| format!("MME{e} still expects {} blocks", s.left))
            .collect();
        if !waiting.is_empty() {
            return Err(DeviceError::Fault {
                code: FaultCode::Deadlock,
                at: None,
                message: format!(
                    "the kernel finished but an engine waits for operands that no route sends \
                     (its block count is larger than the program's): {}",
                    waiting.join("; ")
                ),
                states: self.states(&positions),
            });
        }
        let report = regmap::report(&mut SimRegs(&mut self.sim), &self.bitstream)?;
        self.finished = true;
        Ok(report)
    }

    fn status(&mut self) -> Result<DeviceStatus> {
        if self.in_flight.is_some() {
            return Ok(DeviceStatus::Busy);
        }
        let positions = self.last_positions.clone();
        regmap::status(&mut self.regs(), &positions)
    }

    fn counters(&mut self) -> Result<Vec<FuCounters>> {
        if !self.finished {
            return Err(DeviceError::NotRunning);
        }
        regmap::read_counters(&mut self.regs())
    }
}
