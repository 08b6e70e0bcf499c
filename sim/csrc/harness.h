/* C ABI of the RSN-XNN co-simulation: the verilated PL kernel (rsn_xnn_top) with AXI memory models
 * and the six engines (the aie/ kernels through rsn_aie_engine_block). One cycle loop in C++: the
 * caller crosses the FFI per register access and per batch of cycles, never per signal. */
#ifndef RSN_SIM_H
#define RSN_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Memories: 0 DDR, 1 LPDDR, 2 instruction memory. Each is a window at a fixed base address. */
#define RSN_SIM_DDR 0
#define RSN_SIM_LPDDR 1
#define RSN_SIM_INSTR 2

#define RSN_SIM_OK 0
#define RSN_SIM_ERR_ARG (-1)    /* out-of-range memory access or bad argument */
#define RSN_SIM_ERR_ENGINE (-2) /* an engine kernel call failed (message in rsn_sim_last_error) */
#define RSN_SIM_ERR_AXI (-3)    /* the kernel broke the AXI protocol (message says where) */
#define RSN_SIM_ERR_MEM (-4)    /* out of host memory */

typedef struct rsn_sim_config {
  uint64_t mem_bytes[3];        /* size of each window */
  double ddr_rd_bytes_per_cycle; /* DDR read bandwidth, bytes per PL cycle (shared bus with writes) */
  double ddr_wr_bytes_per_cycle;
  double lpddr_bytes_per_cycle;
  uint32_t ddr_latency;          /* cycles from AR to the first R beat */
  uint32_t lpddr_latency;
  uint32_t instr_latency;
  uint32_t engine_block_cycles;  /* PL cycles an engine computes one 128x128x128 block */
  uint32_t engine_latency;       /* PL cycles from the end of compute to the first product beat */
  uint32_t engine_out_cycles;    /* PL cycles to stream one product block out (>= 512) */
} rsn_sim_config;

typedef struct rsn_sim_engine_state {
  uint32_t left;        /* blocks still to compute in this run */
  uint32_t a_beats;     /* A beats buffered (complete blocks x 512 + partial) */
  uint32_t b_beats;
  uint32_t out_blocks;  /* products waiting to leave */
} rsn_sim_engine_state;

void* rsn_sim_new(const rsn_sim_config* cfg);
void rsn_sim_free(void* sim);
uint64_t rsn_sim_base(int mem);
int rsn_sim_mem_write(void* sim, int mem, uint64_t offset, const uint8_t* data, uint64_t len);
int rsn_sim_mem_read(void* sim, int mem, uint64_t offset, uint8_t* out, uint64_t len);
/* AXI4-Lite accesses to the control slave (they take a few cycles of simulated time). */
int rsn_sim_reg_write(void* sim, uint32_t offset, uint32_t value);
int rsn_sim_reg_read(void* sim, uint32_t offset, uint32_t* value);
/* Runtime parameters of the engines: blocks each computes in the next run. */
void rsn_sim_set_engine_blocks(void* sim, const uint32_t blocks[6]);
void rsn_sim_engine_states(void* sim, rsn_sim_engine_state out[6]);
/* Run at most max_cycles; *done = 1 when the kernel raised its interrupt (ap_done). */
int rsn_sim_run(void* sim, uint64_t max_cycles, int* done);
uint64_t rsn_sim_cycles(void* sim);
size_t rsn_sim_last_error(void* sim, char* buf, size_t len);
/* FST waveforms (only in builds with RSN_SIM_WAVE, the rsn-sim `wave` feature): every signal of
 * the kernel, two time units per PL cycle, from the open on. Opening again closes the last file. */
int rsn_sim_wave_open(void* sim, const char* path);
void rsn_sim_wave_close(void* sim);

#ifdef __cplusplus
}
#endif

#endif
