# MeshA/MeshB (rtl/mesh/rsn_mesh.sv, one build per IsMeshB) and the instruction fetch unit
# (rtl/top/rsn_instr_fetch.sv). Mesh vectors: rsn-vectors mesh (uOPs accepted by
# rsn::isa::check::check_payload plus a few with unwired codes, routes from
# rsn::topology::mesh_routes). The fetch testbench needs no vectors: its AXI slave model's memory is
# a hash of the address, and it checks every word against it.
MESH_SRCS    := rsn_isa_pkg.sv $(wildcard stream/*.sv) mesh/rsn_mesh.sv
MESH_CONFIGS := mesha meshb
MESH_PARAMS_mesha := -GIsMeshB=0
MESH_PARAMS_meshb := -GIsMeshB=1
# uOPs per configuration (each moves 1-4 blocks of 512 beats on each of its routes).
MESH_VEC_COUNT_mesha ?= 40
MESH_VEC_COUNT_meshb ?= 40
MESH_VEC_DEPS := $(VECTORS)
FETCH_SRCS := $(wildcard stream/*.sv) top/rsn_instr_fetch.sv
# Programs fetched by tb_instr_fetch (plus one full-rate throughput run).
FETCH_RUNS ?= 300

define mesh_tb_rule
$(BUILD)/vectors/mesh_$(1).txt: $(MESH_VEC_DEPS)
	@mkdir -p $$(dir $$@)
	@$$(VECTORS) mesh $(1) $(MESH_VEC_COUNT_$(1)) $(VEC_SEED) > $$@.tmp 2> $$@.log || { cat $$@.log; exit 1; }
	@echo "mesh $(1) $(MESH_VEC_COUNT_$(1)) $(VEC_SEED)" > $$@.cmd
	@mv $$@.tmp $$@
	@echo "vectors: mesh_$(1) ($$$$(grep -c '^u' $$@) uOPs)"

$(BUILD)/obj/mesh_$(1)/tb_mesh: tb/tb_mesh.cpp tb/tb_common.h $(MESH_SRCS)
	@mkdir -p $(BUILD)/obj
	$(VERILATOR) --cc --exe --build -j 1 $(VFLAGS) --top-module rsn_mesh $(MESH_PARAMS_$(1)) \
	  -Mdir $(BUILD)/obj/mesh_$(1) -o tb_mesh -CFLAGS "$(CXXFLAGS_TB) -DTB_NAME=\\\"tb_mesh_$(1)\\\"" \
	  $(MESH_SRCS) $(CURDIR)/tb/tb_mesh.cpp > $(BUILD)/obj/mesh_$(1).build.log 2>&1 \
	  || (cat $(BUILD)/obj/mesh_$(1).build.log; exit 1)

$(BUILD)/results/mesh_$(1).ok: $(BUILD)/obj/mesh_$(1)/tb_mesh $(BUILD)/vectors/mesh_$(1).txt
	@mkdir -p $(BUILD)/results
	@$$< $(BUILD)/vectors/mesh_$(1).txt $(VEC_SEED) > $$@.tmp 2>&1; rc=$$$$?; cat $$@.tmp; \
	  if [ $$$$rc -ne 0 ]; then rm -f $$@.tmp; exit $$$$rc; fi; mv $$@.tmp $$@
endef
$(foreach c,$(MESH_CONFIGS),$(eval $(call mesh_tb_rule,$(c))))

$(BUILD)/obj/instr_fetch/tb_instr_fetch: tb/tb_instr_fetch.cpp tb/tb_common.h $(FETCH_SRCS)
	@mkdir -p $(BUILD)/obj
	$(VERILATOR) --cc --exe --build -j 1 $(VFLAGS) --top-module rsn_instr_fetch \
	  -Mdir $(BUILD)/obj/instr_fetch -o tb_instr_fetch -CFLAGS "$(CXXFLAGS_TB)" \
	  $(FETCH_SRCS) $(CURDIR)/tb/tb_instr_fetch.cpp > $(BUILD)/obj/instr_fetch.build.log 2>&1 \
	  || (cat $(BUILD)/obj/instr_fetch.build.log; exit 1)

$(BUILD)/results/instr_fetch.ok: $(BUILD)/obj/instr_fetch/tb_instr_fetch
	@mkdir -p $(BUILD)/results
	@$< $(VEC_SEED) $(FETCH_RUNS) > $@.tmp 2>&1; rc=$$?; cat $@.tmp; \
	  if [ $$rc -ne 0 ]; then rm -f $@.tmp; exit $$rc; fi; mv $@.tmp $@

TEST_RESULTS += $(foreach c,$(MESH_CONFIGS),$(BUILD)/results/mesh_$(c).ok) $(BUILD)/results/instr_fetch.ok

.PHONY: lint-mesh synth-mesh
lint: lint-mesh
lint-mesh:
	@set -e; $(foreach c,$(MESH_CONFIGS),$(VERILATOR) --lint-only -Wall --top-module rsn_mesh \
	  $(MESH_PARAMS_$(c)) $(MESH_SRCS); echo "lint ok: rsn_mesh $(c)";) \
	$(VERILATOR) --lint-only -Wall --top-module rsn_instr_fetch $(FETCH_SRCS); echo "lint ok: rsn_instr_fetch"

# The fetch unit's line FIFO stays a $$mem_v2 (LUT RAM / block RAM on the FPGA), as for rtl/mem.
synth: synth-mesh
synth-mesh:
	@mkdir -p $(BUILD)/synth
	@set -e; $(foreach c,$(MESH_CONFIGS),$(YOSYS) -q -l $(BUILD)/synth/mesh_$(c).log -p \
	  "read_verilog -sv $(MESH_SRCS); hierarchy -check -top rsn_mesh \
	  $(subst -G,-chparam ,$(subst =, ,$(MESH_PARAMS_$(c)))); synth -flatten -top rsn_mesh -run :fine; \
	  tee -q -o $(BUILD)/synth/mesh_$(c).premap.il dump t:\$$mem_v2; synth -flatten -top rsn_mesh -run fine:; \
	  tee -q -o $(BUILD)/synth/mesh_$(c).stat stat" > /dev/null \
	  || { echo "synth failed: rsn_mesh $(c) (log: $(BUILD)/synth/mesh_$(c).log)"; exit 1; };)
	@$(YOSYS) -q -l $(BUILD)/synth/instr_fetch.log -p \
	  "read_verilog -sv $(FETCH_SRCS); hierarchy -check -top rsn_instr_fetch; \
	  synth -flatten -top rsn_instr_fetch -run :fine; \
	  tee -q -o $(BUILD)/synth/instr_fetch.premap.il dump t:\$$mem_v2; opt -fast -full; techmap; \
	  opt -fast; abc -fast; opt -fast; tee -q -o $(BUILD)/synth/instr_fetch.stat stat" > /dev/null \
	  || { echo "synth failed: rsn_instr_fetch (log: $(BUILD)/synth/instr_fetch.log)"; exit 1; }
	@$(PYTHON) scripts/synth_table.py $(BUILD)/synth mesh_mesha mesh_meshb instr_fetch
