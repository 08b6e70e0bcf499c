// Top-level file for aiecompiler: defines the graph instance the tools compile and, for
// aiesimulator/x86simulator runs, a control program that runs one block product on every engine
// (stimulus in data/<port>.txt, one 64-bit beat per line as two 32-bit words).
#include "graph.h"

rsn_aie::RsnGraph rsn_top;

#if defined(__AIESIM__) || defined(__X86SIM__)
int main() {
  rsn_top.init();
  for (unsigned e = 0; e < rsn_aie::kEngines; ++e) {
    rsn_aie::MmeEngine& g = rsn_top.engine(e);
    for (unsigned r = 0; r < rsn_aie::kRows; ++r) {
      for (unsigned c = 0; c < rsn_aie::kCols; ++c) {
        for (unsigned s = 0; s < rsn_aie::kStages; ++s) {
          rsn_top.update(g.tile[r][c].blocks[s], 1u);
        }
      }
    }
  }
  rsn_top.run(1);
  rsn_top.end();
  return 0;
}
#endif
