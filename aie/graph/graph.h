// ADF graph of RSN-XNN's six matrix engines (MME0-5), 384 AI Engine tiles.
//
// One engine computes C_blk = A_blk x B_blk for 128x128 FP32 blocks with 4 (A row tiles) x
// 4 (B column tiles) x 4 (K cascade stages) kernels of 32x32x32. Kernel (r, c, s) takes
// A_blk[32r.., 32s..] and B_blk[32s.., 32c..]; stage 0 starts each output chain, stages 1-2
// continue it, stage 3 streams C_blk[32r.., 32c..] out. Port names are shared with the RTL:
//   mme{e}_a_r{r}_k{s}  PL->AIE, broadcast to kernels (r, *, s)
//   mme{e}_b_k{s}_c{c}  PL->AIE, broadcast to kernels (*, c, s)
//   mme{e}_c_r{r}_c{c}  AIE->PL, from kernel (r, c, 3)
// Every PLIO is 64 bits wide; a beat carries two floats, the even element in the low 32 bits.
// Each kernel has a synchronous runtime parameter `blocks`: the host writes it once per program and
// the kernel then runs that many block products back to back.
#pragma once

#include <adf.h>

#include <string>

#include "../kernels/mme_stage.h"

namespace rsn_aie {

constexpr unsigned kEngines = 6;
constexpr unsigned kRows = 4;    // A row tiles per engine
constexpr unsigned kCols = 4;    // B column tiles per engine
constexpr unsigned kStages = 4;  // cascade stages (K tiles) per engine

inline std::string a_port_name(unsigned e, unsigned r, unsigned s) {
  return "mme" + std::to_string(e) + "_a_r" + std::to_string(r) + "_k" + std::to_string(s);
}
inline std::string b_port_name(unsigned e, unsigned s, unsigned c) {
  return "mme" + std::to_string(e) + "_b_k" + std::to_string(s) + "_c" + std::to_string(c);
}
inline std::string c_port_name(unsigned e, unsigned r, unsigned c) {
  return "mme" + std::to_string(e) + "_c_r" + std::to_string(r) + "_c" + std::to_string(c);
}
// aiesimulator / x86simulator stimulus and result files, one per PLIO.
inline std::string plio_file(const std::string& port) { return "data/" + port + ".txt"; }

// The four-stage cascade behind one 32x32 output tile: kernels, cascade links and their RTPs. The
// engine feeds its streams.
class MmeCascade : public adf::graph {
 public:
  adf::kernel k[kStages];
  adf::port<adf::input> blocks[kStages];

  MmeCascade() {
    for (unsigned s = 0; s < kStages; ++s) {
      unsigned rtp_in = 0;
      if (s == 0) {
        k[s] = adf::kernel::create_object<MmeFirstStage>();
        rtp_in = MmeFirstStage::kInBlocks;
      } else if (s + 1 < kStages) {
        k[s] = adf::kernel::create_object<MmeMiddleStage>();
        rtp_in = MmeMiddleStage::kInBlocks;
      } else {
        k[s] = adf::kernel::create_object<MmeLastStage>();
        rtp_in = MmeLastStage::kInBlocks;
      }
      adf::source(k[s]) = "kernels/mme_stage.cc";
      // Above 0.5 so that no two kernels share a tile: each needs a whole core.
      adf::runtime<adf::ratio>(k[s]) = 0.9;
      if (s > 0) adf::connect(k[s - 1].out[MmePorts::kOut], k[s].in[MmePorts::kInCascade]);
      adf::connect<adf::parameter>(blocks[s], k[s].in[rtp_in]);
    }
  }
};

class MmeEngine : public adf::graph {
 public:
  MmeCascade tile[kRows][kCols];
  adf::input_plio a[kRows][kStages];
  adf::input_plio b[kStages][kCols];
  adf::output_plio c[kRows][kCols];

  explicit MmeEngine(unsigned e) {
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned s = 0; s < kStages; ++s) {
        const std::string name = a_port_name(e, r, s);
        a[r][s] = adf::input_plio::create(name, adf::plio_64_bits, plio_file(name));
      }
    }
    for (unsigned s = 0; s < kStages; ++s) {
      for (unsigned col = 0; col < kCols; ++col) {
        const std::string name = b_port_name(e, s, col);
        b[s][col] = adf::input_plio::create(name, adf::plio_64_bits, plio_file(name));
      }
    }
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned col = 0; col < kCols; ++col) {
        const std::string name = c_port_name(e, r, col);
        c[r][col] = adf::output_plio::create(name, adf::plio_64_bits, plio_file(name));
      }
    }
    for (unsigned r = 0; r < kRows; ++r) {
      for (unsigned col = 0; col < kCols; ++col) {
        MmeCascade& t = tile[r][col];
        for (unsigned s = 0; s < kStages; ++s) {
          adf::connect(a[r][s].out[0], t.k[s].in[MmePorts::kInA]);
          adf::connect(b[s][col].out[0], t.k[s].in[MmePorts::kInB]);
        }
        adf::connect(t.k[kStages - 1].out[MmePorts::kOut], c[r][col].in[0]);
      }
    }
  }
};

// The top graph: six identical engines.
class RsnGraph : public adf::graph {
 public:
  MmeEngine mme0{0};
  MmeEngine mme1{1};
  MmeEngine mme2{2};
  MmeEngine mme3{3};
  MmeEngine mme4{4};
  MmeEngine mme5{5};

  MmeEngine& engine(unsigned e) {
    MmeEngine* const all[kEngines] = {&mme0, &mme1, &mme2, &mme3, &mme4, &mme5};
    return *all[e];
  }
};

}  // namespace rsn_aie
