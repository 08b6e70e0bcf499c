// Testbench for rsn_ctrl_regs (rtl/top): an AXI4-Lite master with random handshakes (AW and W
// independent, in either order, random valid delays and random bready/rready) against a reference
// model of register map v1 written from bitstreams/vck190/regs.md. Every offset, count and code
// comes from rsn_regs.h, which rtl/vectors (`rsn-vectors regs-header`) generates from rsn::regs, so an offset
// in the SystemVerilog that drifts from regs.rs fails here.
//
// Every read is checked bit for bit: the model is cycle-exact except for the moment inside a read
// at which the slave samples, so a read must return one of the values the model shows between its
// AR handshake and its R handshake. Every cycle the kernel-side outputs (arguments, bound enables,
// start/abort pulses, interrupt) are checked against the model as well.
//
//   tb_ctrl_regs SEED
#include <algorithm>
#include <type_traits>

#include "Vrsn_ctrl_regs.h"
#include "rsn_regs.h"
#include "tb_common.h"

#ifndef TB_NAME
#define TB_NAME "tb_ctrl_regs"
#endif

namespace {

using namespace rsn_regs;

constexpr unsigned kFu = FU_COUNT_VALUE;
constexpr unsigned kCnt = 5;  // BUSY, STALL_IN, STALL_OUT, BYTES, UOPS
constexpr uint32_t kCntOff[kCnt] = {FU_BUSY, FU_STALL_IN, FU_STALL_OUT, FU_BYTES, FU_UOPS};
constexpr uint64_t kWatchdog = 200000;  // cycles any single wait may take

[[noreturn]] void die(const std::string& msg) { tb::fail(TB_NAME, msg); }

// Bit access to Verilator signals of any width (integers up to 64 bits, VlWide beyond).
template <class T>
void put_bits(T& sig, unsigned lsb, unsigned width, uint64_t v) {
  for (unsigned i = 0; i < width; ++i) {
    unsigned p = lsb + i;
    bool b = (v >> i) & 1;
    if constexpr (std::is_integral_v<T>) {
      if (b)
        sig |= static_cast<T>(T(1) << p);
      else
        sig &= static_cast<T>(~(T(1) << p));
    } else {
      uint32_t& w = sig[p / 32];
      if (b)
        w |= 1u << (p % 32);
      else
        w &= ~(1u << (p % 32));
    }
  }
}
template <class T>
uint64_t get_bits(const T& sig, unsigned lsb, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    unsigned p = lsb + i;
    bool b;
    if constexpr (std::is_integral_v<T>)
      b = (static_cast<uint64_t>(sig) >> p) & 1;
    else
      b = (sig[p / 32] >> (p % 32)) & 1;
    v |= static_cast<uint64_t>(b) << i;
  }
  return v;
}

// Per-cycle kernel-side inputs.
struct KIn {
  bool done = false, fault = false;
  uint32_t fault_code = 0, packet = 0, mop = 0, word = 0;
  uint64_t detail = 0;
  bool busy[kFu] = {}, win[kFu] = {}, wout[kFu] = {}, uop[kFu] = {};
  uint32_t bytes[kFu] = {}, state[kFu] = {}, cur_mop[kFu] = {};
};

// Reference model of the register file (regs.md), updated once per clock edge.
struct Model {
  std::vector<uint32_t> arg;  // by word index, only argument words are meaningful
  std::vector<bool> is_arg;
  bool ap_start = false, ap_done = false, ap_ready = false, running = false;
  bool gier = false, ier = false, isr = false, st_done = false, error = false;
  uint32_t fault_code = 0, packet = NO_POSITION, mop = NO_POSITION, word = NO_POSITION;
  uint64_t detail = 0, cycles = 0;
  uint64_t cnt[kFu][kCnt] = {};
  // The slave registers the per-FU inputs once: counters and STATE/CUR_MOP lag by a cycle.
  bool cnt_en = false;
  uint64_t inc[kFu][kCnt] = {};
  uint32_t state_q[kFu] = {}, cur_mop_q[kFu] = {};

  Model() : arg(SPACE_BYTES / 4, 0), is_arg(SPACE_BYTES / 4, false) {
    for (const auto& a : KERNEL_ARGS)
      for (uint32_t b = 0; b < a.bytes; b += 4) is_arg[(a.offset + b) / 4] = true;
  }
  uint64_t arg64(uint32_t off) const { return arg[off / 4] | static_cast<uint64_t>(arg[off / 4 + 1]) << 32; }
  uint32_t arg32(uint32_t off) const { return arg[off / 4]; }
  uint32_t bound_count() const { return arg32(KERNEL_ARGS[ARG_BOUND_COUNT].offset); }
  uint32_t bound_mask() const { return arg32(KERNEL_ARGS[ARG_BOUND_LPDDR_MASK].offset); }

