#include "proxy/server/group_handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ranges>

#include "common/log.h"
#include "proxy/protocol/messages.h"
#include "proxy/server/consumer_renames.h"
#include "proxy/server/group_listing.h"
#include "proxy/server/group_results.h"
#include "proxy/server/upstream_failure.h"
#include "proxy/when_all.h"

namespace ks::server {

using protocol::ErrorCode;

namespace {

bool coordinator_moved(ErrorCode error) {
  return error == ErrorCode::not_coordinator || error == ErrorCode::coordinator_not_available;
}

// What a client sees while the group's coordinator cannot be reached: it
// looks for the coordinator again (us) and retries.
constexpr ErrorCode kUnreachable = ErrorCode::coordinator_not_available;

// The error for `groups` (comma-separated) when their coordinator gave no
// answer.
ErrorCode unanswered(const protocol::RequestHeader& header, std::string_view groups,
                     const Error& error) {
  log::debug("group.coordinator_unreachable", "group={} api_key={} error={}", log::quote(groups),
             protocol::name(header.api_key), log::quote(error.message));
  return upstream_failure(header.api_key, error, kUnreachable);
}

// Client topic names <-> upstream names, for one request.
class TopicNames {
 public:
  explicit TopicNames(const std::function<std::string(const std::string&)>& upstream)
      : upstream_(upstream) {}
  std::string to_upstream(const std::string& topic) {
    std::string name = upstream_(topic);
    to_client_[name] = topic;
    return name;
  }
  std::string to_client(const std::string& upstream) const {
    const auto it = to_client_.find(upstream);
    return it == to_client_.end() ? upstream : it->second;
  }

