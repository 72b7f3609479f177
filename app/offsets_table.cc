#include "app/offsets_table.h"

#include <algorithm>

namespace ks::app {

std::string format_table(const TableRow& header, const std::vector<TableRow>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c)
    widths[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  const auto append = [&](const TableRow& row) {
    std::string line;
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      if (c > 0) line.append(2, ' ');
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size(), ' ');
    }
    out += line + '\n';
  };
  append(header);
  for (const auto& row : rows)
    append(row);
  return out;
}

}  // namespace ks::app
