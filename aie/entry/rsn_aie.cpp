// Host-side driver of the AI Engine model (not AIE code): serialises blocks into PLIO beats the way
// the PL sends them, runs the graph with rsn_compat::graph_sim and gathers the results.
#include "rsn_aie.h"

#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph.h"
#include "rsn_compat/graph_sim.h"

namespace {

constexpr unsigned kBlock = 128;
constexpr unsigned kBlockElems = kBlock * kBlock;
constexpr unsigned kTile = rsn_mme::kTile;
constexpr unsigned kTileElems = rsn_mme::kTileElems;
constexpr unsigned kBeatsPerTile = kTileElems / 2;

thread_local std::string g_last_error;

struct arg_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

uint64_t beat(float lo, float hi) {
  uint32_t l, h;
  std::memcpy(&l, &lo, 4);
  std::memcpy(&h, &hi, 4);
  return static_cast<uint64_t>(l) | (static_cast<uint64_t>(h) << 32);
}

void unbeat(uint64_t b, float* lo, float* hi) {
  const uint32_t l = static_cast<uint32_t>(b), h = static_cast<uint32_t>(b >> 32);
  std::memcpy(lo, &l, 4);
  std::memcpy(hi, &h, 4);
}

// Beats of the 32x32 sub-tile at (row0, col0) of a row-major matrix with `ld` columns.
void pack_tile(const float* m, unsigned ld, unsigned row0, unsigned col0, uint64_t* out) {
  for (unsigned i = 0; i < kTile; ++i) {
    const float* row = m + static_cast<size_t>(row0 + i) * ld + col0;
    for (unsigned t = 0; t < kTile / 2; ++t) *out++ = beat(row[2 * t], row[2 * t + 1]);
  }
}

void unpack_tile(const uint64_t* in, float* m, unsigned ld, unsigned row0, unsigned col0) {
  for (unsigned i = 0; i < kTile; ++i) {
    float* row = m + static_cast<size_t>(row0 + i) * ld + col0;
    for (unsigned t = 0; t < kTile / 2; ++t) unbeat(*in++, &row[2 * t], &row[2 * t + 1]);
  }
}

// The graphs are built once per process (graph construction is not thread-safe, the static
// initialisation guard serialises it); simulations of them are per thread.
const rsn_aie::MmeEngine& engine_graph() {
  static const rsn_aie::MmeEngine g(0);
  return g;
}

struct CascadeHarness : adf::graph {
  rsn_aie::MmeCascade cas;
  adf::input_plio a[rsn_aie::kStages];
  adf::input_plio b[rsn_aie::kStages];
  adf::output_plio c;

  CascadeHarness() {
    for (unsigned s = 0; s < rsn_aie::kStages; ++s) {
      a[s] = adf::input_plio::create("harness_a_k" + std::to_string(s), adf::plio_64_bits, "");
      b[s] = adf::input_plio::create("harness_b_k" + std::to_string(s), adf::plio_64_bits, "");
      adf::connect(a[s].out[0], cas.k[s].in[MmePorts::kInA]);
      adf::connect(b[s].out[0], cas.k[s].in[MmePorts::kInB]);
    }
    c = adf::output_plio::create("harness_c", adf::plio_64_bits, "");
    adf::connect(cas.k[rsn_aie::kStages - 1].out[MmePorts::kOut], c.in[0]);
  }
};

const CascadeHarness& cascade_graph() {
  static const CascadeHarness g;
  return g;
}

struct EngineCtx {
  // Simulator input order: the 16 A ports (r-major), then the 16 B ports (s-major); outputs r-major.
  rsn_compat::graph_sim sim;
  std::vector<uint64_t> beats;

  static std::vector<const adf::input_plio*> ins() {
    const auto& g = engine_graph();
    std::vector<const adf::input_plio*> v;
    for (const auto& row : g.a)
      for (const auto& p : row) v.push_back(&p);
    for (const auto& row : g.b)
      for (const auto& p : row) v.push_back(&p);
    return v;
  }
  static std::vector<const adf::output_plio*> outs() {
    std::vector<const adf::output_plio*> v;
    for (const auto& row : engine_graph().c)
      for (const auto& p : row) v.push_back(&p);
    return v;
  }
  EngineCtx() : sim(ins(), outs()) {}

