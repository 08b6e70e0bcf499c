# AXI protocol assertions: rsn_axi4_check (tb/rsn_axi4_check.sv) on each DRAM unit's AXI4 master,
# rsn_axil_check (tb/rsn_axil_check.sv) on the control registers' AXI4-Lite slave, bound by
# tb/rsn_axi_bind.sv into the DRAM and control-register testbenches (built with --assert;
# mk/dram.mk, mk/ctrl_regs.mk). This file comes first in the include order, so those rules see AXI_CHECK_SRCS. The self-test below
# shows that each checked rule fires: a legal exchange must pass, each broken one must stop with
# its assertion's message.
AXI_CHECK_SRCS := tb/rsn_axi4_check.sv tb/rsn_axil_check.sv tb/rsn_axi_bind.sv
AXI_SELFTEST_SRCS := tb/rsn_axi4_check.sv tb/rsn_axil_check.sv tb/rsn_axi_check_tb.sv
# case:message fragment the assertion prints
AXI_SELFTEST_CASES := \
  ar_drop:arvalid_dropped ar_change:address_or_burst_changed ar_4k:crosses_a_4_KiB \
  r_change:changed_while_stalled r_early_last:rlast=1_on_beat_0 r_no_last:rlast=0_on_beat_1 \
  r_orphan:no_read_burst_outstanding w_ahead_long:W:_a_burst_of_3_beats,_its_AW_has_2 w_strb:partial_strobes \
  w_drop:wvalid_dropped w_no_last:wlast=0_on_beat_1 b_early:B:_a_response_before_its_burst \
  b_drop:bvalid_dropped lite_aw_change:AW:_dropped_or_changed lite_b_drop:B:_bvalid_dropped \
  lite_r_change:R:_rvalid_dropped lite_b_orphan:no_write lite_r_orphan:no_read_accepted

.PHONY: lint-axi-check
lint: lint-axi-check
lint-axi-check:
	@set -e; for p in "-GHasRead=1'b1 -GHasWrite=1'b0" "-GHasRead=1'b0 -GHasWrite=1'b1" "-GHasRead=1'b1 -GHasWrite=1'b1"; do \
	  $(VERILATOR) --lint-only -Wall --assert --top-module rsn_axi4_check $$p tb/rsn_axi4_check.sv; \
	done; $(VERILATOR) --lint-only -Wall --assert --top-module rsn_axi_check_tb $(AXI_SELFTEST_SRCS); \
	echo "lint ok: rsn_axi4_check, rsn_axil_check"

$(BUILD)/obj/axi_check/tb_axi_check: tb/tb_axi_check.cpp $(AXI_SELFTEST_SRCS)
	@mkdir -p $(BUILD)/obj
	$(VERILATOR) --cc --exe --build -j 1 --assert -O1 -Wall --no-timing --top-module rsn_axi_check_tb \
	  -Mdir $(BUILD)/obj/axi_check -o tb_axi_check -CFLAGS "-O1 -std=c++17" \
	  $(AXI_SELFTEST_SRCS) $(CURDIR)/tb/tb_axi_check.cpp > $(BUILD)/obj/axi_check.build.log 2>&1 \
	  || (cat $(BUILD)/obj/axi_check.build.log; exit 1)

$(BUILD)/results/axi_check.ok: $(BUILD)/obj/axi_check/tb_axi_check
	@mkdir -p $(BUILD)/results
	@set -e; $< ok > $@.tmp 2>&1 || { cat $@.tmp; echo "axi_check: the legal exchange fired an assertion"; exit 1; }; \
	for c in $(AXI_SELFTEST_CASES); do \
	  name=$${c%%:*}; want=$$(echo "$${c#*:}" | tr _ ' '); \
	  if $< $$name > $@.case 2>&1; then cat $@.case; echo "axi_check: case $$name fired no assertion"; exit 1; fi; \
	  grep -qF "$$want" $@.case || { cat $@.case; echo "axi_check: case $$name did not stop with \"$$want\""; exit 1; }; \
	  echo "axi_check: $$name stopped: $$(grep -m1 'Assertion failed' $@.case | sed 's/.*Assertion failed in //')" >> $@.tmp; \
	done; rm -f $@.case; cat $@.tmp; mv $@.tmp $@

TEST_RESULTS += $(BUILD)/results/axi_check.ok
