#pragma once
// Metadata: the sidecar is the only broker and leads every partition.
#include "proxy/server/broker_identity.h"
#include "proxy/server/request.h"
#include "proxy/server/topic_catalog.h"

namespace ks::server {

class MetadataHandler {
 public:
  MetadataHandler(BrokerIdentity identity, TopicCatalog& catalog)
      : identity_(std::move(identity)), catalog_(catalog) {}

  awaitable<Deferred> handle(std::shared_ptr<const Request> request);

 private:
  BrokerIdentity identity_;
  TopicCatalog& catalog_;
};

}  // namespace ks::server
