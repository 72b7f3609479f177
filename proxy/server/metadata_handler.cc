#include "proxy/server/metadata_handler.h"

#include "proxy/protocol/messages.h"
#include "proxy/when_all.h"

namespace ks::server {

using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

awaitable<Deferred> MetadataHandler::handle(std::shared_ptr<const Request> request) {
  const int16_t version = request->header.api_version;
  protocol::Reader body = request->body();
  MetadataRequest req;
  req.decode(body, version);

  MetadataResponse response;
  response.brokers.push_back({identity_.node_id, identity_.host, identity_.port, std::nullopt});
  response.cluster_id = identity_.cluster_id;
  response.controller_id = identity_.node_id;

  auto add_topic = [&](const std::string& name, const TopicInfo& info) {
    MetadataResponse::MetadataResponseTopic topic;
    topic.name = name;
    topic.error_code = protocol::to_int(info.error);
    for (int32_t p = 0; p < info.partitions; ++p) {
      topic.partitions.push_back(
          {0, p, identity_.node_id, 0, {identity_.node_id}, {identity_.node_id}, {}});
    }
    response.topics.push_back(std::move(topic));
  };

  if (!body.ok()) co_return ready(unparseable());
  if (!req.topics || req.topics->empty()) {
    // All topics: the ones we know of.
    for (const auto& [name, partitions] : catalog_.known())
      add_topic(name, {ErrorCode::none, partitions});
  } else {
    // Looked up together: a topic whose cluster is slow to answer must not
    // hold up the others (several clusters).
    std::vector<const std::string*> names;
    std::vector<awaitable<TopicInfo>> lookups;
    for (const auto& topic : *req.topics) {
      if (!topic.name) continue;  // by topic id (v10+): we name topics only
      names.push_back(&*topic.name);
      lookups.push_back(catalog_.find(*topic.name));
    }
    const auto found = co_await when_all(std::move(lookups));
    for (size_t i = 0; i < names.size(); ++i)
      add_topic(*names[i], found[i]);
  }
  co_return ready(encode_response(request->header, response));
}

}  // namespace ks::server
