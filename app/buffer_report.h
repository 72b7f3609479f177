#pragma once
// The text `kafka-sidecar buffer inspect` prints. One fact per line, a
// word saying what it is and then key=value fields (values never contain
// blanks, except the quoted reasons), so people can read it and scripts
// can split it. Never a byte of a record's payload.
#include <string>

#include "app/buffer_inspection.h"
#include "buffer/entry.h"
#include "buffer/position.h"

namespace ks::app {

// The cluster's heading, "cluster NAME dir=DIR", printed before the
// inspection begins so that --dump's entries follow it.
std::string format_cluster_heading(const std::string& cluster, const ClusterBufferLayout& layout);

// Everything but the heading and the entries, each line indented.
std::string format_cluster_report(const ClusterInspection& inspection);

// --dump: the entry's line, from the frame and its Kafka batch header, and
// under it a line per record with its key and value sizes when the batch
// is uncompressed.
std::string format_entry(buffer::Position position, const buffer::EntryView& entry);

}  // namespace ks::app
