// GELU (erf form) as defined by the numerics contract (`gelu` in host/src/numerics.rs), bit for
// bit, on `Lanes` floats at once (lane l = bits [32*l +: 32] of in_a_i / out_data_o):
// g = (0.5*x) * (1 + erf(x*FRAC_1_SQRT_2)). NaN -> 0x7fc00000, +inf -> +inf, -inf -> -0.
//
// Sequential: per lane one binary32 multiplier and one adder of its own (rsn_fp32_pkg::fp32_mul /
// fp32_add) plus an rsn_fp32_erf unit of the same width driven through its valid/ready ports. One
// control FSM drives all lanes in lockstep, one item (a vector of Lanes floats) in flight. 0.5*x
// is computed while erf is busy. A lane with an infinite or NaN input runs the same sequence and
// has its result replaced at the end: -inf would otherwise give -inf * (1 + -1) = NaN.
//
// Latency, accept to out_valid_o, whatever the data: erf's latency + 3 cycles (19 with erf's 16).
// Accept in cycle 0, erf accepts in 1, its result is consumed the cycle it appears.
//
// abort_i (synchronous) returns this FSM and the erf unit to idle in the next cycle and drops the
// item in flight, or the one accepted in the same cycle; no result appears for it.
module rsn_fp32_gelu #(
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

  localparam logic [31:0] One        = 32'h3f80_0000;
  localparam logic [31:0] Half       = 32'h3f00_0000;
  localparam logic [31:0] Frac1Sqrt2 = 32'h3f35_04f3;

  typedef enum logic [2:0] {
    StIdle,
    StScaleIn,  // erf(x*FRAC_1_SQRT_2) started
    StHalf,     // hx = 0.5*x
    StErfWait,  // w = 1 + erf once it is there, releases erf
    StFinal,    // g = hx*w, or the lane's special result
    StOut
  } state_e;

  state_e state_q, state_d;

  // Per lane: lane l of each vector is bits [32*l +: 32]. Written only in the states that change
  // them (p_data), never copied onto themselves.
  logic [32*Lanes-1:0] x_q;  // x, then 0.5*x
  logic [32*Lanes-1:0] w_q;
  logic [32*Lanes-1:0] res_q;

  logic [32*Lanes-1:0] mul_res, add_res;
  logic                mul_on, add_on;

  logic                erf_in_valid, erf_in_ready, erf_out_valid, erf_out_ready;
  logic [32*Lanes-1:0] erf_out;

  // erf's argument comes straight from this cycle's multiplier: it is only sampled in StScaleIn.
  rsn_fp32_erf #(
    .Lanes(Lanes)
  ) u_erf (
    .clk_i,
    .rst_ni,
    .abort_i,
    .in_a_i     (mul_res),
    .in_valid_i (erf_in_valid),
    .in_ready_o (erf_in_ready),
    .out_data_o (erf_out),
    .out_valid_o(erf_out_valid),
    .out_ready_i(erf_out_ready)
  );

  // The lane datapath is only evaluated in the states that use it and, while waiting for erf, only
  // once its result is there, and the data registers are only written in the states that change
  // them: an idle or waiting unit costs the simulator nothing per lane (Verilator evaluates
  // combinational logic every cycle).
  assign mul_on = (state_q == StScaleIn) || (state_q == StHalf) || (state_q == StFinal);
  assign add_on = (state_q == StErfWait) && erf_out_valid;

  // Lane datapath: one multiplier and one adder per lane; only the multiplier needs an operand mux.
  always_comb begin : p_lanes
    logic [31:0] mul_b;
    mul_b   = '0;  // no latch: only used when on
    mul_res = '0;
    add_res = '0;
    if (mul_on) begin
      for (int l = 0; l < Lanes; l++) begin
        unique case (state_q)
          StScaleIn: mul_b = Frac1Sqrt2;
          StHalf:    mul_b = Half;
          default:   mul_b = w_q[32*l +: 32];
        endcase
        mul_res[32*l +: 32] = rsn_fp32_pkg::fp32_mul(x_q[32*l +: 32], mul_b);
      end
    end
    if (add_on) begin
      for (int l = 0; l < Lanes; l++) begin
        add_res[32*l +: 32] = rsn_fp32_pkg::fp32_add(One, erf_out[32*l +: 32]);
      end
    end
  end

  assign erf_in_valid  = (state_q == StScaleIn);
  assign erf_out_ready = (state_q == StErfWait);

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin
    state_d = state_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          state_d = StScaleIn;
        end
      end
      // erf is idle here (its result is released before the next item is accepted, and abort_i
      // resets it with this FSM), so this hand-off never stalls.
      StScaleIn: begin
        if (erf_in_ready) begin
          state_d = StHalf;
        end
      end
      StHalf: state_d = StErfWait;
      StErfWait: begin
        if (erf_out_valid) begin
          state_d = StFinal;
        end
      end
      StFinal: state_d = StOut;
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
    end else begin
      state_q <= state_d;
    end
  end

  // Data registers (also written in an abort cycle: the item is dropped by the FSM alone).
  always_ff @(posedge clk_i or negedge rst_ni) begin : p_data
    if (!rst_ni) begin
      x_q   <= '0;
      w_q   <= '0;
      res_q <= '0;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (in_valid_i) begin
            x_q <= in_a_i;
          end
        end
        StHalf: x_q <= mul_res;
        StErfWait: begin
          if (erf_out_valid) begin
            w_q <= add_res;
          end
        end
        StFinal: begin
          // Halving keeps an input NaN, infinite (with its sign) or finite, so 0.5*x tells the
          // special lanes apart without keeping x.
          for (int l = 0; l < Lanes; l++) begin
            if (x_q[32*l+23 +: 8] != 8'hff) begin
              res_q[32*l +: 32] <= mul_res[32*l +: 32];
            end else if (x_q[32*l +: 23] != 23'd0) begin
              res_q[32*l +: 32] <= rsn_fp32_pkg::FP32_QNAN;
            end else begin
              res_q[32*l +: 32] <= x_q[32*l+31] ? 32'h8000_0000 : 32'h7f80_0000;
            end
          end
        end
        default: ;
      endcase
    end
  end

endmodule
