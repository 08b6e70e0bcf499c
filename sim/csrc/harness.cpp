// The co-simulation harness: one verilated rsn_xnn_top, AXI4 slave memory models with the bandwidth
// and latency of the timing description, an AXI4-Lite master for the host's register accesses, and
// the six engines. Every PL cycle: drive the harness-side signals from its state, settle the design
// (clock low), take the handshakes both sides agree on, clock it (clock high), update the state.
// Data moves per beat in native code; the engines compute whole 128x128x128 blocks with the real
// AI Engine kernels (aie/, rsn_aie_engine_block).

#include "harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <sys/mman.h>

#include "Vrsn_xnn_top.h"
#include "rsn_aie.h"
#include "rsn_hw.h"
#include "verilated.h"
#ifdef RSN_SIM_WAVE
#include "verilated_fst_c.h"
#endif

namespace {

constexpr uint64_t kBase[3] = {0x0000001000000000ull, 0x0000002000000000ull, 0x0000000080000000ull};
using rsn_hw::kBeatFloats;
using rsn_hw::kBlockBeats;
using rsn_hw::kBlockFloats;
using rsn_hw::kEngineOutBlocks;  // the next block computes while the previous product streams out
constexpr unsigned kEngineBufBeats = rsn_hw::kEngineInBlocks * kBlockBeats;

// Bursts a memory's controller accepts before it back-pressures; the instruction buffer is in DDR.
constexpr size_t max_bursts(int mem) {
  return mem == RSN_SIM_LPDDR ? rsn_hw::kLpddrOutstandingBursts : rsn_hw::kDdrOutstandingBursts;
}

// ---- bit access on Verilator's wide ports (32-bit words, little-endian bit order)
template <std::size_t N>
inline bool bit(const VlWide<N>& v, unsigned i) {
  return (v[i / 32] >> (i % 32)) & 1u;
}
// The 16 lane bits [lsb, lsb + 16) of a wide port, lsb a multiple of 16: one engine's copy of a
// handshake signal on all its streams. One mask per engine instead of 16 single-bit updates (the
// harness sets four such signals for six engines every cycle).
template <std::size_t N>
inline void set_lanes16(VlWide<N>& v, unsigned lsb, bool b) {
  const uint32_t m = 0xffffu << (lsb % 32);
  if (b)
    v[lsb / 32] |= m;
  else
    v[lsb / 32] &= ~m;
}
template <std::size_t N>
inline uint64_t bits64(const VlWide<N>& v, unsigned lsb) {  // lsb multiple of 32
  return static_cast<uint64_t>(v[lsb / 32]) | (static_cast<uint64_t>(v[lsb / 32 + 1]) << 32);
}

struct Bus {
  double free_at = 0;  // the cycle from which the next beat may move
};

struct RdBurst {
  uint64_t addr;
  uint32_t len, beat;
  uint64_t ready;
};

struct RdPort {
  int mem;
  uint32_t latency;
  Bus* bus;
  double cost;  // bus cycles per 64-byte beat
  std::deque<RdBurst> q;
  bool presenting = false;
  uint8_t data[64];
  bool last = false, err = false;
};

struct WrBurst {
  uint64_t addr;
  uint32_t len, beat;
  bool err;
};

struct BResp {
  uint64_t ready;
  bool err;
};

struct Product {
  std::vector<float> c;
  uint64_t ready;
  unsigned beat;
};

struct Engine {
  std::deque<std::vector<float>> a_full, b_full;
  std::vector<float> a_cur = std::vector<float>(kBlockFloats), b_cur = std::vector<float>(kBlockFloats);
  unsigned a_n = 0, b_n = 0;
  uint32_t left = 0;
  uint64_t t_free = 0, t_out = 0;
  std::deque<Product> out;
  bool a_ready = false, b_ready = false, c_valid = false;
};

struct Lite {
  bool aw = false, w = false, b = false, ar = false, r = false;
  uint32_t addr = 0, data = 0, rdata = 0;
};

}  // namespace

