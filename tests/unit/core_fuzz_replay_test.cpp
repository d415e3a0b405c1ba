// Replays a fuzz target's corpus (seeds and every kept crash reproducer) as a unit test, so a
// finding, once dropped into tests/fuzz/corpus/<target>/, stays a regression case in the
// ordinary suite (built with gcc, no sanitizer needed).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define SECSETUP_REPLAY_TEST(name) TEST(CoreFuzzReplay, name)

SECSETUP_REPLAY_TEST(SECSETUP_FUZZ_TEST) {
  namespace fs = std::filesystem;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(SECSETUP_FUZZ_CORPUS)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(0, LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                                        bytes.size()));
    ++files;
  }
  EXPECT_GT(files, 0u);
}
