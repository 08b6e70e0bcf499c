//! A timed, bounded stream: the data itself plus when each segment becomes available downstream
//! and when space was freed upstream, so back-pressure shows up in time.

use std::collections::VecDeque;

#[derive(Debug)]
pub struct Fifo {
    data: VecDeque<f32>,
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
        Fifo { data: VecDeque::new(), cap, pushed: 0, popped: 0, arrivals: VecDeque::new(), pops: VecDeque::new() }
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn space(&self) -> usize {
        self.cap - self.data.len()
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

    pub fn push(&mut self, xs: &[f32], ready: f64) {
        debug_assert!(xs.len() <= self.space());
        self.data.extend(xs.iter().copied());
        self.pushed += xs.len() as u64;
        self.arrivals.push_back((self.pushed, ready));
    }

    /// Pop `out.len()` elements at time `t`.
    pub fn pop_into(&mut self, out: &mut [f32], t: f64) {
        let n = out.len();
        debug_assert!(n <= self.data.len());
        for (o, v) in out.iter_mut().zip(self.data.drain(..n)) {
            *o = v;
        }
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
        self.busy.insert(s, s + d);
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
        f.push(&[1.0, 2.0], 10.0);
        f.push(&[3.0, 4.0], 20.0);
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
    }
}