struct Sim {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vrsn_xnn_top> top;
  rsn_sim_config cfg;
  uint8_t* mem[3] = {nullptr, nullptr, nullptr};
  Bus ddr_bus, lpddr_bus, instr_bus;
  RdPort rd[3];
  std::deque<WrBurst> wq;
  std::deque<BResp> bq;
  Engine eng[6];
  Lite lite;
  uint64_t now = 0;
  std::string err;
  int fatal = RSN_SIM_OK;
#ifdef RSN_SIM_WAVE
  // Open only while a waveform is requested: a build with tracing but no open file pays just the
  // model's activity bookkeeping.
  std::unique_ptr<VerilatedFstC> fst;
#endif

  ~Sim() {
#ifdef RSN_SIM_WAVE
    if (fst) fst->close();
#endif
    if (top) top->final();
    for (int m = 0; m < 3; m++)
      if (mem[m]) munmap(mem[m], cfg.mem_bytes[m] ? cfg.mem_bytes[m] : 64);
  }

  bool in_window(int m, uint64_t addr, uint64_t len, uint64_t* off) const {
    if (addr < kBase[m]) return false;
    uint64_t o = addr - kBase[m];
    if (o > cfg.mem_bytes[m] || len > cfg.mem_bytes[m] - o) return false;
    *off = o;
    return true;
  }

  void fail(int code, std::string msg) {
    if (fatal == RSN_SIM_OK) {
      fatal = code;
      err = std::move(msg);
    }
  }

  // ------------------------------------------------------------------ drive (before the edge)
  void drive() {
    Vrsn_xnn_top& t = *top;
    // Read slaves.
    uint8_t arready = 0, rvalid = 0, rlast = 0, rresp = 0;
    for (int p = 0; p < 3; p++) {
      RdPort& r = rd[p];
      if (r.q.size() < max_bursts(r.mem)) arready |= 1u << p;
      if (!r.presenting && !r.q.empty() && now >= r.q.front().ready && r.bus->free_at <= static_cast<double>(now)) {
        RdBurst& b = r.q.front();
        uint64_t off;
        uint64_t a = b.addr + 64ull * b.beat;
        r.err = !in_window(r.mem, a, 64, &off);
        if (r.err)
          std::memset(r.data, 0, 64);
        else
          std::memcpy(r.data, mem[r.mem] + off, 64);
        r.last = (b.beat + 1 == b.len);
        r.presenting = true;
        r.bus->free_at = std::max(r.bus->free_at, static_cast<double>(now)) + r.cost;
      }
      if (r.presenting) {
        rvalid |= 1u << p;
        if (r.last) rlast |= 1u << p;
        if (r.err) rresp |= 2u << (2 * p);
        for (int w = 0; w < 16; w++) {
          uint32_t v;
          std::memcpy(&v, r.data + 4 * w, 4);
          t.m_axi_rd_rdata[16 * p + w] = v;
        }
      }
    }
    t.m_axi_rd_arready = arready;
    t.m_axi_rd_rvalid = rvalid;
    t.m_axi_rd_rlast = rlast;
    t.m_axi_rd_rresp = rresp;
    // Write slave (DDR, sharing the read bus's bandwidth as in the model).
    t.m_axi_ddr1_awready = wq.size() < rsn_hw::kDdrOutstandingBursts;
    t.m_axi_ddr1_wready = !wq.empty() && ddr_bus.free_at <= static_cast<double>(now);
    bool bv = !bq.empty() && now >= bq.front().ready;
    t.m_axi_ddr1_bvalid = bv;
    t.m_axi_ddr1_bresp = (bv && bq.front().err) ? 2 : 0;
    // Engines.
    for (int e = 0; e < 6; e++) {
      Engine& g = eng[e];
      g.a_ready = g.a_full.size() * kBlockBeats + g.a_n < kEngineBufBeats;
      g.b_ready = g.b_full.size() * kBlockBeats + g.b_n < kEngineBufBeats;
      g.c_valid = !g.out.empty() && now >= g.out.front().ready;
      set_lanes16(t.mme_a_tready, 16 * e, g.a_ready);
      set_lanes16(t.mme_b_tready, 16 * e, g.b_ready);
      set_lanes16(t.mme_c_tvalid, 16 * e, g.c_valid);
      set_lanes16(t.mme_c_tlast, 16 * e, g.c_valid && g.out.front().beat == kBlockBeats - 1);
      if (g.c_valid) {
        const Product& p = g.out.front();
        std::memcpy(&t.mme_c_tdata[32 * e], p.c.data() + p.beat * kBeatFloats, 4 * kBeatFloats);
      }
    }
    // AXI4-Lite master.
    t.s_axi_control_awvalid = lite.aw;
    t.s_axi_control_awaddr = lite.addr;
    t.s_axi_control_wvalid = lite.w;
    t.s_axi_control_wdata = lite.data;
    t.s_axi_control_wstrb = 0xf;
    t.s_axi_control_bready = lite.b;
    t.s_axi_control_arvalid = lite.ar;
    t.s_axi_control_araddr = lite.addr;
    t.s_axi_control_rready = lite.r;
  }

