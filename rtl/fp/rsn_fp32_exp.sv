// e^x as defined by the numerics contract (`exp` in host/src/numerics.rs), bit for bit, on `Lanes`
// floats at once (lane l = bits [32*l +: 32] of in_a_i / out_data_o).
//
// Sequential: per lane one binary32 multiplier and one adder (rsn_fp32_pkg::fp32_mul / fp32_add),
// each used once per cycle (the product may feed the adder in the same cycle; it is rounded first,
// never fused). One control FSM drives all lanes in lockstep, one item (a vector of Lanes floats)
// in flight. The result is valid 13 cycles after the input is accepted, whatever the data: a lane
// with a special input runs the same sequence on meaningless values and has its special result
// substituted at the end, so lanes never need to wait for one another.
//   NaN -> 0x7fc00000; x > 88.72283 (0x42b17218) -> +inf; x < -87.33655 (0xc2aeac50) -> +0.
//   t = x*LOG2E; s = t + MAGIC; nf = s - MAGIC; r = (x - nf*LN2_HI) - nf*LN2_LO;
//   p = Horner(EXP_POLY, r); result = scale_pow2(p, nf).
// The integer nf is read from s: s lies in [2^23, 2^24) where the ulp is 1, so its fraction field
// is 0x400000 + nf with |nf| <= 128, whose low 10 bits are nf in two's complement; nf = s - MAGIC
// is exact.
//
// abort_i (synchronous) returns the FSM to idle in the next cycle and drops the item in flight, or
// the one accepted in the same cycle; no result appears for it.
module rsn_fp32_exp #(
  parameter int unsigned Lanes = 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                abort_i,
  input  logic [32*Lanes-1:0] in_a_i,
  input  logic                in_valid_i,
  output logic                in_ready_o,
  output logic [32*Lanes-1:0] out_data_o,
  output logic                out_valid_o,
  input  logic                out_ready_i
);

  localparam logic [31:0] PosInf = 32'h7f80_0000;
  localparam logic [31:0] Log2e  = 32'h3fb8_aa3b;
  localparam logic [31:0] Ln2Hi  = 32'h3f31_8000;
  localparam logic [31:0] Ln2Lo  = 32'hb95e_8083;
  localparam logic [31:0] Magic  = 32'h4b40_0000;
  localparam logic [31:0] MaxIn  = 32'h42b1_7218;
  localparam logic [31:0] MinIn  = 32'hc2ae_ac50;
  localparam logic [31:0] Poly0  = 32'h3950_0d01;  // 1/5040, the Horner seed

  typedef enum logic [2:0] {
    StIdle,
    StRound,   // s = x*LOG2E + MAGIC
    StNf,      // nf = s - MAGIC
    StRedHi,   // r = x - nf*LN2_HI
    StRedLo,   // r = r - nf*LN2_LO
    StPoly,    // p = p*r + EXP_POLY[k], k = 1..7
    StScale,   // result = scale_pow2(p, nf), or the lane's special result
    StOut
  } state_e;

  state_e     state_q, state_d;
  logic [2:0] k_q, k_d;

  // Per lane: lane l of each vector is bits [32*l +: 32] ([10*l +: 10] for n, bit l for spec).
  // Written only in the states that change them (p_data), never copied onto themselves.
  logic [32*Lanes-1:0] x_q;
  logic [32*Lanes-1:0] acc_q;  // s, then the reduced argument r
  logic [32*Lanes-1:0] nf_q;
  logic [32*Lanes-1:0] p_q;
  logic [10*Lanes-1:0] n_q;    // nf as a two's complement integer
  logic [32*Lanes-1:0] res_q;  // idle while computing, so it parks the special results
  logic [Lanes-1:0]    spec_q;

  logic [32*Lanes-1:0] add_res;
  logic                mul_on, add_on;
  logic [31:0]         poly_coef;

  // {special, its result}; float comparisons against the thresholds on sign and magnitude bits.
  function automatic logic [32:0] special(input logic [31:0] a);
    if (rsn_fp32_pkg::fp32_is_nan(a[30:0])) begin
      special = {1'b1, rsn_fp32_pkg::FP32_QNAN};
    end else if (!a[31] && (a[30:0] > MaxIn[30:0])) begin
      special = {1'b1, PosInf};
    end else if (a[31] && (a[30:0] > MinIn[30:0])) begin
      special = {1'b1, 32'h0000_0000};
    end else begin
      special = {1'b0, 32'h0000_0000};
    end
  endfunction

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

  // The lane datapath is only evaluated in the states that use it (add_on covers mul_on) and the
  // data registers are only written in the states that change them, so an idle or stalled unit
  // costs the simulator nothing per lane (Verilator evaluates combinational logic every cycle).
  assign mul_on = (state_q == StRound) || (state_q == StRedHi) || (state_q == StRedLo) ||
                  (state_q == StPoly);
  assign add_on = mul_on || (state_q == StNf);

  // Lane datapath: one multiplier and one adder per lane behind their operand muxes.
  always_comb begin : p_lanes
    logic [31:0] x, acc, nf, mul_a, mul_b, prod, add_a, add_b, sum;
    {x, acc, nf, mul_a, mul_b, prod, add_a, add_b, sum} = '0;  // no latches: only used when on
    add_res = '0;
    if (add_on) begin
      for (int l = 0; l < Lanes; l++) begin
        x   = x_q[32*l +: 32];
        acc = acc_q[32*l +: 32];
        nf  = nf_q[32*l +: 32];

        mul_a = p_q[32*l +: 32];
        mul_b = acc;
        case (state_q)
          StRound: begin
            mul_a = x;
            mul_b = Log2e;
          end
          StRedHi: begin
            mul_a = nf;
            mul_b = Ln2Hi;
          end
          StRedLo: begin
            mul_a = nf;
            mul_b = Ln2Lo;
          end
          default: ;
        endcase
        prod = '0;
        if (mul_on) begin
          prod = rsn_fp32_pkg::fp32_mul(mul_a, mul_b);
        end

        add_a = prod;
        add_b = poly_coef;
        case (state_q)
          StRound: add_b = Magic;
          StNf: begin
            add_a = acc;
            add_b = {~Magic[31], Magic[30:0]};
          end
          StRedHi: begin
            add_a = x;
            add_b = {~prod[31], prod[30:0]};
          end
          StRedLo: begin
            add_a = acc;
            add_b = {~prod[31], prod[30:0]};
          end
          default: ;
        endcase
        sum = rsn_fp32_pkg::fp32_add(add_a, add_b);
        add_res[32*l +: 32] = sum;
      end
    end
  end

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    k_d     = k_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          state_d = StRound;
        end
      end
      StRound:  state_d = StNf;
      StNf:     state_d = StRedHi;
      StRedHi:  state_d = StRedLo;
      StRedLo: begin
        k_d     = 3'd1;
        state_d = StPoly;
      end
      StPoly: begin
        k_d = k_q + 3'd1;
        if (k_q == 3'd7) begin
          state_d = StScale;
        end
      end
      StScale: state_d = StOut;
      StOut: begin
        if (out_ready_i) begin
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase

    if (abort_i) begin
      state_d = StIdle;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      k_q     <= '0;
    end else begin
      state_q <= state_d;
      k_q     <= k_d;
    end
  end

  // Data registers (also written in an abort cycle: the item is dropped by the FSM alone).
  always_ff @(posedge clk_i or negedge rst_ni) begin : p_data
    if (!rst_ni) begin
      x_q    <= '0;
      acc_q  <= '0;
      nf_q   <= '0;
      p_q    <= '0;
      n_q    <= '0;
      res_q  <= '0;
      spec_q <= '0;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (in_valid_i) begin
            x_q <= in_a_i;
            for (int l = 0; l < Lanes; l++) begin
              {spec_q[l], res_q[32*l +: 32]} <= special(in_a_i[32*l +: 32]);
            end
          end
        end
        StRound: acc_q <= add_res;
        StNf: begin
          nf_q <= add_res;
          for (int l = 0; l < Lanes; l++) begin
            n_q[10*l +: 10] <= acc_q[32*l +: 10];
          end
        end
        StRedHi: acc_q <= add_res;
        StRedLo: begin
          acc_q <= add_res;
          p_q   <= {Lanes{Poly0}};
        end
        StPoly: p_q <= add_res;
        StScale: begin
          for (int l = 0; l < Lanes; l++) begin
            if (!spec_q[l]) begin
              res_q[32*l +: 32] <= rsn_fp32_pkg::fp32_scale_pow2(p_q[32*l +: 32], n_q[10*l +: 10]);
            end
          end
        end
        default: ;
      endcase
    end
  end

endmodule
