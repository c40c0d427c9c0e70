// PluginLibrary: loading errors name the problem; symbols and descriptor lists become Kernels with
// the right contracts; the handle outlives the PluginLibrary object that opened it.
#include "properties/plugin/plugin_library.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace softcheck {
namespace {

using ::testing::HasSubstr;

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no PluginError thrown";
  return "";
}

TEST(PluginLibrary, MissingFileIsReported) {
  const std::string msg = error_of([] { PluginLibrary::open("/nonexistent/libnothing.so"); });
  EXPECT_THAT(msg, HasSubstr("/nonexistent/libnothing.so"));
  EXPECT_THAT(msg, HasSubstr("no such file"));
}

TEST(PluginLibrary, DirectoryIsReported) {
  EXPECT_THAT(error_of([] { PluginLibrary::open("/tmp"); }), HasSubstr("is a directory"));
}

TEST(PluginLibrary, TextFileIsNotASharedObject) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("softcheck_not_a_plugin_" + std::to_string(getpid()) + ".so");
  std::ofstream(path) << "this is not an ELF file\n";
  const std::string msg = error_of([&] { PluginLibrary::open(path.string()); });
  std::filesystem::remove(path);
  EXPECT_THAT(msg, HasSubstr(path.string()));
  EXPECT_THAT(msg, HasSubstr("not a shared object"));
}

TEST(PluginLibrary, MissingSymbolNamesItAndListsTheDescriptor) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  const std::string msg =
      error_of([&] { lib.kernel("no_such_kernel", plugin_contract(Op::softmax, DType::f32)); });
  EXPECT_THAT(msg, HasSubstr("no symbol 'no_such_kernel'"));
  EXPECT_THAT(msg, HasSubstr("f32_softmax_shifted__scalar"));  // from its softcheck_kernels()
}

TEST(PluginLibrary, MissingSymbolWithoutDescriptorHintsAtExport) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_CRASHING);
  EXPECT_THAT(error_of([&] { lib.kernel("softmax", plugin_contract(Op::softmax, DType::f32)); }),
              HasSubstr("SOFTCHECK_EXPORT"));
}

TEST(PluginLibrary, HiddenSymbolIsNotExported) {
  // softmax_row_f32 is a static helper of good_kernels.c.
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  EXPECT_THAT(
      error_of([&] { lib.kernel("softmax_row_f32", plugin_contract(Op::softmax, DType::f32)); }),
      HasSubstr("no symbol"));
}

TEST(PluginLibrary, SymbolOfADependencyIsRefused) {
  // The plugin links libm; dlsym on its handle would find libm's expf.
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  EXPECT_THAT(error_of([&] { lib.kernel("expf", plugin_contract(Op::softmax, DType::f32)); }),
              HasSubstr("not in the plugin"));
}

TEST(PluginLibrary, SymbolBecomesAKernelWithTheCallersContract) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  Contract c = plugin_contract(Op::softmax, DType::f32);
  c.summation = Summation::pairwise;
  const Kernel k = lib.kernel("good_softmax_f32", c);
  EXPECT_EQ(k.contract.name, "good_softmax_f32");
  EXPECT_EQ(k.contract.summation, Summation::pairwise);
  ASSERT_TRUE(std::holds_alternative<RowwiseFn>(k.entry));
  const float x[4] = {1, 1, 1, 1};
  float y[4] = {};
  std::get<RowwiseFn>(k.entry)(x, y, 1, 4);
  EXPECT_EQ(y[3], 0.25f);
}

