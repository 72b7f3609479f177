#include "buffer/checkpoint.h"

#include <gtest/gtest.h>

#include <cstring>

#include "buffer/errc.h"
#include "buffer/format.h"
#include "common/crc32c.h"
#include "fault_env.h"
#include "test_util.h"

namespace ks::buffer {
namespace {

Checkpoint sample(int partitions = 3) {
  Checkpoint checkpoint;
  checkpoint.low_watermark = 123456789012;
  checkpoint.producer_id = 4242;
  checkpoint.producer_epoch = 7;
  for (int i = 0; i < partitions; ++i) {
    checkpoint.partitions.push_back(PartitionCursor{"orders-" + std::to_string(i % 5), i,
                                                    uint64_t{1000} * i, i * 3, i * 10 - 1});
  }
  return checkpoint;
}

class buffer_Checkpoint : public ::testing::Test {
 protected:
  Checkpoint load_ok() {
    Checkpoint loaded;
    EXPECT_FALSE(load_checkpoint(path_, &loaded));
    return loaded;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.file("checkpoint");
};

TEST_F(buffer_Checkpoint, RoundTrip) {
  for (const Checkpoint& checkpoint : {Checkpoint{}, sample(1), sample(1000)}) {
    ASSERT_FALSE(save_checkpoint(path_, checkpoint));
    EXPECT_EQ(load_ok(), checkpoint);
  }
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

// Segments go only after a checkpoint says so: on a full disk the
// checkpoint must still be written, from the space held in reserve.
TEST_F(buffer_Checkpoint, AFullDiskUsesTheReserve) {
  testing::FaultEnv env;
  const std::string reserve = path_ + std::string(format::kReserveSuffix);
  ASSERT_FALSE(save_checkpoint(path_, sample(1), env));
  ASSERT_TRUE(std::filesystem::exists(reserve));
  EXPECT_GE(std::filesystem::file_size(reserve), format::kCheckpointReserveBytes);
  // Full until the reserve is given up.
  env.fail_writes(std::make_error_code(std::errc::no_space_on_device));
  env.set_remove_hook([&](const std::string& path) {
    if (path == reserve) env.fail_writes({});
  });
  ASSERT_FALSE(save_checkpoint(path_, sample(2), env));
  EXPECT_EQ(load_ok(), sample(2));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  // Made again as soon as there is room.
  EXPECT_TRUE(std::filesystem::exists(reserve));
}

TEST_F(buffer_Checkpoint, AFullDiskWithoutAReserveFailsAndLeavesNoTempFile) {
  testing::FaultEnv env;
  env.fail_writes_after(10, std::make_error_code(std::errc::no_space_on_device));
  EXPECT_EQ(save_checkpoint(path_, sample(), env), std::errc::no_space_on_device);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  EXPECT_FALSE(std::filesystem::exists(path_ + std::string(format::kReserveSuffix)));
  env.fail_writes({});
  ASSERT_FALSE(save_checkpoint(path_, sample(), env));
  EXPECT_EQ(load_ok(), sample());
}

TEST_F(buffer_Checkpoint, MissingIsAFreshStart) {
  Checkpoint loaded = sample();
  EXPECT_EQ(load_checkpoint(path_, &loaded), errc::not_found);
  EXPECT_EQ(loaded, sample());  // untouched
}

TEST_F(buffer_Checkpoint, EveryFlippedByteIsCorruption) {
  ASSERT_FALSE(save_checkpoint(path_, sample()));
  const auto good = testing::read_file(path_);
  for (size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= std::byte{0x01};
    testing::write_file(path_, bad);
    Checkpoint loaded;
    EXPECT_EQ(load_checkpoint(path_, &loaded), errc::corruption) << "byte " << i;
  }
}

TEST_F(buffer_Checkpoint, EveryTruncationIsCorruption) {
  ASSERT_FALSE(save_checkpoint(path_, sample()));
  const auto good = testing::read_file(path_);
  for (size_t size = 0; size < good.size(); ++size) {
    testing::write_file(path_, std::vector<std::byte>(good.begin(), good.begin() + size));
    Checkpoint loaded;
    EXPECT_EQ(load_checkpoint(path_, &loaded), errc::corruption) << "size " << size;
  }
}

TEST_F(buffer_Checkpoint, NewerVersionIsUnsupportedNotCorrupt) {
  ASSERT_FALSE(save_checkpoint(path_, sample()));
  auto bytes = testing::read_file(path_);
  const uint16_t version = format::kCheckpointVersion + 1;
  std::memcpy(bytes.data() + 8, &version, sizeof version);
  const uint32_t masked = format::mask_crc(crc32c(std::span(bytes).subspan(8)));
  std::memcpy(bytes.data() + 4, &masked, sizeof masked);
  testing::write_file(path_, bytes);
  Checkpoint loaded;
  EXPECT_EQ(load_checkpoint(path_, &loaded), errc::unsupported_version);
}

TEST_F(buffer_Checkpoint, SaveReplacesTheWholeFile) {
  ASSERT_FALSE(save_checkpoint(path_, sample(50)));
  ASSERT_FALSE(save_checkpoint(path_, sample(2)));  // shorter: no stale tail
  EXPECT_EQ(load_ok(), sample(2));
}

TEST_F(buffer_Checkpoint, CrashBeforeRenameKeepsTheOldCheckpoint) {
  ASSERT_FALSE(save_checkpoint(path_, sample(1)));
  // A save that died half way through writing its temp file.
  testing::write_file(path_ + ".tmp", std::vector<std::byte>(7, std::byte{0x5a}));
  EXPECT_EQ(load_ok(), sample(1));
  ASSERT_FALSE(save_checkpoint(path_, sample(2)));
  EXPECT_EQ(load_ok(), sample(2));
}

TEST_F(buffer_Checkpoint, FailedSyncLeavesTheOldCheckpoint) {
  testing::FaultEnv env;
  ASSERT_FALSE(save_checkpoint(path_, sample(1), env));
  env.fail_syncs(std::make_error_code(std::errc::io_error));
  EXPECT_EQ(save_checkpoint(path_, sample(2), env), std::errc::io_error);
  EXPECT_EQ(load_ok(), sample(1));
}

TEST_F(buffer_Checkpoint, SavedCheckpointSurvivesPowerLoss) {
  testing::FaultEnv env;
  ASSERT_FALSE(save_checkpoint(path_, sample(1), env));
  env.crash();
  Checkpoint loaded;
  // Lost if the save had not synced the directory after the rename.
  ASSERT_FALSE(load_checkpoint(path_, &loaded));
  EXPECT_EQ(loaded, sample(1));
}

TEST_F(buffer_Checkpoint, RefusesTopicLongerThanU16) {
  Checkpoint checkpoint = sample(1);
  checkpoint.partitions[0].topic.assign(70000, 't');
  EXPECT_EQ(save_checkpoint(path_, checkpoint), std::errc::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace ks::buffer
