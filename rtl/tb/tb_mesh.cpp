// Testbench for rsn_mesh (rtl/mesh): drives the uOPs and source beats of a vector file from
// rtl/vectors (`rsn-vectors mesh`) with random bubbles per source, back-pressures every engine output
// on its own, and checks every beat each engine receives (32 words and `last`) bit for bit, that a
// stalled output holds still, that valid does not depend on ready, that nothing extra comes out,
// that nothing hangs and that the unit ends idle. Before the checked run, a few abort trials start
// the vectors, abort at a random cycle, and check that the mesh empties and goes idle; the checked
// run then starts from scratch on the same unit (a half-broadcast beat left behind would show).
//
//   tb_mesh VECTORS SEED [fullrate]    (fullrate: no bubbles, outputs always ready; for timing)
#include <fstream>
#include <sstream>

#include "Vrsn_mesh.h"
#include "tb_common.h"

#ifndef TB_NAME
#define TB_NAME "tb_mesh"
#endif

namespace {

constexpr int kEngines = 6;
constexpr int kWords = 32;  // 32-bit words per beat

struct Uop {
  uint32_t w0, w1;
  bool bad;
};
struct Expect {
  uint64_t tag;
  bool last;
};

// The beat named by `tag` (the rule of rtl/vectors (`rsn-vectors mesh`)).
inline uint32_t beat_word(uint64_t tag, int w) {
  uint32_t lo = static_cast<uint32_t>(tag), hi = static_cast<uint32_t>(tag >> 32);
  uint32_t rot = w == 0 ? hi : (hi << w) | (hi >> (32 - w));
  return lo * static_cast<uint32_t>(2 * w + 1) ^ rot;
}

struct Tb {
  Vrsn_mesh* m;
  tb::Clocked<Vrsn_mesh>* clk;
  tb::Rng rng;
  int nsrc;
  const std::vector<Uop>& uops;
  const std::vector<std::vector<uint64_t>>& src;
  const std::vector<std::vector<Expect>>& eng;
  bool full_rate;

  // Progress of the current run.
  size_t ui = 0;
  std::vector<size_t> si, xi;
  bool uop_v = false;
  std::vector<bool> src_v;
  unsigned uop_pct = 100, eng_pct[kEngines];
  std::vector<unsigned> src_pct;
  // Previous cycle's output of every engine (stall check).
  bool prev_stall[kEngines] = {};
  uint32_t prev_data[kEngines][kWords];
  bool prev_last[kEngines] = {};
  uint64_t first_out = 0, first_uop = 0, stalls_in = 0, stalls_out = 0;
  bool have_out = false, have_uop = false;

  Tb(Vrsn_mesh* mm, tb::Clocked<Vrsn_mesh>* c, uint64_t seed, int n, const std::vector<Uop>& u,
     const std::vector<std::vector<uint64_t>>& s, const std::vector<std::vector<Expect>>& x, bool fr)
      : m(mm), clk(c), rng(seed), nsrc(n), uops(u), src(s), eng(x), full_rate(fr) {
    restart();
  }

  void restart() {
    ui = 0;
    si.assign(nsrc, 0);
    xi.assign(kEngines, 0);
    uop_v = false;
    src_v.assign(nsrc, false);
    src_pct.assign(nsrc, 100);
    for (int e = 0; e < kEngines; ++e) {
      eng_pct[e] = 100;
      prev_stall[e] = false;
    }
  }

  bool done() const {
    if (ui < uops.size()) return false;
    for (int s = 0; s < nsrc; ++s)
      if (si[s] < src[s].size()) return false;
    for (int e = 0; e < kEngines; ++e)
      if (xi[e] < eng[e].size()) return false;
    return true;
  }

  size_t progress() const {
    size_t p = ui;
    for (int s = 0; s < nsrc; ++s) p += si[s];
    for (int e = 0; e < kEngines; ++e) p += xi[e];
    return p;
  }

