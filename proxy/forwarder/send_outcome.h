#pragma once
// What the forwarder does after an upstream answer to one forwarded batch.
#include "proxy/protocol/error_code.h"

namespace ks::forwarder {

enum class Next {
  acknowledged,       // stored upstream: move on
  retry,              // rejected, nothing stored: send the same batch again after a backoff
  refresh_and_retry,  // the leader moved: refresh metadata, then retry
  reconcile,          // unknown whether it was stored: read the upstream log first
  new_producer,       // the upstream forgot our producer: reconcile, then a new producer id
  dead_letter,        // can never be stored: set it aside, count it, go on
};

Next next_after(protocol::ErrorCode error);

}  // namespace ks::forwarder
