// The AVX-512 switch (isa.h).
#include "engine/cpu/isa.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace gl::cpu {

namespace {
std::atomic<bool>& allowed_flag() {
  static std::atomic<bool> flag{[] {
    const char* env = std::getenv("GRADLAB_NO_AVX512");
    return env == nullptr || std::strcmp(env, "") == 0 || std::strcmp(env, "0") == 0;
  }()};
  return flag;
}
}  // namespace

bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  return has;
}

bool avx512_allowed() { return allowed_flag().load(std::memory_order_relaxed); }
void set_avx512_allowed(bool allowed) { allowed_flag().store(allowed); }

}  // namespace gl::cpu
