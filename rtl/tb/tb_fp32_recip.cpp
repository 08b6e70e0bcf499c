// Testbench of rsn_fp32_recip, any Lanes (tb_fp_stream.h): vectors from rsn::numerics::recip,
// compared bit for bit (NaN results by NaN-ness; the RTL must give the canonical 0x7fc00000).
#include "Vrsn_fp32_recip.h"
#include "tb_fp_stream.h"

int main(int argc, char** argv) {
  auto drive = [](Vrsn_fp32_recip* m, int lane, const tb::Vec& v) { tb::set_lane(m->in_a_i, lane, v.in[0]); };
  return tb::run_fp_stream<Vrsn_fp32_recip>(argc, argv, "tb_fp32_recip", 1, 200, +drive);
}
