"""Resource count, memory inference and register-to-register timing of one mapped netlist.

Reads a Yosys `write_json` netlist produced by `synth_xilinx -family xcup -flatten` (UltraScale+
cells standing for Versal's: LUT1-6, MUXF7-9, CARRY4, FD*, DSP48E2, RAMB18E2/RAMB36E2, URAM288,
LUT RAM, SRL) and the delay model rtl/fit/delay_model.toml. Standard library only.

Timing: every cell input or output bit is a node. Paths start at register outputs (flip-flop Q, a
DSP's internal registers, block RAM / UltraRAM / LUT RAM / SRL outputs) and end at register inputs
(setup). Each net between two cells adds the routing allowance unless it is a dedicated connection
(LUT -> MUXF7 -> MUXF8 -> MUXF9, LUT -> CARRY4 S/DI, CARRY4 CO -> CI, DSP cascades). Module ports
and black-box pins (composed units) start and end "partial" paths, reported apart: they are not
register-to-register paths of this netlist. Fanout and placement are not modelled.
"""

from __future__ import annotations

import json
import re
import sys

NEG = float("-inf")

LUT_TYPES = {"LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "LUT6_2"}
MUXF_TYPES = {"MUXF7", "MUXF8", "MUXF9"}
FF_TYPES = {"FDRE", "FDSE", "FDCE", "FDPE", "FDRE_1", "FDSE_1", "FDCE_1", "FDPE_1"}
LATCH_TYPES = {"LDCE", "LDPE"}
# LUT RAM primitives and the LUTs each occupies (UG974 / AM005: a RAM64M8 is eight LUTs, ...).
LUTRAM_LUTS = {
    "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4, "RAM512X1S": 8,
    "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1D": 8,
    "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X16DR8": 8,
    "RAM64X8SW": 8,
}
SRL_TYPES = {"SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1}
IGNORED_TYPES = {"BUFG", "BUFGCE", "IBUF", "OBUF", "GND", "VCC", "INV_CLK"}


def load_delays(path: str) -> dict:
    import tomllib

    with open(path, "rb") as f:
        raw = tomllib.load(f)
    out = {}
    for sect, vals in raw.items():
        if sect == "meta":
            continue
        for key, v in vals.items():
            out[f"{sect}.{key}"] = float(v["value"])
    return out


def _param_int(cell: dict, name: str, default: int = 0) -> int:
    v = cell.get("parameters", {}).get(name)
    if v is None:
        return default
    if isinstance(v, int):
        return v
    s = str(v).strip()
    if re.fullmatch(r"[01xz]+", s):
        s = s.replace("x", "0").replace("z", "0")
        return int(s, 2) if s else 0
    try:
        return int(s)
    except ValueError:
        return default


_BIT_SUFFIX = re.compile(r"\s*\[\d+\]$")


def stem(name: str) -> str:
    """A register bit's name without its bit index: `u.x_q [3]` -> `u.x_q`."""
    return _BIT_SUFFIX.sub("", name)


class Netlist:
    def __init__(self, path: str, top: str | None = None, blackboxes: tuple[str, ...] = ()):
        with open(path) as f:
            data = json.load(f)
        mods = data["modules"]
        if top is None:
            tops = [n for n, m in mods.items() if _param_int(m, "top") or m.get("attributes", {}).get("top")]
            top = tops[0] if tops else next(iter(mods))
        self.top = top
        self.mod = mods[top]
        # Black boxes of a composed unit: the named RTL modules, also as parameterised derivatives
        # (`$paramod\\name\\P=...`). synth_xilinx's own cell library is black boxes too, which
        # is why the names are given rather than read from the blackbox attribute.
        self.blackbox_types = set()
        for n in mods:
            for bb in blackboxes:
                if n == bb or n.startswith(f"$paramod\\{bb}\\") or n == f"\\{bb}":
                    self.blackbox_types.add(n)
        for _, c in self.mod["cells"].items():
            for bb in blackboxes:
                if c["type"] == bb or c["type"].startswith(f"$paramod\\{bb}\\"):
                    self.blackbox_types.add(c["type"])
        self.cells = list(self.mod["cells"].items())
        self.ports = self.mod["ports"]
        # Best public name of every bit (for reports).
        self.bitname: dict[int, str] = {}
        pref: dict[int, tuple] = {}
        for n, nn in self.mod["netnames"].items():
            hidden = bool(nn.get("hide_name"))
            for i, b in enumerate(nn["bits"]):
                if not isinstance(b, int):
                    continue
                label = n if len(nn["bits"]) == 1 else f"{n} [{i}]"
                key = (hidden, len(label))
                if b not in pref or key < pref[b]:
                    pref[b] = key
                    self.bitname[b] = label

    def name(self, bit) -> str:
        return self.bitname.get(bit, f"net{bit}")


# ------------------------------------------------------------------------------------------------
# Resources


def resources(nl: Netlist) -> dict:
    r = {"lut": 0, "lut_logic": 0, "lutram_luts": 0, "srl": 0, "ff": 0, "latch": 0, "dsp": 0,
         "bram36": 0.0, "uram": 0, "carry": 0, "muxf": 0, "blackbox_cells": 0, "other": {}}
    for _, c in nl.cells:
        t = c["type"]
        if t in LUT_TYPES:
            r["lut"] += 1
            r["lut_logic"] += 1
        elif t in LUTRAM_LUTS:
            r["lut"] += LUTRAM_LUTS[t]
            r["lutram_luts"] += LUTRAM_LUTS[t]
        elif t in SRL_TYPES:
            r["lut"] += 1
            r["srl"] += 1
        elif t in FF_TYPES:
            r["ff"] += 1
        elif t in LATCH_TYPES:
            r["latch"] += 1
        elif t == "DSP48E2":
            r["dsp"] += 1
        elif t == "RAMB36E2":
            r["bram36"] += 1
        elif t == "RAMB18E2":
            r["bram36"] += 0.5
        elif t == "URAM288":
            r["uram"] += 1
        elif t == "CARRY4" or t == "CARRY8":
            r["carry"] += 1
        elif t in MUXF_TYPES:
            r["muxf"] += 1
        elif t in nl.blackbox_types:
            r["blackbox_cells"] += 1
        elif t in ("INV",) or t in IGNORED_TYPES:
            pass
        else:
            r["other"][t] = r["other"].get(t, 0) + 1
    return r


# ------------------------------------------------------------------------------------------------
# Timing

# Kinds of path ends: "reg" (a register of this netlist) or "io" (a port or black-box pin).


class Timing:
    def __init__(self, nl: Netlist, d: dict):
        self.nl = nl
        self.d = d
        self.driver: dict[int, tuple[int, str]] = {}
        self.cells = nl.cells
        for ci, (_, c) in enumerate(self.cells):
            dirs = c.get("port_directions", {})
            for p, bits in c["connections"].items():
                if dirs.get(p) == "output":
                    for b in bits:
                        if isinstance(b, int):
                            self.driver[b] = (ci, p)
        self.port_in_bits = set()
        for p, pv in nl.ports.items():
            if pv["direction"] in ("input", "inout"):
                self.port_in_bits.update(b for b in pv["bits"] if isinstance(b, int))
        # Per bit: (arrival from a register start, arrival from an io start); predecessor for the
        # register arrival: (previous bit or None, cell index, start label or None).
        self.arr: dict[int, tuple[float, float]] = {}
        self.pred: dict[int, tuple] = {}
        self.loops = 0
        self._dsp_cache: dict[int, dict] = {}

    # --- helpers --------------------------------------------------------------------------------
    def ctype(self, ci: int) -> str:
        return self.cells[ci][1]["type"]

    def is_dedicated(self, bit: int, sink_type: str, sink_port: str) -> bool:
        drv = self.driver.get(bit)
        if drv is None:
            return False
        st = self.ctype(drv[0])
        if sink_type == "MUXF7" and sink_port in ("I0", "I1"):
            return st in LUT_TYPES
        if sink_type == "MUXF8" and sink_port in ("I0", "I1"):
            return st == "MUXF7"
        if sink_type == "MUXF9" and sink_port in ("I0", "I1"):
            return st == "MUXF8"
        if sink_type == "CARRY4":
            if sink_port in ("CI", "CYINIT"):
                return st == "CARRY4"
            if sink_port in ("S", "DI"):
                return st in LUT_TYPES
        if sink_type == "DSP48E2" and sink_port in ("PCIN", "ACIN", "BCIN", "CARRYCASCIN", "MULTSIGNIN"):
            return st == "DSP48E2"
        return False

    def pin_arrival(self, bit, sink_ci: int, sink_port: str):
        """Arrival at a cell's input pin: the net's arrival plus the routing allowance."""
        if not isinstance(bit, int):
            return (NEG, NEG)
        a = self.arrival(bit)
        drv = self.driver.get(bit)
        # An inverter is absorbed into the LUT it feeds: no net of its own on its input side.
        if drv is not None and self.ctype(drv[0]) == "INV":
            route = 0.0
        elif self.is_dedicated(bit, self.ctype(sink_ci), sink_port):
            route = 0.0
        else:
            route = self.d["route.per_net"]
        return (a[0] + route, a[1] + route)

    # --- arrival --------------------------------------------------------------------------------
    def arrival(self, bit: int) -> tuple[float, float]:
        if bit in self.arr:
            v = self.arr[bit]
            if v is None:  # on the stack: combinational loop
                self.loops += 1
                return (NEG, NEG)
            return v
        # Iterative evaluation to keep Python's stack small on deep logic.
        stack = [bit]
        while stack:
            b = stack[-1]
            if b in self.arr and self.arr[b] is not None:
                stack.pop()
                continue
            deps = self._deps(b)
            self.arr[b] = None
            pending = [x for x in deps if isinstance(x, int) and x not in self.arr]
            if pending:
                stack.extend(pending)
                continue
            # Any dep still None is on the stack (a loop): arrival() returns -inf for it.
            self.arr[b] = self._eval(b)
            stack.pop()
        return self.arr[bit]

    def _deps(self, b: int):
        drv = self.driver.get(b)
        if drv is None:
            return []
        ci, port = drv
        c = self.cells[ci][1]
        t = c["type"]
        conns = c["connections"]
        if t in FF_TYPES or t in ("RAMB36E2", "RAMB18E2", "URAM288") or t in self.nl.blackbox_types:
            return []
        ins = []
        for p, bits in conns.items():
            if c.get("port_directions", {}).get(p) == "input":
                for x in bits:
                    if isinstance(x, int):
                        ins.append(x)
        if t in LUTRAM_LUTS or t in SRL_TYPES:
            return [x for p in self._read_addr_ports(t, port, conns) for x in conns.get(p, []) if isinstance(x, int)]
        return ins

    @staticmethod
    def _read_addr_ports(t: str, out_port: str, conns: dict) -> list[str]:
        if t in SRL_TYPES:
            return ["A"]
        if t in ("RAM32M", "RAM64M", "RAM32M16", "RAM64M8"):
            letter = out_port[-1]  # DOA..DOH <- ADDRA..ADDRH
            return [f"ADDR{letter}"]
        if out_port == "DPO":
            return [p for p in conns if p.startswith("DPRA")]
        # SPO / O of single- and dual-port RAMs: the write/read address A, A0.., ADR..
        return [p for p in conns if re.fullmatch(r"A\d*|ADR\d*", p)]

    @staticmethod
    def _read_only_addr(t: str, p: str) -> bool:
        if t in SRL_TYPES:
            return p == "A"
        if t in ("RAM32M", "RAM64M", "RAM32M16", "RAM64M8"):
            return p.startswith("ADDR") and p != "ADDRH" and not (t in ("RAM32M", "RAM64M") and p == "ADDRD")
        return p.startswith("DPRA")

    def _start(self, b: int, delay: float, label: str):
        self.pred[b] = (None, None, label)
        return (delay, NEG)

    def _eval(self, b: int) -> tuple[float, float]:
        d = self.d
        drv = self.driver.get(b)
        if drv is None:
            if b in self.port_in_bits:
                return (NEG, 0.0)
            return (NEG, NEG)  # undriven or constant
        ci, port = drv
        cname, c = self.cells[ci]
        t = c["type"]
        conns = c["connections"]
        dirs = c.get("port_directions", {})
        if t in FF_TYPES:
            return self._start(b, d["ff.clk_to_q"], "FF")
        if t in self.nl.blackbox_types:
            return (NEG, 0.0)
        if t in ("RAMB36E2", "RAMB18E2"):
            if port.startswith("DOUTB") or port.startswith("DOUTPB") or port.startswith("CASDOUTB"):
                reg = _param_int(c, "DOB_REG")
            else:
                reg = _param_int(c, "DOA_REG")
            key = "bram.clk_to_out_reg" if reg else "bram.clk_to_out_no_reg"
            return self._start(b, d[key], "BRAM" + ("(reg)" if reg else ""))
        if t == "URAM288":
            side = "B" if port.endswith("_B") else "A"
            reg = _param_int(c, f"OREG_{side}") if f"OREG_{side}" in c.get("parameters", {}) else 0
            if isinstance(c.get("parameters", {}).get(f"OREG_{side}"), str) and "TRUE" in c["parameters"][f"OREG_{side}"]:
                reg = 1
            key = "uram.clk_to_out_reg" if reg else "uram.clk_to_out_no_reg"
            return self._start(b, d[key], "URAM" + ("(reg)" if reg else ""))
        if t == "DSP48E2":
            return self._eval_dsp(ci, b, port)
        # Combinational (and LUT RAM / SRL read) cells.
        if t in LUT_TYPES:
            delay = d["lut.delay"]
        elif t in MUXF_TYPES:
            delay = d["muxf.delay"]
        elif t == "INV":
            delay = 0.0
        elif t in ("CARRY4", "CARRY8"):
            delay = None  # per input port below
        elif t in LUTRAM_LUTS or t in SRL_TYPES:
            delay = d["lut.delay"]
        else:
            delay = d["lut.delay"]  # unknown combinational primitive: one LUT's worth (reported in resources.other)
        best_r, best_p, best_pred = NEG, NEG, None
        if t in LUTRAM_LUTS or t in SRL_TYPES:
            in_ports = self._read_addr_ports(t, port, conns)
        else:
            in_ports = [p for p in conns if dirs.get(p) == "input"]
        for p in in_ports:
            pd = delay
            if delay is None:
                pd = d["carry.ci_to_out"] if p in ("CI", "CYINIT", "CI_TOP") else d["carry.in_to_out"]
            for x in conns.get(p, []):
                if not isinstance(x, int):
                    continue
                ar, ap = self.pin_arrival(x, ci, p)
                if ar + pd > best_r:
                    best_r, best_pred = ar + pd, x
                best_p = max(best_p, ap + pd)
        if t in LUTRAM_LUTS or t in SRL_TYPES:
            # The stored word changes at the write clock: a path start of its own.
            start = d["lutram.clk_to_out"]
            if start >= best_r:
                self.pred[b] = (None, ci, "LUTRAM" if t in LUTRAM_LUTS else "SRL")
                return (start, best_p)
        if best_pred is not None:
            self.pred[b] = (best_pred, ci, None)
        return (best_r, best_p)

    def _dsp_inputs(self, ci: int, ports: list[str]):
        c = self.cells[ci][1]
        best_r, best_p, pred = NEG, NEG, None
        for p in ports:
            for x in c["connections"].get(p, []):
                if not isinstance(x, int):
                    continue
                ar, ap = self.pin_arrival(x, ci, p)
                if ar > best_r:
                    best_r, pred = ar, x
                best_p = max(best_p, ap)
        return best_r, best_p, pred

    MULT_IN = ["A", "B", "D", "ACIN", "BCIN", "INMODE"]
    ALU_IN = ["C", "PCIN", "OPMODE", "ALUMODE", "CARRYIN", "CARRYINSEL", "CARRYCASCIN", "MULTSIGNIN"]

    def _dsp_stage(self, ci: int) -> dict:
        """Arrival at the DSP's multiplier output (M) and at its P output, honouring its registers."""
        if ci in self._dsp_cache:
            return self._dsp_cache[ci]
        d = self.d
        c = self.cells[ci][1]
        areg = _param_int(c, "AREG") or _param_int(c, "BREG") or _param_int(c, "DREG")
        mreg = _param_int(c, "MREG")
        preg = _param_int(c, "PREG")
        res = {}
        # Multiplier input: register outputs (AREG/BREG) start there, otherwise the pins' arrival.
        if areg:
            m_in = (d["ff.clk_to_q"], NEG, None, "DSP.AREG/BREG")
        else:
            r, p, pred = self._dsp_inputs(ci, self.MULT_IN)
            m_in = (r, p, pred, None)
        m_out = (m_in[0] + d["dsp.mult_stage"], m_in[1] + d["dsp.mult_stage"], m_in[2], m_in[3])
        res["m_end"] = m_out  # what MREG (if present) sees
        if mreg:
            alu_m = (d["ff.clk_to_q"], NEG, None, "DSP.MREG")
        else:
            alu_m = m_out
        creg = _param_int(c, "CREG")
        r2, p2, pred2 = self._dsp_inputs(ci, [p for p in self.ALU_IN if not (p == "C" and creg)])
        if r2 > alu_m[0]:
            alu_in = (r2, max(p2, alu_m[1]), pred2, None)
        else:
            alu_in = (alu_m[0], max(p2, alu_m[1]), alu_m[2], alu_m[3])
        p_out = (alu_in[0] + d["dsp.alu_stage"], alu_in[1] + d["dsp.alu_stage"], alu_in[2], alu_in[3])
        res["p_end"] = p_out
        res["preg"] = preg
        res["mreg"] = mreg
        res["areg"] = areg
        self._dsp_cache[ci] = res
        return res

    def _eval_dsp(self, ci: int, b: int, port: str):
        d = self.d
        st = self._dsp_stage(ci)
        if st["preg"]:
            return self._start(b, d["ff.clk_to_q"], "DSP.PREG")
        r, p, pred, label = st["p_end"]
        if pred is not None:
            self.pred[b] = (pred, ci, None)
        elif label is not None:
            self.pred[b] = (None, ci, label)
        return (r, p)

    # --- endpoints ------------------------------------------------------------------------------
    def endpoints(self):
        """Yield (kind, arrival_reg, arrival_io, setup, last_bit, cell index, pin label)."""
        d = self.d
        for ci, (cname, c) in enumerate(self.cells):
            t = c["type"]
            conns = c["connections"]
            dirs = c.get("port_directions", {})
            if t in FF_TYPES:
                for p in ("D", "CE", "R", "S", "CLR", "PRE"):
                    for x in conns.get(p, []):
                        if isinstance(x, int):
                            ar, ap = self.pin_arrival(x, ci, p)
                            yield ("reg", ar, ap, d["ff.setup"], x, ci, p)
            elif t in ("RAMB36E2", "RAMB18E2", "URAM288") or t in LUTRAM_LUTS or t in SRL_TYPES:
                setup = {"RAMB36E2": "bram.setup", "RAMB18E2": "bram.setup", "URAM288": "uram.setup"}.get(t, "lutram.setup")
                for p, bits in conns.items():
                    if dirs.get(p) != "input" or p.startswith("CLK") or p in ("WCLK", "CLK"):
                        continue
                    if self._read_only_addr(t, p):
                        continue  # a read address: a combinational input (arc to the output)
                    for x in bits:
                        if isinstance(x, int):
                            ar, ap = self.pin_arrival(x, ci, p)
                            yield ("reg", ar, ap, d[setup], x, ci, p)
            elif t == "DSP48E2":
                st = self._dsp_stage(ci)
                if st["areg"]:
                    for p in self.MULT_IN:
                        for x in conns.get(p, []):
                            if isinstance(x, int):
                                ar, ap = self.pin_arrival(x, ci, p)
                                yield ("reg", ar, ap, d["ff.setup"], x, ci, p)
                if st["mreg"]:
                    r, p_, pred, label = st["m_end"]
                    yield ("dsp_m", r, p_, d["ff.setup"], pred, ci, "MREG" if label is None else label)
                if st["preg"]:
                    r, p_, pred, label = st["p_end"]
                    yield ("dsp_p", r, p_, d["ff.setup"], pred, ci, "PREG" if label is None else label)
            elif t in self.nl.blackbox_types:
                for p, bits in conns.items():
                    if dirs.get(p) != "input":
                        continue
                    for x in bits:
                        if isinstance(x, int):
                            ar, ap = self.pin_arrival(x, ci, p)
                            yield ("io", ar, ap, 0.0, x, ci, p)
        for pname, pv in self.nl.ports.items():
            if pv["direction"] in ("output", "inout"):
                for x in pv["bits"]:
                    if isinstance(x, int):
                        ar, ap = self.arrival(x)
                        yield ("io", ar, ap, 0.0, x, None, pname)

    # --- reports --------------------------------------------------------------------------------
    def trace(self, bit) -> tuple[str, list[str]]:
        """Start label and the cell types along the register-arrival path ending at `bit`."""
        types = []
        seen = 0
        start = "?"
        while isinstance(bit, int) and seen < 100000:
            seen += 1
            pr = self.pred.get(bit)
            if pr is None:
                start = self.nl.name(bit)
                break
            prev, ci, label = pr
            if ci is not None:
                types.append(self.ctype(ci))
            if prev is None:
                # A register start: name it by the bit it drives (its Q net) or the cell.
                cname = self.cells[ci][0] if ci is not None else ""
                if label and label.startswith(("LUTRAM", "SRL", "BRAM", "URAM", "DSP")):
                    start = f"{label} {self.nl.name(bit)}" if not cname else f"{label} {self.nl.name(bit)}"
                else:
                    start = self.nl.name(bit)
                break
            bit = prev
        types.reverse()
        return start, types

    def end_name(self, kind: str, ci, pin: str, bit) -> str:
        if ci is None:
            return f"port {pin}"
        cname, c = self.cells[ci]
        t = c["type"]
        if t in FF_TYPES:
            q = c["connections"].get("Q", [None])[0]
            base = stem(self.nl.name(q)) if isinstance(q, int) else cname
            return base if pin == "D" else f"{base} ({pin})"
        if t == "DSP48E2":
            p0 = c["connections"].get("P", [None])[0]
            return f"DSP {stem(self.nl.name(p0)) if isinstance(p0, int) else cname} ({pin})"
        if t in self.nl.blackbox_types:
            return f"black box {cname.split('.')[-1]} ({t}).{pin}"
        # Memories: name them by their first data output.
        outs = [b for p, bits in c["connections"].items() if c.get("port_directions", {}).get(p) == "output" for b in bits if isinstance(b, int)]
        base = stem(self.nl.name(outs[0])) if outs else cname
        return f"{t} {base} ({pin})"


def analyse_timing(nl: Netlist, d: dict, top_n: int = 10) -> dict:
    tm = Timing(nl, d)
    groups: dict[tuple, dict] = {}
    worst_io = NEG
    worst_io_desc = None
    n_end = 0
    for kind, ar, ap, setup, bit, ci, pin in tm.endpoints():
        n_end += 1
        if kind == "io":
            # A port or black-box pin as the end: reg -> out is partial.
            if ar > NEG and ar > worst_io:
                worst_io, worst_io_desc = ar, ("reg->boundary", bit, ci, pin)
            continue
        if ap > NEG and ap + setup > worst_io:
            worst_io, worst_io_desc = ap + setup, ("boundary->reg", bit, ci, pin)
        if ar == NEG:
            continue
        total = ar + setup
        start, types = tm.trace(bit) if isinstance(bit, int) else ("DSP internal", [])
        if kind in ("dsp_m", "dsp_p"):
            types = types + ["DSP48E2"]
            if not isinstance(bit, int):
                start = pin if pin not in ("MREG", "PREG") else start
        end = tm.end_name(kind, ci, pin, bit)
        if kind == "dsp_m":
            end = f"DSP {tm.cells[ci][0].split('.')[-1]} (MREG)"
        elif kind == "dsp_p":
            p0 = tm.cells[ci][1]["connections"].get("P", [None])[0]
            end = f"DSP {stem(nl.name(p0)) if isinstance(p0, int) else tm.cells[ci][0]} (PREG)"
        start = stem(start)
        key = (start, end)
        g = groups.get(key)
        if g is None or total > g["ns"]:
            counts: dict[str, int] = {}
            for t in types:
                k = "LUT" if t in LUT_TYPES else ("LUTRAM" if t in LUTRAM_LUTS else t)
                counts[k] = counts.get(k, 0) + 1
            groups[key] = {
                "ns": round(total, 3),
                "start": start,
                "end": end,
                "levels": sum(1 for t in types if t != "INV"),
                "cells": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
            }
    paths = sorted(groups.values(), key=lambda g: -g["ns"])[:top_n]
    res = {
        "worst_path_ns": paths[0]["ns"] if paths else 0.0,
        "paths": paths,
        "endpoints": n_end,
        "comb_loops": tm.loops,
        "worst_partial_ns": round(worst_io, 3) if worst_io > NEG else None,
    }
    if worst_io_desc is not None:
        kind, bit, ci, pin = worst_io_desc
        res["worst_partial_kind"] = kind
    return res


# ------------------------------------------------------------------------------------------------
# Memory inference: the $mem_v2 cells dumped before memory mapping and what yosys mapped them to.


def parse_mem_dump(path: str) -> list[dict]:
    mems = []
    cur = None
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s.startswith("cell $mem_v2 "):
                cur = {"cell": s.split()[-1], "params": {}}
            elif cur is not None and s.startswith("parameter "):
                parts = s.split(None, 2)
                if len(parts) == 3:
                    cur["params"][parts[1]] = parts[2]
            elif cur is not None and s == "end":
                mems.append(cur)
                cur = None
    out = []
    for m in mems:
        p = m["params"]

        def num(k, default=0):
            v = p.get(k)
            if v is None:
                return default
            v = v.strip()
            if "'" in v:
                w, bits = v.split("'", 1)
                bits = bits.replace("x", "0").replace("z", "0")
                return int(bits, 2) if bits else 0
            try:
                return int(v)
            except ValueError:
                return default

        memid = p.get("\\MEMID", m["cell"]).strip('"')
        width, size = num("\\WIDTH"), num("\\SIZE")
        rd_ports = num("\\RD_PORTS")
        rd_clk_en = p.get("\\RD_CLK_ENABLE", "")
        sync = ("1" in rd_clk_en.split("'", 1)[-1]) if rd_clk_en else False
        out.append({
            "name": memid.lstrip("\\"),
            "width": width,
            "depth": size,
            "bits": width * size,
            "read_ports": rd_ports,
            "sync_read": bool(sync),
        })
    return out


def parse_mem_mapping(log_path: str) -> dict[str, str]:
    """memory_libmap / memory_map decisions from a yosys log: memory name -> target."""
    mapping = {}
    with open(log_path, errors="replace") as f:
        for line in f:
            m = re.match(r"\s*mapping memory (\S+) via (\S+)", line)
            if m:
                name = m.group(1).split(".", 1)[-1]
                mapping[name] = m.group(2)
                continue
            m = re.match(r"\s*Mapping memory (?:cell )?(\S+) in module (\S+)", line)
            if m:
                mapping.setdefault(m.group(1).lstrip("\\"), "FF")
    return mapping


def classify_target(target: str) -> str:
    t = target.upper()
    if "URAM" in t or "ULTRA" in t:
        return "URAM"
    if "BRAM" in t or "BLOCKRAM" in t or "RAMB" in t:
        return "BRAM36"
    if "LUTRAM" in t or t.startswith("$__XILINX_LUT") or "RAM64" in t or "RAM32" in t:
        return "LUTRAM"
    if "SRL" in t:
        return "SRL"
    if t == "FF":
        return "FF"
    return target


def memories(dump_path: str, log_path: str) -> list[dict]:
    mems = parse_mem_dump(dump_path)
    mapping = parse_mem_mapping(log_path)
    for m in mems:
        tgt = mapping.get(m["name"])
        if tgt is None:
            # memory_libmap names the memory with its module prefix stripped; try the last part.
            short = m["name"].split(".")[-1]
            tgt = next((v for k, v in mapping.items() if k.split(".")[-1] == short), None)
        m["mapped_to"] = classify_target(tgt) if tgt else "FF"
        m["target"] = tgt or "memory_map (flip-flops)"
    return mems


def analyse(json_path: str, dump_path: str, log_path: str, delays: dict, blackboxes=()) -> dict:
    nl = Netlist(json_path, blackboxes=tuple(blackboxes))
    res = resources(nl)
    mems = memories(dump_path, log_path)
    res["lutram_bits"] = sum(m["bits"] for m in mems if m["mapped_to"] == "LUTRAM")
    res["ff_memory_bits"] = sum(m["bits"] for m in mems if m["mapped_to"] == "FF")
    timing = analyse_timing(nl, delays)
    return {"resources": res, "memories": mems, "timing": timing}


if __name__ == "__main__":
    # fit_sta.py NETLIST.json MEMS.il YOSYS.log DELAY_MODEL.toml
    out = analyse(sys.argv[1], sys.argv[2], sys.argv[3], load_delays(sys.argv[4]), sys.argv[5:])
    json.dump(out, sys.stdout, indent=1)