  void run(const float* a, const float* b, float* c, uint32_t blocks) {
    using namespace rsn_aie;
    const auto& g = engine_graph();
    beats.resize(static_cast<size_t>(blocks) * kBeatsPerTile);
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned s = 0; s < kStages; ++s) {
        for (uint32_t n = 0; n < blocks; ++n) {
          pack_tile(a + static_cast<size_t>(n) * kBlockElems, kBlock, kTile * r, kTile * s,
                    beats.data() + static_cast<size_t>(n) * kBeatsPerTile);
        }
        sim.write_beats(r * kStages + s, beats.data(), beats.size());
      }
    }
    for (unsigned s = 0; s < kStages; ++s) {
      for (unsigned col = 0; col < kCols; ++col) {
        for (uint32_t n = 0; n < blocks; ++n) {
          pack_tile(b + static_cast<size_t>(n) * kBlockElems, kBlock, kTile * s, kTile * col,
                    beats.data() + static_cast<size_t>(n) * kBeatsPerTile);
        }
        sim.write_beats(kRows * kStages + s * kCols + col, beats.data(), beats.size());
      }
    }
    for (unsigned r = 0; r < kRows; ++r)
      for (unsigned col = 0; col < kCols; ++col)
        for (unsigned s = 0; s < kStages; ++s) sim.update(g.tile[r][col].blocks[s], blocks);
    sim.run();
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned col = 0; col < kCols; ++col) {
        sim.read_beats(r * kCols + col, beats.data(), beats.size());
        for (uint32_t n = 0; n < blocks; ++n) {
          unpack_tile(beats.data() + static_cast<size_t>(n) * kBeatsPerTile,
                      c + static_cast<size_t>(n) * kBlockElems, kBlock, kTile * r, kTile * col);
        }
      }
    }
  }
};

struct CascadeCtx {
  rsn_compat::graph_sim sim;
  std::vector<uint64_t> beats;

  static std::vector<const adf::input_plio*> ins() {
    std::vector<const adf::input_plio*> v;
    for (const auto& p : cascade_graph().a) v.push_back(&p);
    for (const auto& p : cascade_graph().b) v.push_back(&p);
    return v;
  }
  CascadeCtx() : sim(ins(), {&cascade_graph().c}) {}

  void run(const float* a, const float* b, float* c, uint32_t blocks) {
    const unsigned k_total = kTile * rsn_aie::kStages;
    const size_t a_elems = static_cast<size_t>(kTile) * k_total;
    beats.resize(static_cast<size_t>(blocks) * kBeatsPerTile);
    for (unsigned s = 0; s < rsn_aie::kStages; ++s) {
      for (uint32_t n = 0; n < blocks; ++n) {
        pack_tile(a + n * a_elems, k_total, 0, kTile * s, beats.data() + n * kBeatsPerTile);
      }
      sim.write_beats(s, beats.data(), beats.size());
      for (uint32_t n = 0; n < blocks; ++n) {
        pack_tile(b + n * a_elems, kTile, kTile * s, 0, beats.data() + n * kBeatsPerTile);
      }
      sim.write_beats(rsn_aie::kStages + s, beats.data(), beats.size());
    }
    for (const auto& p : cascade_graph().cas.blocks) sim.update(p, blocks);
    sim.run();
    sim.read_beats(0, beats.data(), beats.size());
    for (uint32_t n = 0; n < blocks; ++n) {
      unpack_tile(beats.data() + n * kBeatsPerTile, c + n * kTileElems, kTile, 0, 0);
    }
  }
};

EngineCtx& engine_ctx() {
  thread_local std::unique_ptr<EngineCtx> ctx;
  if (!ctx) ctx = std::make_unique<EngineCtx>();
  return *ctx;
}

CascadeCtx& cascade_ctx() {
  thread_local std::unique_ptr<CascadeCtx> ctx;
  if (!ctx) ctx = std::make_unique<CascadeCtx>();
  return *ctx;
}

void check_blocks(uint32_t blocks) {
  if (blocks == 0 || blocks > RSN_AIE_MAX_BLOCKS) {
    throw arg_error("blocks = " + std::to_string(blocks) + " is outside 1.." +
                    std::to_string(RSN_AIE_MAX_BLOCKS));
  }
}

void words_to_stream(const float* src, size_t n, rsn_compat::word_queue& q) {
  q.words.resize(n);
  std::memcpy(q.words.data(), src, n * 4);
}

