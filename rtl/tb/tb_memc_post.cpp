// Testbench for rsn_memc_post (rtl/memc): two instances, partners as MemC0/MemC1, each running its
// own list of groups from rtl/vectors (`rsn-vectors memc-post`). The testbench plays MemC (cfg,
// column beats in, column beats out) for both and the pair link between them (a small FIFO per
// direction with random accept and random bubbles). Every result element of every row is checked
// bit for bit (NaN expectations: exactly 0x7fc00000), stalled outputs must hold still, nothing extra
// may come out, a watchdog catches hangs. Before the main run, each unit's first group is aborted
// at a random cycle several times and then rerun from scratch.
//
//   tb_memc_post VECTORS SEED [fullrate]   (fullrate: no bubbles, always ready; prints cycles per
//                                           timing group)
#include <fstream>
#include <memory>
#include <sstream>

#include "Vrsn_memc_post.h"
#include "tb_common.h"

#define TB_NAME "tb_memc_post"

namespace {

struct Group {
  unsigned op, rows, cols, pair, total, timing;
  uint32_t eps;
  std::vector<uint32_t> in;   // cols x 34: 32 lanes, gamma, beta
  std::vector<uint32_t> out;  // cols x rows
};

constexpr unsigned kAborts = 6;
constexpr uint64_t kWatchdog = 200000;

struct Unit {
  Vrsn_memc_post* m;
  std::vector<Group> groups;
  size_t feed_g = 0;    // group whose cfg / input beats are being driven
  bool cfg_done = false;
  size_t in_beat = 0;
  size_t chk_g = 0;     // group whose output is being checked
  size_t chk_beat = 0;
  std::vector<uint64_t> start;  // cycle of each group's cfg transfer
  bool stalled_out = false;
  std::vector<uint32_t> held_out;
  bool held_pair_valid = false;
  uint32_t held_pair = 0;
  // Bubble decisions persist until the transfer (valid must not drop).
  bool cfg_valid = false, in_valid = false;
  unsigned id;
};

const char* op_name(unsigned op) {
  static const char* n[] = {"none", "softmax", "layernorm", "gelu"};
  return n[op & 3];
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) tb::fail(TB_NAME, "usage: tb_memc_post VECTORS SEED [fullrate]");
  std::ifstream f(argv[1]);
  if (!f) tb::fail(TB_NAME, tb::fmt("cannot open %s", argv[1]));
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  bool full_rate = argc > 3 && std::string(argv[3]) == "fullrate";

  Unit u[2];
  u[0].id = 0;
  u[1].id = 1;
  {
    std::string line;
    size_t lineno = 0;
    Group* cur = nullptr;
    bool ended = false;
    while (std::getline(f, line)) {
      ++lineno;
      std::istringstream ss(line);
      std::string tag;
      ss >> tag;
      bool ok = true;
      if (tag == "g") {
        unsigned unit;
        Group g{};
        ok = static_cast<bool>(ss >> std::dec >> unit >> g.op >> g.rows >> g.cols >> std::hex >> g.eps >> std::dec >>
                               g.pair >> g.total >> g.timing) &&
             unit < 2 && g.rows >= 1 && g.rows <= 32 && g.cols >= 1 && g.cols <= 512;
        if (ok) {
          u[unit].groups.push_back(g);
          cur = &u[unit].groups.back();
        }
      } else if (tag == "i" && cur) {
        for (int k = 0; k < 34 && ok; ++k) {
          uint32_t v;
          ok = static_cast<bool>(ss >> std::hex >> v);
          cur->in.push_back(v);
        }
      } else if (tag == "o" && cur) {
        for (unsigned k = 0; k < cur->rows && ok; ++k) {
          uint32_t v;
          ok = static_cast<bool>(ss >> std::hex >> v);
          cur->out.push_back(v);
        }
      } else if (tag == "end") {
        ended = true;
      } else {
        ok = false;
      }
      if (!ok) tb::fail(TB_NAME, tb::fmt("%s:%zu: bad line", argv[1], lineno));
    }
    if (!ended) tb::fail(TB_NAME, tb::fmt("%s: no 'end' line (truncated file?)", argv[1]));
    for (auto& x : u)
      for (auto& g : x.groups)
        if (g.in.size() != 34 * g.cols || g.out.size() != g.rows * g.cols)
          tb::fail(TB_NAME, "group with a wrong number of beats in the vector file");
    if (u[0].groups.empty() || u[1].groups.empty() || u[0].groups[0].pair || u[1].groups[0].pair)
      tb::fail(TB_NAME, "each unit needs a first, non-pair group");
  }

