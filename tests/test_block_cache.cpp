// engine/core/block_cache.h: the caching allocator under both backends.
// Tested with a counting source, so reuse, the retry after an out-of-memory
// answer and the error text are checked without a GPU.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/core/block_cache.h"
#include "engine/core/error.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gradlab.h"

namespace gl {
namespace {

struct Counts {
  int mallocs = 0, frees = 0, releases = 0;
  int fail_next = 0;  // answer nullptr this many times
};
Counts counts;

void* counting_malloc(std::size_t bytes) {
  if (counts.fail_next > 0) {
    --counts.fail_next;
    return nullptr;
  }
  ++counts.mallocs;
  return std::malloc(bytes);
}
void counting_free(void* p) {
  ++counts.frees;
  std::free(p);
}
void counting_release() { ++counts.releases; }

// True when fn throws gl::Error whose message contains needle.
template <class F>
bool throws_pool_error(F fn, const std::string& needle) {
  try {
    fn();
  } catch (const Error& e) {
    return std::string(e.what()).find(needle) != std::string::npos;
  }
  return false;
}

BlockCache make_cache() {
  counts = Counts{};
  return BlockCache({counting_malloc, counting_free, counting_release}, "allocate (test): out of memory",
                    "free something");
}

TEST(BlockCache, BucketsRoundUpWithBoundedWaste) {
  EXPECT_EQ(BlockCache::bucket_size(0), 512u);
  EXPECT_EQ(BlockCache::bucket_size(1), 512u);
  EXPECT_EQ(BlockCache::bucket_size(513), 1024u);
  EXPECT_EQ(BlockCache::bucket_size(std::size_t{1} << 20), std::size_t{1} << 20);
  for (std::size_t bytes : {std::size_t{1} << 20 | 1, std::size_t{3} << 21, std::size_t{8388609},
                            std::size_t{123456789}}) {
    const std::size_t b = BlockCache::bucket_size(bytes);
    EXPECT_GE(b, bytes);
    EXPECT_LE(static_cast<double>(b), 1.125 * static_cast<double>(bytes) + 1) << bytes;
  }
}

TEST(BlockCache, ReusesFreedBlocksOfTheSameBucketAndCounts) {
  BlockCache cache = make_cache();
  void* a = cache.allocate(5000);
  EXPECT_EQ(counts.mallocs, 1);
  EXPECT_EQ(cache.current_bytes(), BlockCache::bucket_size(5000));
  cache.deallocate(a);
  EXPECT_EQ(cache.current_bytes(), 0u);
  EXPECT_EQ(cache.cached_bytes(), BlockCache::bucket_size(5000));
  void* b = cache.allocate(4900);  // same 5120-byte bucket: the same block, no malloc
  EXPECT_EQ(b, a);
  EXPECT_EQ(counts.mallocs, 1);
  void* c = cache.allocate(100000);  // another bucket: a new block
  EXPECT_EQ(counts.mallocs, 2);
  EXPECT_EQ(cache.peak_bytes(), BlockCache::bucket_size(5000) + BlockCache::bucket_size(100000));
  cache.deallocate(b);
  cache.deallocate(c);
  cache.reset_peak();
  EXPECT_EQ(cache.peak_bytes(), 0u);
  cache.release_cached();
  EXPECT_EQ(counts.frees, 2);
  EXPECT_EQ(counts.releases, 1);
  EXPECT_EQ(cache.cached_bytes(), 0u);
}

TEST(BlockCache, OutOfMemoryGivesTheCacheBackThenRetriesOnce) {
  BlockCache cache = make_cache();
  cache.deallocate(cache.allocate(1000));
  counts.fail_next = 1;  // the first try fails, the retry after release succeeds
  void* p = cache.allocate(1 << 16);
  EXPECT_NE(p, nullptr);
  EXPECT_EQ(counts.releases, 1);
  EXPECT_EQ(counts.frees, 1);  // the cached 1000-byte block went back
  cache.deallocate(p);

  counts.fail_next = 2;  // both tries fail: a clear error, nothing held
  try {
    cache.allocate(std::size_t{1} << 30);
    FAIL() << "expected an out-of-memory error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("allocate (test): out of memory asking for 1073741824 bytes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("free something"), std::string::npos) << msg;
  }
  EXPECT_EQ(cache.current_bytes(), 0u);
  cache.release_cached();
}

TEST(BlockCache, ForeignPointerIsReportedAsABug) {
  BlockCache cache = make_cache();
  int local = 0;
  EXPECT_THROW(cache.deallocate(&local), Error);
}

TEST(BlockCache, HostTensorsReuseCachedMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the host cache is bypassed under AddressSanitizer";
#else
  BlockCache& cache = cpu::host_cache();
  const std::size_t before = cache.current_bytes();
  void* first = nullptr;
  {
    Tensor a = Tensor::zeros({1 << 18}, DType::f32);  // 1 MiB
    first = a.raw_data();
    EXPECT_GE(cache.current_bytes(), before + (std::size_t{1} << 20));
  }
  EXPECT_EQ(cache.current_bytes(), before);
  Tensor b = Tensor::ones({1 << 18}, DType::f32);  // same bucket: the same block
  EXPECT_EQ(b.raw_data(), first);
  EXPECT_EQ(b.at({(1 << 18) - 1}), 1.0);
#endif
}

// ---- private pools (CUDA graph capture) ------------------------------------------------

// Inside a pool, freed blocks are reused in order, so replaying the same
// allocation sequence gets the same addresses; outside it, nobody gets them.
TEST(BlockCachePool, SameSequenceSameAddressesAndNoLeakOutside) {
  BlockCache cache = make_cache();
  const BlockCache::PoolId pool = cache.create_pool();
  std::vector<void*> first, second;
  for (std::vector<void*>* run : {&first, &second}) {
    BlockCache::PoolScope scope(cache, pool);
    EXPECT_EQ(cache.active_pool(), pool);
    void* a = cache.allocate(4000);
    void* b = cache.allocate(70000);
    cache.deallocate(a);
    void* c = cache.allocate(3900);  // a's bucket (4096): reuses a
    run->insert(run->end(), {a, b, c});
    cache.deallocate(b);
    cache.deallocate(c);
  }
  EXPECT_EQ(first, second);
  EXPECT_EQ(first[0], first[2]);
  EXPECT_EQ(counts.mallocs, 2);  // the second run came entirely from the pool
  EXPECT_EQ(cache.active_pool(), 0u);
  // Outside the scope the pool's free blocks are not handed out.
  void* outside = cache.allocate(4000);
  EXPECT_NE(outside, first[0]);
  EXPECT_EQ(counts.mallocs, 3);
  cache.deallocate(outside);
  // release_cached() leaves the pool's blocks alone; release_pool() frees them.
  cache.release_cached();
  EXPECT_EQ(counts.frees, 1);
  EXPECT_EQ(cache.pool_bytes(pool), BlockCache::bucket_size(4000) + BlockCache::bucket_size(70000));
  cache.release_pool(pool);
  EXPECT_EQ(counts.frees, 3);
  EXPECT_EQ(cache.cached_bytes(), 0u);
  EXPECT_EQ(cache.current_bytes(), 0u);
}

// A block allocated in a pool and freed after its scope ended (a gradient
// buffer kept by the graph) goes back to the pool, not to the shared lists.
TEST(BlockCachePool, BlocksFreedAfterTheScopeReturnToTheirPool) {
  BlockCache cache = make_cache();
  const BlockCache::PoolId pool = cache.create_pool();
  void* kept = nullptr;
  {
    BlockCache::PoolScope scope(cache, pool);
    kept = cache.allocate(1000);
  }
  EXPECT_TRUE(throws_pool_error([&] { cache.release_pool(pool); }, "still has 1 live blocks"));
  cache.deallocate(kept);
  void* shared = cache.allocate(1000);
  EXPECT_NE(shared, kept);
  {
    BlockCache::PoolScope scope(cache, pool);
    void* again = cache.allocate(1000);
    EXPECT_EQ(again, kept);
    cache.deallocate(again);
  }
  cache.deallocate(shared);
  cache.release_pool(pool);
  cache.release_cached();  // the shared block, freed to the shared lists
}

TEST(BlockCachePool, ScopesNestAndMisuseIsRefused) {
  BlockCache cache = make_cache();
  const BlockCache::PoolId outer = cache.create_pool(), inner = cache.create_pool();
  {
    BlockCache::PoolScope a(cache, outer);
    {
      BlockCache::PoolScope b(cache, inner);
      EXPECT_EQ(cache.active_pool(), inner);
      EXPECT_TRUE(throws_pool_error([&] { cache.release_pool(inner); }, "is active"));
    }
    EXPECT_EQ(cache.active_pool(), outer);
  }
  EXPECT_TRUE(throws_pool_error([&] { cache.release_pool(0); }, "shared cache"));
  cache.release_pool(inner);
  EXPECT_TRUE(throws_pool_error([&] { cache.release_pool(inner); }, "no pool"));
  EXPECT_TRUE(throws_pool_error([&] { BlockCache::PoolScope s(cache, inner); }, "no pool"));
  cache.release_pool(outer);
}

}  // namespace
}  // namespace gl
