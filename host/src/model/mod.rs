//! The `model` backend: a pure-Rust functional and cycle-approximate model of the whole RSN-XNN
//! instance. It executes the same instruction words a device would, from its own instruction
//! memory, with the numerics contract, and reports PL cycles and per-FU counters.

mod cbank;
mod decoder;
mod dram;
mod fifo;
pub mod mem_ab;
pub mod memc;
mod memory;
mod mesh;
mod mme;
mod sched;
mod timing;
mod unit;

pub use decoder::targets as decoder_targets;

use memory::DramMemory;

use crate::bitstream::Bitstream;
use crate::hal::{
    Allocation, Backend, BackendKind, DeviceError, DeviceStatus, FaultCode, FuCounters, Launch, Memory, RawRun, Result,
    RunReport,
};
use crate::isa::{EngineRtp, ENGINES};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Refuse a host access to `len` bytes at `offset` of buffer `id` unless the buffer holds them.
fn host_range(m: &DramMemory, id: u64, offset: u64, len: usize) -> Result<()> {
    let a = m.alloc.get(id)?;
    if offset.checked_add(len as u64).is_none_or(|end| end > a.len) {
        return Err(DeviceError::OutOfBounds { id, offset, len: len as u64, size: a.len });
    }
    Ok(())
}

struct InFlight {
    id: u64,
    cancel: Arc<AtomicBool>,
    rx: Receiver<Result<RunReport>>,
    handle: Option<JoinHandle<()>>,
}

/// The model backend.
pub struct ModelBackend {
    bitstream: Arc<Bitstream>,
    mem: Arc<Mutex<DramMemory>>,
    rtp: [EngineRtp; ENGINES],
    running: Option<InFlight>,
    next_run: u64,
    last: Option<RunReport>,
    status: DeviceStatus,
}

impl ModelBackend {
    pub fn new(bitstream: Bitstream) -> ModelBackend {
        ModelBackend {
            bitstream: Arc::new(bitstream),
            mem: Arc::new(Mutex::new(DramMemory::default())),
            rtp: [EngineRtp::default(); ENGINES],
            running: None,
            next_run: 0,
            last: None,
            status: DeviceStatus::Idle,
        }
    }

    fn mem(&self) -> Result<std::sync::MutexGuard<'_, DramMemory>> {
        // The run thread holds the memory for the whole run: host syncs during a run are refused.
        match self.mem.try_lock() {
            Ok(g) => Ok(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => Err(DeviceError::Busy),
        }
    }

    /// Give a new allocation its zeroed pages (or release it again when they cannot exist).
    fn back(m: &mut DramMemory, a: Allocation) -> Result<Allocation> {
        let Ok(len) = usize::try_from(a.len) else {
            let _ = m.alloc.free(a.id);
            return Err(DeviceError::OutOfMemory { memory: a.memory, requested: a.len, largest_free: 0 });
        };
        m.insert_zeroed(a.id, len);
        Ok(a)
    }
}

impl Backend for ModelBackend {
    fn describe(&self) -> String {
        format!(
            "model backend (functional + cycle-approximate), bitstream {} [{}]",
            self.bitstream.desc.name,
            &self.bitstream.fingerprint[..12]
        )
    }

    fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation> {
        let mut m = self.mem()?;
        let a = m.alloc.alloc(memory, bytes)?;
        Self::back(&mut m, a)
    }

