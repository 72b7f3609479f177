#pragma once
// Per-group results of a request that named several groups (DescribeGroups,
// DeleteGroups), gathered from the coordinators each group was sent to and
// put back in the order the client named the groups.
#include <map>
#include <string>
#include <vector>

#include "proxy/protocol/error_code.h"

namespace ks::server {

// Item: a response's per-group entry, with group_id and error_code.
template <typename Item>
class GroupResults {
 public:
  void add(Item item) {
    std::string group = item.group_id;
    by_group_.insert_or_assign(std::move(group), std::move(item));
  }

  // A group its coordinator did not answer for.
  void fail(const std::string& group, protocol::ErrorCode error) {
    Item item;
    item.group_id = group;
    item.error_code = protocol::to_int(error);
    add(std::move(item));
  }

  // One entry per asked group, in order (a group named twice is answered
  // twice, as a broker would); a group no coordinator answered for gets
  // `missing`.
  std::vector<Item> in_order(const std::vector<std::string>& asked,
                             protocol::ErrorCode missing) const {
    std::vector<Item> out;
    out.reserve(asked.size());
    for (const auto& group : asked) {
      if (const auto it = by_group_.find(group); it != by_group_.end()) {
        out.push_back(it->second);
      } else {
        Item& item = out.emplace_back();
        item.group_id = group;
        item.error_code = protocol::to_int(missing);
      }
    }
    return out;
  }

 private:
  std::map<std::string, Item> by_group_;
};

}  // namespace ks::server
