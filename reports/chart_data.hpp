// The data index.html's charts draw (reports/html/charts.js), as one JSON object inlined into the
// page: per cell its error in the op's own measure (ulps, or absolute error where the bound is
// absolute), the bound at its tightest output, tightness, logit magnitude and spread, verdict and
// failures; per kernel and family the error histogram; the families with their colours.
// Values are kept to 4 significant digits (the page shows them so; report.json keeps 7).
#pragma once

#include <nlohmann/json.hpp>

#include "reports/report.hpp"

namespace softcheck::reports {

nlohmann::json chart_data(const Report& r);

// The anchor of a kernel's section in index.html (its name, with characters other than letters,
// digits, '_', '-' and '.' replaced, as in worst-case file names).
std::string kernel_anchor(const std::string& kernel);

}  // namespace softcheck::reports
