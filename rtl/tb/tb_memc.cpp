// Testbench for rsn_memc (rtl/memc), or with -DTB_PAIR for rsn_memc_pair (two units whose
// LayerNorm pair streams are connected). Plays the decoder (uOPs), the DDR unit (load lines) and
// the engine (product blocks) from a vector file of rtl/vectors (`rsn-vectors memc`), with random
// bubbles on every input and random back-pressure on the store and MeshA outputs, and checks every
// stored line and MeshA beat (and `last`) bit for bit, that a stalled output holds still, that
// nothing extra comes out, that nothing hangs (watchdog) and that every unit ends idle.
//
//   tb_memc VECTORS SEED [fullrate]   (fullrate: no bubbles, outputs always ready; prints the
//                                      cycles of every uOP, accept to the next accept or idle)
#include <fstream>
#include <sstream>

#ifdef TB_PAIR
#include "Vrsn_memc_pair.h"
using Top = Vrsn_memc_pair;
constexpr int kUnits = 2;
#else
#include "Vrsn_memc.h"
using Top = Vrsn_memc;
constexpr int kUnits = 1;
#endif
#include "tb_common.h"

#ifndef TB_NAME
#define TB_NAME "tb_memc"
#endif

namespace {

struct Uop {
  uint32_t iter, w[4];
};

// Pointers to one unit's ports.
struct Ports {
  CData *uop_valid, *uop_ready, *ld_valid, *ld_ready, *prod_valid, *prod_ready, *prod_last;
  CData *st_valid, *st_ready, *mesh_valid, *mesh_ready, *mesh_last, *busy;
  SData* uop_iter;
  WData *uop_payload, *ld_data, *prod_data, *st_data, *mesh_data;
};

#define BIND(P, PRE)                            \
  do {                                          \
    P.uop_valid = &m->PRE##uop_valid_i;         \
    P.uop_ready = &m->PRE##uop_ready_o;         \
    P.ld_valid = &m->PRE##ld_valid_i;           \
    P.ld_ready = &m->PRE##ld_ready_o;           \
    P.prod_valid = &m->PRE##prod_valid_i;       \
    P.prod_ready = &m->PRE##prod_ready_o;       \
    P.prod_last = &m->PRE##prod_last_i;         \
    P.st_valid = &m->PRE##st_valid_o;           \
    P.st_ready = &m->PRE##st_ready_i;           \
    P.mesh_valid = &m->PRE##mesh_valid_o;       \
    P.mesh_ready = &m->PRE##mesh_ready_i;       \
    P.mesh_last = &m->PRE##mesh_last_o;         \
    P.busy = &m->PRE##busy_o;                   \
    P.uop_iter = &m->PRE##uop_iter_i;           \
    P.uop_payload = m->PRE##uop_payload_i.data(); \
    P.ld_data = m->PRE##ld_data_i.data();       \
    P.prod_data = m->PRE##prod_data_i.data();   \
    P.st_data = m->PRE##st_data_o.data();       \
    P.mesh_data = m->PRE##mesh_data_o.data();   \
  } while (0)

struct Unit {
  Ports p;
  std::vector<Uop> uops;
  std::vector<uint32_t> loads, prods, stores, mesh;  // 16 / 32 / 16 / 32 words per beat
  std::vector<uint8_t> mesh_last;
  size_t ui = 0, li = 0, pi = 0, si = 0, mi = 0;
  bool uop_v = false, ld_v = false, prod_v = false;
  bool st_stall = false, mesh_stall = false;
  std::vector<uint32_t> st_prev, mesh_prev;
  uint8_t mesh_last_prev = 0;
  uint64_t uop_start = 0;
  bool uop_open = false;
  size_t n_loads() const { return loads.size() / 16; }
  size_t n_prods() const { return prods.size() / 32; }
  size_t n_stores() const { return stores.size() / 16; }
  size_t n_mesh() const { return mesh.size() / 32; }
  bool done() const {
    return ui == uops.size() && li == n_loads() && pi == n_prods() && si == n_stores() && mi == n_mesh();
  }
};

void read_words(std::istringstream& ss, std::vector<uint32_t>& v, int n, bool& ok) {
  for (int i = 0; i < n; ++i) {
    uint32_t x;
    if (!(ss >> std::hex >> x)) ok = false;
    v.push_back(x);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) tb::fail(TB_NAME, "usage: tb_memc VECTORS SEED [fullrate]");
  std::ifstream f(argv[1]);
  if (!f) tb::fail(TB_NAME, tb::fmt("cannot open %s", argv[1]));
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  bool full_rate = argc > 3 && std::string(argv[3]) == "fullrate";

  Unit units[kUnits];
  std::string line, cfg_name;
  unsigned cfg_units = 0;
  bool ended = false;
  size_t lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    std::istringstream ss(line);
    std::string tag;
    ss >> tag;
    bool ok = true;
    unsigned u = 0;
    if (tag == "config") {
      ok = static_cast<bool>(ss >> cfg_name >> cfg_units);
      if (ok && cfg_units != kUnits)
        tb::fail(TB_NAME, tb::fmt("%s has %u units, this build drives %d", argv[1], cfg_units, kUnits));
    } else if (tag == "end") {
      ended = true;
    } else if ((tag == "u" || tag == "l" || tag == "p" || tag == "s" || tag == "m") && (ss >> std::dec >> u) &&
               u < kUnits) {
      Unit& x = units[u];
      if (tag == "u") {
        Uop o;
        ok = static_cast<bool>(ss >> std::dec >> o.iter >> std::hex >> o.w[0] >> o.w[1] >> o.w[2] >> o.w[3]);
        x.uops.push_back(o);
      } else if (tag == "l") {
        read_words(ss, x.loads, 16, ok);
      } else if (tag == "p") {
        read_words(ss, x.prods, 32, ok);
      } else if (tag == "s") {
        read_words(ss, x.stores, 16, ok);
      } else {
        unsigned last;
        ok = static_cast<bool>(ss >> std::dec >> last);
        x.mesh_last.push_back(static_cast<uint8_t>(last));
        read_words(ss, x.mesh, 32, ok);
      }
    } else {
      ok = false;
    }
    if (!ok) tb::fail(TB_NAME, tb::fmt("%s:%zu: bad line '%.80s'", argv[1], lineno, line.c_str()));
  }
  if (!ended) tb::fail(TB_NAME, tb::fmt("%s: no 'end' line (truncated file?)", argv[1]));

