#!/usr/bin/env python3
"""Open fit and timing flow for rsn_xnn_top (`make -C rtl fit`; docs/fit.md).

  fit.py run   --build DIR --srcs SV... [--jobs N] [--out FIT.json] [--table]
  fit.py check --fit FIT.json --baseline rtl/fit_baseline.json
  fit.py baseline --fit FIT.json --out rtl/fit_baseline.json

`run`: Verilator elaborates rsn_xnn_top at its default parameters (those generated from
bitstreams/rsn-xnn.toml) and writes the instance hierarchy as XML; every instance below the top is
a unit, grouped by module and parameters. Each distinct unit is synthesised out of context with
Yosys `synth_xilinx -family xcup -flatten` (method per module in rtl/fit/fit.toml: flat, composed
from black-boxed children, or lane-extrapolated), then rtl/scripts/fit_sta.py counts its
resources, reports how each memory was mapped and estimates its register-to-register paths with
rtl/fit/delay_model.toml. Results are multiplied by instance counts and summed for the top.

`check`: the ratchet against the committed baseline (see docs/fit.md): fails on a new violation,
a recorded one that got worse or better (the baseline must follow), one that disappeared, or a
baseline unit that was not measured; prints every known violation as NOT BOARD-TRUE.

Standard library only (Python 3.11: tomllib).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
RTL = os.path.dirname(HERE)
ROOT = os.path.dirname(RTL)
FIT_TOML = os.path.join(RTL, "fit", "fit.toml")
DELAY_TOML = os.path.join(RTL, "fit", "delay_model.toml")
HW_TOML = os.path.join(ROOT, "bitstreams", "rsn-xnn.toml")
STA = os.path.join(HERE, "fit_sta.py")

RES_KEYS = ["lut", "ff", "dsp", "bram36", "uram", "lutram_bits"]
EXTRA_KEYS = ["lut_logic", "lutram_luts", "srl", "carry", "muxf", "ff_memory_bits", "latch"]
BUDGET_KEYS = ["lut", "ff", "dsp", "bram36", "uram", "lutram_bits"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Hierarchy (Verilator --xml-only)


def parse_const(s: str) -> int:
    s = s.replace("&apos;", "'")
    m = re.fullmatch(r"(\d+)'s?([hdbo])([0-9a-fA-FxzXZ_]+)", s)
    if not m:
        return int(s)
    base = {"h": 16, "d": 10, "b": 2, "o": 8}[m.group(2)]
    digits = re.sub(r"[xzXZ]", "0", m.group(3).replace("_", ""))
    return int(digits, base)


class Node:
    def __init__(self, inst: str, spec: str):
        self.inst = inst
        self.spec = spec  # Verilator's name of the specialised module (one per parameter set)
        self.children: list[Node] = []


def load_hierarchy(xml_path: str):
    tree = ET.parse(xml_path)
    root = tree.getroot()
    modules = {}
    for m in root.iter("module"):
        params = {}
        for v in m.findall("var"):
            if v.get("param") == "true":
                c = v.find("const")
                if c is not None:
                    params[v.get("origName") or v.get("name")] = parse_const(c.get("name"))
        modules[m.get("name")] = {"orig": m.get("origName") or m.get("name"), "params": params}

    def build(el) -> Node:
        n = Node(el.get("name"), el.get("submodname"))
        for ch in el.findall("cell"):
            n.children.append(build(ch))
        return n

    cells = root.find(".//cells")
    top = build(cells.find("cell"))
    canonical_classes(root, modules)
    return modules, top


def canonical_classes(root, modules: dict) -> None:
    """Give every specialisation a `rep`: the first specialisation with the same elaborated body.

    Two specialisations are the same design when Verilator's elaborated XML of their bodies is
    equal after dropping source locations, replacing type-table ids by the types they stand for
    and child module names by their own classes, and dropping parameter declarations that nothing
    in the body references (e.g. rsn_memc's Inst, which only sets HasMesh: MemC0-3 are one design,
    MemC4-5 another). Such specialisations synthesise to the same netlist, so one run serves all.
    """
    types = {}
    tt = root.find(".//typetable")
    if tt is not None:
        for t in tt:
            types[t.get("id")] = t

    def type_str(tid, depth=0):
        t = types.get(tid)
        if t is None or depth > 20:
            return str(tid)
        attrs = {k: v for k, v in t.attrib.items() if k not in ("id", "loc")}
        for k in list(attrs):
            if k.endswith("dtype_id"):
                attrs[k] = type_str(attrs[k], depth + 1)
        inner = "".join(ET.tostring(c, encoding="unicode") for c in t)
        inner = re.sub(r' loc="[^"]*"', "", inner)
        return t.tag + repr(sorted(attrs.items())) + inner

    bodies = {}
    for m in root.iter("module"):
        name = m.get("name")
        text = ET.tostring(m, encoding="unicode")
        text = re.sub(r' loc="[^"]*"', "", text)
        text = re.sub(r' dtype_id="([^"]*)"', lambda mm: ' dtype="' + str(hash(type_str(mm.group(1)))) + '"', text)
        body = re.sub(r'^<module[^>]*>', "", text)
        for pname in modules[name]["params"]:
            if not re.search(r'<varref[^>]* name="' + re.escape(pname) + '"', body):
                body = re.sub(r'<var [^>]*name="' + re.escape(pname) + r'"[^>]*param="true"[^>]*>.*?</var>', "", body,
                              flags=re.S)
        bodies[name] = (modules[name]["orig"], body)
    # Child module names refer to specialisations: resolve classes bottom-up until stable.
    cls = {n: n for n in bodies}
    for _ in range(10):
        keyed = {}
        new = {}
        for n, (orig, body) in bodies.items():
            b = re.sub(r'submodname="([^"]*)"', lambda mm: 'submodname="' + cls.get(mm.group(1), mm.group(1)) + '"', body)
            k = (orig, hashlib.sha256(b.encode()).hexdigest())
            new[n] = keyed.setdefault(k, n)
        if new == cls:
            break
        cls = new
    for n in modules:
        modules[n]["rep"] = cls.get(n, n)


def label(modules: dict, spec: str) -> str:
    m = modules[spec]
    if not m["params"]:
        return m["orig"]
    return m["orig"] + "(" + ",".join(f"{k}={v}" for k, v in m["params"].items()) + ")"


# ------------------------------------------------------------------------------------------------
# Yosys jobs


def module_files(srcs: list[str]) -> dict[str, str]:
    files = {}
    for s in srcs:
        with open(s, errors="replace") as f:
            for line in f:
                m = re.match(r"\s*(?:module|package)\s+(\w+)", line)
                if m:
                    files[m.group(1)] = s
    return files


class Job:
    def __init__(self, orig: str, params: dict, blackbox: tuple, share: bool):
        self.orig = orig
        self.params = dict(params)
        self.blackbox = tuple(sorted(blackbox))
        self.share = share
        key = json.dumps([orig, sorted(self.params.items()), self.blackbox, share])
        self.key = key
        pstr = "_".join(f"{k}{v}" for k, v in sorted(self.params.items()))
        bb = "_bb" + hashlib.sha1(",".join(self.blackbox).encode()).hexdigest()[:6] if self.blackbox else ""
        self.name = re.sub(r"[^A-Za-z0-9_]+", "_", f"{orig}_{pstr}{bb}{'' if share else '_noshare'}")[:120]

    def script(self, srcs: list[str], files: dict[str, str], out: str) -> str:
        bb_files = {files[b] for b in self.blackbox if b in files}
        # Only the files this module needs (its own, the packages and modules it references,
        # recursively), black boxes as -lib: parsing every source would dominate small units.
        need = closure(self.orig, files, set(self.blackbox))
        normal = [s for s in srcs if s in need and s not in bb_files]
        self.used_files = normal + sorted(bb_files)
        chp = " ".join(f"-chparam {k} {v}" for k, v in sorted(self.params.items()))
        flags = "-family xcup -flatten -uram -noiopad -noclkbuf"
        lines = [f"read_verilog -sv {' '.join(normal)}"]
        if bb_files:
            lines.append(f"read_verilog -sv -lib {' '.join(sorted(bb_files))}")
        lines.append(f"hierarchy -check -top {self.orig} {chp}")
        if self.share:
            lines.append(f"synth_xilinx {flags} -top {self.orig} -run begin:map_memory")
        else:
            # synth_xilinx's coarse step without `share` (its SAT search does not finish on
            # rsn_memc_post's 32 lanes of FP call sites): each call site keeps its own datapath,
            # which is what the RTL means (README_post.md).
            lines.append(f"synth_xilinx {flags} -top {self.orig} -run begin:coarse")
            lines += ["techmap -map +/cmp2lut.v -map +/cmp2lcu.v -D LUT_WIDTH=6", "alumacc", "opt",
                      "memory -nomap", "opt_clean"]
        lines.append(f"tee -q -o {out}/mems.il dump t:$mem_v2")
        lines.append(f"synth_xilinx {flags} -top {self.orig} -run map_memory:")
        lines.append(f"tee -q -o {out}/stat.txt stat")
        lines.append(f"write_json {out}/netlist.json")
        return "\n".join(lines) + "\n"


_REF_CACHE: dict[str, set[str]] = {}


def referenced(path: str, names: set[str]) -> set[str]:
    if path not in _REF_CACHE:
        with open(os.path.join(RTL, path), errors="replace") as f:
            text = re.sub(r"//[^\n]*", "", f.read())
        _REF_CACHE[path] = set(re.findall(r"\b(rsn_[A-Za-z0-9_]+)\b", text))
    return _REF_CACHE[path] & names


def closure(top: str, files: dict[str, str], stop: set[str]) -> set[str]:
    """Source files of `top` and of every module it references, not descending into `stop`."""
    names = set(files)
    seen, todo, out = set(), [top], set()
    while todo:
        m = todo.pop()
        if m in seen or m not in files:
            continue
        seen.add(m)
        out.add(files[m])
        refs = referenced(files[m], names) - seen
        if m in stop:
            # A black box is read as -lib, which still needs the packages it uses.
            refs = {r for r in refs if files[r].endswith("_pkg.sv")}
        todo.extend(refs)
    return out


def file_hash(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.encode())
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def run_job(job: Job, srcs, files, build: str, yosys: str, src_hash: str, sta_hash: str) -> dict:
    out = os.path.join(build, "jobs", job.name)
    os.makedirs(out, exist_ok=True)
    script = job.script(srcs, files, out)
    # A run is redone when one of the files it reads, its script or the tool changes.
    src_hash = file_hash([os.path.join(RTL, s) for s in job.used_files])
    # (The script names the output directory; the stamp does not depend on where the build is.)
    synth_stamp = hashlib.sha256((src_hash + script.replace(out, "<OUT>") + yosys).encode()).hexdigest()
    ana_stamp = hashlib.sha256((synth_stamp + sta_hash).encode()).hexdigest()
    res_path = os.path.join(out, "result.json")
    if os.path.exists(res_path):
        with open(res_path) as f:
            old = json.load(f)
        if old.get("stamp") == ana_stamp:
            old["cached"] = True
            return old
    t0 = time.time()
    synth_ok = False
    stamp_path = os.path.join(out, "synth.stamp")
    if os.path.exists(stamp_path) and os.path.exists(os.path.join(out, "netlist.json")):
        with open(stamp_path) as f:
            synth_ok = f.read().strip() == synth_stamp
    synth_s = None
    if not synth_ok:
        with open(os.path.join(out, "synth.ys"), "w") as f:
            f.write(script)
        with open(os.path.join(out, "synth.err"), "w") as err:
            p = subprocess.Popen(["nice", "-n", "10", yosys, "-q", "-l", os.path.join(out, "synth.log"),
                                  "-s", os.path.join(out, "synth.ys")],
                                 cwd=RTL, stdout=subprocess.DEVNULL, stderr=err)
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            with open(os.path.join(out, "synth.err")) as f:
                tail = f.read()[-2000:]
            raise RuntimeError(f"yosys failed for {job.name} (log: {out}/synth.log)\n{tail}")
        synth_s = round(time.time() - t0, 1)
        cpu_s = round(ru.ru_utime + ru.ru_stime, 1)
        with open(stamp_path, "w") as f:
            f.write(synth_stamp)
        with open(os.path.join(out, "synth.time"), "w") as f:
            json.dump({"wall_s": synth_s, "cpu_s": cpu_s, "max_rss_mb": round(ru.ru_maxrss / 1024)}, f)
    t1 = time.time()
    r = subprocess.run(["nice", "-n", "10", sys.executable, STA, os.path.join(out, "netlist.json"),
                        os.path.join(out, "mems.il"), os.path.join(out, "synth.log"), DELAY_TOML,
                        *job.blackbox], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"analysis failed for {job.name}\n{r.stderr[-3000:]}")
    res = json.loads(r.stdout)
    res["stamp"] = ana_stamp
    res["job"] = job.name
    res["synth_s"] = synth_s
    tpath = os.path.join(out, "synth.time")
    if os.path.exists(tpath):
        with open(tpath) as f:
            res["synth_time"] = json.load(f)
    res["analysis_s"] = round(time.time() - t1, 1)
    with open(res_path, "w") as f:
        json.dump(res, f, indent=1)
    res["cached"] = False
    return res


# ------------------------------------------------------------------------------------------------
# Planning and composition


class Planner:
    def __init__(self, modules, cfg):
        self.modules = modules
        self.methods = cfg.get("method", {})
        self.jobs: dict[str, Job] = {}

    def method(self, orig: str) -> dict:
        return self.methods.get(orig, {"method": "flat"})

    def job(self, orig, params, blackbox=(), share=True) -> Job:
        j = Job(orig, params, blackbox, share)
        self.jobs.setdefault(j.key, j)
        return self.jobs[j.key]

    def plan(self, node: Node) -> dict:
        """The measurement plan of one instance: {method, jobs, children: [(plan, count)]}."""
        # A structurally identical specialisation measured once (canonical_classes).
        m = self.modules[self.modules[node.spec].get("rep", node.spec)]
        orig, params = m["orig"], m["params"]
        meth = self.method(orig)
        kind = meth["method"]
        share = bool(meth.get("share", True))
        if kind == "unmeasured":
            # Declared in fit.toml with the reason; counted as zero and listed as not measured.
            return {"method": "unmeasured", "orig": orig, "params": params, "jobs": [], "children": [],
                    "reason": meth.get("reason", "")}
        if kind == "flat":
            return {"method": "flat", "orig": orig, "params": params, "jobs": [self.job(orig, params, (), share)],
                    "children": []}
        if kind == "composed":
            bb = tuple(meth["blackbox"])
            # The black-boxed descendants (stopping at them), grouped by specialisation.
            found: dict[str, list[Node]] = {}

            def walk(n: Node):
                for ch in n.children:
                    if self.modules[ch.spec]["orig"] in bb:
                        found.setdefault(ch.spec, []).append(ch)
                    else:
                        walk(ch)

            walk(node)
            children = [(self.plan(ns[0]), len(ns)) for _, ns in sorted(found.items())]
            out = {"method": "composed", "orig": orig, "params": params, "children": children,
                   "blackbox": list(bb)}
            lp = meth.get("lanes_param")
            if lp and int(params.get(lp, 1)) > 2:
                # The own logic is lanes too: measured at 1 and 2 of them, extrapolated.
                out["lanes"], out["lanes_param"] = int(params[lp]), lp
                out["jobs"] = [self.job(orig, dict(params, **{lp: 1}), bb, share),
                               self.job(orig, dict(params, **{lp: 2}), bb, share)]
            else:
                out["jobs"] = [self.job(orig, params, bb, share)]
            return out
        if kind == "lanes":
            lp = meth["lanes_param"]
            lanes = int(params.get(lp, 1))
            p1 = dict(params, **{lp: 1})
            if lanes <= 2:
                return {"method": "flat", "orig": orig, "params": params,
                        "jobs": [self.job(orig, params, (), share)], "children": []}
            p2 = dict(params, **{lp: 2})
            return {"method": "lanes", "orig": orig, "params": params, "lanes": lanes, "lanes_param": lp,
                    "jobs": [self.job(orig, p1, (), share), self.job(orig, p2, (), share)], "children": []}
        raise ValueError(f"unknown method {kind} for {orig}")


def empty_cost() -> dict:
    return {k: 0.0 for k in RES_KEYS + EXTRA_KEYS}


def compose(plan: dict, results: dict, where: str) -> dict:
    """Per-instance cost of a plan: resources, memories, paths (with where they are)."""
    cost = empty_cost()
    mems, paths, methods = [], [], []
    worst_partial = None
    if plan["method"] == "unmeasured":
        return {"cost": cost, "memories": [], "paths": [], "methods": [f"{where}: NOT MEASURED ({plan['reason']})"],
                "worst_path_ns": 0.0, "worst_partial_ns": None, "comb_loops": 0, "unmeasured": [where]}
    if "lanes" in plan:
        r1 = results[plan["jobs"][0].key]
        r2 = results[plan["jobs"][1].key]
        L = plan["lanes"]
        for k in cost:
            a = float(r1["resources"].get(k, 0))
            b = float(r2["resources"].get(k, 0))
            cost[k] = a + (L - 1) * (b - a)
        src = r2
        for mm in src["memories"]:
            mems.append(dict(mm, where=where, count=1, note="from the 2-lane netlist"))
        methods.append(f"{where}: {plan['method']}, lanes ({plan['lanes_param']}={L} extrapolated from 1 and 2)"
                       + (f" (black boxes: {', '.join(plan['blackbox'])})" if plan["method"] == "composed" else ""))
    else:
        src = results[plan["jobs"][0].key]
        for k in cost:
            cost[k] = float(src["resources"].get(k, 0))
        for mm in src["memories"]:
            mems.append(dict(mm, where=where, count=1))
        methods.append(f"{where}: {plan['method']}" + (f" (black boxes: {', '.join(plan['blackbox'])})"
                                                      if plan["method"] == "composed" else ""))
    for p in src["timing"]["paths"]:
        paths.append(dict(p, where=where))
    worst_partial = src["timing"].get("worst_partial_ns")
    worst = src["timing"]["worst_path_ns"]
    loops = src["timing"].get("comb_loops", 0)
    unmeasured = []
    for child_plan, count in plan["children"]:
        cw = f"{where}/{child_plan['orig']}"
        c = compose(child_plan, results, cw)
        unmeasured += c.get("unmeasured", [])
        for k in cost:
            cost[k] += count * c["cost"][k]
        for mm in c["memories"]:
            mems.append(dict(mm, count=mm["count"] * count))
        paths += c["paths"]
        methods += [f"{m} x{count}" if i == 0 else m for i, m in enumerate(c["methods"])]
        worst = max(worst, c["worst_path_ns"])
        loops += c["comb_loops"]
        if c["worst_partial_ns"] is not None:
            worst_partial = max(worst_partial or 0.0, c["worst_partial_ns"])
    paths.sort(key=lambda p: -p["ns"])
    return {"cost": cost, "memories": mems, "paths": paths[:10], "methods": methods, "worst_path_ns": worst,
            "worst_partial_ns": worst_partial, "comb_loops": loops, "unmeasured": unmeasured}


# ------------------------------------------------------------------------------------------------
# Run


def clock_ns() -> tuple[float, float]:
    with open(HW_TOML, "rb") as f:
        hw = tomllib.load(f)
    mhz = float(hw["clock"]["pl_mhz"])
    return 1000.0 / mhz, mhz


def violations(fit: dict) -> dict:
    dev = fit["device"]
    frac = fit["budget_fraction"]
    clk = fit["clock_ns"]
    out = {}
    for name, u in list(fit["units"].items()) + [("total", fit["total"])]:
        for k in BUDGET_KEYS:
            limit = frac * dev[k]
            if u[k] > limit:
                out[f"{name}.{k}"] = {"value": round(u[k], 3), "limit": round(limit, 3)}
        if name != "total" and u["worst_path_ns"] > clk:
            out[f"{name}.worst_path_ns"] = {"value": u["worst_path_ns"], "limit": round(clk, 3)}
    return out


def cmd_run(a) -> int:
    t_start = time.time()
    with open(FIT_TOML, "rb") as f:
        cfg = tomllib.load(f)
    build = os.path.abspath(a.build)
    os.makedirs(build, exist_ok=True)
    srcs = [os.path.relpath(os.path.abspath(s), RTL) for s in a.srcs]
    # 1. The elaborated hierarchy of the top at its default parameters.
    xml = os.path.join(build, "top.xml")
    r = subprocess.run([a.verilator, "--xml-only", "--top-module", a.top, "-Mdir", os.path.join(build, "vxml"),
                        "--xml-output", xml, *srcs], cwd=RTL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        log(r.stderr)
        return 1
    modules, top = load_hierarchy(xml)
    # 2. Units: the top's children grouped by specialisation.
    groups: dict[str, list[Node]] = {}
    for ch in top.children:
        groups.setdefault(ch.spec, []).append(ch)
    planner = Planner(modules, cfg)
    unit_plans = {}
    for spec, nodes in groups.items():
        name = label(modules, spec)
        if a.only and not re.search(a.only, name):
            continue
        plan = planner.plan(nodes[0])
        rep = modules[spec].get("rep", spec)
        if rep != spec:
            plan = dict(plan, same_as=label(modules, rep))
        unit_plans[name] = (plan, len(nodes), spec)
    # 3. Synthesis and analysis of every distinct job (largest first: the build's critical path).
    files = module_files(srcs)
    src_hash = file_hash([os.path.join(RTL, s) for s in srcs])
    sta_hash = file_hash([STA, DELAY_TOML])
    jobs = list(planner.jobs.values())

    def weight(j: Job) -> int:
        p = j.params
        return p.get("Lanes", 1) * 10 + (1000 if not j.share else 0) + (p.get("Width", 1) * p.get("Depth", 1)) // 100000

    jobs.sort(key=weight, reverse=True)
    results = {}
    log(f"fit: {len(unit_plans)} units, {len(jobs)} synthesis jobs, {a.jobs} at a time")
    with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(run_job, j, srcs, files, build, a.yosys, src_hash, sta_hash): j for j in jobs}
        for fut in cf.as_completed(futs):
            j = futs[fut]
            res = fut.result()
            results[j.key] = res
            how = "cached" if res.get("cached") else f"synth {res.get('synth_s')} s, analysis {res.get('analysis_s')} s"
            log(f"fit: {j.name}: {how}")
    # 4. Composition and totals.
    dev = {k: cfg["device"][k] for k in RES_KEYS}
    clk, mhz = clock_ns()
    fit = {
        "tool": "yosys 0.23 synth_xilinx -family xcup (UltraScale+ cells standing for Versal's), out of context",
        "top": a.top,
        "clock_mhz": mhz,
        "clock_ns": round(clk, 4),
        "budget_fraction": cfg["budget"]["fraction"],
        "device": dict(cfg["device"]),
        "artifact": dict(cfg["artifact"]),
        "delay_model": os.path.relpath(DELAY_TOML, ROOT),
        "not_counted": "rsn_xnn_top's own glue logic (Yosys 0.23 cannot read rsn_xnn_top.sv: size casts); "
                       "placement, routing, fanout",
        "units": {},
        "jobs": {},
    }
    total = empty_cost()
    total_worst = 0.0
    for name, (plan, count, spec) in sorted(unit_plans.items()):
        c = compose(plan, results, plan["orig"])
        u = {k: round(count * c["cost"][k], 1) for k in RES_KEYS + EXTRA_KEYS}
        u["count"] = count
        u["worst_path_ns"] = round(c["worst_path_ns"], 3)
        u["worst_partial_path_ns"] = c["worst_partial_ns"]
        u["comb_loops"] = c["comb_loops"]
        u["per_instance"] = {k: round(c["cost"][k], 1) for k in RES_KEYS + EXTRA_KEYS}
        u["method"] = c["methods"]
        u["not_measured"] = sorted(set(c.get("unmeasured", [])))
        if "same_as" in plan:
            u["method"] = [f"structurally identical to {plan['same_as']} (same elaborated body; "
                           f"unreferenced parameters differ): measured once"] + u["method"]
        u["memories"] = c["memories"]
        u["paths"] = c["paths"]
        fit["units"][name] = u
        for k in total:
            total[k] += count * c["cost"][k]
        total_worst = max(total_worst, c["worst_path_ns"])
    fit["total"] = {k: round(v, 1) for k, v in total.items()}
    fit["total"]["worst_path_ns"] = round(total_worst, 3)
    fit["total"]["complete"] = not a.only
    for j in jobs:
        r = results[j.key]
        fit["jobs"][j.name] = {"module": j.orig, "params": j.params, "blackbox": list(j.blackbox),
                               "share": j.share, "synth": r.get("synth_time"), "analysis_s": r.get("analysis_s"),
                               "cached": r.get("cached")}
    fit["violations"] = violations(fit)
    fit["wall_s"] = round(time.time() - t_start, 1)
    with open(a.out, "w") as f:
        json.dump(fit, f, indent=1)
    print_table(fit)
    return 0


def fmt(v, k):
    if k == "lutram_bits":
        return f"{v / 1e6:.2f}M" if v >= 1e5 else f"{int(v)}"
    if k == "bram36":
        return f"{v:g}"
    return f"{int(round(v)):,}"


def print_table(fit: dict) -> None:
    cols = ["lut", "ff", "dsp", "bram36", "uram", "lutram_bits"]
    hdr = f"{'unit':58} {'n':>3} " + " ".join(f"{c:>10}" for c in cols) + f" {'worst ns':>9}"
    print(hdr)
    print("-" * len(hdr))
    for name, u in sorted(fit["units"].items(), key=lambda kv: -kv[1]["lut"]):
        if u.get("not_measured"):
            name = "*" + name
        print(f"{name[:58]:58} {u['count']:>3} " + " ".join(f"{fmt(u[c], c):>10}" for c in cols)
              + f" {u['worst_path_ns']:>9.2f}")
    print("-" * len(hdr))
    t = fit["total"]
    print(f"{'total' + ('' if t.get('complete') else ' (subset)'):58} {'':>3} "
          + " ".join(f"{fmt(t[c], c):>10}" for c in cols) + f" {t['worst_path_ns']:>9.2f}")
    d = fit["device"]
    print(f"{'device ' + d['name']:58} {'':>3} " + " ".join(f"{fmt(d[c], c):>10}" for c in cols)
          + f" {fit['clock_ns']:>9.2f}")
    pct = " ".join(f"{100.0 * t[c] / d[c]:>9.0f}%" for c in cols)
    print(f"{'total / device':58} {'':>3} {pct}")
    ar = fit["artifact"]
    print(f"{'authors build (routed)':58} {'':>3} " + " ".join(
        f"{fmt(ar[c], c) if c in ar else '-':>10}" for c in cols))
    nm = sorted({p for u in fit["units"].values() for p in u.get("not_measured", [])})
    if nm:
        print(f"* not measured (counted as 0): {', '.join(nm)}")
    print(f"clock {fit['clock_mhz']:g} MHz = {fit['clock_ns']:.3f} ns; budget {int(100 * fit['budget_fraction'])}% "
          f"of each device resource. DSP48E2 stand for DSP58 (a 24x24 product takes two DSP48E2, one DSP58).")


# ------------------------------------------------------------------------------------------------
# Ratchet


def cmd_check(a) -> int:
    with open(a.fit) as f:
        fit = json.load(f)
    with open(a.baseline) as f:
        base = json.load(f)
    cur = fit["violations"]
    rec = base["violations"]
    errors = []
    # The baseline records figures, never limits: the clock and the budget are those of the run.
    if abs(base.get("clock_ns", 0) - fit["clock_ns"]) > 1e-9 or base.get("budget_fraction") != fit["budget_fraction"]:
        errors.append(f"baseline clock/budget ({base.get('clock_ns')} ns, {base.get('budget_fraction')}) differ from "
                      f"the run's ({fit['clock_ns']} ns, {fit['budget_fraction']}): regenerate the baseline")
    for uname in base.get("units", []):
        if uname not in fit["units"]:
            errors.append(f"unit of the baseline not measured: {uname}")
    measured = set(fit["units"]) | {"total"} if fit["total"].get("complete") else set(fit["units"])
    print("=" * 100)
    print("NOT BOARD-TRUE: known violations recorded in the baseline (this RTL does not fit the XCVC1902 "
          "and/or does not close 260 MHz):")
    for vid, v in sorted(rec.items()):
        now = cur.get(vid)
        nowtxt = f"now {now['value']}" if now else "NOT SEEN NOW"
        print(f"  NOT BOARD-TRUE  {vid:80} recorded {v['value']} (limit {v['limit']}), {nowtxt}")
    print("=" * 100)
    for vid, v in sorted(cur.items()):
        if vid not in rec:
            errors.append(f"NEW violation {vid}: {v['value']} over {v['limit']}")
        elif v["value"] > rec[vid]["value"] + 1e-6:
            errors.append(f"WORSE: {vid}: {v['value']} (recorded {rec[vid]['value']})")
        elif v["value"] < rec[vid]["value"] - 1e-6:
            errors.append(f"BETTER than recorded (tighten the baseline: make -C rtl fit-baseline): {vid}: "
                          f"{v['value']} (recorded {rec[vid]['value']})")
    for vid in sorted(rec):
        unit = vid.rsplit(".", 1)[0]
        if vid not in cur and unit in measured:
            errors.append(f"GONE: recorded violation {vid} no longer occurs: update the baseline "
                          f"(make -C rtl fit-baseline)")
    if errors:
        for e in errors:
            print(f"fit-check FAIL: {e}")
        return 1
    print(f"fit-check: ok ({len(cur)} known violations, none new, none worse, none gone)")
    return 0


def cmd_baseline(a) -> int:
    with open(a.fit) as f:
        fit = json.load(f)
    if not fit["total"].get("complete"):
        log("fit baseline: needs a complete run (no --only)")
        return 1
    base = {
        "comment": "Known violations of rtl_xnn_top's fit and timing (make -C rtl fit). Written by "
                   "`make -C rtl fit-baseline`; the check (make -C rtl fit-check) fails on any change. See docs/fit.md.",
        "clock_ns": fit["clock_ns"],
        "budget_fraction": fit["budget_fraction"],
        "units": sorted(fit["units"]),
        "violations": dict(sorted(fit["violations"].items())),
    }
    with open(a.out, "w") as f:
        json.dump(base, f, indent=1)
        f.write("\n")
    log(f"fit baseline: {len(base['violations'])} violations written to {a.out}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--build", required=True)
    r.add_argument("--srcs", nargs="+", required=True)
    r.add_argument("--top", default="rsn_xnn_top")
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--out", required=True)
    r.add_argument("--only", default=None, help="regex: measure only the units whose name matches")
    r.add_argument("--yosys", default=os.environ.get("YOSYS", "yosys"))
    r.add_argument("--verilator", default=os.environ.get("VERILATOR", "verilator"))
    c = sub.add_parser("check")
    c.add_argument("--fit", required=True)
    c.add_argument("--baseline", required=True)
    b = sub.add_parser("baseline")
    b.add_argument("--fit", required=True)
    b.add_argument("--out", required=True)
    t = sub.add_parser("table")
    t.add_argument("--fit", required=True)
    t.add_argument("--markdown", action="store_true", help="the table as Markdown (README)")
    a = ap.parse_args()
    if a.cmd == "run":
        return cmd_run(a)
    if a.cmd == "check":
        return cmd_check(a)
    if a.cmd == "baseline":
        return cmd_baseline(a)
    with open(a.fit) as f:
        fitd = json.load(f)
    if a.markdown:
        print_markdown(fitd)
    else:
        print_table(fitd)
    return 0


def print_markdown(fit: dict) -> None:
    cols = ["lut", "ff", "dsp", "bram36", "uram", "lutram_bits"]
    print("| unit | n | LUT | FF | DSP | BRAM36 | URAM | LUT RAM bits | worst path ns |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, u in sorted(fit["units"].items(), key=lambda kv: -kv[1]["lut"]):
        star = " (part not measured)" if u.get("not_measured") else ""
        print(f"| `{name}`{star} | {u['count']} | " + " | ".join(fmt(u[c], c) for c in cols)
              + f" | {u['worst_path_ns']:.2f} |")
    t, d, ar = fit["total"], fit["device"], fit["artifact"]
    print("| **total** | | " + " | ".join(f"**{fmt(t[c], c)}**" for c in cols) + f" | **{t['worst_path_ns']:.2f}** |")
    print(f"| device {d['name']} | | " + " | ".join(fmt(d[c], c) for c in cols) + f" | {fit['clock_ns']:.2f} |")
    print("| total / device | | " + " | ".join(f"{100.0 * t[c] / d[c]:.0f}%" for c in cols) + " | |")
    print("| authors' routed build | | " + " | ".join(fmt(ar[c], c) if c in ar else "-" for c in cols) + " | |")


if __name__ == "__main__":
    sys.exit(main())
