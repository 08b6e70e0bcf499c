// Stream wrapper around binary32 multiplication (numerics as rsn_fp32_mul): one operand pair per
// transfer, one result per transfer, full throughput, latency Stages cycles.
//
// Stages = 0: purely combinational (in_ready_o = out_ready_i). Stages >= 1: the first register
// slice sits inside the datapath, right behind the significand multiplier, before normalise/round (rsn_fp32_mul_prod -> rsn_fp32_mul_round); further slices follow the result.
// Every slice is an rsn_stream_reg, so back-pressure never needs a combinational path through the
// unit either.
module rsn_fp32_mul_pipe #(
  parameter int unsigned Stages = 1
) (
  // Clock and reset are unused when Stages = 0 (a legal, purely combinational configuration).
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic        clk_i,
  input  logic        rst_ni,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [31:0] in_a_i,
  input  logic [31:0] in_b_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  output logic [31:0] out_data_o,
  output logic        out_valid_o,
  input  logic        out_ready_i
);

  localparam int unsigned MidW = 61;  // width of the bundle between the two halves

  logic [MidW-1:0] mid_d, mid_q;
  logic [31:0]     res;

  rsn_fp32_mul_prod u_prod (
    .a_i  (in_a_i),
    .b_i  (in_b_i),
    .mid_o(mid_d)
  );

  if (Stages == 0) begin : gen_comb
    assign mid_q       = mid_d;
    assign out_data_o  = res;
    assign out_valid_o = in_valid_i;
    assign in_ready_o  = out_ready_i;
  end else begin : gen_pipe
    // Stage s of the result chain: data in bits [32*s +: 32], handshake in bit s.
    logic [32*Stages-1:0] stage_data;
    logic [Stages-1:0]    stage_valid, stage_ready;

    rsn_stream_reg #(
      .Width(MidW)
    ) u_mid_reg (
      .clk_i,
      .rst_ni,
      .in_data_i  (mid_d),
      .in_valid_i,
      .in_ready_o,
      .out_data_o (mid_q),
      .out_valid_o(stage_valid[0]),
      .out_ready_i(stage_ready[0])
    );

    assign stage_data[31:0] = res;

    for (genvar s = 1; s < Stages; s++) begin : gen_stage
      rsn_stream_reg #(
        .Width(32)
      ) u_reg (
        .clk_i,
        .rst_ni,
        .in_data_i  (stage_data[32*(s-1) +: 32]),
        .in_valid_i (stage_valid[s-1]),
        .in_ready_o (stage_ready[s-1]),
        .out_data_o (stage_data[32*s +: 32]),
        .out_valid_o(stage_valid[s]),
        .out_ready_i(stage_ready[s])
      );
    end

    assign out_data_o          = stage_data[32*(Stages-1) +: 32];
    assign out_valid_o         = stage_valid[Stages-1];
    assign stage_ready[Stages-1] = out_ready_i;
  end

  rsn_fp32_mul_round u_round (
    .mid_i (mid_q),
    .prod_o(res)
  );

endmodule