  // Drive inputs for one cycle (sources may raise valid at random and hold it until taken).
  void drive(bool feed) {
    static const unsigned profiles[3] = {100, 70, 20};
    if (clk->cycles % 2048 == 0 && clk->cycles > 0 && !full_rate) {
      uop_pct = profiles[rng.below(3)];
      for (int s = 0; s < nsrc; ++s) src_pct[s] = profiles[rng.below(3)];
      for (int e = 0; e < kEngines; ++e) eng_pct[e] = profiles[rng.below(3)];
    }
    if (feed && !uop_v && ui < uops.size() && rng.chance(uop_pct)) uop_v = true;
    m->uop_valid_i = uop_v;
    if (ui < uops.size()) {
      m->uop_payload_i = (static_cast<uint64_t>(uops[ui].w1) << 32) | uops[ui].w0;
      m->uop_iter_i = rng.below(65536);
    }
    uint32_t valid = 0, last = 0;
    for (int s = 0; s < nsrc; ++s) {
      if (feed && !src_v[s] && si[s] < src[s].size() && rng.chance(src_pct[s])) src_v[s] = true;
      uint64_t tag = si[s] < src[s].size() ? src[s][si[s]] : 0;
      for (int w = 0; w < kWords; ++w) m->src_data_i[s * kWords + w] = beat_word(tag, w);
      if (src_v[s]) valid |= 1u << s;
      // The source marks beat 511 of each block, as a Mem unit does (the mesh counts on its own).
      if (si[s] % 512 == 511) last |= 1u << s;
    }
    m->src_valid_i = valid;
    m->src_last_i = last;
    uint32_t ready = 0;
    for (int e = 0; e < kEngines; ++e)
      if (rng.chance(eng_pct[e])) ready |= 1u << e;
    m->eng_ready_i = ready;
    clk->settle();
  }

  uint32_t out_word(int e, int w) const { return m->eng_data_o[e * kWords + w]; }