  uint32_t read(uint32_t addr) const {
    addr &= ~3u;
    if (addr == AP_CTRL) return (ap_start ? 1u : 0) | (ap_done ? 2u : 0) | (!running ? 4u : 0) | (ap_ready ? 8u : 0);
    if (addr == GIER) return gier;
    if (addr == IP_IER) return ier;
    if (addr == IP_ISR) return isr;
    if (is_arg[addr / 4]) return arg[addr / 4];
    if (addr == MAGIC) return MAGIC_VALUE;
    if (addr == VERSION) return ISA_VERSION | REGMAP_VERSION << 16;
    if (addr == STATUS) return (running ? STATUS_BUSY : 0) | (st_done ? STATUS_DONE : 0) | (error ? STATUS_ERROR : 0);
    if (addr == FAULT_CODE) return fault_code;
    if (addr == FAULT_PACKET) return packet;
    if (addr == FAULT_MOP) return mop;
    if (addr == FAULT_WORD) return word;
    if (addr == FAULT_DETAIL) return static_cast<uint32_t>(detail);
    if (addr == FAULT_DETAIL + 4) return static_cast<uint32_t>(detail >> 32);
    if (addr == CYCLES) return static_cast<uint32_t>(cycles);
    if (addr == CYCLES + 4) return static_cast<uint32_t>(cycles >> 32);
    if (addr == FU_COUNT) return kFu;
    if (addr >= FU_BLOCK_BASE && addr < fu_block(kFu)) {
      uint32_t f = (addr - FU_BLOCK_BASE) / FU_BLOCK_STRIDE, o = (addr - FU_BLOCK_BASE) % FU_BLOCK_STRIDE;
      for (unsigned k = 0; k < kCnt; ++k) {
        if (o == kCntOff[k]) return static_cast<uint32_t>(cnt[f][k]);
        if (o == kCntOff[k] + 4) return static_cast<uint32_t>(cnt[f][k] >> 32);
      }
      if (o == FU_STATE) return state_q[f];
      if (o == FU_CUR_MOP) return cur_mop_q[f];
    }
    return 0;  // ABORT is write-only; FU_QUEUED has no source; the rest is unused
  }

  // A write as the slave must apply it (the test applies it at the write's B handshake).
  void write(uint32_t addr, uint32_t data, uint32_t strb) {
    addr &= ~3u;
    bool b0 = strb & 1;
    if (addr == GIER && b0) gier = data & 1;
    if (addr == IP_IER && b0) ier = data & 1;
    if (addr == IP_ISR && b0) isr = isr ^ (data & 1);
    if (addr < SPACE_BYTES && is_arg[addr / 4]) {
      uint32_t mask = 0;
      for (unsigned b = 0; b < 4; ++b)
        if (strb >> b & 1) mask |= 0xffu << (8 * b);
      arg[addr / 4] = (arg[addr / 4] & ~mask) | (data & mask);
    }
    // CTRL (ap_start) and ABORT are handled by the bench, which knows when they take effect.
  }

  // One clock edge with inputs `in`; `start` is the slave's start_o in this cycle.
  void edge(const KIn& in, bool start) {
    bool done_ev = in.done && running;
    bool fault_ev = in.fault && running && !error;
    if (start) {
      for (auto& f : cnt)
        for (auto& c : f) c = 0;
      fault_code = 0;
      packet = mop = word = NO_POSITION;
      detail = 0;
      cycles = 0;
    } else {
      if (cnt_en)
        for (unsigned f = 0; f < kFu; ++f)
          for (unsigned k = 0; k < kCnt; ++k) cnt[f][k] += inc[f][k];
      if (fault_ev) {
        fault_code = in.fault_code;
        packet = in.packet;
        mop = in.mop;
        word = in.word;
        detail = in.detail;
      }
      if (running) ++cycles;
    }
    cnt_en = running;
    for (unsigned f = 0; f < kFu; ++f) {
      inc[f][0] = in.busy[f];
      inc[f][1] = in.win[f];
      inc[f][2] = in.wout[f];
      inc[f][3] = in.bytes[f];
      inc[f][4] = in.uop[f];
      state_q[f] = in.state[f];
      cur_mop_q[f] = in.cur_mop[f];
    }
    if (start) {
      ap_done = ap_ready = false;
      st_done = error = false;
    } else if (done_ev) {
      ap_done = ap_ready = true;
    }
    if (done_ev) {
      st_done = true;
      if (ier) isr = true;
    }
    if (fault_ev) error = true;
    running = start || (running && !in.done);
  }
};

struct WrTx {
  uint64_t seq;
  uint32_t addr, data, strb;
  bool aw_done = false, w_done = false;
  bool is_start = false, consumed = false, is_abort = false;
};
struct RdTx {
  uint64_t seq;
  uint32_t addr;
  bool ar_done = false;
  std::vector<uint32_t> ok;  // values the model showed while the read was open
  uint32_t* result = nullptr;
};

struct Bench {
  Vrsn_ctrl_regs* m;
  tb::Clocked<Vrsn_ctrl_regs> clk;
  tb::Rng rng;
  Model md;
  KIn in;
  std::string phase = "reset";

  std::deque<WrTx> wq;
  std::deque<RdTx> rq;
  size_t aw_i = 0, w_i = 0, ar_i = 0;
  uint64_t seq = 0;
  bool awv = false, wv = false, arv = false;
  bool prev_b_stall = false, prev_r_stall = false;
  uint32_t prev_rdata = 0;
  unsigned p_valid = 100, p_ready = 100;  // handshake willingness in percent

