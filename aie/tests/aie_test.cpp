// C++ tests of the kernels, the graph and the C entry points (run by `make -C aie test`).
// Every comparison is bit-exact against a scalar implementation of the numerics contract.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "graph.h"
#include "rsn_aie.h"
#include "rsn_compat/graph_sim.h"

namespace {

int g_failures = 0;

#define EXPECT(cond, ...)                                              \
  do {                                                                 \
    if (!(cond)) {                                                     \
      ++g_failures;                                                    \
      std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                               \
      std::fprintf(stderr, "\n");                                      \
    }                                                                  \
  } while (0)

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Values that stress rounding: plain randoms, large magnitudes, subnormals, signed zeros and (when
// `with_inf`) infinities.
std::vector<float> edge_data(size_t n, uint32_t seed, bool with_inf) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::uniform_int_distribution<int> pick(0, 99);
  std::vector<float> v(n);
  for (auto& x : v) {
    const int p = pick(rng);
    if (p < 80) x = u(rng);
    else if (p < 85) x = u(rng) * 1e30f;
    else if (p < 90) x = u(rng) * 1e-39f;  // subnormal
    else if (p < 93) x = 0.0f;
    else if (p < 96) x = -0.0f;
    else if (p < 98) x = u(rng) * 3e38f;
    else x = with_inf ? (p == 98 ? INFINITY : -INFINITY) : u(rng) * 1e-20f;
  }
  return v;
}

// acc chain of the contract for a (m x kk, lda) times b (kk x n, ldb); `init` continues a chain.
void ref_chain(const float* a, size_t lda, const float* b, size_t ldb, unsigned m, unsigned n,
               unsigned kk, const float* init, float* c) {
  for (unsigned i = 0; i < m; ++i) {
    for (unsigned j = 0; j < n; ++j) {
      unsigned k0 = 0;
      float acc;
      if (init != nullptr) {
        acc = init[i * n + j];
      } else {
        acc = a[i * lda] * b[j];
        k0 = 1;
      }
      for (unsigned k = k0; k < kk; ++k) {
        const float p = a[i * lda + k] * b[k * ldb + j];
        acc = acc + p;
      }
      c[i * n + j] = acc;
    }
  }
}

size_t mismatches(const std::vector<float>& x, const std::vector<float>& y) {
  size_t bad = 0;
  for (size_t i = 0; i < x.size(); ++i) bad += bits(x[i]) != bits(y[i]);
  return bad;
}

std::string last_error() {
  char buf[512];
  rsn_aie_last_error(buf, sizeof buf);
  return buf;
}

void test_kernel_stages() {
  const uint32_t blocks = 3;
  const size_t n = 1024 * blocks;
  const auto a = edge_data(n, 1, true), b = edge_data(n, 2, true), acc = edge_data(n, 3, true);
  std::vector<float> got(n), want(n);
  for (int stage = 0; stage < 3; ++stage) {
    EXPECT(rsn_aie_kernel_stage(stage, a.data(), b.data(), acc.data(), got.data(), blocks) == 0,
           "stage %d: %s", stage, last_error().c_str());
    for (uint32_t blk = 0; blk < blocks; ++blk) {
      const size_t o = 1024 * blk;
      ref_chain(a.data() + o, 32, b.data() + o, 32, 32, 32, 32, stage == 0 ? nullptr : acc.data() + o,
                want.data() + o);
    }
    EXPECT(mismatches(got, want) == 0, "stage %d: %zu of %zu differ", stage, mismatches(got, want),
           n);
  }
}

void test_cascade() {
  const uint32_t blocks = 2;
  const auto a = edge_data(32 * 128 * blocks, 4, false), b = edge_data(128 * 32 * blocks, 5, false);
  std::vector<float> got(1024 * blocks), want(1024 * blocks);
  EXPECT(rsn_aie_cascade(a.data(), b.data(), got.data(), blocks) == 0, "%s", last_error().c_str());
  for (uint32_t blk = 0; blk < blocks; ++blk) {
    ref_chain(a.data() + 4096 * blk, 128, b.data() + 4096 * blk, 32, 32, 32, 128, nullptr,
              want.data() + 1024 * blk);
  }
  EXPECT(mismatches(got, want) == 0, "cascade: %zu differ", mismatches(got, want));
}

void test_engine(uint32_t blocks, uint32_t seed) {
  const size_t n = 128 * 128 * static_cast<size_t>(blocks);
  const auto a = edge_data(n, seed, true), b = edge_data(n, seed + 1, true);
  std::vector<float> got(n), want(n);
  const int rc = blocks == 1 ? rsn_aie_engine_block(a.data(), b.data(), got.data())
                             : rsn_aie_engine_blocks(a.data(), b.data(), got.data(), blocks);
  EXPECT(rc == 0, "engine: %s", last_error().c_str());
  for (uint32_t blk = 0; blk < blocks; ++blk) {
    const size_t o = 128 * 128 * static_cast<size_t>(blk);
    ref_chain(a.data() + o, 128, b.data() + o, 128, 128, 128, 128, nullptr, want.data() + o);
  }
  EXPECT(mismatches(got, want) == 0, "engine x%u: %zu differ", blocks, mismatches(got, want));
}

void test_not_fused() {
  // -(1 + 2eps) + x*x with x*x = 1 + 2eps + eps^2 in the MAC step (k = 1): exactly 0 only when
  // the MAC rounds its product first; a fused MAC leaves eps^2.
  std::vector<float> a(128 * 128, 0.0f), b(128 * 128, 0.0f), c(128 * 128);
  const float x = 1.0f + FLT_EPSILON;
  a[0] = -1.0f;
  b[0] = 1.0f + 2.0f * FLT_EPSILON;
  a[1] = x;
  b[128] = x;
  EXPECT(rsn_aie_engine_block(a.data(), b.data(), c.data()) == 0, "%s", last_error().c_str());
  EXPECT(bits(c[0]) == 0, "product was fused: %a", c[0]);
}

void test_errors() {
  float f[1024] = {};
  EXPECT(rsn_aie_kernel_stage(7, f, f, f, f, 1) == RSN_AIE_ERR_ARG, "bad stage accepted");
  EXPECT(last_error().find("stage 7") != std::string::npos, "message: %s", last_error().c_str());
  EXPECT(rsn_aie_cascade(f, f, f, 0) == RSN_AIE_ERR_ARG, "blocks = 0 accepted");
  EXPECT(rsn_aie_engine_blocks(f, f, f, RSN_AIE_MAX_BLOCKS + 1) == RSN_AIE_ERR_ARG, "too many blocks");
  EXPECT(rsn_aie_engine_block(nullptr, f, f) == RSN_AIE_ERR_NULL, "null accepted");
}

// The full 6-engine graph: names, counts, widths and who feeds whom.
void test_graph_topology() {
  using namespace rsn_aie;
  RsnGraph g;
  std::set<std::string> names;
  for (unsigned e = 0; e < kEngines; ++e) {
    MmeEngine& m = g.engine(e);
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned s = 0; s < kStages; ++s) {
        const auto& n = *m.a[r][s].node();
        names.insert(n.name);
        EXPECT(n.name == a_port_name(e, r, s) && n.width_bits == 64, "%s", n.name.c_str());
        std::set<const adf::detail::node*> fed;
        for (const auto& ed : n.out_edges[0]) fed.insert(ed.dst.n.get());
        for (unsigned c = 0; c < kCols; ++c) {
          EXPECT(fed.count(m.tile[r][c].k[s].node().get()) == 1, "%s misses (%u,%u,%u)",
                 n.name.c_str(), r, c, s);
        }
        EXPECT(fed.size() == kCols, "%s feeds %zu kernels", n.name.c_str(), fed.size());
      }
    }
    for (unsigned s = 0; s < kStages; ++s) {
      for (unsigned c = 0; c < kCols; ++c) {
        const auto& n = *m.b[s][c].node();
        names.insert(n.name);
        EXPECT(n.name == b_port_name(e, s, c), "%s", n.name.c_str());
        std::set<const adf::detail::node*> fed;
        for (const auto& ed : n.out_edges[0]) fed.insert(ed.dst.n.get());
        for (unsigned r = 0; r < kRows; ++r) {
          EXPECT(fed.count(m.tile[r][c].k[s].node().get()) == 1, "%s misses (%u,%u,%u)",
                 n.name.c_str(), r, c, s);
        }
        EXPECT(fed.size() == kRows, "%s feeds %zu kernels", n.name.c_str(), fed.size());
      }
    }
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned c = 0; c < kCols; ++c) {
        const auto& n = *m.c[r][c].node();
        names.insert(n.name);
        EXPECT(n.name == c_port_name(e, r, c), "%s", n.name.c_str());
        EXPECT(n.in_edges[0].size() == 1 &&
                   n.in_edges[0][0].src.n == m.tile[r][c].k[kStages - 1].node(),
               "%s not driven by its last stage", n.name.c_str());
      }
    }
  }
  EXPECT(names.size() == kEngines * 48, "%zu distinct PLIO names", names.size());
}

