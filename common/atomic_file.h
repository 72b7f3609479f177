#pragma once
// Replaces a small file atomically: write a temp file, fsync it, rename it
// over the target, fsync the directory. A crash leaves the old or the new
// content, never a mix.
#include <filesystem>
#include <span>
#include <system_error>

namespace ks {

std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const std::byte> content);

}  // namespace ks
