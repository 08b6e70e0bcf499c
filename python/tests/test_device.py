"""Devices, GEMMs, buffers, program files, errors and the GIL, on the model backend."""

import json
import os
import subprocess
import threading
import time

import numpy as np
import pytest

import rsn


def gelu(x):
    from math import erf, sqrt

    return np.vectorize(lambda v: 0.5 * v * (1.0 + erf(v / sqrt(2.0))))(x.astype(np.float64))


@pytest.fixture(scope="module")
def dev():
    return rsn.Device("model")


def test_backends_this_package_lacks_are_named():
    assert rsn.backends()[0] == "model"
    missing = [b for b in ("sim", "xrt") if b not in rsn.backends()]
    if not missing:
        pytest.skip("this package has every backend")
    with pytest.raises(rsn.DeviceError, match=f"built without the {missing[0]} backend"):
        rsn.Device(missing[0])
    with pytest.raises(ValueError, match="unknown backend `fpga`"):
        rsn.Device("fpga")


def test_gemm_matches_numpy_and_takes_any_array(dev):
    rng = np.random.default_rng(1)
    a, b, bias = rng.uniform(-1, 1, (100, 70)), rng.uniform(-1, 1, (70, 50)), rng.uniform(-1, 1, 50)
    c = dev.gemm(a, b, bias=bias)  # float64 in: converted once
    assert c.dtype == np.float32 and c.shape == (100, 50) and c.flags["C_CONTIGUOUS"]
    want = a.astype(np.float32).astype(np.float64) @ b.astype(np.float32).astype(np.float64) + bias.astype(np.float32)
    assert np.abs(c - want).max() < 1e-4
    g = dev.gemm(a, b, bias=bias, epilogue="gelu")
    assert np.abs(g - gelu(want)).max() < 1e-4
    # A non-contiguous view is copied once, with the same result.
    at = np.asfortranarray(a.astype(np.float32))
    assert np.array_equal(dev.gemm(at, b.astype(np.float32), bias=bias.astype(np.float32)), c)


def test_layernorm_epilogue(dev):
    rng = np.random.default_rng(2)
    a, b = rng.uniform(-1, 1, (40, 64)).astype(np.float32), rng.uniform(-1, 1, (64, 384)).astype(np.float32)
    bias, res = rng.uniform(-1, 1, 384).astype(np.float32), rng.uniform(-1, 1, (40, 384)).astype(np.float32)
    gamma, beta = (1 + rng.uniform(-0.2, 0.2, 384)).astype(np.float32), rng.uniform(-1, 1, 384).astype(np.float32)
    c = dev.gemm(a, b, bias, "layernorm", residual=res, gamma=gamma, beta=beta, eps=1e-5)
    x = a.astype(np.float64) @ b + bias + res
    mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    want = (x - mu) / np.sqrt(var + 1e-5) * gamma + beta
    assert np.abs(c - want).max() < 1e-4
    with pytest.raises(ValueError, match="gamma: this epilogue needs it"):
        dev.gemm(a, b, bias, "layernorm", residual=res, beta=beta)
    with pytest.raises(ValueError, match="a is 40 x 64 but b is 384 x 384"):
        dev.gemm(a, np.zeros((384, 384)))


def test_buffers_share_memory_with_numpy(dev):
    buf = dev.alloc([4, 16])
    view = buf.array
    assert view.base is buf and view.shape == (4, 16) and buf.memory == "ddr" and buf.offset % 4096 == 0
    view[:] = np.arange(64, dtype=np.float32).reshape(4, 16)  # writes the host view in place
    buf.to_device()
    view[:] = 0
    buf.from_device()
    assert view[3, 15] == 63.0
    buf.write(np.ones(64))
    assert buf.read().sum() == 64.0
    with pytest.raises(ValueError, match="3 elements for a buffer of 64"):
        buf.write([1, 2, 3])


def test_program_files_run_on_a_new_device_bit_for_bit(tmp_path):
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-1, 1, (200, 130)).astype(np.float32), rng.uniform(-1, 1, (130, 70)).astype(np.float32)
    prog = rsn.Program.gemm(200, 70, 130)
    path = tmp_path / "g.rsnx"
    prog.save(path)
    back = rsn.Program.load(path)
    assert back.inputs == {"A": [200, 130], "B": [130, 70]} and back.outputs == {"C": [200, 70]}
    h = back.header
    assert h["isa_version"] == rsn.ISA_VERSION and [x["name"] for x in h["buffers"]] == ["a", "b", "c"]
    out = rsn.Device("model").run(back, {"A": a, "B": b})
    assert np.array_equal(out["C"], rsn.Device("model").gemm(a, b))
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(rsn.ProgramError, match="truncated"):
        rsn.Program.load(path)
    # A device with a buffer where the program's A lives refuses, naming the range.
    dev = rsn.Device("model")
    keep = dev.alloc([16])
    with pytest.raises(rsn.DeviceError, match="cannot place"):
        dev.run(back, {"A": a, "B": b})
    del keep


