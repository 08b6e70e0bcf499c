//! The three memory windows of the device (DDR, LPDDR, instructions), each one XRT buffer object
//! ("arena") from which the Device's buffers are carved.
//!
//! The kernel receives each arena's device address as a window base; the Device's offsets are
//! byte offsets inside the arena, which is exactly how the model and the simulator interpret them.
//! One buffer object per memory (instead of one per Device buffer) keeps every buffer inside the
//! window the DRAM units address, whatever addresses XRT hands out.

use super::ffi::{self, SyncDir, XrtError};
use crate::hal::{Allocation, BackendKind, DeviceError, Memory, Result};

const ALIGN: u64 = 4096;

fn be(e: XrtError) -> DeviceError {
    DeviceError::Backend { backend: BackendKind::Xrt, call: e.call, message: e.message }
}

/// One memory's buffer object and the buffers carved out of it.
pub struct Arena {
    memory: Memory,
    group: u32,
    bo: ffi::Bo,
    live: Vec<Allocation>,
}

impl Arena {
    pub fn memory(&self) -> Memory {
        self.memory
    }

    /// XRT memory group the arena was allocated in.
    pub fn group(&self) -> u32 {
        self.group
    }

    pub fn bo(&self) -> &ffi::Bo {
        &self.bo
    }

    pub fn capacity(&self) -> u64 {
        self.bo.len() as u64
    }

    /// First fit, 4 KiB aligned; offset 0 stays unused so a zero address is never a buffer.
    /// `Err` carries the largest free range.
    fn place(&self, bytes: u64) -> std::result::Result<u64, u64> {
        let size = bytes.div_ceil(ALIGN).max(1) * ALIGN;
        let mut taken: Vec<(u64, u64)> =
            self.live.iter().map(|a| (a.offset, a.offset + a.len.div_ceil(ALIGN) * ALIGN)).collect();
        taken.sort_unstable();
        let cap = self.capacity();
        let (mut cursor, mut largest) = (ALIGN, 0);
        for (s, e) in taken.into_iter().chain(std::iter::once((cap, cap))) {
            if s >= cursor {
                if s - cursor >= size {
                    return Ok(cursor);
                }
                largest = largest.max(s - cursor);
            }
            cursor = cursor.max(e);
        }
        Err(largest)
    }
}

/// The DDR, LPDDR and instruction windows.
pub struct Windows {
    arenas: [Arena; 3],
    next_id: u64,
}

fn slot(memory: Memory) -> usize {
    match memory {
        Memory::Ddr => 0,
        Memory::Lpddr => 1,
        Memory::Instr => 2,
    }
}

impl Windows {
    /// Allocate the three arenas: `(memory group, bytes)` for DDR, LPDDR and instructions, in that
    /// order. Their contents are undefined until a buffer is allocated over them ([`Windows::alloc`]
    /// zeroes it).
    pub fn new(device: &ffi::Device, spec: [(u32, u64); 3]) -> Result<Windows> {
        let mut arenas = Vec::with_capacity(3);
        for ((group, bytes), memory) in spec.into_iter().zip([Memory::Ddr, Memory::Lpddr, Memory::Instr]) {
            if bytes > memory.window_bytes() {
                return Err(DeviceError::Backend {
                    backend: BackendKind::Xrt,
                    call: "xrtBOAlloc",
                    message: format!(
                        "a {bytes}-byte {memory:?} arena exceeds the {}-byte window the device addresses",
                        memory.window_bytes()
                    ),
                });
            }
            let len = usize::try_from(bytes).map_err(|_| DeviceError::OutOfMemory {
                memory,
                requested: bytes,
                largest_free: 0,
            })?;
            let bo = ffi::Bo::alloc_with_flags(device, len, group, ffi::BoFlags::Cacheable).map_err(|e| {
                DeviceError::Backend {
                    backend: BackendKind::Xrt,
                    call: e.call,
                    message: format!(
                        "{} ({} MiB {memory:?} arena in memory group {group}; a smaller RSN_XRT_*_MIB may fit)",
                        e.message,
                        bytes >> 20
                    ),
                }
            })?;
            arenas.push(Arena { memory, group, bo, live: Vec::new() });
        }
        let arenas: [Arena; 3] = arenas.try_into().map_err(|_| DeviceError::Backend {
            backend: BackendKind::Xrt,
            call: "xrtBOAlloc",
            message: "three arenas expected".into(),
        })?;
        Ok(Windows { arenas, next_id: 0 })
    }