  // Checks and bookkeeping of the settled cycle, before the edge.
  void check() {
    // valid and data must not change when ready does.
    if (rng.chance(10)) {
      uint32_t v0 = m->eng_valid_o, d0 = out_word(0, 0) ^ out_word(5, 31), l0 = m->eng_last_o;
      uint32_t r = m->eng_ready_i;
      m->eng_ready_i = ~r & 0x3f;
      clk->settle();
      if (m->eng_valid_o != v0 || (out_word(0, 0) ^ out_word(5, 31)) != d0 || m->eng_last_o != l0)
        tb::fail(TB_NAME, tb::fmt("cycle %" PRIu64 ": engine valid/data depends on ready", clk->cycles));
      m->eng_ready_i = r;
      clk->settle();
    }
    if (m->wait_in_o && m->wait_out_o) tb::fail(TB_NAME, "wait_in_o and wait_out_o both high");
    if ((m->wait_in_o || m->wait_out_o) && !m->busy_o) tb::fail(TB_NAME, "wait_* high while not busy");
    stalls_in += m->wait_in_o;
    stalls_out += m->wait_out_o;
    for (int e = 0; e < kEngines; ++e) {
      bool v = (m->eng_valid_o >> e) & 1, r = (m->eng_ready_i >> e) & 1, l = (m->eng_last_o >> e) & 1;
      if (prev_stall[e]) {
        bool same = v && l == prev_last[e];
        for (int w = 0; w < kWords && same; ++w) same = out_word(e, w) == prev_data[e][w];
        if (!same) tb::fail(TB_NAME, tb::fmt("cycle %" PRIu64 ": stalled engine %d output changed", clk->cycles, e));
      }
      if (v && r) {
        if (xi[e] >= eng[e].size())
          tb::fail(TB_NAME, tb::fmt("cycle %" PRIu64 ": engine %d got an extra beat after %zu", clk->cycles, e,
                                    eng[e].size()));
        const Expect& x = eng[e][xi[e]];
        for (int w = 0; w < kWords; ++w) {
          if (out_word(e, w) != beat_word(x.tag, w))
            tb::fail(TB_NAME, tb::fmt("engine %d beat %zu (block %zu, beat %zu) word %d: got %08x, want %08x "
                                      "(tag %016" PRIx64 ")",
                                      e, xi[e], xi[e] / 512, xi[e] % 512, w, out_word(e, w), beat_word(x.tag, w),
                                      x.tag));
        }
        if (l != x.last)
          tb::fail(TB_NAME, tb::fmt("engine %d beat %zu: last %d, want %d", e, xi[e], l, x.last));
        if (!have_out) {
          have_out = true;
          first_out = clk->cycles;
        }
        ++xi[e];
      }
      prev_stall[e] = v && !r;
      prev_last[e] = l;
      for (int w = 0; w < kWords; ++w) prev_data[e][w] = out_word(e, w);
    }
    if (uop_v && m->uop_ready_o) {
      if (!have_uop) {
        have_uop = true;
        first_uop = clk->cycles;
      }
      uop_v = false;
      ++ui;
    }
    for (int s = 0; s < nsrc; ++s) {
      if (src_v[s] && ((m->src_ready_o >> s) & 1)) {
        src_v[s] = false;
        ++si[s];
      }
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) tb::fail(TB_NAME, "usage: tb_mesh VECTORS SEED [fullrate]");
  std::ifstream f(argv[1]);
  if (!f) tb::fail(TB_NAME, tb::fmt("cannot open %s", argv[1]));
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  bool full_rate = argc > 3 && std::string(argv[3]) == "fullrate";

  int is_b = -1;
  std::vector<Uop> uops;
  std::vector<std::vector<uint64_t>> src(7);
  std::vector<std::vector<Expect>> eng(kEngines);
  bool ended = false;
  std::string line;
  size_t lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    std::istringstream ss(line);
    std::string tag;
    ss >> tag;
    bool ok = true;
    if (tag == "config") {
      ok = static_cast<bool>(ss >> is_b);
    } else if (tag == "u") {
      Uop u;
      std::string kind;
      ok = static_cast<bool>(ss >> std::hex >> u.w0 >> u.w1 >> kind) && (kind == "ok" || kind == "bad");
      u.bad = kind == "bad";
      uops.push_back(u);
    } else if (tag == "s") {
      unsigned s;
      uint64_t t;
      ok = static_cast<bool>(ss >> std::dec >> s >> std::hex >> t) && s < 7;
      if (ok) src[s].push_back(t);
    } else if (tag == "x") {
      unsigned e, l;
      uint64_t t;
      ok = static_cast<bool>(ss >> std::dec >> e >> std::hex >> t >> std::dec >> l) && e < kEngines;
      if (ok) eng[e].push_back({t, l != 0});
    } else if (tag == "end") {
      ended = true;
    } else {
      ok = false;
    }
    if (!ok) tb::fail(TB_NAME, tb::fmt("%s:%zu: bad line '%s'", argv[1], lineno, line.c_str()));
  }
  if (!ended || is_b < 0) tb::fail(TB_NAME, tb::fmt("%s: no 'config' or 'end' line", argv[1]));
  int nsrc = is_b ? 3 : 7;
  for (int s = nsrc; s < 7; ++s)
    if (!src[s].empty()) tb::fail(TB_NAME, tb::fmt("vectors use source %d of a %d-source mesh", s, nsrc));
  src.resize(nsrc);

  auto* m = new Vrsn_mesh;
  tb::Clocked<Vrsn_mesh> clk(m);
  m->abort_i = 0;
  m->uop_valid_i = 0;
  m->src_valid_i = 0;
  m->eng_ready_i = 0;
  // A real falling edge of rst_ni (the model starts with it low, which is no edge): the
  // asynchronous reset loads non-zero reset values.
  m->clk_i = 0;
  m->rst_ni = 1;
  m->eval();
  clk.reset();
  Tb t(m, &clk, seed, nsrc, uops, src, eng, full_rate);