  for (auto& x : u) x.start.assign(x.groups.size(), 0);
  auto ctx = std::make_unique<VerilatedContext>();
  for (auto& x : u) x.m = new Vrsn_memc_post{ctx.get()};
  tb::Rng rng(seed);
  uint64_t cycles = 0;

  auto eval_all = [&] {
    for (auto& x : u) x.m->eval();
  };
  auto edge_all = [&] {
    for (auto& x : u) x.m->clk_i = 1;
    eval_all();
    for (auto& x : u) x.m->clk_i = 0;
    eval_all();
    ++cycles;
  };
  for (auto& x : u) {
    Vrsn_memc_post* m = x.m;
    m->clk_i = 0;
    m->rst_ni = 0;
    m->abort_i = 0;
    m->cfg_valid_i = 0;
    m->in_valid_i = 0;
    m->out_ready_i = 0;
    m->pair_ready_i = 0;
    m->pair_valid_i = 0;
  }
  eval_all();
  for (auto& x : u) x.m->rst_ni = 1;
  eval_all();

  // Pair link: a FIFO per direction (index = sending unit), depth 4.
  std::deque<uint32_t> link[2];
  const size_t kLinkDepth = 4;

  // Rates change every 2048 cycles: full speed, light or heavy bubbles / back-pressure.
  unsigned in_pct = 100, out_pct = 100, link_pct = 100;
  uint64_t last_progress = 0;
  size_t total_checked = 0;
  std::vector<std::string> timing_lines;

  // Abort rounds: only the first group of each unit is fed, and both units are aborted together
  // at a random cycle; then everything restarts from group 0. Round kAborts is the real run.
  unsigned round = full_rate ? kAborts : 0;
  uint64_t abort_at = cycles + 50 + rng.below(4000);

  auto restart = [&] {
    for (auto& x : u) {
      x.feed_g = 0;
      x.cfg_done = false;
      x.in_beat = 0;
      x.chk_g = 0;
      x.chk_beat = 0;
      x.stalled_out = false;
      x.held_pair_valid = false;
      x.cfg_valid = false;
      x.in_valid = false;
    }
    link[0].clear();
    link[1].clear();
  };