    pub fn arena(&self, memory: Memory) -> &Arena {
        &self.arenas[slot(memory)]
    }

    pub fn arenas(&self) -> &[Arena; 3] {
        &self.arenas
    }

    /// Reserve `bytes` in `memory`, zeroed on both sides.
    pub fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation> {
        let arena = &self.arenas[slot(memory)];
        let offset = arena.place(bytes).map_err(|largest_free| DeviceError::OutOfMemory {
            memory,
            requested: bytes,
            largest_free,
        })?;
        self.claim(memory, offset, bytes)
    }

    /// Reserve exactly `bytes` at `offset` of `memory`, zeroed on both sides.
    pub fn alloc_at(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation> {
        let arena = &self.arenas[slot(memory)];
        let taken: Vec<(u64, u64)> =
            arena.live.iter().map(|a| (a.offset, a.offset + a.len.div_ceil(ALIGN) * ALIGN)).collect();
        crate::hal::check_fixed(memory, offset, bytes, arena.capacity(), &taken)?;
        self.claim(memory, offset, bytes)
    }

    /// Zero a free range both sides and record it as live.
    fn claim(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation> {
        let arena = &mut self.arenas[slot(memory)];
        let (start, len) = (offset as usize, bytes as usize);
        arena.bo.as_mut_slice()[start..start + len].fill(0);
        arena.bo.sync(SyncDir::ToDevice, start, len).map_err(be)?;
        self.next_id += 1;
        let a = Allocation { id: self.next_id, memory, offset, len: bytes };
        arena.live.push(a);
        Ok(a)
    }

    /// The live allocation `id`.
    pub fn get(&self, id: u64) -> Result<Allocation> {
        self.arenas
            .iter()
            .find_map(|ar| ar.live.iter().find(|a| a.id == id).copied())
            .ok_or(DeviceError::UnknownBuffer { id })
    }

    pub fn free(&mut self, id: u64) -> Result<()> {
        let a = self.get(id)?;
        self.arenas[slot(a.memory)].live.retain(|x| x.id != id);
        Ok(())
    }

    fn checked(&self, id: u64, offset: u64, len: usize) -> Result<Allocation> {
        let a = self.get(id)?;
        match offset.checked_add(len as u64) {
            Some(end) if end <= a.len => Ok(a),
            _ => Err(DeviceError::OutOfBounds { id, offset, len: len as u64, size: a.len }),
        }
    }

    /// Copy `data` into buffer `id` at `offset` and sync that range to the device.
    pub fn write(&mut self, id: u64, offset: u64, data: &[u8]) -> Result<()> {
        let a = self.checked(id, offset, data.len())?;
        self.arenas[slot(a.memory)].bo.write((a.offset + offset) as usize, data).map_err(be)
    }

    /// Sync `out.len()` bytes of buffer `id` at `offset` from the device and copy them out.
    pub fn read(&self, id: u64, offset: u64, out: &mut [u8]) -> Result<()> {
        let a = self.checked(id, offset, out.len())?;
        self.arenas[slot(a.memory)].bo.read((a.offset + offset) as usize, out).map_err(be)
    }

    /// The host copy of `len` bytes of buffer `id` (what was last written or read).
    pub fn host_view(&self, id: u64, len: usize) -> Result<&[u8]> {
        let a = self.checked(id, 0, len)?;
        Ok(&self.arenas[slot(a.memory)].bo.as_slice()[a.offset as usize..a.offset as usize + len])
    }
}
