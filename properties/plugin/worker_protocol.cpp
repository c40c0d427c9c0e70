#include "properties/plugin/worker_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace softcheck::worker {

bool write_all(int fd, const void* p, std::size_t n) {
  const auto* b = static_cast<const char*>(p);
  while (n > 0) {
    // MSG_NOSIGNAL: a worker that died must show as a failed write, not as a SIGPIPE that ends
    // softcheck.
    const ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    b += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool read_all(int fd, void* p, std::size_t n) {
  auto* b = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = read(fd, b, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    b += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool write_frame(int fd, const std::string& text) {
  const auto n = static_cast<uint64_t>(text.size());
  return write_all(fd, &n, sizeof n) && write_all(fd, text.data(), text.size());
}

std::optional<std::string> read_frame(int fd) {
  uint64_t n = 0;
  if (!read_all(fd, &n, sizeof n)) return std::nullopt;
  constexpr uint64_t kMaxFrame = 64u << 20;  // a hello with 65536 kernels stays far below this
  if (n > kMaxFrame) return std::nullopt;
  std::string s(n, '\0');
  if (!read_all(fd, s.data(), s.size())) return std::nullopt;
  return s;
}

}  // namespace softcheck::worker

#include <nlohmann/json.hpp>

namespace softcheck::worker {
namespace {

using nlohmann::json;

json optional_text(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::optional<std::string> text_of(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<std::string>();
}

}  // namespace

std::string encode_hello(const Hello& h) {
  json j;
  j["error"] = h.error;
  j["kernels"] = json::array();
  for (const KernelDescFields& f : h.kernels)
    j["kernels"].push_back({{"name", optional_text(f.name)},
                            {"op", optional_text(f.op)},
                            {"dtype", optional_text(f.dtype)},
                            {"accum", optional_text(f.accum)},
                            {"algorithm", optional_text(f.algorithm)},
                            {"summation", optional_text(f.summation)},
                            {"all_masked", optional_text(f.all_masked)},
                            {"lanes", f.lanes},
                            {"exp_ulps", f.exp_ulps},
                            {"flushes_subnormals", f.flushes_subnormals},
                            {"monotone_exp", f.monotone_exp}});
  // Descriptor strings are the plugin's bytes: replace invalid UTF-8 rather than fail.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<Hello> decode_hello(const std::string& text) {
  try {
    const json j = json::parse(text);
    Hello h;
    h.error = j.at("error").get<std::string>();
    for (const json& k : j.at("kernels")) {
      KernelDescFields f;
      f.name = text_of(k, "name");
      f.op = text_of(k, "op");
      f.dtype = text_of(k, "dtype");
      f.accum = text_of(k, "accum");
      f.algorithm = text_of(k, "algorithm");
      f.summation = text_of(k, "summation");
      f.all_masked = text_of(k, "all_masked");
      f.lanes = k.at("lanes").get<int>();
      f.exp_ulps = k.at("exp_ulps").get<double>();
      f.flushes_subnormals = k.at("flushes_subnormals").get<int>();
      f.monotone_exp = k.at("monotone_exp").get<int>();
      h.kernels.push_back(std::move(f));
    }
    return h;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace softcheck::worker
