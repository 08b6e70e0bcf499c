// g++ stand-in for aie_api/aie_adf.hpp: vector and accumulator access to ADF streams and cascades.
#pragma once

#include <cstring>

#include "../adf.h"
#include "aie.hpp"

// N floats from a 32-bit stream, in arrival order (lane 0 first).
template <unsigned N>
aie::vector<float, N> readincr_v(input_stream<float>* s) {
  const uint32_t* w = s->pop_words(N);
  aie::vector<float, N> r;
  for (unsigned i = 0; i < N; ++i) {
    float f;
    std::memcpy(&f, &w[i], sizeof f);
    r.set(f, i);
  }
  return r;
}

template <unsigned N>
void writeincr(output_stream<float>* s, const aie::vector<float, N>& v) {
  for (unsigned i = 0; i < N; ++i) {
    const float f = v[i];
    uint32_t w;
    std::memcpy(&w, &f, sizeof w);
    s->push_word(w);
  }
}

// A whole accumulator moves over the cascade in one transfer.
template <unsigned N>
aie::accum<accfloat, N> readincr_v(input_cascade<accfloat>* s) {
  aie::accum<accfloat, N> r;
  r.load_lanes(s->pop_lanes(N));
  return r;
}

template <unsigned N>
void writeincr(output_cascade<accfloat>* s, const aie::accum<accfloat, N>& acc) {
  float lanes[N];
  acc.store_lanes(lanes);
  s->push_lanes(lanes, N);
}
