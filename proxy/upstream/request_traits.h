#pragma once
// What the connection needs to know about each request type beyond its
// codec: the response type, whether a response comes at all, and how long
// the broker may legitimately hold the request before it answers.
#include <algorithm>
#include <chrono>

#include "proxy/protocol/messages.h"

namespace ks::upstream {

template <typename Request>
struct ResponseFor;
template <>
struct ResponseFor<protocol::ProduceRequest> {
  using type = protocol::ProduceResponse;
};
template <>
struct ResponseFor<protocol::FetchRequest> {
  using type = protocol::FetchResponse;
};
template <>
struct ResponseFor<protocol::ListOffsetsRequest> {
  using type = protocol::ListOffsetsResponse;
};
template <>
struct ResponseFor<protocol::MetadataRequest> {
  using type = protocol::MetadataResponse;
};
template <>
struct ResponseFor<protocol::OffsetCommitRequest> {
  using type = protocol::OffsetCommitResponse;
};
template <>
struct ResponseFor<protocol::OffsetFetchRequest> {
  using type = protocol::OffsetFetchResponse;
};
template <>
struct ResponseFor<protocol::FindCoordinatorRequest> {
  using type = protocol::FindCoordinatorResponse;
};
template <>
struct ResponseFor<protocol::JoinGroupRequest> {
  using type = protocol::JoinGroupResponse;
};
template <>
struct ResponseFor<protocol::HeartbeatRequest> {
  using type = protocol::HeartbeatResponse;
};
template <>
struct ResponseFor<protocol::LeaveGroupRequest> {
  using type = protocol::LeaveGroupResponse;
};
template <>
struct ResponseFor<protocol::SyncGroupRequest> {
  using type = protocol::SyncGroupResponse;
};
template <>
struct ResponseFor<protocol::DescribeGroupsRequest> {
  using type = protocol::DescribeGroupsResponse;
};
template <>
struct ResponseFor<protocol::ListGroupsRequest> {
  using type = protocol::ListGroupsResponse;
};
template <>
struct ResponseFor<protocol::SaslHandshakeRequest> {
  using type = protocol::SaslHandshakeResponse;
};
template <>
struct ResponseFor<protocol::SaslAuthenticateRequest> {
  using type = protocol::SaslAuthenticateResponse;
};
template <>
struct ResponseFor<protocol::ApiVersionsRequest> {
  using type = protocol::ApiVersionsResponse;
};
template <>
struct ResponseFor<protocol::InitProducerIdRequest> {
  using type = protocol::InitProducerIdResponse;
};
template <>
struct ResponseFor<protocol::OffsetForLeaderEpochRequest> {
  using type = protocol::OffsetForLeaderEpochResponse;
};
template <>
struct ResponseFor<protocol::DeleteGroupsRequest> {
  using type = protocol::DeleteGroupsResponse;
};

template <typename Request>
using response_for_t = typename ResponseFor<Request>::type;

// The highest version sent upstream. The classic group APIs stop at their
// last version before the flexible encoding: the librdkafka 2.15 mock
// advertises the flexible ones but parses them in the older form (its own
// client never sends them), and what they add (tagged fields, a leave
// reason, require_stable for transactions) does not change what a group
// does. Kafka brokers keep these versions (KIP-896 removes older ones only).
template <typename Request>
inline constexpr int16_t kMaxUpstreamVersion = Request::kMaxVersion;
template <>
inline constexpr int16_t kMaxUpstreamVersion<protocol::JoinGroupRequest> = 5;
template <>
inline constexpr int16_t kMaxUpstreamVersion<protocol::SyncGroupRequest> = 3;
template <>
inline constexpr int16_t kMaxUpstreamVersion<protocol::HeartbeatRequest> = 3;
// LeaveGroup v3 names members in a list, which the mock does not read: a
// consumer leaves as one member, which v2 names as well.
template <>
inline constexpr int16_t kMaxUpstreamVersion<protocol::LeaveGroupRequest> = 2;
template <>
inline constexpr int16_t kMaxUpstreamVersion<protocol::OffsetCommitRequest> = 7;
template <>
inline constexpr int16_t kMaxUpstreamVersion<protocol::OffsetFetchRequest> = 5;

// Produce with acks=0 is never answered: waiting for its response would
// time out and reset a healthy connection.
template <typename Request>
bool expects_response(const Request&) {
  return true;
}
inline bool expects_response(const protocol::ProduceRequest& request) {
  return request.acks != 0;
}

// Added to the request timeout: a Fetch long-polls up to max_wait_ms, a
// Produce waits up to timeout_ms for replication before the broker answers.
template <typename Request>
std::chrono::milliseconds broker_hold_time(const Request&) {
  return std::chrono::milliseconds{0};
}
inline std::chrono::milliseconds broker_hold_time(const protocol::FetchRequest& request) {
  return std::chrono::milliseconds{std::max(request.max_wait_ms, 0)};
}
inline std::chrono::milliseconds broker_hold_time(const protocol::ProduceRequest& request) {
  return std::chrono::milliseconds{std::max(request.timeout_ms, 0)};
}
// A JoinGroup is answered when the rebalance completes (v0 has no rebalance
// timeout: the session timeout bounds it); a SyncGroup waits for the
// leader's assignment, bounded by the same rebalance timeout, which the
// request does not carry: Kafka's default max.poll.interval.ms.
inline std::chrono::milliseconds broker_hold_time(const protocol::JoinGroupRequest& request) {
  return std::chrono::milliseconds{
      std::max({request.rebalance_timeout_ms, request.session_timeout_ms, 0})};
}
inline std::chrono::milliseconds broker_hold_time(const protocol::SyncGroupRequest&) {
  return std::chrono::minutes{5};
}

}  // namespace ks::upstream
