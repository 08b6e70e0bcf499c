//! A timed, bounded stream: the data itself plus when each segment becomes available downstream
//! and when space was freed upstream, so back-pressure shows up in time.

use std::collections::VecDeque;
use std::sync::Arc;

/// A shared, immutable run of elements; broadcasting a block to several streams shares it.
pub type Chunk = Arc<Vec<f32>>;

/// Elements `data[off..end]` still queued; a placeholder has empty `data` and counts `end - off`
/// elements that exist in time only (see `push_placeholder`).
#[derive(Debug)]
struct Seg {
    data: Chunk,
    off: usize,
    end: usize,
}

impl Seg {
    fn placeholder(&self) -> bool {
        self.data.is_empty()
    }
}

#[derive(Debug)]
pub struct Fifo {
    segs: VecDeque<Seg>,
    len: usize,
    cap: usize,
    pushed: u64,
    popped: u64,
    /// (cumulative count pushed at the end of a segment, time its last element is available)
    arrivals: VecDeque<(u64, f64)>,
    /// (cumulative count popped after a pop, time of that pop)
    pops: VecDeque<(u64, f64)>,
}

impl Fifo {
    pub fn new(cap: usize) -> Fifo {
        Fifo {
            segs: VecDeque::new(),
            len: 0,
            cap,
            pushed: 0,
            popped: 0,
            arrivals: VecDeque::new(),
            pops: VecDeque::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn space(&self) -> usize {
        self.cap - self.len
    }

    /// Time at which room for `n` more elements appeared (0 if it was always there). Call only
    /// when `space() >= n`.
    pub fn space_time(&self, n: usize) -> f64 {
        let k = (self.pushed + n as u64).saturating_sub(self.cap as u64);
        if k == 0 {
            return 0.0;
        }
        self.pops.iter().find(|p| p.0 >= k).map(|p| p.1).unwrap_or(0.0)
    }

    /// Time at which the first `n` queued elements are all available. Call only when `len() >= n`.
    pub fn ready_time(&self, n: usize) -> f64 {
        let k = self.popped + n as u64;
        self.arrivals.iter().find(|a| a.0 >= k).map(|a| a.1).unwrap_or(0.0)
    }

    pub fn push_chunk(&mut self, data: Chunk, ready: f64) {
        let n = data.len();
        self.push_window(data, 0, n, ready);
    }

    /// Push `data[off..end]` (a window of a shared chunk: a DRAM page, say) without copying it.
    pub fn push_window(&mut self, data: Chunk, off: usize, end: usize, ready: f64) {
        let n = end - off;
        debug_assert!(n <= self.space() && end <= data.len());
        self.segs.push_back(Seg { data, off, end });
        self.len += n;
        self.pushed += n as u64;
        self.arrivals.push_back((self.pushed, ready));
    }

    /// Push `n` elements whose values the consumer obtains elsewhere (an engine's product that
    /// is computed when MemC needs it); they occupy the stream and are timed like data. The
    /// consumer must take them whole with [`Fifo::pop_chunk`].
    pub fn push_placeholder(&mut self, n: usize, ready: f64) {
        debug_assert!(n <= self.space());
        self.segs.push_back(Seg { data: Arc::new(Vec::new()), off: 0, end: n });
        self.len += n;
        self.pushed += n as u64;
        self.arrivals.push_back((self.pushed, ready));
    }

    /// Pop `out.len()` elements at time `t`.
    pub fn pop_into(&mut self, out: &mut [f32], t: f64) {
        let mut at = 0;
        self.pop_each(
            out.len(),
            t,
            |xs| {
                out[at..at + xs.len()].copy_from_slice(xs);
                at += xs.len();
            },
            |_| {},
        );
    }

    /// Pop `n` elements at time `t`, handing them to `f` in order as contiguous runs (no copy),
    /// and each chunk that is used up to `spent` (for reuse).
    pub fn pop_each(&mut self, n: usize, t: f64, mut f: impl FnMut(&[f32]), mut spent: impl FnMut(Chunk)) {
        let mut left = n;
        while left > 0 {
            let seg = self.segs.front_mut().expect("caller checked len");
            assert!(!seg.placeholder(), "placeholders are taken whole with pop_chunk");
            let k = (seg.end - seg.off).min(left);
            f(&seg.data[seg.off..seg.off + k]);
            seg.off += k;
            left -= k;
            if seg.off == seg.end {
                spent(self.segs.pop_front().expect("front exists").data);
            }
        }
        self.account_pop(n, t);
    }

    /// Pop `n` elements as one chunk, sharing the pushed chunk when it lines up exactly (a
    /// placeholder comes back as the empty chunk it is).
    pub fn pop_chunk(&mut self, n: usize, t: f64) -> Chunk {
        if let Some(seg) = self.segs.front() {
            if seg.off == 0 && seg.end == n && (seg.placeholder() || seg.data.len() == n) {
                let seg = self.segs.pop_front().expect("front exists");
                self.account_pop(n, t);
                return seg.data;
            }
        }
        let mut v = vec![0.0f32; n];
        self.pop_into(&mut v, t);
        Arc::new(v)
    }

    fn account_pop(&mut self, n: usize, t: f64) {
        self.len -= n;
        self.popped += n as u64;
        self.pops.push_back((self.popped, t));
        while self.arrivals.front().is_some_and(|a| a.0 <= self.popped) {
            self.arrivals.pop_front();
        }
        let keep_from = (self.pushed + 1).saturating_sub(self.cap as u64);
        while self.pops.len() > 1 && self.pops.front().is_some_and(|p| p.0 < keep_from) {
            self.pops.pop_front();
        }
    }
}

/// Busy intervals of a shared resource (a DRAM bus): reservations never overlap.
#[derive(Debug, Default)]
pub struct BusCalendar {
    busy: std::collections::BTreeMap<u64, u64>,
}

impl BusCalendar {
    /// Reserve `dur` cycles at or after `earliest`; returns the start. Times are kept in integer
    /// 1/16 cycles so the calendar is exact.
    pub fn reserve(&mut self, earliest: f64, dur: f64) -> f64 {
        let q = |x: f64| (x * 16.0).ceil() as u64;
        let d = q(dur).max(1);
        let mut s = q(earliest);
        // Step over overlapping intervals.
        if let Some((_, &e)) = self.busy.range(..=s).next_back() {
            s = s.max(e);
        }
        loop {
            match self.busy.range(s..).next() {
                Some((&bs, &be)) if bs < s + d => s = be,
                _ => break,
            }
        }
        // Keep back-to-back reservations as one interval, so the walk above steps over gaps
        // rather than over every transfer booked ahead.
        let (mut from, mut to) = (s, s + d);
        if let Some((&ps, &pe)) = self.busy.range(..s).next_back() {
            if pe == s {
                from = ps;
            }
        }
        if let Some(ne) = self.busy.remove(&to) {
            to = ne;
        }
        self.busy.insert(from, to);
        s as f64 / 16.0
    }

    /// Forget intervals that end before `t` (no reservation can start before it any more).
    pub fn prune(&mut self, t: f64) {
        let t = (t * 16.0) as u64;
        while let Some((&s, &e)) = self.busy.iter().next() {
            if e < t {
                self.busy.remove(&s);
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_times() {
        let mut f = Fifo::new(4);
        f.push_chunk(Arc::new(vec![1.0, 2.0]), 10.0);
        f.push_chunk(Arc::new(vec![3.0, 4.0]), 20.0);
        assert_eq!(f.space(), 0);
        assert_eq!(f.ready_time(1), 10.0);
        assert_eq!(f.ready_time(3), 20.0);
        let mut o = [0.0; 3];
        f.pop_into(&mut o, 25.0);
        assert_eq!(o, [1.0, 2.0, 3.0]);
        assert_eq!(f.space_time(3), 25.0);
        assert_eq!(f.space_time(1), 25.0);
    }

    #[test]
    fn bus_never_overlaps() {
        let mut b = BusCalendar::default();
        assert_eq!(b.reserve(0.0, 10.0), 0.0);
        assert_eq!(b.reserve(5.0, 10.0), 10.0);
        assert_eq!(b.reserve(40.0, 5.0), 40.0);
        assert_eq!(b.reserve(0.0, 10.0), 20.0);
        assert_eq!(b.reserve(25.0, 20.0), 45.0);
        // Back-to-back bookings merge; a gap between them is still found.
        let mut b = BusCalendar::default();
        for i in 0..100 {
            assert_eq!(b.reserve(0.0, 1.0), i as f64);
        }
        assert_eq!(b.reserve(200.0, 1.0), 200.0);
        assert_eq!(b.reserve(50.0, 1.0), 100.0);
        assert_eq!(b.reserve(150.0, 60.0), 201.0);
        assert_eq!(b.busy.len(), 2, "{:?}", b.busy);
    }
}
