// Testbench of rsn_fp32_add_pipe (and so of the rsn_fp32_add core): binary32 vectors from
// rtl/vectors (`rsn-vectors numerics`), compared bit for bit (NaN results by NaN-ness).
#include "Vrsn_fp32_add_pipe.h"
#include "tb_fp_stream.h"

int main(int argc, char** argv) {
  auto drive = [](Vrsn_fp32_add_pipe* m, const tb::Vec& v) {
    m->in_a_i = v.in[0];
    m->in_b_i = v.in[1];
  };
  return tb::run_fp_stream<Vrsn_fp32_add_pipe>(argc, argv, "tb_fp32_add", 2, 4, +drive);
}
