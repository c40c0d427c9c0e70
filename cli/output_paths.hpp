// Where the CLI writes its results (--json, --junit, --out): checked before any work, so a bad
// path costs a usage error rather than a finished run; written atomically, through symbolic links
// (the link's target is replaced, the link stays), and "-" is standard output, as in Unix tools.
#pragma once

#include <string>
#include <vector>

namespace softcheck::cli {

inline constexpr const char* kStdout = "-";

// UsageError unless `path` ("-", or a file) can be written at the end of the run: not a
// directory, its directory exists and is writable, an existing file is writable.
void require_writable_output(const char* flag, const std::string& path);

// UsageError when two given outputs ({flag, path}, empty paths ignored) name the same file or
// both standard output: one would overwrite the other.
void require_distinct_outputs(const std::vector<std::pair<const char*, std::string>>& outputs);

// UsageError unless `out` may become a report directory (reports/report_dir.hpp): it is new,
// empty, or a previous report; never a directory of the user's files.
void require_report_out(const char* flag, const std::string& out);

// Writes text to path ("-": standard output) atomically: a fresh temporary file next to the
// target (the link's target for a symbolic link), then a rename. Throws UsageError when it cannot.
void write_output(const std::string& path, const std::string& text);

}  // namespace softcheck::cli
