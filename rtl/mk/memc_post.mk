# MemC post-op unit (rtl/memc/rsn_memc_post*.sv): softmax, LayerNorm (also split across the MemC
# pair), GELU. Vectors from rsn-vectors memc-post (rsn::numerics).
MEMC_POST_SRCS := $(wildcard stream/*.sv) rsn_fp32_pkg.sv $(wildcard fp/*.sv) $(wildcard memc/rsn_memc_post*.sv)
# The testbench builds the default configuration (2 exp and 3 gelu instances: the round robin
# wraps at a power of two and at a non-power of two), stated explicitly.
MEMC_POST_TB_PARAMS := -GExpUnits=2 -GGeluUnits=3
MEMC_POST_VEC_COUNT ?= 20
MEMC_POST_VEC_DEPS  := $(VECTORS)

$(BUILD)/vectors/memc_post.txt: $(MEMC_POST_VEC_DEPS)
	@mkdir -p $(dir $@)
	@$(VECTORS) memc-post $(MEMC_POST_VEC_COUNT) $(VEC_SEED) > $@.tmp 2> $@.log || { cat $@.log; exit 1; }
	@echo "memc-post $(MEMC_POST_VEC_COUNT) $(VEC_SEED)" > $@.cmd
	@mv $@.tmp $@
	@echo "vectors: memc_post ($$(grep -c '^g' $@) groups)"

$(BUILD)/obj/memc_post/tb_memc_post: tb/tb_memc_post.cpp tb/tb_common.h $(MEMC_POST_SRCS)
	@mkdir -p $(BUILD)/obj
	$(VERILATOR) --cc --exe --build -j 1 $(VFLAGS) -fno-inline --top-module rsn_memc_post $(MEMC_POST_TB_PARAMS) \
	  -Mdir $(BUILD)/obj/memc_post -o tb_memc_post -CFLAGS "$(CXXFLAGS_TB)" \
	  $(MEMC_POST_SRCS) $(CURDIR)/tb/tb_memc_post.cpp \
	  > $(BUILD)/obj/memc_post.build.log 2>&1 || (cat $(BUILD)/obj/memc_post.build.log; exit 1)

$(BUILD)/results/memc_post.ok: $(BUILD)/obj/memc_post/tb_memc_post $(BUILD)/vectors/memc_post.txt
	@mkdir -p $(BUILD)/results
	@$< $(BUILD)/vectors/memc_post.txt $(VEC_SEED) > $@.tmp 2>&1; rc=$$?; cat $@.tmp; \
	  if [ $$rc -ne 0 ]; then rm -f $@.tmp; exit $$rc; fi; mv $@.tmp $@

# About a minute of Verilator build (4-8 minutes with the former 32 x N scalar FSM instances).
TEST_RESULTS += $(BUILD)/results/memc_post.ok

.PHONY: lint-memc-post synth-memc-post
lint: lint-memc-post
lint-memc-post:
	@set -e; \
	$(VERILATOR) --lint-only -Wall --top-module rsn_memc_post $(MEMC_POST_SRCS); \
	echo "lint ok: rsn_memc_post"; \
	$(VERILATOR) --lint-only -Wall --top-module rsn_memc_post -GExpUnits=1 -GGeluUnits=1 $(MEMC_POST_SRCS); \
	echo "lint ok: rsn_memc_post -GExpUnits=1 -GGeluUnits=1"
# (MemC's defaults, four exp and four GELU instances, are linted through rsn_memc, mk/memc.mk.)

# Hierarchical synthesis (no -flatten): yosys maps each module once, not each fp instance, which
# keeps this to ~20 minutes. -noshare: the SAT-based sharing pass had not got past rsn_fp32_exp
# after an hour (it searches the guarded function call sites of 32 lanes), and every call site is
# meant as its own datapath anyway. The 512 x 1024-bit and 512 x 64-bit buffers stay $mem_v2 cells
# (block RAM on the FPGA), as in synth-mem. The stat file lists every module and the design total.
synth: synth-memc-post
synth-memc-post:
	@mkdir -p $(BUILD)/synth
	@$(YOSYS) -q -l $(BUILD)/synth/rsn_memc_post.log -p \
	  "read_verilog -sv $(MEMC_POST_SRCS); hierarchy -check -top rsn_memc_post; \
	  synth -top rsn_memc_post -noshare -run :fine; \
	  tee -q -o $(BUILD)/synth/rsn_memc_post.premap.il dump t:\$$mem_v2; opt -fast -full; techmap; \
	  opt -fast; abc -fast; opt -fast; tee -q -o $(BUILD)/synth/rsn_memc_post.stat stat -top rsn_memc_post" \
	  > /dev/null || { echo "synth failed: rsn_memc_post (log: $(BUILD)/synth/rsn_memc_post.log)"; exit 1; }
	@echo "synth ok: rsn_memc_post ($(BUILD)/synth/rsn_memc_post.stat)"
	@sed -n '/design hierarchy/,$$p' $(BUILD)/synth/rsn_memc_post.stat | head -40
