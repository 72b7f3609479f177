#include "app/offsets_group_state.h"

namespace ks::app {

bool may_reset(const GroupState& group) {
  return group.state == "Empty" || group.state == "Dead";
}

}  // namespace ks::app