template <typename E, typename F>
bool throws(F&& f, const char* needle) {
  try {
    f();
  } catch (const E& e) {
    if (std::string(e.what()).find(needle) != std::string::npos) return true;
    std::fprintf(stderr, "unexpected message: %s\n", e.what());
  }
  return false;
}

// The compat executor must reject what the hardware would hang or misroute on.
void test_compat_protocol_checks() {
  using namespace rsn_aie;
  struct Harness : adf::graph {
    MmeCascade cas;
    adf::input_plio a[kStages], b[kStages];
    adf::output_plio c;
    Harness() {
      for (unsigned s = 0; s < kStages; ++s) {
        a[s] = adf::input_plio::create("t_a" + std::to_string(s), adf::plio_64_bits, "");
        b[s] = adf::input_plio::create("t_b" + std::to_string(s), adf::plio_64_bits, "");
        adf::connect(a[s].out[0], cas.k[s].in[MmePorts::kInA]);
        adf::connect(b[s].out[0], cas.k[s].in[MmePorts::kInB]);
      }
      c = adf::output_plio::create("t_c", adf::plio_64_bits, "");
      adf::connect(cas.k[kStages - 1].out[MmePorts::kOut], c.in[0]);
    }
  } h;
  std::vector<const adf::input_plio*> ins;
  for (auto& p : h.a) ins.push_back(&p);
  for (auto& p : h.b) ins.push_back(&p);
  rsn_compat::graph_sim sim(ins, {&h.c});
  EXPECT(sim.kernel_count() == kStages, "%zu kernels", sim.kernel_count());
  std::vector<uint64_t> beats(512, 0);
  for (size_t i = 0; i < ins.size(); ++i) sim.write_beats(i, beats.data(), beats.size());
  EXPECT(throws<std::logic_error>([&] { sim.run(); }, "runtime parameter"), "RTP not enforced");
  for (auto& p : h.cas.blocks) sim.update(p, 1);
  sim.run();
  EXPECT(sim.output_beat_count(0) == 512, "%zu beats", sim.output_beat_count(0));
  // One beat too many on an A stream: the kernel leaves it unread.
  std::vector<uint64_t> more(513, 0);
  sim.write_beats(0, more.data(), more.size());
  for (auto& p : h.cas.blocks) sim.update(p, 1);
  EXPECT(throws<rsn_compat::stream_error>([&] { sim.run(); }, "unread"), "leftover not caught");
  // One beat short: the kernel reads past the end.
  sim.write_beats(0, more.data(), 511);
  for (auto& p : h.cas.blocks) sim.update(p, 1);
  EXPECT(throws<rsn_compat::stream_error>([&] { sim.run(); }, "past its end"), "underflow not caught");
  // Wiring errors are caught when the graph is built.
  MmeCascade other;
  EXPECT(throws<std::logic_error>(
             [&] { adf::connect(other.k[0].out[MmePorts::kOut], h.c.in[0]); }, "already has a source"),
         "double-driven output accepted");
  EXPECT(throws<std::logic_error>(
             [&] {
               adf::kernel lone = adf::kernel::create_object<MmeMiddleStage>();
               adf::connect(h.a[0].out[0], lone.in[MmePorts::kInCascade]);
             },
             "cannot connect"),
         "stream into cascade accepted");
}

}  // namespace

int main() {
  test_kernel_stages();
  test_cascade();
  test_engine(1, 10);
  test_engine(3, 20);
  test_not_fused();
  test_errors();
  test_graph_topology();
  test_compat_protocol_checks();
  if (g_failures != 0) {
    std::fprintf(stderr, "aie_test: %d failure(s)\n", g_failures);
    return 1;
  }
  std::printf("aie_test: all passed\n");
  return 0;
}
