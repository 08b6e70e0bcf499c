// Lane rotator of the skewed memory FU banks (rtl/INTERFACES.md, "Memory FU storage"): output
// lane l takes input lane (l + amt_i) mod Lanes. A logarithmic barrel (one 2:1 mux level per
// amount bit) instead of a Lanes:1 mux per lane: 5 levels for 32 lanes, a sixth of the muxes.
module rsn_mem_rotate #(
  parameter int unsigned Lanes = 32,  // power of two, >= 2
  parameter int unsigned Width = 32,  // bits per lane
  localparam int unsigned AmtW = $clog2(Lanes)
) (
  input  logic [Lanes*Width-1:0] data_i,
  input  logic [AmtW-1:0]        amt_i,
  output logic [Lanes*Width-1:0] data_o
);

  if (Lanes < 2 || (Lanes & (Lanes - 1)) != 0) begin : gen_lanes_check
    $error("rsn_mem_rotate: Lanes must be a power of two >= 2");
  end

  logic [2*Lanes*Width-1:0] twice;
  always_comb begin
    data_o = data_i;
    twice  = '0;
    for (int unsigned s = 0; s < AmtW; s++) begin
      if (amt_i[s]) begin
        // Rotating down by 2^s lanes is a window of the vector concatenated with itself.
        twice  = {data_o, data_o};
        data_o = twice[(Width << s) +: Lanes*Width];
      end
    end
  end

endmodule
