// Stream register slice: full throughput, and both the valid/data path and the ready path are
// registered (a two-entry skid buffer), so it cuts every combinational path between its ports.
//
// Handshake rule (all rsn_stream_* modules and every unit built from them): a transfer happens on a
// rising clock edge where valid && ready. valid must not depend combinationally on ready, and once
// valid is high the data is held stable until the transfer (valid && !ready keeps both). ready may
// depend on valid.
module rsn_stream_reg #(
  parameter int unsigned Width = 32
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] in_data_i,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  output logic [Width-1:0] out_data_o,
  output logic             out_valid_o,
  input  logic             out_ready_i
);

  logic             main_valid_q, main_valid_d;
  logic             skid_valid_q, skid_valid_d;
  logic [Width-1:0] main_data_q, skid_data_q;
  logic             main_load, main_from_skid, skid_load;

  assign out_valid_o = main_valid_q;
  assign out_data_o  = main_data_q;
  // Ready is a register: accept whenever the skid entry is free.
  assign in_ready_o  = !skid_valid_q;

  always_comb begin
    main_valid_d   = main_valid_q;
    skid_valid_d   = skid_valid_q;
    main_load      = 1'b0;
    main_from_skid = 1'b0;
    skid_load      = 1'b0;
    if (skid_valid_q) begin
      // Input is stalled; drain the skid entry into the output register.
      if (out_ready_i) begin
        main_from_skid = 1'b1;
        skid_valid_d   = 1'b0;
      end
    end else if (!main_valid_q || out_ready_i) begin
      main_load    = 1'b1;
      main_valid_d = in_valid_i;
    end else if (in_valid_i) begin
      // Output stalled while a new item arrives: park it.
      skid_load    = 1'b1;
      skid_valid_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      main_valid_q <= 1'b0;
      skid_valid_q <= 1'b0;
    end else begin
      main_valid_q <= main_valid_d;
      skid_valid_q <= skid_valid_d;
    end
  end

  // Data registers need no reset: they are only observed while the matching valid is set.
  always_ff @(posedge clk_i) begin
    if (main_from_skid) begin
      main_data_q <= skid_data_q;
    end else if (main_load && in_valid_i) begin
      main_data_q <= in_data_i;
    end
    if (skid_load) begin
      skid_data_q <= in_data_i;
    end
  end

endmodule
