# --------------------------------------------------------------------------------------------
# MemC unit (rtl/memc): rsn_memc (MemC0-3 and MemC4/5 parameterisations), the LayerNorm pair
# wrapper rsn_memc_pair, and its submodules. rsn_memc_post.sv (the post-op unit) lives in the same
# folder. Vectors from rsn-vectors memc, computed with the model's MemC kernel.
MEMC_SRCS := rsn_isa_pkg.sv $(wildcard stream/*.sv) rsn_fp32_pkg.sv $(wildcard fp/*.sv) $(wildcard memc/*.sv)
# Vector sets: memc (no post-op, edge values in the data), memc_postop (softmax, LayerNorm, GELU),
# memc_pair (split LayerNorm across a pair). Three testbench builds of tb/tb_memc.cpp: memc_np
# (rsn_memc without post-op unit, runs the memc vectors), memc (rsn_memc, the memc_postop vectors)
# and memc_pair (rsn_memc_pair, -DTB_PAIR). The post-op builds use one exp and one GELU instance:
# the post-op rate does not matter here, each instance still adds ~7 s of C++ compile, and
# Units = 1 is the one round-robin case tb_memc_post (2 and 3) does not build.
MEMC_CONFIGS := memc memc_postop memc_pair
MEMC_VEC_COUNT_memc        ?= 40
MEMC_VEC_COUNT_memc_postop ?= 30
MEMC_VEC_COUNT_memc_pair   ?= 16
MEMC_BUILD_memc        := memc_np
MEMC_BUILD_memc_postop := memc
MEMC_BUILD_memc_pair   := memc_pair
MEMC_TOP_memc      := rsn_memc
MEMC_TOP_memc_np   := rsn_memc
# The no-post-op vectors run on MemC built without its post-op unit (a ~20 s build instead of ~1 min).
MEMC_PARAMS_memc_np := -GHasPostOps=1\'b0
MEMC_TOP_memc_pair := rsn_memc_pair
MEMC_DEFS_memc_pair := -DTB_PAIR
MEMC_TB_PARAMS := -GPostExpUnits=1 -GPostGeluUnits=1
MEMC_VEC_DEPS := $(VECTORS)

define memc_build_rule
$(BUILD)/obj/$(1)/tb_$(1): tb/tb_memc.cpp tb/tb_common.h $(MEMC_SRCS)
	@mkdir -p $(BUILD)/obj
	$(VERILATOR) --cc --exe --build -j 1 $(VFLAGS) --top-module $(MEMC_TOP_$(1)) $(MEMC_TB_PARAMS) $(MEMC_PARAMS_$(1)) \
	  -Mdir $(BUILD)/obj/$(1) -o tb_$(1) \
	  -CFLAGS "$(CXXFLAGS_TB) $(MEMC_DEFS_$(1)) -DTB_NAME=\\\"tb_$(1)\\\"" \
	  $(MEMC_SRCS) $(CURDIR)/tb/tb_memc.cpp > $(BUILD)/obj/$(1).build.log 2>&1 \
	  || (cat $(BUILD)/obj/$(1).build.log; exit 1)
endef
$(foreach b,memc memc_np memc_pair,$(eval $(call memc_build_rule,$(b))))

define memc_tb_rule
$(BUILD)/vectors/$(1).txt: $(MEMC_VEC_DEPS)
	@mkdir -p $$(dir $$@)
	@$$(VECTORS) memc $(1) $(MEMC_VEC_COUNT_$(1)) $(VEC_SEED) > $$@.tmp 2> $$@.log || { cat $$@.log; exit 1; }
	@echo "memc $(1) $(MEMC_VEC_COUNT_$(1)) $(VEC_SEED)" > $$@.cmd
	@mv $$@.tmp $$@
	@echo "vectors: $(1) ($$$$(grep -c '^u' $$@) uOPs)"

$(BUILD)/results/$(1).ok: $(BUILD)/obj/$(MEMC_BUILD_$(1))/tb_$(MEMC_BUILD_$(1)) $(BUILD)/vectors/$(1).txt
	@mkdir -p $(BUILD)/results
	@$$< $(BUILD)/vectors/$(1).txt $(VEC_SEED) > $$@.tmp 2>&1; rc=$$$$?; sed 's/^/[$(1)] /' $$@.tmp; \
	  if [ $$$$rc -ne 0 ]; then rm -f $$@.tmp; exit $$$$rc; fi; mv $$@.tmp $$@
endef
$(foreach c,$(MEMC_CONFIGS),$(eval $(call memc_tb_rule,$(c))))

# With the lane-parallel function units the post-op builds take 1-2 minutes (they took 10-25 with
# 32 scalar FSM instances per unit index), so all three sets are part of `make test`.
TEST_RESULTS += $(BUILD)/results/memc.ok $(BUILD)/results/memc_postop.ok $(BUILD)/results/memc_pair.ok

# Lint: rsn_memc as MemC0-3 and MemC4/5 (default post-op units, and the testbenches' single
# instances), the pair, and each submodule as top.
MEMC_LINT := rsn_memc:-GInst=0 rsn_memc:-GInst=4 \
             rsn_memc:-GInst=0,-GPostExpUnits=1,-GPostGeluUnits=1 \
             rsn_memc:-GInst=0,-GHasPostOps=1\'b0 \
             rsn_memc_pair:-GInst0=0 \
             rsn_memc_bank: rsn_memc_fill: rsn_memc_params: rsn_memc_drain:-GHasMesh=1\'b1 \
             rsn_memc_drain:-GHasMesh=1\'b0

.PHONY: lint-memc synth-memc
lint: lint-memc
lint-memc:
	@set -e; for v in $(MEMC_LINT); do \
	  m=$${v%%:*}; p=$$(echo $${v#*:} | tr , ' '); \
	  $(VERILATOR) --lint-only -Wall --top-module $$m $$p $(MEMC_SRCS); \
	  echo "lint ok: $$m $$p"; \
	done

# The lane RAMs stay $$mem_v2 cells (block RAM / URAM on the FPGA), as for rtl/mem.
MEMC_SYNTH := rsn_memc_inst0:rsn_memc:0 rsn_memc_inst4:rsn_memc:4
synth: synth-memc
synth-memc:
	@mkdir -p $(BUILD)/synth
	@set -e; for v in $(MEMC_SYNTH); do \
	  n=$${v%%:*}; r=$${v#*:}; m=$${r%%:*}; i=$${r#*:}; \
	  $(YOSYS) -q -l $(BUILD)/synth/$$n.log -p \
	  "read_verilog -sv $(MEMC_SRCS); hierarchy -check -top $$m -chparam Inst $$i; \
	  synth -flatten -top $$m -run :fine; \
	  tee -q -o $(BUILD)/synth/$$n.premap.il dump t:\$$mem_v2; opt -fast -full; techmap; \
	  opt -fast; abc -fast; opt -fast; tee -q -o $(BUILD)/synth/$$n.stat stat" > /dev/null \
	  || { echo "synth failed: $$n (log: $(BUILD)/synth/$$n.log)"; exit 1; }; \
	  echo "synth ok: $$n"; \
	done
	@$(PYTHON) scripts/synth_table.py $(BUILD)/synth $(foreach v,$(MEMC_SYNTH),$(firstword $(subst :, ,$(v))))
