// Small self-contained SVG charts for index.html (no scripts, no fonts or styles from the network):
// lines or markers per series, linear or log axes with decade ticks, optional y = x diagonal and
// horizontal reference line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace softcheck::reports {

struct Series {
  std::string name;
  std::string color;  // CSS color
  std::vector<std::pair<double, double>> points;
  bool line = true;  // connect the points (in x order) or markers only
};

struct PlotSpec {
  std::string title, x_label, y_label;
  bool log_x = true, log_y = true;
  // On a log axis, values <= floor (zero errors) are drawn at floor, marked in the axis label.
  double x_floor = 1e-3, y_floor = 1e-3;
  bool diagonal = false;            // y = x (observed = bound)
  std::optional<double> reference;  // a horizontal line (e.g. tightness 1)
  std::vector<Series> series;
  int width = 420, height = 300;
};

std::string render_svg(const PlotSpec& spec);

// Escapes &, <, >, " and ' for HTML/SVG text and attributes.
std::string xml_escape(const std::string& s);

}  // namespace softcheck::reports
