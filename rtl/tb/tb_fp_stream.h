// Streams binary32 test vectors through one FP unit with valid/ready ports
// (in_a_i [, in_b_i], in_valid_i, in_ready_o, out_data_o, out_valid_o, out_ready_i), with random
// input bubbles and output back-pressure, and checks every result in order against the vector
// file. Usage: tb_X VECTOR_FILE [SEED].
//
#pragma once

#include <algorithm>

#include "tb_common.h"

namespace tb {

template <class M>
int run_fp_stream(int argc, char** argv, const char* name, int nin, uint64_t max_latency,
                  void (*drive)(M*, const Vec&)) {
  if (argc < 2) fail(name, "usage: VECTOR_FILE [SEED]");
  const uint64_t seed = (argc > 2) ? std::strtoull(argv[2], nullptr, 0) : 1;
  std::vector<Vec> vecs = load_vectors(name, argv[1], nin);

  auto* ctx = new VerilatedContext;
  auto* m = new M{ctx};
  Clocked<M> clk(m);
  Rng rng(seed);
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  clk.reset();

  size_t sent = 0, recv = 0, failures = 0;
  bool offering = false;
  bool held_valid = false;
  uint32_t held_data = 0;
  uint64_t idle_cycles = 0;
  // Latency from accept to the first cycle the result is offered, per item (queue of accept cycles).
  struct Accepted {
    uint64_t cycle;
    bool full_rate;  // accepted in a phase without back-pressure
  };
  std::deque<Accepted> accepted_at;
  bool head_seen = false;
  uint64_t lat_min = UINT64_MAX, lat_max = 0;
  // Alternate phases of full throughput and of random stalls so both are covered.
  while (recv < vecs.size()) {
    const bool stress = ((clk.cycles >> 12) & 1) != 0;
    if (!offering && sent < vecs.size() && (!stress || rng.chance(70))) {
      offering = true;
      drive(m, vecs[sent]);
    }
    m->in_valid_i = offering;
    m->out_ready_i = !stress || rng.chance(60);
    clk.settle();

    if (held_valid) {
      if (!m->out_valid_o) fail(name, fmt("cycle %" PRIu64 ": out_valid_o dropped before the transfer", clk.cycles));
      if (m->out_data_o != held_data) fail(name, fmt("cycle %" PRIu64 ": out_data_o changed while stalled", clk.cycles));
    }
    const bool in_fire = offering && m->in_ready_o;
    const bool out_fire = m->out_valid_o && m->out_ready_i;
    // A combinational unit (Stages = 0) offers the result in the cycle it accepts the input.
    if (in_fire) accepted_at.push_back({clk.cycles, !stress});
    if (m->out_valid_o && !head_seen && !accepted_at.empty()) {
      // Only items that never met back-pressure: this is the unit's own latency.
      if (!stress && accepted_at.front().full_rate) {
        const uint64_t lat = clk.cycles - accepted_at.front().cycle;
        lat_min = std::min(lat_min, lat);
        lat_max = std::max(lat_max, lat);
      }
      head_seen = true;
    }
    if (out_fire) {
      if (!accepted_at.empty()) accepted_at.pop_front();
      head_seen = false;
    }
    if (out_fire) {
      if (recv >= sent + (in_fire ? 1 : 0)) fail(name, fmt("cycle %" PRIu64 ": result without an input", clk.cycles));
      const Vec& v = vecs[recv];
      const uint32_t got = m->out_data_o;
      if (!result_matches(got, v.want)) {
        if (failures < 8) {
          if (nin == 2)
            std::fprintf(stderr, "%s: MISMATCH #%zu: %08x %08x -> got %08x want %08x\n", name, recv, v.in[0], v.in[1], got, v.want);
          else
            std::fprintf(stderr, "%s: MISMATCH #%zu: %08x -> got %08x want %08x\n", name, recv, v.in[0], got, v.want);
        }
        ++failures;
      }
      ++recv;
    }
    held_valid = m->out_valid_o && !m->out_ready_i;
    held_data = m->out_data_o;
    if (in_fire) {
      ++sent;
      offering = false;
    }
    idle_cycles = (in_fire || out_fire) ? 0 : idle_cycles + 1;
    if (idle_cycles > max_latency + 64) fail(name, fmt("no progress for %" PRIu64 " cycles (sent %zu, received %zu)", idle_cycles, sent, recv));
    clk.edge();
  }
  m->final();
  std::printf("%s: %zu vectors, %zu mismatches, %" PRIu64 " cycles, latency %" PRIu64 "..%" PRIu64 " cycles (unstalled)\n", name,
              vecs.size(), failures, clk.cycles, lat_min, lat_max);
  delete m;
  delete ctx;
  return failures ? 1 : 0;
}

}  // namespace tb