  // ------------------------------------------------------------------ one PL cycle
  void cycle() {
    Vrsn_xnn_top& t = *top;
    drive();
    t.ap_clk = 0;
    t.eval();
#ifdef RSN_SIM_WAVE
    // Two time units per PL cycle: the falling edge at 2n, the rising edge at 2n + 1.
    if (fst) fst->dump(2 * now);
#endif
    // Handshakes, as both sides see them before the edge.
    uint8_t arv = t.m_axi_rd_arvalid, rrdy = t.m_axi_rd_rready;
    struct ArFire { int p; uint64_t addr; uint32_t len; unsigned size, burst; };
    ArFire arf[3];
    int narf = 0;
    bool rfire[3];
    for (int p = 0; p < 3; p++) {
      if (((arv >> p) & 1) && ((t.m_axi_rd_arready >> p) & 1)) {
        arf[narf++] = {p, bits64(t.m_axi_rd_araddr, 64 * p), ((t.m_axi_rd_arlen >> (8 * p)) & 0xffu) + 1,
                       (t.m_axi_rd_arsize >> (3 * p)) & 7u, (t.m_axi_rd_arburst >> (2 * p)) & 3u};
      }
      rfire[p] = rd[p].presenting && ((rrdy >> p) & 1);
    }
    bool awf = t.m_axi_ddr1_awvalid && t.m_axi_ddr1_awready;
    uint64_t awaddr = t.m_axi_ddr1_awaddr;
    uint32_t awlen = static_cast<uint32_t>(t.m_axi_ddr1_awlen) + 1;
    unsigned awsize = t.m_axi_ddr1_awsize, awburst = t.m_axi_ddr1_awburst;
    bool wf = t.m_axi_ddr1_wvalid && t.m_axi_ddr1_wready;
    uint8_t wdata[64];
    uint64_t wstrb = t.m_axi_ddr1_wstrb;
    bool wlast = t.m_axi_ddr1_wlast;
    if (wf) std::memcpy(wdata, &t.m_axi_ddr1_wdata[0], 64);
    bool bf = t.m_axi_ddr1_bvalid && t.m_axi_ddr1_bready;
    bool afire[6], bfire[6], cfire[6];
    for (int e = 0; e < 6; e++) {
      afire[e] = eng[e].a_ready && bit(t.mme_a_tvalid, 16 * e);
      bfire[e] = eng[e].b_ready && bit(t.mme_b_tvalid, 16 * e);
      cfire[e] = eng[e].c_valid && bit(t.mme_c_tready, 16 * e);
      if (afire[e]) std::memcpy(eng[e].a_cur.data() + eng[e].a_n * kBeatFloats, &t.mme_a_tdata[32 * e], 128);
      if (bfire[e]) std::memcpy(eng[e].b_cur.data() + eng[e].b_n * kBeatFloats, &t.mme_b_tdata[32 * e], 128);
      if (afire[e] && bit(t.mme_a_tlast, 16 * e) != (eng[e].a_n == kBlockBeats - 1))
        fail(RSN_SIM_ERR_AXI, "engine " + std::to_string(e) + ": A tlast not on beat 511 of a block");
      if (bfire[e] && bit(t.mme_b_tlast, 16 * e) != (eng[e].b_n == kBlockBeats - 1))
        fail(RSN_SIM_ERR_AXI, "engine " + std::to_string(e) + ": B tlast not on beat 511 of a block");
    }
    bool lite_aw = lite.aw && t.s_axi_control_awready, lite_w = lite.w && t.s_axi_control_wready;
    bool lite_b = lite.b && t.s_axi_control_bvalid, lite_ar = lite.ar && t.s_axi_control_arready;
    bool lite_r = lite.r && t.s_axi_control_rvalid;
    if (lite_r) lite.rdata = t.s_axi_control_rdata;

    t.ap_clk = 1;
    t.eval();
#ifdef RSN_SIM_WAVE
    if (fst) fst->dump(2 * now + 1);
#endif

    // State updates.
    for (int i = 0; i < narf; i++) {
      const ArFire& f = arf[i];
      if (f.size != 6 || f.burst != 1)
        fail(RSN_SIM_ERR_AXI, "read port " + std::to_string(f.p) + ": AR with size " + std::to_string(f.size) +
                                  ", burst " + std::to_string(f.burst) + " (expected 64-byte INCR)");
      rd[f.p].q.push_back({f.addr, f.len, 0, now + rd[f.p].latency});
    }
    for (int p = 0; p < 3; p++) {
      if (!rfire[p]) continue;
      RdPort& r = rd[p];
      r.presenting = false;
      if (++r.q.front().beat == r.q.front().len) r.q.pop_front();
    }
    if (awf) {
      if (awsize != 6 || awburst != 1) fail(RSN_SIM_ERR_AXI, "write port: AW not 64-byte INCR");
      wq.push_back({awaddr, awlen, 0, false});
    }
    if (wf) {
      WrBurst& b = wq.front();
      uint64_t off;
      if (in_window(RSN_SIM_DDR, b.addr + 64ull * b.beat, 64, &off)) {
        uint8_t* d = mem[RSN_SIM_DDR] + off;
        if (wstrb == ~0ull) {
          std::memcpy(d, wdata, 64);
        } else {
          for (int k = 0; k < 64; k++)
            if ((wstrb >> k) & 1) d[k] = wdata[k];
        }
      } else {
        b.err = true;
      }
      ddr_bus.free_at = std::max(ddr_bus.free_at, static_cast<double>(now)) + 64.0 / cfg.ddr_wr_bytes_per_cycle;
      b.beat++;
      if (wlast != (b.beat == b.len)) fail(RSN_SIM_ERR_AXI, "write port: wlast does not match awlen");
      if (b.beat == b.len) {
        bq.push_back({now + 1, b.err});
        wq.pop_front();
      }
    }
    if (bf) bq.pop_front();
    for (int e = 0; e < 6; e++) {
      Engine& g = eng[e];
      if (afire[e] && ++g.a_n == kBlockBeats) {
        g.a_full.push_back(g.a_cur);
        g.a_n = 0;
      }
      if (bfire[e] && ++g.b_n == kBlockBeats) {
        g.b_full.push_back(g.b_cur);
        g.b_n = 0;
      }
      if (cfire[e] && ++g.out.front().beat == kBlockBeats) g.out.pop_front();
      step_engine(e);
    }
    if (lite_aw) lite.aw = false;
    if (lite_w) lite.w = false;
    if (lite_b) lite.b = false;
    if (lite_ar) lite.ar = false;
    if (lite_r) lite.r = false;
    now++;
  }