 private:
  const std::function<std::string(const std::string&)>& upstream_;
  std::map<std::string, std::string> to_client_;
};

}  // namespace

template <typename Req, typename Adapt, typename Restore, typename Failed>
Deferred GroupHandler::forward(std::shared_ptr<const Request> request, Adapt adapt, Restore restore,
                               Failed failed) {
  protocol::Reader body = request->body();
  Req req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();
  const std::string group = req.group_id;
  adapt(req);
  upstream::GroupCoordinators& coordinators = routing_.cluster_of(group);
  auto result = co_await coordinators.send(group, std::move(req), request->session);
  if (!result)
    co_return encode_response(request->header,
                              failed(unanswered(request->header, group, result.error())));
  if (coordinator_moved(restore(result->body))) coordinators.forget(group);
  co_return encode_response(request->header, result->body);
}

// For the APIs whose response has one top-level error code; `restore`
// may change the response before it goes back to the client.
template <typename Req, typename Adapt, typename Restore>
Deferred GroupHandler::forward_simple(std::shared_ptr<const Request> request, Adapt adapt,
                                      Restore restore) {
  using Resp = upstream::response_for_t<Req>;
  return forward<Req>(
      std::move(request), adapt,
      [restore](Resp& r) {
        restore(r);
        return static_cast<ErrorCode>(r.error_code);
      },
      [](ErrorCode e) {
        Resp r;
        r.error_code = protocol::to_int(e);
        return r;
      });
}

template <typename Req, typename Item, typename Finish>
Deferred GroupHandler::forward_split(std::shared_ptr<const Request> request,
                                     std::vector<std::string> Req::*groups,
                                     std::vector<Item> upstream::response_for_t<Req>::*results,
                                     Finish finish) {
  using Resp = upstream::response_for_t<Req>;
  protocol::Reader body = request->body();
  Req req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();
  auto share_of = [&req, groups](const std::vector<std::string>& share) {
    Req r = req;
    r.*groups = share;
    return r;
  };
  // Each cluster splits its groups by coordinator; all are asked at once.
  std::map<upstream::GroupCoordinators*, std::vector<std::string>> by_cluster;
  for (const auto& group : req.*groups)
    by_cluster[&routing_.cluster_of(group)].push_back(group);
  std::vector<awaitable<std::vector<upstream::CoordinatorShare<Req>>>> sends;
  for (const auto& [cluster, named] : by_cluster)
    sends.push_back(cluster->template send_split<Req>(named, share_of, request->session));
  // The results' bytes (member metadata) point into the shares' frames.
  auto answers = co_await when_all(std::move(sends));

  Resp response;
  GroupResults<Item> merged;
  for (auto& share : answers | std::views::join) {
    if (!share.response) {
      const ErrorCode error = unanswered(
          request->header, fmt::format("{}", fmt::join(share.groups, ",")), share.response.error());
      for (const auto& group : share.groups)
        merged.fail(group, error);
      continue;
    }
    response.throttle_time_ms =
        std::max(response.throttle_time_ms, share.response->body.throttle_time_ms);
    for (auto& item : share.response->body.*results) {
      if (coordinator_moved(static_cast<ErrorCode>(item.error_code)))
        routing_.cluster_of(item.group_id).forget(item.group_id);
      merged.add(std::move(item));
    }
  }
  // A group its coordinator left out of the answer: the client asks again.
  response.*results = merged.in_order(req.*groups, kUnreachable);
  finish(response);
  co_return encode_response(request->header, response);
}

awaitable<Deferred> GroupHandler::find_coordinator(std::shared_ptr<const Request> request) {
  protocol::Reader body = request->body();
  protocol::FindCoordinatorRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return ready(unparseable());
  // Key type 0 is a group, 1 a transactional id: transactions are refused.
  const ErrorCode error =
      req.key_type == 0 ? ErrorCode::none : ErrorCode::transactional_id_authorization_failed;
  protocol::FindCoordinatorResponse response;
  auto answer = [&](protocol::FindCoordinatorResponse::Coordinator& c) {
    c.error_code = protocol::to_int(error);
    c.node_id = error == ErrorCode::none ? identity_.node_id : -1;
    c.host = error == ErrorCode::none ? identity_.host : "";
    c.port = error == ErrorCode::none ? identity_.port : -1;
  };
  protocol::FindCoordinatorResponse::Coordinator single;
  answer(single);
  response.error_code = single.error_code;
  response.node_id = single.node_id;
  response.host = single.host;
  response.port = single.port;
  for (const auto& key : req.coordinator_keys) {  // v4: several keys at once
    auto& c = response.coordinators.emplace_back();
    c.key = key;
    answer(c);
  }
  co_return ready(encode_response(request->header, response));
}

bool GroupHandler::renames(std::string_view protocol_type) const {
  return routing_.app_topic && protocol_type == kConsumerProtocol;
}

protocol::consumer::Rename GroupHandler::to_app(const std::string& group) const {
  return [this, group](const std::string& topic) { return routing_.app_topic(group, topic); };
}

// The members' subscriptions name topics: upstream names for the broker,
// the client's own in the answer (the leader assigns from those).
awaitable<Deferred> GroupHandler::join_group(std::shared_ptr<const Request> request) {
  using Req = protocol::JoinGroupRequest;
  using Resp = protocol::JoinGroupResponse;
  struct Joining {
    std::string group;
    std::string protocol_type;  // the response says it only from v7
  };
  auto rewritten = std::make_shared<ConsumerRenames>();
  auto joining = std::make_shared<Joining>();
  auto adapt = [this, rewritten, joining](Req& r) {
    *joining = {r.group_id, r.protocol_type};
    if (routing_.app_topic) protocol_types_.insert_or_assign(r.group_id, r.protocol_type);
    if (!renames(r.protocol_type)) return;
    for (auto& p : r.protocols)
      p.metadata = rewritten->subscription(r.group_id, p.metadata, routing_.upstream_topic);
  };
  auto restore = [this, rewritten, joining](Resp& r) {
    if (!renames(r.protocol_type.value_or(joining->protocol_type))) return;
    const auto rename = to_app(joining->group);
    for (auto& m : r.members)
      m.metadata = rewritten->subscription(joining->group, m.metadata, rename);
  };
  co_return forward_simple<Req>(std::move(request), adapt, restore);
}

// The leader's assignments, and each member's, name topics.
awaitable<Deferred> GroupHandler::sync_group(std::shared_ptr<const Request> request) {
  using Req = protocol::SyncGroupRequest;
  using Resp = protocol::SyncGroupResponse;
  auto rewritten = std::make_shared<ConsumerRenames>();
  auto consumer = std::make_shared<bool>(false);
  auto group = std::make_shared<std::string>();
  auto adapt = [this, rewritten, consumer, group](Req& r) {
    *group = r.group_id;
    if (r.protocol_type) {
      *consumer = renames(*r.protocol_type);
    } else if (const auto it = protocol_types_.find(r.group_id); it != protocol_types_.end()) {
      *consumer = renames(it->second);
    }
    if (!*consumer) return;
    for (auto& a : r.assignments)
      a.assignment = rewritten->assignment(r.group_id, a.assignment, routing_.upstream_topic);
  };
  auto restore = [this, rewritten, consumer, group](Resp& r) {
    if (*consumer) r.assignment = rewritten->assignment(*group, r.assignment, to_app(*group));
  };
  co_return forward_simple<Req>(std::move(request), adapt, restore);
}

awaitable<Deferred> GroupHandler::heartbeat(std::shared_ptr<const Request> request) {
  co_return forward_simple<protocol::HeartbeatRequest>(
      std::move(request), [](auto&) {}, [](auto&) {});
}

awaitable<Deferred> GroupHandler::leave_group(std::shared_ptr<const Request> request) {
  // v0-2 name one member, v3+ a list: fill both so either version carries it.
  auto adapt = [](protocol::LeaveGroupRequest& r) {
    if (r.members.empty() && !r.member_id.empty()) {
      r.members.emplace_back().member_id = r.member_id;
    } else if (r.member_id.empty() && r.members.size() == 1) {
      r.member_id = r.members[0].member_id;
    }
  };
  co_return forward_simple<protocol::LeaveGroupRequest>(std::move(request), adapt, [](auto&) {});
}

awaitable<Deferred> GroupHandler::offset_commit(std::shared_ptr<const Request> request) {
  using Req = protocol::OffsetCommitRequest;
  using Resp = protocol::OffsetCommitResponse;
  auto names = std::make_shared<TopicNames>(routing_.upstream_topic);
  auto asked = std::make_shared<Req>();  // for the error answer, under the client's names
  auto adapt = [names, asked](Req& r) {
    *asked = r;
    for (auto& topic : r.topics)
      topic.name = names->to_upstream(topic.name);
  };
  auto restore = [names](Resp& r) {
    ErrorCode first = ErrorCode::none;
    for (auto& topic : r.topics) {
      topic.name = names->to_client(topic.name);
      for (const auto& p : topic.partitions) {
        if (first == ErrorCode::none) first = static_cast<ErrorCode>(p.error_code);
      }
    }
    return first;
  };
  auto failed = [asked](ErrorCode e) {
    Resp r;
    for (const auto& topic : asked->topics) {
      auto& out = r.topics.emplace_back();
      out.name = topic.name;
      for (const auto& p : topic.partitions)
        out.partitions.push_back({p.partition_index, protocol::to_int(e)});
    }
    return r;
  };
  co_return forward<Req>(std::move(request), adapt, restore, failed);
}

awaitable<Deferred> GroupHandler::offset_fetch(std::shared_ptr<const Request> request) {
  using Req = protocol::OffsetFetchRequest;
  using Resp = protocol::OffsetFetchResponse;
  auto names = std::make_shared<TopicNames>(routing_.upstream_topic);
  auto asked = std::make_shared<Req>();
  auto adapt = [names, asked](Req& r) {
    *asked = r;
    if (r.topics) {
      for (auto& topic : *r.topics)
        topic.name = names->to_upstream(topic.name);
    }
  };
  auto restore = [this, names, asked](Resp& r) {
    // Asked for all its topics (v2+), the group's answer names topics the
    // request did not: the routes tell their app names.
    const bool all = !asked->topics && routing_.app_topic;
    for (auto& topic : r.topics)
      topic.name =
          all ? routing_.app_topic(asked->group_id, topic.name) : names->to_client(topic.name);
    return static_cast<ErrorCode>(r.error_code);
  };
  auto failed = [asked](ErrorCode e) {
    Resp r;
    r.error_code = protocol::to_int(e);  // v2+
    if (asked->topics) {
      for (const auto& topic : *asked->topics) {  // v0-1 have only these
        auto& out = r.topics.emplace_back();
        out.name = topic.name;
        for (const int32_t p : topic.partition_indexes) {
          auto& partition = out.partitions.emplace_back();
          partition.partition_index = p;
          partition.committed_offset = -1;
          partition.error_code = protocol::to_int(e);
        }
      }
    }
    return r;
  };
  co_return forward<Req>(std::move(request), adapt, restore, failed);
}

awaitable<Deferred> GroupHandler::describe_groups(std::shared_ptr<const Request> request) {
  // Member metadata and assignments are the group protocol's bytes: those
  // of consumers name topics, under their upstream names.
  auto rewritten = std::make_shared<ConsumerRenames>();
  auto finish = [this, rewritten](protocol::DescribeGroupsResponse& r) {
    for (auto& group : r.groups) {
      if (!renames(group.protocol_type)) continue;
      const auto rename = to_app(group.group_id);
      for (auto& m : group.members) {
        m.member_metadata = rewritten->subscription(group.group_id, m.member_metadata, rename);
        m.member_assignment = rewritten->assignment(group.group_id, m.member_assignment, rename);
      }
    }
  };
  co_return forward_split<protocol::DescribeGroupsRequest>(
      std::move(request), &protocol::DescribeGroupsRequest::groups,
      &protocol::DescribeGroupsResponse::groups, finish);
}

awaitable<Deferred> GroupHandler::delete_groups(std::shared_ptr<const Request> request) {
  co_return forward_split<protocol::DeleteGroupsRequest>(
      std::move(request), &protocol::DeleteGroupsRequest::groups_names,
      &protocol::DeleteGroupsResponse::results, [](auto&) {});
}

awaitable<Deferred> GroupHandler::list_groups(std::shared_ptr<const Request> request) {
  co_return list_everywhere(std::move(request));  // nothing ordered: all of it waits upstream
}

Deferred GroupHandler::list_everywhere(std::shared_ptr<const Request> request) {
  using protocol::ListGroupsRequest;
  protocol::Reader body = request->body();
  ListGroupsRequest req;
  req.decode(body, request->header.api_version);
  if (!body.ok()) co_return unparseable();

  std::vector<awaitable<Result<upstream::Response<protocol::ListGroupsResponse>>>> sends;
  std::vector<upstream::GroupCoordinators*> asked;  // the cluster of each send
  for (upstream::GroupCoordinators* cluster : routing_.clusters) {
    upstream::Client& client = cluster->client();
    if (client.topology().brokers().empty()) {  // a cold start: learn the brokers
      std::vector<std::string> no_topics;
      (void)co_await client.refresh_metadata(std::move(no_topics));
    }
    for (const auto& [broker_id, broker] : client.topology().brokers()) {
      sends.push_back(client.send_to(broker_id, req, request->session));
      asked.push_back(cluster);
    }
  }
  auto answers = co_await when_all(std::move(sends));

  GroupListing listing;
  if (answers.empty()) listing.fail(kUnreachable);
  for (size_t i = 0; i < answers.size(); ++i) {
    auto& answer = answers[i];
    if (!answer) {
      listing.fail(upstream_failure(request->header.api_key, answer.error(), kUnreachable));
    } else if (!req.states_filter.empty() && answer->version < 4) {
      // A broker too old for the states filter lists every state; Kafka's
      // own admin client refuses such a filter for good.
      listing.fail(ErrorCode::unsupported_version);
    } else {
      // A group that lives elsewhere by the rules cannot be reached
      // through the sidecar: it is not listed.
      std::erase_if(answer->body.groups,
                    [&](const auto& g) { return &routing_.cluster_of(g.group_id) != asked[i]; });
      listing.add(answer->body);
    }
  }
  co_return encode_response(request->header, listing.merged());
}

}  // namespace ks::server
