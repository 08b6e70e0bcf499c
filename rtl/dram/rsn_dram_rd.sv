// DRAM read channel: the DDR unit's loads (NumPorts = 12, PortBase = 0: MemA0-2, MemB0-2,
// MemC0-5) or the LPDDR unit (NumPorts = 2, PortBase = 3: MemB0/1). Semantics of
// host/src/model/dram.rs (`step_load`): uOPs in queue order, each moving its
// chunks' lines in order to the memory FU named by `port`, one 64-byte line per beat.
//
// Bursts come from rsn_dram_burst (chunk loop, 4 KiB / 64-beat cuts, bounds) through a registered
// AR channel. Up to MaxLines lines may be in flight (AR issued, R beat not yet taken) so the unit
// covers the memory latency at one line per cycle; a FIFO of (port, beats, uOP-last) per burst
// routes the in-order R beats. A port that is not ready stalls R. The next uOP's bursts may be
// issued while the previous uOP's data is still returning.
module rsn_dram_rd #(
  parameter int unsigned NumPorts   = 12,
  parameter int unsigned PortBase   = 0,
  parameter int unsigned MaxLines   = 256,  // lines in flight (4 bursts of 64)
  parameter int unsigned RouteDepth = 16,   // bursts in flight (power of two)
  localparam int unsigned PortW     = (NumPorts > 1) ? $clog2(NumPorts) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 abort_i,
  // uOPs (rsn_mop_expander with PayloadWords = 4)
  input  logic [15:0]          uop_iter_i,
  input  logic [127:0]         uop_payload_i,
  input  logic                 uop_valid_i,
  output logic                 uop_ready_o,
  input  logic                 fence_ok_i,   // a uOP with fence = 1 issues nothing until this is high
  input  logic [63:0]          base_i,       // window base byte address (64-byte aligned)
  input  logic [16*64-1:0]     bound_lo_i,   // byte offsets in the window
  input  logic [16*64-1:0]     bound_hi_i,
  input  logic [15:0]          bound_en_i,
  // AXI4 read master, 512-bit data, one ID (in order)
  output logic [63:0]          m_axi_araddr,
  output logic [7:0]           m_axi_arlen,
  output logic [2:0]           m_axi_arsize,
  output logic [1:0]           m_axi_arburst,
  output logic                 m_axi_arvalid,
  input  logic                 m_axi_arready,
  input  logic [511:0]         m_axi_rdata,
  input  logic [1:0]           m_axi_rresp,
  /* verilator lint_off UNUSEDSIGNAL */  // beats are counted against the issued length instead
  input  logic                 m_axi_rlast,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic                 m_axi_rvalid,
  output logic                 m_axi_rready,
  // line streams to the memory FUs: one data bus, one valid/ready per port
  output logic [511:0]         out_data_o,
  output logic [NumPorts-1:0]  out_valid_o,
  input  logic [NumPorts-1:0]  out_ready_i,
  output logic                 fault_o,         // sticky until abort_i / reset
  output logic [1:0]           fault_kind_o,    // 1 DMA bounds, 2 AXI error response, 3 port not served
  output logic [63:0]          fault_offset_o,  // offending window byte offset (bounds), else 0
  output logic                 uop_done_o,      // pulse: a uOP's last line has been delivered
  output logic                 busy_o,
  output logic                 wait_in_o,
  output logic                 wait_out_o
);
  localparam int unsigned CntW   = $clog2(MaxLines + 1);
  localparam int unsigned RouteW = PortW + 7 + 1;  // {port, beats, uop_last}
  localparam int unsigned OutW   = 512 + PortW + 1;  // {data, port, uop_last}

  if (MaxLines < 64) begin : gen_lines_check
    $error("rsn_dram_rd: MaxLines must hold one 64-beat burst");
  end

  logic drain_q, drain_d;  // after an abort: swallowing the R beats of bursts in flight
  logic fault_q, fault_d;
  logic [1:0]  fault_kind_q, fault_kind_d;
  logic [63:0] fault_off_q, fault_off_d;

  // ---------------------------------------------------------------------------------------------
  // Bursts.
  logic [63:0]      b_addr;
  logic [6:0]       b_len;
  logic [PortW-1:0] b_port;
  logic             b_uop_last, b_valid, b_ready, b_fire, b_busy;
  logic             b_err;
  logic [1:0]       b_err_kind;
  logic [63:0]      b_err_off;

  rsn_dram_burst #(
    .NumPorts(NumPorts),
    .PortBase(PortBase),
    .Store   (1'b0),
    .UseFence(1'b1)
  ) u_burst (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .flush_i       (abort_i || drain_q),
    .halt_i        (fault_q),
    .uop_iter_i    (uop_iter_i),
    .uop_payload_i (uop_payload_i),
    .uop_valid_i   (uop_valid_i),
    .uop_ready_o   (uop_ready_o),
    .fence_ok_i    (fence_ok_i),
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
  // AR channel register and the in-flight accounting.
  logic             ar_valid_q, ar_valid_d;
  logic [63:0]      ar_addr_q;
  logic [6:0]       ar_len_q;
  logic [CntW-1:0]  inflight_q, inflight_d;
  logic             rt_in_ready, rt_valid, rt_pop;
  logic [RouteW-1:0] rt_data;
  logic [PortW-1:0] rt_port;
  logic [6:0]       rt_len;
  logic             rt_uop_last;
  logic             credit_ok;
  logic [CntW:0]    inflight_next;
  // The in-flight line count already bounds the bursts; the route FIFO's fill level is not needed.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [$clog2(RouteDepth):0] rt_usage;
  /* verilator lint_on UNUSEDSIGNAL */

  assign inflight_next = {1'b0, inflight_q} + (CntW + 1)'(b_len);
  assign credit_ok     = inflight_next <= (CntW + 1)'(MaxLines);
  assign b_ready       = (!ar_valid_q || m_axi_arready) && rt_in_ready && credit_ok;
  assign b_fire        = b_valid && b_ready;

  assign m_axi_araddr  = ar_addr_q;
  assign m_axi_arlen   = {1'b0, ar_len_q - 7'd1};
  assign m_axi_arsize  = 3'd6;
  assign m_axi_arburst = 2'b01;
  assign m_axi_arvalid = ar_valid_q;

  rsn_stream_fifo #(
    .Width(RouteW),
    .Depth(RouteDepth)
  ) u_route (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_data_i  ({b_port, b_len, b_uop_last}),
    .in_valid_i (b_fire),
    .in_ready_o (rt_in_ready),
    .out_data_o (rt_data),
    .out_valid_o(rt_valid),
    .out_ready_i(rt_pop),
    .usage_o    (rt_usage)
  );
  assign {rt_port, rt_len, rt_uop_last} = rt_data;

  // ---------------------------------------------------------------------------------------------
  // R channel: beats go through a register slice to the ports (it cuts out_ready_i from rready).
  logic [6:0]  beat_q, beat_d;
  logic        r_fire, burst_end, o_in_ready;
  logic [OutW-1:0] o_data;
  logic [PortW-1:0] o_port;
  logic        o_valid, o_ready, o_uop_last, o_fire;
  logic [511:0] o_line;

  // A beat is only taken with its burst's route entry at hand (always so for a legal slave).
  assign m_axi_rready = rt_valid && o_in_ready;
  assign r_fire       = m_axi_rvalid && m_axi_rready;
  assign burst_end    = beat_q == rt_len - 7'd1;
  assign rt_pop       = r_fire && burst_end;

  rsn_stream_reg #(
    .Width(OutW)
  ) u_out (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_data_i  ({m_axi_rdata, rt_port, rt_uop_last && burst_end}),
    .in_valid_i (m_axi_rvalid && rt_valid),
    .in_ready_o (o_in_ready),
    .out_data_o (o_data),
    .out_valid_o(o_valid),
    .out_ready_i(o_ready)
  );
  assign {o_line, o_port, o_uop_last} = o_data;

  // While draining, beats are swallowed here instead of reaching a port.
  assign o_ready    = drain_q || out_ready_i[o_port];
  assign o_fire     = o_valid && !drain_q && out_ready_i[o_port];
  assign out_data_o = o_line;
  always_comb begin
    out_valid_o = '0;
    out_valid_o[o_port] = o_valid && !drain_q;
  end
  assign uop_done_o = o_fire && o_uop_last;

  // ---------------------------------------------------------------------------------------------
  always_comb begin
    ar_valid_d   = ar_valid_q;
    inflight_d   = inflight_q;
    beat_d       = beat_q;
    drain_d      = drain_q;
    fault_d      = fault_q;
    fault_kind_d = fault_kind_q;
    fault_off_d  = fault_off_q;

    // A pending AR stays valid through an abort (AXI: valid holds until ready).
    if (m_axi_arready) begin
      ar_valid_d = 1'b0;
    end
    if (b_fire) begin
      ar_valid_d = 1'b1;
    end
    inflight_d = inflight_q + (b_fire ? CntW'(b_len) : '0) - (r_fire ? CntW'(1) : '0);
    if (r_fire) begin
      beat_d = burst_end ? 7'd0 : beat_q + 7'd1;
    end

    if (abort_i) begin
      drain_d = 1'b1;
      fault_d = 1'b0;
      fault_kind_d = 2'd0;
      fault_off_d  = '0;
    end else begin
      if (drain_q && !ar_valid_q && inflight_q == '0 && !o_valid) begin
        drain_d = 1'b0;
      end
      if (!fault_q && !drain_q) begin
        if (b_err) begin
          fault_d      = 1'b1;
          fault_kind_d = b_err_kind;
          fault_off_d  = b_err_off;
        end else if (r_fire && m_axi_rresp != 2'b00) begin
          fault_d      = 1'b1;
          fault_kind_d = 2'd2;
          fault_off_d  = '0;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_valid_q   <= 1'b0;
      ar_addr_q    <= '0;
      ar_len_q     <= 7'd1;
      inflight_q   <= '0;
      beat_q       <= '0;
      drain_q      <= 1'b0;
      fault_q      <= 1'b0;
      fault_kind_q <= 2'd0;
      fault_off_q  <= '0;
    end else begin
      ar_valid_q   <= ar_valid_d;
      inflight_q   <= inflight_d;
      beat_q       <= beat_d;
      drain_q      <= drain_d;
      fault_q      <= fault_d;
      fault_kind_q <= fault_kind_d;
      fault_off_q  <= fault_off_d;
      if (b_fire) begin
        ar_addr_q <= b_addr;
        ar_len_q  <= b_len;
      end
    end
  end

  assign fault_o        = fault_q;
  assign fault_kind_o   = fault_kind_q;
  assign fault_offset_o = fault_off_q;

  // Status: busy while a uOP issues or any of its lines has not reached its port (and while an
  // abort drains). Waiting for input = busy, nothing delivered, no port holding us up.
  assign busy_o     = b_busy || ar_valid_q || inflight_q != '0 || o_valid || drain_q;
  assign wait_out_o = o_valid && !drain_q && !out_ready_i[o_port];
  assign wait_in_o  = busy_o && !drain_q && !o_fire && !wait_out_o;

endmodule