  // Kernel behaviour requested by the test.
  bool done_req = false;
  unsigned done_delay = 0;  // cycles to wait before driving a requested done
  KIn done_in;  // fault fields for the requested done
  bool early_fault_req = false;
  unsigned idle_with_start = 0;
  uint64_t aborts_seen = 0, aborts_expected = 0, starts_seen = 0;
  uint64_t run_start_cycle = 0, last_run_cycles = 0, runs_done = 0;
  unsigned p_in_busy = 50, bytes_mode = 0;
  bool spurious = true;
  uint64_t reads_checked = 0, writes_done = 0;
  // Coverage of the corner cases the random test is meant to reach.
  uint64_t cov_double_fault = 0, cov_irq = 0, cov_done_in_ctrl_read = 0, cov_pending_start = 0, cov_faults = 0;

  explicit Bench(uint64_t seed) : m(new Vrsn_ctrl_regs), clk(m), rng(seed) {
    m->s_axi_awvalid = m->s_axi_wvalid = m->s_axi_arvalid = 0;
    m->s_axi_bready = m->s_axi_rready = 0;
    m->done_i = m->fault_i = 0;
    // A reset edge, not just a low level: some registers reset to non-zero values.
    m->clk_i = 0;
    m->rst_ni = 1;
    m->eval();
    clk.reset();
  }
  ~Bench() {
    m->final();
    delete m;
  }

  [[noreturn]] void fail(const std::string& msg) {
    die(tb::fmt("[%s] cycle %" PRIu64 ": %s", phase.c_str(), clk.cycles, msg.c_str()));
  }

  // ---- posting transactions ----------------------------------------------------------------
  void write(uint32_t addr, uint32_t data, uint32_t strb = 0xf) {
    WrTx t;
    t.seq = seq++;
    t.addr = addr;
    t.data = data;
    t.strb = strb;
    t.is_start = (addr & ~3u) == AP_CTRL && (strb & 1) && (data & 1);
    t.is_abort = (addr & ~3u) == ABORT && (strb & 1) && (data & 1);
    if (t.is_start && start_in_flight()) fail("test bug: a second start while one is pending");
    wq.push_back(t);
  }
  void read(uint32_t addr, uint32_t* result = nullptr) {
    RdTx t;
    t.seq = seq++;
    t.addr = addr;
    t.result = result;
    rq.push_back(t);
  }
  bool start_in_flight() const {
    if (md.ap_start) return true;
    for (const auto& t : wq)
      if (t.is_start && !t.consumed) return true;
    return false;
  }
  bool write_pending(uint32_t addr) const {
    for (const auto& t : wq)
      if ((t.addr & ~3u) == addr) return true;
    return false;
  }
  bool arg_write_pending() const {
    for (const auto& t : wq)
      if ((t.addr & ~3u) < SPACE_BYTES && md.is_arg[(t.addr & ~3u) / 4]) return true;
    return false;
  }
  bool ctrl_read_open() const {
    for (const auto& t : rq)
      if (t.ar_done && (t.addr & ~3u) == AP_CTRL) return true;
    return false;
  }
  // Same-address accesses complete in the order they were posted.
  bool older_same_addr(uint64_t s, uint32_t addr) const {
    for (const auto& t : wq)
      if (t.seq < s && (t.addr & ~3u) == (addr & ~3u)) return true;
    for (const auto& t : rq)
      if (t.seq < s && (t.addr & ~3u) == (addr & ~3u)) return true;
    return false;
  }

  // ---- one clock cycle -----------------------------------------------------------------------
  void drive_kernel() {
    in.done = in.fault = false;
    bool restricted = write_pending(IP_IER) || write_pending(IP_ISR) || write_pending(ABORT) ||
                      (ctrl_read_open() && md.ap_done);
    if (md.running && early_fault_req && rng.chance(20)) {
      in.fault = true;
      in.fault_code = 1 + rng.below(FAULT_MAX);
      in.packet = rng.u32();
      in.mop = rng.u32();
      in.word = rng.u32();
      in.detail = rng.next();
      early_fault_req = false;
    } else if (md.running && done_req && done_delay > 0) {
      --done_delay;
    } else if (md.running && done_req && !restricted) {
      KIn d = done_in;
      if (ctrl_read_open()) ++cov_done_in_ctrl_read;
      if (d.fault && md.error) ++cov_double_fault;
      if (md.ap_start) ++cov_pending_start;
      if (md.ier) ++cov_irq;
      if (d.fault || md.error) ++cov_faults;
      in.done = true;
      in.fault = d.fault;
      in.fault_code = d.fault_code;
      in.packet = d.packet;
      in.mop = d.mop;
      in.word = d.word;
      in.detail = d.detail;
      done_req = false;
    } else if (!md.running && spurious && !restricted && rng.chance(2)) {
      // A done or fault while no run is active must be ignored.
      in.done = rng.chance(50);
      in.fault = rng.chance(50);
      in.fault_code = rng.below(8);
      in.packet = rng.u32();
      in.detail = rng.next();
    }
    for (unsigned f = 0; f < kFu; ++f) {
      in.busy[f] = rng.chance(p_in_busy);
      in.win[f] = rng.chance(30);
      in.wout[f] = rng.chance(30);
      in.uop[f] = rng.chance(10);
      switch (bytes_mode) {
        case 0: in.bytes[f] = rng.chance(50) ? 0 : (rng.chance(50) ? 64 : rng.u32() & 0xffff); break;
        default: in.bytes[f] = 0xffff; break;
      }
      if (rng.chance(3)) in.state[f] = rng.below(8);
      if (rng.chance(2)) in.cur_mop[f] = rng.chance(20) ? NO_POSITION : rng.u32();
    }
    m->done_i = in.done;
    m->fault_i = in.fault;
    m->fault_code_i = in.fault_code & 7;
    m->fault_packet_i = in.packet;
    m->fault_mop_i = in.mop;
    m->fault_word_i = in.word;
    m->fault_detail_i = in.detail;
    uint64_t busy = 0, win = 0, wout = 0, uop = 0;
    for (unsigned f = 0; f < kFu; ++f) {
      busy |= static_cast<uint64_t>(in.busy[f]) << f;
      win |= static_cast<uint64_t>(in.win[f]) << f;
      wout |= static_cast<uint64_t>(in.wout[f]) << f;
      uop |= static_cast<uint64_t>(in.uop[f]) << f;
      put_bits(m->fu_bytes_i, 16 * f, 16, in.bytes[f]);
      put_bits(m->fu_state_i, 3 * f, 3, in.state[f]);
      put_bits(m->fu_cur_mop_i, 32 * f, 32, in.cur_mop[f]);
    }
    put_bits(m->fu_busy_i, 0, kFu, busy);
    put_bits(m->fu_wait_in_i, 0, kFu, win);
    put_bits(m->fu_wait_out_i, 0, kFu, wout);
    put_bits(m->fu_uop_done_i, 0, kFu, uop);
    // The model sees inputs as the slave does (3-bit state).
    for (unsigned f = 0; f < kFu; ++f) in.state[f] &= 7;
    in.fault_code &= 7;
  }

