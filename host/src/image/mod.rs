//! What a VCK190 device image must agree on with this host, generated from the host's own
//! definitions: the image manifest (ISA version, bitstream fingerprint, kernel, graph and RTP
//! names), the v++ connectivity file (every PLIO of [`crate::isa::plio_ports`] connected one to
//! one) and the kernel-packaging argument table (from [`crate::regs`]).
//!
//! host/examples/vck190_manifest.rs writes these into bitstreams/vck190/; `make -C
//! bitstreams/vck190 check` regenerates them and fails when the checked-in copies are stale.

pub mod rtl_ports;
pub mod uuid;

use crate::bitstream::{Bitstream, FuConfig};
use crate::isa::{self, PortDir, ENGINES};
use crate::regs::{self, ArgKind};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the manifest layout.
pub const MANIFEST_FORMAT: u32 = 1;
/// Instance name of the ADF graph in aie/graph/graph.cpp.
pub const GRAPH_NAME: &str = "rsn_top";
/// Name of the AI Engine block in v++ connectivity.
pub const AIE_INSTANCE: &str = "ai_engine_0";
/// File name of the manifest, expected next to the xclbin.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Default platform memory tags for `sp=` (override with the generator's options).
pub const DEFAULT_DDR_TAG: &str = "DDR";
pub const DEFAULT_LPDDR_TAG: &str = "LPDDR";

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read device-image manifest {path}: {source} (it is written by `make -C bitstreams/vck190` next to the xclbin)")]
    Io { path: String, source: std::io::Error },
    #[error("device-image manifest {path} is not valid: {message}")]
    Parse { path: String, message: String },
}

/// Per-engine PLIO counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlioCounts {
    pub pl_to_aie: u32,
    pub aie_to_pl: u32,
}

/// The manifest shipped next to an xclbin (bitstreams/vck190/manifest.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub isa_version: u32,
    pub regmap_version: u32,
    /// Fingerprint of the bitstream description the image was built for.
    pub fingerprint: String,
    /// Name of that description.
    pub bitstream: String,
    pub fu: FuConfig,
    /// PL kernel name.
    pub kernel: String,
    /// ADF graph instance name.
    pub graph: String,
    /// Hierarchical runtime-parameter ports of each engine's `blocks` parameter.
    pub rtp_ports: Vec<Vec<String>>,
    pub plio: PlioCounts,
    /// UUID of the xclbin built with this manifest (stamped after `v++ --package`), if known.
    #[serde(default)]
    pub xclbin_uuid: Option<String>,
}

/// RTP ports of engine `e`: one per kernel of its 4 x 4 x 4 cascade array (see aie/graph/graph.h;
/// the first stage has the parameter at input 2, the others at input 3).
pub fn rtp_ports(e: usize) -> Vec<String> {
    let mut v = Vec::with_capacity(64);
    for r in 0..4 {
        for c in 0..4 {
            for s in 0..4 {
                let input = if s == 0 { 2 } else { 3 };
                v.push(format!("{GRAPH_NAME}.mme{e}.tile[{r}][{c}].k[{s}].in[{input}]"));
            }
        }
    }
    v
}

