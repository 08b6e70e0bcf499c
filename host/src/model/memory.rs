//! Device memory of the model backend.
//!
//! Each allocation is kept as 16 KiB pages of floats behind reference counts, so a DRAM read
//! hands its stream the pages themselves instead of a copy; a later write to a page that a stream
//! still holds copies that page first (the stream keeps what was read, as the hardware would).

use super::fifo::Chunk;
use crate::hal::{Allocation, Memory, RangeAllocator};
use std::collections::HashMap;
use std::sync::Arc;

/// Floats per page.
pub const PAGE: usize = 4096;

/// One allocation. Floats hold the little-endian device bytes: byte `4i + j` of the buffer is byte
/// `j` of `f32::to_le_bytes` of float `i`.
struct Paged {
    pages: Vec<Chunk>,
}

impl Paged {
    fn zeroed(bytes: usize) -> Paged {
        let floats = bytes.div_ceil(4);
        let pages = (0..floats.div_ceil(PAGE)).map(|p| Arc::new(vec![0.0f32; (floats - p * PAGE).min(PAGE)])).collect();
        Paged { pages }
    }

    /// Floats `[first, first + n)` as runs within pages: (page, offset in page, run length).
    fn runs(first: usize, n: usize) -> impl Iterator<Item = (usize, usize, usize)> {
        let end = first + n;
        let mut at = first;
        std::iter::from_fn(move || {
            (at < end).then(|| {
                let (p, o) = (at / PAGE, at % PAGE);
                let k = (PAGE - o).min(end - at);
                at += k;
                (p, o, k)
            })
        })
    }

    fn write_floats(&mut self, first: usize, data: &[f32]) {
        let mut src = data;
        for (p, o, k) in Self::runs(first, data.len()) {
            Arc::make_mut(&mut self.pages[p])[o..o + k].copy_from_slice(&src[..k]);
            src = &src[k..];
        }
    }

    /// Host bytes: whole floats go page run by page run; a partial float at either end is
    /// patched byte by byte.
    fn write_bytes(&mut self, offset: usize, data: &[u8]) {
        let (head, body) = split_floats(offset, data.len());
        for i in (0..head).chain(head + body * 4..data.len()) {
            let (f, j) = ((offset + i) / 4, (offset + i) % 4);
            let v = &mut Arc::make_mut(&mut self.pages[f / PAGE])[f % PAGE];
            let mut le = v.to_le_bytes();
            le[j] = data[i];
            *v = f32::from_le_bytes(le);
        }
        let mut src = &data[head..head + body * 4];
        for (p, o, k) in Self::runs((offset + head) / 4, body) {
            let dst = &mut Arc::make_mut(&mut self.pages[p])[o..o + k];
            for (v, ch) in dst.iter_mut().zip(src.chunks_exact(4)) {
                *v = f32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]);
            }
            src = &src[k * 4..];
        }
    }

    fn read_bytes(&self, offset: usize, out: &mut [u8]) {
        let (head, body) = split_floats(offset, out.len());
        for i in (0..head).chain(head + body * 4..out.len()) {
            let (f, j) = ((offset + i) / 4, (offset + i) % 4);
            out[i] = self.pages[f / PAGE][f % PAGE].to_le_bytes()[j];
        }
        let mut dst = &mut out[head..head + body * 4];
        for (p, o, k) in Self::runs((offset + head) / 4, body) {
            let (now, rest) = std::mem::take(&mut dst).split_at_mut(k * 4);
            for (ch, v) in now.chunks_exact_mut(4).zip(&self.pages[p][o..o + k]) {
                ch.copy_from_slice(&v.to_le_bytes());
            }
            dst = rest;
        }
    }
}

/// Split `len` bytes at byte `offset` into (bytes before the first whole float, whole floats);
/// the bytes after the last whole float are the rest.
fn split_floats(offset: usize, len: usize) -> (usize, usize) {
    let head = (offset.next_multiple_of(4) - offset).min(len);
    (head, (len - head) / 4)
}

/// Device memory of the model: the allocator and one paged buffer per allocation.
#[derive(Default)]
pub struct DramMemory {
    pub alloc: RangeAllocator,
    data: HashMap<u64, Paged>,
}

impl DramMemory {
    pub fn insert_zeroed(&mut self, id: u64, bytes: usize) {
        self.data.insert(id, Paged::zeroed(bytes));
    }

    pub fn remove(&mut self, id: u64) {
        self.data.remove(&id);
    }

    /// Host write of `data` at byte `offset` of buffer `id` (the caller checked the range).
    pub fn host_write(&mut self, id: u64, offset: usize, data: &[u8]) -> bool {
        self.data.get_mut(&id).map(|b| b.write_bytes(offset, data)).is_some()
    }