  void drive_axi() {
    if (!awv && aw_i < wq.size() && !older_same_addr(wq[aw_i].seq, wq[aw_i].addr) && rng.chance(p_valid)) awv = true;
    if (!wv && w_i < wq.size() && rng.chance(p_valid)) wv = true;
    if (!arv && ar_i < rq.size() && !older_same_addr(rq[ar_i].seq, rq[ar_i].addr) && rng.chance(p_valid)) arv = true;
    m->s_axi_awvalid = awv;
    m->s_axi_awaddr = awv ? wq[aw_i].addr : rng.u32() & 0xfff;
    m->s_axi_wvalid = wv;
    m->s_axi_wdata = wv ? wq[w_i].data : rng.u32();
    m->s_axi_wstrb = wv ? wq[w_i].strb : rng.u32() & 0xf;
    m->s_axi_arvalid = arv;
    m->s_axi_araddr = arv ? rq[ar_i].addr : rng.u32() & 0xfff;
    m->s_axi_bready = rng.chance(p_ready);
    m->s_axi_rready = rng.chance(p_ready);
  }

  void check_outputs() {
    if (m->s_axi_bresp != 0 && m->s_axi_bvalid) fail("bresp not OKAY");
    if (m->s_axi_rresp != 0 && m->s_axi_rvalid) fail("rresp not OKAY");
    if (prev_b_stall && !m->s_axi_bvalid) fail("bvalid dropped before bready");
    if (prev_r_stall && (!m->s_axi_rvalid || m->s_axi_rdata != prev_rdata)) fail("stalled R beat changed");
    if (m->s_axi_rvalid && (rq.empty() || !rq.front().ar_done)) fail("rvalid without an open read");
    if (m->s_axi_bvalid && (wq.empty() || !wq.front().aw_done || !wq.front().w_done)) fail("bvalid without a write");
    if (m->start_o && md.running) fail("start_o while a run is active");
    if (m->abort_o) {
      ++aborts_seen;
      uint64_t open = 0;
      for (const auto& t : wq) open += t.is_abort;
      if (aborts_seen > aborts_expected + open) fail("abort_o without a write of 1 to ABORT during a run");
    }
    bool irq_settled = !write_pending(GIER) && !write_pending(IP_IER) && !write_pending(IP_ISR);
    if (irq_settled && static_cast<bool>(m->interrupt_o) != (md.gier && md.isr))
      fail(tb::fmt("interrupt_o %d, want %d (gier %d isr %d)", m->interrupt_o, md.gier && md.isr, md.gier, md.isr));
    if (!arg_write_pending()) check_args();
  }

