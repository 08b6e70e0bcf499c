// 1/sqrt(x) as defined by the numerics contract (`rsqrt` in host/src/numerics.rs), bit for bit, on
// `Lanes` floats at once (lane l = bits [32*l +: 32] of in_a_i / out_data_o).
//
// Sequential: per lane one binary32 multiplier feeding one adder (rsn_fp32_pkg::fp32_mul /
// fp32_add, the product rounded before the add). One control FSM drives all lanes in lockstep, one
// item (a vector of Lanes floats) in flight. The result is valid 15 cycles after accept, whatever
// the data: a lane with a special input runs the same sequence on meaningless values and has its
// special result substituted at the end.
//   NaN and x < 0 (including -inf and negative subnormals) -> 0x7fc00000; +inf -> +0;
//   +-0 and positive subnormals -> +inf.
//   x = m * 2^(2h), m in [1, 4):  y = C1 - C2*m;  hm = 0.5*m;
//   4 times: y = y * (1.5 - hm*(y*y));  result = scale_pow2(y, -h).
// m, hm and h come from the exponent field: doubling m (odd exponent) and halving it are exact,
// so setting the exponent field gives the same bits as the contract's f32 multiplies.
//
// abort_i (synchronous) returns the FSM to idle in the next cycle and drops the item in flight, or
// the one accepted in the same cycle; no result appears for it.
module rsn_fp32_rsqrt #(
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
    StScale,   // result = scale_pow2(y, -h), or the lane's special result
    StOut
  } state_e;

  state_e     state_q, state_d;
  logic [1:0] step_q, step_d;

  // Per lane: lane l of each vector is bits [32*l +: 32] ([10*l +: 10] for neg_h, bit l for spec).
  // Written only in the states that change them (p_data), never copied onto themselves.
  logic [32*Lanes-1:0] m_q;
  logic [32*Lanes-1:0] hm_q;
  logic [32*Lanes-1:0] y_q;
  logic [32*Lanes-1:0] t_q;      // y*y, then 1.5 - hm*y*y
  logic [10*Lanes-1:0] neg_h_q;
  logic [32*Lanes-1:0] res_q;    // idle while computing, so it parks the special results
  logic [Lanes-1:0]    spec_q;

  logic [32*Lanes-1:0] mul_res, add_res;
  logic                mul_on, add_on;

  // {special, its result}.
  function automatic logic [32:0] special(input logic [31:0] a);
    if (rsn_fp32_pkg::fp32_is_nan(a[30:0]) || (a[31] && (a[30:0] != 31'd0))) begin
      special = {1'b1, rsn_fp32_pkg::FP32_QNAN};
    end else if (a[30:23] == 8'hff) begin
      special = {1'b1, 32'h0000_0000};
    end else if (a[30:23] == 8'h00) begin
      special = {1'b1, PosInf};
    end else begin
      special = {1'b0, 32'h0000_0000};
    end
  endfunction

  // The lane datapath is only evaluated in the states that use it (mul_on covers add_on) and the
  // data registers are only written in the states that change them, so an idle or stalled unit
  // costs the simulator nothing per lane (Verilator evaluates combinational logic every cycle).
  assign add_on = (state_q == StGuess) || (state_q == StErr);
  assign mul_on = add_on || (state_q == StSquare) || (state_q == StStep);

  // Lane datapath: one multiplier and one adder per lane behind their operand muxes.
  always_comb begin : p_lanes
    logic [31:0] y, t, mul_a, mul_b, prod, sum;
    {y, t, mul_a, mul_b, prod, sum} = '0;  // no latches: only used when on
    mul_res = '0;
    add_res = '0;
    if (mul_on) begin
      for (int l = 0; l < Lanes; l++) begin
        y = y_q[32*l +: 32];
        t = t_q[32*l +: 32];

        mul_a = y;
        mul_b = y;
        case (state_q)
          StGuess: begin
            mul_a = C2;
            mul_b = m_q[32*l +: 32];
          end
          StErr: begin
            mul_a = hm_q[32*l +: 32];
            mul_b = t;
          end
          StStep:  mul_b = t;
          default: ;
        endcase
        prod = rsn_fp32_pkg::fp32_mul(mul_a, mul_b);
        sum  = '0;
        if (add_on) begin
          sum = rsn_fp32_pkg::fp32_add((state_q == StGuess) ? C1 : ThreeHalf,
                                       {~prod[31], prod[30:0]});
        end
        mul_res[32*l +: 32] = prod;
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
      StGuess:  state_d = StSquare;
      StSquare: state_d = StErr;
      StErr:    state_d = StStep;
      StStep: begin
        step_d  = step_q + 2'd1;
        state_d = (step_q == LastStep) ? StScale : StSquare;
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
    logic [31:0]       a;
    logic signed [9:0] e_unb;
    logic              odd;
    if (!rst_ni) begin
      m_q     <= '0;
      hm_q    <= '0;
      y_q     <= '0;
      t_q     <= '0;
      neg_h_q <= '0;
      res_q   <= '0;
      spec_q  <= '0;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (in_valid_i) begin
            for (int l = 0; l < Lanes; l++) begin
              a     = in_a_i[32*l +: 32];
              e_unb = $signed({2'b00, a[30:23]}) - 10'sd127;
              odd   = e_unb[0];
              // Odd e: m = 2*m1 in [2, 4), h = (e-1)/2; even e: m = m1, h = e/2. Both are
              // floor(e/2).
              m_q[32*l +: 32]     <= {1'b0, odd ? 8'd128 : 8'd127, a[22:0]};
              hm_q[32*l +: 32]    <= {1'b0, odd ? 8'd127 : 8'd126, a[22:0]};
              neg_h_q[10*l +: 10] <= -(e_unb >>> 1);
              {spec_q[l], res_q[32*l +: 32]} <= special(a);
            end
          end
        end
        StGuess:  y_q <= add_res;
        StSquare: t_q <= mul_res;
        StErr:    t_q <= add_res;
        StStep:   y_q <= mul_res;
        StScale: begin
          for (int l = 0; l < Lanes; l++) begin
            if (!spec_q[l]) begin
              res_q[32*l +: 32] <=
                  rsn_fp32_pkg::fp32_scale_pow2(y_q[32*l +: 32], neg_h_q[10*l +: 10]);
            end
          end
        end
        default: ;
      endcase
    end
  end

endmodule