impl Manifest {
    /// The manifest an image built from this host's sources must carry.
    pub fn for_host(bs: &Bitstream) -> Manifest {
        let ports = isa::plio_ports(0);
        Manifest {
            format: MANIFEST_FORMAT,
            isa_version: isa::ISA_VERSION,
            regmap_version: regs::REGMAP_VERSION,
            fingerprint: bs.fingerprint.clone(),
            bitstream: bs.desc.name.clone(),
            fu: bs.desc.fu.clone(),
            kernel: regs::KERNEL_NAME.into(),
            graph: GRAPH_NAME.into(),
            rtp_ports: (0..ENGINES).map(rtp_ports).collect(),
            plio: PlioCounts {
                pl_to_aie: (ports.iter().filter(|p| p.1 == PortDir::PlToAie).count() * ENGINES) as u32,
                aie_to_pl: (ports.iter().filter(|p| p.1 == PortDir::AieToPl).count() * ENGINES) as u32,
            },
            xclbin_uuid: None,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a manifest always serialises");
        s.push('\n');
        s
    }

    pub fn parse(text: &str, path: &str) -> Result<Manifest, ManifestError> {
        let m: Manifest = serde_json::from_str(text)
            .map_err(|e| ManifestError::Parse { path: path.into(), message: e.to_string() })?;
        if m.format != MANIFEST_FORMAT {
            return Err(ManifestError::Parse {
                path: path.into(),
                message: format!("format {} (this host reads format {MANIFEST_FORMAT})", m.format),
            });
        }
        if m.rtp_ports.len() != ENGINES || m.rtp_ports.iter().any(|p| p.is_empty()) {
            return Err(ManifestError::Parse {
                path: path.into(),
                message: format!("rtp_ports must list the parameter ports of all {ENGINES} engines"),
            });
        }
        if let Some(u) = &m.xclbin_uuid {
            u.parse::<uuid::Uuid>().map_err(|e| ManifestError::Parse { path: path.into(), message: e })?;
        }
        Ok(m)
    }

    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = crate::files::read_text_bounded(path, crate::files::limits::SMALL_TEXT, "a device-image manifest")
            .map_err(|source| ManifestError::Io { path: path.display().to_string(), source })?;
        Manifest::parse(&text, &path.display().to_string())
    }

    /// `(found, expected)` descriptions when the image was built for another ISA version,
    /// register map or bitstream description than `bs`.
    pub fn mismatch(&self, bs: &Bitstream) -> Option<(String, String)> {
        let host = Manifest::for_host(bs);
        let same = self.isa_version == host.isa_version
            && self.regmap_version == host.regmap_version
            && self.fingerprint == host.fingerprint
            && self.fu == host.fu;
        let show = |m: &Manifest| {
            format!(
                "{} (ISA v{}, register map v{}, bitstream {:?})",
                m.fingerprint, m.isa_version, m.regmap_version, m.bitstream
            )
        };
        (!same).then(|| (show(self), show(&host)))
    }
}

/// The manifest path for an xclbin: `manifest.json` in the same directory.
pub fn manifest_path(xclbin: &Path) -> std::path::PathBuf {
    xclbin.parent().unwrap_or_else(|| Path::new(".")).join(MANIFEST_FILE)
}

/// UUID stored in an xclbin file's header (the `axlf` layout of XRT's xclbin.h: magic
/// "xclbin2\0" at 0, `m_header.uuid` at byte 416).
pub fn xclbin_file_uuid(bytes: &[u8]) -> Result<uuid::Uuid, String> {
    const MAGIC: &[u8; 8] = b"xclbin2\0";
    if bytes.len() < AXLF_SIZE {
        return Err(format!("{} bytes is shorter than an xclbin header ({AXLF_SIZE})", bytes.len()));
    }
    if &bytes[..8] != MAGIC {
        return Err("not an xclbin (magic is not \"xclbin2\")".into());
    }
    let mut u = [0u8; 16];
    u.copy_from_slice(&bytes[AXLF_UUID_OFFSET..AXLF_UUID_OFFSET + 16]);
    Ok(uuid::Uuid(u))
}

/// Byte offset of `axlf.m_header.uuid`.
pub const AXLF_UUID_OFFSET: usize = 416;
/// Byte offset of `axlf.m_header` (its `m_length` is the first field).
pub const AXLF_HEADER_OFFSET: usize = 304;
/// Byte offset of `axlf.m_header.m_numSections`.
pub const AXLF_NUM_SECTIONS_OFFSET: usize = 448;
/// `sizeof(struct axlf)`: the header with room for one section header.
pub const AXLF_SIZE: usize = 496;

const GENERATED: &str = "Generated by `cargo run -p rsn --example vck190_manifest -- write`; do not edit.";

