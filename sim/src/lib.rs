//! # rsn-sim: the RSN-XNN Verilator co-simulation
//!
//! [`Sim`] owns one verilated `rsn_xnn_top` (every FU of rtl/), AXI4 memory models for DDR, LPDDR
//! and the instruction memory with the bandwidth and latency a [`Config`] gives, and the six
//! engines, which run the real AI Engine kernels (aie/) on whole blocks. The cycle loop is C++
//! (csrc/harness.cpp); this crate crosses the FFI once per register access or batch of cycles.
//!
//! This crate knows nothing of the ISA or the Device API: `rsn`'s `sim` backend drives it through
//! the register map (bitstreams/vck190/regs.md), exactly as the XRT backend drives the board.

use std::ffi::{c_char, c_int, c_void};

/// A memory window of the simulated device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mem {
    Ddr = 0,
    Lpddr = 1,
    Instr = 2,
}

/// Memory sizes and timing. Rates are bytes per PL cycle; latencies are PL cycles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Size of the DDR, LPDDR and instruction windows, in bytes.
    pub mem_bytes: [u64; 3],
    pub ddr_rd_bytes_per_cycle: f64,
    pub ddr_wr_bytes_per_cycle: f64,
    pub lpddr_bytes_per_cycle: f64,
    pub ddr_latency: u32,
    pub lpddr_latency: u32,
    pub instr_latency: u32,
    /// PL cycles an engine computes one 128x128x128 block.
    pub engine_block_cycles: u32,
    /// PL cycles from the end of a block's compute to its first product beat.
    pub engine_latency: u32,
    /// PL cycles to stream one product block out of an engine (at least 512 beats).
    pub engine_out_cycles: u32,
}

/// What an engine holds at the moment (for state reports).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineState {
    /// Blocks still to compute in this run.
    pub left: u32,
    /// A and B beats buffered (512 per block).
    pub a_beats: u32,
    pub b_beats: u32,
    /// Products waiting to leave.
    pub out_blocks: u32,
}

/// Errors of the co-simulation itself (the device's faults are in its registers, not here).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SimError {
    #[error("co-simulation: could not create the simulated device ({0})")]
    Create(String),
    #[error("co-simulation: {mem:?} access {offset:#x}+{len:#x} is outside the {size:#x}-byte window")]
    Range { mem: Mem, offset: u64, len: u64, size: u64 },
    #[error("co-simulation: an engine kernel failed: {0}")]
    Engine(String),
    #[error("co-simulation: AXI protocol error: {0}")]
    Axi(String),
    #[error("co-simulation: error {code}: {message}")]
    Other { code: i32, message: String },
}