    fn alloc_at(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation> {
        let mut m = self.mem()?;
        let a = m.alloc.alloc_at(memory, offset, bytes)?;
        Self::back(&mut m, a)
    }

    fn free(&mut self, id: u64) -> Result<()> {
        let mut m = self.mem()?;
        m.alloc.free(id)?;
        m.remove(id);
        Ok(())
    }

    fn write(&mut self, id: u64, offset: u64, data: &[u8]) -> Result<()> {
        let mut m = self.mem()?;
        host_range(&m, id, offset, data.len())?;
        if !m.host_write(id, offset as usize, data) {
            return Err(DeviceError::UnknownBuffer { id });
        }
        Ok(())
    }

    fn read(&mut self, id: u64, offset: u64, out: &mut [u8]) -> Result<()> {
        let m = self.mem()?;
        host_range(&m, id, offset, out.len())?;
        if !m.host_read(id, offset as usize, out) {
            return Err(DeviceError::UnknownBuffer { id });
        }
        Ok(())
    }

    fn write_engine_params(&mut self, rtp: &[EngineRtp; ENGINES]) -> Result<()> {
        if self.running.is_some() {
            return Err(DeviceError::Busy);
        }
        self.rtp = *rtp;
        Ok(())
    }

    fn start(&mut self, launch: Launch<'_>) -> Result<RawRun> {
        if self.running.is_some() {
            return Err(DeviceError::Busy);
        }
        // The host's validated decode, or the instruction buffer decoded as the decoder would.
        let program = match launch.validated {
            Some(p) => sched::Program::Validated(p),
            None => {
                let mut raw = vec![0u8; launch.words as usize * 4];
                self.read(launch.instr, 0, &mut raw)?;
                sched::Program::Words(
                    raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
                )
            }
        };
        let bounds: Vec<Allocation> = launch.bounds.iter().filter(|a| a.memory != Memory::Instr).copied().collect();
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let (mem, bs, rtp, c2) = (self.mem.clone(), self.bitstream.clone(), self.rtp, cancel.clone());
        let handle = std::thread::Builder::new()
            .name("rsn-model".into())
            .spawn(move || {
                let mut guard = mem.lock().unwrap_or_else(|e| e.into_inner());
                let result = sched::Scheduler::new(&bs, &mut guard, &bounds, program, &rtp).and_then(|e| e.run(&c2));
                drop(guard);
                let _ = tx.send(result);
            })
            .map_err(|e| DeviceError::Backend { backend: BackendKind::Model, call: "spawn", message: e.to_string() })?;
        self.next_run += 1;
        self.status = DeviceStatus::Busy;
        self.running = Some(InFlight { id: self.next_run, cancel, rx, handle: Some(handle) });
        Ok(RawRun { id: self.next_run })
    }

    fn wait(&mut self, run: RawRun, timeout: Duration) -> Result<RunReport> {
        let Some(fl) = self.running.as_mut() else { return Err(DeviceError::NotRunning) };
        if fl.id != run.id {
            return Err(DeviceError::NotRunning);
        }
        let result = match fl.rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => {
                // Stop the model and collect who was waiting on what.
                fl.cancel.store(true, Ordering::Relaxed);
                match fl.rx.recv_timeout(Duration::from_secs(10)) {
                    Ok(Err(DeviceError::Timeout { states, .. })) => Err(DeviceError::Timeout { timeout, states }),
                    Ok(Ok(report)) => Ok(report),
                    Ok(Err(e)) => Err(e),
                    Err(_) => Err(DeviceError::Timeout { timeout, states: Vec::new() }),
                }
            }
            Err(RecvTimeoutError::Disconnected) => Err(DeviceError::Backend {
                backend: BackendKind::Model,
                call: "wait",
                message: "the model thread ended without a result (it panicked)".into(),
            }),
        };
        if let Some(mut fl) = self.running.take() {
            if let Some(h) = fl.handle.take() {
                let _ = h.join();
            }
        }
        match &result {
            Ok(r) => {
                self.last = Some(r.clone());
                self.status = DeviceStatus::Done;
            }
            Err(DeviceError::Fault { code, at, .. }) => self.status = DeviceStatus::Error { code: *code, at: *at },
            Err(DeviceError::Timeout { .. }) => {
                self.status = DeviceStatus::Error { code: FaultCode::Aborted, at: None }
            }
            Err(_) => {}
        }
        result
    }

    fn status(&mut self) -> Result<DeviceStatus> {
        Ok(self.status.clone())
    }

    fn counters(&mut self) -> Result<Vec<FuCounters>> {
        self.last.as_ref().map(|r| r.counters.clone()).ok_or(DeviceError::NotRunning)
    }
}
