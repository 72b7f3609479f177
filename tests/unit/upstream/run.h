#pragma once
// The upstream tests drive their io_context with the shared runner.
#include "tests/unit/io_runner.h"

namespace ks::upstream::test {
using namespace ks::io_test;
}  // namespace ks::upstream::test
