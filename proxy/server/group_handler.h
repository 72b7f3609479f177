#pragma once
// Consumer groups, passed through: the sidecar tells clients it coordinates
// every group (FindCoordinator is answered locally) and forwards each group
// request to the group's real coordinator on the upstream cluster, at the
// version that broker speaks. Offsets are committed and fetched under the
// topics' upstream names. Requests naming several groups are split by
// coordinator; ListGroups asks every broker, as each lists only the groups
// it coordinates.
#include <functional>
#include <string>

#include "proxy/server/broker_identity.h"
#include "proxy/server/request.h"
#include "proxy/upstream/group_coordinators.h"

namespace ks::server {

class GroupHandler {
 public:
  // `upstream_topic`: a client topic's name on the groups' cluster.
  GroupHandler(BrokerIdentity identity, upstream::GroupCoordinators& coordinators,
               std::function<std::string(const std::string&)> upstream_topic)
      : identity_(std::move(identity)),
        coordinators_(coordinators),
        upstream_topic_(std::move(upstream_topic)) {}

  awaitable<Deferred> find_coordinator(std::shared_ptr<const Request> request);
  awaitable<Deferred> join_group(std::shared_ptr<const Request> request);
  awaitable<Deferred> sync_group(std::shared_ptr<const Request> request);
  awaitable<Deferred> heartbeat(std::shared_ptr<const Request> request);
  awaitable<Deferred> leave_group(std::shared_ptr<const Request> request);
  awaitable<Deferred> offset_commit(std::shared_ptr<const Request> request);
  awaitable<Deferred> offset_fetch(std::shared_ptr<const Request> request);
  awaitable<Deferred> describe_groups(std::shared_ptr<const Request> request);
  awaitable<Deferred> list_groups(std::shared_ptr<const Request> request);
  awaitable<Deferred> delete_groups(std::shared_ptr<const Request> request);

 private:
  // Decodes the client's request, lets `adapt` turn it into the upstream's,
  // sends it to the group's coordinator and answers with the coordinator's
  // response (passed to `restore`), or with `failed(error)` when there is
  // no answer.
  template <typename Req, typename Adapt, typename Restore, typename Failed>
  Deferred forward(std::shared_ptr<const Request> request, Adapt adapt, Restore restore,
                   Failed failed);

  template <typename Req, typename Adapt>
  Deferred forward_simple(std::shared_ptr<const Request> request, Adapt adapt);

  // For the APIs naming several groups: each coordinator is sent the
  // client's request for its own groups, all at once, and the per-group
  // results (`results` of the response) are merged in the client's order.
  // `groups`: the request's list of groups.
  template <typename Req, typename Item>
  Deferred forward_split(std::shared_ptr<const Request> request,
                         std::vector<std::string> Req::*groups,
                         std::vector<Item> upstream::response_for_t<Req>::*results);

  Deferred list_everywhere(std::shared_ptr<const Request> request);

  BrokerIdentity identity_;
  upstream::GroupCoordinators& coordinators_;
  std::function<std::string(const std::string&)> upstream_topic_;
};

}  // namespace ks::server
