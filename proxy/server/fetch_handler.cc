#include "proxy/server/fetch_handler.h"

#include <algorithm>

#include "proxy/server/pass_through.h"

namespace ks::server {

using protocol::FetchRequest;
using protocol::FetchResponse;
using Answer = FetchAnswer;
using Clock = std::chrono::steady_clock;

namespace {

// A kept answer older than this is not handed out: a client that comes back
// to those partitions this late gets fresh watermarks.
constexpr auto kKeptAnswerLifetime = std::chrono::seconds(1);

}  // namespace

struct FetchHandler::Held {
  explicit Held(Asked what) : asked(std::move(what)) {}

  bool has_records() const {
    if (!result || !*result) return false;
    for (const auto& topic : (*result)->body.topics) {
      for (const auto& partition : topic.partitions) {
        if (partition.records && !partition.records->empty()) return true;
      }
    }
    return false;
  }

  const Asked asked;
  std::optional<UpstreamResult<FetchRequest>> result;  // set once answered
  Clock::time_point answered_at;
  // Fetches waiting for this one (cancelled, i.e. woken, when it is answered).
  std::vector<std::weak_ptr<asio::steady_timer>> waiters;
};

void keep_within_max_bytes(std::vector<FetchAnswer>& answers, int32_t max_bytes) {
  const auto limit = static_cast<size_t>(std::max(max_bytes, 0));
  size_t total = 0;
  bool full = false;
  for (auto& answer : answers) {
    if (!answer.records || answer.records->empty()) continue;
    const size_t size = answer.records->size();
    full = full || (total > 0 && total + size > limit);
    if (full) {
      answer.records = protocol::Bytes{};
    } else {
      total += size;
    }
  }
}

void give_every_answer_records(std::vector<FetchAnswer>& answers) {
  for (auto& answer : answers) {
    if (!answer.records) answer.records = protocol::Bytes{};
  }
}

awaitable<Deferred> FetchHandler::handle(std::shared_ptr<const Request> request) {
  co_return fetch(std::move(request));  // nothing ordered: all of it waits upstream
}

void FetchHandler::end_session(uint64_t session) {
  std::erase_if(held_,
                [session](const auto& entry) { return std::get<0>(entry.first) == session; });
  std::erase_if(seen_,
                [session](const auto& entry) { return std::get<0>(entry.first) == session; });
}

std::shared_ptr<FetchHandler::Held> FetchHandler::held_fetch(asio::any_io_executor executor,
                                                             uint64_t session,
                                                             upstream::Client* client,
                                                             int32_t broker, Asked asked,
                                                             FetchRequest request) {
  auto& slot = held_[{session, client, broker}];
  const bool reusable = slot && slot->asked == asked &&
                        (!slot->result || Clock::now() - slot->answered_at < kKeptAnswerLifetime);
  if (reusable) return slot;
  // A different one still out stays on the connection ahead of the new
  // one; its answer is simply not used.
  slot = std::make_shared<Held>(std::move(asked));
  asio::co_spawn(
      executor,
      [held = slot, client, broker, request = std::move(request),
       session]() mutable -> awaitable<void> {
        auto result = co_await client->send_to(broker, std::move(request), session);
        held->result.emplace(std::move(result));
        held->answered_at = Clock::now();
        for (const auto& waiter : held->waiters) {
          if (const auto timer = waiter.lock()) timer->cancel();
        }
        held->waiters.clear();
      },
      asio::detached);
  return slot;
}

Deferred FetchHandler::fetch(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  FetchRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();

  const auto asked = asked_partitions(req.topics);
  const auto located = co_await locator_.locate(asked.partitions);
  const uint64_t session = request->session;
  auto executor = co_await asio::this_coro::executor;

  // One Fetch per leader, kept from an earlier request where it asks the same.
  const LeaderGroups groups = group_by_leader(located);
  std::vector<std::shared_ptr<Held>> helds;
  for (const auto& [leader, members] : groups) {
    FetchRequest upstream;
    upstream.max_wait_ms = req.max_wait_ms;
    upstream.min_bytes = req.min_bytes;
    upstream.max_bytes = req.max_bytes;
    upstream.isolation_level = req.isolation_level;
    Asked what;
    for (const size_t i : members) {
      FetchRequest::FetchTopic::FetchPartition partition;
      partition.fetch_offset = asked.fields[i]->fetch_offset;
      partition.partition_max_bytes = asked.fields[i]->partition_max_bytes;
      what.emplace_back(located[i].topic, located[i].partition, partition.fetch_offset,
                        partition.partition_max_bytes);
      add_to(upstream, located[i], partition);
    }
    helds.push_back(held_fetch(executor, session, leader.first, leader.second, std::move(what),
                               std::move(upstream)));
  }

  // Wait until every leader answered, or one answered with records and every
  // partition still waiting has watermarks to answer with.
  auto seen_all = [&](const std::vector<size_t>& members) {
    return std::all_of(members.begin(), members.end(), [&](size_t i) {
      return seen_.contains({session, located[i].client, located[i].topic, located[i].partition});
    });
  };
  auto ready = [&] {
    bool all = true;
    bool records = false;
    bool rest_known = true;
    size_t g = 0;
    for (const auto& [leader, members] : groups) {
      const auto& held = helds[g++];
      if (held->result) {
        records = records || held->has_records();
      } else {
        all = false;
        rest_known = rest_known && seen_all(members);
      }
    }
    return all || (records && rest_known);
  };
  // Each answer wakes this fetch once: an answered Held forgets its waiters,
  // one still out keeps them, so registering once is enough.
  auto wake = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  for (const auto& held : helds) {
    if (!held->result) held->waiters.push_back(wake);
  }
  while (!ready()) {
    boost::system::error_code ignored;
    co_await wake->async_wait(nothrow(ignored));
  }

  std::vector<Answer> answers = located_answers<Answer>(located);
  int32_t throttle_time_ms = 0;
  StaleTopics stale;
  auto adjust = [](Answer& answer) {
    answer.preferred_read_replica = -1;  // the client only knows us
  };
  size_t g = 0;
  for (const auto& [leader, members] : groups) {
    const auto& held = helds[g++];
    if (!held->result) {
      for (const size_t i : members) {
        const Watermarks& w =
            seen_[{session, located[i].client, located[i].topic, located[i].partition}];
        answers[i].high_watermark = w.high;
        answers[i].last_stable_offset = w.last_stable;
        answers[i].log_start_offset = w.log_start;
      }
      continue;
    }
    take_answers<FetchRequest>(*held->result, leader.first, members, located, answers,
                               throttle_time_ms, adjust, stale);
    for (const size_t i : members) {
      if (answers[i].error_code != protocol::to_int(protocol::ErrorCode::none)) continue;
      seen_[{session, located[i].client, located[i].topic, located[i].partition}] = {
          answers[i].high_watermark, answers[i].last_stable_offset, answers[i].log_start_offset};
    }
    // Handed out: the next request sends anew.
    const auto it = held_.find({session, leader.first, leader.second});
    if (it != held_.end() && it->second == held) held_.erase(it);
  }
  co_await UpstreamLocator::refresh(std::move(stale));
  keep_within_max_bytes(answers, req.max_bytes);
  give_every_answer_records(answers);

  FetchResponse response;
  response.throttle_time_ms = throttle_time_ms;
  response.topics = in_request_shape<FetchResponse::FetchableTopicResponse>(req.topics, answers);
  // `helds` keeps the upstream responses the answers point into alive until here.
  co_return encode_response(request->header, response);
}

}  // namespace ks::server
