//! The packaged kernel's real port list against the Vitis recipe.
//!
//! `make -C bitstreams/vck190 check` elaborates the kernel's top module with Verilator
//! (`--xml-only`) and hands the XML here. [`parse_verilator_xml`] reads the top module's ports and
//! their widths; [`interfaces`] groups them the way Vivado's IP packager infers interfaces from
//! `<interface>_<signal>` names (AXI4-Lite, AXI4 master, AXI4-Stream); [`check_recipe`] fails on
//! any name, kind, width or count that differs from what `package_xo.tcl` (with the
//! `kernel_args.tcl` it sources), `connectivity.cfg`, `link.cfg` and `regs.md` say. Those files
//! are checked against the host's definitions elsewhere (`vck190_manifest check`); this closes
//! the loop to the RTL.

use std::collections::{BTreeMap, BTreeSet};

/// One port of the top module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub output: bool,
    pub bits: u32,
}

/// The elaborated top module: its name and ports in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopPorts {
    pub module: String,
    pub ports: Vec<Port>,
}

/// Attributes of one XML start tag (`<name a="b" ...>`), unescaped.
fn attrs(tag: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].rsplit(|c: char| c.is_whitespace()).next().unwrap_or("").to_string();
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else { break };
        let v = after[..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        m.insert(key, v);
        rest = &after[end + 1..];
    }
    m
}

/// The top module's ports from Verilator's `--xml-only` output (Verilator 5: `<module
/// topModule="1">` holding `<var dir=... pinIndex=...>` ports, widths in `<typetable>`'s
/// `<basicdtype>`s).
pub fn parse_verilator_xml(xml: &str) -> Result<TopPorts, String> {
    let mut types: BTreeMap<String, u32> = BTreeMap::new();
    let mut module: Option<String> = None;
    let mut in_top = false;
    let mut raw: Vec<(String, bool, String)> = Vec::new();
    for piece in xml.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or("");
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        match name {
            "module" => {
                let a = attrs(tag);
                in_top = a.get("topModule").map(String::as_str) == Some("1");
                if in_top {
                    if module.is_some() {
                        return Err("the XML has two top modules".into());
                    }
                    module = a.get("name").cloned();
                }
            }
            "/module" => in_top = false,
            "var" if in_top => {
                let a = attrs(tag);
                // Module ports carry a pin index; function and task arguments also have a
                // direction but none.
                if let (Some(dir), Some(_)) = (a.get("dir"), a.get("pinIndex")) {
                    let n = a.get("name").ok_or("a port without a name")?.clone();
                    let out = match dir.as_str() {
                        "input" => false,
                        "output" => true,
                        d => return Err(format!("port {n} has direction {d:?} (only input and output are packaged)")),
                    };
                    raw.push((n, out, a.get("dtype_id").cloned().unwrap_or_default()));
                }
            }
            "basicdtype" => {
                let a = attrs(tag);
                let id = a.get("id").cloned().unwrap_or_default();
                let bits = match (a.get("left"), a.get("right")) {
                    (Some(l), Some(r)) => {
                        let (l, r): (i64, i64) = (
                            l.parse().map_err(|_| format!("type {id}: left {l:?}"))?,
                            r.parse().map_err(|_| format!("type {id}: right {r:?}"))?,
                        );
                        (l - r).unsigned_abs() as u32 + 1
                    }
                    _ => 1,
                };
                types.insert(id, bits);
            }
            _ => {}
        }
    }
    let module = module.ok_or("no top module (topModule=\"1\") in the XML")?;
    let mut ports = Vec::with_capacity(raw.len());
    for (name, output, dtype) in raw {
        let bits = *types
            .get(&dtype)
            .ok_or_else(|| format!("port {name}: type {dtype:?} is not a plain vector (basicdtype)"))?;
        ports.push(Port { name, output, bits });
    }
    if ports.is_empty() {
        return Err(format!("top module {module} has no ports"));
    }
    Ok(TopPorts { module, ports })
}

/// What an interface is, as Vivado's packager and v++ see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Clock,
    Reset,
    Interrupt,
    AxiLiteSlave,
    AxiMasterRead,
    AxiMasterWrite,
    AxiMasterReadWrite,
    StreamMaster,
    StreamSlave,
}