  void check_args() {
    auto want = [&](uint32_t idx) {
      const auto& a = KERNEL_ARGS[idx];
      return a.bytes == 8 ? md.arg64(a.offset) : md.arg32(a.offset);
    };
    struct {
      uint32_t idx;
      uint64_t got;
      const char* port;
    } ports[] = {
        {ARG_INSTR, m->instr_base_o, "instr_base_o"},
        {ARG_DDR0, m->ddr_base_o, "ddr_base_o"},
        {ARG_DDR1, m->ddr1_base_o, "ddr1_base_o"},
        {ARG_LPDDR0, m->lpddr_base_o, "lpddr_base_o"},
        {ARG_INSTR_OFFSET, m->instr_offset_o, "instr_offset_o"},
        {ARG_INSTR_WORDS, m->instr_words_o, "instr_words_o"},
        {ARG_WATCHDOG_CYCLES, m->watchdog_cycles_o, "watchdog_cycles_o"},
    };
    for (const auto& p : ports)
      if (p.got != want(p.idx))
        fail(tb::fmt("%s = %016" PRIx64 ", want %016" PRIx64, p.port, p.got, want(p.idx)));
    uint32_t cnt = md.bound_count(), mask = md.bound_mask();
    for (unsigned i = 0; i < MAX_BOUNDS; ++i) {
      uint64_t lo = get_bits(m->bound_lo_o, 64 * i, 64), hi = get_bits(m->bound_hi_o, 64 * i, 64);
      if (lo != want(ARG_BOUND0 + 2 * i) || hi != want(ARG_BOUND0 + 2 * i + 1))
        fail(tb::fmt("bound pair %u: %016" PRIx64 "..%016" PRIx64 ", want %016" PRIx64 "..%016" PRIx64, i, lo, hi,
                     want(ARG_BOUND0 + 2 * i), want(ARG_BOUND0 + 2 * i + 1)));
      bool valid = i < cnt, lp = (mask >> i) & 1;
      bool en_d = (m->bound_en_ddr_o >> i) & 1, en_l = (m->bound_en_lpddr_o >> i) & 1;
      if (en_d != (valid && !lp) || en_l != (valid && lp))
        fail(tb::fmt("bound pair %u: en_ddr %d en_lpddr %d, want %d %d (count %u, mask %08x)", i, en_d, en_l,
                     valid && !lp, valid && lp, cnt, mask));
    }
  }

  void step() {
    drive_kernel();
    drive_axi();
    clk.settle();
    check_outputs();
    // Every open read may return what the model shows now.
    for (auto& t : rq) {
      if (!t.ar_done) break;
      uint32_t v = md.read(t.addr);
      if (t.ok.empty() || t.ok.back() != v) t.ok.push_back(v);
    }
    bool aw_hs = awv && m->s_axi_awready, w_hs = wv && m->s_axi_wready, ar_hs = arv && m->s_axi_arready;
    bool b_hs = m->s_axi_bvalid && m->s_axi_bready, r_hs = m->s_axi_rvalid && m->s_axi_rready;
    bool start = m->start_o;
    uint32_t rdata = m->s_axi_rdata;
    prev_b_stall = m->s_axi_bvalid && !m->s_axi_bready;
    prev_r_stall = m->s_axi_rvalid && !m->s_axi_rready;
    prev_rdata = rdata;

    clk.edge();

    if (start) {
      ++starts_seen;
      if (md.ap_start) {
        md.ap_start = false;
      } else {
        bool found = false;
        for (auto& t : wq)
          if (t.is_start && !t.consumed && t.aw_done && t.w_done) {
            t.consumed = found = true;
            break;
          }
        if (!found) fail("start_o without a pending ap_start");
      }
      run_start_cycle = clk.cycles;
    }
    bool was_running = md.running;
    md.edge(in, start);
    if (was_running && !md.running) {
      last_run_cycles = clk.cycles - run_start_cycle;
      ++runs_done;
    }
    if (aw_hs) {
      wq[aw_i++].aw_done = true;
      awv = false;
    }
    if (w_hs) {
      wq[w_i++].w_done = true;
      wv = false;
    }
    if (ar_hs) {
      rq[ar_i++].ar_done = true;
      arv = false;
    }
    if (b_hs) {
      WrTx t = wq.front();
      wq.pop_front();
      --aw_i;
      --w_i;
      ++writes_done;
      md.write(t.addr, t.data, t.strb);
      if (t.is_start && !t.consumed) md.ap_start = true;
      if (t.is_abort) {
        aborts_expected += md.running;
        if (aborts_seen != aborts_expected)
          fail(tb::fmt("abort_o pulses: %" PRIu64 ", want %" PRIu64, aborts_seen, aborts_expected));
      }
    }
    if (r_hs) {
      RdTx t = rq.front();
      rq.pop_front();
      --ar_i;
      ++reads_checked;
      if (std::find(t.ok.begin(), t.ok.end(), rdata) == t.ok.end()) {
        std::string want;
        for (uint32_t v : t.ok) want += tb::fmt(" %08x", v);
        fail(tb::fmt("read 0x%03x (%s) = %08x, want one of:%s", t.addr, name_of(t.addr).c_str(), rdata, want.c_str()));
      }
      if ((t.addr & ~3u) == AP_CTRL) {
        // Clear on read: what the read returned is gone.
        if (rdata & 2) md.ap_done = false;
        if (rdata & 8) md.ap_ready = false;
      }
      if (t.result) *t.result = rdata;
    }
    // A pending ap_start is accepted the cycle after the kernel is idle.
    idle_with_start = (md.ap_start && !md.running) ? idle_with_start + 1 : 0;
    if (idle_with_start > 2) fail("ap_start pending while idle, no start_o");
  }

  std::string name_of(uint32_t addr) const {
    addr &= ~3u;
    for (const auto& r : STATUS_REGISTERS)
      if (r.offset == addr) return r.name;
    for (const auto& a : KERNEL_ARGS)
      if (addr >= a.offset && addr < a.offset + a.bytes) return a.name;
    if (addr >= FU_BLOCK_BASE && addr < fu_block(kFu))
      return tb::fmt("%s+0x%02x", FU_NAMES[(addr - FU_BLOCK_BASE) / FU_BLOCK_STRIDE],
                     (addr - FU_BLOCK_BASE) % FU_BLOCK_STRIDE);
    return "unused";
  }