TEST(PluginLibrary, KernelsOutliveTheOpeningObjectWhileACopyLives) {
  Kernel k;
  PluginLibrary keep = [&] {
    auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
    k = lib.kernel("good_softmax_f64", plugin_contract(Op::softmax, DType::f64));
    return lib;
  }();
  const double x[2] = {3, 3};
  double y[2] = {};
  std::get<RowwiseFn>(k.entry)(x, y, 1, 2);
  EXPECT_EQ(y[0], 0.5);
  EXPECT_EQ(keep.path(), SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
}

TEST(PluginLibrary, DescriptorListGivesKernelsWithContracts) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  ASSERT_TRUE(lib.has_descriptor());
  const auto ks = lib.kernels();
  ASSERT_EQ(ks.size(), 6u);

  const Contract& f32 = ks[0].contract;
  EXPECT_EQ(f32.name, "f32_softmax_shifted__scalar");
  EXPECT_EQ(f32.op, Op::softmax);
  EXPECT_EQ(f32.dtype, DType::f32);
  EXPECT_EQ(f32.accum, DType::f32);
  EXPECT_EQ(f32.isa, "scalar");
  EXPECT_EQ(f32.exp_ulps, 1.0);
  EXPECT_TRUE(f32.monotone_exp);
  EXPECT_TRUE(std::holds_alternative<RowwiseFn>(ks[0].entry));

  const Contract& f64 = ks[1].contract;  // NULL fields take the defaults
  EXPECT_EQ(f64.accum, DType::f64);
  EXPECT_EQ(f64.algorithm, Algorithm::shifted);
  EXPECT_EQ(f64.summation, Summation::serial);
  EXPECT_EQ(f64.exp_ulps, 4.0);
  EXPECT_FALSE(f64.monotone_exp);
  EXPECT_EQ(f64.all_masked, MaskedRowPolicy::nan);

  EXPECT_TRUE(std::holds_alternative<TemperatureFn>(ks[2].entry));
  EXPECT_TRUE(std::holds_alternative<RowwiseFn>(ks[3].entry));
  EXPECT_EQ(ks[3].contract.op, Op::log_softmax);
  EXPECT_TRUE(std::holds_alternative<BackwardFn>(ks[4].entry));
  EXPECT_EQ(ks[4].contract.all_masked, MaskedRowPolicy::unspecified);

  const Contract& ce = ks[5].contract;  // every field given
  EXPECT_TRUE(std::holds_alternative<CrossEntropyFn>(ks[5].entry));
  EXPECT_EQ(ce.summation, Summation::k_lane);
  EXPECT_EQ(ce.lanes, 8);
  EXPECT_EQ(ce.exp_ulps, 2.0);
  EXPECT_EQ(ce.all_masked, MaskedRowPolicy::zero);
  EXPECT_TRUE(ce.flushes_subnormals);
  EXPECT_EQ(ce.isa, "avx2");
}

TEST(PluginLibrary, UnknownAbiVersionIsRefused) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_BAD_ABI_VERSION);
  const std::string msg = error_of([&] { lib.kernels(); });
  EXPECT_THAT(msg, HasSubstr("abi_version 999"));
  EXPECT_THAT(msg, HasSubstr("reads version 1"));
  // Its plain symbols still load.
  EXPECT_NO_THROW(lib.kernel("future_softmax_f32", plugin_contract(Op::softmax, DType::f32)));
}

TEST(PluginLibrary, UnknownOpInDescriptorNamesEntryAndChoices) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_BAD_DESCRIPTOR);
  const std::string msg = error_of([&] { lib.kernels(); });
  EXPECT_THAT(msg, HasSubstr("entry #1 'f32_softmaxx_copy__scalar'"));
  EXPECT_THAT(msg, HasSubstr("unknown op 'softmaxx'"));
  EXPECT_THAT(msg,
              HasSubstr("softmax, log_softmax, softmax_backward, cross_entropy, softmax_temp"));
}

TEST(PluginLibrary, LibraryWithoutDescriptorSaysSo) {
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_CRASHING);
  EXPECT_FALSE(lib.has_descriptor());
  EXPECT_THAT(error_of([&] { lib.kernels(); }), HasSubstr("--symbol"));
}

TEST(PluginContract, DefaultsAreWhatACarefulKernelMeets) {
  EXPECT_EQ(plugin_contract(Op::softmax, DType::f16).accum, DType::f32);
  EXPECT_EQ(plugin_contract(Op::softmax, DType::bf16).accum, DType::f32);
  EXPECT_EQ(plugin_contract(Op::softmax, DType::f32).accum, DType::f32);
  EXPECT_EQ(plugin_contract(Op::log_softmax, DType::f64).accum, DType::f64);
  const Contract c = plugin_contract(Op::cross_entropy, DType::bf16);
  EXPECT_EQ(c.op, Op::cross_entropy);
  EXPECT_EQ(c.algorithm, Algorithm::shifted);
  EXPECT_EQ(c.all_masked, MaskedRowPolicy::nan);
  EXPECT_FALSE(c.flushes_subnormals);
  EXPECT_EQ(c.exp_ulps, 4.0);
  EXPECT_FALSE(c.monotone_exp);
}

}  // namespace
}  // namespace softcheck
