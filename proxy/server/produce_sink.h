#pragma once
// Where accepted batches go: the app wires this to the durable buffer of the
// batch's cluster. Submission is synchronous and in call order, so batches
// of one connection reach the log in request order; durability is awaited
// separately through the returned ticket.
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "proxy/asio.h"

namespace ks::server {

struct Batch {
  std::string topic;
  int32_t partition = 0;
  int32_t record_count = 0;
  std::vector<std::byte> bytes;  // the client's record batch, verbatim
};

// The outcome of one append, awaited on the connection's executor.
class AppendTicket {
 public:
  explicit AppendTicket(asio::any_io_executor executor)
      : done_(executor, asio::steady_timer::time_point::max()) {}

  // Called on the ticket's executor. A failure runs the failure hook at
  // once, before any later request is looked at, so state that assumed the
  // append (idempotent sequences) is rolled back without a window.
  void complete(std::error_code result) {
    result_ = result;
    finished_ = true;
    if (result && on_failure_) on_failure_();
    on_failure_ = nullptr;
    done_.cancel();
  }
  void on_failure(std::function<void()> hook) {
    if (finished_) {
      if (result_) hook();
    } else {
      on_failure_ = std::move(hook);
    }
  }
  awaitable<std::error_code> wait() {
    while (!finished_) {
      boost::system::error_code cancelled;
      co_await done_.async_wait(nothrow(cancelled));
    }
    co_return result_;
  }
  bool finished() const { return finished_; }

 private:
  asio::steady_timer done_;
  std::error_code result_;
  bool finished_ = false;
  std::function<void()> on_failure_;
};

class ProduceSink {
 public:
  virtual ~ProduceSink() = default;
  // Returns a ticket that completes once the batch is durable per the fsync
  // policy (or failed). May complete it at once, e.g. when the buffer is
  // full and the policy is reject.
  virtual std::shared_ptr<AppendTicket> submit(Batch batch) = 0;
};

}  // namespace ks::server