  void settle(uint64_t max = kWatchdog) {
    uint64_t t0 = clk.cycles;
    while (!wq.empty() || !rq.empty()) {
      step();
      if (clk.cycles - t0 > max) fail("watchdog: AXI transactions do not complete");
    }
  }
  template <class F>
  void until(F cond, const char* what, uint64_t max = kWatchdog) {
    uint64_t t0 = clk.cycles;
    while (!cond()) {
      step();
      if (clk.cycles - t0 > max) fail(tb::fmt("watchdog: waiting for %s", what));
    }
  }
  void idle(unsigned n) {
    for (unsigned i = 0; i < n; ++i) step();
  }
  uint32_t read_now(uint32_t addr) {
    uint32_t v = 0;
    read(addr, &v);
    settle();
    return v;
  }
  void random_handshakes() {
    static const unsigned kModes[][2] = {{100, 100}, {50, 50}, {20, 90}, {90, 20}, {70, 70}, {10, 10}};
    auto& mo = kModes[rng.below(6)];
    p_valid = mo[0];
    p_ready = mo[1];
  }

  // Every word of the 4 KiB space, in random order, read and checked.
  void sweep() {
    std::vector<uint32_t> a(SPACE_BYTES / 4);
    for (uint32_t i = 0; i < a.size(); ++i) a[i] = 4 * i;
    for (size_t i = a.size(); i > 1; --i) std::swap(a[i - 1], a[rng.below(static_cast<unsigned>(i))]);
    for (uint32_t x : a) {
      // Unaligned byte addresses select the same word.
      read(x | (rng.chance(10) ? rng.below(4) : 0));
      if (rq.size() > 4) {
        until([&] { return rq.size() <= 2; }, "sweep reads");
      }
    }
    settle();
  }

  uint32_t random_arg_addr() {
    const auto& a = KERNEL_ARGS[rng.below(NUM_KERNEL_ARGS)];
    return a.offset + (a.bytes == 8 && rng.chance(50) ? 4 : 0);
  }
  uint32_t random_strb() { return rng.chance(40) ? 0xf : rng.below(16); }
  uint32_t interesting_addr() {
    switch (rng.below(8)) {
      case 0: return AP_CTRL;
      case 1: return STATUS;
      case 2: return CYCLES + 4 * rng.below(2);
      case 3: return random_arg_addr();
      case 4: return FAULT_CODE + 4 * rng.below(5);
      default: return fu_block(rng.below(kFu)) + 4 * rng.below(FU_BLOCK_STRIDE / 4);
    }
  }
};

// ---- test phases -------------------------------------------------------------------------------

void phase_reset(Bench& b) {
  b.phase = "reset";
  b.idle(3);
  if (b.m->start_o || b.m->abort_o || b.m->interrupt_o) b.fail("a kernel output is high after reset");
  if (b.read_now(AP_CTRL) != 4u) b.fail("CTRL after reset is not ap_idle only");
  if (b.read_now(MAGIC) != MAGIC_VALUE) b.fail("MAGIC");
  if (b.read_now(VERSION) != (ISA_VERSION | REGMAP_VERSION << 16)) b.fail("VERSION");
  if (b.read_now(FU_COUNT) != FU_COUNT_VALUE) b.fail("FU_COUNT differs from rsn::topology::Fu::COUNT");
  b.sweep();
}

void phase_args(Bench& b) {
  b.phase = "arguments";
  for (unsigned round = 0; round < 6; ++round) {
    b.random_handshakes();
    // Full words first so every byte gets a random value, then partial writes on top.
    for (const auto& a : KERNEL_ARGS)
      for (uint32_t o = 0; o < a.bytes; o += 4) b.write(a.offset + o, b.rng.u32(), 0xf);
    for (unsigned i = 0; i < 200; ++i) {
      if (b.rng.chance(60))
        b.write(b.random_arg_addr(), b.rng.u32(), b.random_strb());
      else
        b.read(b.random_arg_addr());
      if (b.wq.size() + b.rq.size() > 6) b.until([&] { return b.wq.size() + b.rq.size() <= 3; }, "argument traffic");
    }
    // Bound counts around the interesting values, with a random mask.
    static const uint32_t kCounts[] = {0, 1, 7, 15, 16, 17, 0xffffffffu, 0x10000};
    b.write(KERNEL_ARGS[ARG_BOUND_COUNT].offset, kCounts[b.rng.below(8)]);
    b.write(KERNEL_ARGS[ARG_BOUND_LPDDR_MASK].offset, b.rng.u32(), b.random_strb());
    b.settle();
    for (const auto& a : KERNEL_ARGS)
      for (uint32_t o = 0; o < a.bytes; o += 4) b.read(a.offset + o);
    b.settle();
  }
  for (uint32_t c : {0u, 1u, 7u, 15u, 16u, 17u, 0xffffffffu}) {
    b.write(KERNEL_ARGS[ARG_BOUND_COUNT].offset, c);
    b.write(KERNEL_ARGS[ARG_BOUND_LPDDR_MASK].offset, b.rng.u32());
    b.settle();
    b.idle(2);
  }
}