  // An engine starts a block when both operands are in, it has blocks left in this run, its
  // previous block is done, and its product buffer has room (as in the model's advance_engines).
  void step_engine(int e) {
    Engine& g = eng[e];
    if (g.left == 0 || g.a_full.empty() || g.b_full.empty() || now < g.t_free || g.out.size() >= kEngineOutBlocks)
      return;
    Product p{std::vector<float>(kBlockFloats), 0, 0};
    if (rsn_aie_engine_block(g.a_full.front().data(), g.b_full.front().data(), p.c.data()) != RSN_AIE_OK) {
      char msg[256];
      rsn_aie_last_error(msg, sizeof msg);
      fail(RSN_SIM_ERR_ENGINE, "engine " + std::to_string(e) + ": " + msg);
      return;
    }
    g.a_full.pop_front();
    g.b_full.pop_front();
    g.left--;
    uint64_t end = now + std::max<uint64_t>(cfg.engine_block_cycles, kBlockBeats);
    g.t_free = end;
    uint64_t out_start = std::max(end, g.t_out);
    g.t_out = out_start + cfg.engine_out_cycles;
    p.ready = out_start + cfg.engine_latency;
    g.out.push_back(std::move(p));
  }

  int lite_wait(bool Lite::*flag, uint32_t limit) {
    for (uint32_t i = 0; i < limit && lite.*flag; i++) cycle();
    if (lite.*flag) {
      lite.*flag = false;
      fail(RSN_SIM_ERR_AXI, "control slave did not answer an AXI4-Lite access within " + std::to_string(limit) +
                                " cycles");
      return RSN_SIM_ERR_AXI;
    }
    return RSN_SIM_OK;
  }
};

