// erf(z) as defined by the numerics contract (`erf` in host/src/numerics.rs, Abramowitz & Stegun
// 7.1.26), bit for bit, on `Lanes` floats at once (lane l = bits [32*l +: 32] of in_a_i /
// out_data_o). NaN -> 0x7fc00000; otherwise, with a = |z|:
//   t = recip(1 + P*a);  q = ((((A5*t + A4)*t + A3)*t + A2)*t + A1)*t
//   y = 1 - q*exp(-(a*a));  erf = z negative (including -0) ? -y : y
//
// Sequential: per lane one binary32 multiplier feeding one adder (rsn_fp32_pkg::fp32_mul /
// fp32_add, the product rounded first, never fused), plus an rsn_fp32_recip and an rsn_fp32_exp
// unit of the same width driven through their valid/ready ports. One control FSM drives all lanes
// in lockstep, one item (a vector of Lanes floats) in flight. The recip and exp arguments do not
// depend on each other, so both units are started back to back and the Horner steps run while exp
// is still busy. Infinities need no special path (recip(inf) = 0 and exp(-inf) = 0 give y = 1);
// a NaN lane runs the same sequence and has its result replaced at the end, because the sign step
// would otherwise turn the canonical NaN negative.
//
// Latency, accept to out_valid_o, whatever the data: with R and E the recip and exp latencies,
// max(R + 7, E + 3) cycles = 16 for R = 9, E = 13. Accept in cycle 0, recip accepts in 1, exp in
// 2; the Horner steps wait for recip's result (cycles R+1 .. R+5), the final step for exp's
// (cycle max(R + 6, E + 2)). With these R and E neither sub-unit leaves the other waiting.
//
// abort_i (synchronous) returns this FSM and both sub-units to idle in the next cycle and drops
// the item in flight, or the one accepted in the same cycle; no result appears for it.
module rsn_fp32_erf #(
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

  localparam logic [31:0] One  = 32'h3f80_0000;
  localparam logic [31:0] P    = 32'h3ea7_ba05;  // 0.3275911
  localparam logic [31:0] A5   = 32'h3f87_dc22;  // 1.061405429, the Horner seed

  typedef enum logic [2:0] {
    StIdle,
    StDen,       // recip(1 + P*a) started
    StSquare,    // exp(-(a*a)) started
    StPoly,      // q = q*t + A[k], once t is there
    StPolyLast,  // q = q*t, releases recip
    StFinal,     // y = 1 - q*g once g is there, releases exp; sign or NaN per lane
    StOut
  } state_e;

  state_e     state_q, state_d;
  logic [1:0] k_q, k_d;

  // Per lane: lane l of each vector is bits [32*l +: 32]. t and exp(-(a*a)) are not copied: the
  // sub-units hold their results on out_data_o until released. Written only in the states that
  // change them (p_data), never copied onto themselves.
  logic [32*Lanes-1:0] z_q;  // the input, sign included (a = |z| is wiring)
  logic [32*Lanes-1:0] q_q;
  logic [32*Lanes-1:0] res_q;

  logic [32*Lanes-1:0] mul_res, add_res;
  logic [32*Lanes-1:0] exp_arg;
  logic                mul_on, add_on;
  logic [31:0]         coef;

  logic                recip_in_valid, recip_in_ready, recip_out_valid, recip_out_ready;
  logic [32*Lanes-1:0] recip_out;
  logic                exp_in_valid, exp_in_ready, exp_out_valid, exp_out_ready;
  logic [32*Lanes-1:0] exp_out;

  // recip's argument comes straight from this cycle's adder: it is only sampled in StDen.
  rsn_fp32_recip #(
    .Lanes(Lanes)
  ) u_recip (
    .clk_i,
    .rst_ni,
    .abort_i,
    .in_a_i     (add_res),
    .in_valid_i (recip_in_valid),
    .in_ready_o (recip_in_ready),
    .out_data_o (recip_out),
    .out_valid_o(recip_out_valid),
    .out_ready_i(recip_out_ready)
  );

  rsn_fp32_exp #(
    .Lanes(Lanes)
  ) u_exp (
    .clk_i,
    .rst_ni,
    .abort_i,
    .in_a_i     (exp_arg),
    .in_valid_i (exp_in_valid),
    .in_ready_o (exp_in_ready),
    .out_data_o (exp_out),
    .out_valid_o(exp_out_valid),
    .out_ready_i(exp_out_ready)
  );

  // ERF_A[1..4] (a4..a1) in Horner order.
  always_comb begin
    unique case (k_q)
      2'd0:    coef = 32'hbfba_00e3;  // a4 = -1.453152027
      2'd1:    coef = 32'h3fb5_f0e3;  // a3 = 1.421413741
      2'd2:    coef = 32'hbe91_a98e;  // a2 = -0.284496736
      default: coef = 32'h3e82_7906;  // a1 = 0.254829592
    endcase
  end

  // The lane datapath is only evaluated in the states that use it and, while waiting for a
  // sub-unit, only once its result is there (mul_on covers add_on), and the data registers are
  // only written in the states that change them: an idle or waiting unit costs the simulator
  // nothing per lane (Verilator evaluates combinational logic every cycle).
  assign mul_on = (state_q == StDen) || (state_q == StSquare) ||
                  (((state_q == StPoly) || (state_q == StPolyLast)) && recip_out_valid) ||
                  ((state_q == StFinal) && exp_out_valid);
  assign add_on = (state_q == StDen) || ((state_q == StPoly) && recip_out_valid) ||
                  ((state_q == StFinal) && exp_out_valid);

  // Lane datapath: one multiplier and one adder per lane behind their operand muxes.
  always_comb begin : p_lanes
    logic [31:0] a, mul_a, mul_b, prod, add_a, add_b, sum;
    {a, mul_a, mul_b, prod, add_a, add_b, sum} = '0;  // no latches: only used when on
    mul_res = '0;
    add_res = '0;
    exp_arg = '0;
    if (mul_on) begin
      for (int l = 0; l < Lanes; l++) begin
        a = {1'b0, z_q[32*l +: 31]};

        mul_a = q_q[32*l +: 32];
        mul_b = recip_out[32*l +: 32];
        case (state_q)
          StDen: begin
            mul_a = P;
            mul_b = a;
          end
          StSquare: begin
            mul_a = a;
            mul_b = a;
          end
          StFinal: mul_b = exp_out[32*l +: 32];
          default: ;
        endcase
        prod = rsn_fp32_pkg::fp32_mul(mul_a, mul_b);

        // The adder is commutative bit for bit, so the product always enters on the same side.
        add_a = (state_q == StFinal) ? {~prod[31], prod[30:0]} : prod;
        add_b = (state_q == StPoly) ? coef : One;
        sum   = '0;
        if (add_on) begin
          sum = rsn_fp32_pkg::fp32_add(add_a, add_b);
        end

        mul_res[32*l +: 32] = prod;
        add_res[32*l +: 32] = sum;
        exp_arg[32*l +: 32] = {~prod[31], prod[30:0]};
      end
    end
  end

  assign recip_in_valid  = (state_q == StDen);
  assign recip_out_ready = (state_q == StPolyLast);
  assign exp_in_valid    = (state_q == StSquare);
  assign exp_out_ready   = (state_q == StFinal);

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;
    k_d     = k_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          k_d     = 2'd0;
          state_d = StDen;
        end
      end
      // Both sub-units are idle here (each item is released before the next is accepted, and
      // abort_i resets them with this FSM), so these hand-offs never stall.
      StDen: begin
        if (recip_in_ready) begin
          state_d = StSquare;
        end
      end
      StSquare: begin
        if (exp_in_ready) begin
          state_d = StPoly;
        end
      end
      StPoly: begin
        if (recip_out_valid) begin
          k_d = k_q + 2'd1;
          if (k_q == 2'd3) begin
            state_d = StPolyLast;
          end
        end
      end
      StPolyLast: begin
        if (recip_out_valid) begin
          state_d = StFinal;
        end
      end
      StFinal: begin
        if (exp_out_valid) begin
          state_d = StOut;
        end
      end
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
      z_q   <= '0;
      q_q   <= '0;
      res_q <= '0;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (in_valid_i) begin
            z_q <= in_a_i;
            q_q <= {Lanes{A5}};
          end
        end
        StPoly: begin
          if (recip_out_valid) begin
            q_q <= add_res;
          end
        end
        StPolyLast: begin
          if (recip_out_valid) begin
            q_q <= mul_res;
          end
        end
        StFinal: begin
          if (exp_out_valid) begin
            for (int l = 0; l < Lanes; l++) begin
              if ((z_q[32*l+23 +: 8] == 8'hff) && (z_q[32*l +: 23] != 23'd0)) begin
                res_q[32*l +: 32] <= rsn_fp32_pkg::FP32_QNAN;
              end else begin
                res_q[32*l +: 32] <= {add_res[32*l+31] ^ z_q[32*l+31], add_res[32*l +: 31]};
              end
            end
          end
        end
        default: ;
      endcase
    end
  end

endmodule
