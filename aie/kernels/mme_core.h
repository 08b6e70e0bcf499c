// The shared core of the three MME cascade-stage kernels: one 32x32x32 FP32 block product per
// block, streamed in row by row, accumulators handed down the cascade.
//
// Numerics (host/src/numerics.rs, mme_block_ref): per output element the chain over k runs in
// increasing order, acc = a*b for the very first k of the whole engine (stage 0, k = 0), then
// acc = acc + round(a*b). Vector lanes run along j (8 output columns per accumulator), so each lane
// is exactly one element's chain and no reduction across lanes ever happens.
#pragma once

#include <adf.h>
#include <aie_api/aie.hpp>
#include <aie_api/aie_adf.hpp>
#include <cstdint>

namespace rsn_mme {

constexpr unsigned kTile = 32;                      // M = K = N of one kernel
constexpr unsigned kTileElems = kTile * kTile;
constexpr unsigned kLanes = 8;                      // FP32 lanes of one accumulator
constexpr unsigned kVecsPerRow = kTile / kLanes;    // accumulators covering one output row
constexpr unsigned kStreamVec = 4;                  // floats per 128-bit stream access

enum class Stage { kFirst, kMiddle, kLast };

// Two A and two B tiles (16 KiB): block n+1 streams in while block n is being computed, so the
// stream reads hide behind the MACs. The PL must therefore be able to deliver block n+1's
// operands before it receives block n's result (true of MemA/MemB, which never wait on MemC).
struct TileBuffers {
  alignas(32) float a[2][kTileElems];
  alignas(32) float b[2][kTileElems];
};

// One 32-float row of the A tile and one of the B tile, in stream order.
inline void load_rows(float* a_dst, float* b_dst, input_stream<float>* a_in,
                      input_stream<float>* b_in) {
  for (unsigned t = 0; t < kTile / kStreamVec; ++t)
    chess_prepare_for_pipelining {
      aie::store_v(a_dst + kStreamVec * t, readincr_v<kStreamVec>(a_in));
      aie::store_v(b_dst + kStreamVec * t, readincr_v<kStreamVec>(b_in));
    }
}

// Output row i of this stage: four independent accumulators (one per 8 columns) so the MAC
// pipeline never waits on its own previous result.
template <Stage S>
inline void compute_row(const float* a_row, const float* b,
                        [[maybe_unused]] input_cascade<accfloat>* acc_in,
                        [[maybe_unused]] output_cascade<accfloat>* acc_out,
                        [[maybe_unused]] output_stream<float>* c_out) {
  aie::accum<accfloat, kLanes> acc[kVecsPerRow];
  unsigned k_begin = 0;
  if constexpr (S == Stage::kFirst) {
    // The chain starts with a plain product, not a MAC onto zero: 0 + (-0) would lose the sign.
    for (unsigned v = 0; v < kVecsPerRow; ++v) {
      acc[v] = aie::mul(a_row[0], aie::load_v<kLanes>(b + kLanes * v));
    }
    k_begin = 1;
  } else {
    for (unsigned v = 0; v < kVecsPerRow; ++v) acc[v] = readincr_v<kLanes>(acc_in);
  }
  for (unsigned k = k_begin; k < kTile; ++k)
    chess_prepare_for_pipelining chess_loop_range(31, 32) {
      const float a = a_row[k];
      const float* b_row = b + kTile * k;
      for (unsigned v = 0; v < kVecsPerRow; ++v) {
        acc[v] = aie::mac(acc[v], a, aie::load_v<kLanes>(b_row + kLanes * v));
      }
    }
  if constexpr (S == Stage::kLast) {
    for (unsigned v = 0; v < kVecsPerRow; ++v) {
      const aie::vector<float, kLanes> out = acc[v].template to_vector<float>();
      writeincr(c_out, out.template extract<kStreamVec>(0));
      writeincr(c_out, out.template extract<kStreamVec>(1));
    }
  } else {
    for (unsigned v = 0; v < kVecsPerRow; ++v) writeincr(acc_out, acc[v]);
  }
}

// `blocks` block products back to back (the runtime parameter written once per program).
template <Stage S>
inline void run_blocks(TileBuffers& m, input_stream<float>* a_in, input_stream<float>* b_in,
                       input_cascade<accfloat>* acc_in, output_cascade<accfloat>* acc_out,
                       output_stream<float>* c_out, uint32_t blocks) {
  if (blocks == 0) return;
  for (unsigned i = 0; i < kTile; ++i) {
    load_rows(m.a[0] + kTile * i, m.b[0] + kTile * i, a_in, b_in);
  }
  for (uint32_t n = 0; n < blocks; ++n) {
    const unsigned cur = n & 1u;
    const bool prefetch = n + 1 < blocks;
    float* a_next = m.a[cur ^ 1u];
    float* b_next = m.b[cur ^ 1u];
    for (unsigned i = 0; i < kTile; ++i) {
      if (prefetch) load_rows(a_next + kTile * i, b_next + kTile * i, a_in, b_in);
      compute_row<S>(m.a[cur] + kTile * i, m.b[cur], acc_in, acc_out, c_out);
    }
  }
}

}  // namespace rsn_mme