/// The v++ link connectivity file: one CU, the memory ports on the DDR / LPDDR NoC masters, and
/// every PLIO connected one to one between the PL kernel and the AI Engine graph.
pub fn connectivity_cfg(ddr_tag: &str, lpddr_tag: &str) -> String {
    let k = regs::KERNEL_NAME;
    let mut s = format!(
        "# {GENERATED}\n# Source: rsn::isa::plio_ports and rsn::regs::kernel_args.\n[connectivity]\nnk={k}:1:{k}\n"
    );
    for a in regs::kernel_args() {
        if let ArgKind::Buffer { port, .. } = a.kind {
            let tag = if port.contains("lpddr") { lpddr_tag } else { ddr_tag };
            s.push_str(&format!("sp={k}.{port}:{tag}\n"));
        }
    }
    for e in 0..ENGINES {
        for (p, dir) in isa::plio_ports(e) {
            match dir {
                PortDir::PlToAie => s.push_str(&format!("sc={k}.{p}:{AIE_INSTANCE}.{p}\n")),
                PortDir::AieToPl => s.push_str(&format!("sc={AIE_INSTANCE}.{p}:{k}.{p}\n")),
            }
        }
    }
    s
}

/// Tcl lists the kernel packaging script sources: the register arguments and the AXI4-Stream
/// ports.
pub fn kernel_tcl() -> String {
    let mut s =
        format!("# {GENERATED}\n# {{index name offset bytes bus-interface-or-empty}}\nset rsn_kernel_args {{\n");
    for a in regs::kernel_args() {
        let port = match a.kind {
            ArgKind::Buffer { port, .. } => port,
            _ => "{}",
        };
        s.push_str(&format!("  {{{} {} 0x{:03x} {} {}}}\n", a.index, a.name, a.offset, a.kind.bytes(), port));
    }
    s.push_str(&format!("}}\nset rsn_control_bytes 0x{:x}\n", regs::SPACE_BYTES));
    s.push_str("# {name direction-seen-from-the-PL-kernel width-bits}\nset rsn_axis_ports {\n");
    for e in 0..ENGINES {
        for (p, dir) in isa::plio_ports(e) {
            let d = if dir == PortDir::PlToAie { "master" } else { "slave" };
            s.push_str(&format!("  {{{p} {d} 64}}\n"));
        }
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_and_detects_mismatch() {
        let bs = Bitstream::builtin();
        let m = Manifest::for_host(&bs);
        assert_eq!(m.plio, PlioCounts { pl_to_aie: 192, aie_to_pl: 96 });
        assert_eq!(m.rtp_ports[5].len(), 64);
        let back = Manifest::parse(&m.to_json(), "m.json").unwrap();
        assert_eq!(back, m);
        assert!(m.mismatch(&bs).is_none());
        let mut other = m.clone();
        other.isa_version += 1;
        let (found, expected) = other.mismatch(&bs).unwrap();
        assert!(found.contains(&format!("ISA v{}", isa::ISA_VERSION + 1)) && expected.contains(&bs.fingerprint));
        let e = Manifest::parse(&m.to_json().replace("\"format\": 1", "\"format\": 9"), "m.json").unwrap_err();
        assert!(e.to_string().contains("format 9"), "{e}");
        let e = Manifest::parse("{}", "m.json").unwrap_err();
        assert!(matches!(e, ManifestError::Parse { .. }));
    }

    #[test]
    fn connectivity_connects_every_plio_once() {
        let cfg = connectivity_cfg(DEFAULT_DDR_TAG, DEFAULT_LPDDR_TAG);
        let sc: Vec<&str> = cfg.lines().filter(|l| l.starts_with("sc=")).collect();
        assert_eq!(sc.len(), 288);
        assert!(sc.contains(&"sc=rsn_xnn_kernel.mme3_b_k2_c1:ai_engine_0.mme3_b_k2_c1"));
        assert!(sc.contains(&"sc=ai_engine_0.mme5_c_r3_c3:rsn_xnn_kernel.mme5_c_r3_c3"));
        assert_eq!(cfg.lines().filter(|l| l.starts_with("sp=")).count(), 4);
        assert!(cfg.contains("sp=rsn_xnn_kernel.m_axi_lpddr0:LPDDR\n"));
        assert!(!cfg.contains("lpddr1"));
    }

    #[test]
    fn xclbin_header_uuid() {
        let mut b = vec![0u8; AXLF_SIZE];
        b[..8].copy_from_slice(b"xclbin2\0");
        b[AXLF_UUID_OFFSET] = 0xab;
        assert_eq!(xclbin_file_uuid(&b).unwrap().0[0], 0xab);
        assert!(xclbin_file_uuid(&b[..100]).is_err());
        b[0] = b'X';
        assert!(xclbin_file_uuid(&b).unwrap_err().contains("magic"));
    }
}
