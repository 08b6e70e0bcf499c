// Exception-safe C wrappers around the XRT C API (see xrt_shim.h for the contract).
#include "xrt_shim.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <system_error>

namespace {

thread_local std::string g_last_error;

// The Rust side adds the call name; the message says only what went wrong.
void set_error(const char* /*call*/, const std::string& what) { g_last_error = what; }

// XRT reports most C-API failures through the return value plus errno; errno is stale after a
// success, so it is read only when the return value already says "failed".
int fail_errno(const char* call, int code, int err) {
  std::string what = "returned " + std::to_string(code);
  if (err != 0) {
    what += " (errno " + std::to_string(err) + ": " + std::strerror(err) + ")";
  }
  set_error(call, what);
  if (err != 0) return err;
  return code != 0 ? code : -1;
}

template <class F>
int guard(const char* call, F&& body) {
  g_last_error.clear();
  try {
    errno = 0;
    return body();
  } catch (const std::system_error& e) {
    set_error(call, e.what());
    return e.code().value() != 0 ? e.code().value() : -1;
  } catch (const std::exception& e) {
    set_error(call, e.what());
    return -1;
  } catch (...) {
    set_error(call, "unknown C++ exception");
    return -1;
  }
}

template <class H>
int handle_result(const char* call, H h, H* out) {
  if (h == nullptr) return fail_errno(call, -1, errno);
  *out = h;
  return 0;
}

int int_result(const char* call, int ret) {
  if (ret != 0) return fail_errno(call, ret, errno);
  return 0;
}

int null_arg(const char* call, const char* what) {
  set_error(call, std::string("null ") + what);
  return EINVAL;
}

}  // namespace

