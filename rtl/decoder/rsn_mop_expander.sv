// mOP -> uOP expansion of one FU instance: takes the packets of its decoder queue (entry format in
// README.md) and emits every execution (iter, window index, payload) in the order of
// host/src/isa/expand.rs `executions`: for iter in 0..repeat, for each mOP of the window.
module rsn_mop_expander #(
  parameter int unsigned PayloadWords = 2  // words per mOP of the FU type (1..4)
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // Queue entries: a header word, then the window's payload words; `in_last_i` on the final one.
  input  logic [31:0]                  in_data_i,
  input  logic                         in_last_i,
  input  logic                         in_valid_i,
  output logic                         in_ready_o,
  // One execution per transfer; `out_last_o` marks the packet's final one.
  output logic [15:0]                  out_iter_o,
  output logic [4:0]                   out_idx_o,
  output logic [PayloadWords*32-1:0]   out_payload_o,
  output logic                         out_last_o,
  output logic                         out_valid_o,
  input  logic                         out_ready_i
);

  localparam int unsigned BufWords = 32 * PayloadWords;
  localparam int unsigned CntW = $clog2(BufWords);

  logic                emit_q, emit_d;
  logic                have_hdr_q, have_hdr_d;
  logic [15:0]         repeat_q, repeat_d;
  logic [4:0]          window_q, window_d;
  logic [CntW-1:0]     cnt_q, cnt_d;
  logic [15:0]         iter_q, iter_d;
  logic [4:0]          idx_q, idx_d;
  logic [31:0]         buf_q [BufWords];
  logic                buf_we;
  logic                in_fire, out_fire, last_exec;

  assign in_ready_o  = !emit_q;
  assign in_fire     = in_valid_i && !emit_q;
  assign out_valid_o = emit_q;
  assign out_fire    = emit_q && out_ready_i;
  assign last_exec   = (idx_q == window_q - 5'd1) && (iter_q == repeat_q - 16'd1);

  assign out_iter_o = iter_q;
  assign out_idx_o  = idx_q;
  assign out_last_o = last_exec;
  always_comb begin
    for (int unsigned w = 0; w < PayloadWords; w++) begin
      out_payload_o[32*w +: 32] = buf_q[CntW'(idx_q * PayloadWords + w)];
    end
  end

  always_comb begin
    emit_d     = emit_q;
    have_hdr_d = have_hdr_q;
    repeat_d   = repeat_q;
    window_d   = window_q;
    cnt_d      = cnt_q;
    iter_d     = iter_q;
    idx_d      = idx_q;
    buf_we     = 1'b0;
    if (in_fire) begin
      if (!have_hdr_q) begin
        repeat_d   = in_data_i[31:16];
        window_d   = in_data_i[15:11];
        cnt_d      = '0;
        // A header without payloads has nothing to execute.
        have_hdr_d = !in_last_i;
      end else begin
        buf_we = 1'b1;
        cnt_d  = cnt_q + CntW'(1);
        if (in_last_i) begin
          have_hdr_d = 1'b0;
          iter_d     = '0;
          idx_d      = '0;
          // The decoder never sends repeat or window 0; guard anyway so a bad queue cannot hang.
          emit_d     = (repeat_q != 16'd0) && (window_q != 5'd0);
        end
      end
    end
    if (out_fire) begin
      if (last_exec) begin
        emit_d = 1'b0;
      end else if (idx_q == window_q - 5'd1) begin
        idx_d  = '0;
        iter_d = iter_q + 16'd1;
      end else begin
        idx_d = idx_q + 5'd1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      emit_q     <= 1'b0;
      have_hdr_q <= 1'b0;
      repeat_q   <= '0;
      window_q   <= '0;
      cnt_q      <= '0;
      iter_q     <= '0;
      idx_q      <= '0;
    end else begin
      emit_q     <= emit_d;
      have_hdr_q <= have_hdr_d;
      repeat_q   <= repeat_d;
      window_q   <= window_d;
      cnt_q      <= cnt_d;
      iter_q     <= iter_d;
      idx_q      <= idx_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (buf_we) begin
      buf_q[cnt_q] <= in_data_i;
    end
  end

endmodule
