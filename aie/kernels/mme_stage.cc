// Entry points of the three cascade-stage kernels; all the work is in mme_core.h.
#include "mme_stage.h"

void MmeFirstStage::run(input_stream<float>* a, input_stream<float>* b,
                        output_cascade<accfloat>* acc_out, uint32_t blocks) {
  rsn_mme::run_blocks<rsn_mme::Stage::kFirst>(buf_, a, b, nullptr, acc_out, nullptr, blocks);
}

void MmeMiddleStage::run(input_stream<float>* a, input_stream<float>* b,
                         input_cascade<accfloat>* acc_in, output_cascade<accfloat>* acc_out,
                         uint32_t blocks) {
  rsn_mme::run_blocks<rsn_mme::Stage::kMiddle>(buf_, a, b, acc_in, acc_out, nullptr, blocks);
}

void MmeLastStage::run(input_stream<float>* a, input_stream<float>* b,
                       input_cascade<accfloat>* acc_in, output_stream<float>* c, uint32_t blocks) {
  rsn_mme::run_blocks<rsn_mme::Stage::kLast>(buf_, a, b, acc_in, nullptr, c, blocks);
}