extern "C" {

void* rsn_sim_new(const rsn_sim_config* cfg) {
  if (!cfg) return nullptr;
  auto s = std::make_unique<Sim>();
  s->cfg = *cfg;
  for (int m = 0; m < 3; m++) {
    // Untouched pages stay unallocated (and unreserved), so the full 8 GiB windows cost nothing
    // until a program uses them.
    void* p = mmap(nullptr, cfg->mem_bytes[m] ? cfg->mem_bytes[m] : 64, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    s->mem[m] = static_cast<uint8_t*>(p);
  }
  s->rd[0] = RdPort{RSN_SIM_INSTR, cfg->instr_latency, &s->instr_bus, 1.0};
  s->rd[1] = RdPort{RSN_SIM_DDR, cfg->ddr_latency, &s->ddr_bus, 64.0 / cfg->ddr_rd_bytes_per_cycle};
  s->rd[2] = RdPort{RSN_SIM_LPDDR, cfg->lpddr_latency, &s->lpddr_bus, 64.0 / cfg->lpddr_bytes_per_cycle};
  s->ctx = std::make_unique<VerilatedContext>();
#ifdef RSN_SIM_WAVE
  s->ctx->traceEverOn(true);
#endif
  s->top = std::make_unique<Vrsn_xnn_top>(s->ctx.get(), "rsn_xnn_top");
  s->top->ap_rst_n = 0;
  for (int i = 0; i < 8; i++) s->cycle();
  s->top->ap_rst_n = 1;
  for (int i = 0; i < 4; i++) s->cycle();
  return s.release();
}

void rsn_sim_free(void* sim) { delete static_cast<Sim*>(sim); }

int rsn_sim_wave_open(void* sim, const char* path) {
  Sim* s = static_cast<Sim*>(sim);
  if (!s || !path) return RSN_SIM_ERR_ARG;
#ifdef RSN_SIM_WAVE
  if (s->fst) s->fst->close();
  s->fst = std::make_unique<VerilatedFstC>();
  s->top->trace(s->fst.get(), 99);
  s->fst->open(path);
  if (!s->fst->isOpen()) {
    s->fst.reset();
    s->err = std::string("cannot open the waveform file ") + path;
    return RSN_SIM_ERR_ARG;
  }
  return RSN_SIM_OK;
#else
  s->err = "this co-simulation build has no waveform support (build rsn-sim with its `wave` feature)";
  return RSN_SIM_ERR_ARG;
#endif
}

void rsn_sim_wave_close(void* sim) {
#ifdef RSN_SIM_WAVE
  Sim* s = static_cast<Sim*>(sim);
  if (s && s->fst) {
    s->fst->close();
    s->fst.reset();
  }
#else
  (void)sim;
#endif
}

uint64_t rsn_sim_base(int mem) { return (mem >= 0 && mem < 3) ? kBase[mem] : 0; }

int rsn_sim_mem_write(void* sim, int mem, uint64_t offset, const uint8_t* data, uint64_t len) {
  Sim* s = static_cast<Sim*>(sim);
  if (mem < 0 || mem > 2 || offset > s->cfg.mem_bytes[mem] || len > s->cfg.mem_bytes[mem] - offset)
    return RSN_SIM_ERR_ARG;
  std::memcpy(s->mem[mem] + offset, data, len);
  return RSN_SIM_OK;
}

int rsn_sim_mem_read(void* sim, int mem, uint64_t offset, uint8_t* out, uint64_t len) {
  Sim* s = static_cast<Sim*>(sim);
  if (mem < 0 || mem > 2 || offset > s->cfg.mem_bytes[mem] || len > s->cfg.mem_bytes[mem] - offset)
    return RSN_SIM_ERR_ARG;
  std::memcpy(out, s->mem[mem] + offset, len);
  return RSN_SIM_OK;
}

int rsn_sim_reg_write(void* sim, uint32_t offset, uint32_t value) {
  Sim* s = static_cast<Sim*>(sim);
  s->lite.addr = offset;
  s->lite.data = value;
  s->lite.aw = s->lite.w = true;
  for (uint32_t i = 0; i < 1000 && (s->lite.aw || s->lite.w); i++) s->cycle();
  if (s->lite.aw || s->lite.w) {
    s->lite.aw = s->lite.w = false;
    s->fail(RSN_SIM_ERR_AXI, "control slave did not take a register write");
    return RSN_SIM_ERR_AXI;
  }
  s->lite.b = true;
  return s->lite_wait(&Lite::b, 1000);
}

int rsn_sim_reg_read(void* sim, uint32_t offset, uint32_t* value) {
  Sim* s = static_cast<Sim*>(sim);
  s->lite.addr = offset;
  s->lite.ar = true;
  int rc = s->lite_wait(&Lite::ar, 1000);
  if (rc != RSN_SIM_OK) return rc;
  s->lite.r = true;
  rc = s->lite_wait(&Lite::r, 1000);
  *value = s->lite.rdata;
  return rc;
}

void rsn_sim_set_engine_blocks(void* sim, const uint32_t blocks[6]) {
  Sim* s = static_cast<Sim*>(sim);
  for (int e = 0; e < 6; e++) {
    Engine& g = s->eng[e];
    g.left = blocks[e];
    g.a_full.clear();
    g.b_full.clear();
    g.out.clear();
    g.a_n = g.b_n = 0;
    g.t_free = g.t_out = s->now;
  }
}

void rsn_sim_engine_states(void* sim, rsn_sim_engine_state out[6]) {
  Sim* s = static_cast<Sim*>(sim);
  for (int e = 0; e < 6; e++) {
    const Engine& g = s->eng[e];
    out[e].left = g.left;
    out[e].a_beats = static_cast<uint32_t>(g.a_full.size() * kBlockBeats + g.a_n);
    out[e].b_beats = static_cast<uint32_t>(g.b_full.size() * kBlockBeats + g.b_n);
    out[e].out_blocks = static_cast<uint32_t>(g.out.size());
  }
}

int rsn_sim_run(void* sim, uint64_t max_cycles, int* done) {
  Sim* s = static_cast<Sim*>(sim);
  *done = 0;
  for (uint64_t i = 0; i < max_cycles; i++) {
    if (s->top->__SYM__interrupt) {
      *done = 1;
      break;
    }
    s->cycle();
    if (s->fatal != RSN_SIM_OK) return s->fatal;
  }
  if (s->top->__SYM__interrupt) *done = 1;
  return s->fatal;
}

uint64_t rsn_sim_cycles(void* sim) { return static_cast<Sim*>(sim)->now; }

size_t rsn_sim_last_error(void* sim, char* buf, size_t len) {
  Sim* s = static_cast<Sim*>(sim);
  if (buf && len) {
    size_t n = std::min(len - 1, s->err.size());
    std::memcpy(buf, s->err.data(), n);
    buf[n] = 0;
  }
  return s->err.size();
}

}  // extern "C"
