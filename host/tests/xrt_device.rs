//! The XRT backend against the real XRT 2.13 libraries, without a board (feature `xrt`).
//!
//! XRT reads its configuration from process-global environment variables (XILINX_XRT,
//! XCL_EMULATION_MODE), so each environment-dependent case runs in a child process: the parent
//! test re-executes this test binary, selecting the case through `RSN_XRT_TEST_CASE`, and checks
//! the child's exit status and output. A child that aborts (an escaped C++ exception) fails the
//! parent.
#![cfg(feature = "xrt")]

use rsn::bitstream::Bitstream;
use rsn::device::{BackendKind, Device, DeviceError, Memory, OpenOptions};
use rsn::xrt::ffi::{self, SyncDir, Uuid};
use rsn::xrt::vck190::{self, Manifest};
use rsn::xrt::windows::Windows;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CASE_VAR: &str = "RSN_XRT_TEST_CASE";
const DIR_VAR: &str = "RSN_XRT_TEST_DIR";
const UUID: Uuid = Uuid([0x52, 0x53, 0x4e, 0x58, 0, 1, 0x40, 2, 0x80, 3, 4, 5, 6, 7, 8, 9]);

/// A minimal xclbin: the `axlf` header of XRT's xclbin.h with zero sections.
fn synthetic_xclbin(uuid: Uuid) -> Vec<u8> {
    let mut b = vec![0u8; vck190::AXLF_SIZE];
    b[..8].copy_from_slice(b"xclbin2\0");
    b[8..12].copy_from_slice(&(-1i32).to_le_bytes()); // m_signature_length: unsigned
    b[12..296].fill(0xff); // reserved and m_keyBlock are 0xFF-filled by the tools
    let h = vck190::AXLF_HEADER_OFFSET;
    b[h..h + 8].copy_from_slice(&(vck190::AXLF_SIZE as u64).to_le_bytes()); // m_length
    b[h + 8..h + 16].copy_from_slice(&1_700_000_000u64.to_le_bytes()); // m_timeStamp
    b[h + 26] = 2; // m_versionMajor
    let vbnv = b"xilinx_vck190_base_202410_1";
    b[h + 48..h + 48 + vbnv.len()].copy_from_slice(vbnv);
    b[vck190::AXLF_UUID_OFFSET..vck190::AXLF_UUID_OFFSET + 16].copy_from_slice(&uuid.0);
    b[vck190::AXLF_NUM_SECTIONS_OFFSET..vck190::AXLF_NUM_SECTIONS_OFFSET + 4].copy_from_slice(&0u32.to_le_bytes());
    b
}

/// An image directory: rsn_xnn.xclbin plus its manifest.
fn image_dir(dir: &Path, manifest: &Manifest) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let xclbin = dir.join("rsn_xnn.xclbin");
    std::fs::write(&xclbin, synthetic_xclbin(UUID)).unwrap();
    std::fs::write(dir.join(vck190::MANIFEST_FILE), manifest.to_json()).unwrap();
    xclbin
}

