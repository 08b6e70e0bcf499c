// e^x as defined by the numerics contract (`exp` in host/src/numerics.rs), bit for bit.
//
// Sequential: one rsn_fp32_mul and one rsn_fp32_add, used once per cycle (the multiplier output
// may feed the adder in the same cycle; the product is rounded first, never fused). One item in
// flight; the result is valid 13 cycles after the input is accepted (1 for special cases).
//   NaN -> 0x7fc00000; x > 88.72283 (0x42b17218) -> +inf; x < -87.33655 (0xc2aeac50) -> +0.
//   t = x*LOG2E; s = t + MAGIC; nf = s - MAGIC; r = (x - nf*LN2_HI) - nf*LN2_LO;
//   p = Horner(EXP_POLY, r); result = scale_pow2(p, nf).
// The integer nf is read from s: s lies in [2^23, 2^24) where the ulp is 1, so its fraction field
// is 0x400000 + nf with |nf| <= 128, whose low 10 bits are nf in two's complement; nf = s - MAGIC
// is exact.
module rsn_fp32_exp (
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
  localparam logic [31:0] Log2e     = 32'h3fb8_aa3b;
  localparam logic [31:0] Ln2Hi     = 32'h3f31_8000;
  localparam logic [31:0] Ln2Lo     = 32'hb95e_8083;
  localparam logic [31:0] Magic     = 32'h4b40_0000;
  localparam logic [31:0] MaxIn     = 32'h42b1_7218;
  localparam logic [31:0] MinIn     = 32'hc2ae_ac50;
  localparam logic [31:0] Poly0     = 32'h3950_0d01;  // 1/5040, the Horner seed

  typedef enum logic [2:0] {
    StIdle,
    StRound,   // s = x*LOG2E + MAGIC
    StNf,      // nf = s - MAGIC
    StRedHi,   // r = x - nf*LN2_HI
    StRedLo,   // r = r - nf*LN2_LO
    StPoly,    // p = p*r + EXP_POLY[k], k = 1..7
    StScale,   // result = scale_pow2(p, nf)
    StOut
  } state_e;

  state_e            state_q, state_d;
  logic [31:0]       x_q, x_d;
  logic [31:0]       acc_q, acc_d;      // s, then the reduced argument r
  logic [31:0]       nf_q, nf_d;
  logic [31:0]       p_q, p_d;
  logic signed [9:0] n_q, n_d;
  logic [2:0]        k_q, k_d;
  logic [31:0]       res_q, res_d;

  logic [31:0] mul_a, mul_b, mul_res;
  logic [31:0] add_a, add_b, add_res;
  logic [31:0] scaled;
  logic [31:0] poly_coef;
  logic        in_nan;

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
    .y_i  (p_q),
    .n_i  (n_q),
    .res_o(scaled)
  );

  // EXP_POLY[1..7] in Horner order.
  always_comb begin
    unique case (k_q)
      3'd1:    poly_coef = 32'h3ab6_0b61;  // 1/720
      3'd2:    poly_coef = 32'h3c08_8889;  // 1/120
      3'd3:    poly_coef = 32'h3d2a_aaab;  // 1/24
      3'd4:    poly_coef = 32'h3e2a_aaab;  // 1/6
      3'd5:    poly_coef = 32'h3f00_0000;  // 1/2
      3'd6:    poly_coef = 32'h3f80_0000;  // 1
      3'd7:    poly_coef = 32'h3f80_0000;  // 1
      default: poly_coef = 32'h0000_0000;  // k = 0 never reaches StPoly
    endcase
  end

  assign in_nan  = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] != 23'd0);

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    x_d     = x_q;
    acc_d   = acc_q;
    nf_d    = nf_q;
    p_d     = p_q;
    n_d     = n_q;
    k_d     = k_q;
    res_d   = res_q;
    mul_a   = acc_q;
    mul_b   = acc_q;
    add_a   = acc_q;
    add_b   = acc_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          x_d = in_a_i;
          // Float comparisons against the thresholds, done on sign and magnitude bits.
          if (in_nan) begin
            res_d   = QNaN;
            state_d = StOut;
          end else if (!in_a_i[31] && (in_a_i[30:0] > MaxIn[30:0])) begin
            res_d   = PosInf;
            state_d = StOut;
          end else if (in_a_i[31] && (in_a_i[30:0] > MinIn[30:0])) begin
            res_d   = 32'h0000_0000;
            state_d = StOut;
          end else begin
            state_d = StRound;
          end
        end
      end
      StRound: begin
        mul_a   = x_q;
        mul_b   = Log2e;
        add_a   = mul_res;
        add_b   = Magic;
        acc_d   = add_res;
        state_d = StNf;
      end
      StNf: begin
        add_a   = acc_q;
        add_b   = {~Magic[31], Magic[30:0]};
        nf_d    = add_res;
        n_d     = acc_q[9:0];
        state_d = StRedHi;
      end
      StRedHi: begin
        mul_a   = nf_q;
        mul_b   = Ln2Hi;
        add_a   = x_q;
        add_b   = {~mul_res[31], mul_res[30:0]};
        acc_d   = add_res;
        state_d = StRedLo;
      end
      StRedLo: begin
        mul_a   = nf_q;
        mul_b   = Ln2Lo;
        add_a   = acc_q;
        add_b   = {~mul_res[31], mul_res[30:0]};
        acc_d   = add_res;
        p_d     = Poly0;
        k_d     = 3'd1;
        state_d = StPoly;
      end
      StPoly: begin
        mul_a = p_q;
        mul_b = acc_q;
        add_a = mul_res;
        add_b = poly_coef;
        p_d   = add_res;
        k_d   = k_q + 3'd1;
        if (k_q == 3'd7) begin
          state_d = StScale;
        end
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
      x_q     <= '0;
      acc_q   <= '0;
      nf_q    <= '0;
      p_q     <= '0;
      n_q     <= '0;
      k_q     <= '0;
      res_q   <= '0;
    end else begin
      state_q <= state_d;
      x_q     <= x_d;
      acc_q   <= acc_d;
      nf_q    <= nf_d;
      p_q     <= p_d;
      n_q     <= n_d;
      k_q     <= k_d;
      res_q   <= res_d;
    end
  end

endmodule