def test_program_for_another_bitstream_is_refused(tmp_path):
    from pathlib import Path

    toml = (Path(__file__).resolve().parents[2] / "bitstreams" / "rsn-xnn.toml").read_text()
    other = tmp_path / "other.toml"
    other.write_text(toml.replace("read_gbps = 21.0", "read_gbps = 10.5"))
    prog = rsn.Program.gemm(16, 16, 16)
    with pytest.raises(rsn.ProgramError, match="recompile it for this bitstream"):
        rsn.Device("model", bitstream=str(other)).run(prog, {"A": np.ones((16, 16)), "B": np.ones((16, 16))})


def rewrite_header(path, edit):
    """Rewrite a program file's JSON header with `edit(header)`, keeping the words (and their
    checksum): a file that loads but asks the device for something else."""
    raw = path.read_bytes()
    magic, version, hlen = raw[:8], raw[8:12], int.from_bytes(raw[12:16], "little")
    header = json.loads(raw[16 : 16 + hlen])
    words = raw[16 + hlen + (-(16 + hlen) % 4) :]
    edit(header)
    text = json.dumps(header).encode()
    pad = b"\0" * (-(16 + len(text)) % 4)
    path.write_bytes(magic + version + len(text).to_bytes(4, "little") + text + pad + words)


def test_refused_programs_raise_validation_errors_naming_the_instruction(tmp_path):
    path = tmp_path / "g.rsnx"
    rsn.Program.gemm(64, 64, 64).save(path)
    inputs = {"A": np.ones((64, 64)), "B": np.ones((64, 64))}

    def move_c(h):
        # C elsewhere: the words still store to the old, now unallocated, range.
        c = next(b for b in h["buffers"] if b["name"] == "c")
        c["offset"] += 1 << 20

    rewrite_header(path, move_c)
    with pytest.raises(rsn.ValidationError, match="outside every allocated Ddr buffer") as e:
        rsn.Device("model").run(rsn.Program.load(path), inputs)
    assert isinstance(e.value, rsn.DeviceError) and e.value.fault is None and e.value.states == []
    assert set(e.value.at) == {"packet", "mop", "word"}

    rsn.Program.gemm(64, 64, 64).save(path)

    def more_blocks(h):
        h["engines"][0]["blocks"] += 1

    rewrite_header(path, more_blocks)
    with pytest.raises(rsn.ValidationError, match="engine MME0: runtime parameter `blocks`"):
        rsn.Device("model").run(rsn.Program.load(path), inputs)


def test_timeouts_raise_with_every_fu_state():
    dev = rsn.Device("model", timeout=1e-4)
    with pytest.raises(rsn.RunTimeout) as e:
        dev.gemm(np.ones((1024, 1024)), np.ones((1024, 1024)))
    err = e.value
    assert isinstance(err, rsn.DeviceError) and err.timeout == pytest.approx(1e-4)
    fus = {s["fu"] for s in err.states}
    assert {"Decoder", "DDR.rd", "DDR.wr", "LPDDR", "MemC0", "MME5"} <= fus, fus
    assert all(set(s) == {"fu", "state", "at", "queued"} for s in err.states)
    assert any(s["at"] is not None and set(s["at"]) == {"packet", "mop", "word"} for s in err.states)


def test_the_gil_is_released_while_the_device_runs(dev):
    a = np.ones((1024, 1024), dtype=np.float32)
    ticks = 0
    done = threading.Event()

    def run():
        dev.gemm(a, a)
        done.set()

    t = threading.Thread(target=run)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # Python kept running beside the ~0.1 s GEMM.
    assert ticks >= 5, (ticks, time.perf_counter() - start)


def test_bench_checks_its_result_and_refuses_unknown_workloads():
    r = rsn.bench("gemm:128,96,64", seed=3)
    assert r["workload"] == "gemm:128,96,64" and r["backend"] == "model" and r["max_abs_err"] < 1e-4
    assert r["pl_cycles"] > 0 and r["gflops"] > 0 and len(r["output_sha256"]) == 64
    with pytest.raises(ValueError, match="unknown workload kind"):
        rsn.bench("conv:1,2,3")


def cli_binary():
    """The `rsn` CLI to compare with: $RSN_CLI (what `make test-python` sets) or a built one."""
    cli = os.environ.get("RSN_CLI")
    if cli:
        return cli
    root = os.path.join(os.path.dirname(__file__), "..", "..", "target")
    for profile in ("release", "debug"):
        p = os.path.join(root, profile, "rsn")
        if os.access(p, os.X_OK):
            return p
    pytest.skip("no rsn CLI built (set RSN_CLI)")


def test_bench_has_the_fields_and_result_of_the_cli_json():
    r = rsn.bench("gemm:128,96,64", seed=3)
    out = subprocess.run(
        [cli_binary(), "bench", "--workload", "gemm:128,96,64", "--seed", "3", "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    want = json.loads(out.stdout)
    assert set(r) == set(want)
    assert r["output_sha256"] == want["output_sha256"] and r["pl_cycles"] == want["pl_cycles"]
