// Streams binary32 test vectors through one FP unit with valid/ready ports
// (in_a_i [, in_b_i], in_valid_i, in_ready_o, out_data_o, out_valid_o, out_ready_i [, abort_i]),
// with random input bubbles and output back-pressure, and checks every result in order against the
// vector file. Usage: tb_X VECTOR_FILE [SEED].
//
// Lanes: a unit built with Lanes > 1 takes one vector of Lanes floats per item (lane l = bits
// [32*l +: 32]). The lane count is read from the width of out_data_o, so one testbench source
// serves every build. Item i carries vectors i*Lanes .. i*Lanes+Lanes-1; the last item is padded
// with vectors from the start of the file, and every lane is checked.
//
// Abort: a unit with an abort_i port also gets random aborts in the stalled phases, in any state
// (idle with an offer, computing, or holding a result). The item in flight (and an offer accepted
// in the same cycle) must vanish: the next cycle the unit must be idle with no result, and the
// testbench sends the same vectors again, so every vector is still checked once it gets through.
//
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>

#include "tb_common.h"

namespace tb {

// Lane l of a data port, whatever C++ type Verilator gives it: IData up to 32 bits, QData up to
// 64, VlWide beyond.
inline uint32_t get_lane(uint32_t p, int) { return p; }
inline uint32_t get_lane(uint64_t p, int l) { return static_cast<uint32_t>(p >> (32 * l)); }
template <std::size_t N>
inline uint32_t get_lane(const VlWide<N>& p, int l) {
  return p.at(static_cast<size_t>(l));
}
inline void set_lane(uint32_t& p, int, uint32_t v) { p = v; }
inline void set_lane(uint64_t& p, int l, uint32_t v) {
  p = (p & ~(0xffffffffull << (32 * l))) | (static_cast<uint64_t>(v) << (32 * l));
}
template <std::size_t N>
inline void set_lane(VlWide<N>& p, int l, uint32_t v) {
  p.at(static_cast<size_t>(l)) = v;
}

template <class M, class = void>
struct has_abort : std::false_type {};
template <class M>
struct has_abort<M, std::void_t<decltype(std::declval<M&>().abort_i)>> : std::true_type {};

// drive(m, lane, vector) sets the inputs of one lane.
template <class M, class Drive>
int run_fp_stream_lanes(int argc, char** argv, const char* name, int nin, uint64_t max_latency, Drive drive) {
  if (argc < 2) fail(name, "usage: VECTOR_FILE [SEED]");
  const uint64_t seed = (argc > 2) ? std::strtoull(argv[2], nullptr, 0) : 1;
  std::vector<Vec> vecs = load_vectors(name, argv[1], nin);

  auto* ctx = new VerilatedContext;
  auto* m = new M{ctx};
  using Data = std::remove_reference_t<decltype(m->out_data_o)>;
  const int lanes = static_cast<int>(sizeof(Data) / 4);
  const size_t items = (vecs.size() + lanes - 1) / lanes;
  auto vec_of = [&](size_t item, int lane) -> const Vec& {
    return vecs[(item * lanes + static_cast<size_t>(lane)) % vecs.size()];
  };

  Clocked<M> clk(m);
  Rng rng(seed);
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  if constexpr (has_abort<M>::value) m->abort_i = 0;
  // rst_ni starts at 0, so without this the reset would see no falling edge and any register whose
  // reset value is not 0 (e.g. a one-hot state after synthesis) would keep its initial value.
  m->rst_ni = 1;
  m->eval();
  clk.reset();

  // sent/recv count items (vectors of `lanes` floats).
  size_t sent = 0, recv = 0, failures = 0, aborts = 0;
  bool offering = false;
  bool held_valid = false;
  bool aborted = false;  // abort_i was high in the previous cycle
  Data held_data{};
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
  while (recv < items) {
    const bool stress = ((clk.cycles >> 12) & 1) != 0;
    if (!offering && sent < items && (!stress || rng.chance(70))) {
      offering = true;
      for (int l = 0; l < lanes; ++l) drive(m, l, vec_of(sent, l));
    }
    bool abort = false;
    if constexpr (has_abort<M>::value) {
      abort = stress && rng.below(200) == 0;
      m->abort_i = abort;
    }
    m->in_valid_i = offering;
    // No transfer in an abort cycle: the dropped item must not be seen as delivered.
    m->out_ready_i = !abort && (!stress || rng.chance(60));
    clk.settle();

    if (aborted) {
      if (m->out_valid_o) fail(name, fmt("cycle %" PRIu64 ": out_valid_o after abort", clk.cycles));
      if (!m->in_ready_o) fail(name, fmt("cycle %" PRIu64 ": not idle after abort", clk.cycles));
    }
    if (held_valid) {
      if (!m->out_valid_o) fail(name, fmt("cycle %" PRIu64 ": out_valid_o dropped before the transfer", clk.cycles));
      if (m->out_data_o != held_data) fail(name, fmt("cycle %" PRIu64 ": out_data_o changed while stalled", clk.cycles));
    }
    if (abort) {
      // Whatever was in flight or accepted now is gone; send it again.
      sent = recv;
      offering = false;
      accepted_at.clear();
      head_seen = false;
      held_valid = false;
      aborted = true;
      idle_cycles = 0;
      ++aborts;
      clk.edge();
      continue;
    }
    aborted = false;
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
      for (int l = 0; l < lanes; ++l) {
        const Vec& v = vec_of(recv, l);
        const uint32_t got = get_lane(m->out_data_o, l);
        if (result_matches(got, v.want)) continue;
        if (failures < 8) {
          const size_t idx = (recv * lanes + static_cast<size_t>(l)) % vecs.size();
          const std::string where = (lanes > 1) ? fmt(" (lane %d)", l) : std::string();
          if (nin == 2)
            std::fprintf(stderr, "%s: MISMATCH #%zu%s: %08x %08x -> got %08x want %08x\n", name, idx, where.c_str(), v.in[0],
                         v.in[1], got, v.want);
          else
            std::fprintf(stderr, "%s: MISMATCH #%zu%s: %08x -> got %08x want %08x\n", name, idx, where.c_str(), v.in[0], got,
                         v.want);
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
  const std::string shape = (lanes > 1) ? fmt(" in %zu items of %d lanes", items, lanes) : std::string();
  const std::string abort_info = has_abort<M>::value ? fmt(", %zu aborts", aborts) : std::string();
  std::printf("%s: %zu vectors%s, %zu mismatches, %" PRIu64 " cycles, latency %" PRIu64 "..%" PRIu64 " cycles (unstalled)%s\n",
              name, vecs.size(), shape.c_str(), failures, clk.cycles, lat_min, lat_max, abort_info.c_str());
  delete m;
  delete ctx;
  return failures ? 1 : 0;
}

template <class M>
int run_fp_stream(int argc, char** argv, const char* name, int nin, uint64_t max_latency,
                  void (*drive)(M*, int, const Vec&)) {
  return run_fp_stream_lanes<M>(argc, argv, name, nin, max_latency, drive);
}

// One-lane units (add, mul): drive(m, vector).
template <class M>
int run_fp_stream(int argc, char** argv, const char* name, int nin, uint64_t max_latency, void (*drive)(M*, const Vec&)) {
  static_assert(sizeof(std::remove_reference_t<decltype(std::declval<M&>().out_data_o)>) == 4,
                "a multi-lane unit needs a per-lane drive");
  return run_fp_stream_lanes<M>(argc, argv, name, nin, max_latency, [drive](M* m, int, const Vec& v) { drive(m, v); });
}

}  // namespace tb