  auto* m = new Top;
#ifdef TB_PAIR
  BIND(units[0].p, u0_);
  BIND(units[1].p, u1_);
#else
  BIND(units[0].p, );
#endif
  tb::Clocked<Top> clk(m);
  tb::Rng rng(seed);
  m->abort_i = 0;
  for (auto& x : units) {
    *x.p.uop_valid = 0;
    *x.p.ld_valid = 0;
    *x.p.prod_valid = 0;
    *x.p.st_ready = 0;
    *x.p.mesh_ready = 0;
    *x.p.prod_last = 0;
  }
  clk.reset();

  const unsigned profiles[3] = {100, 70, 20};
  unsigned in_pct = 100, out_pct = 100, uop_pct = 100;
  uint64_t idle_since = 0, last_progress = 0;
  const uint64_t kStuck = 200000;
  while (true) {
    if (clk.cycles % 4096 == 0 && !full_rate) {
      in_pct = profiles[rng.below(3)];
      out_pct = profiles[rng.below(3)];
      uop_pct = profiles[rng.below(3)];
    }
    for (auto& x : units) {
      Ports& p = x.p;
      // Sources raise valid at random and hold it (and the data) until the transfer.
      if (!x.uop_v && x.ui < x.uops.size() && rng.chance(uop_pct)) x.uop_v = true;
      if (!x.ld_v && x.li < x.n_loads() && rng.chance(in_pct)) x.ld_v = true;
      if (!x.prod_v && x.pi < x.n_prods() && rng.chance(in_pct)) x.prod_v = true;
      *p.uop_valid = x.uop_v;
      if (x.ui < x.uops.size()) {
        *p.uop_iter = static_cast<SData>(x.uops[x.ui].iter);
        for (int i = 0; i < 4; ++i) p.uop_payload[i] = x.uops[x.ui].w[i];
      }
      *p.ld_valid = x.ld_v;
      for (int i = 0; i < 16; ++i) p.ld_data[i] = x.li < x.n_loads() ? x.loads[16 * x.li + i] : 0xdeadbeef;
      *p.prod_valid = x.prod_v;
      *p.prod_last = (x.pi % 512) == 511;
      for (int i = 0; i < 32; ++i) p.prod_data[i] = x.pi < x.n_prods() ? x.prods[32 * x.pi + i] : 0xdeadbeef;
      *p.st_ready = rng.chance(out_pct);
      *p.mesh_ready = rng.chance(out_pct);
    }
    clk.settle();

    for (int u = 0; u < kUnits; ++u) {
      Unit& x = units[u];
      Ports& p = x.p;
      // A stalled output must hold still.
      if (x.st_stall && (!*p.st_valid || !std::equal(x.st_prev.begin(), x.st_prev.end(), p.st_data)))
        tb::fail(TB_NAME, tb::fmt("unit %d cycle %" PRIu64 ": stalled store line changed (line %zu)", u,
                                  clk.cycles, x.si));
      if (x.mesh_stall && (!*p.mesh_valid || *p.mesh_last != x.mesh_last_prev ||
                           !std::equal(x.mesh_prev.begin(), x.mesh_prev.end(), p.mesh_data)))
        tb::fail(TB_NAME, tb::fmt("unit %d cycle %" PRIu64 ": stalled MeshA beat changed (beat %zu)", u,
                                  clk.cycles, x.mi));
      if (*p.st_valid && *p.st_ready) {
        if (x.si >= x.n_stores())
          tb::fail(TB_NAME, tb::fmt("unit %d cycle %" PRIu64 ": extra store line after %zu", u, clk.cycles,
                                    x.n_stores()));
        for (int i = 0; i < 16; ++i)
          if (p.st_data[i] != x.stores[16 * x.si + i])
            tb::fail(TB_NAME, tb::fmt("unit %d store line %zu element %d (tile element %zu): got %08x want %08x",
                                      u, x.si, i, 16 * x.si + i, p.st_data[i], x.stores[16 * x.si + i]));
        ++x.si;
        last_progress = clk.cycles;
      }
      if (*p.mesh_valid && *p.mesh_ready) {
        if (x.mi >= x.n_mesh())
          tb::fail(TB_NAME, tb::fmt("unit %d cycle %" PRIu64 ": extra MeshA beat after %zu", u, clk.cycles,
                                    x.n_mesh()));
        for (int i = 0; i < 32; ++i)
          if (p.mesh_data[i] != x.mesh[32 * x.mi + i])
            tb::fail(TB_NAME, tb::fmt("unit %d MeshA beat %zu (block %zu, row %zu, col %zu): got %08x want %08x", u,
                                      x.mi, x.mi / 512, (x.mi % 512) / 4, 32 * (x.mi % 4) + i, p.mesh_data[i],
                                      x.mesh[32 * x.mi + i]));
        if (*p.mesh_last != x.mesh_last[x.mi])
          tb::fail(TB_NAME, tb::fmt("unit %d MeshA beat %zu: last %d, want %d", u, x.mi, *p.mesh_last,
                                    x.mesh_last[x.mi]));
        ++x.mi;
        last_progress = clk.cycles;
      }
      x.st_stall = *p.st_valid && !*p.st_ready;
      x.st_prev.assign(p.st_data, p.st_data + 16);
      x.mesh_stall = *p.mesh_valid && !*p.mesh_ready;
      x.mesh_prev.assign(p.mesh_data, p.mesh_data + 32);
      x.mesh_last_prev = *p.mesh_last;
      if (x.uop_v && *p.uop_ready) {
        if (full_rate && x.uop_open)
          std::printf("%s: unit %d uOP %zu: %" PRIu64 " cycles\n", TB_NAME, u, x.ui - 1, clk.cycles - x.uop_start);
        x.uop_open = true;
        x.uop_start = clk.cycles;
        x.uop_v = false;
        ++x.ui;
        last_progress = clk.cycles;
      }
      if (x.ld_v && *p.ld_ready) {
        x.ld_v = false;
        ++x.li;
        last_progress = clk.cycles;
      }
      if (x.prod_v && *p.prod_ready) {
        x.prod_v = false;
        ++x.pi;
        last_progress = clk.cycles;
      }
    }
    bool done = true;
    for (auto& x : units) done = done && x.done();
    clk.edge();
    for (int u = 0; u < kUnits; ++u) {
      Unit& x = units[u];
      if (full_rate && x.uop_open && x.ui == x.uops.size() && !*x.p.busy) {
        std::printf("%s: unit %d uOP %zu: %" PRIu64 " cycles\n", TB_NAME, u, x.ui - 1, clk.cycles - x.uop_start);
        x.uop_open = false;
      }
    }
    if (done) {
      if (idle_since == 0) idle_since = clk.cycles;
      if (clk.cycles - idle_since > 300) {
        for (int u = 0; u < kUnits; ++u)
          if (*units[u].p.busy) tb::fail(TB_NAME, tb::fmt("unit %d: busy_o still high at the end", u));
        break;
      }
    } else if (clk.cycles - last_progress > kStuck) {
      std::string s;
      for (int u = 0; u < kUnits; ++u) {
        const Unit& x = units[u];
        s += tb::fmt(" [unit %d: uOPs %zu/%zu, loads %zu/%zu, products %zu/%zu, stores %zu/%zu, mesh %zu/%zu]", u,
                     x.ui, x.uops.size(), x.li, x.n_loads(), x.pi, x.n_prods(), x.si, x.n_stores(), x.mi,
                     x.n_mesh());
      }
      tb::fail(TB_NAME, tb::fmt("no progress for %" PRIu64 " cycles:%s", kStuck, s.c_str()));
    }
  }
  size_t nu = 0, nl = 0, np = 0, ns = 0, nm = 0;
  for (auto& x : units) {
    nu += x.uops.size();
    nl += x.n_loads();
    np += x.n_prods();
    ns += x.n_stores();
    nm += x.n_mesh();
  }
  std::printf("%s: PASS %s: %zu uOPs, %zu load lines, %zu product beats, %zu store lines and %zu MeshA beats "
              "checked, %" PRIu64 " cycles\n",
              TB_NAME, cfg_name.c_str(), nu, nl, np, ns, nm, clk.cycles);
  m->final();
  delete m;
  return 0;
}
