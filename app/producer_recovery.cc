#include "app/producer_recovery.h"

#include <algorithm>
#include <memory>

#include "proxy/protocol/record_batch.h"

namespace ks::app {

uint64_t restore_producers(const buffer::Log& log, uint64_t window, asio::any_io_executor executor,
                           server::ProducerState& producers) {
  const uint64_t end = log.end().value;
  const uint64_t from = std::max(log.begin().value, end - std::min(end, window));
  // Everything in the log was stored: a retry of it is answered as done.
  auto stored = std::make_shared<server::AppendTicket>(executor);
  stored->complete({});
  uint64_t learnt = 0;
  auto scanner = log.scan(buffer::Position{from});
  while (scanner.next()) {
    const buffer::EntryView& entry = scanner.entry();
    protocol::BatchHeader h;
    if (!protocol::read_batch_header(entry.batch, h) || h.producer_id < 0) continue;
    producers.record(h.producer_id, h.producer_epoch, std::string(entry.topic), entry.partition,
                     h.base_sequence, h.last_sequence(), stored);
    ++learnt;
  }
  return learnt;
}

}  // namespace ks::app
