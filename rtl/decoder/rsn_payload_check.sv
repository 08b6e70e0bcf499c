// What each FU accepts in a payload, checked by the decoder before a packet is dispatched: the
// field ranges of the ISA tables (generated into rsn_isa_pkg as `*_range_error`) and the rules
// between fields of host/src/isa/check.rs (`check_payload`), for every instance the mask selects.
// A payload an FU would misread therefore never reaches it, on the board as on the model.
module rsn_payload_check (
  input  logic [3:0]   op_i,
  input  logic [5:0]   mask_i,
  // The payload, word 0 in bits [31:0]; words past the opcode's payload size are ignored.
  input  logic [127:0] payload_i,
  output logic         error_o
);
  // Views of the payload words; each rule reads a few of their fields.
  /* verilator lint_off UNUSEDSIGNAL */
  rsn_isa_pkg::dram_op_w2_t  d2;
  rsn_isa_pkg::dram_op_w3_t  d3;
  rsn_isa_pkg::mema_op_w0_t  a0;
  rsn_isa_pkg::memb_op_w0_t  b0;
  rsn_isa_pkg::memc_op_w0_t  c0;
  rsn_isa_pkg::memc_op_w2_t  c2;
  rsn_isa_pkg::memc_op_w3_t  c3;
  rsn_isa_pkg::mesha_op_w1_t ma1;
  rsn_isa_pkg::meshb_op_w1_t mb1;
  /* verilator lint_on UNUSEDSIGNAL */

  assign d2  = payload_i[64 +: 32];
  assign d3  = payload_i[96 +: 32];
  assign a0  = payload_i[0 +: 32];
  assign b0  = payload_i[0 +: 32];
  assign c0  = payload_i[0 +: 32];
  assign c2  = payload_i[64 +: 32];
  assign c3  = payload_i[96 +: 32];
  assign ma1 = payload_i[32 +: 32];
  assign mb1 = payload_i[32 +: 32];

  // The rules of one FU instance.
  function automatic logic inst_error(logic [2:0] inst);
    logic e, fill;
    e = 1'b0;
    unique case (op_i)
      4'd0: e = rsn_isa_pkg::decoder_op_range_error(payload_i[0 +: 32], inst);
      4'd1, 4'd2: begin
        e = rsn_isa_pkg::dram_op_range_error(payload_i, inst);
        if (d2.port > 4'd11) e = 1'b1;
        if (op_i == 4'd2) begin
          // LPDDR: loads into MemB0/MemB1, no fence.
          if (d2.store || (d2.port != 4'd3 && d2.port != 4'd4) || d3.fence) e = 1'b1;
        end else if (d2.store) begin
          // DDR stores come from MemC0-5 and do not wait on a fence.
          if (d2.port < 4'd6 || d3.fence) e = 1'b1;
        end
      end
      4'd3: begin
        e = rsn_isa_pkg::mema_op_range_error(payload_i[0 +: 64], inst);
        if (!a0.load_en && !a0.send_en) e = 1'b1;
        if (a0.send_en && a0.load_en && a0.load_bank == a0.send_bank) e = 1'b1;
      end
      4'd4: begin
        e = rsn_isa_pkg::memb_op_range_error(payload_i[0 +: 64], inst);
        if (!b0.load_en && !b0.send_en) e = 1'b1;
        if (b0.load_en && inst == 3'd2 && b0.load_src) e = 1'b1;  // MemB2 is fed from DDR only
        if (b0.send_en && b0.load_en && b0.load_bank == b0.send_bank) e = 1'b1;
      end
      4'd5: begin
        e    = rsn_isa_pkg::memc_op_range_error(payload_i, inst);
        fill = c0.load_mode != 3'd0 || c0.recv_en;
        if (c0.load_mode > 3'd4 || c0.drain > 2'd2 || c0.post_op > 3'd3) e = 1'b1;
        if (!fill && c0.drain == 2'd0) e = 1'b1;
        if (c0.acc && !c0.recv_en) e = 1'b1;
        if (c0.drain == 2'd2 && 32'(inst) >= rsn_isa_pkg::MemCWithMesh) e = 1'b1;
        if (c0.post_op != 3'd0 && c0.drain == 2'd0) e = 1'b1;
        if (c0.post_op == 3'd1 && 32'(inst) >= rsn_isa_pkg::MemCWithMesh) e = 1'b1;
        // LayerNorm epsilon: finite and >= 0 (-0 passes, as `eps >= 0.0` does).
        if (c0.post_op == 3'd2 && (c3.eps[30:23] == 8'hff || (c3.eps[31] && c3.eps[30:0] != 31'd0))) e = 1'b1;
        if (c2.ln_pair) begin
          if (c0.post_op != 3'd2 || c0.drain != 2'd1) e = 1'b1;
          if (c2.ln_total <= 11'(c0.cols) || 32'(c2.ln_total) > 2 * rsn_isa_pkg::MemCCols) e = 1'b1;
        end else if (c2.ln_total != 11'd0) begin
          e = 1'b1;
        end
        if (fill && c0.drain != 2'd0 && c0.fill_bank == c0.drain_bank) e = 1'b1;
      end
      4'd6: begin
        e = rsn_isa_pkg::mesha_op_range_error(payload_i[0 +: 64], inst);
        if ({ma1.src0, ma1.src1, ma1.src2, ma1.src3, ma1.src4, ma1.src5} == 18'd0) e = 1'b1;
        if (!rsn_isa_pkg::MeshARoutes0[ma1.src0] || !rsn_isa_pkg::MeshARoutes1[ma1.src1] || !rsn_isa_pkg::MeshARoutes2[ma1.src2] ||
            !rsn_isa_pkg::MeshARoutes3[ma1.src3] || !rsn_isa_pkg::MeshARoutes4[ma1.src4] || !rsn_isa_pkg::MeshARoutes5[ma1.src5]) e = 1'b1;
      end
      4'd7: begin
        e = rsn_isa_pkg::meshb_op_range_error(payload_i[0 +: 64], inst);
        if ({mb1.src0, mb1.src1, mb1.src2, mb1.src3, mb1.src4, mb1.src5} == 12'd0) e = 1'b1;
        if (!rsn_isa_pkg::MeshBRoutes0[mb1.src0] || !rsn_isa_pkg::MeshBRoutes1[mb1.src1] || !rsn_isa_pkg::MeshBRoutes2[mb1.src2] ||
            !rsn_isa_pkg::MeshBRoutes3[mb1.src3] || !rsn_isa_pkg::MeshBRoutes4[mb1.src4] || !rsn_isa_pkg::MeshBRoutes5[mb1.src5]) e = 1'b1;
      end
      default: e = 1'b1;
    endcase
    inst_error = e;
  endfunction

  always_comb begin
    error_o = 1'b0;
    for (int i = 0; i < 6; i++) begin
      if (mask_i[i] && inst_error(3'(i))) error_o = 1'b1;
    end
  end

endmodule
