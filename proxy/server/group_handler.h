#pragma once
// Consumer groups, passed through: the sidecar tells clients it coordinates
// every group (FindCoordinator is answered locally) and forwards each group
// request to the group's real coordinator on the upstream cluster the group
// lives on, at the version that broker speaks. Offsets are committed and
// fetched under the topics' upstream names, and so are the topics inside
// the consumer protocol (subscriptions and assignments). Requests naming
// several groups are split by cluster and coordinator; ListGroups asks every
// broker of every cluster, as each lists only the groups it coordinates.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/consumer_protocol.h"
#include "proxy/server/broker_identity.h"
#include "proxy/server/request.h"
#include "proxy/upstream/group_coordinators.h"

namespace ks::server {

// Where groups and topics live upstream; the app derives it from the config.
struct GroupRouting {
  // Every cluster's coordinators, each once.
  std::vector<upstream::GroupCoordinators*> clusters;
  // The cluster holding `group`: one of `clusters`.
  std::function<upstream::GroupCoordinators&(const std::string& group)> cluster_of;
  // A client topic's name upstream.
  std::function<std::string(const std::string& topic)> upstream_topic;
  // An upstream topic's name for the clients of `group`. Empty when no
  // route renames a topic: the consumer protocol is then not even decoded.
  std::function<std::string(const std::string& group, const std::string& topic)> app_topic;
};

class GroupHandler {
 public:
  GroupHandler(BrokerIdentity identity, GroupRouting routing)
      : identity_(std::move(identity)), routing_(std::move(routing)) {}

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

  template <typename Req, typename Adapt, typename Restore>
  Deferred forward_simple(std::shared_ptr<const Request> request, Adapt adapt, Restore restore);

  // For the APIs naming several groups: each coordinator is sent the
  // client's request for its own groups, all at once, and the per-group
  // results (`results` of the response) are merged in the client's order.
  // `groups`: the request's list of groups.
  // `finish` sees the merged response before it is encoded.
  template <typename Req, typename Item, typename Finish>
  Deferred forward_split(std::shared_ptr<const Request> request,
                         std::vector<std::string> Req::*groups,
                         std::vector<Item> upstream::response_for_t<Req>::*results, Finish finish);

  Deferred list_everywhere(std::shared_ptr<const Request> request);

  // Whether the consumer protocol's bytes of a group of `protocol_type`
  // need their topics renamed.
  bool renames(std::string_view protocol_type) const;
  // Upstream names to the names the clients of `group` know.
  protocol::consumer::Rename to_app(const std::string& group) const;

  BrokerIdentity identity_;
  GroupRouting routing_;
  // The protocol type each group joined with, for the SyncGroup versions
  // that do not say it (v0-4). Every member joins before it syncs.
  std::map<std::string, std::string, std::less<>> protocol_types_;
};

}  // namespace ks::server
