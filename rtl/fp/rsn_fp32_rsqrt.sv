// 1/sqrt(x) as defined by the numerics contract (`rsqrt` in host/src/numerics.rs), bit for bit.
//
// Sequential: one rsn_fp32_mul feeding one rsn_fp32_add (product rounded before the add), one
// item in flight, result valid 15 cycles after accept (1 for special cases).
//   NaN and x < 0 (including -inf and negative subnormals) -> 0x7fc00000; +inf -> +0;
//   +-0 and positive subnormals -> +inf.
//   x = m * 2^(2h), m in [1, 4):  y = C1 - C2*m;  hm = 0.5*m;
//   4 times: y = y * (1.5 - hm*(y*y));  result = scale_pow2(y, -h).
// m, hm and h come from the exponent field: doubling m (odd exponent) and halving it are exact,
// so setting the exponent field gives the same bits as the contract's f32 multiplies.
module rsn_fp32_rsqrt (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [31:0] in_a_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  output logic [31:0] out_data_o,
  output logic        out_valid_o,
  input  logic        out_ready_i
);

  localparam logic [31:0] QNaN      = 32'h7fc0_0000;
  localparam logic [31:0] PosInf    = 32'h7f80_0000;
  localparam logic [31:0] ThreeHalf = 32'h3fc0_0000;
  localparam logic [31:0] C1        = 32'h3f95_5555;  // 7/6
  localparam logic [31:0] C2        = 32'h3e2a_aaab;  // 1/6
  localparam logic [1:0]  LastStep  = 2'd3;           // 4 Newton-Raphson steps

  typedef enum logic [2:0] {
    StIdle,
    StGuess,   // y = C1 - C2*m
    StSquare,  // yy = y*y
    StErr,     // w = 1.5 - hm*yy
    StStep,    // y = y*w
    StScale,
    StOut
  } state_e;

  state_e            state_q, state_d;
  logic [31:0]       m_q, m_d;
  logic [31:0]       hm_q, hm_d;
  logic [31:0]       y_q, y_d;
  logic [31:0]       t_q, t_d;          // y*y, then 1.5 - hm*y*y
  logic signed [9:0] neg_h_q, neg_h_d;
  logic [1:0]        step_q, step_d;
  logic [31:0]       res_q, res_d;

  logic [31:0]       mul_a, mul_b, mul_res;
  logic [31:0]       add_a, add_b, add_res;
  logic [31:0]       scaled;
  logic              in_nan, in_inf, in_zero_or_sub, odd;
  logic signed [9:0] e_unb;

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
    .n_i  (neg_h_q),
    .res_o(scaled)
  );

  assign in_nan         = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] != 23'd0);
  assign in_inf         = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] == 23'd0);
  assign in_zero_or_sub = (in_a_i[30:23] == 8'h00);
  assign e_unb          = $signed({2'b00, in_a_i[30:23]}) - 10'sd127;
  assign odd            = e_unb[0];

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    m_d     = m_q;
    hm_d    = hm_q;
    y_d     = y_q;
    t_d     = t_q;
    neg_h_d = neg_h_q;
    step_d  = step_q;
    res_d   = res_q;
    mul_a   = y_q;
    mul_b   = y_q;
    add_a   = t_q;
    add_b   = t_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          // Odd e: m = 2*m1 in [2, 4), h = (e-1)/2; even e: m = m1, h = e/2. Both are floor(e/2).
          m_d     = {1'b0, odd ? 8'd128 : 8'd127, in_a_i[22:0]};
          hm_d    = {1'b0, odd ? 8'd127 : 8'd126, in_a_i[22:0]};
          neg_h_d = -(e_unb >>> 1);
          step_d  = 2'd0;
          if (in_nan || (in_a_i[31] && (in_a_i[30:0] != 31'd0))) begin
            res_d   = QNaN;
            state_d = StOut;
          end else if (in_inf) begin
            res_d   = 32'h0000_0000;
            state_d = StOut;
          end else if (in_zero_or_sub) begin
            res_d   = PosInf;
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
        state_d = StSquare;
      end
      StSquare: begin
        mul_a   = y_q;
        mul_b   = y_q;
        t_d     = mul_res;
        state_d = StErr;
      end
      StErr: begin
        mul_a   = hm_q;
        mul_b   = t_q;
        add_a   = ThreeHalf;
        add_b   = {~mul_res[31], mul_res[30:0]};
        t_d     = add_res;
        state_d = StStep;
      end
      StStep: begin
        mul_a   = y_q;
        mul_b   = t_q;
        y_d     = mul_res;
        step_d  = step_q + 2'd1;
        state_d = (step_q == LastStep) ? StScale : StSquare;
      end
      StScale: begin
        res_d   = scaled;
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
      hm_q    <= '0;
      y_q     <= '0;
      t_q     <= '0;
      neg_h_q <= '0;
      step_q  <= '0;
      res_q   <= '0;
    end else begin
      state_q <= state_d;
      m_q     <= m_d;
      hm_q    <= hm_d;
      y_q     <= y_d;
      t_q     <= t_d;
      neg_h_q <= neg_h_d;
      step_q  <= step_d;
      res_q   <= res_d;
    end
  end

endmodule
