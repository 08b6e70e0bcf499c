// RSN-XNN decoder FU: checks an instruction word stream against ISA v2 and dispatches each packet
// to the queues of the FU instances its mask selects. See rtl/decoder/README.md for the queue entry
// format, the error codes and the order in which faults are reported.
//
// A packet is buffered whole and checked before any of it leaves, so a malformed packet never
// reaches an FU; packets before the faulting one have been dispatched by the time `error_o` rises.
module rsn_decoder (
  input  logic           clk_i,
  input  logic           rst_ni,
  // Instruction words from the instruction buffer, word 0 of the program first. `in_last_i` marks
  // the final word the buffer holds; the decoder checks it against the header's word count.
  input  logic [31:0]    in_data_i,
  input  logic           in_last_i,
  input  logic           in_valid_i,
  output logic           in_ready_o,
  // One entry stream per FU queue (index map in README.md): word i in bits [32*i +: 32].
  output logic [17*32-1:0] out_data_o,
  output logic [16:0]    out_last_o,
  output logic [16:0]    out_valid_o,
  input  logic [16:0]    out_ready_i,
  // Every FU queue empty and every FU idle (a barrier waits for it).
  input  logic           fus_idle_i,
  // The buffer bounds (rsn_ctrl_regs): every DRAM mOP's whole range must lie in one enabled pair
  // of its unit's memory (rsn_dram_extent).
  input  logic [16*64-1:0] bound_lo_i,
  input  logic [16*64-1:0] bound_hi_i,
  input  logic [15:0]    bound_en_ddr_i,
  input  logic [15:0]    bound_en_lpddr_i,
  output logic           busy_o,
  output logic           done_o,
  output logic           error_o,
  output logic [3:0]     error_code_o,
  output logic [31:0]    error_word_o,
  // With error code 15 (a DRAM mOP's range outside the bounds): the mOP's first line.
  output logic [31:0]    error_line_o
);

  localparam int unsigned NumOut = 17;
  localparam int unsigned BufWords = 128;  // >= MaxWindow * largest payload (31 * 4)

  // Queue indices.
  localparam int unsigned OutDdrRd = 0;
  localparam int unsigned OutDdrWr = 1;
  localparam int unsigned OutLpddr = 2;
  localparam int unsigned OutMemA = 3;
  localparam int unsigned OutMemB = 6;
  localparam int unsigned OutMemC = 9;
  localparam int unsigned OutMeshA = 15;
  localparam int unsigned OutMeshB = 16;

  // Error codes (README.md lists the word each one reports).
  localparam logic [3:0] ErrTooShort = 4'd1;
  localparam logic [3:0] ErrBadMagic = 4'd2;
  localparam logic [3:0] ErrBadVersion = 4'd3;
  localparam logic [3:0] ErrLength = 4'd4;
  localparam logic [3:0] ErrOpcode = 4'd5;
  localparam logic [3:0] ErrMask = 4'd6;
  localparam logic [3:0] ErrWindow = 4'd7;
  localparam logic [3:0] ErrRepeat = 4'd8;
  localparam logic [3:0] ErrTruncated = 4'd9;
  localparam logic [3:0] ErrReserved = 4'd10;
  localparam logic [3:0] ErrPacketCount = 4'd11;
  localparam logic [3:0] ErrEarlyLast = 4'd12;
  localparam logic [3:0] ErrMissingLast = 4'd13;
  localparam logic [3:0] ErrField = 4'd14;
  localparam logic [3:0] ErrExtent = 4'd15;

  localparam logic [31:0] IsaVersion = rsn_isa_pkg::IsaVersion;

  typedef enum logic [2:0] {
    StHdr,       // stream header words 0..3
    StPktHdr,    // next word is a packet header
    StPayload,   // receiving the payloads of the current packet
    StSkip,      // header asks for more words than the program has: wait for the end to tell why
    StDispatch,  // handing the buffered packet to its queues
    StBarrier,   // waiting for fus_idle_i
    StExtent,    // holding a DRAM payload's last word until its range is checked
    StError
  } state_e;


  // Mask bits that name existing instances.
  function automatic logic [5:0] instance_mask(logic [3:0] op);
    unique case (op)
      4'd0:    instance_mask = 6'((1 << rsn_isa_pkg::DecInstances) - 1);
      4'd1:    instance_mask = 6'((1 << rsn_isa_pkg::DdrInstances) - 1);
      4'd2:    instance_mask = 6'((1 << rsn_isa_pkg::LpddrInstances) - 1);
      4'd3:    instance_mask = 6'((1 << rsn_isa_pkg::MemaInstances) - 1);
      4'd4:    instance_mask = 6'((1 << rsn_isa_pkg::MembInstances) - 1);
      4'd5:    instance_mask = 6'((1 << rsn_isa_pkg::MemcInstances) - 1);
      4'd6:    instance_mask = 6'((1 << rsn_isa_pkg::MeshaInstances) - 1);
      4'd7:    instance_mask = 6'((1 << rsn_isa_pkg::MeshbInstances) - 1);
      default: instance_mask = 6'd0;
    endcase
  endfunction

  // Reserved bits of payload word `w` of opcode `op`.
  function automatic logic [31:0] reserved_mask(logic [3:0] op, logic [1:0] w);
    reserved_mask = 32'hffff_ffff;
    unique case (op)
      4'd0: if (w == 2'd0) reserved_mask = rsn_isa_pkg::DecoderOpW0ReservedMask;
      4'd1, 4'd2: begin
        unique case (w)
          2'd0:    reserved_mask = rsn_isa_pkg::DramOpW0ReservedMask;
          2'd1:    reserved_mask = rsn_isa_pkg::DramOpW1ReservedMask;
          2'd2:    reserved_mask = rsn_isa_pkg::DramOpW2ReservedMask;
          default: reserved_mask = rsn_isa_pkg::DramOpW3ReservedMask;
        endcase
      end
      4'd3: reserved_mask = w[0] ? rsn_isa_pkg::MemaOpW1ReservedMask : rsn_isa_pkg::MemaOpW0ReservedMask;
      4'd4: reserved_mask = w[0] ? rsn_isa_pkg::MembOpW1ReservedMask : rsn_isa_pkg::MembOpW0ReservedMask;
      4'd5: begin
        unique case (w)
          2'd0:    reserved_mask = rsn_isa_pkg::MemcOpW0ReservedMask;
          2'd1:    reserved_mask = rsn_isa_pkg::MemcOpW1ReservedMask;
          2'd2:    reserved_mask = rsn_isa_pkg::MemcOpW2ReservedMask;
          default: reserved_mask = rsn_isa_pkg::MemcOpW3ReservedMask;
        endcase
      end
      4'd6: reserved_mask = w[0] ? rsn_isa_pkg::MeshaOpW1ReservedMask : rsn_isa_pkg::MeshaOpW0ReservedMask;
      4'd7: reserved_mask = w[0] ? rsn_isa_pkg::MeshbOpW1ReservedMask : rsn_isa_pkg::MeshbOpW0ReservedMask;
      default: ;
    endcase
  endfunction

  // ------------------------------------------------------------------ input register slice
  logic [31:0] w_data;
  logic        w_last, w_valid, w_ready, w_acc;

  rsn_stream_reg #(
    .Width(33)
  ) u_in_reg (
    .clk_i,
    .rst_ni,
    .in_data_i  ({in_last_i, in_data_i}),
    .in_valid_i,
    .in_ready_o,
    .out_data_o ({w_last, w_data}),
    .out_valid_o(w_valid),
    .out_ready_i(w_ready)
  );

  // ------------------------------------------------------------------ state
  state_e      state_q, state_d;
  logic [31:0] idx_q, idx_d;          // index of the next word to accept
  logic [31:0] total_q, total_d;      // header word 2
  logic [31:0] npk_q, npk_d;          // header word 3
  logic [31:0] pkcnt_q, pkcnt_d;      // complete packets so far
  logic        magic_ok_q, magic_ok_d, ver_ok_q, ver_ok_d;
  logic [31:0] hdr_q, hdr_d;          // current packet header
  logic [31:0] hdr_idx_q, hdr_idx_d;  // its word index
  logic [6:0]  need_q, need_d;        // payload words of the packet
  logic [6:0]  cnt_q, cnt_d;          // payload words received
  logic [1:0]  pwi_q, pwi_d;          // word inside the current payload
  logic [4:0]  mop_q, mop_d;          // mOP inside the window
  logic [30:0] store_q, store_d;      // DDR: store bit of each mOP
  logic [4:0]  nload_q, nload_d, nstore_q, nstore_d;
  logic [4:0]  last_ld_q, last_ld_d, last_st_q, last_st_d;
  logic        barrier_q, barrier_d;
  logic        final_q, final_d;
  logic [6:0]  disp_q, disp_d;        // dispatch step: 0 header, s = payload word s-1
  logic [NumOut-1:0] taken_q, taken_d;
  logic        done_q, done_d;
  logic [3:0]  err_code_q, err_code_d;
  logic [31:0] err_word_q, err_word_d;
  logic [31:0] err_line_q, err_line_d;
  // The DRAM payload's last word on w_data has passed its range check (accept it now).
  logic        ext_ok_q, ext_ok_d;
  logic        ext_start, ext_done, ext_err;
  logic [31:0] ext_line;

  logic [31:0] buf_q [BufWords];
  logic        buf_we;
  // Words of the payload being received, for the field check at its last word.
  logic [31:0] pl_q [3];
  logic [127:0] pl_full;
  logic         pl_last, field_err;

  // Word accepted now: its decoded header fields and checks.
  logic [3:0]  h_op;
  logic [5:0]  h_mask;
  logic [4:0]  h_window;
  logic [15:0] h_repeat;
  logic [2:0]  h_pw;
  logic [6:0]  h_need;
  logic [31:0] words_left;
  logic        len_bad;

  assign h_op       = w_data[3:0];
  assign h_mask     = w_data[9:4];
  assign h_window   = w_data[15:11];
  assign h_repeat   = w_data[31:16];
  assign h_pw       = rsn_isa_pkg::payload_words(h_op);
  assign h_need     = 7'(h_window) * 7'(h_pw);
  assign words_left = total_q - idx_q - 32'd1;
  // The buffer must flag exactly the word the header calls final (valid from word 3 on).
  assign len_bad    = w_last != (idx_q == total_q - 32'd1);

  // The payload as it stands when its last word is on w_data.
  always_comb begin
    for (int unsigned i = 0; i < 4; i++) begin
      pl_full[32*i +: 32] = (i == 32'(pwi_q)) ? w_data : ((i < 3) ? pl_q[i] : 32'd0);
    end
  end
  assign pl_last = pwi_q == 2'(rsn_isa_pkg::payload_words(hdr_q[3:0]) - 3'd1);

  rsn_payload_check u_check (
    .op_i      (hdr_q[3:0]),
    .mask_i    (hdr_q[9:4]),
    .payload_i (pl_full),
    .error_o   (field_err)
  );

  // A DRAM payload's last word waits in the input slice until its range is checked.
  logic ext_need;
  assign ext_need = (hdr_q[3:0] == 4'd1 || hdr_q[3:0] == 4'd2) && pl_last && !ext_ok_q;
  assign w_ready = (state_q == StHdr) || (state_q == StPktHdr) || (state_q == StPayload && !ext_need) ||
                   (state_q == StSkip);

  rsn_dram_extent u_extent (
    .clk_i,
    .rst_ni,
    .start_i          (ext_start),
    .lpddr_i          (hdr_q[3:0] == 4'd2),
    .repeat_i         (hdr_q[31:16]),
    .payload_i        (pl_full),
    .bound_lo_i,
    .bound_hi_i,
    .bound_en_ddr_i,
    .bound_en_lpddr_i,
    .done_o           (ext_done),
    .error_o          (ext_err),
    .first_line_o     (ext_line)
  );
  assign w_acc   = w_valid && w_ready;

  // ------------------------------------------------------------------ dispatch targets
  logic [3:0]        p_op;
  logic [5:0]        p_mask;
  logic [6:0]        step_m1;
  logic [4:0]        step_mop;
  logic              step_store;
  logic [NumOut-1:0] tgt;
  logic [NumOut-1:0] fire;
  logic [31:0]       step_word;

  assign p_op       = hdr_q[3:0];
  assign p_mask     = hdr_q[9:4];
  assign step_m1    = disp_q - 7'd1;
  assign step_mop   = step_m1[6:2];
  assign step_store = store_q[step_mop];
  assign step_word  = (disp_q == 7'd0) ? hdr_q : buf_q[step_m1];

  always_comb begin
    tgt = '0;
    unique case (p_op)
      4'd1: begin
        if (disp_q == 7'd0) begin
          tgt[OutDdrRd] = nload_q != 5'd0;
          tgt[OutDdrWr] = nstore_q != 5'd0;
        end else begin
          tgt[OutDdrRd] = !step_store;
          tgt[OutDdrWr] = step_store;
        end
      end
      4'd2:    tgt[OutLpddr] = 1'b1;
      4'd3:    tgt[OutMemA +: 3] = p_mask[2:0];
      4'd4:    tgt[OutMemB +: 3] = p_mask[2:0];
      4'd5:    tgt[OutMemC +: 6] = p_mask;
      4'd6:    tgt[OutMeshA] = 1'b1;
      4'd7:    tgt[OutMeshB] = 1'b1;
      default: ;
    endcase
  end

  always_comb begin
    for (int unsigned i = 0; i < NumOut; i++) begin
      out_data_o[32*i +: 32] = step_word;
      out_last_o[i]          = disp_q == need_q;
    end
    // The DDR channels each see their share of the window: the header carries its mOP count.
    if (disp_q == 7'd0) begin
      out_data_o[32*OutDdrRd + 11 +: 5] = nload_q;
      out_data_o[32*OutDdrWr + 11 +: 5] = nstore_q;
    end
    out_last_o[OutDdrRd] = (disp_q != 7'd0) && !step_store && (step_mop == last_ld_q) &&
                           (step_m1[1:0] == 2'd3);
    out_last_o[OutDdrWr] = (disp_q != 7'd0) && step_store && (step_mop == last_st_q) &&
                           (step_m1[1:0] == 2'd3);
  end

  assign out_valid_o = (state_q == StDispatch) ? (tgt & ~taken_q) : '0;
  assign fire        = out_valid_o & out_ready_i;

  // ------------------------------------------------------------------ control
  always_comb begin
    state_d    = state_q;
    idx_d      = idx_q;
    total_d    = total_q;
    npk_d      = npk_q;
    pkcnt_d    = pkcnt_q;
    magic_ok_d = magic_ok_q;
    ver_ok_d   = ver_ok_q;
    hdr_d      = hdr_q;
    hdr_idx_d  = hdr_idx_q;
    need_d     = need_q;
    cnt_d      = cnt_q;
    pwi_d      = pwi_q;
    mop_d      = mop_q;
    store_d    = store_q;
    nload_d    = nload_q;
    nstore_d   = nstore_q;
    last_ld_d  = last_ld_q;
    last_st_d  = last_st_q;
    barrier_d  = barrier_q;
    final_d    = final_q;
    disp_d     = disp_q;
    taken_d    = taken_q;
    done_d     = done_q;
    err_code_d = err_code_q;
    err_word_d = err_word_q;
    err_line_d = err_line_q;
    ext_ok_d   = ext_ok_q;
    ext_start  = 1'b0;
    buf_we     = 1'b0;

    unique case (state_q)
      StHdr: begin
        if (w_acc) begin
          idx_d  = idx_q + 32'd1;
          done_d = 1'b0;
          // Rust reports a short program before looking at its contents, so faults in words 0-2
          // are held until word 3 shows the program is at least 4 words long.
          if (w_last && idx_q != 32'd3) begin
            state_d    = StError;
            err_code_d = ErrTooShort;
            err_word_d = idx_q;
          end else begin
            unique case (idx_q[1:0])
              2'd0: magic_ok_d = w_data == rsn_isa_pkg::Magic;
              2'd1: ver_ok_d = w_data == IsaVersion;
              2'd2: total_d = w_data;
              default: begin
                npk_d   = w_data;
                pkcnt_d = '0;
                state_d = StError;
                if (!magic_ok_q) begin
                  err_code_d = ErrBadMagic;
                  err_word_d = 32'd0;
                end else if (!ver_ok_q) begin
                  err_code_d = ErrBadVersion;
                  err_word_d = 32'd1;
                end else if (total_q < 32'd4 || len_bad) begin
                  err_code_d = ErrLength;
                  err_word_d = 32'd2;
                end else if (total_q == 32'd4) begin
                  // No packets at all.
                  err_code_d = (w_data != 32'd0) ? ErrPacketCount : ErrMissingLast;
                  err_word_d = 32'd3;
                end else begin
                  state_d = StPktHdr;
                end
              end
            endcase
          end
        end
      end

      StPktHdr: begin
        if (w_acc) begin
          idx_d     = idx_q + 32'd1;
          hdr_idx_d = idx_q;
          state_d   = StError;
          err_word_d = idx_q;
          if (len_bad) begin
            err_code_d = ErrLength;
            err_word_d = 32'd2;
          end else if (h_op > 4'd7) begin
            err_code_d = ErrOpcode;
          end else if (h_mask == 6'd0 || (h_mask & ~instance_mask(h_op)) != 6'd0) begin
            err_code_d = ErrMask;
          end else if (h_window == 5'd0) begin
            err_code_d = ErrWindow;
          end else if (h_repeat == 16'd0) begin
            err_code_d = ErrRepeat;
          end else if ({25'd0, h_need} > words_left) begin
            // The program ends inside this packet; the end itself decides between a truncated
            // packet and a buffer that disagrees with the header's word count.
            if (w_last) begin
              err_code_d = ErrTruncated;
            end else begin
              state_d = StSkip;
            end
          end else begin
            state_d   = StPayload;
            hdr_d     = w_data;
            need_d    = h_need;
            cnt_d     = '0;
            pwi_d     = '0;
            mop_d     = '0;
            store_d   = '0;
            nload_d   = '0;
            nstore_d  = '0;
            barrier_d = 1'b0;
          end
        end
      end

      StSkip: begin
        if (w_acc) begin
          idx_d = idx_q + 32'd1;
          if (len_bad) begin
            state_d    = StError;
            err_code_d = ErrLength;
            err_word_d = 32'd2;
          end else if (w_last) begin
            state_d    = StError;
            err_code_d = ErrTruncated;
            err_word_d = hdr_idx_q;
          end
        end
      end

      StPayload: begin
        if (w_valid && ext_need) begin
          // Rust's order within a payload: reserved bits, fields, then the range.
          if (len_bad) begin
            state_d    = StError;
            err_code_d = ErrLength;
            err_word_d = 32'd2;
          end else if ((w_data & reserved_mask(p_op, pwi_q)) != 32'd0) begin
            state_d    = StError;
            err_code_d = ErrReserved;
            err_word_d = idx_q;
          end else if (field_err) begin
            state_d    = StError;
            err_code_d = ErrField;
            err_word_d = idx_q - 32'(pwi_q);
          end else begin
            ext_start = 1'b1;
            state_d   = StExtent;
          end
        end else if (w_acc) begin
          ext_ok_d = 1'b0;
          idx_d = idx_q + 32'd1;
          if (len_bad) begin
            state_d    = StError;
            err_code_d = ErrLength;
            err_word_d = 32'd2;
          end else if ((w_data & reserved_mask(p_op, pwi_q)) != 32'd0) begin
            state_d    = StError;
            err_code_d = ErrReserved;
            err_word_d = idx_q;
          end else if (pl_last && field_err) begin
            // A field an FU refuses: reported at the payload's first word.
            state_d    = StError;
            err_code_d = ErrField;
            err_word_d = idx_q - 32'(pwi_q);
          end else begin
            buf_we = 1'b1;
            cnt_d  = cnt_q + 7'd1;
            if (pwi_q == 2'(rsn_isa_pkg::payload_words(p_op) - 3'd1)) begin
              pwi_d = '0;
              mop_d = mop_q + 5'd1;
            end else begin
              pwi_d = pwi_q + 2'd1;
            end
            if (p_op == 4'd0 && w_data[3:0] == 4'd1) begin
              barrier_d = 1'b1;
            end
            if (p_op == 4'd1 && pwi_q == 2'd2) begin
              store_d[mop_q] = w_data[28];
              if (w_data[28]) begin
                nstore_d  = nstore_q + 5'd1;
                last_st_d = mop_q;
              end else begin
                nload_d   = nload_q + 5'd1;
                last_ld_d = mop_q;
              end
            end
            if (cnt_q == need_q - 7'd1) begin
              // Packet complete: the checks Rust makes between packets and at the end.
              final_d = w_last;
              if (hdr_q[10] && !w_last) begin
                state_d    = StError;
                err_code_d = ErrEarlyLast;
                err_word_d = hdr_idx_q;
              end else if (w_last && pkcnt_q + 32'd1 != npk_q) begin
                state_d    = StError;
                err_code_d = ErrPacketCount;
                err_word_d = 32'd3;
              end else if (w_last && !hdr_q[10]) begin
                state_d    = StError;
                err_code_d = ErrMissingLast;
                err_word_d = hdr_idx_q;
              end else begin
                pkcnt_d = pkcnt_q + 32'd1;
                disp_d  = '0;
                taken_d = '0;
                if (p_op != 4'd0) begin
                  state_d = StDispatch;
                end else if (barrier_d) begin
                  state_d = StBarrier;
                end else if (w_last) begin
                  state_d = StHdr;
                  idx_d   = '0;
                  done_d  = 1'b1;
                end else begin
                  state_d = StPktHdr;
                end
              end
            end
          end
        end
      end

      StDispatch: begin
        if ((tgt & ~(taken_q | fire)) == '0) begin
          taken_d = '0;
          if (disp_q == need_q) begin
            if (final_q) begin
              state_d = StHdr;
              idx_d   = '0;
              done_d  = 1'b1;
            end else begin
              state_d = StPktHdr;
            end
          end else begin
            disp_d = disp_q + 7'd1;
          end
        end else begin
          taken_d = taken_q | fire;
        end
      end

      StExtent: begin
        if (ext_done) begin
          if (ext_err) begin
            state_d    = StError;
            err_code_d = ErrExtent;
            err_word_d = idx_q - 32'(pwi_q);
            err_line_d = ext_line;
          end else begin
            state_d  = StPayload;
            ext_ok_d = 1'b1;
          end
        end
      end

      StBarrier: begin
        if (fus_idle_i) begin
          if (final_q) begin
            state_d = StHdr;
            idx_d   = '0;
            done_d  = 1'b1;
          end else begin
            state_d = StPktHdr;
          end
        end
      end

      default: ;  // StError holds until reset
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StHdr;
      idx_q      <= '0;
      total_q    <= '0;
      npk_q      <= '0;
      pkcnt_q    <= '0;
      magic_ok_q <= 1'b0;
      ver_ok_q   <= 1'b0;
      hdr_q      <= '0;
      hdr_idx_q  <= '0;
      need_q     <= '0;
      cnt_q      <= '0;
      pwi_q      <= '0;
      mop_q      <= '0;
      store_q    <= '0;
      nload_q    <= '0;
      nstore_q   <= '0;
      last_ld_q  <= '0;
      last_st_q  <= '0;
      barrier_q  <= 1'b0;
      final_q    <= 1'b0;
      disp_q     <= '0;
      taken_q    <= '0;
      done_q     <= 1'b0;
      err_code_q <= '0;
      err_word_q <= '0;
      err_line_q <= '0;
      ext_ok_q   <= 1'b0;
    end else begin
      state_q    <= state_d;
      idx_q      <= idx_d;
      total_q    <= total_d;
      npk_q      <= npk_d;
      pkcnt_q    <= pkcnt_d;
      magic_ok_q <= magic_ok_d;
      ver_ok_q   <= ver_ok_d;
      hdr_q      <= hdr_d;
      hdr_idx_q  <= hdr_idx_d;
      need_q     <= need_d;
      cnt_q      <= cnt_d;
      pwi_q      <= pwi_d;
      mop_q      <= mop_d;
      store_q    <= store_d;
      nload_q    <= nload_d;
      nstore_q   <= nstore_d;
      last_ld_q  <= last_ld_d;
      last_st_q  <= last_st_d;
      barrier_q  <= barrier_d;
      final_q    <= final_d;
      disp_q     <= disp_d;
      taken_q    <= taken_d;
      done_q     <= done_d;
      err_code_q <= err_code_d;
      err_word_q <= err_word_d;
      err_line_q <= err_line_d;
      ext_ok_q   <= ext_ok_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (buf_we) begin
      buf_q[cnt_q] <= w_data;
      if (pwi_q != 2'd3) pl_q[pwi_q] <= w_data;
    end
  end

  assign busy_o       = (state_q != StError) && !(state_q == StHdr && idx_q == 32'd0);
  assign done_o       = done_q;
  assign error_o      = state_q == StError;
  assign error_code_o = err_code_q;
  assign error_word_o = err_word_q;
  assign error_line_o = err_line_q;

endmodule
