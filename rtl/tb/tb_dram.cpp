// Testbench for the DRAM units (rtl/dram): rsn_dram_rd (DDR loads, LPDDR) or, with -DTB_WR,
// rsn_dram_wr (DDR stores). A C++ AXI4 slave memory answers the unit with random address-channel
// readiness, random latency per burst and random gaps on R/W/B; the line streams get random
// bubbles (writer inputs) and random back-pressure (reader outputs).
//
// Vectors (rtl/vectors (`rsn-vectors dram`)) are segments of uOPs with the exact bursts each must
// become (expand::dram_chunks cut at 64 beats and 4 KiB), and how the segment ends: normally, in a
// bounds fault, in an unserved uOP (fault 3), in an abort at a random point, or in an AXI error
// response the slave injects (fault 2). Checked: every burst's address and length in order and
// its legality (INCR, 64-byte beats, <= 64 beats, no 4 KiB crossing, inside an enabled bound
// pair); the reader's line sequence per port (data = memory contents at the line's address) and
// uop_done_o after each uOP's last line; the writer's written beats in order (address and data =
// the k-th line of the uOP's MemC input), wlast, byte strobes, store_done_o after each uOP's last
// write response; fence_ok_i holding back a fenced uOP's bursts; that a stalled AXI channel or
// output holds still; fault kind and offset; that an abort drains every burst in flight (the
// slave ends with nothing outstanding), raises no new burst, delivers nothing more, and leaves
// the unit ready for the next segment; busy_o falling at the end; a watchdog against hangs.
//
//   tb_dram VECTORS SEED
#include <fstream>
#include <map>
#include <sstream>

#include "tb_common.h"

#ifdef TB_WR
#include "Vrsn_dram_wr.h"
using Dut = Vrsn_dram_wr;
#else
#include "Vrsn_dram_rd.h"
using Dut = Vrsn_dram_rd;
#endif

#ifndef TB_NAME
#define TB_NAME "tb_dram"
#endif

namespace {

struct Burst {
  uint64_t off;
  unsigned len;
  size_t uop;
};
struct Uop {
  uint32_t iter;
  uint32_t w[4];
  int port;  // port index, -1 = not served by the unit
};
struct Segment {
  std::string mode;
  std::vector<Uop> uops;
  std::vector<Burst> bursts;
  int fault_kind = 0;
  uint64_t fault_off = 0;
};

[[noreturn]] void fail(const std::string& m) { tb::fail(TB_NAME, m); }

uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// Memory contents the reader sees: a function of the absolute byte address.
uint32_t mem_word(uint64_t addr, unsigned w) { return static_cast<uint32_t>(mix(addr + 4 * w)); }
// Line k of MemC port p's store stream in segment s.
uint32_t src_word(size_t s, unsigned p, size_t k, unsigned w) {
  return static_cast<uint32_t>(mix((static_cast<uint64_t>(s) << 40) ^ (static_cast<uint64_t>(p) << 32) ^ (k << 4) ^ w) >> 7);
}

struct Slave {
  struct Req {
    uint64_t addr;
    unsigned len;
    uint64_t ready_at;
    int err_beat;  // beat answered with SLVERR (reader), or -1
  };
  std::deque<Req> q;  // accepted address requests (reader: R bursts to serve)
  unsigned beat = 0;
  bool r_valid = false;
  uint64_t last_ready = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) fail("usage: tb_dram VECTORS SEED");
  std::ifstream f(argv[1]);
  if (!f) fail(tb::fmt("cannot open %s", argv[1]));
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);

  // ---- vectors
  std::string kind;
  unsigned num_ports = 0, port_base = 0;
  uint64_t base = 0;
  uint64_t blo[16] = {}, bhi[16] = {};
  bool ben[16] = {};
  std::vector<Segment> segs;
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
      ok = static_cast<bool>(ss >> kind >> num_ports >> port_base);
    } else if (tag == "base") {
      ok = static_cast<bool>(ss >> std::hex >> base);
    } else if (tag == "bound") {
      unsigned i, en;
      ok = static_cast<bool>(ss >> std::dec >> i >> en) && i < 16;
      if (ok) ok = static_cast<bool>(ss >> std::hex >> blo[i] >> bhi[i]);
      if (ok) ben[i] = en != 0;
    } else if (tag == "seg") {
      segs.emplace_back();
      ok = static_cast<bool>(ss >> segs.back().mode);
    } else if (tag == "u" && !segs.empty()) {
      Uop u;
      ok = static_cast<bool>(ss >> std::dec >> u.iter >> std::hex >> u.w[0] >> u.w[1] >> u.w[2] >> u.w[3] >>
                             std::dec >> u.port);
      segs.back().uops.push_back(u);
    } else if (tag == "b" && !segs.empty() && !segs.back().uops.empty()) {
      Burst b;
      ok = static_cast<bool>(ss >> std::hex >> b.off >> std::dec >> b.len);
      b.uop = segs.back().uops.size() - 1;
      segs.back().bursts.push_back(b);
    } else if (tag == "f" && !segs.empty()) {
      ok = static_cast<bool>(ss >> std::dec >> segs.back().fault_kind >> std::hex >> segs.back().fault_off);
    } else if (tag == "end") {
      ended = true;
    } else {
      ok = false;
    }
    if (!ok) fail(tb::fmt("%s:%zu: bad line '%s'", argv[1], lineno, line.c_str()));
  }
  if (!ended) fail(tb::fmt("%s: no 'end' line (truncated file?)", argv[1]));