// Writes to every offset that is not a writable register must change nothing.
void phase_unused(Bench& b) {
  b.phase = "unused offsets";
  b.random_handshakes();
  for (uint32_t a = 0; a < SPACE_BYTES; a += 4) {
    bool writable = a == AP_CTRL || a == GIER || a == IP_IER || a == IP_ISR || a == ABORT || b.md.is_arg[a / 4];
    if (writable) continue;
    b.write(a | b.rng.below(4), b.rng.u32() | 1, b.rng.chance(70) ? 0xf : b.rng.below(16));
    if (b.wq.size() > 4) b.until([&] { return b.wq.size() <= 2; }, "unused writes");
  }
  // ABORT while idle, and CTRL/GIER/IER/ISR writes without byte 0: no effect.
  b.write(ABORT, 1);
  b.write(AP_CTRL, 0xffffffffu, 0xe);
  b.write(GIER, 0xffffffffu, 0xe);
  b.write(IP_IER, 0xffffffffu, 0xe);
  b.write(IP_ISR, 0xffffffffu, 0xe);
  b.settle();
  b.idle(5);
  if (b.md.running || b.starts_seen != 0) b.fail("a start without ap_start");
  if (b.aborts_seen != 0) b.fail("abort_o while idle");
  b.sweep();
}

// One run; returns after done and the checks of the done state.
void one_run(Bench& b, unsigned run) {
  b.phase = tb::fmt("run %u", run);
  b.random_handshakes();
  b.p_in_busy = b.rng.below(101);
  if (b.rng.chance(30)) b.write(GIER, b.rng.u32(), b.random_strb());
  if (b.rng.chance(30)) b.write(IP_IER, b.rng.u32(), b.random_strb());
  if (b.rng.chance(20)) b.write(b.random_arg_addr(), b.rng.u32(), b.random_strb());
  // ap_start, sometimes with other CTRL bits set (read-only, ignored) or without byte 0.
  if (!b.md.running && !b.start_in_flight()) {
    if (b.rng.chance(8)) {
      b.write(AP_CTRL, b.rng.u32() | 1, 0xe);
      b.settle();
      b.idle(4);
      if (b.md.running) b.fail("a CTRL write without wstrb[0] started the kernel");
    }
    b.write(AP_CTRL, b.rng.chance(50) ? 1 : (b.rng.u32() | 1), b.rng.chance(50) ? 0xf : (b.rng.below(16) | 1));
  }
  b.until([&] { return b.md.running; }, "start_o");
  uint64_t t_start = b.run_start_cycle;
  uint32_t st = b.read_now(STATUS);
  if (!(st & STATUS_BUSY) && b.md.running) b.fail("STATUS busy not set during a run");

  unsigned len = b.rng.chance(10) ? b.rng.below(3) : b.rng.below(400);
  bool do_abort = b.rng.chance(20), second_start = b.rng.chance(15);
  b.early_fault_req = b.rng.chance(15);
  unsigned abort_at = b.rng.below(len + 1), t = 0;
  while (t < len) {
    if (b.rq.size() < 2 && b.rng.chance(30)) b.read(b.interesting_addr());
    if (b.wq.size() < 2 && b.rng.chance(5)) b.write(b.random_arg_addr(), b.rng.u32(), b.random_strb());
    if (b.wq.size() < 2 && b.rng.chance(3)) b.write(b.rng.chance(50) ? GIER : IP_ISR, b.rng.u32(), b.random_strb());
    if (do_abort && t == abort_at) b.write(ABORT, b.rng.chance(50) ? 1 : (b.rng.u32() | 1), b.random_strb() | 1);
    if (second_start && t == len / 2 && !b.start_in_flight()) b.write(AP_CTRL, 1);
    b.step();
    ++t;
  }
  // Let the traffic finish inside the run, so the reads below are the first to see the done.
  b.settle();
  // Finish the run, sometimes with a fault.
  b.done_req = true;
  b.done_in = KIn{};
  if (b.rng.chance(40)) {
    b.done_in.fault = true;
    b.done_in.fault_code = 1 + b.rng.below(FAULT_MAX);
    b.done_in.packet = b.rng.chance(20) ? NO_POSITION : b.rng.u32();
    b.done_in.mop = b.rng.u32();
    b.done_in.word = b.rng.u32();
    b.done_in.detail = b.rng.next();
  }
  // Sometimes poll CTRL while the done arrives: the read may or may not see (and clear) it.
  uint32_t poll = 0;
  bool polling = b.rng.chance(40);
  if (polling) b.read(AP_CTRL, &poll);
  b.done_delay = b.rng.below(6);
  uint64_t done_count = b.runs_done;
  b.until([&] { return b.runs_done != done_count; }, "done");
  uint64_t cycles = b.last_run_cycles;
  if (cycles != b.clk.cycles - t_start) b.fail("run length bookkeeping");
  b.early_fault_req = false;
  b.settle();
  b.idle(2);
  if (b.md.running) {
    // A start written during the run began the next run right after done.
    return;
  }
  if (b.md.cycles != cycles) b.fail(tb::fmt("model CYCLES %" PRIu64 " != run length %" PRIu64, b.md.cycles, cycles));
  // The done state, explicitly: CTRL shows done/idle/ready once, STATUS and CYCLES the run.
  uint32_t c1 = b.read_now(AP_CTRL), c2 = b.read_now(AP_CTRL);
  if (b.md.ap_done) b.fail("model ap_done survived a read");
  bool poll_saw_done = polling && (poll & 2);
  if (polling && poll != 0 && poll != (2u | 4u | 8u)) b.fail(tb::fmt("CTRL polled around done = %x", poll));
  if (c1 != (poll_saw_done ? 4u : (2u | 4u | 8u))) b.fail(tb::fmt("CTRL after done = %x", c1));
  if (c2 != 4u) b.fail(tb::fmt("CTRL after clear-on-read = %x, want 4", c2));
  uint32_t stv = b.read_now(STATUS);
  if (!(stv & STATUS_DONE) || (stv & STATUS_BUSY)) b.fail(tb::fmt("STATUS after done = %x", stv));
  uint64_t cyc = b.read_now(CYCLES) | static_cast<uint64_t>(b.read_now(CYCLES + 4)) << 32;
  if (cyc != cycles) b.fail(tb::fmt("CYCLES = %" PRIu64 ", run was %" PRIu64 " cycles", cyc, cycles));
  // The interrupt: asserted if enabled, cleared by toggling ISR.
  if (b.md.isr) {
    b.write(IP_ISR, 1);
    b.settle();
    if (b.md.isr || b.m->interrupt_o) b.fail("ISR toggle did not clear the interrupt");
  } else if (b.rng.chance(20)) {
    // Toggling a clear ISR sets it (software-raised interrupt), then clear it again.
    b.write(GIER, 1);
    b.write(IP_ISR, 1);
    b.settle();
    b.idle(1);
    if (!b.m->interrupt_o) b.fail("ISR toggle to 1 with GIER set did not raise interrupt_o");
    b.write(IP_ISR, 1);
    b.settle();
  }
}

