#pragma once
// Internal to config/: ${VAR} expansion in scalar values.
//
//   ${NAME}           the variable's value; an error if it is not set
//   ${NAME:-default}  the value, or `default` (taken literally, up to the
//                     first '}') when the variable is unset or empty
//   $$                a literal '$'
//   $ otherwise       a literal '$', so passwords like "pa$word" survive
//
// Expansion is a single pass: a '$' inside a variable's value is kept as is.
// Error messages name variables but never quote the text itself, which may
// be a secret.
#include <string>
#include <string_view>

#include "config/environment.h"
#include "config/parsed.h"

namespace ks::config {

Parsed<std::string> expand_env(std::string_view text, const EnvLookup& env);

}  // namespace ks::config