#[repr(C)]
struct RawConfig {
    mem_bytes: [u64; 3],
    ddr_rd_bytes_per_cycle: f64,
    ddr_wr_bytes_per_cycle: f64,
    lpddr_bytes_per_cycle: f64,
    ddr_latency: u32,
    lpddr_latency: u32,
    instr_latency: u32,
    engine_block_cycles: u32,
    engine_latency: u32,
    engine_out_cycles: u32,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct RawEngineState {
    left: u32,
    a_beats: u32,
    b_beats: u32,
    out_blocks: u32,
}

extern "C" {
    fn rsn_sim_new(cfg: *const RawConfig) -> *mut c_void;
    fn rsn_sim_free(sim: *mut c_void);
    fn rsn_sim_base(mem: c_int) -> u64;
    fn rsn_sim_mem_write(sim: *mut c_void, mem: c_int, offset: u64, data: *const u8, len: u64) -> c_int;
    fn rsn_sim_mem_read(sim: *mut c_void, mem: c_int, offset: u64, out: *mut u8, len: u64) -> c_int;
    fn rsn_sim_reg_write(sim: *mut c_void, offset: u32, value: u32) -> c_int;
    fn rsn_sim_reg_read(sim: *mut c_void, offset: u32, value: *mut u32) -> c_int;
    fn rsn_sim_set_engine_blocks(sim: *mut c_void, blocks: *const u32);
    fn rsn_sim_engine_states(sim: *mut c_void, out: *mut RawEngineState);
    fn rsn_sim_run(sim: *mut c_void, max_cycles: u64, done: *mut c_int) -> c_int;
    fn rsn_sim_cycles(sim: *mut c_void) -> u64;
    fn rsn_sim_last_error(sim: *mut c_void, buf: *mut c_char, len: usize) -> usize;
    fn rsn_sim_wave_open(sim: *mut c_void, path: *const c_char) -> c_int;
    fn rsn_sim_wave_close(sim: *mut c_void);
}

/// Whether this build can write FST waveforms (the crate's `wave` feature, which build.rs turns
/// into `--trace-fst`). Without it the verilated model has no tracing code at all, so simulations
/// pay nothing for the option.
pub const WAVE: bool = cfg!(feature = "wave");

const ERR_ARG: c_int = -1;
const ERR_ENGINE: c_int = -2;
const ERR_AXI: c_int = -3;

/// Environment variable naming a file that every [`Sim`] of the process appends its calls to: the
/// profile-guided build (build.rs) replays such traces through the C API to train the compiler, so
/// the training programs are exactly what the `sim` backend sends. Data a host writes to DDR and
/// LPDDR is not kept (the replay makes seeded operands of the same size), instruction memory is.
pub const RECORD_ENV: &str = "RSN_SIM_RECORD";

/// Appends one line per call in the format sim/csrc/train.cpp reads (sim/train/README.md).
struct Recorder {
    out: std::io::BufWriter<std::fs::File>,
    /// The backend polls in slices; consecutive run calls are one "run until done" for the replay,
    /// so a trace does not change with the RTL's cycle count.
    running: bool,
}

impl Recorder {
    fn open(cfg: &Config) -> Option<Recorder> {
        let path = std::env::var_os(RECORD_ENV)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{RECORD_ENV}={}: {e}", std::path::Path::new(&path).display()));
        let mut r = Recorder { out: std::io::BufWriter::new(file), running: false };
        let c = cfg;
        r.line(format_args!(
            "new {} {} {} {:?} {:?} {:?} {} {} {} {} {} {}",
            c.mem_bytes[0],
            c.mem_bytes[1],
            c.mem_bytes[2],
            c.ddr_rd_bytes_per_cycle,
            c.ddr_wr_bytes_per_cycle,
            c.lpddr_bytes_per_cycle,
            c.ddr_latency,
            c.lpddr_latency,
            c.instr_latency,
            c.engine_block_cycles,
            c.engine_latency,
            c.engine_out_cycles.max(512)
        ));
        Some(r)
    }

    fn line(&mut self, args: std::fmt::Arguments<'_>) {
        use std::io::Write;
        self.running = false;
        // A trace is a development aid: a failed write shows up as a replay that does not match.
        let _ = writeln!(self.out, "{args}");
    }

    fn write_mem(&mut self, mem: Mem, offset: u64, data: &[u8]) {
        let m = mem as u8;
        if mem == Mem::Instr {
            let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
            self.line(format_args!("data {m} {offset} {hex}"));
        } else if data.iter().all(|b| *b == 0) {
            self.line(format_args!("zero {m} {offset} {}", data.len()));
        } else {
            self.line(format_args!("fill {m} {offset} {}", data.len()));
        }
    }

    fn run(&mut self) {
        if !self.running {
            self.line(format_args!("run"));
            self.running = true;
        }
    }
}

/// One simulated device. Not shareable between threads at once (`&mut self` everywhere) but
/// movable between them.
pub struct Sim {
    raw: *mut c_void,
    cfg: Config,
    rec: Option<Recorder>,
}

// SAFETY: the harness keeps no thread-local state and is only ever used through `&mut self`.
unsafe impl Send for Sim {}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim").field("config", &self.cfg).finish()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // SAFETY: `raw` came from rsn_sim_new and is freed once.
        unsafe { rsn_sim_free(self.raw) }
    }
}