    /// Host read into `out` from byte `offset` of buffer `id` (the caller checked the range).
    pub fn host_read(&self, id: u64, offset: usize, out: &mut [u8]) -> bool {
        self.data.get(&id).map(|b| b.read_bytes(offset, out)).is_some()
    }

    /// The buffer holding bytes `[byte, byte + 4 * floats)` of `memory` if `bounds` allow them all,
    /// and the index of the first float in it.
    fn locate(
        &mut self,
        bounds: &[Allocation],
        memory: Memory,
        byte: u64,
        floats: usize,
    ) -> Result<(&mut Paged, usize), String> {
        let len = floats as u64 * 4;
        let Some(a) = bounds.iter().find(|a| a.memory == memory && a.offset <= byte && byte + len <= a.offset + a.len)
        else {
            return Err(format!(
                "{memory:?} access {byte:#x}..{:#x} is outside the programmed buffer bounds",
                byte + len
            ));
        };
        if !(byte - a.offset).is_multiple_of(4) {
            return Err(format!("{memory:?} access at {byte:#x} is not aligned to a float"));
        }
        let buf = self.data.get_mut(&a.id).ok_or_else(|| format!("buffer {} was freed during the run", a.id))?;
        Ok((buf, ((byte - a.offset) / 4) as usize))
    }

    /// Read `floats` values at `byte`, handing them to `f` as (page, start, end) windows in
    /// order, without copying.
    pub fn read_pages(
        &mut self,
        bounds: &[Allocation],
        memory: Memory,
        byte: u64,
        floats: usize,
        mut f: impl FnMut(Chunk, usize, usize),
    ) -> Result<(), String> {
        let (buf, first) = self.locate(bounds, memory, byte, floats)?;
        for (p, o, k) in Paged::runs(first, floats) {
            f(buf.pages[p].clone(), o, o + k);
        }
        Ok(())
    }

    /// Write `floats` values at `byte`: the whole range is checked against `bounds` before
    /// anything is written, then the returned writer takes the values in order, in runs of any
    /// length (a store takes them from its stream as they come).
    pub fn writer(
        &mut self,
        bounds: &[Allocation],
        memory: Memory,
        byte: u64,
        floats: usize,
    ) -> Result<impl FnMut(&[f32]) + '_, String> {
        let (buf, mut at) = self.locate(bounds, memory, byte, floats)?;
        let end = at + floats;
        Ok(move |xs: &[f32]| {
            assert!(at + xs.len() <= end, "a DRAM writer takes no more than the floats it was checked for");
            buf.write_floats(at, xs);
            at += xs.len();
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_floats_are_one_little_endian_memory() {
        let mut m = DramMemory::default();
        let a = m.alloc.alloc(Memory::Ddr, 3 * PAGE as u64 * 4 + 6).unwrap();
        m.insert_zeroed(a.id, a.len as usize);
        // Unaligned host bytes across a page boundary.
        let at = PAGE * 4 - 3;
        let bytes: Vec<u8> = (1..=10).collect();
        assert!(m.host_write(a.id, at, &bytes));
        let mut back = vec![0u8; 10];
        assert!(m.host_read(a.id, at, &mut back));
        assert_eq!(back, bytes);
        // The floats a DRAM read sees are those bytes, little-endian.
        let mut seen = Vec::new();
        m.read_pages(&[a], Memory::Ddr, a.offset + (PAGE as u64 - 1) * 4, 2, |c, s, e| {
            seen.extend_from_slice(&c[s..e])
        })
        .unwrap();
        assert_eq!(seen[0].to_bits(), u32::from_le_bytes([0, 1, 2, 3]));
        assert_eq!(seen[1].to_bits(), u32::from_le_bytes([4, 5, 6, 7]));
        // A read holds its pages: a later write does not change what was read.
        let mut held = Vec::new();
        m.read_pages(&[a], Memory::Ddr, a.offset, 8, |c, s, e| held.push((c, s, e))).unwrap();
        m.writer(&[a], Memory::Ddr, a.offset, 8).unwrap()(&[5.0; 8]);
        assert!(held[0].0[..8].iter().all(|x| *x == 0.0));
        let mut now = [0u8; 4];
        m.host_read(a.id, 0, &mut now);
        assert_eq!(f32::from_le_bytes(now), 5.0);
        // Out of bounds and unaligned accesses are refused.
        assert!(m.writer(&[a], Memory::Ddr, a.offset + a.len - 4, 2).is_err());
        assert!(m.read_pages(&[a], Memory::Lpddr, a.offset, 1, |_, _, _| {}).is_err());
        assert!(m.read_pages(&[a], Memory::Ddr, a.offset + 2, 1, |_, _, _| {}).is_err());
    }
}
