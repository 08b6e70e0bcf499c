// 1/x as defined by the numerics contract (`recip` in host/src/numerics.rs), bit for bit.
//
// Sequential: one rsn_fp32_mul feeding one rsn_fp32_add (product rounded before the add), one
// item in flight, result valid 9 cycles after accept (1 for special cases).
//   NaN -> 0x7fc00000; +-inf -> +-0; +-0 and subnormals -> +-inf.
//   x = m * 2^e, m in [1, 2):  y = C1 - C2*m;  3 times: y = y + y*(1 - m*y);
//   result = sign(x) | scale_pow2(y, -e)   (a result below the normal range flushes to +-0).
module rsn_fp32_recip (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [31:0] in_a_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  output logic [31:0] out_data_o,
  output logic        out_valid_o,
  input  logic        out_ready_i
);

  localparam logic [31:0] QNaN  = 32'h7fc0_0000;
  localparam logic [31:0] One   = 32'h3f80_0000;
  localparam logic [31:0] C1    = 32'h3fb4_b4b5;  // 24/17
  localparam logic [31:0] C2    = 32'h3ef0_f0f1;  // 8/17
  localparam logic [1:0]  Steps = 2'd3;

  typedef enum logic [2:0] {
    StIdle,
    StGuess,   // y = C1 - C2*m
    StErr,     // w = 1 - m*y
    StStep,    // y = y + y*w
    StScale,
    StOut
  } state_e;

  state_e            state_q, state_d;
  logic [31:0]       m_q, m_d;
  logic [31:0]       y_q, y_d;
  logic [31:0]       w_q, w_d;
  logic signed [9:0] neg_e_q, neg_e_d;
  logic              sign_q, sign_d;
  logic [1:0]        step_q, step_d;
  logic [31:0]       res_q, res_d;

  logic [31:0] mul_a, mul_b, mul_res;
  logic [31:0] add_a, add_b, add_res;
  logic [31:0] scaled;
  logic        in_nan, in_inf, in_zero_or_sub;

  rsn_fp32_mul u_mul (
    .a_i   (mul_a),
    .b_i   (mul_b),
    .prod_o(mul_res)
  );

  rsn_fp32_add u_add (
    .a_i  (add_a),
    .b_i  (add_b),
    .sum_o(add_res)
  );

  rsn_fp32_scale_pow2 u_scale (
    .y_i  (y_q),
    .n_i  (neg_e_q),
    .res_o(scaled)
  );

  assign in_nan         = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] != 23'd0);
  assign in_inf         = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] == 23'd0);
  assign in_zero_or_sub = (in_a_i[30:23] == 8'h00);

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    m_d     = m_q;
    y_d     = y_q;
    w_d     = w_q;
    neg_e_d = neg_e_q;
    sign_d  = sign_q;
    step_d  = step_q;
    res_d   = res_q;
    mul_a   = m_q;
    mul_b   = y_q;
    add_a   = y_q;
    add_b   = w_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          sign_d = in_a_i[31];
          // Mantissa with the exponent of 1.0; -e = 127 - biased exponent.
          m_d     = {1'b0, 8'd127, in_a_i[22:0]};
          neg_e_d = 10'sd127 - $signed({2'b00, in_a_i[30:23]});
          step_d  = 2'd0;
          if (in_nan) begin
            res_d   = QNaN;
            state_d = StOut;
          end else if (in_inf) begin
            res_d   = {in_a_i[31], 31'd0};
            state_d = StOut;
          end else if (in_zero_or_sub) begin
            res_d   = {in_a_i[31], 8'hff, 23'd0};
            state_d = StOut;
          end else begin
            state_d = StGuess;
          end
        end
      end
      StGuess: begin
        mul_a   = C2;
        mul_b   = m_q;
        add_a   = C1;
        add_b   = {~mul_res[31], mul_res[30:0]};
        y_d     = add_res;
        state_d = StErr;
      end
      StErr: begin
        mul_a   = m_q;
        mul_b   = y_q;
        add_a   = One;
        add_b   = {~mul_res[31], mul_res[30:0]};
        w_d     = add_res;
        state_d = StStep;
      end
      StStep: begin
        mul_a   = y_q;
        mul_b   = w_q;
        add_a   = y_q;
        add_b   = mul_res;
        y_d     = add_res;
        step_d  = step_q + 2'd1;
        state_d = (step_q == Steps - 2'd1) ? StScale : StErr;
      end
      StScale: begin
        res_d   = {sign_q | scaled[31], scaled[30:0]};
        state_d = StOut;
      end
      StOut: begin
        if (out_ready_i) begin
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      m_q     <= '0;
      y_q     <= '0;
      w_q     <= '0;
      neg_e_q <= '0;
      sign_q  <= 1'b0;
      step_q  <= '0;
      res_q   <= '0;
    end else begin
      state_q <= state_d;
      m_q     <= m_d;
      y_q     <= y_d;
      w_q     <= w_d;
      neg_e_q <= neg_e_d;
      sign_q  <= sign_d;
      step_q  <= step_d;
      res_q   <= res_d;
    end
  end

endmodule
