// 1/x as defined by the numerics contract (`recip` in host/src/numerics.rs), bit for bit, on
// `Lanes` floats at once (lane l = bits [32*l +: 32] of in_a_i / out_data_o).
//
// Sequential: per lane one binary32 multiplier feeding one adder (rsn_fp32_pkg::fp32_mul /
// fp32_add, the product rounded before the add). One control FSM drives all lanes in lockstep, one
// item (a vector of Lanes floats) in flight. The result is valid 9 cycles after accept, whatever
// the data: a lane with a special input runs the same sequence on meaningless values and has its
// special result substituted at the end.
//   NaN -> 0x7fc00000; +-inf -> +-0; +-0 and subnormals -> +-inf.
//   x = m * 2^e, m in [1, 2):  y = C1 - C2*m;  3 times: y = y + y*(1 - m*y);
//   result = sign(x) | scale_pow2(y, -e)   (a result below the normal range flushes to +-0).
//
// abort_i (synchronous) returns the FSM to idle in the next cycle and drops the item in flight, or
// the one accepted in the same cycle; no result appears for it.
module rsn_fp32_recip #(
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

  localparam logic [31:0] One   = 32'h3f80_0000;
  localparam logic [31:0] C1    = 32'h3fb4_b4b5;  // 24/17
  localparam logic [31:0] C2    = 32'h3ef0_f0f1;  // 8/17
  localparam logic [1:0]  Steps = 2'd3;

  typedef enum logic [2:0] {
    StIdle,
    StGuess,   // y = C1 - C2*m
    StErr,     // w = 1 - m*y
    StStep,    // y = y + y*w
    StScale,   // result = sign | scale_pow2(y, -e), or the lane's special result
    StOut
  } state_e;

  state_e     state_q, state_d;
  logic [1:0] step_q, step_d;

  // Per lane: lane l of each vector is bits [32*l +: 32] ([10*l +: 10] for neg_e, bit l for sign
  // and spec).
  // Written only in the states that change them (p_data), never copied onto themselves.
  logic [32*Lanes-1:0] m_q;
  logic [32*Lanes-1:0] y_q;
  logic [32*Lanes-1:0] w_q;
  logic [10*Lanes-1:0] neg_e_q;
  logic [Lanes-1:0]    sign_q;
  logic [32*Lanes-1:0] res_q;  // idle while computing, so it parks the special results
  logic [Lanes-1:0]    spec_q;

  logic [32*Lanes-1:0] add_res;
  logic                fp_on;

  // {special, its result}.
  function automatic logic [32:0] special(input logic [31:0] a);
    if (rsn_fp32_pkg::fp32_is_nan(a[30:0])) begin
      special = {1'b1, rsn_fp32_pkg::FP32_QNAN};
    end else if (a[30:23] == 8'hff) begin
      special = {1'b1, a[31], 31'd0};
    end else if (a[30:23] == 8'h00) begin
      special = {1'b1, a[31], 8'hff, 23'd0};
    end else begin
      special = {1'b0, 32'h0000_0000};
    end
  endfunction

  // The lane datapath is only evaluated in the states that use it and the data registers are only
  // written in the states that change them, so an idle or stalled unit costs the simulator nothing
  // per lane (Verilator evaluates combinational logic every cycle).
  assign fp_on = (state_q == StGuess) || (state_q == StErr) || (state_q == StStep);

  // Lane datapath: one multiplier and one adder per lane behind their operand muxes.
  always_comb begin : p_lanes
    logic [31:0] m, y, w, mul_a, mul_b, prod, add_a, add_b, sum;
    {m, y, w, mul_a, mul_b, prod, add_a, add_b, sum} = '0;  // no latches: only used when on
    add_res = '0;
    if (fp_on) begin
      for (int l = 0; l < Lanes; l++) begin
        m = m_q[32*l +: 32];
        y = y_q[32*l +: 32];
        w = w_q[32*l +: 32];

        mul_a = m;
        mul_b = y;
        add_a = y;
        case (state_q)
          StGuess: begin
            mul_a = C2;
            mul_b = m;
            add_a = C1;
          end
          StErr:  add_a = One;
          StStep: mul_a = w;
          default: ;
        endcase
        prod  = rsn_fp32_pkg::fp32_mul(mul_a, mul_b);
        add_b = (state_q == StStep) ? prod : {~prod[31], prod[30:0]};
        sum   = rsn_fp32_pkg::fp32_add(add_a, add_b);
        add_res[32*l +: 32] = sum;
      end
    end
  end

  assign in_ready_o  = (state_q == StIdle);
  assign out_valid_o = (state_q == StOut);
  assign out_data_o  = res_q;

  always_comb begin : p_ctrl
    state_d = state_q;
    step_d  = step_q;

    unique case (state_q)
      StIdle: begin
        if (in_valid_i) begin
          step_d  = 2'd0;
          state_d = StGuess;
        end
      end
      StGuess: state_d = StErr;
      StErr:   state_d = StStep;
      StStep: begin
        step_d  = step_q + 2'd1;
        state_d = (step_q == Steps - 2'd1) ? StScale : StErr;
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
      step_q  <= '0;
    end else begin
      state_q <= state_d;
      step_q  <= step_d;
    end
  end

  // Data registers (also written in an abort cycle: the item is dropped by the FSM alone).
  always_ff @(posedge clk_i or negedge rst_ni) begin : p_data
    logic [31:0] scaled;
    if (!rst_ni) begin
      m_q     <= '0;
      y_q     <= '0;
      w_q     <= '0;
      neg_e_q <= '0;
      sign_q  <= '0;
      res_q   <= '0;
      spec_q  <= '0;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (in_valid_i) begin
            for (int l = 0; l < Lanes; l++) begin
              sign_q[l] <= in_a_i[32*l+31];
              // Mantissa with the exponent of 1.0; -e = 127 - biased exponent.
              m_q[32*l +: 32]     <= {1'b0, 8'd127, in_a_i[32*l +: 23]};
              neg_e_q[10*l +: 10] <= 10'sd127 - $signed({2'b00, in_a_i[32*l+23 +: 8]});
              {spec_q[l], res_q[32*l +: 32]} <= special(in_a_i[32*l +: 32]);
            end
          end
        end
        StGuess: y_q <= add_res;
        StErr:   w_q <= add_res;
        StStep:  y_q <= add_res;
        StScale: begin
          for (int l = 0; l < Lanes; l++) begin
            if (!spec_q[l]) begin
              scaled = rsn_fp32_pkg::fp32_scale_pow2(y_q[32*l +: 32], neg_e_q[10*l +: 10]);
              res_q[32*l +: 32] <= {sign_q[l] | scaled[31], scaled[30:0]};
            end
          end
        end
        default: ;
      endcase
    end
  end

endmodule