  for (;;) {
    bool all_done = true;
    for (auto& x : u)
      if (x.chk_g < x.groups.size()) all_done = false;
    if (all_done && round >= kAborts) break;

    if (!full_rate && cycles % 2048 == 0) {
      static const unsigned rates[] = {100, 100, 70, 30, 10};
      in_pct = rates[rng.below(5)];
      out_pct = rates[rng.below(5)];
      link_pct = rates[rng.below(5)];
    }

    if (round < kAborts && cycles == abort_at) {
      for (auto& x : u) {
        x.m->abort_i = 1;
        x.m->cfg_valid_i = 0;
        x.m->in_valid_i = 0;
        x.m->out_ready_i = rng.chance(50);
        x.m->pair_valid_i = 0;
        x.m->pair_ready_i = 0;
      }
      unsigned len = 1 + rng.below(3);
      for (unsigned k = 0; k < len; ++k) {
        eval_all();
        edge_all();
      }
      for (auto& x : u) {
        x.m->abort_i = 0;
        x.m->out_ready_i = 1;
      }
      // The function units drop their items on abort, so the unit is idle right after it, and no
      // late result of the aborted group may appear (60 cycles: longer than any unit's latency).
      for (int k = 0; k < 60; ++k) {
        eval_all();
        for (auto& x : u) {
          if (x.m->out_valid_o) tb::fail(TB_NAME, tb::fmt("unit %u: output after abort", x.id));
          if (x.m->busy_o || !x.m->cfg_ready_o)
            tb::fail(TB_NAME, tb::fmt("unit %u: busy %d cycles after abort", x.id, k));
        }
        edge_all();
      }
      ++round;
      restart();
      abort_at = cycles + 50 + rng.below(6000);
      last_progress = cycles;
      continue;
    }

    // ---- drive inputs (decisions made before looking at ready)
    for (auto& x : u) {
      Vrsn_memc_post* m = x.m;
      size_t feed_limit = round < kAborts ? 1 : x.groups.size();
      bool have = x.feed_g < feed_limit;
      const Group* g = have ? &x.groups[x.feed_g] : nullptr;
      if (have && !x.cfg_done && !x.cfg_valid) x.cfg_valid = full_rate || rng.chance(in_pct);
      m->cfg_valid_i = have && !x.cfg_done && x.cfg_valid;
      if (g) {
        m->cfg_op_i = g->op;
        m->cfg_cols_i = g->cols & 0x3ff;
        m->cfg_rows_i = g->rows;
        m->cfg_eps_i = g->eps;
        m->cfg_pair_i = g->pair;
        m->cfg_total_i = g->total;
      }
      // Input beats of the fed group may be presented as soon as its cfg went in.
      bool in_have = have && x.cfg_done && x.in_beat < g->cols;
      if (in_have && !x.in_valid) x.in_valid = full_rate || rng.chance(in_pct);
      m->in_valid_i = in_have && x.in_valid;
      if (in_have) {
        const uint32_t* b = &g->in[34 * x.in_beat];
        for (int k = 0; k < 32; ++k) m->in_data_i[k] = m->in_valid_i ? b[k] : rng.u32();
        m->in_gamma_i = b[32];
        m->in_beta_i = b[33];
      } else {
        for (int k = 0; k < 32; ++k) m->in_data_i[k] = rng.u32();
      }
      m->out_ready_i = full_rate || rng.chance(out_pct);
      // Pair link towards this unit: the partner's words.
      std::deque<uint32_t>& rx = link[x.id ^ 1];
      m->pair_valid_i = !rx.empty() && (full_rate || rng.chance(link_pct));
      m->pair_data_i = rx.empty() ? rng.u32() : rx.front();
      m->pair_ready_i = link[x.id].size() < kLinkDepth && (full_rate || rng.chance(link_pct));
    }
    eval_all();

    // ---- sample
    for (auto& x : u) {
      Vrsn_memc_post* m = x.m;
      // A stalled output must hold still.
      if (x.stalled_out) {
        if (!m->out_valid_o) tb::fail(TB_NAME, tb::fmt("unit %u: out_valid_o dropped while stalled", x.id));
        for (int k = 0; k < 32; ++k)
          if (m->out_data_o[k] != x.held_out[k])
            tb::fail(TB_NAME, tb::fmt("unit %u: out_data_o changed while stalled", x.id));
      }
      if (x.held_pair_valid && (!m->pair_valid_o || m->pair_data_o != x.held_pair))
        tb::fail(TB_NAME, tb::fmt("unit %u: pair output changed while stalled", x.id));

      if (m->cfg_valid_i && m->cfg_ready_o) {
        x.cfg_done = true;
        x.cfg_valid = false;
        x.start[x.feed_g] = cycles;
        last_progress = cycles;
      }
      if (m->in_valid_i && m->in_ready_o) {
        x.in_valid = false;
        ++x.in_beat;
        last_progress = cycles;
        if (x.in_beat == x.groups[x.feed_g].cols) {
          ++x.feed_g;
          x.cfg_done = false;
          x.in_beat = 0;
        }
      }
      if (m->out_valid_o && m->out_ready_i) {
        last_progress = cycles;
        if (x.chk_g >= x.groups.size() || (round < kAborts && x.chk_g >= 1))
          tb::fail(TB_NAME, tb::fmt("unit %u: output beat beyond the expected ones", x.id));
        const Group& g = x.groups[x.chk_g];
        for (unsigned r = 0; r < g.rows; ++r) {
          uint32_t want = g.out[x.chk_beat * g.rows + r];
          uint32_t got = m->out_data_o[r];
          // op none copies: every bit, NaN payloads included.
          if (g.op == 0 ? got != want : !tb::result_matches(got, want)) {
            const uint32_t* xin = &g.in[34 * x.chk_beat];
            tb::fail(TB_NAME, tb::fmt("unit %u group %zu (%s rows %u cols %u pair %u total %u eps %08x) "
                                      "row %u col %zu: got %08x want %08x (x %08x g %08x b %08x)",
                                      x.id, x.chk_g, op_name(g.op), g.rows, g.cols, g.pair, g.total, g.eps, r,
                                      x.chk_beat, got, want, xin[r], xin[32], xin[33]));
          }
          ++total_checked;
        }
        if (++x.chk_beat == g.cols) {
          if (g.timing && full_rate)
            timing_lines.push_back(tb::fmt("unit %u %-9s%s cols %3u rows %2u: %" PRIu64 " cycles (cfg to last beat)",
                                           x.id, op_name(g.op), g.pair ? " pair" : "     ", g.cols, g.rows,
                                           cycles - x.start[x.chk_g] + 1));
          ++x.chk_g;
          x.chk_beat = 0;
        }
        x.stalled_out = false;
      } else if (m->out_valid_o) {
        x.stalled_out = true;
        x.held_out.resize(32);
        for (int k = 0; k < 32; ++k) x.held_out[k] = m->out_data_o[k];
      } else {
        x.stalled_out = false;
      }
      if (m->pair_valid_o && m->pair_ready_i) {
        link[x.id].push_back(m->pair_data_o);
        x.held_pair_valid = false;
        last_progress = cycles;
      } else {
        x.held_pair_valid = m->pair_valid_o;
        x.held_pair = m->pair_data_o;
      }
    }
    // Pops after both units sampled (each pops the partner's link).
    for (auto& x : u) {
      if (x.m->pair_valid_i && x.m->pair_ready_o) {
        link[x.id ^ 1].pop_front();
        last_progress = cycles;
      }
    }
    // In an abort round, a unit that finished its only group just waits for the abort.
    if (round < kAborts && u[0].chk_g >= 1 && u[1].chk_g >= 1 && cycles < abort_at) abort_at = cycles + 1;
    edge_all();
    if (cycles - last_progress > kWatchdog)
      tb::fail(TB_NAME, tb::fmt("watchdog: no transfer for %" PRIu64 " cycles (unit 0 at group %zu, unit 1 at %zu)",
                                kWatchdog, u[0].chk_g, u[1].chk_g));
  }