impl Kind {
    /// The words regs.md uses for this kind.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Clock => "clock",
            Kind::Reset => "reset, active low",
            Kind::Interrupt => "interrupt",
            Kind::AxiLiteSlave => "AXI4-Lite slave",
            Kind::AxiMasterRead => "AXI4 master, read only",
            Kind::AxiMasterWrite => "AXI4 master, write only",
            Kind::AxiMasterReadWrite => "AXI4 master",
            Kind::StreamMaster => "AXI4-Stream master",
            Kind::StreamSlave => "AXI4-Stream slave",
        }
    }
}

/// One inferred interface: its kind, data width and (memory-mapped kinds) address width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub kind: Kind,
    pub data_bits: u32,
    pub addr_bits: u32,
}

impl Interface {
    /// The width column of regs.md: `64` for a stream, `512 data, 64 address` for AXI4.
    pub fn width(&self) -> String {
        match self.kind {
            Kind::AxiLiteSlave | Kind::AxiMasterRead | Kind::AxiMasterWrite | Kind::AxiMasterReadWrite => {
                format!("{} data, {} address", self.data_bits, self.addr_bits)
            }
            _ => self.data_bits.to_string(),
        }
    }
}

const AXI_READ: &[&str] =
    &["araddr", "arlen", "arsize", "arburst", "arvalid", "arready", "rdata", "rresp", "rlast", "rvalid", "rready"];
const AXI_WRITE: &[&str] = &[
    "awaddr", "awlen", "awsize", "awburst", "awvalid", "awready", "wdata", "wstrb", "wlast", "wvalid", "wready",
    "bresp", "bvalid", "bready",
];
const AXI_LITE: &[&str] = &[
    "awaddr", "awvalid", "awready", "wdata", "wstrb", "wvalid", "wready", "bresp", "bvalid", "bready", "araddr",
    "arvalid", "arready", "rdata", "rresp", "rvalid", "rready",
];
const AXIS: &[&str] = &["tdata", "tvalid", "tready", "tlast"];
/// Signals a master drives (AXI4 and AXI4-Lite name them alike).
const MASTER_DRIVES: &[&str] = &[
    "araddr", "arlen", "arsize", "arburst", "arvalid", "rready", "awaddr", "awlen", "awsize", "awburst", "awvalid",
    "wdata", "wstrb", "wlast", "wvalid", "bready",
];

