// erf(z) as defined by the numerics contract (`erf` in host/src/numerics.rs, Abramowitz & Stegun
// 7.1.26), bit for bit.
//
// Sequential: one rsn_fp32_mul feeding one rsn_fp32_add for the polynomial, plus an
// rsn_fp32_recip and an rsn_fp32_exp unit driven through their valid/ready ports. One item in
// flight. NaN -> 0x7fc00000; otherwise, with a = |z|:
//   t = recip(1 + P*a);  q = ((((A5*t + A4)*t + A3)*t + A2)*t + A1)*t
//   y = 1 - q*exp(-(a*a));  erf = z negative (including -0) ? -y : y
module rsn_fp32_erf (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [31:0] in_a_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  output logic [31:0] out_data_o,
  output logic        out_valid_o,
  input  logic        out_ready_i
);

  localparam logic [31:0] QNaN = 32'h7fc0_0000;
  localparam logic [31:0] One  = 32'h3f80_0000;
  localparam logic [31:0] P    = 32'h3ea7_ba05;  // 0.3275911
  localparam logic [31:0] A5   = 32'h3f87_dc22;  // 1.061405429, the Horner seed

  typedef enum logic [3:0] {
    StIdle,
    StDen,        // u = 1 + P*a
    StRecipReq,   // t = recip(u)
    StRecipWait,
    StPoly,       // q = q*t + A[k], k = 1..4
    StPolyLast,   // q = q*t
    StSquare,     // v = -(a*a)
    StExpReq,     // g = exp(v)
    StExpWait,
    StFinal,      // y = 1 - q*g, apply the sign
    StOut
  } state_e;

  state_e      state_q, state_d;
  logic [31:0] a_q, a_d;       // |z|
  logic        neg_q, neg_d;
  logic [31:0] t_q, t_d;       // 1 + P*a, then recip of it
  logic [31:0] q_q, q_d;
  logic [31:0] v_q, v_d;       // -(a*a), then exp of it
  logic [2:0]  k_q, k_d;
  logic [31:0] res_q, res_d;

  logic [31:0] mul_a, mul_b, mul_res;
  logic [31:0] add_a, add_b, add_res;
  logic [31:0] coef;
  logic        in_nan;

  logic        recip_in_valid, recip_in_ready, recip_out_valid, recip_out_ready;
  logic [31:0] recip_out;
  logic        exp_in_valid, exp_in_ready, exp_out_valid, exp_out_ready;
  logic [31:0] exp_out;

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

  rsn_fp32_recip u_recip (
    .clk_i,
    .rst_ni,
    .in_a_i     (t_q),
    .in_valid_i (recip_in_valid),
    .in_ready_o (recip_in_ready),
    .out_data_o (recip_out),
    .out_valid_o(recip_out_valid),
    .out_ready_i(recip_out_ready)
  );

  rsn_fp32_exp u_exp (
    .clk_i,
    .rst_ni,
    .in_a_i     (v_q),
    .in_valid_i (exp_in_valid),
    .in_ready_o (exp_in_ready),
    .out_data_o (exp_out),
    .out_valid_o(exp_out_valid),
    .out_ready_i(exp_out_ready)
  );

  // ERF_A[1..4] (a4..a1) in Horner order.
  always_comb begin
    unique case (k_q)
      3'd1:    coef = 32'hbfba_00e3;  // a4 = -1.453152027
      3'd2:    coef = 32'h3fb5_f0e3;  // a3 = 1.421413741
      3'd3:    coef = 32'hbe91_a98e;  // a2 = -0.284496736
      3'd4:    coef = 32'h3e82_7906;  // a1 = 0.254829592
      default: coef = 32'h0000_0000;  // other k never reach StPoly
    endcase
  end

  assign in_nan = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] != 23'd0);

  assign recip_in_valid  = (state_q == StRecipReq);
  assign recip_out_ready = (state_q == StRecipWait);
  assign exp_in_valid    = (state_q == StExpReq);
  assign exp_out_ready   = (state_q == StExpWait);

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    a_d     = a_q;
    neg_d   = neg_q;
    t_d     = t_q;
    q_d     = q_q;
    v_d     = v_q;
    k_d     = k_q;
    res_d   = res_q;
    mul_a   = q_q;
    mul_b   = t_q;
    add_a   = mul_res;
    add_b   = coef;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          a_d   = {1'b0, in_a_i[30:0]};
          neg_d = in_a_i[31];
          if (in_nan) begin
            res_d   = QNaN;
            state_d = StOut;
          end else begin
            state_d = StDen;
          end
        end
      end
      StDen: begin
        mul_a   = P;
        mul_b   = a_q;
        add_a   = One;
        add_b   = mul_res;
        t_d     = add_res;
        state_d = StRecipReq;
      end
      StRecipReq: begin
        if (recip_in_ready) begin
          state_d = StRecipWait;
        end
      end
      StRecipWait: begin
        if (recip_out_valid) begin
          t_d     = recip_out;
          q_d     = A5;
          k_d     = 3'd1;
          state_d = StPoly;
        end
      end
      StPoly: begin
        mul_a = q_q;
        mul_b = t_q;
        add_a = mul_res;
        add_b = coef;
        q_d   = add_res;
        k_d   = k_q + 3'd1;
        if (k_q == 3'd4) begin
          state_d = StPolyLast;
        end
      end
      StPolyLast: begin
        mul_a   = q_q;
        mul_b   = t_q;
        q_d     = mul_res;
        state_d = StSquare;
      end
      StSquare: begin
        mul_a   = a_q;
        mul_b   = a_q;
        v_d     = {~mul_res[31], mul_res[30:0]};
        state_d = StExpReq;
      end
      StExpReq: begin
        if (exp_in_ready) begin
          state_d = StExpWait;
        end
      end
      StExpWait: begin
        if (exp_out_valid) begin
          v_d     = exp_out;
          state_d = StFinal;
        end
      end
      StFinal: begin
        mul_a   = q_q;
        mul_b   = v_q;
        add_a   = One;
        add_b   = {~mul_res[31], mul_res[30:0]};
        res_d   = {add_res[31] ^ neg_q, add_res[30:0]};
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
      a_q     <= '0;
      neg_q   <= 1'b0;
      t_q     <= '0;
      q_q     <= '0;
      v_q     <= '0;
      k_q     <= '0;
      res_q   <= '0;
    end else begin
      state_q <= state_d;
      a_q     <= a_d;
      neg_q   <= neg_d;
      t_q     <= t_d;
      q_q     <= q_d;
      v_q     <= v_d;
      k_q     <= k_d;
      res_q   <= res_d;
    end
  end

endmodule
