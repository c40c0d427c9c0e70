#include "cli/outcome_wire.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace softcheck::cli {
namespace {

// Fixed-width little-endian-as-in-memory fields: writer and reader are the same binary.
class Writer {
 public:
  void u64(std::uint64_t v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
  void str(const std::string& s) {
    u64(s.size());
    bytes_ += s;
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  std::uint64_t u64() {
    std::uint64_t v;
    std::memcpy(&v, take(sizeof v).data(), sizeof v);
    return v;
  }
  double f64() { return std::bit_cast<double>(u64()); }
  std::string str() { return std::string(take(u64())); }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view take(std::uint64_t n) {
    if (n > rest_.size()) throw std::runtime_error("truncated property outcome");
    const std::string_view head = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return head;
  }
  std::string_view rest_;
};

}  // namespace

std::string encode_outcome(const PropertyOutcome& o) {
  Writer w;
  w.str(o.kernel);
  w.str(o.property);
  w.u64(static_cast<std::uint64_t>(o.verdict));
  w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(o.cases)));
  w.str(o.message);
  w.str(o.repro);
  w.u64(o.seed);
  w.u64(o.coverage.size());
  for (const auto& [tags, count] : o.coverage) {
    w.str(tags);
    w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(count)));
  }
  w.f64(o.seconds);
  w.f64(o.first_error_over_bound);
  w.f64(o.error_over_bound);
  w.u64(o.diagnosed);
  w.str(o.failed_call);
  w.u64(o.diagnosis.has_value());
  if (o.diagnosis) {
    const Diagnosis& d = *o.diagnosis;
    w.str(d.kind);
    w.str(d.summary);
    w.str(d.evidence);
    w.u64(d.params.size());
    for (const DiagnosisParam& p : d.params) {
      w.str(p.name);
      w.u64(p.exact);
      if (const auto* text = std::get_if<std::string>(&p.value)) {
        w.u64(1);
        w.str(*text);
      } else {
        w.u64(0);
        w.f64(std::get<double>(p.value));
      }
    }
  }
  w.u64(o.oracle_fast);
  w.u64(o.oracle_mpfr);
  return w.take();
}

PropertyOutcome decode_outcome(std::string_view bytes) {
  Reader r(bytes);
  PropertyOutcome o;
  o.kernel = r.str();
  o.property = r.str();
  const std::uint64_t verdict = r.u64();
  if (verdict >= static_cast<std::uint64_t>(kVerdictCount))
    throw std::runtime_error("property outcome with an unknown verdict");
  o.verdict = static_cast<Verdict>(verdict);
  o.cases = static_cast<int>(static_cast<std::int64_t>(r.u64()));
  o.message = r.str();
  o.repro = r.str();
  o.seed = r.u64();
  for (std::uint64_t n = r.u64(); n > 0; --n) {
    std::string tags = r.str();
    o.coverage[std::move(tags)] = static_cast<int>(static_cast<std::int64_t>(r.u64()));
  }
  o.seconds = r.f64();
  o.first_error_over_bound = r.f64();
  o.error_over_bound = r.f64();
  o.diagnosed = r.u64() != 0;
  o.failed_call = r.str();
  if (r.u64() != 0) {
    Diagnosis d;
    d.kind = r.str();
    d.summary = r.str();
    d.evidence = r.str();
    for (std::uint64_t n = r.u64(); n > 0; --n) {
      DiagnosisParam p;
      p.name = r.str();
      p.exact = r.u64() != 0;
      if (r.u64() != 0)
        p.value = r.str();
      else
        p.value = r.f64();
      d.params.push_back(std::move(p));
    }
    o.diagnosis = std::move(d);
  }
  o.oracle_fast = r.u64();
  o.oracle_mpfr = r.u64();
  if (!r.done()) throw std::runtime_error("property outcome followed by stray bytes");
  return o;
}

}  // namespace softcheck::cli