/// Groups the ports into interfaces; an error lists every port that fits no interface and every
/// interface whose signals are incomplete or point the wrong way.
pub fn interfaces(top: &TopPorts) -> Result<Vec<Interface>, Vec<String>> {
    let mut errors = Vec::new();
    let mut groups: BTreeMap<String, BTreeMap<String, &Port>> = BTreeMap::new();
    let mut out = Vec::new();
    for p in &top.ports {
        match p.name.as_str() {
            "ap_clk" | "ap_rst_n" | "interrupt" => {
                let (kind, dir_ok) = match p.name.as_str() {
                    "ap_clk" => (Kind::Clock, !p.output),
                    "ap_rst_n" => (Kind::Reset, !p.output),
                    _ => (Kind::Interrupt, p.output),
                };
                if !dir_ok || p.bits != 1 {
                    errors.push(format!("{} must be a 1-bit {}", p.name, if p.output { "input" } else { "output" }));
                }
                out.push(Interface { name: p.name.clone(), kind, data_bits: 1, addr_bits: 0 });
                continue;
            }
            _ => {}
        }
        let Some((iface, sig)) = p.name.rsplit_once('_') else {
            errors.push(format!("port {} is not <interface>_<signal>", p.name));
            continue;
        };
        groups.entry(iface.to_string()).or_default().insert(sig.to_string(), p);
    }
    for (name, sigs) in &groups {
        let have: BTreeSet<&str> = sigs.keys().map(String::as_str).collect();
        let width = |s: &str| sigs.get(s).map_or(0, |p| p.bits);
        let dir_errors = |expect_master: bool, errors: &mut Vec<String>| {
            for (s, p) in sigs {
                let driven = if AXIS.contains(&s.as_str()) {
                    // A stream master drives tdata/tvalid/tlast and takes tready.
                    (s != "tready") == expect_master
                } else {
                    MASTER_DRIVES.contains(&s.as_str()) == expect_master
                };
                if p.output != driven {
                    errors.push(format!("{}: {} points the wrong way", name, p.name));
                }
            }
        };
        let is = |set: &[&str]| have.iter().all(|s| set.contains(s));
        if name.starts_with("s_axi_") {
            let missing: Vec<&&str> = AXI_LITE.iter().filter(|s| !have.contains(**s)).collect();
            if !is(AXI_LITE) || !missing.is_empty() {
                errors.push(format!("{name}: not an AXI4-Lite slave (missing {missing:?}, signals {have:?})"));
                continue;
            }
            dir_errors(false, &mut errors);
            if width("araddr") != width("awaddr")
                || width("wdata") != width("rdata")
                || width("wstrb") * 8 != width("wdata")
            {
                errors.push(format!("{name}: inconsistent AXI4-Lite widths"));
            }
            out.push(Interface {
                name: name.clone(),
                kind: Kind::AxiLiteSlave,
                data_bits: width("wdata"),
                addr_bits: width("awaddr"),
            });
        } else if name.starts_with("m_axi_") {
            let rd = AXI_READ.iter().any(|s| have.contains(s));
            let wr = AXI_WRITE.iter().any(|s| have.contains(s));
            let mut need: Vec<&str> = Vec::new();
            if rd {
                need.extend(AXI_READ);
            }
            if wr {
                need.extend(AXI_WRITE);
            }
            let missing: Vec<&&str> = need.iter().filter(|s| !have.contains(**s)).collect();
            if !is(&need) || !missing.is_empty() || !(rd || wr) {
                errors.push(format!("{name}: not an AXI4 master (missing {missing:?}, signals {have:?})"));
                continue;
            }
            dir_errors(true, &mut errors);
            let (data, addr) = if rd { (width("rdata"), width("araddr")) } else { (width("wdata"), width("awaddr")) };
            if (rd && wr && (width("wdata") != data || width("awaddr") != addr))
                || (wr && width("wstrb") * 8 != width("wdata"))
            {
                errors.push(format!("{name}: inconsistent AXI4 widths"));
            }
            for (s, bits) in [("arlen", 8), ("awlen", 8), ("arsize", 3), ("awsize", 3), ("arburst", 2), ("awburst", 2)]
            {
                if have.contains(s) && width(s) != bits {
                    errors.push(format!("{name}_{s} is {} bits, AXI4 has {bits}", width(s)));
                }
            }
            let kind = match (rd, wr) {
                (true, true) => Kind::AxiMasterReadWrite,
                (true, false) => Kind::AxiMasterRead,
                _ => Kind::AxiMasterWrite,
            };
            out.push(Interface { name: name.clone(), kind, data_bits: data, addr_bits: addr });
        } else if have.contains("tdata") {
            if !is(AXIS) || !have.contains("tvalid") || !have.contains("tready") {
                errors.push(format!("{name}: not an AXI4-Stream interface (signals {have:?})"));
                continue;
            }
            let master = sigs["tvalid"].output;
            dir_errors(master, &mut errors);
            let kind = if master { Kind::StreamMaster } else { Kind::StreamSlave };
            out.push(Interface { name: name.clone(), kind, data_bits: width("tdata"), addr_bits: 0 });
        } else {
            errors.push(format!(
                "ports {name}_{{{}}} form no interface the packager knows",
                sigs.keys().cloned().collect::<Vec<_>>().join(",")
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The recipe files the check reads (their text).
pub struct Recipe<'a> {
    pub package_xo_tcl: &'a str,
    pub kernel_args_tcl: &'a str,
    pub connectivity_cfg: &'a str,
    pub link_cfg: &'a str,
    pub regs_md: &'a str,
}

/// `{...}` entries of a Tcl list variable `set NAME {` ... `}` of kernel_args.tcl, split in words.
fn tcl_entries(text: &str, var: &str) -> Result<Vec<Vec<String>>, String> {
    let start = format!("set {var} {{");
    let mut lines = text.lines().skip_while(|l| l.trim() != start);
    if lines.next().is_none() {
        return Err(format!("kernel_args.tcl has no `{start}`"));
    }
    let mut v = Vec::new();
    for l in lines {
        let t = l.trim();
        if t == "}" {
            return Ok(v);
        }
        let inner =
            t.strip_prefix('{').and_then(|t| t.strip_suffix('}')).ok_or_else(|| format!("{var}: entry {t:?}"))?;
        v.push(inner.split_whitespace().map(|w| if w == "{}" { String::new() } else { w.to_string() }).collect());
    }
    Err(format!("kernel_args.tcl: `{start}` is not closed"))
}

/// One row of regs.md's "Top-level ports" table: (names or patterns, count, kind, width).
type RegsMdRow = (Vec<String>, Option<usize>, String, String);

/// Rows of regs.md's "Top-level ports" table.
fn regs_md_rows(md: &str) -> Result<Vec<RegsMdRow>, String> {
    let mut rows = Vec::new();
    let mut in_section = false;
    for l in md.lines() {
        if l.starts_with("## ") {
            in_section = l.trim() == "## Top-level ports";
            continue;
        }
        if !in_section || !l.starts_with('|') || l.starts_with("|---") || l.starts_with("| interface ") {
            continue;
        }
        let cells: Vec<&str> = l.trim().trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 3 {
            return Err(format!("regs.md: row {l:?} has fewer than 3 cells"));
        }
        let (count, names) = match cells[0].split_once(" x ") {
            Some((n, rest)) => (Some(n.trim().parse::<usize>().map_err(|_| format!("regs.md: count in {l:?}"))?), rest),
            None => (None, cells[0]),
        };
        let names: Vec<String> = names.split(',').map(|n| n.trim().trim_matches('`').to_string()).collect();
        rows.push((names, count, cells[1].to_string(), cells[2].to_string()));
    }
    if rows.is_empty() {
        return Err("regs.md has no \"## Top-level ports\" table".into());
    }
    Ok(rows)
}

/// Does `name` match a regs.md pattern (`{x}` stands for a decimal number)?
fn matches_pattern(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('{');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else { return false };
    for part in parts {
        let Some((_, lit)) = part.split_once('}') else { return false };
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(r) = rest.strip_prefix(lit) else { return false };
        rest = r;
    }
    rest.is_empty()
}

/// What the check found, for its summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub module: String,
    pub masters: usize,
    pub streams_out: usize,
    pub streams_in: usize,
}

/// Compares the RTL's interfaces with the recipe; every difference is one message.
pub fn check_recipe(top: &TopPorts, recipe: &Recipe) -> Result<Summary, Vec<String>> {
    let ifaces = interfaces(top)?;
    let mut errors = Vec::new();
    let by_name: BTreeMap<&str, &Interface> = ifaces.iter().map(|i| (i.name.as_str(), i)).collect();

    // package_xo.tcl: the kernel (top module) it packages, the control interface it names.
    let kernel = recipe
        .package_xo_tcl
        .lines()
        .find_map(|l| l.trim().strip_prefix("set kernel ").map(|k| k.trim().to_string()))
        .unwrap_or_default();
    if kernel != top.module {
        errors.push(format!("package_xo.tcl packages kernel {kernel:?}, the RTL top module is {:?}", top.module));
    }
    match by_name.get("s_axi_control") {
        Some(i) if i.kind == Kind::AxiLiteSlave => {}
        _ => {
            errors.push("the RTL has no AXI4-Lite slave s_axi_control (package_xo.tcl maps the registers on it)".into())
        }
    }
    for (name, kind) in [("ap_clk", Kind::Clock), ("ap_rst_n", Kind::Reset)] {
        if by_name.get(name).map(|i| i.kind) != Some(kind) {
            errors.push(format!("the RTL has no {name} (package_xo.tcl clocks every interface from it)"));
        }
    }

    // kernel_args.tcl: every buffer argument's bus interface is an AXI4 master, and every AXI4
    // master backs an argument; the stream list is exactly the RTL's streams.
    let rtl_masters: BTreeSet<&str> = ifaces
        .iter()
        .filter(|i| matches!(i.kind, Kind::AxiMasterRead | Kind::AxiMasterWrite | Kind::AxiMasterReadWrite))
        .map(|i| i.name.as_str())
        .collect();
    let rtl_streams: BTreeMap<&str, &Interface> = ifaces
        .iter()
        .filter(|i| matches!(i.kind, Kind::StreamMaster | Kind::StreamSlave))
        .map(|i| (i.name.as_str(), i))
        .collect();
    let mut arg_masters = BTreeSet::new();
    match tcl_entries(recipe.kernel_args_tcl, "rsn_kernel_args") {
        Ok(args) => {
            for a in args {
                if a.len() != 5 {
                    errors.push(format!("kernel_args.tcl: argument {a:?} does not have 5 fields"));
                    continue;
                }
                if a[4].is_empty() {
                    continue;
                }
                if !rtl_masters.contains(a[4].as_str()) {
                    errors.push(format!(
                        "kernel_args.tcl: argument {} is served by {}, which the RTL does not have",
                        a[1], a[4]
                    ));
                }
                if !arg_masters.insert(a[4].clone()) {
                    errors.push(format!("kernel_args.tcl: {} serves two arguments", a[4]));
                }
            }
        }
        Err(e) => errors.push(e),
    }
    for m in &rtl_masters {
        if !arg_masters.contains(*m) {
            errors.push(format!("the RTL's AXI4 master {m} backs no kernel argument of kernel_args.tcl"));
        }
    }
    match tcl_entries(recipe.kernel_args_tcl, "rsn_axis_ports") {
        Ok(ports) => {
            let mut listed = BTreeSet::new();
            for p in ports {
                let [name, mode, width] = &p[..] else {
                    errors.push(format!("kernel_args.tcl: stream entry {p:?}"));
                    continue;
                };
                listed.insert(name.clone());
                let Some(i) = rtl_streams.get(name.as_str()) else {
                    errors.push(format!("kernel_args.tcl: stream {name} is not an AXI4-Stream port of the RTL"));
                    continue;
                };
                let rtl_mode = if i.kind == Kind::StreamMaster { "master" } else { "slave" };
                if rtl_mode != mode {
                    errors.push(format!("{name}: kernel_args.tcl says {mode}, the RTL is a {rtl_mode}"));
                }
                if width.parse::<u32>().ok() != Some(i.data_bits) {
                    errors.push(format!(
                        "{name}: kernel_args.tcl says {width} bits, the RTL's TDATA has {}",
                        i.data_bits
                    ));
                }
            }
            for s in rtl_streams.keys() {
                if !listed.contains(*s) {
                    errors.push(format!("the RTL's stream {s} is not in kernel_args.tcl"));
                }
            }
        }
        Err(e) => errors.push(e),
    }

    // connectivity.cfg: one compute unit of this kernel, every master on a memory, every stream
    // connected once in its direction.
    let mut sp = BTreeSet::new();
    let mut sc = BTreeMap::new();
    let mut cu = None;
    for l in recipe.connectivity_cfg.lines().map(str::trim) {
        if let Some(v) = l.strip_prefix("nk=") {
            let f: Vec<&str> = v.split(':').collect();
            if f.first() != Some(&top.module.as_str()) || f.get(1) != Some(&"1") {
                errors.push(format!("connectivity.cfg: `{l}` is not one compute unit of {}", top.module));
            }
            cu = f.get(2).map(|s| s.to_string());
        } else if let Some(v) = l.strip_prefix("sp=") {
            let port = v.split(':').next().unwrap_or("");
            match port.split_once('.') {
                Some((c, p)) if Some(c) == cu.as_deref() => {
                    if !sp.insert(p.to_string()) {
                        errors.push(format!("connectivity.cfg: {p} mapped twice"));
                    }
                }
                _ => errors.push(format!("connectivity.cfg: `{l}` does not name a port of the compute unit")),
            }
        } else if let Some(v) = l.strip_prefix("sc=") {
            let Some((src, dst)) = v.split_once(':') else {
                errors.push(format!("connectivity.cfg: `{l}`"));
                continue;
            };
            let cu_name = cu.clone().unwrap_or_default();
            let (port, from_kernel) = match (src.split_once('.'), dst.split_once('.')) {
                (Some((c, p)), _) if c == cu_name => (p, true),
                (_, Some((c, p))) if c == cu_name => (p, false),
                _ => {
                    errors.push(format!("connectivity.cfg: `{l}` does not touch the compute unit"));
                    continue;
                }
            };
            if sc.insert(port.to_string(), from_kernel).is_some() {
                errors.push(format!("connectivity.cfg: stream {port} connected twice"));
            }
        }
    }
    if cu.is_none() {
        errors.push("connectivity.cfg has no nk= line".into());
    }
    for p in &sp {
        if !rtl_masters.contains(p.as_str()) {
            errors.push(format!("connectivity.cfg maps {p} to a memory; the RTL has no such AXI4 master"));
        }
    }
    for m in &rtl_masters {
        if !sp.contains(*m) {
            errors.push(format!("connectivity.cfg maps the RTL's AXI4 master {m} to no memory"));
        }
    }
    for (p, from_kernel) in &sc {
        match rtl_streams.get(p.as_str()) {
            None => errors.push(format!("connectivity.cfg connects {p}; the RTL has no such stream")),
            Some(i) if (i.kind == Kind::StreamMaster) != *from_kernel => {
                errors.push(format!("connectivity.cfg connects {p} the wrong way for a {}", i.kind.describe()))
            }
            _ => {}
        }
    }
    for s in rtl_streams.keys() {
        if !sc.contains_key(*s) {
            errors.push(format!("connectivity.cfg does not connect the RTL's stream {s}"));
        }
    }

    // link.cfg: the clock goes to this kernel.
    let clocked: Vec<&str> = recipe
        .link_cfg
        .lines()
        .filter_map(|l| l.trim().strip_prefix("freqHz="))
        .filter_map(|v| v.split_once(':').map(|(_, k)| k))
        .collect();
    if !clocked.contains(&top.module.as_str()) {
        errors.push(format!("link.cfg sets no freqHz for {} (it names {clocked:?})", top.module));
    }

    // regs.md: each interface documented exactly once, with its kind and width.
    match regs_md_rows(recipe.regs_md) {
        Ok(rows) => {
            let mut documented: BTreeMap<&str, usize> = BTreeMap::new();
            for (names, count, kind, width) in &rows {
                let mut matched = 0;
                for i in &ifaces {
                    if !names.iter().any(|n| matches_pattern(n, &i.name)) {
                        continue;
                    }
                    matched += 1;
                    *documented.entry(i.name.as_str()).or_default() += 1;
                    if kind != i.kind.describe() {
                        errors.push(format!(
                            "regs.md: {} is listed as {kind:?}, the RTL has a {:?}",
                            i.name,
                            i.kind.describe()
                        ));
                    }
                    let want = if i.kind == Kind::Clock || i.kind == Kind::Reset || i.kind == Kind::Interrupt {
                        "1".to_string()
                    } else {
                        i.width()
                    };
                    if *width != want {
                        errors.push(format!("regs.md: {} is listed {width:?} wide, the RTL's is {want:?}", i.name));
                    }
                }
                match count {
                    Some(n) if *n != matched => {
                        errors.push(format!("regs.md: {n} x {} but the RTL has {matched}", names.join(", ")))
                    }
                    None if matched != names.len() => {
                        errors.push(format!("regs.md lists {} but the RTL has {matched} of them", names.join(", ")))
                    }
                    _ => {}
                }
            }
            for i in &ifaces {
                match documented.get(i.name.as_str()) {
                    None => errors.push(format!("regs.md does not list the RTL's interface {}", i.name)),
                    Some(n) if *n > 1 => errors.push(format!("regs.md lists {} {n} times", i.name)),
                    _ => {}
                }
            }
        }
        Err(e) => errors.push(e),
    }

    if errors.is_empty() {
        Ok(Summary {
            module: top.module.clone(),
            masters: rtl_masters.len(),
            streams_out: rtl_streams.values().filter(|i| i.kind == Kind::StreamMaster).count(),
            streams_in: rtl_streams.values().filter(|i| i.kind == Kind::StreamSlave).count(),
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(name: &str, output: bool, bits: u32) -> Port {
        Port { name: name.into(), output, bits }
    }

    /// A two-stream, one-master kernel and a recipe that describes it.
    fn small() -> (TopPorts, [String; 5]) {
        let mut ports = vec![port("ap_clk", false, 1), port("ap_rst_n", false, 1), port("interrupt", true, 1)];
        for (s, _, _) in [
            ("awaddr", 0, 0),
            ("awvalid", 0, 0),
            ("awready", 0, 0),
            ("wdata", 0, 0),
            ("wstrb", 0, 0),
            ("wvalid", 0, 0),
            ("wready", 0, 0),
            ("bresp", 0, 0),
            ("bvalid", 0, 0),
            ("bready", 0, 0),
            ("araddr", 0, 0),
            ("arvalid", 0, 0),
            ("arready", 0, 0),
            ("rdata", 0, 0),
            ("rresp", 0, 0),
            ("rvalid", 0, 0),
            ("rready", 0, 0),
        ] {
            let bits = match s {
                "awaddr" | "araddr" => 12,
                "wdata" | "rdata" => 32,
                "wstrb" => 4,
                "bresp" | "rresp" => 2,
                _ => 1,
            };
            ports.push(port(&format!("s_axi_control_{s}"), !MASTER_DRIVES.contains(&s), bits));
        }
        for s in AXI_READ {
            let bits = match *s {
                "araddr" => 64,
                "arlen" => 8,
                "arsize" => 3,
                "arburst" | "rresp" => 2,
                "rdata" => 512,
                _ => 1,
            };
            ports.push(port(&format!("m_axi_ddr0_{s}"), MASTER_DRIVES.contains(s), bits));
        }
        for (n, master) in [("mme0_a_r0_k0", true), ("mme0_c_r0_c0", false)] {
            ports.push(port(&format!("{n}_tdata"), master, 64));
            ports.push(port(&format!("{n}_tvalid"), master, 1));
            ports.push(port(&format!("{n}_tlast"), master, 1));
            ports.push(port(&format!("{n}_tready"), !master, 1));
        }
        let top = TopPorts { module: "k".into(), ports };
        let files = [
            "set kernel k\n".to_string(),
            "set rsn_kernel_args {\n  {0 ddr0 0x010 8 m_axi_ddr0}\n  {1 n 0x018 4 {}}\n}\nset rsn_axis_ports {\n  {mme0_a_r0_k0 master 64}\n  {mme0_c_r0_c0 slave 64}\n}\n".to_string(),
            "[connectivity]\nnk=k:1:k\nsp=k.m_axi_ddr0:DDR\nsc=k.mme0_a_r0_k0:ai_engine_0.mme0_a_r0_k0\nsc=ai_engine_0.mme0_c_r0_c0:k.mme0_c_r0_c0\n".to_string(),
            "[clock]\nfreqHz=260000000:k\n".to_string(),
            "## Top-level ports\n\n| interface | kind | width | notes |\n|---|---|---|---|\n| `ap_clk` | clock | 1 | |\n| `ap_rst_n` | reset, active low | 1 | |\n| `interrupt` | interrupt | 1 | |\n| `s_axi_control` | AXI4-Lite slave | 32 data, 12 address | |\n| `m_axi_ddr0` | AXI4 master, read only | 512 data, 64 address | |\n| 1 x `mme{e}_a_r{r}_k{s}` | AXI4-Stream master | 64 | |\n| 1 x `mme{e}_c_r{r}_c{c}` | AXI4-Stream slave | 64 | |\n\n## Next\n| `nothing` | x | y |\n".to_string(),
        ];
        (top, files)
    }

    fn run(top: &TopPorts, f: &[String; 5]) -> Result<Summary, Vec<String>> {
        check_recipe(
            top,
            &Recipe {
                package_xo_tcl: &f[0],
                kernel_args_tcl: &f[1],
                connectivity_cfg: &f[2],
                link_cfg: &f[3],
                regs_md: &f[4],
            },
        )
    }

    fn fails_with(top: &TopPorts, f: &[String; 5], needle: &str) {
        let e = run(top, f).expect_err("the check must fail");
        assert!(e.iter().any(|m| m.contains(needle)), "no message with {needle:?} in {e:#?}");
    }

    #[test]
    fn a_matching_recipe_passes() {
        let (top, f) = small();
        let s = run(&top, &f).unwrap();
        assert_eq!(s, Summary { module: "k".into(), masters: 1, streams_out: 1, streams_in: 1 });
    }

    #[test]
    fn every_kind_of_mismatch_fails() {
        let (top, f) = small();
        // A stream width.
        let mut t = top.clone();
        t.ports.iter_mut().find(|p| p.name == "mme0_a_r0_k0_tdata").unwrap().bits = 32;
        fails_with(&t, &f, "kernel_args.tcl says 64 bits");
        // A stream the recipe does not know, and a missing one.
        let mut t = top.clone();
        for p in t.ports.iter_mut().filter(|p| p.name.starts_with("mme0_c_r0_c0")) {
            p.name = p.name.replace("mme0_c_r0_c0", "mme0_c_r0_c9");
        }
        fails_with(&t, &f, "mme0_c_r0_c9 is not in kernel_args.tcl");
        fails_with(&t, &f, "does not connect the RTL's stream mme0_c_r0_c9");
        fails_with(&t, &f, "stream mme0_c_r0_c0 is not an AXI4-Stream port");
        // An argument without its master (the old lpddr1 case).
        let mut g = f.clone();
        g[1] = g[1].replace("{1 n 0x018 4 {}}", "{1 lpddr1 0x018 8 m_axi_lpddr1}");
        fails_with(&top, &g, "served by m_axi_lpddr1, which the RTL does not have");
        // A master without a memory.
        let mut g = f.clone();
        g[2] = g[2].replace("sp=k.m_axi_ddr0:DDR\n", "");
        fails_with(&top, &g, "maps the RTL's AXI4 master m_axi_ddr0 to no memory");
        // A stream connected the wrong way.
        let mut g = f.clone();
        g[2] = g[2].replace("sc=k.mme0_a_r0_k0:ai_engine_0.mme0_a_r0_k0", "sc=ai_engine_0.mme0_a_r0_k0:k.mme0_a_r0_k0");
        fails_with(&top, &g, "the wrong way");
        // Another kernel name.
        let mut g = f.clone();
        g[0] = "set kernel rsn_xnn_top\n".into();
        fails_with(&top, &g, "packages kernel \"rsn_xnn_top\"");
        g = f.clone();
        g[3] = "freqHz=1:other\n".into();
        fails_with(&top, &g, "link.cfg sets no freqHz for k");
        // regs.md: a wrong width, a wrong count, a port it does not list, a bused port.
        let mut g = f.clone();
        g[4] = g[4].replace("512 data, 64 address", "64 data, 64 address");
        fails_with(&top, &g, "m_axi_ddr0 is listed \"64 data, 64 address\" wide");
        let mut g = f.clone();
        g[4] = g[4].replace("| 1 x `mme{e}_a_r{r}_k{s}`", "| 192 x `mme{e}_a_r{r}_k{s}`");
        fails_with(&top, &g, "192 x mme{e}_a_r{r}_k{s} but the RTL has 1");
        let mut g = f.clone();
        g[4] = g[4].replace("| `interrupt` | interrupt | 1 | |\n", "");
        fails_with(&top, &g, "does not list the RTL's interface interrupt");
        let mut g = f.clone();
        g[4] = g[4].replace("| `m_axi_ddr0` |", "| `m_axi_ddr0`, `m_axi_lpddr1` |");
        fails_with(&top, &g, "the RTL has 1 of them");
        let mut g = f.clone();
        g[4] = g[4].replace("AXI4 master, read only", "AXI4 master");
        fails_with(&top, &g, "listed as \"AXI4 master\"");
        // A port that points the wrong way, and one that fits no interface.
        let mut t = top.clone();
        t.ports.iter_mut().find(|p| p.name == "m_axi_ddr0_rready").unwrap().output = false;
        fails_with(&t, &f, "m_axi_ddr0_rready points the wrong way");
        let mut t = top.clone();
        t.ports.push(port("mme_a_tvalid", true, 96));
        fails_with(&t, &f, "form no interface");
        let mut t = top.clone();
        t.ports.retain(|p| p.name != "m_axi_ddr0_rlast");
        fails_with(&t, &f, "not an AXI4 master");
    }

    #[test]
    fn verilator_xml_ports_and_widths() {
        let xml = r#"<verilator_xml><netlist>
<module loc="c,2" name="top" origName="top" topModule="1">
<var loc="c" name="clk" dtype_id="1" dir="input" pinIndex="1" vartype="logic" origName="clk"/>
<var loc="c" name="x_tdata" dtype_id="2" dir="output" pinIndex="2" vartype="logic" origName="x_tdata"/>
<var loc="c" name="w" dtype_id="2" vartype="logic" origName="w"/>
<func loc="c" name="f" dtype_id="1"><var loc="c" name="arg" dtype_id="1" dir="input" vartype="logic" origName="arg"/></func>
</module>
<module loc="c,1" name="sub" origName="sub">
<var loc="c" name="a" dtype_id="3" dir="input" pinIndex="1" vartype="logic" origName="a"/>
</module>
<typetable loc="a"><basicdtype loc="c" id="1" name="logic"/><basicdtype loc="c" id="2" name="logic" left="63" right="0"/>
<basicdtype loc="c" id="3" name="logic" left="3" right="0"/></typetable></netlist></verilator_xml>"#;
        let t = parse_verilator_xml(xml).unwrap();
        assert_eq!(t.module, "top");
        assert_eq!(t.ports, vec![port("clk", false, 1), port("x_tdata", true, 64)]);
        assert!(parse_verilator_xml(&xml.replace(" topModule=\"1\"", "")).is_err());
        assert!(parse_verilator_xml(&xml.replace("dtype_id=\"2\" dir", "dtype_id=\"9\" dir")).is_err());
    }

    #[test]
    fn patterns() {
        assert!(matches_pattern("mme{e}_a_r{r}_k{s}", "mme5_a_r3_k0"));
        assert!(!matches_pattern("mme{e}_a_r{r}_k{s}", "mme5_a_r3_k"));
        assert!(!matches_pattern("mme{e}_a_r{r}_k{s}", "mme5_b_k3_c0"));
        assert!(matches_pattern("m_axi_ddr0", "m_axi_ddr0"));
        assert!(!matches_pattern("m_axi_ddr0", "m_axi_ddr01"));
    }
}
