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

    /// Reserve exactly `[offset, offset + bytes)` of `memory` (a program file's recorded placement).
    pub fn alloc_at(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation> {
        let taken: Vec<(u64, u64)> = self
            .live
            .iter()
            .filter(|a| a.memory == memory)
            .map(|a| (a.offset, a.offset + a.len.div_ceil(ALIGN) * ALIGN))
            .collect();
        check_fixed(memory, offset, bytes, memory.window_bytes(), &taken)?;
        self.next_id += 1;
        let a = Allocation { id: self.next_id, memory, offset, len: bytes };
        self.live.push(a);
        Ok(a)
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

/// Whether `[offset, offset + bytes)` can be reserved in a window of `capacity` bytes whose live
/// ranges are `taken` (each rounded up to the alignment): 4 KiB aligned, never at offset 0 (a zero
/// address is never a buffer), inside the window, overlapping nothing.
pub fn check_fixed(memory: Memory, offset: u64, bytes: u64, capacity: u64, taken: &[(u64, u64)]) -> Result<()> {
    let refuse = |reason: String| Err(DeviceError::PlacementUnavailable { memory, offset, bytes, reason });
    if offset == 0 || !offset.is_multiple_of(ALIGN) {
        return refuse(format!("the offset must be a non-zero multiple of {ALIGN}"));
    }
    let end = match bytes.div_ceil(ALIGN).max(1).checked_mul(ALIGN).and_then(|s| s.checked_add(offset)) {
        Some(e) if e <= capacity => e,
        _ => return refuse(format!("the range does not fit the {capacity}-byte window")),
    };
    if let Some((s, e)) = taken.iter().find(|(s, e)| *s < end && offset < *e) {
        return refuse(format!("it overlaps the live buffer at {s:#x}..{e:#x}"));
    }
    Ok(())
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

    #[test]
    fn fixed_placement_is_exact_and_refuses_overlap() {
        let mut r = RangeAllocator::default();
        let a = r.alloc_at(Memory::Ddr, 3 * 4096, 5000).unwrap();
        assert_eq!((a.offset, a.len), (3 * 4096, 5000));
        // First fit goes around it.
        assert_eq!(r.alloc(Memory::Ddr, 8192).unwrap().offset, 4096);
        assert_eq!(r.alloc(Memory::Ddr, 1).unwrap().offset, 5 * 4096);
        for (off, len) in [(4 * 4096, 1), (0, 1), (100, 1), (Memory::Ddr.window_bytes(), 1), (4096, u64::MAX)] {
            let e = r.alloc_at(Memory::Ddr, off, len).unwrap_err();
            assert!(matches!(e, DeviceError::PlacementUnavailable { .. }), "{off} {len}: {e}");
        }
        assert!(r.alloc_at(Memory::Lpddr, 3 * 4096, 5000).is_ok(), "other memories are apart");
    }
}
