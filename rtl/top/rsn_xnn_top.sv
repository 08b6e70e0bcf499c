// RSN-XNN PL kernel: the control registers, the instruction fetch and decoder, the DRAM units, the
// memory FUs and the meshes, wired by the streams of host/src/topology.rs. The six matrix engines
// sit outside (AI Engine array, or the co-simulation's engine model) behind the PLIO ports.
// Register map: bitstreams/vck190/regs.md. Stream contract: rtl/INTERFACES.md.
//
// Every inter-FU stream is a FIFO with the capacity the timing description gives the model
// (bitstreams/rsn-xnn.toml [fifo]: two engine blocks), so a program that runs on the model has the
// same slack here. The engine-side buffering of MeshA/MeshB -> MMEe lives with the engines. The
// defaults come from rsn_cfg_pkg, generated from that description.
module rsn_xnn_top #(
  parameter int unsigned LineFifoDepth  = rsn_cfg_pkg::LineFifoDepth,
  parameter int unsigned BlockFifoDepth = rsn_cfg_pkg::BlockFifoDepth,
  parameter int unsigned PairFifoDepth  = rsn_cfg_pkg::PairFifoDepth,
  parameter int unsigned QueueDepthPw2  = rsn_cfg_pkg::QueueDepthPw2,
  parameter int unsigned QueueDepthPw4  = rsn_cfg_pkg::QueueDepthPw4,
  // MemC post-op units (softmax, LayerNorm, GELU). 0 builds MemC without them, and a MemC uOP that
  // asks for a post-op faults as an illegal instruction: the co-simulation build uses this until
  // the post-op unit is compact enough for Verilator (see rtl/top/README.md).
  parameter bit          PostOps        = 1'b1,
  // exp and GELU units per MemC post-op unit (each 32 lanes wide): throughput only, the results
  // are the same for any count. The co-simulation builds one of each to keep the C++ small.
  parameter int unsigned PostExpUnits   = rsn_cfg_pkg::PostExpUnits,
  parameter int unsigned PostGeluUnits  = rsn_cfg_pkg::PostGeluUnits
) (
  input  logic                ap_clk,
  input  logic                ap_rst_n,
  // AXI4-Lite control slave
  input  logic [11:0]         s_axi_control_awaddr,
  input  logic                s_axi_control_awvalid,
  output logic                s_axi_control_awready,
  input  logic [31:0]         s_axi_control_wdata,
  input  logic [3:0]          s_axi_control_wstrb,
  input  logic                s_axi_control_wvalid,
  output logic                s_axi_control_wready,
  output logic [1:0]          s_axi_control_bresp,
  output logic                s_axi_control_bvalid,
  input  logic                s_axi_control_bready,
  input  logic [11:0]         s_axi_control_araddr,
  input  logic                s_axi_control_arvalid,
  output logic                s_axi_control_arready,
  output logic [31:0]         s_axi_control_rdata,
  output logic [1:0]          s_axi_control_rresp,
  output logic                s_axi_control_rvalid,
  input  logic                s_axi_control_rready,
  /* verilator lint_off SYMRSVDWORD */  // the Vitis RTL kernel's interrupt port has this name
  output logic                interrupt,
  /* verilator lint_on SYMRSVDWORD */
  // AXI4 read masters: instructions, DDR loads, LPDDR loads. rsn_xnn_kernel (generated) names
  // them m_axi_instr, m_axi_ddr0 and m_axi_lpddr0 for packaging.
  output logic [3*64-1:0]     m_axi_rd_araddr,    // 0 instr, 1 ddr0, 2 lpddr0
  output logic [3*8-1:0]      m_axi_rd_arlen,
  output logic [3*3-1:0]      m_axi_rd_arsize,
  output logic [3*2-1:0]      m_axi_rd_arburst,
  output logic [2:0]          m_axi_rd_arvalid,
  input  logic [2:0]          m_axi_rd_arready,
  input  logic [3*512-1:0]    m_axi_rd_rdata,
  input  logic [3*2-1:0]      m_axi_rd_rresp,
  input  logic [2:0]          m_axi_rd_rlast,
  input  logic [2:0]          m_axi_rd_rvalid,
  output logic [2:0]          m_axi_rd_rready,
  // AXI4 write master: DDR stores (m_axi_ddr1)
  output logic [63:0]         m_axi_ddr1_awaddr,
  output logic [7:0]          m_axi_ddr1_awlen,
  output logic [2:0]          m_axi_ddr1_awsize,
  output logic [1:0]          m_axi_ddr1_awburst,
  output logic                m_axi_ddr1_awvalid,
  input  logic                m_axi_ddr1_awready,
  output logic [511:0]        m_axi_ddr1_wdata,
  output logic [63:0]         m_axi_ddr1_wstrb,
  output logic                m_axi_ddr1_wlast,
  output logic                m_axi_ddr1_wvalid,
  input  logic                m_axi_ddr1_wready,
  input  logic [1:0]          m_axi_ddr1_bresp,
  input  logic                m_axi_ddr1_bvalid,
  output logic                m_axi_ddr1_bready,
  // PLIO: per engine e, 16 x 64-bit ports of A (MeshA), 16 of B (MeshB) and 16 of C (products).
  // The 16 ports of one stream move in lockstep: equal tvalid, and the beat moves when all are ready.
  output logic [6*1024-1:0]   mme_a_tdata,
  output logic [6*16-1:0]     mme_a_tvalid,
  output logic [6*16-1:0]     mme_a_tlast,
  input  logic [6*16-1:0]     mme_a_tready,
  output logic [6*1024-1:0]   mme_b_tdata,
  output logic [6*16-1:0]     mme_b_tvalid,
  output logic [6*16-1:0]     mme_b_tlast,
  input  logic [6*16-1:0]     mme_b_tready,
  input  logic [6*1024-1:0]   mme_c_tdata,
  input  logic [6*16-1:0]     mme_c_tvalid,
  input  logic [6*16-1:0]     mme_c_tlast,
  output logic [6*16-1:0]     mme_c_tready
);
  localparam int unsigned NumFu = rsn_cfg_pkg::NumFu;
  localparam int unsigned NumQ  = rsn_cfg_pkg::NumQueues;
  localparam int unsigned NumStreams = rsn_cfg_pkg::NumStreams;

  logic clk, rst_n;
  assign clk   = ap_clk;
  assign rst_n = ap_rst_n;

  // ---------------------------------------------------------------------------------------------
  // Control registers and the run sequencer.
  logic              start, host_abort;
  logic [63:0]       instr_base, ddr_base, ddr1_base, lpddr_base, instr_offset;
  logic [31:0]       instr_words, watchdog_cycles;
  logic [16*64-1:0]  bound_lo, bound_hi;
  logic [15:0]       bound_en_ddr, bound_en_lpddr;
  logic              run_done, run_fault;
  logic [2:0]        fault_code_q;
  logic [31:0]       fault_packet_q, fault_mop_q, fault_word_q;
  logic [63:0]       fault_detail_q;
  logic [NumFu-1:0]  fu_busy, fu_wait_in, fu_wait_out, fu_uop;
  logic [NumFu*16-1:0] fu_bytes;
  logic [NumFu*3-1:0]  fu_state;
  logic [NumFu*32-1:0] fu_cur_mop;
  // What STATE / CUR_MOP report: live while a run is active, frozen at a fault afterwards (the
  // flush that follows a fault would otherwise show every FU idle).
  logic [NumFu*3-1:0]  fu_state_rep, fu_state_q;
  logic [NumFu*32-1:0] fu_cur_mop_rep, fu_cur_mop_q;

  rsn_ctrl_regs #(.NumFu(NumFu)) u_regs (
    .clk_i             (clk),
    .rst_ni            (rst_n),
    .s_axi_awaddr      (s_axi_control_awaddr),
    .s_axi_awvalid     (s_axi_control_awvalid),
    .s_axi_awready     (s_axi_control_awready),
    .s_axi_wdata       (s_axi_control_wdata),
    .s_axi_wstrb       (s_axi_control_wstrb),
    .s_axi_wvalid      (s_axi_control_wvalid),
    .s_axi_wready      (s_axi_control_wready),
    .s_axi_bresp       (s_axi_control_bresp),
    .s_axi_bvalid      (s_axi_control_bvalid),
    .s_axi_bready      (s_axi_control_bready),
    .s_axi_araddr      (s_axi_control_araddr),
    .s_axi_arvalid     (s_axi_control_arvalid),
    .s_axi_arready     (s_axi_control_arready),
    .s_axi_rdata       (s_axi_control_rdata),
    .s_axi_rresp       (s_axi_control_rresp),
    .s_axi_rvalid      (s_axi_control_rvalid),
    .s_axi_rready      (s_axi_control_rready),
    .interrupt_o       (interrupt),
    .start_o           (start),
    .abort_o           (host_abort),
    .instr_base_o      (instr_base),
    .ddr_base_o        (ddr_base),
    .ddr1_base_o       (ddr1_base),
    .lpddr_base_o      (lpddr_base),
    .instr_offset_o    (instr_offset),
    .instr_words_o     (instr_words),
    .watchdog_cycles_o (watchdog_cycles),
    .bound_lo_o        (bound_lo),
    .bound_hi_o        (bound_hi),
    .bound_en_ddr_o    (bound_en_ddr),
    .bound_en_lpddr_o  (bound_en_lpddr),
    .done_i            (run_done),
    .fault_code_i      (fault_code_q),
    .fault_packet_i    (fault_packet_q),
    .fault_mop_i       (fault_mop_q),
    .fault_word_i      (fault_word_q),
    .fault_detail_i    (fault_detail_q),
    .fault_i           (run_fault),
    .fu_busy_i         (fu_busy),
    .fu_wait_in_i      (fu_wait_in),
    .fu_wait_out_i     (fu_wait_out),
    .fu_uop_done_i     (fu_uop),
    .fu_bytes_i        (fu_bytes),
    .fu_state_i        (fu_state_rep),
    .fu_cur_mop_i      (fu_cur_mop_rep)
  );

  // Run states. A fault (or a host abort) makes every FU drop its work (abort), waits for the AXI
  // masters to settle, then clears the datapath (flush) before reporting done.
  typedef enum logic [2:0] { RunIdle, RunActive, RunAbort, RunFlush, RunDone } run_e;
  run_e        run_q;
  logic        abort, flush;
  logic [7:0]  settle_q;
  logic        fault_now;
  logic [2:0]  fault_code_d;
  logic [31:0] fault_packet_d, fault_mop_d, fault_word_d;
  logic [63:0] fault_detail_d;
  logic        all_idle, axi_quiet;
  logic [31:0] stall_cnt_q;
  logic        progress;
  logic        dec_started_q;
  logic [NumStreams-1:0] stream_has_data;

  // One abort pulse on entering RunAbort (every FU drops its work; the DRAM units then drain what
  // is in flight on their own), then the sequencer waits for the AXI masters to go quiet.
  assign abort    = (run_q == RunAbort) && (settle_q == 8'd0);
  assign uop_gate = (run_q == RunActive);
  assign flush = (run_q == RunFlush);

  // Datapath reset: power-on reset, or the flush cycle that ends every run (a registered signal).
  logic dp_rst_n;
  assign dp_rst_n = rst_n && !flush;

  // The engines' product streams are held empty outside a run: products an engine still delivers
  // after a fault are dropped, not left for the next program (the host resets the engines before
  // it starts one). Registered, so the reset does not glitch.
  logic eng_hold_q, eng_rst_n;
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) eng_hold_q <= 1'b1;
    else        eng_hold_q <= !((run_q == RunIdle && start) || (run_q == RunActive && !fault_now));
  end
  assign eng_rst_n = rst_n && !eng_hold_q;

  // ---------------------------------------------------------------------------------------------
  // Instruction fetch -> packet tracker (observes) -> decoder -> queues -> expanders.
  logic [31:0] iw_data;
  logic        iw_last, iw_valid, iw_ready, trk_stall, iw_fire;
  logic        fetch_fault, fetch_busy;

  rsn_instr_fetch u_fetch (
    .clk_i         (clk),
    .rst_ni        (rst_n),
    .abort_i       (abort),
    .start_i       (start),
    .addr_i        (instr_base + instr_offset),
    .words_i       (instr_words),
    .m_axi_araddr  (m_axi_rd_araddr[0 +: 64]),
    .m_axi_arlen   (m_axi_rd_arlen[0 +: 8]),
    .m_axi_arsize  (m_axi_rd_arsize[0 +: 3]),
    .m_axi_arburst (m_axi_rd_arburst[0 +: 2]),
    .m_axi_arvalid (m_axi_rd_arvalid[0]),
    .m_axi_arready (m_axi_rd_arready[0]),
    .m_axi_rdata   (m_axi_rd_rdata[0 +: 512]),
    .m_axi_rresp   (m_axi_rd_rresp[0 +: 2]),
    .m_axi_rlast   (m_axi_rd_rlast[0]),
    .m_axi_rvalid  (m_axi_rd_rvalid[0]),
    .m_axi_rready  (m_axi_rd_rready[0]),
    .out_data_o    (iw_data),
    .out_last_o    (iw_last),
    .out_valid_o   (iw_valid),
    .out_ready_i   (iw_ready && !trk_stall),
    .fault_o       (fetch_fault),
    .busy_o        (fetch_busy)
  );

  logic [3*128-1:0] trk_info;
  logic [2:0]       trk_valid, trk_pop;
  assign iw_fire = iw_valid && iw_ready && !trk_stall;

  rsn_pkt_track u_track (
    .clk_i        (clk),
    .rst_ni       (dp_rst_n),
    .clear_i      (start),
    .word_i       (iw_data),
    .fire_i       (iw_fire),
    .stall_o      (trk_stall),
    .info_o       (trk_info),
    .info_valid_o (trk_valid),
    .pop_i        (trk_pop)
  );

  logic [NumQ*32-1:0] q_data;
  logic [NumQ-1:0]    q_last, q_valid, q_ready;
  logic               dec_busy, dec_done, dec_error;
  logic [3:0]         dec_error_code;
  logic [31:0]        dec_error_word, dec_error_line;
  logic               fus_idle;

  rsn_decoder u_decoder (
    .clk_i        (clk),
    .rst_ni       (dp_rst_n),
    .in_data_i    (iw_data),
    .in_last_i    (iw_last),
    .in_valid_i   (iw_valid && !trk_stall),
    .in_ready_o   (iw_ready),
    .out_data_o   (q_data),
    .out_last_o   (q_last),
    .out_valid_o  (q_valid),
    .out_ready_i  (q_ready),
    .fus_idle_i   (fus_idle),
    .bound_lo_i       (bound_lo),
    .bound_hi_i       (bound_hi),
    .bound_en_ddr_i   (bound_en_ddr),
    .bound_en_lpddr_i (bound_en_lpddr),
    .busy_o       (dec_busy),
    .done_o       (dec_done),
    .error_o      (dec_error),
    .error_code_o (dec_error_code),
    .error_word_o (dec_error_word),
    .error_line_o (dec_error_line)
  );

  // Queue q feeds FU q+1 (Fu::all order without the decoder). Payload words per queue.
  function automatic int unsigned q_pw(int unsigned q);
    if (q <= 2 || (q >= 9 && q <= 14)) return 4;
    return 2;
  endfunction

  logic [NumQ*16-1:0]  u_iter;
  logic [NumQ*5-1:0]   u_idx;
  logic [NumQ*128-1:0] u_payload;   // 2-word payloads use the low 64 bits
  logic [NumQ-1:0]     u_last, u_valid, u_ready, qf_valid, u_fire;
  logic [NumQ-1:0]     x_valid, x_ready;  // expander side, before the run gate
  logic                uop_gate;          // uOPs reach FUs only while a run is active

  for (genvar q = 0; q < NumQ; q++) begin : gen_queue
    localparam int unsigned Pw = q_pw(q);
    logic [32:0] qf_data;
    logic        qf_ready;
    logic [$clog2(Pw == 4 ? QueueDepthPw4 : QueueDepthPw2):0] usage;
    rsn_stream_fifo #(.Width(33), .Depth(Pw == 4 ? QueueDepthPw4 : QueueDepthPw2)) u_q (
      .clk_i       (clk),
      .rst_ni      (dp_rst_n),
      .in_data_i   ({q_last[q], q_data[32*q +: 32]}),
      .in_valid_i  (q_valid[q]),
      .in_ready_o  (q_ready[q]),
      .out_data_o  (qf_data),
      .out_valid_o (qf_valid[q]),
      .out_ready_i (qf_ready),
      .usage_o     (usage)
    );
    logic [Pw*32-1:0] pl;
    rsn_mop_expander #(.PayloadWords(Pw)) u_exp (
      .clk_i         (clk),
      .rst_ni        (dp_rst_n),
      .in_data_i     (qf_data[31:0]),
      .in_last_i     (qf_data[32]),
      .in_valid_i    (qf_valid[q]),
      .in_ready_o    (qf_ready),
      .out_iter_o    (u_iter[16*q +: 16]),
      .out_idx_o     (u_idx[5*q +: 5]),
      .out_payload_o (pl),
      .out_last_o    (u_last[q]),
      .out_valid_o   (x_valid[q]),
      .out_ready_i   (x_ready[q])
    );
    // After a fault no FU takes new work: the queues are flushed instead.
    assign u_valid[q] = x_valid[q] && uop_gate;
    assign x_ready[q] = u_ready[q] && uop_gate;
    assign u_payload[128*q +: 128] = 128'(pl);
    assign u_fire[q] = u_valid[q] && u_ready[q];
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_usage;
    assign unused_usage = ^usage;
    /* verilator lint_on UNUSEDSIGNAL */
  end

  // DRAM queue bookkeeping: the tracker's head describes the queue's current packet.
  logic [95:0]  cur_info_q [3];   // {packet, mop_base, word} of the uOP last accepted
  logic [31:0]  fence_target_q;
  logic [4:0]   cur_idx_q [3];
  logic [2:0]   cur_valid_q;
  for (genvar q = 0; q < 3; q++) begin : gen_trk
    assign trk_pop[q] = u_fire[q] && u_last[q] && trk_valid[q];
    always_ff @(posedge clk or negedge dp_rst_n) begin
      if (!dp_rst_n) begin
        cur_info_q[q]  <= '0;
        cur_idx_q[q]   <= '0;
        cur_valid_q[q] <= 1'b0;
      end else if (u_fire[q]) begin
        cur_info_q[q]  <= trk_info[128*q +: 96];
        cur_idx_q[q]   <= u_idx[5*q +: 5];
        cur_valid_q[q] <= trk_valid[q];
      end
    end
  end
  always_ff @(posedge clk or negedge dp_rst_n) begin
    if (!dp_rst_n) begin
      fence_target_q <= '0;
    end else if (u_fire[0]) begin
      fence_target_q <= trk_info[96 +: 32];
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Streams. Index = rsn::topology::Stream::index.
  // Line streams: DDR->MemA0-2 (0-2), DDR->MemB0-2 (3-5), DDR->MemC0-5 (6-11), LPDDR->MemB0-1
  // (12-13), MemC0-5->DDR (14-19).
  logic [20*512-1:0] ls_in_data, ls_out_data;
  logic [19:0]       ls_in_valid, ls_in_ready, ls_out_valid, ls_out_ready;
  for (genvar s = 0; s < 20; s++) begin : gen_line_fifo
    logic [$clog2(LineFifoDepth):0] usage;
    rsn_stream_fifo #(.Width(512), .Depth(LineFifoDepth)) u_f (
      .clk_i       (clk),
      .rst_ni      (dp_rst_n),
      .in_data_i   (ls_in_data[512*s +: 512]),
      .in_valid_i  (ls_in_valid[s]),
      .in_ready_o  (ls_in_ready[s]),
      .out_data_o  (ls_out_data[512*s +: 512]),
      .out_valid_o (ls_out_valid[s]),
      .out_ready_i (ls_out_ready[s]),
      .usage_o     (usage)
    );
    assign stream_has_data[s] = (usage != '0);
  end

  // Block streams: MemA0-2->MeshA (20-22), MemC0-3->MeshA (23-26), MemB0-2->MeshB (27-29),
  // MME0-5->MemC0-5 (42-47). Local index b: 0-9 for 20-29, 10-15 for 42-47.
  logic [16*1025-1:0] bs_in_data, bs_out_data;
  logic [15:0]        bs_in_valid, bs_in_ready, bs_out_valid, bs_out_ready;
  for (genvar b = 0; b < 16; b++) begin : gen_block_fifo
    logic [$clog2(BlockFifoDepth):0] usage;
    rsn_stream_fifo #(.Width(1025), .Depth(BlockFifoDepth)) u_f (
      .clk_i       (clk),
      .rst_ni      ((b < 10) ? dp_rst_n : eng_rst_n),
      .in_data_i   (bs_in_data[1025*b +: 1025]),
      .in_valid_i  (bs_in_valid[b]),
      .in_ready_o  (bs_in_ready[b]),
      .out_data_o  (bs_out_data[1025*b +: 1025]),
      .out_valid_o (bs_out_valid[b]),
      .out_ready_i (bs_out_ready[b]),
      .usage_o     (usage)
    );
    if (b < 10) begin : gen_mem_side
      assign stream_has_data[20 + b] = (usage != '0);
    end else begin : gen_mme_side
      assign stream_has_data[42 + b - 10] = (usage != '0);
    end
  end

  // Pair streams: MemCi -> MemC(i^1) (48-53).
  logic [6*32-1:0] ps_in_data, ps_out_data;
  logic [5:0]      ps_in_valid, ps_in_ready, ps_out_valid, ps_out_ready;
  for (genvar p = 0; p < 6; p++) begin : gen_pair_fifo
    logic [$clog2(PairFifoDepth):0] usage;
    rsn_stream_fifo #(.Width(32), .Depth(PairFifoDepth)) u_f (
      .clk_i       (clk),
      .rst_ni      (dp_rst_n),
      .in_data_i   (ps_in_data[32*p +: 32]),
      .in_valid_i  (ps_in_valid[p]),
      .in_ready_o  (ps_in_ready[p]),
      .out_data_o  (ps_out_data[32*p +: 32]),
      .out_valid_o (ps_out_valid[p]),
      .out_ready_i (ps_out_ready[p]),
      .usage_o     (usage)
    );
    assign stream_has_data[48 + p] = (usage != '0);
  end

  // The engine-facing streams 30-41 are buffered on the engine side (not counted here).
  assign stream_has_data[41:30] = '0;

  // ---------------------------------------------------------------------------------------------
  // DRAM units.
  logic        rd_fault, lp_fault, wr_fault;
  logic [1:0]  rd_fault_kind, lp_fault_kind, wr_fault_kind;
  logic [63:0] rd_fault_off, lp_fault_off, wr_fault_off;
  logic        rd_uop_done, lp_uop_done, store_done;
  logic [31:0] stores_done_q;
  logic [11:0] rd_out_valid, rd_out_ready;
  logic [511:0] rd_out_data;
  logic [1:0]  lp_out_valid, lp_out_ready;
  logic [511:0] lp_out_data;

  always_ff @(posedge clk or negedge dp_rst_n) begin
    if (!dp_rst_n) begin
      stores_done_q <= '0;
    end else if (start) begin
      stores_done_q <= '0;
    end else if (store_done) begin
      stores_done_q <= stores_done_q + 32'd1;
    end
  end

  rsn_dram_rd #(.NumPorts(12), .PortBase(0)) u_ddr_rd (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .abort_i        (abort),
    .uop_iter_i     (u_iter[0 +: 16]),
    .uop_payload_i  (u_payload[0 +: 128]),
    .uop_valid_i    (u_valid[0]),
    .uop_ready_o    (u_ready[0]),
    .fence_ok_i     (stores_done_q >= fence_target_q),
    .base_i         (ddr_base),
    .bound_lo_i     (bound_lo),
    .bound_hi_i     (bound_hi),
    .bound_en_i     (bound_en_ddr),
    .m_axi_araddr   (m_axi_rd_araddr[64 +: 64]),
    .m_axi_arlen    (m_axi_rd_arlen[8 +: 8]),
    .m_axi_arsize   (m_axi_rd_arsize[3 +: 3]),
    .m_axi_arburst  (m_axi_rd_arburst[2 +: 2]),
    .m_axi_arvalid  (m_axi_rd_arvalid[1]),
    .m_axi_arready  (m_axi_rd_arready[1]),
    .m_axi_rdata    (m_axi_rd_rdata[512 +: 512]),
    .m_axi_rresp    (m_axi_rd_rresp[2 +: 2]),
    .m_axi_rlast    (m_axi_rd_rlast[1]),
    .m_axi_rvalid   (m_axi_rd_rvalid[1]),
    .m_axi_rready   (m_axi_rd_rready[1]),
    .out_data_o     (rd_out_data),
    .out_valid_o    (rd_out_valid),
    .out_ready_i    (rd_out_ready),
    .fault_o        (rd_fault),
    .fault_kind_o   (rd_fault_kind),
    .fault_offset_o (rd_fault_off),
    .uop_done_o     (rd_uop_done),
    .busy_o         (fu_busy[1]),
    .wait_in_o      (fu_wait_in[1]),
    .wait_out_o     (fu_wait_out[1])
  );
  for (genvar s = 0; s < 12; s++) begin : gen_rd_out
    assign ls_in_data[512*s +: 512] = rd_out_data;
    assign ls_in_valid[s]           = rd_out_valid[s];
    assign rd_out_ready[s]          = ls_in_ready[s];
  end

  rsn_dram_rd #(.NumPorts(2), .PortBase(3)) u_lpddr (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .abort_i        (abort),
    .uop_iter_i     (u_iter[32 +: 16]),
    .uop_payload_i  (u_payload[256 +: 128]),
    .uop_valid_i    (u_valid[2]),
    .uop_ready_o    (u_ready[2]),
    .fence_ok_i     (1'b1),
    .base_i         (lpddr_base),
    .bound_lo_i     (bound_lo),
    .bound_hi_i     (bound_hi),
    .bound_en_i     (bound_en_lpddr),
    .m_axi_araddr   (m_axi_rd_araddr[128 +: 64]),
    .m_axi_arlen    (m_axi_rd_arlen[16 +: 8]),
    .m_axi_arsize   (m_axi_rd_arsize[6 +: 3]),
    .m_axi_arburst  (m_axi_rd_arburst[4 +: 2]),
    .m_axi_arvalid  (m_axi_rd_arvalid[2]),
    .m_axi_arready  (m_axi_rd_arready[2]),
    .m_axi_rdata    (m_axi_rd_rdata[1024 +: 512]),
    .m_axi_rresp    (m_axi_rd_rresp[4 +: 2]),
    .m_axi_rlast    (m_axi_rd_rlast[2]),
    .m_axi_rvalid   (m_axi_rd_rvalid[2]),
    .m_axi_rready   (m_axi_rd_rready[2]),
    .out_data_o     (lp_out_data),
    .out_valid_o    (lp_out_valid),
    .out_ready_i    (lp_out_ready),
    .fault_o        (lp_fault),
    .fault_kind_o   (lp_fault_kind),
    .fault_offset_o (lp_fault_off),
    .uop_done_o     (lp_uop_done),
    .busy_o         (fu_busy[3]),
    .wait_in_o      (fu_wait_in[3]),
    .wait_out_o     (fu_wait_out[3])
  );
  for (genvar s = 0; s < 2; s++) begin : gen_lp_out
    assign ls_in_data[512*(12 + s) +: 512] = lp_out_data;
    assign ls_in_valid[12 + s]             = lp_out_valid[s];
    assign lp_out_ready[s]                 = ls_in_ready[12 + s];
  end

  logic [6*512-1:0] wr_in_data;
  logic [5:0]       wr_in_valid, wr_in_ready;
  for (genvar c = 0; c < 6; c++) begin : gen_wr_in
    assign wr_in_data[512*c +: 512] = ls_out_data[512*(14 + c) +: 512];
    assign wr_in_valid[c]           = ls_out_valid[14 + c];
    assign ls_out_ready[14 + c]     = wr_in_ready[c];
  end

  rsn_dram_wr u_ddr_wr (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .abort_i        (abort),
    .uop_iter_i     (u_iter[16 +: 16]),
    .uop_payload_i  (u_payload[128 +: 128]),
    .uop_valid_i    (u_valid[1]),
    .uop_ready_o    (u_ready[1]),
    // Stores go out on m_axi_ddr1, so they add that argument's base (the host passes the DDR
    // window for both ddr0 and ddr1).
    .base_i         (ddr1_base),
    .bound_lo_i     (bound_lo),
    .bound_hi_i     (bound_hi),
    .bound_en_i     (bound_en_ddr),
    .m_axi_awaddr   (m_axi_ddr1_awaddr),
    .m_axi_awlen    (m_axi_ddr1_awlen),
    .m_axi_awsize   (m_axi_ddr1_awsize),
    .m_axi_awburst  (m_axi_ddr1_awburst),
    .m_axi_awvalid  (m_axi_ddr1_awvalid),
    .m_axi_awready  (m_axi_ddr1_awready),
    .m_axi_wdata    (m_axi_ddr1_wdata),
    .m_axi_wstrb    (m_axi_ddr1_wstrb),
    .m_axi_wlast    (m_axi_ddr1_wlast),
    .m_axi_wvalid   (m_axi_ddr1_wvalid),
    .m_axi_wready   (m_axi_ddr1_wready),
    .m_axi_bresp    (m_axi_ddr1_bresp),
    .m_axi_bvalid   (m_axi_ddr1_bvalid),
    .m_axi_bready   (m_axi_ddr1_bready),
    .in_data_i      (wr_in_data),
    .in_valid_i     (wr_in_valid),
    .in_ready_o     (wr_in_ready),
    .fault_o        (wr_fault),
    .fault_kind_o   (wr_fault_kind),
    .fault_offset_o (wr_fault_off),
    .store_done_o   (store_done),
    .busy_o         (fu_busy[2]),
    .wait_in_o      (fu_wait_in[2]),
    .wait_out_o     (fu_wait_out[2])
  );

  // ---------------------------------------------------------------------------------------------
  // MemA0-2 and MemB0-2. MemB0/1 take their load from DDR or LPDDR by the load_src of the uOP
  // they accepted last (a uOP's load runs while it is the unit's current uOP).
  logic [1:0] memb_lpddr_q;
  for (genvar i = 0; i < 2; i++) begin : gen_memb_src
    always_ff @(posedge clk or negedge dp_rst_n) begin
      if (!dp_rst_n) begin
        memb_lpddr_q[i] <= 1'b0;
      end else if (u_fire[6 + i]) begin
        memb_lpddr_q[i] <= u_payload[128*(6 + i) + 6];
      end
    end
  end

  for (genvar i = 0; i < 6; i++) begin : gen_mem_ab
    localparam bit IsB = (i >= 3);
    localparam int unsigned Inst = IsB ? i - 3 : i;
    localparam int unsigned Rows = !IsB ? rsn_isa_pkg::MemARows
                                        : (Inst == 2 ? rsn_isa_pkg::MemB2Rows : rsn_isa_pkg::MemBRows);
    localparam int unsigned Cols = !IsB ? rsn_isa_pkg::MemACols
                                        : (Inst == 2 ? rsn_isa_pkg::MemB2Cols : rsn_isa_pkg::MemBCols);
    localparam int unsigned Q = 3 + i;          // decoder queue
    localparam int unsigned InS = i;            // DDR->MemA i / DDR->MemB (i-3): streams 0-5
    localparam int unsigned OutB = i < 3 ? i : 7 + Inst;  // local block index (MemA 0-2, MemB 7-9)
    logic [511:0] ld_data;
    logic         ld_valid, ld_ready;
    logic         from_lp;
    if (IsB && Inst < 2) begin : gen_lp_mux
      assign from_lp = memb_lpddr_q[Inst];
    end else begin : gen_ddr_only
      assign from_lp = 1'b0;
    end
    if (IsB && Inst < 2) begin : gen_lp_ready
      assign ls_out_ready[12 + Inst] = from_lp && ld_ready;
    end
    assign ld_data  = from_lp ? ls_out_data[512*(12 + Inst) +: 512] : ls_out_data[512*InS +: 512];
    assign ld_valid = from_lp ? ls_out_valid[12 + Inst] : ls_out_valid[InS];
    assign ls_out_ready[InS] = !from_lp && ld_ready;

    logic [1023:0] so_data;
    logic          so_last;
    rsn_mem_ab #(.BankRows(Rows), .BankCols(Cols), .IsMemB(IsB ? 1 : 0)) u_mem (
      .clk_i         (clk),
      .rst_ni        (dp_rst_n),
      .abort_i       (abort),
      .uop_iter_i    (u_iter[16*Q +: 16]),
      .uop_payload_i (u_payload[128*Q +: 64]),
      .uop_valid_i   (u_valid[Q]),
      .uop_ready_o   (u_ready[Q]),
      .in_data_i     (ld_data),
      .in_valid_i    (ld_valid),
      .in_ready_o    (ld_ready),
      .out_data_o    (so_data),
      .out_last_o    (so_last),
      .out_valid_o   (bs_in_valid[OutB]),
      .out_ready_i   (bs_in_ready[OutB]),
      .busy_o        (fu_busy[4 + i]),
      .wait_in_o     (fu_wait_in[4 + i]),
      .wait_out_o    (fu_wait_out[4 + i])
    );
    assign bs_in_data[1025*OutB +: 1025] = {so_last, so_data};
  end

  // ---------------------------------------------------------------------------------------------
  // MemC0-5.
  for (genvar i = 0; i < 6; i++) begin : gen_memc
    localparam int unsigned Q = 9 + i;
    logic [1023:0] mesh_data;
    logic          mesh_last, mesh_valid, mesh_ready;
    rsn_memc #(
      .Inst         (i),
      .HasPostOps   (PostOps),
      .PostExpUnits (PostExpUnits),
      .PostGeluUnits(PostGeluUnits)
    ) u_memc (
      .clk_i         (clk),
      .rst_ni        (dp_rst_n),
      .abort_i       (abort),
      .uop_iter_i    (u_iter[16*Q +: 16]),
      .uop_payload_i (u_payload[128*Q +: 128]),
      .uop_valid_i   (u_valid[Q]),
      .uop_ready_o   (u_ready[Q]),
      .ld_data_i     (ls_out_data[512*(6 + i) +: 512]),
      .ld_valid_i    (ls_out_valid[6 + i]),
      .ld_ready_o    (ls_out_ready[6 + i]),
      .prod_data_i   (bs_out_data[1025*(10 + i) +: 1024]),
      .prod_last_i   (bs_out_data[1025*(10 + i) + 1024]),
      .prod_valid_i  (bs_out_valid[10 + i]),
      .prod_ready_o  (bs_out_ready[10 + i]),
      .st_data_o     (ls_in_data[512*(14 + i) +: 512]),
      .st_valid_o    (ls_in_valid[14 + i]),
      .st_ready_i    (ls_in_ready[14 + i]),
      .mesh_data_o   (mesh_data),
      .mesh_last_o   (mesh_last),
      .mesh_valid_o  (mesh_valid),
      .mesh_ready_i  (mesh_ready),
      .pair_data_o   (ps_in_data[32*i +: 32]),
      .pair_valid_o  (ps_in_valid[i]),
      .pair_ready_i  (ps_in_ready[i]),
      .pair_data_i   (ps_out_data[32*(i ^ 1) +: 32]),
      .pair_valid_i  (ps_out_valid[i ^ 1]),
      .pair_ready_o  (ps_out_ready[i ^ 1]),
      .busy_o        (fu_busy[10 + i]),
      .wait_in_o     (fu_wait_in[10 + i]),
      .wait_out_o    (fu_wait_out[10 + i])
    );
    if (i < 4) begin : gen_mesh_path
      assign bs_in_data[1025*(3 + i) +: 1025] = {mesh_last, mesh_data};
      assign bs_in_valid[3 + i] = mesh_valid;
      assign mesh_ready = bs_in_ready[3 + i];
    end else begin : gen_no_mesh_path
      assign mesh_ready = 1'b1;
      /* verilator lint_off UNUSEDSIGNAL */  // MemC4/5 have no MeshA path (they never drive it)
      logic unused_mesh;
      assign unused_mesh = ^{mesh_data, mesh_last, mesh_valid};
      /* verilator lint_on UNUSEDSIGNAL */
    end
  end

  // ---------------------------------------------------------------------------------------------
  // MeshA (sources A0-2, C0-3) and MeshB (B0-2) -> engine PLIO ports.
  logic [6*1024-1:0] ea_data, eb_data;
  logic [5:0]        ea_last, ea_valid, ea_ready, eb_last, eb_valid, eb_ready;
  logic [7*1024-1:0] ma_src_data;
  logic [6:0]        ma_src_last;
  logic [3*1024-1:0] mb_src_data;
  logic [2:0]        mb_src_last;
  for (genvar s = 0; s < 7; s++) begin : gen_ma_src
    assign ma_src_data[1024*s +: 1024] = bs_out_data[1025*s +: 1024];
    assign ma_src_last[s]              = bs_out_data[1025*s + 1024];
  end
  for (genvar s = 0; s < 3; s++) begin : gen_mb_src
    assign mb_src_data[1024*s +: 1024] = bs_out_data[1025*(7 + s) +: 1024];
    assign mb_src_last[s]              = bs_out_data[1025*(7 + s) + 1024];
  end

  rsn_mesh #(.IsMeshB(0)) u_mesh_a (
    .clk_i         (clk),
    .rst_ni        (dp_rst_n),
    .abort_i       (abort),
    .uop_iter_i    (u_iter[16*15 +: 16]),
    .uop_payload_i (u_payload[128*15 +: 64]),
    .uop_valid_i   (u_valid[15]),
    .uop_ready_o   (u_ready[15]),
    .src_data_i    (ma_src_data),
    .src_last_i    (ma_src_last),
    .src_valid_i   (bs_out_valid[6:0]),
    .src_ready_o   (bs_out_ready[6:0]),
    .eng_data_o    (ea_data),
    .eng_last_o    (ea_last),
    .eng_valid_o   (ea_valid),
    .eng_ready_i   (ea_ready),
    .busy_o        (fu_busy[16]),
    .wait_in_o     (fu_wait_in[16]),
    .wait_out_o    (fu_wait_out[16])
  );
  rsn_mesh #(.IsMeshB(1)) u_mesh_b (
    .clk_i         (clk),
    .rst_ni        (dp_rst_n),
    .abort_i       (abort),
    .uop_iter_i    (u_iter[16*16 +: 16]),
    .uop_payload_i (u_payload[128*16 +: 64]),
    .uop_valid_i   (u_valid[16]),
    .uop_ready_o   (u_ready[16]),
    .src_data_i    (mb_src_data),
    .src_last_i    (mb_src_last),
    .src_valid_i   (bs_out_valid[9:7]),
    .src_ready_o   (bs_out_ready[9:7]),
    .eng_data_o    (eb_data),
    .eng_last_o    (eb_last),
    .eng_valid_o   (eb_valid),
    .eng_ready_i   (eb_ready),
    .busy_o        (fu_busy[17]),
    .wait_in_o     (fu_wait_in[17]),
    .wait_out_o    (fu_wait_out[17])
  );

  // PLIO lockstep: each 1024-bit beat is 16 x 64-bit ports with one shared handshake.
  for (genvar e = 0; e < 6; e++) begin : gen_plio
    assign mme_a_tdata[1024*e +: 1024] = ea_data[1024*e +: 1024];
    assign mme_a_tvalid[16*e +: 16]    = {16{ea_valid[e]}};
    assign mme_a_tlast[16*e +: 16]     = {16{ea_last[e]}};
    assign ea_ready[e]                 = &mme_a_tready[16*e +: 16];
    assign mme_b_tdata[1024*e +: 1024] = eb_data[1024*e +: 1024];
    assign mme_b_tvalid[16*e +: 16]    = {16{eb_valid[e]}};
    assign mme_b_tlast[16*e +: 16]     = {16{eb_last[e]}};
    assign eb_ready[e]                 = &mme_b_tready[16*e +: 16];
    // Products: a beat is valid when all 16 ports are; it is taken on all 16 at once.
    assign bs_in_data[1025*(10 + e) +: 1025] = {&mme_c_tlast[16*e +: 16], mme_c_tdata[1024*e +: 1024]};
    assign bs_in_valid[10 + e]               = &mme_c_tvalid[16*e +: 16];
    assign mme_c_tready[16*e +: 16]          = {16{bs_in_ready[10 + e] && (&mme_c_tvalid[16*e +: 16])}};
    // An engine counts as busy while any of its streams moves (it has no other visible state).
    assign fu_busy[18 + e]     = (ea_valid[e] && ea_ready[e]) || (eb_valid[e] && eb_ready[e]) ||
                                 bs_in_valid[10 + e];
    assign fu_wait_in[18 + e]  = 1'b0;
    assign fu_wait_out[18 + e] = bs_in_valid[10 + e] && !bs_in_ready[10 + e];
    assign fu_uop[18 + e]      = bs_in_valid[10 + e] && bs_in_ready[10 + e] && (&mme_c_tlast[16*e +: 16]);
    assign fu_bytes[16*(18 + e) +: 16] = (bs_in_valid[10 + e] && bs_in_ready[10 + e]) ? 16'd128 : 16'd0;
  end

  // ---------------------------------------------------------------------------------------------
  // Counters: FU f = queue f-1 for f in 1..17; the decoder is FU 0.
  assign fu_busy[0]     = dec_busy;
  assign fu_wait_in[0]  = dec_busy && !iw_valid;
  assign fu_wait_out[0] = |(q_valid & ~q_ready);
  assign fu_uop[0]      = iw_fire;
  assign fu_bytes[0 +: 16] = '0;
  for (genvar q = 0; q < NumQ; q++) begin : gen_uop_cnt
    assign fu_uop[q + 1] = u_fire[q];
  end
  // Bytes out of each FU this cycle.
  assign fu_bytes[16*1 +: 16] = popcount12(ls_in_valid[11:0] & ls_in_ready[11:0]) << 6;
  assign fu_bytes[16*2 +: 16] = (m_axi_ddr1_wvalid && m_axi_ddr1_wready) ? 16'd64 : 16'd0;
  assign fu_bytes[16*3 +: 16] = popcount12({10'd0, ls_in_valid[13:12] & ls_in_ready[13:12]}) << 6;
  for (genvar i = 0; i < 6; i++) begin : gen_bytes_ab
    localparam int unsigned OutB = i < 3 ? i : 7 + (i - 3);
    assign fu_bytes[16*(4 + i) +: 16] = (bs_in_valid[OutB] && bs_in_ready[OutB]) ? 16'd128 : 16'd0;
  end
  for (genvar i = 0; i < 6; i++) begin : gen_bytes_c
    logic [15:0] mesh_b;
    if (i < 4) begin : gen_m
      assign mesh_b = (bs_in_valid[3 + i] && bs_in_ready[3 + i]) ? 16'd128 : 16'd0;
    end else begin : gen_nm
      assign mesh_b = '0;
    end
    assign fu_bytes[16*(10 + i) +: 16] = ((ls_in_valid[14 + i] && ls_in_ready[14 + i]) ? 16'd64 : 16'd0) +
                                         ((ps_in_valid[i] && ps_in_ready[i]) ? 16'd4 : 16'd0) + mesh_b;
  end
  assign fu_bytes[16*16 +: 16] = popcount12({6'd0, ea_valid & ea_ready}) << 7;
  assign fu_bytes[16*17 +: 16] = popcount12({6'd0, eb_valid & eb_ready}) << 7;

  // FU state (regs.md STATE) and CUR_MOP (the DRAM units know their packet; others report none).
  for (genvar f = 0; f < NumFu; f++) begin : gen_state
    assign fu_state[3*f +: 3] = !fu_busy[f] ? 3'd0 : fu_wait_in[f] ? 3'd2 : fu_wait_out[f] ? 3'd3 : 3'd1;
    if (f >= 1 && f <= 3) begin : gen_dram_mop
      assign fu_cur_mop[32*f +: 32] = (fu_busy[f] && cur_valid_q[f - 1]) ?
                                      cur_info_q[f - 1][32 +: 32] + 32'(cur_idx_q[f - 1]) : 32'hffff_ffff;
    end else begin : gen_no_mop
      assign fu_cur_mop[32*f +: 32] = 32'hffff_ffff;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Completion, faults, watchdog.
  assign fus_idle = !(|x_valid) && !(|qf_valid) && !(|fu_busy[17:1]);
  assign all_idle = dec_started_q && dec_done && fus_idle && !fetch_busy &&
                    !(|bs_in_valid[15:10]) && !(|ea_valid) && !(|eb_valid);
  assign axi_quiet = !fu_busy[1] && !fu_busy[2] && !fu_busy[3] && !fetch_busy;
  assign progress = iw_fire || (|u_fire) || (|(ls_in_valid & ls_in_ready)) || (|(ls_out_valid & ls_out_ready)) ||
                    (|(bs_in_valid & bs_in_ready)) || (|(bs_out_valid & bs_out_ready)) ||
                    (|(ps_in_valid & ps_in_ready)) || (|(ea_valid & ea_ready)) || (|(eb_valid & eb_ready)) ||
                    (|(m_axi_rd_rvalid & m_axi_rd_rready)) || (m_axi_ddr1_bvalid && m_axi_ddr1_bready) ||
                    (m_axi_ddr1_wvalid && m_axi_ddr1_wready);

  // Work the memories still owe the kernel: read bursts between AR and their last R beat (unless
  // the memory is offering a beat the kernel does not take), and write bursts whose data has all
  // been sent but whose B response has not come. None left: no DRAM transfer holds anything up.
  logic [7:0] rd_out_q [3];
  logic [7:0] wr_out_q;
  logic       mem_idle;
  for (genvar p = 0; p < 3; p++) begin : gen_rd_out_cnt
    always_ff @(posedge clk or negedge rst_n) begin
      if (!rst_n) begin
        rd_out_q[p] <= '0;
      end else begin
        rd_out_q[p] <= rd_out_q[p] + 8'(m_axi_rd_arvalid[p] && m_axi_rd_arready[p])
                                   - 8'(m_axi_rd_rvalid[p] && m_axi_rd_rready[p] && m_axi_rd_rlast[p]);
      end
    end
  end
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      wr_out_q <= '0;
    end else begin
      wr_out_q <= wr_out_q + 8'(m_axi_ddr1_wvalid && m_axi_ddr1_wready && m_axi_ddr1_wlast)
                           - 8'(m_axi_ddr1_bvalid && m_axi_ddr1_bready);
    end
  end
  logic [2:0] rd_idle;
  for (genvar p = 0; p < 3; p++) begin : gen_rd_idle
    assign rd_idle[p] = (rd_out_q[p] == '0) || (m_axi_rd_rvalid[p] && !m_axi_rd_rready[p]);
  end
  assign mem_idle = (&rd_idle) && (wr_out_q == '0);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      fu_state_q   <= '0;
      fu_cur_mop_q <= '1;
    end else if (run_q == RunActive) begin
      fu_state_q   <= fu_state;
      fu_cur_mop_q <= fu_cur_mop;
    end
  end
  assign fu_state_rep   = (run_q == RunActive) ? fu_state : fu_state_q;
  assign fu_cur_mop_rep = (run_q == RunActive) ? fu_cur_mop : fu_cur_mop_q;

  // A MemC uOP with a post-op and a drain, in a build without post-op units.
  logic post_unsupported;
  always_comb begin
    post_unsupported = 1'b0;
    for (int unsigned c = 0; c < 6; c++) begin
      if (!PostOps && u_fire[9 + c] && u_payload[128*(9 + c) + 8 +: 2] != 2'd0 &&
          u_payload[128*(9 + c) + 10 +: 3] != 3'd0) begin
        post_unsupported = 1'b1;
      end
    end
  end

  function automatic logic [95:0] dram_pos(logic valid, logic [95:0] info);
    return valid ? info : {96{1'b1}};
  endfunction

  function automatic logic [15:0] popcount12(logic [11:0] v);
    logic [15:0] n;
    n = '0;
    for (int unsigned k = 0; k < 12; k++) n = n + 16'(v[k]);
    return n;
  endfunction

  logic [1:0]  dram_kind;
  logic [95:0] dram_at;

  always_comb begin
    fault_now      = 1'b0;
    fault_code_d   = fault_code_q;
    fault_packet_d = 32'hffff_ffff;
    fault_mop_d    = 32'hffff_ffff;
    fault_word_d   = 32'hffff_ffff;
    fault_detail_d = '0;
    dram_kind      = '0;
    dram_at        = '0;
    if (run_q == RunActive) begin
      if (host_abort) begin
        fault_now    = 1'b1;
        fault_code_d = 3'd5;
      end else if (dec_error && dec_error_code == 4'd15) begin
        // A DRAM mOP's range outside the bounds, found by the decoder in stream order: a bounds
        // fault at the mOP's payload, with the range's first byte offset.
        fault_now      = 1'b1;
        fault_code_d   = 3'd2;
        fault_word_d   = dec_error_word;
        fault_detail_d = {26'd0, dec_error_line, 6'd0};
      end else if (dec_error) begin
        fault_now      = 1'b1;
        fault_code_d   = 3'd1;
        fault_word_d   = dec_error_word;
        fault_detail_d = {60'd0, dec_error_code};
      end else if (post_unsupported) begin
        fault_now      = 1'b1;
        fault_code_d   = 3'd1;
        fault_detail_d = 64'h504f_5354;  // "TSOP": a post-op this build has no unit for
      end else if (instr_words == 32'd0) begin
        fault_now    = 1'b1;
        fault_code_d = 3'd1;
        fault_word_d = 32'd0;
      end else if (rd_fault || lp_fault || wr_fault) begin
        fault_now = 1'b1;
        if (rd_fault) begin
          dram_kind = rd_fault_kind; fault_detail_d = rd_fault_off; dram_at = dram_pos(cur_valid_q[0], cur_info_q[0]);
          fault_mop_d = cur_valid_q[0] ? cur_info_q[0][32 +: 32] + 32'(cur_idx_q[0]) : 32'hffff_ffff;
        end else if (lp_fault) begin
          dram_kind = lp_fault_kind; fault_detail_d = lp_fault_off; dram_at = dram_pos(cur_valid_q[2], cur_info_q[2]);
          fault_mop_d = cur_valid_q[2] ? cur_info_q[2][32 +: 32] + 32'(cur_idx_q[2]) : 32'hffff_ffff;
        end else begin
          dram_kind = wr_fault_kind; fault_detail_d = wr_fault_off; dram_at = dram_pos(cur_valid_q[1], cur_info_q[1]);
          fault_mop_d = cur_valid_q[1] ? cur_info_q[1][32 +: 32] + 32'(cur_idx_q[1]) : 32'hffff_ffff;
        end
        fault_packet_d = dram_at[64 +: 32];
        fault_word_d   = dram_at[0 +: 32];
        fault_code_d   = (dram_kind == 2'd1) ? 3'd2 : (dram_kind == 2'd2) ? 3'd7 : 3'd1;
      end else if (fetch_fault) begin
        fault_now    = 1'b1;
        fault_code_d = 3'd7;
      end else if (watchdog_cycles != 32'd0 && stall_cnt_q >= watchdog_cycles) begin
        fault_now    = 1'b1;
        // Nothing moves and no DRAM transfer is in flight: the streams wait on each other.
        fault_code_d = mem_idle ? 3'd3 : 3'd4;
      end else if (all_idle && (|stream_has_data)) begin
        fault_now      = 1'b1;
        fault_code_d   = 3'd6;
        fault_detail_d = 64'(stream_has_data);
      end
    end
  end

  logic normal_end;
  assign normal_end = (run_q == RunActive) && !fault_now && all_idle && !(|stream_has_data);
  assign run_done   = (run_q == RunDone);
  assign run_fault  = run_done && (fault_code_q != 3'd0);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      run_q          <= RunIdle;
      settle_q       <= '0;
      fault_code_q   <= '0;
      fault_packet_q <= 32'hffff_ffff;
      fault_mop_q    <= 32'hffff_ffff;
      fault_word_q   <= 32'hffff_ffff;
      fault_detail_q <= '0;
      stall_cnt_q    <= '0;
      dec_started_q  <= 1'b0;
    end else begin
      stall_cnt_q <= (progress || run_q != RunActive) ? 32'd0 : stall_cnt_q + 32'd1;
      if (iw_fire) dec_started_q <= 1'b1;
      unique case (run_q)
        RunIdle: begin
          if (start) begin
            run_q          <= RunActive;
            fault_code_q   <= '0;
            fault_packet_q <= 32'hffff_ffff;
            fault_mop_q    <= 32'hffff_ffff;
            fault_word_q   <= 32'hffff_ffff;
            fault_detail_q <= '0;
            dec_started_q  <= 1'b0;
          end
        end
        RunActive: begin
          if (fault_now) begin
            run_q          <= RunAbort;
            settle_q       <= '0;
            fault_code_q   <= fault_code_d;
            fault_packet_q <= fault_packet_d;
            fault_mop_q    <= fault_mop_d;
            fault_word_q   <= fault_word_d;
            fault_detail_q <= fault_detail_d;
          end else if (normal_end) begin
            // Every run ends with the flush, not only a faulted one: the next run then starts
            // with the memory FUs' banks empty (read as zeros until loaded), as each of the
            // model's runs does, instead of reading what an earlier program left.
            run_q <= RunFlush;
          end
        end
        RunAbort: begin
          // Wait until the AXI masters have drained what is in flight (at least 16 cycles).
          if (settle_q != 8'hff) settle_q <= settle_q + 8'd1;
          if (settle_q >= 8'd16 && axi_quiet) run_q <= RunFlush;
        end
        RunFlush: run_q <= RunDone;
        RunDone:  run_q <= RunIdle;
        default:  run_q <= RunIdle;
      endcase
    end
  end

  /* verilator lint_off UNUSEDSIGNAL */
  // Parts of shared buses some consumers do not look at: the LPDDR and store queues have no fence,
  // 2-word queues use the low half of the payload bus, only the DRAM queues track window indices
  // and packet ends, and the DRAM units' per-uOP pulses are not counted separately (UOPS counts
  // accepted uOPs).
  logic unused_top;
  assign unused_top = ^{trk_info[383:352], trk_info[255:224], u_idx[84:15], u_last[16:3], rd_uop_done,
                        lp_uop_done, dram_at[63:32],
                        u_payload[2175:2112], u_payload[2047:1984], u_payload[1151:1088], u_payload[1023:960],
                        u_payload[895:832], u_payload[767:704], u_payload[639:576], u_payload[511:448]};
  /* verilator lint_on UNUSEDSIGNAL */

endmodule