#ifdef TB_WR
  if (kind != "wr") fail("vectors are not for the writer");
#else
  if (kind != "rd") fail("vectors are not for the reader");
#endif

  auto* m = new Dut;
  tb::Clocked<Dut> clk(m);
  tb::Rng rng(seed);
  m->abort_i = 0;
  m->uop_valid_i = 0;
  m->base_i = base;
  for (int i = 0; i < 16; ++i) {
    m->bound_lo_i[2 * i] = static_cast<uint32_t>(blo[i]);
    m->bound_lo_i[2 * i + 1] = static_cast<uint32_t>(blo[i] >> 32);
    m->bound_hi_i[2 * i] = static_cast<uint32_t>(bhi[i]);
    m->bound_hi_i[2 * i + 1] = static_cast<uint32_t>(bhi[i] >> 32);
  }
  uint16_t en = 0;
  for (int i = 0; i < 16; ++i) en |= static_cast<uint16_t>(ben[i]) << i;
  m->bound_en_i = en;
#ifdef TB_WR
  m->m_axi_awready = 0;
  m->m_axi_wready = 0;
  m->m_axi_bvalid = 0;
  m->in_valid_i = 0;
#else
  m->fence_ok_i = 1;
  m->m_axi_arready = 0;
  m->m_axi_rvalid = 0;
  m->out_ready_i = 0;
#endif
  clk.reset();

  const unsigned profiles[3] = {100, 70, 20};
  unsigned in_pct = 100, out_pct = 100, axi_pct = 100, uop_pct = 100;
  unsigned fence_mode = 0;  // 0 always ok, 1 random, 2 held low
  uint64_t total_bursts = 0, total_lines = 0, fence_holds = 0, n_abort = 0, n_fault[4] = {};
  uint64_t busy_cycles = 0, wait_in_cycles = 0, wait_out_cycles = 0;
  const uint64_t kStuck = 100000;

  // The AXI address channel of the unit, sampled each cycle for the hold rule.
  bool prev_a_stall = false;
  uint64_t prev_a_addr = 0;
  unsigned prev_a_len = 0;
  Slave sl;
#ifdef TB_WR
  struct WBeat {
    uint32_t d[16];
    bool strb_all;
    bool last;
  };
  std::deque<WBeat> wq;             // W beats not yet paired with an address
  std::deque<Slave::Req> awq;       // AW bursts still receiving beats (front) or answered below
  std::deque<std::pair<uint64_t, bool>> bq;  // B responses due: (ready cycle, error)
  bool b_valid = false;
  bool prev_w_stall = false;
  uint32_t prev_w[16] = {};
  bool prev_w_last = false;
  uint64_t prev_w_strb = 0;
  bool w_valid_i[6] = {};
#else
  bool prev_o_stall[16] = {};
  uint32_t prev_o[16] = {};
