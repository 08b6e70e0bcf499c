// MemA / MemB memory FU: two banks of BankRows x BankCols binary32 words. Each uOP (iter, payload)
// runs an optional load into one bank concurrently with an optional send of 128x128 blocks from
// the other, with the semantics of host/src/model/engine.rs (`begin`/`step_unit` for Mem units).
// Fields come from rsn_isa_pkg (mema_op_* when IsMemB = 0, memb_op_* when IsMemB = 1).
module rsn_mem_ab #(
  parameter int unsigned BankRows = 256,   // power of two, multiple of 128 or 64
  parameter int unsigned BankCols = 128,   // power of two
  parameter int unsigned IsMemB   = 0      // payload format: 0 MemAOp, 1 MemBOp
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // uOPs, as rsn_mop_expander emits them (window index unused); taken only when idle.
  /* verilator lint_off UNUSEDSIGNAL */  // only the iteration's parity matters (toggle)
  input  logic [15:0] uop_iter_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [63:0] uop_payload_i,
  input  logic        uop_valid_i,
  output logic        uop_ready_o,
  // Load elements (binary32 bits), row-major rows x cols (MemB transpose: cols x rows).
  input  logic [31:0] in_data_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  // Sent elements, 128x128 blocks row-major; `out_last_o` on each block's final element.
  output logic [31:0] out_data_o,
  output logic        out_last_o,
  output logic        out_valid_o,
  input  logic        out_ready_i,
  // A uOP is being executed (its load or its send issue is still running).
  output logic        busy_o
);
  localparam int unsigned RowW  = $clog2(BankRows);
  localparam int unsigned ColW  = $clog2(BankCols);
  localparam int unsigned AddrW = 1 + RowW + ColW;
  localparam int unsigned Words = 2 * BankRows * BankCols;

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
  logic [9:0] l_rows_q, l_rows_d, l_cols_q, l_cols_d;
  logic [9:0] l_maj_q, l_maj_d, l_min_q, l_min_d;
  // Loaded region of each bank: everything outside it reads as 0 (the model's clear_outside).
  // Bank b's extent is bits [10*b +: 10].
  logic [19:0] reg_rows_q, reg_rows_d, reg_cols_q, reg_cols_d;
  logic [7:0] n0_q, n0_d, n1_q, n1_d, i0_q, i0_d, i1_q, i1_d;
  logic [2:0] n2_q, n2_d, i2_q, i2_d;
  logic [6:0] bi_q, bi_d, bj_q, bj_d;

  logic idle, uop_fire, in_fire;
  assign idle        = !l_act_q && !s_act_q;
  assign uop_ready_o = idle;
  assign uop_fire    = uop_valid_i && idle;
  assign in_ready_o  = l_act_q;
  assign in_fire     = in_valid_i && l_act_q;
  assign busy_o      = !idle;

  // Load address.
  logic [9:0] l_row, l_col, l_run, l_nmaj;
  logic       l_in_bank, l_end;
  logic [AddrW-1:0] waddr;
  always_comb begin
    l_row     = tr_q ? l_min_q : l_maj_q;
    l_col     = tr_q ? l_maj_q : l_min_q;
    l_run     = tr_q ? l_rows_q : l_cols_q;
    l_nmaj    = tr_q ? l_cols_q : l_rows_q;
    l_in_bank = (11'(l_row) < 11'(BankRows)) && (11'(l_col) < 11'(BankCols));
    l_end     = (l_maj_q == l_nmaj - 10'd1) && (l_min_q == l_run - 10'd1);
    waddr     = {lb_q, l_row[RowW-1:0], l_col[ColW-1:0]};
  end

  // Send issue: block coordinates and the element inside the block.
  logic [2:0]  s_br;
  logic [3:0]  s_bc;
  logic [10:0] s_row, s_col;
  logic        s_zero, s_blk_end, s_end, s_issue, pipe_adv;
  logic [AddrW-1:0] raddr;
  always_comb begin
    if (IsMemB != 0) begin
      s_br = i2_q;
      s_bc = i1_q[3:0];
    end else begin
      s_br = i0_q[2:0];
      s_bc = '0;
    end
    s_row     = {1'b0, s_br, bi_q};
    s_col     = {s_bc, bj_q};
    s_zero    = (s_row >= 11'(reg_rows_q[10*sb_q +: 10])) || (s_col >= 11'(reg_cols_q[10*sb_q +: 10])) ||
                (s_row >= 11'(BankRows)) || (s_col >= 11'(BankCols));
    s_blk_end = (bi_q == 7'd127) && (bj_q == 7'd127);
    s_end     = s_blk_end && (i2_q == n2_q - 3'd1) && (i1_q == n1_q - 8'd1) && (i0_q == n0_q - 8'd1);
    raddr     = {sb_q, s_row[RowW-1:0], s_col[ColW-1:0]};
  end

  // Read pipeline stage (the bank read register) in front of an output register slice.
  logic        v1_q, zero1_q, last1_q;
  logic [31:0] rdata_q;
  logic        reg_ready;
  assign pipe_adv = !v1_q || reg_ready;
  assign s_issue  = s_act_q && pipe_adv;

  always_comb begin
    l_act_d = l_act_q;
    s_act_d = s_act_q;
    lb_d = lb_q;
    sb_d = sb_q;
    tr_d = tr_q;
    l_rows_d = l_rows_q;
    l_cols_d = l_cols_q;
    l_maj_d = l_maj_q;
    l_min_d = l_min_q;
    reg_rows_d = reg_rows_q;
    reg_cols_d = reg_cols_q;
    n0_d = n0_q;
    n1_d = n1_q;
    n2_d = n2_q;
    i0_d = i0_q;
    i1_d = i1_q;
    i2_d = i2_q;
    bi_d = bi_q;
    bj_d = bj_q;
    if (uop_fire) begin
      lb_d = p_lb;
      sb_d = p_sb;
      tr_d = p_transpose;
      l_rows_d = p_rows;
      l_cols_d = p_cols;
      l_maj_d = '0;
      l_min_d = '0;
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
      bj_d = '0;
    end
    if (in_fire) begin
      if (l_end) begin
        l_act_d = 1'b0;
      end else if (l_min_q == l_run - 10'd1) begin
        l_min_d = '0;
        l_maj_d = l_maj_q + 10'd1;
      end else begin
        l_min_d = l_min_q + 10'd1;
      end
    end
    if (s_issue) begin
      bj_d = bj_q + 7'd1;
      if (bj_q == 7'd127) begin
        bi_d = bi_q + 7'd1;
      end
      if (s_end) begin
        s_act_d = 1'b0;
      end else if (s_blk_end) begin
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
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      l_act_q <= 1'b0;
      s_act_q <= 1'b0;
      lb_q <= 1'b0;
      sb_q <= 1'b0;
      tr_q <= 1'b0;
      l_rows_q <= '0;
      l_cols_q <= '0;
      l_maj_q <= '0;
      l_min_q <= '0;
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
      bj_q <= '0;
      v1_q <= 1'b0;
      zero1_q <= 1'b0;
      last1_q <= 1'b0;
    end else begin
      l_act_q <= l_act_d;
      s_act_q <= s_act_d;
      lb_q <= lb_d;
      sb_q <= sb_d;
      tr_q <= tr_d;
      l_rows_q <= l_rows_d;
      l_cols_q <= l_cols_d;
      l_maj_q <= l_maj_d;
      l_min_q <= l_min_d;
      reg_rows_q <= reg_rows_d;
      reg_cols_q <= reg_cols_d;
      n0_q <= n0_d;
      n1_q <= n1_d;
      n2_q <= n2_d;
      i0_q <= i0_d;
      i1_q <= i1_d;
      i2_q <= i2_d;
      bi_q <= bi_d;
      bj_q <= bj_d;
      if (pipe_adv) begin
        v1_q    <= s_issue;
        zero1_q <= s_zero;
        last1_q <= s_blk_end;
      end
    end
  end

  // Bank storage: both banks in one simple dual-port memory (bank = address MSB), one write port
  // for the load and one registered read port (with enable) for the send.
  logic [31:0] mem_q [Words];
  always_ff @(posedge clk_i) begin
    if (in_fire && l_in_bank) begin
      mem_q[waddr] <= in_data_i;
    end
  end
  always_ff @(posedge clk_i) begin
    if (s_issue) begin
      rdata_q <= mem_q[raddr];
    end
  end

  // Output register slice: cuts the out_ready_i -> read enable path.
  logic [32:0] reg_out;
  rsn_stream_reg #(
    .Width(33)
  ) u_out_reg (
    .clk_i,
    .rst_ni,
    .in_data_i  ({last1_q, zero1_q ? 32'h0 : rdata_q}),
    .in_valid_i (v1_q),
    .in_ready_o (reg_ready),
    .out_data_o (reg_out),
    .out_valid_o,
    .out_ready_i
  );
  assign out_data_o = reg_out[31:0];
  assign out_last_o = reg_out[32];

endmodule
