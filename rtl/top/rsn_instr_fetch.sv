// Instruction fetch: reads program words [0, words_i) from byte address addr_i over an AXI4 read
// master (512-bit lines) and streams them, one 32-bit word per cycle, to the decoder, with
// out_last_o on the final word. See top/README_fetch.md.
//
// Bursts are INCR, 64-byte beats, at most MaxBurst beats, never across a 4 KiB boundary. Space for
// every beat of a burst is reserved in the line FIFO before the burst is requested, so R is never
// back-pressured by a slow decoder (m_axi_rready is high whenever the FIFO is not full, which the
// reservation guarantees). An error response (SLVERR/DECERR, or EXOKAY to a plain read) raises the
// sticky fault_o; that line and everything after it is discarded, lines before it still go out.
module rsn_instr_fetch (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         abort_i,
  // Taken only while idle (busy_o low).
  input  logic         start_i,
  /* verilator lint_off UNUSEDSIGNAL */  // 4-byte aligned: bits 1:0 are ignored
  input  logic [63:0]  addr_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [31:0]  words_i,
  output logic [63:0]  m_axi_araddr,
  output logic [7:0]   m_axi_arlen,
  output logic [2:0]   m_axi_arsize,
  output logic [1:0]   m_axi_arburst,
  output logic         m_axi_arvalid,
  input  logic         m_axi_arready,
  input  logic [511:0] m_axi_rdata,
  input  logic [1:0]   m_axi_rresp,
  input  logic         m_axi_rlast,
  input  logic         m_axi_rvalid,
  output logic         m_axi_rready,
  output logic [31:0]  out_data_o,
  output logic         out_last_o,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic         fault_o,
  output logic         busy_o
);

  // 64 lines = 1024 words: at one word per cycle that covers ~1000 cycles of memory latency.
  localparam int unsigned LineDepth = 64;
  localparam int unsigned MaxBurst = 32;
  localparam int unsigned MaxOutstanding = 4;
  localparam int unsigned CredW = $clog2(LineDepth) + 1;
  localparam int unsigned OutstW = $clog2(MaxOutstanding) + 1;

  // ------------------------------------------------------------------------------------------
  // Request side.
  logic [57:0]        line_addr_q, line_addr_d;    // next line to request
  logic [28:0]        lines_left_q, lines_left_d;  // lines not yet requested
  logic [CredW-1:0]   credits_q, credits_d;        // FIFO lines neither filled nor reserved
  logic [OutstW-1:0]  outst_q, outst_d;            // bursts requested whose rlast has not come
  logic               arvalid_q, arvalid_d;
  logic [57:0]        arline_q, arline_d;
  logic [7:0]         arlen_q, arlen_d;
  // stop: no further requests, R beats discarded (after abort or a fault). drain: the buffered
  // lines are dropped instead of sent (after abort).
  logic               stop_q, stop_d, drain_q, drain_d;
  logic               fault_q, fault_d;

  // Serializer.
  logic               line_valid_q, line_valid_d;
  logic [511:0]       line_q;
  logic               line_load;
  logic [3:0]         idx_q, idx_d;
  logic [3:0]         off_q, off_d;                // word offset of the first line
  logic               first_q, first_d;
  logic [31:0]        words_left_q, words_left_d;

  // Line FIFO.
  logic               fifo_in_valid, fifo_in_ready, fifo_out_valid, fifo_pop;
  logic [511:0]       fifo_out_data;
  /* verilator lint_off UNUSEDSIGNAL */  // emptiness is out_valid; the reservation bounds the fill
  logic [CredW-1:0]   fifo_usage;
  /* verilator lint_on UNUSEDSIGNAL */

  logic [6:0]         to_page, burst_len;
  logic               can_issue, issue, r_fire, r_error, r_discard, take, line_end;
  logic [31:0]        words_after;
  logic               start;

  assign busy_o = arvalid_q || (outst_q != '0) || fifo_out_valid || line_valid_q ||
                  (!stop_q && lines_left_q != '0);
  assign start  = start_i && !busy_o && !abort_i;

  // Burst: up to MaxBurst lines, the lines left, and the lines to the end of the 4 KiB page.
  always_comb begin
    to_page   = 7'd64 - {1'b0, line_addr_q[5:0]};
    burst_len = to_page;
    if (burst_len > 7'(MaxBurst)) begin
      burst_len = 7'(MaxBurst);
    end
    if (lines_left_q < 29'(burst_len)) begin
      burst_len = lines_left_q[6:0];
    end
  end

  assign can_issue = !stop_q && (lines_left_q != '0) && (32'(credits_q) >= 32'(burst_len)) &&
                     (32'(outst_q) < MaxOutstanding) && !abort_i;
  assign issue     = can_issue && (!arvalid_q || m_axi_arready);

  assign m_axi_arvalid = arvalid_q;
  assign m_axi_araddr  = {arline_q, 6'd0};
  assign m_axi_arlen   = arlen_q;
  assign m_axi_arsize  = 3'd6;   // 64 bytes per beat
  assign m_axi_arburst = 2'b01;  // INCR

  assign m_axi_rready  = fifo_in_ready;
  assign r_fire        = m_axi_rvalid && m_axi_rready;
  assign r_error       = (m_axi_rresp != 2'b00);
  assign r_discard     = stop_q || r_error || abort_i;
  assign fifo_in_valid = m_axi_rvalid && !r_discard;

  rsn_stream_fifo #(
    .Width       (512),
    .Depth       (LineDepth),
    .FallThrough (1'b0)
  ) u_lines (
    .clk_i,
    .rst_ni,
    .in_data_i   (m_axi_rdata),
    .in_valid_i  (fifo_in_valid),
    .in_ready_o  (fifo_in_ready),
    .out_data_o  (fifo_out_data),
    .out_valid_o (fifo_out_valid),
    .out_ready_i (fifo_pop),
    .usage_o     (fifo_usage)
  );

  // ------------------------------------------------------------------------------------------
  // Word output: the current line, word idx; the next line is loaded on the cycle the current one
  // runs out, so lines follow each other without a gap.
  assign out_valid_o = line_valid_q;
  assign out_data_o  = line_q[32*idx_q +: 32];
  assign out_last_o  = (words_left_q == 32'd1);
  assign take        = out_valid_o && out_ready_i;
  assign line_end    = take && (idx_q == 4'd15 || words_left_q == 32'd1);
  assign words_after = words_left_q - {31'd0, take};
  assign fifo_pop    = fifo_out_valid && (drain_q || ((!line_valid_q || line_end) && words_after != '0));
  assign line_load   = fifo_pop && !drain_q;

  always_comb begin
    line_addr_d  = line_addr_q;
    lines_left_d = lines_left_q;
    credits_d    = credits_q;
    outst_d      = outst_q;
    arvalid_d    = arvalid_q;
    arline_d     = arline_q;
    arlen_d      = arlen_q;
    stop_d       = stop_q;
    drain_d      = drain_q;
    fault_d      = fault_q;
    line_valid_d = line_valid_q;
    idx_d        = idx_q;
    off_d        = off_q;
    first_d      = first_q;
    words_left_d = words_after;

    // Request channel.
    if (arvalid_q && m_axi_arready) begin
      arvalid_d = 1'b0;
    end
    if (issue) begin
      arvalid_d    = 1'b1;
      arline_d     = line_addr_q;
      arlen_d      = 8'(burst_len - 7'd1);
      line_addr_d  = line_addr_q + 58'(burst_len);
      lines_left_d = lines_left_q - 29'(burst_len);
    end

    // Credits: taken by a request, returned when a line leaves the FIFO or a beat is discarded.
    credits_d = credits_q - (issue ? CredW'(burst_len) : '0) + CredW'(fifo_pop) +
                CredW'(r_fire && r_discard);
    outst_d   = outst_q + OutstW'(issue) - OutstW'(r_fire && m_axi_rlast);

    if (r_fire && r_error && !stop_q && !abort_i) begin
      fault_d      = 1'b1;
      stop_d       = 1'b1;
      lines_left_d = '0;
    end

    // Serializer.
    if (take) begin
      idx_d = idx_q + 4'd1;
    end
    if (line_load) begin
      line_valid_d = 1'b1;
      idx_d        = first_q ? off_q : 4'd0;
      first_d      = 1'b0;
    end else if (line_end) begin
      line_valid_d = 1'b0;
    end

    if (drain_q && !busy_o) begin
      drain_d = 1'b0;
    end

    if (start) begin
      // Lines covering words [off, off + words) of the first line onwards; none for no words.
      line_addr_d  = addr_i[63:6];
      lines_left_d = (words_i == 32'd0) ? 29'd0 :
                     29'(({1'b0, words_i} + 33'(addr_i[5:2]) + 33'd15) >> 4);
      off_d        = addr_i[5:2];
      first_d      = 1'b1;
      words_left_d = words_i;
      stop_d       = 1'b0;
      drain_d      = 1'b0;
      fault_d      = 1'b0;
    end

    if (abort_i) begin
      // A requested AR stays valid until taken (AXI); its burst is counted and drained.
      lines_left_d = '0;
      words_left_d = '0;
      line_valid_d = 1'b0;
      stop_d       = 1'b1;
      drain_d      = 1'b1;
      fault_d      = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      line_addr_q  <= '0;
      lines_left_q <= '0;
      credits_q    <= CredW'(LineDepth);
      outst_q      <= '0;
      arvalid_q    <= 1'b0;
      arline_q     <= '0;
      arlen_q      <= '0;
      stop_q       <= 1'b0;
      drain_q      <= 1'b0;
      fault_q      <= 1'b0;
      line_valid_q <= 1'b0;
      idx_q        <= '0;
      off_q        <= '0;
      first_q      <= 1'b0;
      words_left_q <= '0;
    end else begin
      line_addr_q  <= line_addr_d;
      lines_left_q <= lines_left_d;
      credits_q    <= credits_d;
      outst_q      <= outst_d;
      arvalid_q    <= arvalid_d;
      arline_q     <= arline_d;
      arlen_q      <= arlen_d;
      stop_q       <= stop_d;
      drain_q      <= drain_d;
      fault_q      <= fault_d;
      line_valid_q <= line_valid_d;
      idx_q        <= idx_d;
      off_q        <= off_d;
      first_q      <= first_d;
      words_left_q <= words_left_d;
    end
  end

  // The line register needs no reset: it is only read while line_valid_q is set.
  always_ff @(posedge clk_i) begin
    if (line_load) begin
      line_q <= fifo_out_data;
    end
  end

  assign fault_o = fault_q;

endmodule
