//! A first-fit range allocator for backends that own their address space (model, sim).

use super::{Allocation, DeviceError, Memory, Result};

/// Hands out 4 KiB-aligned ranges of each memory window.
#[derive(Debug, Default)]
pub struct RangeAllocator {
    live: Vec<Allocation>,
    next_id: u64,
}

const ALIGN: u64 = 4096;

impl RangeAllocator {
    pub fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation> {
        let size = bytes.div_ceil(ALIGN).max(1) * ALIGN;
        let mut taken: Vec<(u64, u64)> = self
            .live
            .iter()
            .filter(|a| a.memory == memory)
            .map(|a| (a.offset, a.offset + a.len.div_ceil(ALIGN) * ALIGN))
            .collect();
        taken.sort_unstable();
        // Offset 0 stays unused so that a zero address in a program is never a valid buffer.
        let mut cursor = ALIGN;
        let mut largest = 0;
        for (s, e) in taken.iter().copied().chain(std::iter::once((memory.window_bytes(), memory.window_bytes()))) {
            if s >= cursor {
                let gap = s - cursor;
                if gap >= size {
                    self.next_id += 1;
                    let a = Allocation { id: self.next_id, memory, offset: cursor, len: bytes };
                    self.live.push(a);
                    return Ok(a);
                }
                largest = largest.max(gap);
            }
            cursor = cursor.max(e);
        }
        Err(DeviceError::OutOfMemory { memory, requested: bytes, largest_free: largest })
    }

    pub fn free(&mut self, id: u64) -> Result<Allocation> {
        let i = self.live.iter().position(|a| a.id == id).ok_or(DeviceError::UnknownBuffer { id })?;
        Ok(self.live.swap_remove(i))
    }

    pub fn get(&self, id: u64) -> Result<Allocation> {
        self.live.iter().find(|a| a.id == id).copied().ok_or(DeviceError::UnknownBuffer { id })
    }

    /// The allocation that wholly contains `[offset, offset+len)` of `memory`, if any.
    pub fn containing(&self, memory: Memory, offset: u64, len: u64) -> Option<Allocation> {
        self.live.iter().find(|a| a.memory == memory && a.offset <= offset && offset + len <= a.offset + a.len).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_reuses_and_reports_exhaustion() {
        let mut r = RangeAllocator::default();
        let a = r.alloc(Memory::Ddr, 100).unwrap();
        let b = r.alloc(Memory::Ddr, 5000).unwrap();
        assert_eq!(a.offset, 4096);
        assert_eq!(b.offset, 8192);
        r.free(a.id).unwrap();
        let c = r.alloc(Memory::Ddr, 4096).unwrap();
        assert_eq!(c.offset, 4096);
        assert!(r.containing(Memory::Ddr, 8192, 5000).is_some());
        assert!(r.containing(Memory::Ddr, 8192, 5001).is_none());
        assert!(r.containing(Memory::Lpddr, 8192, 1).is_none());
        let e = r.alloc(Memory::Instr, Memory::Instr.window_bytes()).unwrap_err();
        assert!(matches!(e, DeviceError::OutOfMemory { .. }));
        assert!(matches!(r.free(999), Err(DeviceError::UnknownBuffer { id: 999 })));
    }
}