/// An XRT install root the way libxrt_coreutil expects it (`$XILINX_XRT/lib` holds the shims).
fn xrt_root(dir: &Path) -> PathBuf {
    let root = dir.join("xrt-root");
    std::fs::create_dir_all(&root).unwrap();
    let lib = root.join("lib");
    if !lib.exists() {
        std::os::unix::fs::symlink("/usr/lib/x86_64-linux-gnu", &lib).unwrap();
    }
    root
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rsn-xrt-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run `case` in a child process with `env` (XRT variables not listed are removed).
fn run_child(case: &str, dir: &Path, env: &[(&str, &Path)]) -> (bool, String) {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "child_process_entry", "--nocapture", "--test-threads=1"])
        .env(CASE_VAR, case)
        .env(DIR_VAR, dir)
        .env_remove("XILINX_XRT")
        .env_remove("XCL_EMULATION_MODE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Entry point of the child processes; does nothing when run as an ordinary test.
#[test]
fn child_process_entry() {
    let Ok(case) = std::env::var(CASE_VAR) else { return };
    let dir = PathBuf::from(std::env::var(DIR_VAR).unwrap());
    match case.as_str() {
        "no_device" => child_no_device(&dir),
        "noop" => child_noop(&dir),
        "bad_env" => child_bad_env(&dir),
        other => panic!("unknown case {other}"),
    }
    println!("CHILD-OK {case}");
}

fn child_no_device(dir: &Path) {
    let xclbin = image_dir(&dir.join("image"), &Manifest::for_host(&Bitstream::builtin()));
    let opts = OpenOptions { xclbin: Some(xclbin), ..Default::default() };
    let t = Instant::now();
    let err = Device::open(BackendKind::Xrt, &opts).unwrap_err();
    let took = t.elapsed();
    assert!(took < Duration::from_secs(1), "opening took {took:?}");
    match &err {
        DeviceError::NoDevice { backend: BackendKind::Xrt, message } => {
            assert!(message.contains("xrtDeviceOpen"), "{message}");
        }
        other => panic!("expected NoDevice, got {other}"),
    }
    println!("no-device error in {took:?}: {err}");
}

fn child_noop(dir: &Path) {
    let xclbin = image_dir(&dir.join("image"), &Manifest::for_host(&Bitstream::builtin()));
    // The binding layer: device, xclbin, buffer objects.
    let dev = ffi::Device::open(0).expect("noop device opens");
    dev.load_xclbin(&xclbin).expect("synthetic xclbin loads");
    assert_eq!(dev.xclbin_uuid().unwrap(), UUID);
    let mut bo = ffi::Bo::alloc(&dev, 1 << 20, 0).expect("BO allocates");
    assert_eq!(bo.len(), 1 << 20);
    assert!(bo.size().unwrap() >= 1 << 20);
    let _ = bo.address().expect("BO has an address");
    let pattern: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    bo.write(8192, &pattern).expect("sync to device");
    let mut back = vec![0u8; pattern.len()];
    bo.read(8192, &mut back).expect("sync from device");
    assert_eq!(back, pattern);
    bo.sync(SyncDir::FromDevice, 0, bo.len()).unwrap();
    let e = bo.sync(SyncDir::ToDevice, (1 << 20) - 4, 8).unwrap_err();
    assert!(e.message.contains("outside"), "{e}");
    let e = ffi::Bo::alloc(&dev, 0, 0).unwrap_err();
    assert_eq!(e.call, "xrtBOAlloc");
    // No PL kernel in this image: a typed error, not an abort.
    let e = ffi::Kernel::open(&dev, &UUID, "rsn_xnn_top", true).unwrap_err();
    assert_eq!(e.call, "xrtPLKernelOpenExclusive");
    assert!(!e.message.is_empty());
    println!("kernel open: {e}");
    let e = ffi::Graph::open(&dev, &UUID, vck190::GRAPH_NAME).unwrap_err();
    assert_eq!(e.call, "xrtGraphOpen");
    println!("graph open: {e}");
    drop(bo);

    // The backend's memory windows on real buffer objects.
    let mut w = Windows::new(&dev, [(0, 4 << 20), (0, 2 << 20), (0, 1 << 20)]).expect("arenas allocate");
    let a = w.alloc(Memory::Ddr, 10_000).unwrap();
    let b = w.alloc(Memory::Ddr, 4096).unwrap();
    let l = w.alloc(Memory::Lpddr, 100).unwrap();
    assert_eq!((a.offset, b.offset, l.offset), (4096, 4096 + 12288, 4096), "4 KiB-aligned first fit from 4 KiB");
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    w.write(a.id, 0, &data).unwrap();
    w.write(b.id, 0, &[0xee; 4096]).unwrap();
    let mut back = vec![0u8; data.len()];
    w.read(a.id, 0, &mut back).unwrap();
    assert_eq!(back, data, "neighbouring buffer b must not overlap a");
    let mut tail = [0u8; 10];
    w.read(a.id, 9_990, &mut tail).unwrap();
    assert_eq!(tail[..], data[9_990..]);
    match w.write(a.id, 9_995, &[0; 10]).unwrap_err() {
        DeviceError::OutOfBounds { id, offset: 9_995, len: 10, size: 10_000 } if id == a.id => {}
        other => panic!("expected OutOfBounds, got {other}"),
    }
    w.free(a.id).unwrap();
    assert!(matches!(w.read(a.id, 0, &mut back), Err(DeviceError::UnknownBuffer { .. })));
    let c = w.alloc(Memory::Ddr, 4096).unwrap();
    assert_eq!(c.offset, 4096, "freed space is reused");
    let mut fresh = vec![1u8; 4096];
    w.read(c.id, 0, &mut fresh).unwrap();
    assert!(fresh.iter().all(|&x| x == 0), "a new buffer is zeroed on both sides");
    match w.alloc(Memory::Instr, 1 << 20).unwrap_err() {
        DeviceError::OutOfMemory { memory: Memory::Instr, largest_free, .. } => {
            assert_eq!(largest_free, (1 << 20) - 4096)
        }
        other => panic!("expected OutOfMemory, got {other}"),
    }
    let bases: Vec<u64> = w.arenas().iter().map(|a| a.bo().address().unwrap()).collect();
    println!("window bases {bases:x?}");
    drop(w);
    drop(dev);

    // The whole backend stops at the same place, with the failing call named.
    let opts = OpenOptions { xclbin: Some(xclbin), ..Default::default() };
    match Device::open(BackendKind::Xrt, &opts).unwrap_err() {
        DeviceError::Backend { backend: BackendKind::Xrt, call, message } => {
            assert_eq!(call, "xrtPLKernelOpenExclusive", "{message}");
            println!("backend open: {call}: {message}");
        }
        other => panic!("expected a Backend error from the kernel open, got {other}"),
    }
}

fn child_bad_env(dir: &Path) {
    let xclbin = image_dir(&dir.join("image"), &Manifest::for_host(&Bitstream::builtin()));
    let opts = OpenOptions { xclbin: Some(xclbin), ..Default::default() };
    match Device::open(BackendKind::Xrt, &opts).unwrap_err() {
        DeviceError::Backend { call: "open", message, .. } => assert!(message.contains("RSN_XRT_DDR_MIB"), "{message}"),
        other => panic!("expected a Backend error naming RSN_XRT_DDR_MIB, got {other}"),
    }
}

#[test]
fn bad_window_size_is_refused_before_opening_a_device() {
    let dir = tempdir("badenv");
    for v in ["lots", "0", "999999"] {
        let (ok, out) = run_child("bad_env", &dir, &[("RSN_XRT_DDR_MIB", Path::new(v))]);
        assert!(ok && out.contains("CHILD-OK bad_env"), "RSN_XRT_DDR_MIB={v}: child failed:\n{out}");
    }
}

#[test]
fn no_device_is_a_clear_error_within_a_second() {
    let dir = tempdir("nodev");
    let root = xrt_root(&dir);
    let (ok, out) = run_child("no_device", &dir, &[("XILINX_XRT", &root)]);
    assert!(ok && out.contains("CHILD-OK no_device"), "child failed:\n{out}");
}

#[test]
fn no_device_without_xrt_root_does_not_abort() {
    // XRT throws out of xrtDeviceOpen here; the shim must turn it into an error.
    let dir = tempdir("noroot");
    let (ok, out) = run_child("no_device", &dir, &[]);
    assert!(ok && out.contains("CHILD-OK no_device"), "child failed:\n{out}");
}

#[test]
fn noop_mode_exercises_the_binding_up_to_the_kernel() {
    let dir = tempdir("noop");
    let root = xrt_root(&dir);
    let (ok, out) = run_child("noop", &dir, &[("XILINX_XRT", &root), ("XCL_EMULATION_MODE", Path::new("noop"))]);
    assert!(ok && out.contains("CHILD-OK noop"), "child failed:\n{out}");
}

#[test]
fn synthetic_xclbin_layout_matches_xrt_headers() {
    use rsn_xrt_sys::{axlf, axlf_header};
    use std::mem::{offset_of, size_of};
    assert_eq!(size_of::<axlf>(), vck190::AXLF_SIZE);
    assert_eq!(offset_of!(axlf, m_header), vck190::AXLF_HEADER_OFFSET);
    assert_eq!(offset_of!(axlf, m_header) + offset_of!(axlf_header, __bindgen_anon_2), vck190::AXLF_UUID_OFFSET);
    assert_eq!(offset_of!(axlf, m_header) + offset_of!(axlf_header, m_numSections), vck190::AXLF_NUM_SECTIONS_OFFSET);
    assert_eq!(offset_of!(axlf_header, m_versionMajor), 26);
    assert_eq!(offset_of!(axlf_header, m_platformVBNV), 48);
    let b = synthetic_xclbin(UUID);
    assert_eq!(vck190::xclbin_file_uuid(&b).unwrap(), UUID);
}

#[test]
fn open_checks_the_image_before_touching_a_device() {
    let bs = Bitstream::builtin();
    let dir = tempdir("checks");

    let e = Device::open(BackendKind::Xrt, &OpenOptions::default()).unwrap_err();
    assert!(e.to_string().contains("--xclbin"), "{e}");

    let mut other = Manifest::for_host(&bs);
    other.fingerprint = "0".repeat(64);
    let xclbin = image_dir(&dir.join("stale"), &other);
    let e = Device::open(BackendKind::Xrt, &OpenOptions { xclbin: Some(xclbin), ..Default::default() }).unwrap_err();
    match e {
        DeviceError::FingerprintMismatch { found, expected } => {
            assert!(found.starts_with("0000") && expected.starts_with(&bs.fingerprint), "{found} / {expected}");
        }
        other => panic!("expected FingerprintMismatch, got {other}"),
    }

    let mut stamped = Manifest::for_host(&bs);
    stamped.xclbin_uuid = Some("00000000-0000-0000-0000-000000000001".into());
    let xclbin = image_dir(&dir.join("other-uuid"), &stamped);
    let e = Device::open(BackendKind::Xrt, &OpenOptions { xclbin: Some(xclbin), ..Default::default() }).unwrap_err();
    assert!(matches!(&e, DeviceError::Backend { call: "manifest", .. }) && e.to_string().contains("UUID"), "{e}");

    let xclbin = dir.join("lonely/rsn_xnn.xclbin");
    std::fs::create_dir_all(xclbin.parent().unwrap()).unwrap();
    std::fs::write(&xclbin, synthetic_xclbin(UUID)).unwrap();
    let e = Device::open(BackendKind::Xrt, &OpenOptions { xclbin: Some(xclbin), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("manifest.json"), "{e}");

    std::fs::write(dir.join("bad.xclbin"), b"not an xclbin").unwrap();
    let e = Device::open(BackendKind::Xrt, &OpenOptions { xclbin: Some(dir.join("bad.xclbin")), ..Default::default() })
        .unwrap_err();
    assert!(e.to_string().contains("bad.xclbin"), "{e}");
    let _ = Memory::Ddr;
}
