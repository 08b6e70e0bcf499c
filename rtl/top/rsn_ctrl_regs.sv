// Control register block of rsn_xnn_top: the AXI4-Lite slave `s_axi_control` (register map v2,
// bitstreams/vck190/regs.md; source of truth host/src/regs.rs). It holds the ap_ctrl_hs control
// bits, the kernel arguments, the fault registers the kernel reports into, and the per-FU counters,
// which it accumulates itself from per-cycle inputs of the top. See rtl/top/README_regs.md.
//
// The offsets below are written by hand from regs.rs; tb_ctrl_regs.cpp checks every one of them
// against a header generated from regs.rs (rtl/vectors (`rsn-vectors regs-header`)), so a stale offset fails.
module rsn_ctrl_regs #(
  parameter int unsigned NumFu = 24  // rsn::topology::Fu::COUNT (1..48 fit the 4 KiB space)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // AXI4-Lite slave (names follow the AXI convention the Vitis packager recognises)
  /* verilator lint_off UNUSEDSIGNAL */  // byte addresses: every register is a word, bits 1:0 are ignored
  input  logic [11:0]           s_axi_awaddr,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic                  s_axi_awvalid,
  output logic                  s_axi_awready,
  input  logic [31:0]           s_axi_wdata,
  input  logic [3:0]            s_axi_wstrb,
  input  logic                  s_axi_wvalid,
  output logic                  s_axi_wready,
  output logic [1:0]            s_axi_bresp,
  output logic                  s_axi_bvalid,
  input  logic                  s_axi_bready,
  /* verilator lint_off UNUSEDSIGNAL */  // as s_axi_awaddr
  input  logic [11:0]           s_axi_araddr,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic                  s_axi_arvalid,
  output logic                  s_axi_arready,
  output logic [31:0]           s_axi_rdata,
  output logic [1:0]            s_axi_rresp,
  output logic                  s_axi_rvalid,
  input  logic                  s_axi_rready,
  output logic                  interrupt_o,
  // to the kernel
  output logic                  start_o,
  output logic                  abort_o,
  output logic [63:0]           instr_base_o,
  output logic [63:0]           ddr_base_o,
  output logic [63:0]           ddr1_base_o,
  output logic [63:0]           lpddr_base_o,
  output logic [63:0]           instr_offset_o,
  output logic [31:0]           instr_words_o,
  output logic [31:0]           watchdog_cycles_o,
  output logic [16*64-1:0]      bound_lo_o,
  output logic [16*64-1:0]      bound_hi_o,
  output logic [15:0]           bound_en_ddr_o,
  output logic [15:0]           bound_en_lpddr_o,
  // from the kernel
  input  logic                  done_i,
  input  logic [2:0]            fault_code_i,
  input  logic [31:0]           fault_packet_i,
  input  logic [31:0]           fault_mop_i,
  input  logic [31:0]           fault_word_i,
  input  logic [63:0]           fault_detail_i,
  input  logic                  fault_i,
  // per FU, every cycle
  input  logic [NumFu-1:0]      fu_busy_i,
  input  logic [NumFu-1:0]      fu_wait_in_i,
  input  logic [NumFu-1:0]      fu_wait_out_i,
  input  logic [NumFu-1:0]      fu_uop_done_i,
  input  logic [NumFu*16-1:0]   fu_bytes_i,
  input  logic [NumFu*3-1:0]    fu_state_i,
  input  logic [NumFu*32-1:0]   fu_cur_mop_i
);

  // ---------------------------------------------------------------------------------------------
  // Register map v2 (host/src/regs.rs), byte offsets.
  localparam logic [11:0] OffCtrl      = 12'h000;  // regs::AP_CTRL
  // The rest of the ap_ctrl_hs block is the fixed Vitis layout (regs.md); regs.rs names only CTRL.
  localparam logic [11:0] OffGier      = 12'h004;
  localparam logic [11:0] OffIpIer     = 12'h008;
  localparam logic [11:0] OffIpIsr     = 12'h00c;
  // Kernel arguments (regs::kernel_args): 0x010..0x04f is one contiguous run of 32-bit words.
  localparam int unsigned ArgFirst     = 32'h010;
  localparam int unsigned NumArgWords  = 16;
  localparam int unsigned ArgInstr     = 32'h010;
  localparam int unsigned ArgDdr0      = 32'h018;
  localparam int unsigned ArgDdr1      = 32'h020;
  localparam int unsigned ArgLpddr0    = 32'h028;
  // 0x030..0x037 are reserved (v1's lpddr1): they read 0 and ignore writes.
  localparam int unsigned ArgReserved  = 32'h030;
  localparam int unsigned ReservedWords = 2;
  localparam int unsigned ArgInstrOff  = 32'h038;
  localparam int unsigned ArgInstrWds  = 32'h040;
  localparam int unsigned ArgBoundCnt  = 32'h044;
  localparam int unsigned ArgBoundMask = 32'h048;
  localparam int unsigned ArgWatchdog  = 32'h04c;
  localparam logic [11:0] OffArgFirst  = 12'(ArgFirst);
  // Bound pair i: lo at OffBound0 + 16 i, hi 8 bytes above; pairs are contiguous.
  localparam logic [11:0] OffBound0    = 12'h080;
  localparam int unsigned MaxBounds    = 16;        // regs::MAX_BOUNDS
  localparam int unsigned NumBoundWords = 4 * MaxBounds;
  // Status.
  localparam logic [11:0] OffMagic     = 12'h200;
  localparam logic [11:0] OffVersion   = 12'h204;
  localparam logic [11:0] OffStatus    = 12'h208;
  localparam logic [11:0] OffFaultCode = 12'h20c;
  localparam logic [11:0] OffFaultPkt  = 12'h210;
  localparam logic [11:0] OffFaultMop  = 12'h214;
  localparam logic [11:0] OffFaultWord = 12'h218;
  localparam logic [11:0] OffFaultDet  = 12'h21c;
  localparam logic [11:0] OffCycles    = 12'h228;
  localparam logic [11:0] OffAbort     = 12'h230;
  localparam logic [11:0] OffFuCount   = 12'h240;
  // Per-FU blocks: FU f at OffFuBase + 64 f (the stride is a power of two, used as bits 11:6).
  localparam logic [11:0] OffFuBase    = 12'h400;
  localparam logic [5:0]  FuBusy       = 6'h00;
  localparam logic [5:0]  FuStallIn    = 6'h08;
  localparam logic [5:0]  FuStallOut   = 6'h10;
  localparam logic [5:0]  FuBytes      = 6'h18;
  localparam logic [5:0]  FuUops       = 6'h20;
  localparam logic [5:0]  FuState      = 6'h28;
  localparam logic [5:0]  FuCurMop     = 6'h2c;
  // FU_QUEUED (0x30) has no input here and reads 0 like an unused offset.

  localparam logic [31:0] MagicValue    = 32'h584e_5352;  // "RSNX" little-endian
  localparam logic [15:0] RegmapVersion = 16'd2;
  localparam logic [31:0] NoPosition    = 32'hffff_ffff;
  localparam logic [31:0] VersionValue  = {RegmapVersion, 16'(rsn_isa_pkg::IsaVersion)};

  if (NumFu < 1 || NumFu > 48) begin : gen_numfu_check
    $error("rsn_ctrl_regs: NumFu must be 1..48 (the FU blocks must fit below 0x1000)");
  end

  // ---------------------------------------------------------------------------------------------
  // AXI4-Lite write: AW and W are each taken into a one-entry holding register as soon as they
  // come, in either order; the write happens once both are held and the B slot is free (or being
  // freed), so a slow bready stalls the next write, never loses a response.
  logic        aw_full_q, w_full_q, bvalid_q, wr_en;
  logic [11:0] aw_addr_q;
  logic [31:0] w_data_q, wmask;
  logic [3:0]  w_strb_q;

  assign s_axi_awready = ~aw_full_q;
  assign s_axi_wready  = ~w_full_q;
  assign s_axi_bvalid  = bvalid_q;
  assign s_axi_bresp   = 2'b00;  // OKAY for every offset: unused ones ignore the data
  assign wr_en         = aw_full_q & w_full_q & (~bvalid_q | s_axi_bready);
  assign wmask         = {{8{w_strb_q[3]}}, {8{w_strb_q[2]}}, {8{w_strb_q[1]}}, {8{w_strb_q[0]}}};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q <= 1'b0;
      w_full_q  <= 1'b0;
      bvalid_q  <= 1'b0;
      aw_addr_q <= '0;
      w_data_q  <= '0;
      w_strb_q  <= '0;
    end else begin
      if (s_axi_awvalid && !aw_full_q) begin
        aw_full_q <= 1'b1;
        aw_addr_q <= {s_axi_awaddr[11:2], 2'b00};
      end else if (wr_en) begin
        aw_full_q <= 1'b0;
      end
      if (s_axi_wvalid && !w_full_q) begin
        w_full_q <= 1'b1;
        w_data_q <= s_axi_wdata;
        w_strb_q <= s_axi_wstrb;
      end else if (wr_en) begin
        w_full_q <= 1'b0;
      end
      if (wr_en) begin
        bvalid_q <= 1'b1;
      end else if (s_axi_bready) begin
        bvalid_q <= 1'b0;
      end
    end
  end

  // Byte 0 carries every control bit, so the control registers act only when its strobe is set.
  logic wr_ctl;
  assign wr_ctl = wr_en & w_strb_q[0];

  // ---------------------------------------------------------------------------------------------
  // AXI4-Lite read: the address is registered first and the data one cycle later, so neither the
  // s_axi_araddr pins nor the live counters feed rdata combinationally, and rdata is a register
  // that holds still while rready is low. One read at a time: AR -> capture -> R.
  logic        rd_pend_q, rvalid_q, rd_ctrl;
  logic [11:0] rd_addr_q;
  logic [31:0] rdata_q, rd_value;

  assign s_axi_arready = ~rd_pend_q & ~rvalid_q;
  assign s_axi_rvalid  = rvalid_q;
  assign s_axi_rdata   = rdata_q;
  assign s_axi_rresp   = 2'b00;
  // The cycle CTRL's value is captured is the read that clears ap_done / ap_ready.
  assign rd_ctrl       = rd_pend_q & (rd_addr_q == OffCtrl);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_pend_q <= 1'b0;
      rvalid_q  <= 1'b0;
      rd_addr_q <= '0;
      rdata_q   <= '0;
    end else begin
      if (s_axi_arvalid && s_axi_arready) begin
        rd_pend_q <= 1'b1;
        rd_addr_q <= {s_axi_araddr[11:2], 2'b00};
      end else if (rd_pend_q) begin
        rd_pend_q <= 1'b0;
        rvalid_q  <= 1'b1;
        rdata_q   <= rd_value;
      end else if (s_axi_rready) begin
        rvalid_q  <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // ap_ctrl_hs. ap_start is held until the kernel is idle, then accepted (start_o) and cleared.
  // A run lasts from the accept to done_i. ap_done and ap_ready rise with done_i (the kernel reads
  // its arguments throughout the run, so it is ready for new ones only at the end) and clear on a
  // read of CTRL, or on the next accept so a stale done can never describe a new run.
  logic running_q, running_d, ap_start_q, ap_start_d, ap_done_q, ap_done_d, ap_ready_q, ap_ready_d;
  logic gier_q, gier_d, ier_q, ier_d, isr_q, isr_d;
  logic st_done_q, st_done_d, error_q, error_d, abort_q, abort_d;
  logic start_fire, done_ev, fault_ev;

  assign start_fire = ap_start_q & ~running_q;
  assign done_ev    = done_i & running_q;
  // The first fault of a run is kept (the kernel reports one, with done_i).
  assign fault_ev   = fault_i & running_q & ~error_q;

  always_comb begin
    running_d  = start_fire | (running_q & ~done_i);
    ap_start_d = (ap_start_q & ~start_fire) | (wr_ctl & (aw_addr_q == OffCtrl) & w_data_q[0]);

    ap_done_d  = ap_done_q;
    ap_ready_d = ap_ready_q;
    if (start_fire) begin
      ap_done_d  = 1'b0;
      ap_ready_d = 1'b0;
    end else if (done_ev) begin
      // Wins over a read in the same cycle: that read captured the old value.
      ap_done_d  = 1'b1;
      ap_ready_d = 1'b1;
    end else if (rd_ctrl) begin
      ap_done_d  = 1'b0;
      ap_ready_d = 1'b0;
    end

    gier_d = gier_q;
    ier_d  = ier_q;
    isr_d  = isr_q;
    if (wr_ctl && aw_addr_q == OffGier) gier_d = w_data_q[0];
    if (wr_ctl && aw_addr_q == OffIpIer) ier_d = w_data_q[0];
    if (wr_ctl && aw_addr_q == OffIpIsr) isr_d = isr_q ^ w_data_q[0];
    if (done_ev && ier_q) isr_d = 1'b1;

    st_done_d = (st_done_q & ~start_fire) | done_ev;
    error_d   = (error_q & ~start_fire) | fault_ev;
    // Only while the run is still going: an abort that meets done_i has nothing left to stop.
    abort_d   = wr_ctl & (aw_addr_q == OffAbort) & w_data_q[0] & running_q & ~done_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q  <= 1'b0;
      ap_start_q <= 1'b0;
      ap_done_q  <= 1'b0;
      ap_ready_q <= 1'b0;
      gier_q     <= 1'b0;
      ier_q      <= 1'b0;
      isr_q      <= 1'b0;
      st_done_q  <= 1'b0;
      error_q    <= 1'b0;
      abort_q    <= 1'b0;
    end else begin
      running_q  <= running_d;
      ap_start_q <= ap_start_d;
      ap_done_q  <= ap_done_d;
      ap_ready_q <= ap_ready_d;
      gier_q     <= gier_d;
      ier_q      <= ier_d;
      isr_q      <= isr_d;
      st_done_q  <= st_done_d;
      error_q    <= error_d;
      abort_q    <= abort_d;
    end
  end

  assign start_o     = start_fire;
  assign abort_o     = abort_q;
  assign interrupt_o = gier_q & isr_q;

  // ---------------------------------------------------------------------------------------------
  // Fault registers and the run's cycle count: cleared when a run starts.
  logic [2:0]  fault_code_q;
  logic [31:0] fault_packet_q, fault_mop_q, fault_word_q;
  logic [63:0] fault_detail_q, cycles_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fault_code_q   <= '0;
      fault_packet_q <= NoPosition;
      fault_mop_q    <= NoPosition;
      fault_word_q   <= NoPosition;
      fault_detail_q <= '0;
      cycles_q       <= '0;
    end else if (start_fire) begin
      fault_code_q   <= '0;
      fault_packet_q <= NoPosition;
      fault_mop_q    <= NoPosition;
      fault_word_q   <= NoPosition;
      fault_detail_q <= '0;
      cycles_q       <= '0;
    end else begin
      if (fault_ev) begin
        fault_code_q   <= fault_code_i;
        fault_packet_q <= fault_packet_i;
        fault_mop_q    <= fault_mop_i;
        fault_word_q   <= fault_word_i;
        fault_detail_q <= fault_detail_i;
      end
      if (running_q) cycles_q <= cycles_q + 64'd1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Kernel arguments: 32-bit words with byte strobes; 64-bit arguments are two words, low first.
  logic [NumArgWords*32-1:0]   argw_q;
  logic [NumBoundWords*32-1:0] boundw_q;

  for (genvar i = 0; i < NumArgWords; i++) begin : g_argw
    // A reserved word is never selected: it stays at its reset value 0 (reads 0, ignores writes;
    // synthesis keeps no storage for it).
    localparam bit Reserved = i >= (ArgReserved - ArgFirst) / 4 &&
                              i < (ArgReserved - ArgFirst) / 4 + ReservedWords;
    logic sel;
    assign sel = !Reserved && wr_en && (aw_addr_q == OffArgFirst + 12'(4 * i));
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        argw_q[32*i +: 32] <= '0;
      end else if (sel) begin
        argw_q[32*i +: 32] <= (argw_q[32*i +: 32] & ~wmask) | (w_data_q & wmask);
      end
    end
  end

  for (genvar i = 0; i < NumBoundWords; i++) begin : g_boundw
    logic sel;
    assign sel = wr_en & (aw_addr_q == OffBound0 + 12'(4 * i));
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        boundw_q[32*i +: 32] <= '0;
      end else if (sel) begin
        boundw_q[32*i +: 32] <= (boundw_q[32*i +: 32] & ~wmask) | (w_data_q & wmask);
      end
    end
  end

  // Bit position of an argument inside argw_q: 8 bits per byte of offset.
  localparam int unsigned BitInstr     = 8 * (ArgInstr - ArgFirst);
  localparam int unsigned BitDdr0      = 8 * (ArgDdr0 - ArgFirst);
  localparam int unsigned BitDdr1      = 8 * (ArgDdr1 - ArgFirst);
  localparam int unsigned BitLpddr0    = 8 * (ArgLpddr0 - ArgFirst);
  localparam int unsigned BitInstrOff  = 8 * (ArgInstrOff - ArgFirst);
  localparam int unsigned BitInstrWds  = 8 * (ArgInstrWds - ArgFirst);
  localparam int unsigned BitBoundCnt  = 8 * (ArgBoundCnt - ArgFirst);
  localparam int unsigned BitBoundMask = 8 * (ArgBoundMask - ArgFirst);
  localparam int unsigned BitWatchdog  = 8 * (ArgWatchdog - ArgFirst);

  logic [31:0] bound_count;
  logic [15:0] bound_mask;  // bits 31:16 exist only as storage (read back, no pair to enable)
  assign instr_base_o      = argw_q[BitInstr +: 64];
  assign ddr_base_o        = argw_q[BitDdr0 +: 64];
  assign ddr1_base_o       = argw_q[BitDdr1 +: 64];
  assign lpddr_base_o      = argw_q[BitLpddr0 +: 64];
  assign instr_offset_o    = argw_q[BitInstrOff +: 64];
  assign instr_words_o     = argw_q[BitInstrWds +: 32];
  assign bound_count       = argw_q[BitBoundCnt +: 32];
  assign bound_mask        = argw_q[BitBoundMask +: 16];
  assign watchdog_cycles_o = argw_q[BitWatchdog +: 32];

  // A pair is valid when its index is below bound_count (counts above 16 enable all 16).
  for (genvar i = 0; i < MaxBounds; i++) begin : g_bound
    logic valid;
    assign valid                = bound_count > 32'(i);
    assign bound_lo_o[64*i +: 64] = boundw_q[128*i +: 64];
    assign bound_hi_o[64*i +: 64] = boundw_q[128*i + 64 +: 64];
    assign bound_en_ddr_o[i]    = valid & ~bound_mask[i];
    assign bound_en_lpddr_o[i]  = valid & bound_mask[i];
  end

  // ---------------------------------------------------------------------------------------------
  // Per-FU counters. The inputs come from all over the kernel, so they are registered once before
  // the 64-bit adders; counting therefore runs one cycle behind running_q (cnt_en_q), and the last
  // cycle of a run lands one cycle after done_i. A start clears the counters and wins over that
  // final increment, which belongs to the run being cleared.
  logic                  cnt_en_q;
  logic [NumFu-1:0]      busy_q, wait_in_q, wait_out_q, uop_done_q;
  logic [NumFu*16-1:0]   bytes_in_q;
  logic [NumFu*3-1:0]    state_q;
  logic [NumFu*32-1:0]   cur_mop_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_en_q   <= 1'b0;
      busy_q     <= '0;
      wait_in_q  <= '0;
      wait_out_q <= '0;
      uop_done_q <= '0;
      bytes_in_q <= '0;
      state_q    <= '0;
      cur_mop_q  <= '0;
    end else begin
      cnt_en_q   <= running_q;
      busy_q     <= fu_busy_i;
      wait_in_q  <= fu_wait_in_i;
      wait_out_q <= fu_wait_out_i;
      uop_done_q <= fu_uop_done_i;
      bytes_in_q <= fu_bytes_i;
      state_q    <= fu_state_i;
      cur_mop_q  <= fu_cur_mop_i;
    end
  end

  // Word (rd_addr_q bits 5:0) of every FU's block; the read mux below picks the FU.
  logic [NumFu*32-1:0] fu_word;

  for (genvar f = 0; f < NumFu; f++) begin : g_fu
    logic [63:0] c_busy_q, c_stall_in_q, c_stall_out_q, c_bytes_q, c_uops_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        c_busy_q      <= '0;
        c_stall_in_q  <= '0;
        c_stall_out_q <= '0;
        c_bytes_q     <= '0;
        c_uops_q      <= '0;
      end else if (start_fire) begin
        c_busy_q      <= '0;
        c_stall_in_q  <= '0;
        c_stall_out_q <= '0;
        c_bytes_q     <= '0;
        c_uops_q      <= '0;
      end else if (cnt_en_q) begin
        c_busy_q      <= c_busy_q + 64'(busy_q[f]);
        c_stall_in_q  <= c_stall_in_q + 64'(wait_in_q[f]);
        c_stall_out_q <= c_stall_out_q + 64'(wait_out_q[f]);
        c_bytes_q     <= c_bytes_q + 64'(bytes_in_q[16*f +: 16]);
        c_uops_q      <= c_uops_q + 64'(uop_done_q[f]);
      end
    end

    always_comb begin
      unique case (rd_addr_q[5:0])
        FuBusy:             fu_word[32*f +: 32] = c_busy_q[31:0];
        FuBusy + 6'd4:      fu_word[32*f +: 32] = c_busy_q[63:32];
        FuStallIn:          fu_word[32*f +: 32] = c_stall_in_q[31:0];
        FuStallIn + 6'd4:   fu_word[32*f +: 32] = c_stall_in_q[63:32];
        FuStallOut:         fu_word[32*f +: 32] = c_stall_out_q[31:0];
        FuStallOut + 6'd4:  fu_word[32*f +: 32] = c_stall_out_q[63:32];
        FuBytes:            fu_word[32*f +: 32] = c_bytes_q[31:0];
        FuBytes + 6'd4:     fu_word[32*f +: 32] = c_bytes_q[63:32];
        FuUops:             fu_word[32*f +: 32] = c_uops_q[31:0];
        FuUops + 6'd4:      fu_word[32*f +: 32] = c_uops_q[63:32];
        FuState:            fu_word[32*f +: 32] = 32'(state_q[3*f +: 3]);
        FuCurMop:           fu_word[32*f +: 32] = cur_mop_q[32*f +: 32];
        default:            fu_word[32*f +: 32] = '0;
      endcase
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Read mux, evaluated on the registered address.
  logic [5:0] fu_blk;  // rd_addr_q / 64
  assign fu_blk = rd_addr_q[11:6];

  always_comb begin
    rd_value = '0;
    unique case (rd_addr_q)
      OffCtrl:              rd_value = {28'd0, ap_ready_q, ~running_q, ap_done_q, ap_start_q};
      OffGier:              rd_value = {31'd0, gier_q};
      OffIpIer:             rd_value = {31'd0, ier_q};
      OffIpIsr:             rd_value = {31'd0, isr_q};
      OffMagic:             rd_value = MagicValue;
      OffVersion:           rd_value = VersionValue;
      OffStatus:            rd_value = {29'd0, error_q, st_done_q, running_q};
      OffFaultCode:         rd_value = {29'd0, fault_code_q};
      OffFaultPkt:          rd_value = fault_packet_q;
      OffFaultMop:          rd_value = fault_mop_q;
      OffFaultWord:         rd_value = fault_word_q;
      OffFaultDet:          rd_value = fault_detail_q[31:0];
      OffFaultDet + 12'd4:  rd_value = fault_detail_q[63:32];
      OffCycles:            rd_value = cycles_q[31:0];
      OffCycles + 12'd4:    rd_value = cycles_q[63:32];
      OffFuCount:           rd_value = 32'(NumFu);
      default:              rd_value = '0;  // ABORT (write-only) and unused offsets
    endcase
    for (int unsigned i = 0; i < NumArgWords; i++) begin
      if (rd_addr_q == OffArgFirst + 12'(4 * i)) rd_value = argw_q[32*i +: 32];
    end
    for (int unsigned i = 0; i < NumBoundWords; i++) begin
      if (rd_addr_q == OffBound0 + 12'(4 * i)) rd_value = boundw_q[32*i +: 32];
    end
    for (int unsigned f = 0; f < NumFu; f++) begin
      if (fu_blk == OffFuBase[11:6] + 6'(f)) rd_value = fu_word[32*f +: 32];
    end
  end

endmodule
