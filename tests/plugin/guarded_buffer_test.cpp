// GuardedBuffer: placement against the guard pages, fault on one element outside, slack canary,
// sharing with a forked child; poison patterns.
#include "properties/plugin/guarded_buffer.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace softcheck {
namespace {

const std::size_t kPage = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));

TEST(GuardedBuffer, EndPlacementEndsAtTheTrailingGuardPage) {
  for (std::size_t n : {1u, 7u, 1000u, 1024u, 1025u}) {
    GuardedBuffer b(4, n, GuardPlacement::end);
    const auto end = reinterpret_cast<std::uintptr_t>(b.data()) + b.size_bytes();
    EXPECT_EQ(end % kPage, 0u) << n;
    EXPECT_EQ(b.guard_offset(static_cast<char*>(b.data()) + b.size_bytes()),
              static_cast<std::ptrdiff_t>(b.size_bytes()));
    EXPECT_FALSE(b.guard_offset(static_cast<char*>(b.data()) + b.size_bytes() - 1));
  }
}

TEST(GuardedBuffer, StartPlacementBeginsAfterTheLeadingGuardPage) {
  for (std::size_t n : {1u, 7u, 1000u, 1024u}) {
    GuardedBuffer b(8, n, GuardPlacement::start);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.data()) % kPage, 0u) << n;
    EXPECT_EQ(b.guard_offset(static_cast<char*>(b.data()) - 1), -1);
    EXPECT_FALSE(b.guard_offset(b.data()));
  }
}

TEST(GuardedBuffer, SlackWriteIsFoundOnEitherSide) {
  GuardedBuffer end(4, 10, GuardPlacement::end);
  EXPECT_FALSE(end.slack_write());
  static_cast<char*>(end.data())[-3] = 0;  // inside y[-1]
  EXPECT_EQ(end.slack_write(), -3);

  GuardedBuffer start(4, 10, GuardPlacement::start);
  static_cast<char*>(start.data())[40 + 5] = 0;  // inside y[11]
  EXPECT_EQ(start.slack_write(), 45);
}

TEST(GuardedBuffer, OneElementPastTheEndFaults) {
  GuardedBuffer b(4, 1000, GuardPlacement::end);
  EXPECT_DEATH(
      {
        volatile float v = static_cast<const volatile float*>(b.data())[1000];
        (void)v;
      },
      "");
}

TEST(GuardedBuffer, ChildWritesAreSeenByTheParent) {
  GuardedBuffer b(4, 3, GuardPlacement::end);
  std::memset(b.data(), 0, b.size_bytes());
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    static_cast<float*>(b.data())[2] = 42.0f;
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(static_cast<float*>(b.data())[2], 42.0f);
}

TEST(Poison, IsASignallingNanThatArithmeticNeverProduces) {
  GuardedBuffer f(4, 4, GuardPlacement::end);
  fill_poison(f.data(), DType::f32, 4);
  float p;
  std::memcpy(&p, f.data(), 4);
  EXPECT_TRUE(std::isnan(p));
  EXPECT_EQ(std::bit_cast<uint32_t>(p) & 0x00400000u, 0u) << "quiet bit must be clear";
  // A computed NaN is quiet, and arithmetic on the poison quiets it: neither matches bitwise.
  volatile float zero = 0.0f;
  const float computed[] = {zero / zero, p + 1.0f, p * zero};
  EXPECT_FALSE(first_poisoned(computed, DType::f32, 3));
  EXPECT_EQ(first_poisoned(f.data(), DType::f32, 4), 0u);
  EXPECT_EQ(count_poisoned(f.data(), DType::f32, 4), 4u);

  double d[3] = {0.5, 0.0, 0.25};
  fill_poison(&d[1], DType::f64, 1);
  EXPECT_TRUE(std::isnan(d[1]));
  EXPECT_EQ(first_poisoned(d, DType::f64, 3), 1u);
  EXPECT_EQ(count_poisoned(d, DType::f64, 3), 1u);

  for (DType t : {DType::f16, DType::bf16}) {
    uint16_t h[2] = {0x3c00, 0};
    fill_poison(&h[1], t, 1);
    const double v = t == DType::f16 ? from_f16_bits(h[1]) : from_bf16_bits(h[1]);
    EXPECT_TRUE(std::isnan(v)) << name_of(t);
    EXPECT_EQ(first_poisoned(h, t, 2), 1u) << name_of(t);
  }
}

}  // namespace
}  // namespace softcheck