  // Drained: nothing more may come out, both end idle.
  for (auto& x : u) x.m->out_ready_i = 1;
  for (int k = 0; k < 200; ++k) {
    for (auto& x : u) {
      x.m->cfg_valid_i = 0;
      x.m->in_valid_i = 0;
      x.m->pair_valid_i = 0;
    }
    eval_all();
    for (auto& x : u) {
      if (x.m->out_valid_o) tb::fail(TB_NAME, tb::fmt("unit %u: extra output beat", x.id));
      if (x.m->pair_valid_o) tb::fail(TB_NAME, tb::fmt("unit %u: extra pair word", x.id));
    }
    edge_all();
  }
  for (auto& x : u)
    if (x.m->busy_o) tb::fail(TB_NAME, tb::fmt("unit %u: busy_o still high at the end", x.id));
  if (!link[0].empty() || !link[1].empty()) tb::fail(TB_NAME, "pair words left in the link");

  for (auto& l : timing_lines) std::printf("%s: %s\n", TB_NAME, l.c_str());
  std::printf("%s: PASS: %zu + %zu groups, %zu elements checked, %u abort rounds, %" PRIu64 " cycles%s\n", TB_NAME,
              u[0].groups.size(), u[1].groups.size(), total_checked, full_rate ? 0 : kAborts, cycles,
              full_rate ? " (full rate)" : "");
  for (auto& x : u) x.m->final();
  for (auto& x : u) delete x.m;
  return 0;
}
