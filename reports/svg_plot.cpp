#include "reports/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace softcheck::reports {
namespace {

struct Axis {
  bool log;
  double lo, hi;  // data range after transform
  double p0, p1;  // pixel range
  double map(double v) const {
    const double t = log ? std::log10(v) : v;
    return p0 + (t - lo) / (hi - lo) * (p1 - p0);
  }
};

// Range of the transformed values, padded to whole decades on log axes.
std::pair<double, double> range_of(std::vector<double> v, bool log) {
  if (v.empty()) return {0, 1};
  double lo = *std::min_element(v.begin(), v.end());
  double hi = *std::max_element(v.begin(), v.end());
  if (log) {
    lo = std::floor(std::log10(lo));
    hi = std::ceil(std::log10(hi));
    if (hi <= lo) hi = lo + 1;
    return {lo, hi};
  }
  if (hi <= lo) hi = lo + 1;
  const double pad = 0.05 * (hi - lo);
  return {std::min(lo, 0.0) - (lo < 0 ? pad : 0), hi + pad};
}

std::string tick_label(double v, bool log) {
  if (log) {
    const int e = static_cast<int>(std::lround(v));
    if (e >= 0 && e <= 4) return fmt::format("{}", static_cast<long>(std::pow(10, e) + 0.5));
    if (e < 0 && e >= -2) return fmt::format("{:g}", std::pow(10, e));
    return fmt::format("1e{}", e);
  }
  return fmt::format("{:.3g}", v);
}

std::vector<double> ticks(double lo, double hi, bool log) {
  std::vector<double> t;
  if (log) {
    const int step = std::max(1, static_cast<int>((hi - lo) / 6));
    for (double e = lo; e <= hi + 1e-9; e += step) t.push_back(e);
    return t;
  }
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-12; v += step) t.push_back(v);
  return t;
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string render_svg(const PlotSpec& s) {
  const double left = 58, right = 12, top = 26, bottom = 42;
  const double W = s.width, H = s.height;
  auto clampx = [&](double v) { return s.log_x ? std::max(v, s.x_floor) : v; };
  auto clampy = [&](double v) { return s.log_y ? std::max(v, s.y_floor) : v; };
  std::vector<double> xs, ys;
  for (const Series& se : s.series)
    for (auto [x, y] : se.points)
      if (std::isfinite(x) && std::isfinite(y)) xs.push_back(clampx(x)), ys.push_back(clampy(y));
  if (s.diagonal) {  // the diagonal must be visible across the data
    std::vector<double> all = xs;
    all.insert(all.end(), ys.begin(), ys.end());
    xs = ys = all;
  }
  if (s.reference) ys.push_back(clampy(*s.reference));
  auto [xlo, xhi] = range_of(xs, s.log_x);
  auto [ylo, yhi] = range_of(ys, s.log_y);
  const Axis ax{s.log_x, xlo, xhi, left, W - right};
  const Axis ay{s.log_y, ylo, yhi, H - bottom, top};

  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" "
      "class=\"plot\" role=\"img\"><title>{2}</title>\n",
      s.width, s.height, xml_escape(s.title));
  o += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" stroke=\"#999\"/>\n", left,
      top, W - left - right, H - top - bottom);
  o += fmt::format("<text x=\"{}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{}</text>\n",
                   left, xml_escape(s.title));
  for (double t : ticks(xlo, xhi, s.log_x)) {
    const double px = left + (t - xlo) / (xhi - xlo) * (W - left - right);
    o += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#eee\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" font-size=\"10\" text-anchor=\"middle\">{4}</text>\n",
        px, top, H - bottom, H - bottom + 13, tick_label(t, s.log_x));
  }
  for (double t : ticks(ylo, yhi, s.log_y)) {
    const double py = (H - bottom) + (t - ylo) / (yhi - ylo) * (top - (H - bottom));
    o += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" font-size=\"10\" text-anchor=\"end\">{5}</text>\n",
        left, py, W - right, left - 4, py + 3, tick_label(t, s.log_y));
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                   (left + W - right) / 2, H - 8, xml_escape(s.x_label));
  o += fmt::format(
      "<text x=\"12\" y=\"{0}\" font-size=\"11\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 12 {0})\">{1}</text>\n",
      (top + H - bottom) / 2, xml_escape(s.y_label));
  if (s.diagonal) {
    const double lo = std::max(xlo, ylo), hi = std::min(xhi, yhi);
    if (hi > lo) {
      auto at = [&](double t) { return s.log_x ? std::pow(10, t) : t; };
      o += fmt::format(
          "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00\" "
          "stroke-dasharray=\"4 3\"><title>observed = bound</title></line>\n",
          ax.map(at(lo)), ay.map(at(lo)), ax.map(at(hi)), ay.map(at(hi)));
    }
  }
  if (s.reference) {
    const double py = ay.map(clampy(*s.reference));
    o += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#c00\" "
        "stroke-dasharray=\"4 3\"/>\n",
        left, py, W - right, py);
  }
  o += fmt::format("<svg x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" overflow=\"hidden\">\n", 0, 0,
                   W, H);
  for (const Series& se : s.series) {
    std::vector<std::pair<double, double>> pts;
    for (auto [x, y] : se.points)
      if (std::isfinite(x) && std::isfinite(y))
        pts.emplace_back(ax.map(clampx(x)), ay.map(clampy(y)));
    if (pts.empty()) continue;
    o += fmt::format("<g class=\"series\"><title>{}</title>", xml_escape(se.name));
    if (se.line && pts.size() > 1) {
      std::string d;
      for (std::size_t i = 0; i < pts.size(); ++i)
        d += fmt::format("{}{:.1f},{:.1f}", i ? " L" : "M", pts[i].first, pts[i].second);
      o += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>", d,
                       se.color);
    }
    for (auto [px, py] : pts)
      o += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>", px, py,
                       se.color);
    o += "</g>\n";
  }
  o += "</svg>\n</svg>\n";
  return o;
}

}  // namespace softcheck::reports