  // Abort trials: run the vectors for a random while, abort, check the mesh empties and idles.
  const int kTrials = full_rate ? 0 : 8;
  for (int trial = 0; trial < kTrials; ++trial) {
    t.restart();
    // Engines back-pressured independently, so the abort often catches a beat some engines of a
    // broadcast have taken and others not.
    for (unsigned& pct : t.eng_pct) pct = 50;
    uint64_t run_for = 20 + t.rng.below(1500);
    for (uint64_t c = 0; c < run_for; ++c) {
      t.drive(true);
      t.check();
      clk.edge();
    }
    unsigned abort_len = 1 + t.rng.below(3);
    for (unsigned c = 0; c < abort_len; ++c) {
      m->abort_i = 1;
      t.drive(true);
      // Beats during the abort cycles are still the expected prefix, but the abort may drop a
      // stalled beat (the stream is abandoned).
      if (c > 0)
        for (bool& ps : t.prev_stall) ps = false;
      t.check();
      clk.edge();
    }
    m->abort_i = 0;
    // The system resets the source streams with the abort: sources go quiet.
    m->uop_valid_i = 0;
    m->src_valid_i = 0;
    bool ready_again = false;
    for (int c = 0; c < 40; ++c) {
      m->eng_ready_i = t.rng.u32() & 0x3f;
      clk.settle();
      if (m->eng_valid_o) tb::fail(TB_NAME, tb::fmt("abort trial %d: engine valid %02x %d cycles after abort",
                                                    trial, m->eng_valid_o, c));
      if (m->busy_o) tb::fail(TB_NAME, tb::fmt("abort trial %d: busy_o %d cycles after abort", trial, c));
      if (m->uop_ready_o) ready_again = true;
      if (c == 4 && !ready_again) tb::fail(TB_NAME, tb::fmt("abort trial %d: uop_ready_o low 4 cycles after", trial));
      clk.edge();
    }
    std::printf("%s: abort trial %d after %" PRIu64 " cycles (%u abort cycles): %zu uOPs taken, idle\n", TB_NAME,
                trial, run_for, abort_len, t.ui);
  }

  // The checked run.
  t.restart();
  uint64_t start = clk.cycles, last_progress = clk.cycles, idle_since = 0, snapshot = t.progress();
  t.have_out = t.have_uop = false;
  t.stalls_in = t.stalls_out = 0;
  const uint64_t kStuck = 20000;
  uint64_t finished_at = 0;
  while (true) {
    t.drive(true);
    t.check();
    bool d = t.done();
    clk.edge();
    if (t.progress() != snapshot) {
      snapshot = t.progress();
      last_progress = clk.cycles;
    }
    if (d) {
      if (idle_since == 0) {
        idle_since = clk.cycles;
        finished_at = clk.cycles;
      }
      if (clk.cycles - idle_since > 100) {
        if (m->busy_o) tb::fail(TB_NAME, "busy_o still high after every beat was delivered");
        break;
      }
    } else if (clk.cycles - last_progress > kStuck) {
      std::string where;
      for (int s = 0; s < nsrc; ++s) where += tb::fmt(" src%d %zu/%zu", s, t.si[s], src[s].size());
      for (int e = 0; e < kEngines; ++e) where += tb::fmt(" eng%d %zu/%zu", e, t.xi[e], eng[e].size());
      tb::fail(TB_NAME, tb::fmt("no progress for %" PRIu64 " cycles: uOPs %zu/%zu,%s", kStuck, t.ui, uops.size(),
                                where.c_str()));
    }
  }
  size_t nsb = 0, nxb = 0, nbad = 0;
  uint64_t ideal = 0;
  for (auto& s : src) nsb += s.size();
  for (auto& e : eng) nxb += e.size();
  for (auto& u : uops) {
    nbad += u.bad;
    ideal += 512ull * (u.w0 & 0xffff);
  }
  std::printf("%s: PASS %s: %zu uOPs (%zu with unwired codes), %zu source beats, %zu engine beats checked, "
              "%" PRIu64 " cycles (sum of uOP blocks x 512: %" PRIu64 "; first beat out %" PRIu64
              " cycles after the first uOP handshake; wait_in %" PRIu64 ", wait_out %" PRIu64 " cycles)\n",
              TB_NAME, is_b ? "MeshB" : "MeshA", uops.size(), nbad, nsb, nxb, finished_at - start, ideal,
              t.first_out - t.first_uop, t.stalls_in, t.stalls_out);
  m->final();
  delete m;
  return 0;
}