// One kernel driven directly through its streams (no graph): the unit under test is the kernel.
void kernel_stage(int stage, const float* a, const float* b, const float* acc_in, float* out,
                  uint32_t blocks) {
  const size_t n = static_cast<size_t>(blocks) * kTileElems;
  rsn_compat::word_queue qa{{}, "a"}, qb{{}, "b"}, qc{{}, "c"};
  rsn_compat::lane_queue lin{{}, "acc_in"}, lout{{}, "acc_out"};
  words_to_stream(a, n, qa);
  words_to_stream(b, n, qb);
  input_stream<float> sa{&qa, 0}, sb{&qb, 0};
  input_cascade<accfloat> cin{&lin, 0};
  output_cascade<accfloat> cout{&lout};
  output_stream<float> sc{&qc};
  if (stage != 0) lin.lanes.assign(acc_in, acc_in + n);
  switch (stage) {
    case 0: {
      auto k = std::make_unique<MmeFirstStage>();
      k->run(&sa, &sb, &cout, blocks);
      break;
    }
    case 1: {
      auto k = std::make_unique<MmeMiddleStage>();
      k->run(&sa, &sb, &cin, &cout, blocks);
      break;
    }
    case 2: {
      auto k = std::make_unique<MmeLastStage>();
      k->run(&sa, &sb, &cin, &sc, blocks);
      break;
    }
    default:
      throw arg_error("stage " + std::to_string(stage) + " is not 0 (first), 1 (middle) or 2 (last)");
  }
  if (sa.head != n || sb.head != n || cin.head != (stage == 0 ? 0 : n)) {
    throw rsn_compat::stream_error("kernel did not consume exactly its operands");
  }
  if (stage == 2) {
    if (qc.words.size() != n) throw rsn_compat::stream_error("last stage wrote a wrong C length");
    std::memcpy(out, qc.words.data(), n * 4);
  } else {
    if (lout.lanes.size() != n) throw rsn_compat::stream_error("stage wrote a wrong cascade length");
    std::memcpy(out, lout.lanes.data(), n * 4);
  }
}

template <typename F>
int guarded(F&& f) {
  try {
    f();
    return RSN_AIE_OK;
  } catch (const arg_error& e) {
    g_last_error = e.what();
    return RSN_AIE_ERR_ARG;
  } catch (const rsn_compat::stream_error& e) {
    g_last_error = e.what();
    return RSN_AIE_ERR_GRAPH;
  } catch (const std::logic_error& e) {
    g_last_error = e.what();
    return RSN_AIE_ERR_GRAPH;
  } catch (const std::exception& e) {
    g_last_error = e.what();
    return RSN_AIE_ERR_INTERNAL;
  } catch (...) {
    g_last_error = "unknown C++ exception";
    return RSN_AIE_ERR_INTERNAL;
  }
}

}  // namespace

extern "C" int rsn_aie_engine_block(const float* a_blk, const float* b_blk, float* c_blk) {
  if (a_blk == nullptr || b_blk == nullptr || c_blk == nullptr) return RSN_AIE_ERR_NULL;
  return guarded([&] { engine_ctx().run(a_blk, b_blk, c_blk, 1); });
}

extern "C" int rsn_aie_engine_blocks(const float* a, const float* b, float* c, uint32_t blocks) {
  if (a == nullptr || b == nullptr || c == nullptr) return RSN_AIE_ERR_NULL;
  return guarded([&] {
    check_blocks(blocks);
    engine_ctx().run(a, b, c, blocks);
  });
}

extern "C" int rsn_aie_cascade(const float* a, const float* b, float* c, uint32_t blocks) {
  if (a == nullptr || b == nullptr || c == nullptr) return RSN_AIE_ERR_NULL;
  return guarded([&] {
    check_blocks(blocks);
    cascade_ctx().run(a, b, c, blocks);
  });
}

extern "C" int rsn_aie_kernel_stage(int stage, const float* a, const float* b, const float* acc_in,
                                    float* out, uint32_t blocks) {
  if (a == nullptr || b == nullptr || out == nullptr || (stage != 0 && acc_in == nullptr)) {
    return RSN_AIE_ERR_NULL;
  }
  return guarded([&] {
    check_blocks(blocks);
    kernel_stage(stage, a, b, acc_in, out, blocks);
  });
}

extern "C" size_t rsn_aie_last_error(char* buf, size_t len) {
  if (buf != nullptr && len > 0) {
    const size_t n = g_last_error.size() < len - 1 ? g_last_error.size() : len - 1;
    std::memcpy(buf, g_last_error.data(), n);
    buf[n] = '\0';
  }
  return g_last_error.size();
}
