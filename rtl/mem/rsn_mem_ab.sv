// MemA / MemB memory FU: two banks of BankRows x BankCols binary32 words. Each uOP (iter, payload)
// runs an optional load into one bank concurrently with an optional send of 128x128 blocks from
// the other, with the semantics of host/src/model/mem_ab.rs.
// Fields come from rsn_isa_pkg (mema_op_* when IsMemB = 0, memb_op_* when IsMemB = 1).
//
// Streams and storage follow rtl/INTERFACES.md: loads arrive as 16-float lines, blocks leave as
// 32-float beats, and each bank is 32 skewed lanes (element (r, c) in lane (r + c) % 32 at lane
// address {bank, r, c / 32}), so a row segment or a column segment of up to 32 elements touches
// distinct lanes and moves in one cycle.
module rsn_mem_ab #(
  parameter int unsigned BankRows = 256,   // power of two
  parameter int unsigned BankCols = 128,   // power of two, >= 64 (at least two 32-lane words)
  parameter int unsigned IsMemB   = 0      // payload format: 0 MemAOp, 1 MemBOp
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // Drop the running uOP and every buffered beat; idle again two cycles later.
  input  logic          abort_i,
  // uOPs, as rsn_mop_expander emits them (window index unused); taken only when idle.
  /* verilator lint_off UNUSEDSIGNAL */  // only the iteration's parity matters (toggle)
  input  logic [15:0]   uop_iter_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [63:0]   uop_payload_i,
  input  logic          uop_valid_i,
  output logic          uop_ready_o,
  // Load lines: 16 floats per beat, rows x cols row-major (MemB transpose: cols x rows).
  input  logic [511:0]  in_data_i,
  input  logic          in_valid_i,
  output logic          in_ready_o,
  // Block beats: 32 floats, 512 beats per 128x128 block, `out_last_o` on each block's last beat.
  output logic [1023:0] out_data_o,
  output logic          out_last_o,
  output logic          out_valid_o,
  input  logic          out_ready_i,
  // Status: a uOP runs; it waits for a load line; its send waits for room downstream.
  output logic          busy_o,
  output logic          wait_in_o,
  output logic          wait_out_o
);
  localparam int unsigned Lanes  = 32;
  localparam int unsigned RowW   = $clog2(BankRows);
  localparam int unsigned ColW   = $clog2(BankCols);
  localparam int unsigned WordW  = ColW - 5;           // 32-column word of a row
  localparam int unsigned LaneAW = 1 + RowW + WordW;   // lane address {bank, row, word}
  localparam int unsigned LaneD  = 2 * BankRows * BankCols / Lanes;

  if (BankCols < 64 || (BankCols & (BankCols - 1)) != 0 || (BankRows & (BankRows - 1)) != 0)
  begin : gen_geometry_check
    $error("rsn_mem_ab: BankRows must be a power of two, BankCols a power of two >= 64");
  end

  // ---------------------------------------------------------------------------------------------
  // Payload decode.
  logic       p_load_en, p_send_en, p_lb, p_sb, p_transpose;
  logic [9:0] p_rows, p_cols;
  // Send loop nest sizes n0 (outer) .. n2 (inner); see the block coordinate mapping below.
  logic [7:0] p_n0, p_n1;
  logic [2:0] p_n2;
  // Reserved bits and load_src (it steers the upstream unit, not this one) are not used here.
  /* verilator lint_off UNUSEDSIGNAL */
  rsn_isa_pkg::mema_op_w0_t a0;
  rsn_isa_pkg::mema_op_w1_t a1;
  rsn_isa_pkg::memb_op_w0_t b0;
  rsn_isa_pkg::memb_op_w1_t b1;
  logic                     flip;
  assign a0 = uop_payload_i[31:0];
  assign a1 = uop_payload_i[63:32];
  assign b0 = uop_payload_i[31:0];
  assign b1 = uop_payload_i[63:32];
  always_comb begin
    if (IsMemB != 0) begin
      flip        = b0.toggle & uop_iter_i[0];
      p_load_en   = b0.load_en;
      p_send_en   = b0.send_en;
      p_lb        = b0.load_bank ^ flip;
      p_sb        = b0.send_bank ^ flip;
      p_transpose = b0.transpose;
      p_rows      = b0.rows;
      p_cols      = b0.cols;
      // for _ in send_reps: for c in send_cb: for k in send_kb: block (k, c)
      p_n0        = b1.send_reps;
      p_n1        = 8'(b1.send_cb);
      p_n2        = b1.send_kb;
    end else begin
      flip        = a0.toggle & uop_iter_i[0];
      p_load_en   = a0.load_en;
      p_send_en   = a0.send_en;
      p_lb        = a0.load_bank ^ flip;
      p_sb        = a0.send_bank ^ flip;
      p_transpose = 1'b0;
      p_rows      = 10'(a0.rows);
      p_cols      = 10'(a0.cols);
      // for r in send_rb: for _ in send_cb: block (r, 0)
      p_n0        = 8'(a1.send_rb);
      p_n1        = a1.send_cb;
      p_n2        = 3'd1;
    end
  end
  /* verilator lint_on UNUSEDSIGNAL */

  // ---------------------------------------------------------------------------------------------
  // State.
  logic       l_act_q, l_act_d, s_act_q, s_act_d;
  logic       lb_q, lb_d, sb_q, sb_d, tr_q, tr_d;
  // Load position: stream row (major) and element in it (minor), in a stream of nmaj rows of run
  // elements (rows x cols, transposed cols x rows); p0 = next element of the current line.
  logic [9:0] l_run_q, l_run_d, l_nmaj_q, l_nmaj_d;
  logic [9:0] l_maj_q, l_maj_d, l_min_q, l_min_d;
  logic [3:0] l_p0_q, l_p0_d;
  // Loaded region of each bank: everything outside it reads as 0 (the model's clear_outside).
  // Bank b's extent is bits [10*b +: 10].
  logic [19:0] reg_rows_q, reg_rows_d, reg_cols_q, reg_cols_d;
  logic [7:0] n0_q, n0_d, n1_q, n1_d, i0_q, i0_d, i1_q, i1_d;
  logic [2:0] n2_q, n2_d, i2_q, i2_d;
  // Beat inside the block: row bi, 32-column group cg.
  logic [6:0] bi_q, bi_d;
  logic [1:0] cg_q, cg_d;
  // After an abort, beats still in the output slice are drained unseen.
  logic       flush_q, flush_d;

  logic idle, uop_fire;
  assign idle        = !l_act_q && !s_act_q;
  assign uop_ready_o = idle && !flush_q && !abort_i;
  assign uop_fire    = uop_valid_i && uop_ready_o;
  assign busy_o      = !idle;

  // ---------------------------------------------------------------------------------------------
  // Load: each cycle writes one segment, the rest of the current line that lies in the current
  // stream row. With run >= 16 a line is one segment, or two when it crosses a row boundary.
  // Both orientations put segment element j in lane (maj + min + j) % 32: non-transposed it is
  // (maj, min + j), transposed (min + j, maj).
  logic [4:0] l_rem_line, l_n, l_base;
  logic [9:0] l_rem_row;
  logic       l_row_end, l_line_end, l_end, l_fire;
  always_comb begin
    l_rem_line = 5'd16 - 5'(l_p0_q);
    l_rem_row  = l_run_q - l_min_q;
    l_row_end  = l_rem_row <= 10'(l_rem_line);
    l_line_end = 10'(l_rem_line) <= l_rem_row;
    l_n        = l_row_end ? l_rem_row[4:0] : l_rem_line;
    l_end      = l_row_end && (l_maj_q == l_nmaj_q - 10'd1);
    l_base     = l_maj_q[4:0] + l_min_q[4:0];
  end
  // The line is consumed with its last segment; the load's last line whole, even if (in a program
  // the validator would reject) it holds elements past rows x cols, so the stream stays aligned.
  assign in_ready_o = l_act_q && (l_line_end || l_end);
  assign l_fire     = l_act_q && in_valid_i;
  assign wait_in_o  = l_act_q && !in_valid_i;

  // Line element p0 + j goes to lane base + j: rotate the line down by p0 - base.
  logic [Lanes*32-1:0] w_data;
  rsn_mem_rotate #(
    .Lanes(Lanes),
    .Width(32)
  ) u_wr_rot (
    .data_i ({512'b0, in_data_i}),
    .amt_i  (5'(l_p0_q) - l_base),
    .data_o (w_data)
  );

  // ---------------------------------------------------------------------------------------------
  // Send issue: block coordinates and the beat inside the block. All 32 elements of a beat share
  // the lane address {bank, row, word}; element j sits in lane (row + j) % 32.
  logic [2:0]  s_br;
  logic [3:0]  s_bc;
  logic [10:0] s_row, s_col;
  logic [10:0] s_reg_rows, s_reg_cols, s_lim_cols;
  logic [5:0]  s_nv;
  logic        s_last, s_end, s_issue, pipe_adv;
  logic [LaneAW-1:0] raddr;
  always_comb begin
    if (IsMemB != 0) begin
      s_br = i2_q;
      s_bc = i1_q[3:0];
    end else begin
      s_br = i0_q[2:0];
      s_bc = '0;
    end
    s_row      = {1'b0, s_br, bi_q};
    s_col      = {s_bc, cg_q, 5'b0};
    s_reg_rows = 11'(reg_rows_q[10*sb_q +: 10]);
    s_reg_cols = 11'(reg_cols_q[10*sb_q +: 10]);
    s_lim_cols = (s_reg_cols < 11'(BankCols)) ? s_reg_cols : 11'(BankCols);
    // Valid (loaded, inside the bank) elements of the beat: a prefix of 0..32.
    if (s_row >= s_reg_rows || s_row >= 11'(BankRows) || s_col >= s_lim_cols) begin
      s_nv = '0;
    end else if (s_lim_cols - s_col >= 11'd32) begin
      s_nv = 6'd32;
    end else begin
      s_nv = 6'(s_lim_cols - s_col);
    end
    s_last = (bi_q == 7'd127) && (cg_q == 2'd3);
    s_end  = s_last && (i2_q == n2_q - 3'd1) && (i1_q == n1_q - 8'd1) && (i0_q == n0_q - 8'd1);
    raddr  = {sb_q, s_row[RowW-1:0], s_col[5 +: WordW]};
  end

  // Read pipeline stage (the lanes' read registers) in front of an output register slice.
  logic       v1_q, last1_q;
  logic [4:0] rot1_q;
  logic [5:0] nv1_q;
  logic       reg_ready;
  assign pipe_adv   = !v1_q || reg_ready;
  assign s_issue    = s_act_q && pipe_adv;
  assign wait_out_o = s_act_q && !pipe_adv;

  always_comb begin
    l_act_d = l_act_q;
    s_act_d = s_act_q;
    lb_d = lb_q;
    sb_d = sb_q;
    tr_d = tr_q;
    l_run_d = l_run_q;
    l_nmaj_d = l_nmaj_q;
    l_maj_d = l_maj_q;
    l_min_d = l_min_q;
    l_p0_d = l_p0_q;
    reg_rows_d = reg_rows_q;
    reg_cols_d = reg_cols_q;
    n0_d = n0_q;
    n1_d = n1_q;
    n2_d = n2_q;
    i0_d = i0_q;
    i1_d = i1_q;
    i2_d = i2_q;
    bi_d = bi_q;
    cg_d = cg_q;
    flush_d = flush_q;
    if (uop_fire) begin
      lb_d = p_lb;
      sb_d = p_sb;
      tr_d = p_transpose;
      l_run_d = p_transpose ? p_rows : p_cols;
      l_nmaj_d = p_transpose ? p_cols : p_rows;
      l_maj_d = '0;
      l_min_d = '0;
      l_p0_d = '0;
      if (p_load_en) begin
        reg_rows_d[10*p_lb +: 10] = p_rows;
        reg_cols_d[10*p_lb +: 10] = p_cols;
      end
      // Empty loads or sends (never valid payloads) complete at once, as in the model.
      l_act_d = p_load_en && (p_rows != '0) && (p_cols != '0);
      s_act_d = p_send_en && (p_n0 != '0) && (p_n1 != '0) && (p_n2 != '0);
      n0_d = p_n0;
      n1_d = p_n1;
      n2_d = p_n2;
      i0_d = '0;
      i1_d = '0;
      i2_d = '0;
      bi_d = '0;
      cg_d = '0;
    end
    if (l_fire) begin
      if (l_end) begin
        l_act_d = 1'b0;
      end else if (l_row_end) begin
        l_min_d = '0;
        l_maj_d = l_maj_q + 10'd1;
      end else begin
        l_min_d = l_min_q + 10'(l_n);
      end
      l_p0_d = l_line_end ? 4'd0 : l_p0_q + l_n[3:0];
    end
    if (s_issue) begin
      cg_d = cg_q + 2'd1;
      if (cg_q == 2'd3) begin
        bi_d = bi_q + 7'd1;
      end
      if (s_end) begin
        s_act_d = 1'b0;
      end else if (s_last) begin
        if (i2_q != n2_q - 3'd1) begin
          i2_d = i2_q + 3'd1;
        end else begin
          i2_d = '0;
          if (i1_q != n1_q - 8'd1) begin
            i1_d = i1_q + 8'd1;
          end else begin
            i1_d = '0;
            i0_d = i0_q + 8'd1;
          end
        end
      end
    end
    // Flushing, the slice's output is always taken and nothing enters it (v1_q is clear): it is
    // empty after this cycle unless its skid entry is full.
    flush_d = flush_q && !reg_ready;
    if (abort_i) begin
      l_act_d = 1'b0;
      s_act_d = 1'b0;
      flush_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      l_act_q <= 1'b0;
      s_act_q <= 1'b0;
      lb_q <= 1'b0;
      sb_q <= 1'b0;
      tr_q <= 1'b0;
      l_run_q <= '0;
      l_nmaj_q <= '0;
      l_maj_q <= '0;
      l_min_q <= '0;
      l_p0_q <= '0;
      // Both banks start as all zeros (the model's initial state).
      reg_rows_q <= '0;
      reg_cols_q <= '0;
      n0_q <= '0;
      n1_q <= '0;
      n2_q <= '0;
      i0_q <= '0;
      i1_q <= '0;
      i2_q <= '0;
      bi_q <= '0;
      cg_q <= '0;
      flush_q <= 1'b0;
      v1_q <= 1'b0;
      last1_q <= 1'b0;
      rot1_q <= '0;
      nv1_q <= '0;
    end else begin
      l_act_q <= l_act_d;
      s_act_q <= s_act_d;
      lb_q <= lb_d;
      sb_q <= sb_d;
      tr_q <= tr_d;
      l_run_q <= l_run_d;
      l_nmaj_q <= l_nmaj_d;
      l_maj_q <= l_maj_d;
      l_min_q <= l_min_d;
      l_p0_q <= l_p0_d;
      reg_rows_q <= reg_rows_d;
      reg_cols_q <= reg_cols_d;
      n0_q <= n0_d;
      n1_q <= n1_d;
      n2_q <= n2_d;
      i0_q <= i0_d;
      i1_q <= i1_d;
      i2_q <= i2_d;
      bi_q <= bi_d;
      cg_q <= cg_d;
      flush_q <= flush_d;
      if (abort_i) begin
        v1_q <= 1'b0;
      end else if (pipe_adv) begin
        v1_q    <= s_issue;
        last1_q <= s_last;
        rot1_q  <= s_row[4:0];
        nv1_q   <= s_nv;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // The 32 lanes: one simple dual-port RAM each (both banks, bank = address MSB), written by the
  // load at its own address, read by the send at the beat's common address.
  logic [Lanes*32-1:0] rdata_q;
  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic [4:0]        j;
    logic [10:0]       pos;
    logic [10:0]       row, col;
    logic              we;
    logic [LaneAW-1:0] waddr;
    always_comb begin
      // Segment element j of this lane, at minor position min + j of the stream row.
      j   = 5'(l) - l_base;
      pos = 11'(l_min_q) + 11'(j);
      row = tr_q ? pos : 11'(l_maj_q);
      col = tr_q ? 11'(l_maj_q) : pos;
      // Elements outside the bank (rejected by the validator) are dropped.
      we    = l_fire && (j < l_n) && (row < 11'(BankRows)) && (col < 11'(BankCols));
      waddr = {lb_q, row[RowW-1:0], col[5 +: WordW]};
    end

    logic [31:0] ram_q [LaneD];
    always_ff @(posedge clk_i) begin
      if (we) begin
        ram_q[waddr] <= w_data[32*l +: 32];
      end
    end
    always_ff @(posedge clk_i) begin
      if (s_issue) begin
        rdata_q[32*l +: 32] <= ram_q[raddr];
      end
    end
  end

  // Beat element j comes from lane (row + j) % 32; elements past the valid prefix are +0.0.
  logic [Lanes*32-1:0] r_data, r_masked;
  rsn_mem_rotate #(
    .Lanes(Lanes),
    .Width(32)
  ) u_rd_rot (
    .data_i (rdata_q),
    .amt_i  (rot1_q),
    .data_o (r_data)
  );
  always_comb begin
    for (int unsigned e = 0; e < Lanes; e++) begin
      r_masked[32*e +: 32] = (6'(e) < nv1_q) ? r_data[32*e +: 32] : 32'h0;
    end
  end

  // Output register slice: cuts the out_ready_i -> read enable path. While flushing after an
  // abort it is drained with its output hidden.
  logic [1024:0] reg_out;
  logic          reg_valid;
  rsn_stream_reg #(
    .Width(1025)
  ) u_out_reg (
    .clk_i,
    .rst_ni,
    .in_data_i  ({last1_q, r_masked}),
    .in_valid_i (v1_q),
    .in_ready_o (reg_ready),
    .out_data_o (reg_out),
    .out_valid_o(reg_valid),
    .out_ready_i(out_ready_i || flush_q)
  );
  assign out_valid_o = reg_valid && !flush_q;
  assign out_data_o  = reg_out[1023:0];
  assign out_last_o  = reg_out[1024];

endmodule
