//! What a program against the public API may do and still get a clear answer: sizes the device
//! cannot hold, buffers dropped while a run uses them, one device shared by several threads.

use rsn::builder::{Gemm, GemmPlacement};
use rsn::device::{DeviceError, Memory};
use rsn::runtime::run_gemm;
use rsn_tests::{backends, contract_gemm, open, uniform};
use std::time::Duration;

#[test]
fn sizes_the_device_cannot_hold_are_refused_before_anything_is_allocated() {
    for kind in backends() {
        let dev = open(kind);
        let before = dev.allocations();
        for len in [usize::MAX, usize::MAX / 4 + 1, (9usize << 30) / 4] {
            match dev.alloc::<f32>(Memory::Ddr, len) {
                Err(DeviceError::TooLarge { memory: Memory::Ddr, .. }) => {}
                Err(e) => panic!("{kind}: alloc of {len} floats: wrong error {e}"),
                Ok(_) => panic!("{kind}: alloc of {len} floats succeeded"),
            }
        }
        assert_eq!(dev.allocations(), before, "{kind}: a refused allocation left an entry");
        let e = run_gemm(&dev, &Gemm::new(1 << 40, 1 << 40, 16), &[], &[], None, Duration::from_secs(5)).unwrap_err();
        assert!(e.to_string().contains("too large for the device"), "{kind}: {e}");
        let e = Gemm::new(usize::MAX, 3, 3).compile(GemmPlacement::default()).unwrap_err();
        assert!(e.to_string().contains("overflow"), "{e}");
    }
}

#[test]
fn a_buffer_dropped_during_a_run_lives_until_the_run_ends() {
    for kind in backends() {
        let dev = open(kind);
        let (m, n, k) = (256, 256, 256);
        let g = Gemm::new(m, n, k);
        let (a, b) = (uniform(m * k, 1), uniform(k * n, 2));
        let a_buf = dev.alloc_from(Memory::Ddr, &g.pack_a(&a)).unwrap();
        let b_buf = dev.alloc_from(Memory::Lpddr, &g.pack_b(&b)).unwrap();
        let c_buf = dev.alloc::<f32>(Memory::Ddr, g.c_len()).unwrap();
        let c_at = c_buf.allocation();
        let exe = g
            .compile(GemmPlacement {
                a_line: a_buf.line(),
                b_line: b_buf.line(),
                c_line: c_buf.line(),
                ..Default::default()
            })
            .unwrap();
        let run = dev.submit(&exe).unwrap();
        drop(c_buf);
        assert!(dev.allocations().contains(&c_at), "{kind}: freed while the run may still write it");
        // This thread's own run must be waited for before it touches the device again.
        assert!(matches!(dev.alloc::<f32>(Memory::Ddr, 16), Err(DeviceError::Busy)), "{kind}");
        run.wait(Duration::from_secs(120)).unwrap();
        assert!(!dev.allocations().contains(&c_at), "{kind}: not freed after the run");
        let next = dev.alloc::<f32>(Memory::Ddr, g.c_len()).unwrap();
        assert!(next.as_slice().iter().all(|x| *x == 0.0));
    }
}

#[test]
fn one_device_serves_several_threads() {
    for kind in backends() {
        let dev = open(kind);
        let (m, n, k) = (200, 160, 300);
        let want = contract_gemm(&uniform(m * k, 3), &uniform(k * n, 4), None, m, n, k);
        std::thread::scope(|s| {
            for t in 0..3 {
                let (dev, want) = (dev.clone(), &want);
                s.spawn(move || {
                    for i in 0..3 {
                        let run = run_gemm(
                            &dev,
                            &Gemm::new(m, n, k),
                            &uniform(m * k, 3),
                            &uniform(k * n, 4),
                            None,
                            Duration::from_secs(300),
                        )
                        .unwrap_or_else(|e| panic!("{kind}: thread {t} run {i}: {e}"));
                        assert!(run.c == *want, "{kind}: thread {t} run {i}: wrong result");
                    }
                });
            }
        });
    }
}
