// DRAM write channel of the DDR unit: store uOPs (port 6..11 = MemC0-5) in queue order, with the
// semantics of host/src/model/dram.rs `step_store`: each chunk's lines are taken in
// order from the MemC line stream the uOP names and written to consecutive lines of the window.
//
// Bursts come from rsn_dram_burst (chunk loop, 4 KiB / 64-beat cuts, bounds) through a registered
// AW channel. Each issued burst queues (port, beats) for the W path and (uOP-last) for the B
// responses; W moves the burst's lines from the selected MemC input through a register slice,
// wlast on its final beat. store_done_o pulses with the B response of a uOP's final burst (one
// ID, so responses arrive in order and it is the uOP's last).
module rsn_dram_wr #(
  parameter int unsigned MaxBursts = 16  // bursts issued and not yet answered on B (power of two)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             abort_i,
  input  logic [15:0]      uop_iter_i,
  input  logic [127:0]     uop_payload_i,
  input  logic             uop_valid_i,
  output logic             uop_ready_o,
  input  logic [63:0]      base_i,          // window base byte address (64-byte aligned)
  input  logic [16*64-1:0] bound_lo_i,
  input  logic [16*64-1:0] bound_hi_i,
  input  logic [15:0]      bound_en_i,
  // AXI4 write master, 512-bit data, one ID
  output logic [63:0]      m_axi_awaddr,
  output logic [7:0]       m_axi_awlen,
  output logic [2:0]       m_axi_awsize,
  output logic [1:0]       m_axi_awburst,
  output logic             m_axi_awvalid,
  input  logic             m_axi_awready,
  output logic [511:0]     m_axi_wdata,
  output logic [63:0]      m_axi_wstrb,
  output logic             m_axi_wlast,
  output logic             m_axi_wvalid,
  input  logic             m_axi_wready,
  input  logic [1:0]       m_axi_bresp,
  input  logic             m_axi_bvalid,
  output logic             m_axi_bready,
  // line streams from MemC0-5 (port codes 6..11), input i in bits [512*i +: 512]
  input  logic [6*512-1:0] in_data_i,
  input  logic [5:0]       in_valid_i,
  output logic [5:0]       in_ready_o,
  output logic             fault_o,         // sticky until abort_i / reset
  output logic [1:0]       fault_kind_o,    // 1 DMA bounds, 2 AXI error response, 3 uOP not a MemC store
  output logic [63:0]      fault_offset_o,
  output logic             store_done_o,    // pulse: the last write response of a uOP arrived
  output logic             busy_o,
  output logic             wait_in_o,
  output logic             wait_out_o
);
  localparam int unsigned WRouteW = 3 + 7;    // {port, beats}
  localparam int unsigned WOutW   = 512 + 2;  // {data, strobe all bytes, last}

  logic drain_q, drain_d;  // after an abort: completing the bursts already issued, then idle
  logic fault_q, fault_d;
  logic [1:0]  fault_kind_q, fault_kind_d;
  logic [63:0] fault_off_q, fault_off_d;

  // ---------------------------------------------------------------------------------------------
  // Bursts.
  logic [63:0] b_addr;
  logic [6:0]  b_len;
  logic [2:0]  b_port;
  logic        b_uop_last, b_valid, b_ready, b_fire, b_busy;
  logic        b_err;
  logic [1:0]  b_err_kind;
  logic [63:0] b_err_off;

  rsn_dram_burst #(
    .NumPorts(6),
    .PortBase(6),
    .Store   (1'b1),
    .UseFence(1'b0)
  ) u_burst (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .flush_i       (abort_i || drain_q),
    .halt_i        (fault_q),
    .uop_iter_i    (uop_iter_i),
    .uop_payload_i (uop_payload_i),
    .uop_valid_i   (uop_valid_i),
    .uop_ready_o   (uop_ready_o),
    .fence_ok_i    (1'b1),
    .base_i        (base_i),
    .bound_lo_i    (bound_lo_i),
    .bound_hi_i    (bound_hi_i),
    .bound_en_i    (bound_en_i),
    .out_addr_o    (b_addr),
    .out_len_o     (b_len),
    .out_port_o    (b_port),
    .out_uop_last_o(b_uop_last),
    .out_valid_o   (b_valid),
    .out_ready_i   (b_ready),
    .err_o         (b_err),
    .err_kind_o    (b_err_kind),
    .err_offset_o  (b_err_off),
    .busy_o        (b_busy)
  );

  // ---------------------------------------------------------------------------------------------
  // AW channel register; every issued burst queues its W work and its B expectation.
  logic        aw_valid_q, aw_valid_d;
  logic [63:0] aw_addr_q;
  logic [6:0]  aw_len_q;
  logic        wq_in_ready, wq_valid, wq_pop;
  logic [WRouteW-1:0] wq_data;
  logic [2:0]  wq_port;
  logic [6:0]  wq_len;
  logic        bq_in_ready, bq_valid, bq_uop_last, b_take;
  // Fill levels are not needed: full FIFOs hold back the next burst through their in_ready.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [$clog2(MaxBursts):0] wq_usage, bq_usage;
  /* verilator lint_on UNUSEDSIGNAL */

  assign b_ready = (!aw_valid_q || m_axi_awready) && wq_in_ready && bq_in_ready;
  assign b_fire  = b_valid && b_ready;

  assign m_axi_awaddr  = aw_addr_q;
  assign m_axi_awlen   = {1'b0, aw_len_q - 7'd1};
  assign m_axi_awsize  = 3'd6;
  assign m_axi_awburst = 2'b01;
  assign m_axi_awvalid = aw_valid_q;

  rsn_stream_fifo #(
    .Width(WRouteW),
    .Depth(MaxBursts)
  ) u_wq (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_data_i  ({b_port, b_len}),
    .in_valid_i (b_fire),
    .in_ready_o (wq_in_ready),
    .out_data_o (wq_data),
    .out_valid_o(wq_valid),
    .out_ready_i(wq_pop),
    .usage_o    (wq_usage)
  );
  assign {wq_port, wq_len} = wq_data;

  rsn_stream_fifo #(
    .Width(1),
    .Depth(MaxBursts)
  ) u_bq (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_data_i  (b_uop_last),
    .in_valid_i (b_fire),
    .in_ready_o (bq_in_ready),
    .out_data_o (bq_uop_last),
    .out_valid_o(bq_valid),
    .out_ready_i(b_take),
    .usage_o    (bq_usage)
  );

  // ---------------------------------------------------------------------------------------------
  // W path: the head burst's lines from its MemC input, through a register slice. While draining
  // after an abort, the remaining beats of issued bursts are sent with no byte enabled, which
  // completes them on AXI without writing anything.
  logic [6:0]   beat_q, beat_d;
  logic         src_valid, w_in_ready, w_fire_in, w_last;
  logic [511:0] src_data;
  logic [WOutW-1:0] w_out;
  logic         w_strb_all;

  assign src_valid = wq_valid && (drain_q || in_valid_i[wq_port]);
  assign src_data  = drain_q ? '0 : in_data_i[512*wq_port +: 512];
  assign w_last    = beat_q == wq_len - 7'd1;
  assign w_fire_in = src_valid && w_in_ready;
  assign wq_pop    = w_fire_in && w_last;

  always_comb begin
    in_ready_o = '0;
    in_ready_o[wq_port] = wq_valid && !drain_q && w_in_ready;
  end

  rsn_stream_reg #(
    .Width(WOutW)
  ) u_w (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_data_i  ({src_data, !drain_q, w_last}),
    .in_valid_i (src_valid),
    .in_ready_o (w_in_ready),
    .out_data_o (w_out),
    .out_valid_o(m_axi_wvalid),
    .out_ready_i(m_axi_wready)
  );
  assign {m_axi_wdata, w_strb_all, m_axi_wlast} = w_out;
  assign m_axi_wstrb = {64{w_strb_all}};

  // B: always accepted while a response is expected.
  assign m_axi_bready = bq_valid;
  assign b_take       = m_axi_bvalid && bq_valid;
  assign store_done_o = b_take && bq_uop_last && !drain_q;

  // ---------------------------------------------------------------------------------------------
  always_comb begin
    aw_valid_d   = aw_valid_q;
    beat_d       = beat_q;
    drain_d      = drain_q;
    fault_d      = fault_q;
    fault_kind_d = fault_kind_q;
    fault_off_d  = fault_off_q;

    // A pending AW stays valid through an abort (AXI: valid holds until ready).
    if (m_axi_awready) begin
      aw_valid_d = 1'b0;
    end
    if (b_fire) begin
      aw_valid_d = 1'b1;
    end
    if (w_fire_in) begin
      beat_d = w_last ? 7'd0 : beat_q + 7'd1;
    end

    if (abort_i) begin
      drain_d      = 1'b1;
      fault_d      = 1'b0;
      fault_kind_d = 2'd0;
      fault_off_d  = '0;
    end else begin
      if (drain_q && !aw_valid_q && !wq_valid && !m_axi_wvalid && !bq_valid) begin
        drain_d = 1'b0;
      end
      if (!fault_q && !drain_q) begin
        if (b_err) begin
          fault_d      = 1'b1;
          fault_kind_d = b_err_kind;
          fault_off_d  = b_err_off;
        end else if (b_take && m_axi_bresp != 2'b00) begin
          fault_d      = 1'b1;
          fault_kind_d = 2'd2;
          fault_off_d  = '0;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_valid_q   <= 1'b0;
      aw_addr_q    <= '0;
      aw_len_q     <= 7'd1;
      beat_q       <= '0;
      drain_q      <= 1'b0;
      fault_q      <= 1'b0;
      fault_kind_q <= 2'd0;
      fault_off_q  <= '0;
    end else begin
      aw_valid_q   <= aw_valid_d;
      beat_q       <= beat_d;
      drain_q      <= drain_d;
      fault_q      <= fault_d;
      fault_kind_q <= fault_kind_d;
      fault_off_q  <= fault_off_d;
      if (b_fire) begin
        aw_addr_q <= b_addr;
        aw_len_q  <= b_len;
      end
    end
  end

  assign fault_o        = fault_q;
  assign fault_kind_o   = fault_kind_q;
  assign fault_offset_o = fault_off_q;

  // Status: busy until every burst of the uOPs taken has its write response (and while an abort
  // drains). Waiting for input = MemC data missing for the W path; for output = AXI not ready.
  assign busy_o     = b_busy || aw_valid_q || wq_valid || m_axi_wvalid || bq_valid || drain_q;
  assign wait_out_o = (aw_valid_q && !m_axi_awready) || (m_axi_wvalid && !m_axi_wready);
  assign wait_in_o  = wq_valid && !drain_q && !in_valid_i[wq_port] && !wait_out_o;

endmodule
