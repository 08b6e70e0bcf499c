// GELU (erf form) as defined by the numerics contract (`gelu` in host/src/numerics.rs), bit for
// bit: g = (0.5*x) * (1 + erf(x*FRAC_1_SQRT_2)). NaN -> 0x7fc00000, +inf -> +inf, -inf -> -0.
//
// Sequential: one rsn_fp32_mul and one rsn_fp32_add of its own plus an rsn_fp32_erf unit driven
// through its valid/ready ports. One item in flight.
module rsn_fp32_gelu (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [31:0] in_a_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  output logic [31:0] out_data_o,
  output logic        out_valid_o,
  input  logic        out_ready_i
);

  localparam logic [31:0] QNaN        = 32'h7fc0_0000;
  localparam logic [31:0] One         = 32'h3f80_0000;
  localparam logic [31:0] Half        = 32'h3f00_0000;
  localparam logic [31:0] Frac1Sqrt2  = 32'h3f35_04f3;

  typedef enum logic [2:0] {
    StIdle,
    StScaleIn,  // z = x*FRAC_1_SQRT_2
    StErfReq,   // e = erf(z)
    StErfWait,
    StHalf,     // hx = 0.5*x and w = 1 + e (independent: one multiply, one add)
    StFinal,    // g = hx*w
    StOut
  } state_e;

  state_e      state_q, state_d;
  logic [31:0] x_q, x_d;       // x, then 0.5*x
  logic [31:0] z_q, z_d;       // x*FRAC_1_SQRT_2, then erf of it, then 1 + erf
  logic [31:0] res_q, res_d;

  logic [31:0] mul_a, mul_b, mul_res;
  logic [31:0] add_a, add_b, add_res;
  logic        in_nan, in_inf;

  logic        erf_in_valid, erf_in_ready, erf_out_valid, erf_out_ready;
  logic [31:0] erf_out;

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

  rsn_fp32_erf u_erf (
    .clk_i,
    .rst_ni,
    .in_a_i     (z_q),
    .in_valid_i (erf_in_valid),
    .in_ready_o (erf_in_ready),
    .out_data_o (erf_out),
    .out_valid_o(erf_out_valid),
    .out_ready_i(erf_out_ready)
  );

  assign in_nan = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] != 23'd0);
  assign in_inf = (in_a_i[30:23] == 8'hff) && (in_a_i[22:0] == 23'd0);

  assign erf_in_valid  = (state_q == StErfReq);
  assign erf_out_ready = (state_q == StErfWait);

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    x_d     = x_q;
    z_d     = z_q;
    res_d   = res_q;
    mul_a   = x_q;
    mul_b   = z_q;
    add_a   = One;
    add_b   = z_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          x_d = in_a_i;
          if (in_nan) begin
            res_d   = QNaN;
            state_d = StOut;
          end else if (in_inf) begin
            res_d   = in_a_i[31] ? 32'h8000_0000 : 32'h7f80_0000;
            state_d = StOut;
          end else begin
            state_d = StScaleIn;
          end
        end
      end
      StScaleIn: begin
        mul_a   = x_q;
        mul_b   = Frac1Sqrt2;
        z_d     = mul_res;
        state_d = StErfReq;
      end
      StErfReq: begin
        if (erf_in_ready) begin
          state_d = StErfWait;
        end
      end
      StErfWait: begin
        if (erf_out_valid) begin
          z_d     = erf_out;
          state_d = StHalf;
        end
      end
      StHalf: begin
        mul_a   = Half;
        mul_b   = x_q;
        x_d     = mul_res;
        add_a   = One;
        add_b   = z_q;
        z_d     = add_res;
        state_d = StFinal;
      end
      StFinal: begin
        mul_a   = x_q;
        mul_b   = z_q;
        res_d   = mul_res;
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
      z_q     <= '0;
      res_q   <= '0;
    end else begin
      state_q <= state_d;
      x_q     <= x_d;
      z_q     <= z_d;
      res_q   <= res_d;
    end
  end

endmodule
