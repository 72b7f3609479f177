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

}  // namespace ks::upstream
