# Open fit and timing flow (docs/fit.md): Yosys synth_xilinx -family xcup of every unit of
# rsn_xnn_top out of context at the top's parameters, resources summed by instance count, memory
# mapping per memory, a register-to-register delay estimate (rtl/fit/delay_model.toml).
#   make fit           the measurement: $(BUILD)/fit.json and the table
#   make fit-check     the measurement, then the ratchet against fit_baseline.json (CI)
#   make fit-baseline  rewrite fit_baseline.json from the last measurement (review the diff!)
# FIT_JOBS Yosys runs at a time (each single-threaded, niced).
FIT_JOBS ?= 2
FIT_JSON := $(BUILD)/fit.json
FIT_BASELINE := fit_baseline.json

.PHONY: fit fit-check fit-baseline
fit:
	@$(PYTHON) scripts/fit.py run --build $(BUILD)/fit --jobs $(FIT_JOBS) --out $(FIT_JSON) \
	  --yosys $(YOSYS) --verilator $(VERILATOR) --srcs $(TOP_SRCS)

fit-check: fit
	@$(PYTHON) scripts/test_fit_ratchet.py -q
	@$(PYTHON) scripts/fit.py check --fit $(FIT_JSON) --baseline $(FIT_BASELINE)

fit-baseline:
	@$(PYTHON) scripts/fit.py baseline --fit $(FIT_JSON) --out $(FIT_BASELINE)