extern "C" {

const char* rsn_xrt_last_error(void) { return g_last_error.c_str(); }

int rsn_xrt_device_open(unsigned int index, xrtDeviceHandle* out) {
  if (out == nullptr) return null_arg("xrtDeviceOpen", "out");
  return guard("xrtDeviceOpen", [&] { return handle_result("xrtDeviceOpen", xrtDeviceOpen(index), out); });
}

int rsn_xrt_device_open_bdf(const char* bdf, xrtDeviceHandle* out) {
  if (out == nullptr || bdf == nullptr) return null_arg("xrtDeviceOpenByBDF", "argument");
  return guard("xrtDeviceOpenByBDF",
               [&] { return handle_result("xrtDeviceOpenByBDF", xrtDeviceOpenByBDF(bdf), out); });
}

int rsn_xrt_device_close(xrtDeviceHandle dev) {
  return guard("xrtDeviceClose", [&] { return int_result("xrtDeviceClose", xrtDeviceClose(dev)); });
}

int rsn_xrt_device_load_xclbin_file(xrtDeviceHandle dev, const char* path) {
  if (path == nullptr) return null_arg("xrtDeviceLoadXclbinFile", "path");
  return guard("xrtDeviceLoadXclbinFile",
               [&] { return int_result("xrtDeviceLoadXclbinFile", xrtDeviceLoadXclbinFile(dev, path)); });
}

int rsn_xrt_device_xclbin_uuid(xrtDeviceHandle dev, unsigned char out[16]) {
  if (out == nullptr) return null_arg("xrtDeviceGetXclbinUUID", "out");
  return guard("xrtDeviceGetXclbinUUID",
               [&] { return int_result("xrtDeviceGetXclbinUUID", xrtDeviceGetXclbinUUID(dev, out)); });
}

int rsn_xrt_bo_alloc(xrtDeviceHandle dev, size_t size, xrtBufferFlags flags, xrtMemoryGroup group,
                     xrtBufferHandle* out) {
  if (out == nullptr) return null_arg("xrtBOAlloc", "out");
  return guard("xrtBOAlloc",
               [&] { return handle_result("xrtBOAlloc", xrtBOAlloc(dev, size, flags, group), out); });
}

int rsn_xrt_bo_free(xrtBufferHandle bo) {
  return guard("xrtBOFree", [&] { return int_result("xrtBOFree", xrtBOFree(bo)); });
}

int rsn_xrt_bo_map(xrtBufferHandle bo, void** out) {
  if (out == nullptr) return null_arg("xrtBOMap", "out");
  return guard("xrtBOMap", [&] { return handle_result("xrtBOMap", xrtBOMap(bo), out); });
}

int rsn_xrt_bo_sync(xrtBufferHandle bo, enum xclBOSyncDirection dir, size_t size, size_t offset) {
  return guard("xrtBOSync", [&] { return int_result("xrtBOSync", xrtBOSync(bo, dir, size, offset)); });
}

int rsn_xrt_bo_address(xrtBufferHandle bo, uint64_t* out) {
  if (out == nullptr) return null_arg("xrtBOAddress", "out");
  return guard("xrtBOAddress", [&] {
    const uint64_t a = xrtBOAddress(bo);
    // The C API signals failure with an all-ones address.
    if (a == std::numeric_limits<uint64_t>::max()) return fail_errno("xrtBOAddress", -1, errno);
    *out = a;
    return 0;
  });
}

int rsn_xrt_bo_size(xrtBufferHandle bo, size_t* out) {
  if (out == nullptr) return null_arg("xrtBOSize", "out");
  return guard("xrtBOSize", [&] {
    const size_t s = xrtBOSize(bo);
    if (s == std::numeric_limits<size_t>::max()) return fail_errno("xrtBOSize", -1, errno);
    *out = s;
    return 0;
  });
}

int rsn_xrt_kernel_open(xrtDeviceHandle dev, const unsigned char uuid[16], const char* name, int exclusive,
                        xrtKernelHandle* out) {
  if (out == nullptr || uuid == nullptr || name == nullptr) return null_arg("xrtPLKernelOpen", "argument");
  if (exclusive != 0) {
    return guard("xrtPLKernelOpenExclusive", [&] {
      return handle_result("xrtPLKernelOpenExclusive", xrtPLKernelOpenExclusive(dev, uuid, name), out);
    });
  }
  return guard("xrtPLKernelOpen",
               [&] { return handle_result("xrtPLKernelOpen", xrtPLKernelOpen(dev, uuid, name), out); });
}

int rsn_xrt_kernel_close(xrtKernelHandle kernel) {
  return guard("xrtKernelClose", [&] { return int_result("xrtKernelClose", xrtKernelClose(kernel)); });
}

int rsn_xrt_kernel_arg_group(xrtKernelHandle kernel, int argno, int* out) {
  if (out == nullptr) return null_arg("xrtKernelArgGroupId", "out");
  return guard("xrtKernelArgGroupId", [&] {
    const int g = xrtKernelArgGroupId(kernel, argno);
    if (g < 0) return fail_errno("xrtKernelArgGroupId", g, errno != 0 ? errno : -g);
    *out = g;
    return 0;
  });
}

int rsn_xrt_kernel_read_register(xrtKernelHandle kernel, uint32_t offset, uint32_t* out) {
  if (out == nullptr) return null_arg("xrtKernelReadRegister", "out");
  return guard("xrtKernelReadRegister", [&] {
    return int_result("xrtKernelReadRegister", xrtKernelReadRegister(kernel, offset, out));
  });
}

int rsn_xrt_kernel_write_register(xrtKernelHandle kernel, uint32_t offset, uint32_t value) {
  return guard("xrtKernelWriteRegister", [&] {
    return int_result("xrtKernelWriteRegister", xrtKernelWriteRegister(kernel, offset, value));
  });
}

int rsn_xrt_run_open(xrtKernelHandle kernel, xrtRunHandle* out) {
  if (out == nullptr) return null_arg("xrtRunOpen", "out");
  return guard("xrtRunOpen", [&] { return handle_result("xrtRunOpen", xrtRunOpen(kernel), out); });
}

int rsn_xrt_run_close(xrtRunHandle run) {
  return guard("xrtRunClose", [&] { return int_result("xrtRunClose", xrtRunClose(run)); });
}

// The explicit types below are what XRT's va_arg reads for each kind of argument: the buffer
// handle itself, a 4-byte scalar as a 32-bit int, an 8-byte scalar as a 64-bit int.
int rsn_xrt_run_set_arg_bo(xrtRunHandle run, int index, xrtBufferHandle bo) {
  return guard("xrtRunSetArg", [&] { return int_result("xrtRunSetArg", xrtRunSetArg(run, index, bo)); });
}

int rsn_xrt_run_set_arg_u32(xrtRunHandle run, int index, uint32_t value) {
  return guard("xrtRunSetArg", [&] { return int_result("xrtRunSetArg", xrtRunSetArg(run, index, value)); });
}

int rsn_xrt_run_set_arg_u64(xrtRunHandle run, int index, uint64_t value) {
  return guard("xrtRunSetArg", [&] { return int_result("xrtRunSetArg", xrtRunSetArg(run, index, value)); });
}

int rsn_xrt_run_start(xrtRunHandle run) {
  return guard("xrtRunStart", [&] { return int_result("xrtRunStart", xrtRunStart(run)); });
}

int rsn_xrt_run_wait_for(xrtRunHandle run, unsigned int timeout_ms, enum ert_cmd_state* out) {
  if (out == nullptr) return null_arg("xrtRunWaitFor", "out");
  return guard("xrtRunWaitFor", [&] {
    *out = xrtRunWaitFor(run, timeout_ms);
    return 0;
  });
}

int rsn_xrt_run_state(xrtRunHandle run, enum ert_cmd_state* out) {
  if (out == nullptr) return null_arg("xrtRunState", "out");
  return guard("xrtRunState", [&] {
    *out = xrtRunState(run);
    return 0;
  });
}

int rsn_xrt_graph_open(xrtDeviceHandle dev, const unsigned char uuid[16], const char* name, xrtGraphHandle* out) {
  if (out == nullptr || uuid == nullptr || name == nullptr) return null_arg("xrtGraphOpen", "argument");
  return guard("xrtGraphOpen", [&] { return handle_result("xrtGraphOpen", xrtGraphOpen(dev, uuid, name), out); });
}

int rsn_xrt_graph_close(xrtGraphHandle graph) {
  return guard("xrtGraphClose", [&] {
    xrtGraphClose(graph);
    return 0;
  });
}

int rsn_xrt_graph_update_rtp(xrtGraphHandle graph, const char* port, const void* data, size_t size) {
  if (port == nullptr || data == nullptr) return null_arg("xrtGraphUpdateRTP", "argument");
  return guard("xrtGraphUpdateRTP", [&] {
    return int_result("xrtGraphUpdateRTP",
                      xrtGraphUpdateRTP(graph, port, static_cast<const char*>(data), size));
  });
}

int rsn_xrt_graph_read_rtp(xrtGraphHandle graph, const char* port, void* data, size_t size) {
  if (port == nullptr || data == nullptr) return null_arg("xrtGraphReadRTP", "argument");
  return guard("xrtGraphReadRTP", [&] {
    return int_result("xrtGraphReadRTP", xrtGraphReadRTP(graph, port, static_cast<char*>(data), size));
  });
}

int rsn_xrt_graph_run(xrtGraphHandle graph, int iterations) {
  return guard("xrtGraphRun", [&] { return int_result("xrtGraphRun", xrtGraphRun(graph, iterations)); });
}

int rsn_xrt_graph_wait_done(xrtGraphHandle graph, int timeout_ms) {
  return guard("xrtGraphWaitDone",
               [&] { return int_result("xrtGraphWaitDone", xrtGraphWaitDone(graph, timeout_ms)); });
}

int rsn_xrt_graph_end(xrtGraphHandle graph, uint64_t cycle) {
  return guard("xrtGraphEnd", [&] { return int_result("xrtGraphEnd", xrtGraphEnd(graph, cycle)); });
}

int rsn_xrt_graph_reset(xrtGraphHandle graph) {
  return guard("xrtGraphReset", [&] { return int_result("xrtGraphReset", xrtGraphReset(graph)); });
}

}  // extern "C"