// Long run with maximal byte counts: the BYTES counters carry into their high words.
void phase_long(Bench& b) {
  b.phase = "long run";
  b.p_valid = b.p_ready = 100;
  b.bytes_mode = 1;
  b.write(AP_CTRL, 1);
  b.until([&] { return b.md.running; }, "start_o");
  b.idle(70000);
  b.done_req = true;
  b.done_in = KIn{};
  uint64_t done_count = b.runs_done;
  b.until([&] { return b.runs_done != done_count; }, "done");
  b.bytes_mode = 0;
  b.settle();
  b.idle(2);
  for (unsigned f = 0; f < kFu; ++f) {
    uint64_t lo = b.read_now(fu_block(f) + FU_BYTES), hi = b.read_now(fu_block(f) + FU_BYTES + 4);
    if ((hi << 32 | lo) != b.last_run_cycles * 0xffffu || hi == 0)
      b.fail(tb::fmt("%s BYTES = %" PRIu64 ", want %" PRIu64, FU_NAMES[f], hi << 32 | lo, b.last_run_cycles * 0xffffu));
  }
  b.sweep();
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 2) die("usage: tb_ctrl_regs SEED");
  uint64_t seed = std::strtoull(argv[1], nullptr, 10);
  static_assert(sizeof(FU_NAMES) / sizeof(FU_NAMES[0]) == FU_COUNT_VALUE, "FU name table");
  static_assert(NUM_KERNEL_ARGS == ARG_BOUND0 + 2 * MAX_BOUNDS, "kernel argument table");
  static_assert(FAULT_MAX < 8, "a fault code of regs.rs does not fit fault_code_i[2:0]");
  Bench b(seed);
  phase_reset(b);
  phase_args(b);
  phase_unused(b);
  const unsigned kRuns = 150;
  for (unsigned r = 0; r < kRuns; ++r) {
    one_run(b, r);
    if (r % 25 == 24) {
      b.phase = tb::fmt("sweep after run %u", r);
      b.sweep();
    }
  }
  // Let a start left pending by the last run finish.
  if (b.md.running || b.start_in_flight()) {
    b.until([&] { return b.md.running; }, "start_o");
    b.done_req = true;
    b.until([&] { return !b.md.running; }, "done");
    b.settle();
  }
  phase_long(b);
  b.settle();
  b.idle(10);
  if (b.aborts_seen != b.aborts_expected)
    die(tb::fmt("abort_o pulses %" PRIu64 ", want %" PRIu64, b.aborts_seen, b.aborts_expected));
  if (b.cov_double_fault == 0 || b.cov_irq == 0 || b.cov_done_in_ctrl_read == 0 || b.cov_pending_start == 0 ||
      b.aborts_expected == 0)
    die(tb::fmt("coverage: a corner case was never reached: %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
                b.cov_double_fault, b.cov_irq, b.cov_done_in_ctrl_read, b.cov_pending_start, b.aborts_expected));
  std::printf("%s: PASS: %" PRIu64 " reads and %" PRIu64 " writes checked, %" PRIu64 " runs (%" PRIu64
              " faulted, %" PRIu64 " with a second fault, %" PRIu64 " with the done interrupt enabled, %" PRIu64
              " with ap_start pending, %" PRIu64 " done during a CTRL read), %" PRIu64 " aborts, %" PRIu64
              " cycles\n",
              TB_NAME, b.reads_checked, b.writes_done, b.runs_done, b.cov_faults, b.cov_double_fault, b.cov_irq,
              b.cov_pending_start, b.cov_done_in_ctrl_read, b.aborts_expected, b.clk.cycles);
  return 0;
}
