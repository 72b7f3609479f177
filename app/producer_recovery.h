#pragma once
// After a restart, a client may resend a batch the previous process had
// stored but not acknowledged yet (killed between the write and the
// answer). Relearning the idempotent producers' recent sequences from the
// tail of the buffer lets the retry be recognised as a duplicate instead of
// being stored, and forwarded, twice.
#include <cstdint>

#include "buffer/log.h"
#include "proxy/asio.h"
#include "proxy/server/producer_state.h"

namespace ks::app {

// Reads the last `window` bytes of the log (whole segments from there on)
// into `producers`. Returns how many idempotent batches it learnt.
uint64_t restore_producers(const buffer::Log& log, uint64_t window, asio::any_io_executor executor,
                           server::ProducerState& producers);

}  // namespace ks::app
