// What `resnet` writes: one trainer per model folder, outputs checked before
// the first step, atomic files without leftovers, and every failed write an
// error (exit code 74) naming the file. The mount and setpriv cases need root
// (CI runs as root) and skip with a message elsewhere.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "build_paths.h"
#include "folder_lock.h"
#include "output_file.h"
#include "test_util.h"

extern char** environ;

namespace resnet {
namespace fs = std::filesystem;
using testing::CliRun;
using testing::error_of;
using testing::run_resnet;
using testing::TempDir;

namespace {
// A whole shell command (for redirections and setpriv), under a timeout.
CliRun run_shell(const std::string& command) {
  std::FILE* pipe = popen(("timeout 120 " + command).c_str(), "r");
  CliRun r{-1, ""};
  if (pipe == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

const std::string kBinary = build_paths::resnet_binary;

// A short run of a tiny ResNet on the shared synthetic set.
std::string train_args(const fs::path& model_dir, int epochs = 1) {
  return fmt::format("train --data-dir {} --model-dir {} --resnet-size 1 --first-num-filters 4 "
                     "--batch-size 20 --train-limit 100 --epochs {} --threads 1 --quiet",
                     testing::synthetic_data().string(), model_dir.string(), epochs);
}

// A tmpfs mounted on a fresh folder for the life of the object.
class Tmpfs {
 public:
  Tmpfs(const fs::path& at, const std::string& options) : at_(at) {
    fs::create_directories(at);
    mounted_ = std::system(("mount -t tmpfs -o " + options + " tmpfs " + at.string() + " 2>/dev/null").c_str()) == 0;
  }
  ~Tmpfs() {
    if (mounted_) (void)std::system(("umount -l " + at_.string()).c_str());
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path at_;
  bool mounted_ = false;
};

std::vector<std::string> temporaries_in(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".tmp") found.push_back(e.path().filename().string());
  }
  return found;
}
}  // namespace

TEST(TrainerOutputs, ASecondTrainerOnOneFolderIsRefusedNamingTheFolderAndThePid) {
  TempDir dir("lock");
  const fs::path models = dir.path() / "models", log = dir.path() / "first.log";
  fs::create_directories(models);
  // The first trainer: a long run in its own process.
  const std::string first = fmt::format("exec {} {} --save-interval 100000 > {} 2>&1", kBinary,
                                        train_args(models, 100000), log.string());
  const char* argv[] = {"/bin/sh", "-c", first.c_str(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  // Wait until it holds the lock (its pid in the lock file) and trains (its
  // first epoch summary, flushed: SIGTERM is handled from then on), at most 2
  // minutes.
  const fs::path lock_file = models / kLockFileName;
  bool locked = false;
  for (int i = 0; i < 2400 && !locked; ++i) {
    locked = testing::file_bytes(lock_file) == fmt::format("{}\n", pid) &&
             testing::file_bytes(log).find("epoch 1/100000:") != std::string::npos;
    if (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(locked) << testing::file_bytes(log);
  const CliRun second = run_resnet(train_args(models));
  EXPECT_EQ(second.status, 1) << second.output;
  EXPECT_NE(second.output.find(fmt::format("--model-dir {} is in use by another `resnet train` (pid {}",
                                           models.string(), pid)),
            std::string::npos) << second.output;
  // The first one stops cleanly (SIGTERM: an interrupted checkpoint), and the
  // folder holds only its files.
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << testing::file_bytes(log);
  for (const auto& e : fs::directory_iterator(models)) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == kLockFileName || name.find("resnet8-v1-") == 0) << name;
  }
  // With the first gone, the folder is free again.
  const CliRun again = run_resnet(train_args(models, 100000) +
                                  " --save-interval 100000 --resume --stop-after-steps 1");
  EXPECT_EQ(again.status, 130) << again.output;
}

TEST(TrainerOutputs, TheLockNamesThisProcessWhenItHoldsTheFolder) {
  TempDir dir("lock_here");
  std::string message;
  {
    FolderLock held(dir.path());
    const CliRun r = run_resnet(train_args(dir.path()));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find(fmt::format("(pid {}, which holds {}", getpid(),
                                        (dir.path() / kLockFileName).string())),
              std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("epoch 1/"), std::string::npos) << r.output;  // refused before training
    message = error_of([&] { FolderLock again(dir.path()); });
  }
  EXPECT_NE(message.find("is in use by another `resnet train`"), std::string::npos) << message;
  const CliRun r = run_resnet(train_args(dir.path()));
  EXPECT_EQ(r.status, 0) << r.output;  // released with the lock's owner
}

TEST(TrainerOutputs, StaleTemporariesAreRemovedAtStartAndNamed) {
  TempDir dir("stale");
  fs::create_directories(dir.path());
  const std::vector<std::string> stale = {"resnet8-v1-epoch001.safetensors.4242-3.tmp",
                                          "resnet8-v1-epoch002.safetensors.tmp"};
  const std::vector<std::string> kept = {"notes.tmp", "a.safetensors.tmp.bak", "b.safetensors.12-ab.tmp"};
  for (const auto& name : stale) std::ofstream(dir.path() / name) << "partial";
  for (const auto& name : kept) std::ofstream(dir.path() / name) << "mine";
  const CliRun r = run_resnet(train_args(dir.path()));
  ASSERT_EQ(r.status, 0) << r.output;
  for (const auto& name : stale) {
    EXPECT_FALSE(fs::exists(dir.path() / name)) << name;
    EXPECT_NE(r.output.find("removed " + (dir.path() / name).string() + ": a partial checkpoint"),
              std::string::npos) << r.output;
  }
  for (const auto& name : kept) EXPECT_TRUE(fs::exists(dir.path() / name)) << name;
  EXPECT_TRUE(fs::exists(dir.path() / "resnet8-v1-epoch001.safetensors"));
}

TEST(TrainerOutputs, AFailedWriteLeavesNoTemporaryAndTheOldFile) {
  TempDir dir("atomic");
  const fs::path target = dir.path() / "x.bin";
  write_file_atomically(target, "test", "old");
  const std::string e = error_of([&] {
    write_file_atomically(target, "test", [](OutputFile& out) {
      out.write("half");
      throw gl::Error("stopped while writing");
    });
  });
  EXPECT_EQ(e, "stopped while writing");
  EXPECT_EQ(testing::file_bytes(target), "old");
  EXPECT_TRUE(temporaries_in(dir.path()).empty());
  EXPECT_NE(temporary_name(target), temporary_name(target));  // unique per call
  OutputFile full("/dev/full", OutputFile::Mode::append, "--metrics");
  const std::string f = error_of([&] { full.write("{}\n"); });
  EXPECT_NE(f.find("--metrics: writing /dev/full: No space left on device"), std::string::npos) << f;
}

TEST(TrainerOutputs, EveryOutputOnDevFullExits74NamingIt) {
  TempDir dir("devfull");
  CliRun r = run_resnet(train_args(dir.path() / "m") + " --metrics /dev/full");
  EXPECT_EQ(r.status, 74) << r.output;
  EXPECT_NE(r.output.find("--metrics: writing /dev/full: No space left on device"), std::string::npos)
      << r.output;
  r = run_resnet("make-synthetic --out /dev/full/data --train 5 --test 1");
  EXPECT_EQ(r.status, 74) << r.output;
  EXPECT_NE(r.output.find("/dev/full/data"), std::string::npos) << r.output;
  // Standard output: predictions and test reports that are lost are an error.
  ASSERT_EQ(run_resnet(train_args(dir.path() / "c")).status, 0);
  const fs::path ckpt = dir.path() / "c" / "resnet8-v1-epoch001.safetensors";
  r = run_shell(fmt::format("{} test {} --data-dir {} 2>&1 >/dev/full", kBinary, ckpt.string(),
                            testing::synthetic_data().string()));
  EXPECT_EQ(r.status, 74) << r.output;
  EXPECT_NE(r.output.find("writing standard output failed: No space left on device"),
            std::string::npos) << r.output;
}

TEST(TrainerOutputs, AReadOnlyModelFolderIsFoundBeforeTheFirstStep) {
  TempDir dir("readonly");
  const fs::path ro = dir.path() / "ro";
  int checked = 0;
  // As nobody, in a folder only root may write. Nobody must be able to run the
  // build's program first (a clone inside a folder only root may enter cannot
  // be: the loader then cannot reach libgradlab_engine.so); else only the
  // read-only mount below is tried.
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  if (run_shell(as_nobody + "true").status == 0 &&
      run_shell(as_nobody + std::string(kBinary) + " --help >/dev/null 2>&1").status == 0) {
    fs::create_directories(ro);
    fs::permissions(ro, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
    const CliRun r = run_shell(fmt::format("{}{} {} --save-interval 4 2>&1", as_nobody, kBinary, train_args(ro, 4)));
    EXPECT_EQ(r.status, 74) << r.output;
    EXPECT_NE(r.output.find("--model-dir " + ro.string() + " is not writable"), std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("data:"), std::string::npos) << r.output;  // before the data is read
    ++checked;
  }
  // As root, a read-only mount (root ignores mode bits, not a read-only file system).
  const fs::path mnt = dir.path() / "mnt";
  Tmpfs tmpfs(mnt, "ro,size=1m");
  if (tmpfs.mounted()) {
    CliRun r = run_resnet(train_args(mnt, 4) + " --save-interval 4");
    EXPECT_EQ(r.status, 74) << r.output;
    EXPECT_NE(r.output.find(mnt.string()), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Read-only file system"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("epoch 1/"), std::string::npos) << r.output;
    r = run_resnet(train_args(dir.path() / "m") + " --metrics " + (mnt / "metrics.jsonl").string());
    EXPECT_EQ(r.status, 74) << r.output;
    EXPECT_NE(r.output.find("--metrics: cannot open " + (mnt / "metrics.jsonl").string()),
              std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("epoch 1/"), std::string::npos) << r.output;
    r = run_resnet("make-synthetic --out " + mnt.string() + " --train 5 --test 1");
    EXPECT_EQ(r.status, 74) << r.output;
    EXPECT_NE(r.output.find("the folder " + mnt.string() + " is not writable"), std::string::npos)
        << r.output;
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "neither setpriv nor `mount -t tmpfs -o ro` is allowed here (not root?)";
}

TEST(TrainerOutputs, AFullDiskStopsTrainingNamingTheFileAndLeavesNoTemporary) {
  TempDir dir("fulldisk");
  const fs::path mnt = dir.path() / "small";
  Tmpfs tmpfs(mnt, "size=128k");
  if (!tmpfs.mounted()) GTEST_SKIP() << "`mount -t tmpfs` is refused here (not root?): no full-disk test";
  // Checkpoints of about 51 KB each, one per epoch: the third does not fit.
  const CliRun r = run_resnet(train_args(mnt, 6) + " --save-interval 1");
  EXPECT_EQ(r.status, 74) << r.output;
  EXPECT_NE(r.output.find("error: write_safetensors: writing " + mnt.string() + "/resnet8-v1-epoch00"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("No space left on device"), std::string::npos) << r.output;
  EXPECT_TRUE(temporaries_in(mnt).empty());
  // The metrics file alone on a full disk (the case: it exited 0).
  const fs::path tiny = dir.path() / "tiny";
  Tmpfs full(tiny, "size=4k");
  ASSERT_TRUE(full.mounted());
  std::ofstream(tiny / "filler") << std::string(4096, 'x');
  const CliRun m = run_resnet(train_args(dir.path() / "m") + " --metrics " + (tiny / "metrics.jsonl").string());
  EXPECT_EQ(m.status, 74) << m.output;
  EXPECT_NE(m.output.find("--metrics: writing " + (tiny / "metrics.jsonl").string() +
                          ": No space left on device"), std::string::npos) << m.output;
}

}  // namespace resnet
