#!/usr/bin/env python3
"""Print a resource table from yosys `stat` reports written by `make synth`.

For each module M it reads DIR/M.premap.il (an RTLIL dump of the $mem_v2 cells after coarse
synthesis, before memory_map turns them into flip-flops: gives memory bits; yosys 0.23's `stat`
does not count $mem_v2 cells as memories) and DIR/M.stat (after the full generic
`synth -flatten`: gives cells and flip-flops). Exits non-zero, naming the file, if a report is missing or unreadable.
"""

import re
import sys
from pathlib import Path


def last_int(pattern: str, text: str, path: Path) -> int:
    hits = re.findall(pattern, text, flags=re.MULTILINE)
    if not hits:
        raise ValueError(f"{path}: no match for {pattern!r} (not a yosys stat report?)")
    return int(hits[-1])


def memory_bits(text: str) -> int:
    """Sum of WIDTH * SIZE over the $mem_v2 cells of an RTLIL dump."""
    total = 0
    for cell in re.split(r"^\s*cell ", text, flags=re.MULTILINE)[1:]:
        if not cell.startswith("$mem_v2"):
            continue
        width = re.search(r"parameter \\WIDTH (\d+)", cell)
        size = re.search(r"parameter \\SIZE (\d+)", cell)
        if width is None or size is None:
            raise ValueError("a $mem_v2 cell without WIDTH/SIZE parameters")
        total += int(width.group(1)) * int(size.group(1))
    return total


def flip_flops(text: str) -> int:
    # Generic flip-flop cells are $_DFF*, $_SDFF*, $_DFFE*, $_ALDFF*, $_DLATCH* etc.
    return sum(int(n) for name, n in re.findall(r"^\s+(\$_\w*(?:DFF|DLATCH|SR)\w*_)\s+(\d+)", text, re.MULTILINE))


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: synth_table.py STAT_DIR MODULE...", file=sys.stderr)
        return 2
    stat_dir = Path(sys.argv[1])
    rows = []
    for module in sys.argv[2:]:
        final = stat_dir / f"{module}.stat"
        premap = stat_dir / f"{module}.premap.il"
        try:
            final_text = final.read_text()
            premap_text = premap.read_text()
            cells = last_int(r"Number of cells:\s+(\d+)", final_text, final)
            mem_bits = memory_bits(premap_text)
        except (OSError, ValueError) as err:
            print(f"synth_table: {err}", file=sys.stderr)
            return 1
        rows.append((module, cells, flip_flops(final_text), mem_bits))

    header = ("module", "cells", "flip-flops", "memory bits")
    width = max(len(header[0]), *(len(r[0]) for r in rows))
    print(f"{header[0]:<{width}}  {header[1]:>8}  {header[2]:>10}  {header[3]:>11}")
    for module, cells, ffs, mem in rows:
        print(f"{module:<{width}}  {cells:>8}  {ffs:>10}  {mem:>11}")
    print("(yosys generic `synth -flatten`; cells are internal gate-level cells incl. flip-flops;")
    print(" memory bits counted before memory_map, which then turns them into flip-flops)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
