// What the benchmark measures: "subjects", each a row-wise function over a rows x cols batch.
// Sources of subjects are plain functions listed in subjects.cpp (kSources): the reference rows
// (bandwidth, plain baseline) and the registered kernels of impl/, which include the peer
// libraries' adapters (adapters/: oneDNN, XNNPACK, libtorch) where they were built.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <optional>

#include "softcheck/dtype.hpp"
#include "softcheck/kernel.hpp"
#include "softcheck/op.hpp"

namespace softcheck::bench {

enum class Group { reference, kernel, peer };

struct Subject {
  std::string name;  // benchmark name prefix, e.g. f32_softmax_shifted__avx3
  Group group = Group::kernel;
  DType dtype = DType::f32;
  Op op = Op::softmax;
  std::function<void(const void* x, void* y, std::size_t rows, std::size_t cols)> run;
};

using SubjectSource = std::vector<Subject> (*)();

// Reference rows (native_reference.cpp, built with -O3 -march=native -ffast-math):
// "stream_scale_f32" (y = x * c, the bandwidth limit) and "f32_softmax_threepass_fastmath"
// (max, sum exp(x - max) stored, scale; glibc's vector expf: the baseline to beat).
inline constexpr const char* kStreamName = "stream_scale_f32";
inline constexpr const char* kBaselineName = "f32_softmax_threepass_fastmath";
std::vector<Subject> reference_subjects();

// A kernel the benchmark can feed (softmax, log_softmax, softmax_temp at tau = 1), as a subject
// of the given group; nullopt for softmax_backward and cross_entropy (other inputs).
std::optional<Subject> subject_for(const Kernel& k, Group group);

// Every registered kernel (impl/registry.hpp) of a row-wise op the benchmark can feed, peers
// (adapters/) included as Group::peer.
std::vector<Subject> builtin_subjects();

// All sources, in display order.
std::vector<Subject> all_subjects();

}  // namespace softcheck::bench
