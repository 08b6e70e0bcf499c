# The PL kernel top level (rtl/top/rsn_xnn_top.sv), its packet tracker and the generated packaging
# wrapper rsn_xnn_kernel (whose port list `make -C bitstreams/vck190 check` compares with the Vitis
# recipe). Linted here, the top with and without the MemC post-op units; simulated as a whole by
# the co-simulation (sim/, `cargo test --features sim`), which is where its tests live. Not in
# `make synth`: generic synthesis of the flattened kernel (hundreds of FP units) takes hours; every
# FU it instantiates is synthesised separately by its own synth target.
TOP_SRCS := rsn_isa_pkg.sv rsn_cfg_pkg.sv $(wildcard stream/*.sv) rsn_fp32_pkg.sv $(wildcard fp/*.sv) decoder/rsn_decoder.sv decoder/rsn_payload_check.sv decoder/rsn_dram_extent.sv \
            decoder/rsn_mop_expander.sv decoder/rsn_dram_chunker.sv $(wildcard mem/*.sv) \
            $(wildcard memc/*.sv) $(wildcard dram/*.sv) $(wildcard mesh/*.sv) $(wildcard top/*.sv)

.PHONY: lint-top
lint: lint-top
lint-top:
	@$(VERILATOR) --lint-only -Wall --top-module rsn_xnn_top $(TOP_SRCS) && echo "lint ok: rsn_xnn_top"
	@$(VERILATOR) --lint-only -Wall --top-module rsn_xnn_top -GPostOps=1\'b0 $(TOP_SRCS) \
	  && echo "lint ok: rsn_xnn_top PostOps=0"
	@$(VERILATOR) --lint-only -Wall --top-module rsn_pkt_track $(TOP_SRCS) && echo "lint ok: rsn_pkt_track"
	@$(VERILATOR) --lint-only -Wall --top-module rsn_xnn_kernel $(TOP_SRCS) && echo "lint ok: rsn_xnn_kernel"
