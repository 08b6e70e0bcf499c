//! The .npy writer round-trips through the reader, and its header is what NumPy expects.

use rsn::nn::npy::{self, NpyData, NpyError};
use std::fs;

mod nn_common;

#[test]
fn f32_round_trip_with_header() {
    let d = nn_common::scratch("npy");
    let p = d.join("x.npy");
    let data: Vec<f32> = (0..24).map(|i| i as f32 * 0.5 - 3.0).collect();
    npy::write_f32(&p, &[2, 3, 4], &data).unwrap();

    let bytes = fs::read(&p).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    // Data must start 64-byte aligned, header ends in a newline.
    assert_eq!((10 + hlen) % 64, 0);
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }"));
    assert!(header.ends_with('\n'));
    assert_eq!(bytes.len(), 10 + hlen + 24 * 4);

    let back = npy::read(&p).unwrap();
    assert_eq!(back.shape, vec![2, 3, 4]);
    assert_eq!(back.data, NpyData::F32(data));
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn one_d_and_scalar_shapes() {
    let one = npy::encode_f32(&[3], &[1.0, 2.0, 3.0]).unwrap();
    assert!(String::from_utf8_lossy(&one[..64]).contains("'shape': (3,)"));
    let a = npy::decode(std::path::Path::new("one"), &one).unwrap();
    assert_eq!(a.shape, vec![3]);
    let s = npy::encode_f32(&[], &[7.0]).unwrap();
    let a = npy::decode(std::path::Path::new("scalar"), &s).unwrap();
    assert_eq!(a.shape, Vec::<usize>::new());
    assert_eq!(a.data, NpyData::F32(vec![7.0]));
}

#[test]
fn reads_numpy_written_goldens() {
    // Written by numpy (scripts/make_goldens.py), so this checks the reader against the real format.
    let p = nn_common::goldens_dir("all-MiniLM-L6-v2").join("input_ids.npy");
    let a = npy::read(&p).unwrap();
    assert_eq!(a.shape.len(), 2);
    let ids = a.into_i64(&p).unwrap();
    assert_eq!(ids[0], 101, "first token of a BERT sentence is [CLS]");
}

#[test]
fn bad_inputs_give_typed_errors() {
    assert!(matches!(npy::encode_f32(&[2, 2], &[1.0; 3]), Err(NpyError::ShapeMismatch { expected: 4, actual: 3, .. })));
    let p = std::path::Path::new("bad.npy");
    assert!(matches!(npy::decode(p, b"hello"), Err(NpyError::Format { .. })));
    let good = npy::encode_f32(&[2, 2], &[1.0; 4]).unwrap();
    assert!(matches!(npy::decode(p, &good[..good.len() - 1]), Err(NpyError::Size { expected: 16, actual: 15, .. })));
    let f8 = patch_header(&good, b"<f4", b"<f8");
    assert!(matches!(npy::decode(p, &f8), Err(NpyError::Dtype { descr, .. }) if descr == "<f8"));
    let fortran = patch_header(&good, b"False", b"True ");
    assert!(matches!(npy::decode(p, &fortran), Err(NpyError::FortranOrder { .. })));
}

/// Replaces `from` with the same-length `to` inside the header.
fn patch_header(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes[..64].windows(from.len()).position(|w| w == from).expect("pattern in header");
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}