#endif

  for (size_t si = 0; si < segs.size(); ++si) {
    const Segment& sg = segs[si];
    const bool want_abort = sg.mode == "abort";
    const bool want_rerr = sg.mode == "rerr";
    // The burst (by index in the segment) whose response is SLVERR, and the beat within it.
    long err_burst = -1;
    unsigned err_beat = 0;
    if (want_rerr && !sg.bursts.empty()) {
      err_burst = rng.below(static_cast<unsigned>(sg.bursts.size()));
      err_beat = rng.below(sg.bursts[err_burst].len);
    }
    size_t lines_total = 0;
    std::vector<size_t> cum_bursts(sg.uops.size(), 0), cum_lines(sg.uops.size(), 0);
    for (const Burst& b : sg.bursts) {
      lines_total += b.len;
      for (size_t k = b.uop; k < sg.uops.size(); ++k) {
        cum_bursts[k]++;
        cum_lines[k] += b.len;
      }
    }
    // Expected line streams: reader, per port the window offsets of its lines; writer, the
    // written lines in order (offset, port, index in that port's stream).
    std::vector<std::deque<uint64_t>> port_lines(num_ports);
    struct WLine {
      uint64_t off;
      unsigned port;
      size_t k;
    };
    std::deque<WLine> wlines;
    std::vector<size_t> port_count(num_ports, 0);
    for (const Burst& b : sg.bursts) {
      unsigned p = static_cast<unsigned>(sg.uops[b.uop].port);
      for (unsigned i = 0; i < b.len; ++i) {
        port_lines[p].push_back(b.off + 64ull * i);
        wlines.push_back({b.off + 64ull * i, p, port_count[p]++});
      }
    }
    std::vector<size_t> src_next(num_ports, 0);  // writer: next line offered per port
    (void)src_next;

    size_t ui = 0, ai = 0, delivered = 0, dones = 0, bresps = 0;
    bool uop_v = false;
    std::vector<uint64_t> accepted_at(sg.uops.size(), 0);
    std::vector<bool> fence_seen(sg.uops.size(), false);
    // Abort trigger: after this many delivered (reader) / written (writer) lines, or at once
    // once a fault has been seen (fault segments), after a random delay.
    size_t abort_after = want_abort ? rng.below(static_cast<unsigned>(lines_total + 1)) : SIZE_MAX;
    uint64_t abort_at = UINT64_MAX;  // cycle to raise abort
    unsigned abort_len = 0;
    bool aborting = false, drained = false, fault_seen = false;
    bool ar_hold_after_abort = false, abort_seen_ar = false, abort_applied = false;
    uint64_t last_progress = clk.cycles, seg_start = clk.cycles;
    const bool expect_fault = sg.fault_kind != 0 || (want_rerr && err_burst >= 0);

    while (true) {
      if (clk.cycles % 4096 == 0) {
        in_pct = profiles[rng.below(3)];
        out_pct = profiles[rng.below(3)];
        axi_pct = profiles[rng.below(3)];
        uop_pct = profiles[rng.below(3)];
      }
      if (clk.cycles % 256 == 0) fence_mode = rng.below(3);
      const bool in_abort = aborting && abort_len > 0;
      // ---- drive inputs
      if (!uop_v && !aborting && ui < sg.uops.size() && rng.chance(uop_pct)) uop_v = true;
      m->uop_valid_i = uop_v;
      if (ui < sg.uops.size()) {
        m->uop_iter_i = sg.uops[ui].iter;
        for (int w = 0; w < 4; ++w) m->uop_payload_i[w] = sg.uops[ui].w[w];
      }
      m->abort_i = in_abort;
      abort_applied |= in_abort;
#ifdef TB_WR
      m->m_axi_awready = rng.chance(axi_pct);
      m->m_axi_wready = rng.chance(axi_pct);
      if (!b_valid && !bq.empty() && bq.front().first <= clk.cycles && rng.chance(axi_pct)) b_valid = true;
      m->m_axi_bvalid = b_valid;
      m->m_axi_bresp = (b_valid && bq.front().second) ? 2 : 0;
      for (unsigned p = 0; p < 6; ++p) {
        if (!w_valid_i[p] && !aborting && src_next[p] < port_count[p] && rng.chance(in_pct)) w_valid_i[p] = true;
        for (unsigned w = 0; w < 16; ++w) m->in_data_i[16 * p + w] = src_word(si, p, src_next[p], w);
      }
      uint8_t iv = 0;
      for (unsigned p = 0; p < 6; ++p) iv |= static_cast<uint8_t>(w_valid_i[p]) << p;
      m->in_valid_i = iv;
#else
      bool fence_ok = fence_mode == 0 || (fence_mode == 1 && rng.chance(50));
      m->fence_ok_i = fence_ok;
      m->m_axi_arready = rng.chance(axi_pct);
      if (!sl.r_valid && !sl.q.empty() && sl.q.front().ready_at <= clk.cycles && rng.chance(axi_pct))
        sl.r_valid = true;
      m->m_axi_rvalid = sl.r_valid;
      if (sl.r_valid) {
        const Slave::Req& r = sl.q.front();
        for (unsigned w = 0; w < 16; ++w) m->m_axi_rdata[w] = mem_word(r.addr + 64ull * sl.beat, w);
        m->m_axi_rlast = sl.beat + 1 == r.len;
        m->m_axi_rresp = (r.err_beat >= 0 && static_cast<unsigned>(r.err_beat) == sl.beat) ? 2 : 0;
      }
      uint16_t rdy = 0;
      for (unsigned p = 0; p < num_ports; ++p) rdy |= static_cast<uint16_t>(rng.chance(out_pct)) << p;
      m->out_ready_i = rdy;
#endif
      clk.settle();

      // ---- address channel: hold rule, legality, expected sequence
#ifdef TB_WR
      const bool a_valid = m->m_axi_awvalid, a_ready = m->m_axi_awready;
      const uint64_t a_addr = m->m_axi_awaddr;
      const unsigned a_len = m->m_axi_awlen + 1u, a_size = m->m_axi_awsize, a_burst = m->m_axi_awburst;
#else
      const bool a_valid = m->m_axi_arvalid, a_ready = m->m_axi_arready;
      const uint64_t a_addr = m->m_axi_araddr;
      const unsigned a_len = m->m_axi_arlen + 1u, a_size = m->m_axi_arsize, a_burst = m->m_axi_arburst;
#endif
      if (prev_a_stall && (!a_valid || a_addr != prev_a_addr || a_len != prev_a_len))
        fail(tb::fmt("cycle %" PRIu64 ": stalled address channel changed", clk.cycles));
      // The address register's content in the first abort cycle may still (must) complete; the
      // unit raises nothing after it.
      if (in_abort && !abort_seen_ar) {
        abort_seen_ar = true;
        ar_hold_after_abort = a_valid;
      }
      if (a_valid && aborting && !in_abort && !ar_hold_after_abort)
        fail(tb::fmt("cycle %" PRIu64 ": new burst raised after an abort", clk.cycles));
      if (a_valid && ai < sg.bursts.size()) {
        const Burst& b = sg.bursts[ai];
        const Uop& u = sg.uops[b.uop];
        if (((u.w[3] >> 24) & 1) && !fence_seen[b.uop])
          fail(tb::fmt("cycle %" PRIu64 ": burst of fenced uOP %zu of segment %zu before fence_ok_i", clk.cycles,
                       b.uop, si));
      }
      if (a_valid && a_ready) {
        if (a_len > 64 || a_size != 6 || a_burst != 1 || (a_addr & 63) != 0 || (a_addr & 4095) + 64ull * a_len > 4096)
          fail(tb::fmt("cycle %" PRIu64 ": illegal burst addr %" PRIx64 " len %u size %u burst %u", clk.cycles, a_addr,
                       a_len, a_size, a_burst));
        uint64_t off = a_addr - base, end = off + 64ull * a_len;
        bool inside = false;
        for (int i = 0; i < 16; ++i) inside |= ben[i] && blo[i] <= off && end <= bhi[i];
        if (!inside) fail(tb::fmt("cycle %" PRIu64 ": burst at offset %" PRIx64 " outside the bounds", clk.cycles, off));
        if (ai >= sg.bursts.size())
          fail(tb::fmt("cycle %" PRIu64 ": segment %zu (%s): extra burst at offset %" PRIx64 " len %u (expected %zu)",
                       clk.cycles, si, sg.mode.c_str(), off, a_len, sg.bursts.size()));
        if (off != sg.bursts[ai].off || a_len != sg.bursts[ai].len)
          fail(tb::fmt("segment %zu burst %zu: got offset %" PRIx64 " len %u, want %" PRIx64 " len %u", si, ai, off,
                       a_len, sg.bursts[ai].off, sg.bursts[ai].len));
        int eb = (static_cast<long>(ai) == err_burst) ? static_cast<int>(err_beat) : -1;
        sl.last_ready = std::max(sl.last_ready, clk.cycles + 1 + rng.below(80));
#ifdef TB_WR
        awq.push_back({a_addr, a_len, 0, eb});
#else
        sl.q.push_back({a_addr, a_len, sl.last_ready, eb});
#endif
        ++ai;
        ++total_bursts;
        ar_hold_after_abort = false;
        last_progress = clk.cycles;
      }
      prev_a_stall = a_valid && !a_ready;
      prev_a_addr = a_addr;
      prev_a_len = a_len;

#ifdef TB_WR
      // ---- W channel
      if (prev_w_stall) {
        bool same = m->m_axi_wvalid && m->m_axi_wlast == prev_w_last && m->m_axi_wstrb == prev_w_strb;
        for (unsigned w = 0; w < 16; ++w) same = same && m->m_axi_wdata[w] == prev_w[w];
        if (!same) fail(tb::fmt("cycle %" PRIu64 ": stalled W beat changed", clk.cycles));
      }
      if (m->m_axi_wvalid && m->m_axi_wready) {
        WBeat b;
        for (unsigned w = 0; w < 16; ++w) b.d[w] = m->m_axi_wdata[w];
        if (m->m_axi_wstrb != ~0ull && m->m_axi_wstrb != 0)
          fail(tb::fmt("cycle %" PRIu64 ": partial byte strobe %016" PRIx64, clk.cycles, m->m_axi_wstrb));
        b.strb_all = m->m_axi_wstrb == ~0ull;
        if (!b.strb_all && !aborting) fail(tb::fmt("cycle %" PRIu64 ": W beat without strobes before an abort", clk.cycles));
        b.last = m->m_axi_wlast;
        wq.push_back(b);
        last_progress = clk.cycles;
      }
      prev_w_stall = m->m_axi_wvalid && !m->m_axi_wready;
      for (unsigned w = 0; w < 16; ++w) prev_w[w] = m->m_axi_wdata[w];
      prev_w_last = m->m_axi_wlast;
      prev_w_strb = m->m_axi_wstrb;
      // Pair W beats with their bursts (W may run ahead of AW).
      while (!wq.empty() && !awq.empty()) {
        Slave::Req& r = awq.front();
        WBeat b = wq.front();
        wq.pop_front();
        bool last = sl.beat + 1 == r.len;
        if (b.last != last) fail(tb::fmt("burst at %" PRIx64 ": wlast %d on beat %u of %u", r.addr, b.last, sl.beat, r.len));
        if (b.strb_all) {
          uint64_t off = r.addr + 64ull * sl.beat - base;
          if (wlines.empty()) fail(tb::fmt("segment %zu: write to %" PRIx64 " beyond the expected lines", si, off));
          WLine e = wlines.front();
          wlines.pop_front();
          if (off != e.off) fail(tb::fmt("segment %zu: line written to %" PRIx64 ", want %" PRIx64, si, off, e.off));
          for (unsigned w = 0; w < 16; ++w)
            if (b.d[w] != src_word(si, e.port, e.k, w))
              fail(tb::fmt("segment %zu: line at %" PRIx64 " word %u: got %08x, want %08x (port %u line %zu)", si, off,
                           w, b.d[w], src_word(si, e.port, e.k, w), e.port, e.k));
          ++delivered;
          ++total_lines;
        }
        if (++sl.beat == r.len) {
          sl.beat = 0;
          sl.last_ready = std::max(sl.last_ready, clk.cycles + 1 + rng.below(60));
          bq.push_back({sl.last_ready, r.err_beat >= 0});
          awq.pop_front();
        }
      }
      // ---- B channel
      if (b_valid && m->m_axi_bready) {
        bq.pop_front();
        b_valid = false;
        ++bresps;
        last_progress = clk.cycles;
      } else if (b_valid && !m->m_axi_bready) {
        fail(tb::fmt("cycle %" PRIu64 ": B response not accepted", clk.cycles));
      }
      if (m->store_done_o) {
        if ((aborting && !in_abort) || dones >= sg.uops.size() || bresps != cum_bursts[dones])
          fail(tb::fmt("segment %zu: store_done_o %zu after %zu write responses (want %zu)", si, dones, bresps,
                       dones < sg.uops.size() ? cum_bursts[dones] : 0));
        ++dones;
      }
      // ---- MemC inputs
      for (unsigned p = 0; p < 6; ++p) {
        if (w_valid_i[p] && ((m->in_ready_o >> p) & 1)) {
          w_valid_i[p] = false;
          ++src_next[p];
          last_progress = clk.cycles;
        }
      }
      if (aborting)
        for (unsigned p = 0; p < 6; ++p) w_valid_i[p] = false;
#else
      // ---- R channel
      if (sl.r_valid && m->m_axi_rready) {
        sl.r_valid = false;
        if (++sl.beat == sl.q.front().len) {
          sl.beat = 0;
          sl.q.pop_front();
        }
        last_progress = clk.cycles;
      }
      // ---- line outputs
      unsigned ov = m->out_valid_o;
      if (ov & (ov - 1)) fail(tb::fmt("cycle %" PRIu64 ": out_valid_o %x has several bits", clk.cycles, ov));
      if (ov && aborting && !in_abort) fail(tb::fmt("cycle %" PRIu64 ": line delivered after an abort", clk.cycles));
      for (unsigned p = 0; p < num_ports; ++p) {
        bool v = (ov >> p) & 1;
        if (prev_o_stall[p] && !aborting) {
          bool same = v;
          for (unsigned w = 0; w < 16; ++w) same = same && m->out_data_o[w] == prev_o[w];
          if (!same) fail(tb::fmt("cycle %" PRIu64 ": stalled line on port %u changed", clk.cycles, p));
        }
        bool fire = v && ((rdy >> p) & 1);
        if (fire) {
          if (port_lines[p].empty())
            fail(tb::fmt("segment %zu: extra line on port %u (code %u)", si, p, p + port_base));
          uint64_t off = port_lines[p].front();
          port_lines[p].pop_front();
          for (unsigned w = 0; w < 16; ++w)
            if (m->out_data_o[w] != mem_word(base + off, w))
              fail(tb::fmt("segment %zu: port %u line at offset %" PRIx64 " word %u: got %08x, want %08x", si, p, off,
                           w, m->out_data_o[w], mem_word(base + off, w)));
          ++delivered;
          ++total_lines;
          last_progress = clk.cycles;
        }
        prev_o_stall[p] = v && !fire;
      }
      for (unsigned w = 0; w < 16; ++w) prev_o[w] = m->out_data_o[w];
      if (m->uop_done_o) {
        if (dones >= sg.uops.size() || delivered != cum_lines[dones])
          fail(tb::fmt("segment %zu: uop_done_o %zu after %zu lines (want %zu)", si, dones, delivered,
                       dones < sg.uops.size() ? cum_lines[dones] : 0));
        ++dones;
      }
      if (fence_ok)
        for (size_t k = 0; k < ui; ++k)
          if (accepted_at[k] < clk.cycles) fence_seen[k] = true;
#endif
      // ---- uOP handshake
      if (uop_v && m->uop_ready_o) {
        uop_v = false;
        accepted_at[ui] = clk.cycles;
#ifndef TB_WR
        if ((sg.uops[ui].w[3] >> 24) & 1 && !fence_ok) ++fence_holds;
#endif
        ++ui;
        last_progress = clk.cycles;
      }
      // ---- status, faults, the end of the segment
      busy_cycles += m->busy_o;
      wait_in_cycles += m->wait_in_o;
      wait_out_cycles += m->wait_out_o;
      if (m->wait_in_o && m->wait_out_o) fail("wait_in_o and wait_out_o both high");
      if ((m->wait_in_o || m->wait_out_o) && !m->busy_o) fail("waiting while not busy");
      if (m->fault_o && !aborting) {
        if (!fault_seen) {
          fault_seen = true;
          int want_kind = want_rerr ? 2 : sg.fault_kind;
          uint64_t want_off = want_kind == 1 ? sg.fault_off : 0;
          if (!expect_fault || m->fault_kind_o != want_kind || m->fault_offset_o != want_off)
            fail(tb::fmt("segment %zu (%s): fault kind %u offset %" PRIx64 ", want kind %d offset %" PRIx64, si,
                         sg.mode.c_str(), m->fault_kind_o, m->fault_offset_o, want_kind, want_off));
          ++n_fault[want_kind];
        }
      }
      if (abort_applied && !in_abort && m->fault_o) fail("fault_o still set after the abort");

      bool all_issued = ai == sg.bursts.size() && ui == sg.uops.size();
      if (!aborting) {
        // Faults end with an abort once every burst before the fault has been issued (bounds,
        // unserved uOP) or a little after the error response (rerr), without waiting for data.
        if (fault_seen && abort_at == UINT64_MAX && (want_rerr || all_issued))
          abort_at = clk.cycles + rng.below(300);
        if (want_abort && abort_at == UINT64_MAX && delivered >= abort_after) abort_at = clk.cycles + rng.below(50);
        if (clk.cycles >= abort_at) {
          aborting = true;
          abort_len = 1 + rng.below(3);
          uop_v = false;
          ++n_abort;
        }
      } else if (abort_len > 0) {
        --abort_len;
      }
      bool finished = false;
      if (aborting && abort_applied && !in_abort && !m->busy_o) {
        // Drained: nothing may be left on the AXI side.
#ifdef TB_WR
        if (!awq.empty() || !bq.empty() || b_valid || !wq.empty() || m->m_axi_awvalid)
          fail(tb::fmt("segment %zu: abort left %zu bursts unfinished, %zu responses due", si, awq.size(), bq.size()));
#else
        if (!sl.q.empty() || sl.r_valid || m->m_axi_arvalid)
          fail(tb::fmt("segment %zu: abort left %zu read bursts in flight", si, sl.q.size()));
#endif
        finished = true;
        drained = true;
      }
      if (!aborting && !expect_fault && !want_abort && all_issued && dones == sg.uops.size()) {
        if (delivered != lines_total) fail(tb::fmt("segment %zu: %zu of %zu lines", si, delivered, lines_total));
        if (!m->busy_o) finished = true;
      }
      if (!aborting && want_abort && all_issued && dones == sg.uops.size() && !m->busy_o) {
        // Finished before the abort point: abort an idle unit, which must stay harmless.
        abort_at = clk.cycles;
      }
      clk.edge();
      if (finished) break;
      if (clk.cycles - last_progress > kStuck)
        fail(tb::fmt("segment %zu (%s): no progress for %" PRIu64 " cycles: uOPs %zu/%zu, bursts %zu/%zu, lines "
                     "%zu/%zu, done %zu, busy %d fault %d",
                     si, sg.mode.c_str(), kStuck, ui, sg.uops.size(), ai, sg.bursts.size(), delivered, lines_total,
                     dones, m->busy_o, m->fault_o));
    }
    (void)drained;
    (void)seg_start;
    // A quiet stretch between segments: nothing may move.
    m->uop_valid_i = 0;
    m->abort_i = 0;
#ifdef TB_WR
    m->m_axi_bvalid = 0;
    m->in_valid_i = 0;
#else
    m->m_axi_rvalid = 0;
#endif
    for (int i = 0; i < 20; ++i) {
      clk.settle();
#ifdef TB_WR
      if (m->m_axi_awvalid || m->m_axi_wvalid || m->store_done_o) fail("activity between segments");
#else
      if (m->m_axi_arvalid || m->out_valid_o || m->uop_done_o) fail("activity between segments");
#endif
      if (m->busy_o || m->fault_o)
        fail(tb::fmt("after segment %zu (%s): busy %d fault %d kind %u between segments", si, sg.mode.c_str(), m->busy_o,
                     m->fault_o, m->fault_kind_o));
      clk.edge();
    }
    prev_a_stall = false;
#ifdef TB_WR
    prev_w_stall = false;
    for (unsigned p = 0; p < 6; ++p) w_valid_i[p] = false;
#else
    for (unsigned p = 0; p < 16; ++p) prev_o_stall[p] = false;
#endif
  }

  std::printf("%s: PASS %zu segments (%s, %u ports from code %u): %" PRIu64 " bursts, %" PRIu64
              " lines checked, %" PRIu64 " aborts, faults: %" PRIu64 " bounds / %" PRIu64 " AXI / %" PRIu64
              " unserved, %" PRIu64 " fenced uOPs taken while fence_ok_i was low; busy %" PRIu64 " wait_in %" PRIu64
              " wait_out %" PRIu64 " of %" PRIu64 " cycles\n",
              TB_NAME, segs.size(), kind.c_str(), num_ports, port_base, total_bursts, total_lines, n_abort, n_fault[1],
              n_fault[2], n_fault[3], fence_holds, busy_cycles, wait_in_cycles, wait_out_cycles, clk.cycles);
  m->final();
  delete m;
  return 0;
}