impl Sim {
    /// Build and reset a device.
    pub fn new(cfg: Config) -> Result<Sim, SimError> {
        let positive = [cfg.ddr_rd_bytes_per_cycle, cfg.ddr_wr_bytes_per_cycle, cfg.lpddr_bytes_per_cycle];
        if positive.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(SimError::Create(format!("memory bandwidths must be positive: {positive:?}")));
        }
        let raw_cfg = RawConfig {
            mem_bytes: cfg.mem_bytes,
            ddr_rd_bytes_per_cycle: cfg.ddr_rd_bytes_per_cycle,
            ddr_wr_bytes_per_cycle: cfg.ddr_wr_bytes_per_cycle,
            lpddr_bytes_per_cycle: cfg.lpddr_bytes_per_cycle,
            ddr_latency: cfg.ddr_latency,
            lpddr_latency: cfg.lpddr_latency,
            instr_latency: cfg.instr_latency,
            engine_block_cycles: cfg.engine_block_cycles,
            engine_latency: cfg.engine_latency,
            engine_out_cycles: cfg.engine_out_cycles.max(512),
        };
        // SAFETY: the config outlives the call; a null return is handled.
        let raw = unsafe { rsn_sim_new(&raw_cfg) };
        if raw.is_null() {
            return Err(SimError::Create(format!("out of host memory for windows of {:?} bytes", cfg.mem_bytes)));
        }
        Ok(Sim { raw, cfg, rec: Recorder::open(&cfg) })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Bus address of a window's first byte (what the kernel's base-address registers receive).
    pub fn base(mem: Mem) -> u64 {
        // SAFETY: pure function.
        unsafe { rsn_sim_base(mem as c_int) }
    }

    fn check(&self, rc: c_int) -> Result<(), SimError> {
        if rc == 0 {
            return Ok(());
        }
        let mut buf = vec![0u8; 512];
        // SAFETY: buf is writable for its length.
        let n = unsafe { rsn_sim_last_error(self.raw, buf.as_mut_ptr().cast(), buf.len()) };
        buf.truncate(n.min(511));
        let message = String::from_utf8_lossy(&buf).into_owned();
        Err(match rc {
            ERR_ENGINE => SimError::Engine(message),
            ERR_AXI => SimError::Axi(message),
            code => SimError::Other { code, message },
        })
    }

    fn range(&self, mem: Mem, offset: u64, len: u64) -> Result<(), SimError> {
        let size = self.cfg.mem_bytes[mem as usize];
        if offset.checked_add(len).is_none_or(|e| e > size) {
            return Err(SimError::Range { mem, offset, len, size });
        }
        Ok(())
    }

    pub fn write_mem(&mut self, mem: Mem, offset: u64, data: &[u8]) -> Result<(), SimError> {
        self.range(mem, offset, data.len() as u64)?;
        if let Some(r) = &mut self.rec {
            r.write_mem(mem, offset, data);
        }
        // SAFETY: range checked; data is readable for its length.
        let rc = unsafe { rsn_sim_mem_write(self.raw, mem as c_int, offset, data.as_ptr(), data.len() as u64) };
        if rc == ERR_ARG {
            return Err(SimError::Range {
                mem,
                offset,
                len: data.len() as u64,
                size: self.cfg.mem_bytes[mem as usize],
            });
        }
        self.check(rc)
    }

    pub fn read_mem(&mut self, mem: Mem, offset: u64, out: &mut [u8]) -> Result<(), SimError> {
        self.range(mem, offset, out.len() as u64)?;
        // SAFETY: range checked; out is writable for its length.
        let rc = unsafe { rsn_sim_mem_read(self.raw, mem as c_int, offset, out.as_mut_ptr(), out.len() as u64) };
        if rc == ERR_ARG {
            return Err(SimError::Range { mem, offset, len: out.len() as u64, size: self.cfg.mem_bytes[mem as usize] });
        }
        self.check(rc)
    }

    /// AXI4-Lite write to the control slave.
    pub fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), SimError> {
        if let Some(r) = &mut self.rec {
            r.line(format_args!("wr {offset} {value}"));
        }
        // SAFETY: plain call on a live handle.
        let rc = unsafe { rsn_sim_reg_write(self.raw, offset, value) };
        self.check(rc)
    }

    /// AXI4-Lite read from the control slave.
    pub fn read_reg(&mut self, offset: u32) -> Result<u32, SimError> {
        if let Some(r) = &mut self.rec {
            // Reads take simulated cycles and clear the done flags: part of the replay.
            r.line(format_args!("rd {offset}"));
        }
        let mut v = 0u32;
        // SAFETY: v is writable.
        let rc = unsafe { rsn_sim_reg_read(self.raw, offset, &mut v) };
        self.check(rc)?;
        Ok(v)
    }

    /// 64-bit register pair, low word first.
    pub fn read_reg64(&mut self, offset: u32) -> Result<u64, SimError> {
        let lo = self.read_reg(offset)? as u64;
        let hi = self.read_reg(offset + 4)? as u64;
        Ok(lo | hi << 32)
    }

    /// Engine runtime parameters for the next run: blocks each engine computes.
    pub fn set_engine_blocks(&mut self, blocks: [u32; 6]) {
        if let Some(r) = &mut self.rec {
            let [a, b, c, d, e, f] = blocks;
            r.line(format_args!("blocks {a} {b} {c} {d} {e} {f}"));
        }
        // SAFETY: six readable u32.
        unsafe { rsn_sim_set_engine_blocks(self.raw, blocks.as_ptr()) }
    }

    pub fn engine_states(&mut self) -> [EngineState; 6] {
        let mut raw = [RawEngineState::default(); 6];
        // SAFETY: six writable entries.
        unsafe { rsn_sim_engine_states(self.raw, raw.as_mut_ptr()) };
        raw.map(|r| EngineState { left: r.left, a_beats: r.a_beats, b_beats: r.b_beats, out_blocks: r.out_blocks })
    }

    /// Run at most `max_cycles` PL cycles; `Ok(true)` once the kernel raised its interrupt.
    pub fn run(&mut self, max_cycles: u64) -> Result<bool, SimError> {
        if let Some(r) = &mut self.rec {
            r.run();
        }
        let mut done: c_int = 0;
        // SAFETY: done is writable.
        let rc = unsafe { rsn_sim_run(self.raw, max_cycles, &mut done) };
        self.check(rc)?;
        Ok(done != 0)
    }

    /// PL cycles simulated since the device was created.
    pub fn cycles(&mut self) -> u64 {
        // SAFETY: plain call on a live handle.
        unsafe { rsn_sim_cycles(self.raw) }
    }

    /// Record every signal of the kernel into the FST file `path` from now on (two time units per
    /// PL cycle), until [`Sim::close_wave`] or the end of the simulation. Fails when the build has
    /// no waveform support ([`WAVE`]) or the file cannot be created.
    pub fn open_wave(&mut self, path: &std::path::Path) -> Result<(), SimError> {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|_| SimError::Create(format!("waveform path {} contains a NUL byte", path.display())))?;
        // SAFETY: c is a valid NUL-terminated string for the duration of the call.
        let rc = unsafe { rsn_sim_wave_open(self.raw, c.as_ptr()) };
        self.check(rc)
    }

    /// Finish and close the waveform file, if one is open.
    pub fn close_wave(&mut self) {
        // SAFETY: plain call on a live handle.
        unsafe { rsn_sim_wave_close(self.raw) }
    }
}
