#pragma once
// The column-aligned tables the offsets commands print.
#include <string>
#include <vector>

namespace ks::app {

using TableRow = std::vector<std::string>;

// One line per row, the header first; each column as wide as its widest
// cell, columns two spaces apart, no trailing blanks.
std::string format_table(const TableRow& header, const std::vector<TableRow>& rows);

}  // namespace ks::app
