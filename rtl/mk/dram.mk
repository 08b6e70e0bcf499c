# DRAM units (rtl/dram): the DDR/LPDDR read channel rsn_dram_rd and the DDR write channel
# rsn_dram_wr, on a shared burst generator (rsn_dram_burst, which reuses decoder/rsn_dram_chunker).
# tb/tb_dram.cpp holds an AXI4 slave memory model with random latency and gaps; it is built once per
# configuration (-DTB_WR selects the writer). Vectors: rsn-vectors dram (uOPs, the
# bursts they must become, faults), from rsn::isa::expand and rsn::isa::check::check_payload.
DRAM_SRCS    := rsn_isa_pkg.sv $(wildcard stream/*.sv) decoder/rsn_dram_chunker.sv $(wildcard dram/*.sv)
# The testbench is built with --assert and the AXI4 protocol checkers bound to every rsn_dram_rd /
# rsn_dram_wr (AXI_CHECK_SRCS, mk/axi_check.mk): a violated rule stops it.
DRAM_CONFIGS := ddr_rd lpddr ddr_wr
DRAM_TOP_ddr_rd    := rsn_dram_rd
DRAM_TOP_lpddr     := rsn_dram_rd
DRAM_TOP_ddr_wr    := rsn_dram_wr
DRAM_PARAMS_ddr_rd := -GNumPorts=12 -GPortBase=0
DRAM_PARAMS_lpddr  := -GNumPorts=2 -GPortBase=3
DRAM_PARAMS_ddr_wr :=
DRAM_DEFS_ddr_wr   := -DTB_WR
# Segments (groups of uOPs ending normally, in a fault, or in an abort) per configuration.
DRAM_VEC_COUNT_ddr_rd ?= 60
DRAM_VEC_COUNT_lpddr  ?= 30
DRAM_VEC_COUNT_ddr_wr ?= 60
DRAM_VEC_DEPS := $(VECTORS)

define dram_tb_rule
$(BUILD)/vectors/dram_$(1).txt: $(DRAM_VEC_DEPS)
	@mkdir -p $$(dir $$@)
	@$$(VECTORS) dram $(1) $(DRAM_VEC_COUNT_$(1)) $(VEC_SEED) > $$@.tmp 2> $$@.log || { cat $$@.log; exit 1; }
	@echo "dram $(1) $(DRAM_VEC_COUNT_$(1)) $(VEC_SEED)" > $$@.cmd
	@mv $$@.tmp $$@
	@echo "vectors: dram_$(1) ($$$$(grep -c '^u' $$@) uOPs)"

$(BUILD)/obj/dram_$(1)/tb_dram: tb/tb_dram.cpp tb/tb_common.h $(DRAM_SRCS) $(AXI_CHECK_SRCS)
	@mkdir -p $(BUILD)/obj
	$(VERILATOR) --cc --exe --build -j 1 --assert $(VFLAGS) --top-module $(DRAM_TOP_$(1)) $(DRAM_PARAMS_$(1)) \
	  -Mdir $(BUILD)/obj/dram_$(1) -o tb_dram \
	  -CFLAGS "$(CXXFLAGS_TB) $(DRAM_DEFS_$(1)) -DTB_NAME=\\\"tb_dram_$(1)\\\"" \
	  $(DRAM_SRCS) $(AXI_CHECK_SRCS) $(CURDIR)/tb/tb_dram.cpp > $(BUILD)/obj/dram_$(1).build.log 2>&1 \
	  || (cat $(BUILD)/obj/dram_$(1).build.log; exit 1)

$(BUILD)/results/dram_$(1).ok: $(BUILD)/obj/dram_$(1)/tb_dram $(BUILD)/vectors/dram_$(1).txt
	@mkdir -p $(BUILD)/results
	@$$< $(BUILD)/vectors/dram_$(1).txt $(VEC_SEED) > $$@.tmp 2>&1; rc=$$$$?; cat $$@.tmp; \
	  if [ $$$$rc -ne 0 ]; then rm -f $$@.tmp; exit $$$$rc; fi; mv $$@.tmp $$@
endef
$(foreach c,$(DRAM_CONFIGS),$(eval $(call dram_tb_rule,$(c))))

TEST_RESULTS += $(foreach c,$(DRAM_CONFIGS),$(BUILD)/results/dram_$(c).ok)

.PHONY: lint-dram synth-dram
lint: lint-dram
lint-dram:
	@set -e; $(foreach c,$(DRAM_CONFIGS),$(VERILATOR) --lint-only -Wall --top-module $(DRAM_TOP_$(c)) \
	  $(DRAM_PARAMS_$(c)) $(DRAM_SRCS); echo "lint ok: $(DRAM_TOP_$(c)) $(c)";) \
	$(VERILATOR) --lint-only -Wall --top-module rsn_dram_burst $(DRAM_SRCS); echo "lint ok: rsn_dram_burst"

synth: synth-dram
synth-dram:
	@mkdir -p $(BUILD)/synth
	@set -e; $(foreach c,$(DRAM_CONFIGS),$(YOSYS) -q -l $(BUILD)/synth/dram_$(c).log -p \
	  "read_verilog -sv $(DRAM_SRCS); hierarchy -check -top $(DRAM_TOP_$(c)) \
	  $(subst -G,-chparam ,$(subst =, ,$(DRAM_PARAMS_$(c)))); synth -flatten -top $(DRAM_TOP_$(c)) -run :fine; \
	  tee -q -o $(BUILD)/synth/dram_$(c).premap.il dump t:\$$mem_v2; synth -flatten -top $(DRAM_TOP_$(c)) -run fine:; \
	  tee -q -o $(BUILD)/synth/dram_$(c).stat stat" > /dev/null \
	  || { echo "synth failed: $(DRAM_TOP_$(c)) $(c) (log: $(BUILD)/synth/dram_$(c).log)"; exit 1; };)
	@$(PYTHON) scripts/synth_table.py $(BUILD)/synth $(foreach c,$(DRAM_CONFIGS),dram_$(c))
