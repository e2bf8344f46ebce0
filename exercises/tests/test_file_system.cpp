// The grader against hostile or broken file systems (issue 23): one test per case. A fully correct
// submission (exercises/answers/correct_exN.txt) gets one bad entry; the entry is skipped with a message
// naming it and the rest is graded, no file outside the submission is read or echoed, and every failed
// write is an error. Cases that need root (mount, setpriv) skip with a message where they are refused.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "build_paths.h"
#include "run_program.h"

namespace fs = std::filesystem;
using gl::ex::test::answers_dir;

namespace {

struct Shell {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

Shell sh(const std::string& cmd) {
  Shell r;
  FILE* pipe = popen(("( " + cmd + " ) 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string exe() { return std::string(build_paths::ex_bin_dir) + "/exercises"; }
std::string autograder() { return answers_dir() + "/../autograder/run_autograder"; }
std::string validator() { return answers_dir() + "/../tests/validate_results.py"; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh folder (world-readable, for the unprivileged runs) holding sub/ with the five correct answer files.
struct Case {
  fs::path dir, sub;
  explicit Case(const std::string& name) {
    dir = fs::temp_directory_path() / ("gradlab_fs_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    sub = dir / "sub";
    fs::create_directories(sub);
    for (int p = 1; p <= 5; ++p)
      fs::copy_file(answers_dir() + "/correct_ex" + std::to_string(p) + ".txt", sub / ("ex" + std::to_string(p) + ".txt"));
    sh("chmod -R a+rX " + dir.string());
  }
  ~Case() {
    sh("umount " + (dir / "mnt").string() + " 2>/dev/null");
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  nlohmann::json grade(const std::string& extra = "") const {
    Shell r = sh(exe() + " grade --format json " + extra + " " + sub.string() + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what() << "\n" << r.out;
      return {};
    }
  }
};

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

// A memory limit for the run, except under AddressSanitizer (its shadow memory needs a huge address space).
std::string memory_limit(const std::string& kib) { return kAsan ? "" : "ulimit -v " + kib + "; "; }

std::string skipped_text(const nlohmann::json& j) { return j.contains("skipped") ? j["skipped"].dump() : ""; }

bool can_mount(const fs::path& at, const std::string& options) {
  fs::create_directories(at);
  return sh("mount -t tmpfs -o " + options + " gradlab_test " + at.string()).exit_code == 0;
}

}  // namespace

TEST(FileSystem, SymlinkLoopIsSkippedAndTheRestGraded) {
  Case c("loop");
  fs::create_symlink("notes.txt", c.sub / "notes.txt");   // a link to itself
  fs::create_symlink("b.txt", c.sub / "a.txt");           // two links to each other
  fs::create_symlink("a.txt", c.sub / "b.txt");
  auto j = c.grade();
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 110.0) << j.dump();
  std::string skipped = skipped_text(j);
  EXPECT_NE(skipped.find("notes.txt: skipped"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("a.txt: skipped"), std::string::npos) << skipped;
}

TEST(FileSystem, SymlinkOutOfTheSubmissionIsNeverRead) {
  Case c("out");
  std::ofstream(c.dir / "secret.txt") << "tanh_prime_limit = hunter2-SECRET\nroot:x:0:0:root:/root:/bin/bash\n";
  fs::remove(c.sub / "ex1.txt");
  fs::create_symlink(c.dir / "secret.txt", c.sub / "ex1.txt");
  fs::create_symlink("/etc/passwd", c.sub / "notes.txt");
  for (const char* format : {"json", "gradescope", "text", "markdown"}) {
    Shell r = sh(exe() + " grade --format " + format + " " + c.sub.string());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("root:x:0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("outside the submission folder"), std::string::npos) << r.out;
  }
  auto j = c.grade();
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 100.0);  // ex1's file was the link: 0 of 10, the rest full
}

TEST(FileSystem, UnreadableFileIsSkippedWhenRunUnprivileged) {
  Case c("unreadable");
  fs::permissions(c.sub / "ex3.txt", fs::perms::none);
  Shell probe = sh("setpriv --reuid=65534 --regid=65534 --clear-groups true");
  if (probe.exit_code != 0) GTEST_SKIP() << "setpriv cannot drop to uid 65534 here: " << probe.out;
  Shell r = sh("setpriv --reuid=65534 --regid=65534 --clear-groups " + exe() + " grade --format json " + c.sub.string());
  if (r.exit_code == 126 || r.exit_code == 127) GTEST_SKIP() << "uid 65534 cannot run the build's binary: " << r.out;
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 90.0);  // ex3 (20 points) not read
  EXPECT_NE(skipped_text(j).find("ex3.txt: skipped"), std::string::npos) << j.dump();
  EXPECT_NE(skipped_text(j).find("ermission denied"), std::string::npos) << j.dump();
}

TEST(FileSystem, BrokenLinkIsSkipped) {
  Case c("broken");
  fs::remove(c.sub / "ex4.txt");
  fs::create_symlink(c.sub / "gone.txt", c.sub / "ex4.txt");
  auto j = c.grade();
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 90.0);
  EXPECT_NE(skipped_text(j).find("ex4.txt: skipped"), std::string::npos) << j.dump();
}

TEST(FileSystem, HugeSparseFileIsNotReadUnderAMemoryLimit) {
  Case c("sparse");
  ASSERT_EQ(sh("truncate -s 1G " + (c.sub / "notes.txt").string()).exit_code, 0);
  Shell r = sh(memory_limit("2097152") + exe() + " grade --format json " + c.sub.string() + " 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 110.0);
  EXPECT_NE(skipped_text(j).find("over the 4 MiB limit"), std::string::npos) << j.dump();
  EXPECT_LT(r.out.size(), 200000u);
}

TEST(FileSystem, LongValueIsEchoedOnlyAsAnExcerpt) {
  Case c("long");
  std::ofstream(c.sub / "ex1.txt") << "grad_limit = " << std::string(3 << 20, '7') << "x\ntanh_prime_limit = 0\n";
  Shell r = sh(exe() + " grade --format gradescope " + c.sub.string());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.out.size(), 100000u);  // a 3 MB answer does not make a 3 MB results.json
  EXPECT_NE(r.out.find("..."), std::string::npos);
}

TEST(FileSystem, Utf16AndUtf32FilesAreDecoded) {
  Case c("utf16");
  std::string text = slurp(c.sub / "ex2.txt");
  Shell conv = sh("iconv -f UTF-8 -t UTF-16 " + (c.sub / "ex2.txt").string() + " > " + (c.dir / "u16").string() +
                  " && iconv -f UTF-8 -t UTF-32 " + (c.sub / "ex5.txt").string() + " > " + (c.dir / "u32").string());
  if (conv.exit_code != 0) GTEST_SKIP() << "iconv is missing: " << conv.out;
  fs::copy_file(c.dir / "u16", c.sub / "ex2.txt", fs::copy_options::overwrite_existing);
  fs::copy_file(c.dir / "u32", c.sub / "ex5.txt", fs::copy_options::overwrite_existing);
  auto j = c.grade();
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 110.0) << j.dump();
  EXPECT_NE(j.dump().find("UTF-16"), std::string::npos);
}

TEST(FileSystem, SectionBombIsLinear) {
  Case c("bomb");
  fs::remove_all(c.sub);
  std::ofstream f(c.dir / "bomb.txt");
  for (int i = 0; i < 60000; ++i) f << "[ex" << (i % 5 + 1) << "]\n";  // 351 KB of section lines
  f << "[ex1]\ngrad_limit = 0\ntanh_prime_limit = 0\n";
  f.close();
  Shell r = sh(memory_limit("1048576") + exe() + " grade --format json " + (c.dir / "bomb.txt").string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.out.substr(0, 2000);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["problems"][0]["score"].get<double>(), 10.0);
}

TEST(FileSystem, WritesToDevFullFailLoudly) {
  Case c("devfull");
  for (const std::string& cmd :
       {exe() + " grade " + c.sub.string() + " --output /dev/full", exe() + " grade " + c.sub.string() + " > /dev/full",
        exe() + " grade-class " + c.dir.string() + " --csv /dev/full",
        exe() + " grade-class " + c.dir.string() + " --csv " + (c.dir / "g.csv").string() + " --analysis /dev/full",
        std::string(build_paths::ex_bin_dir) + "/ex1_tanh_gradient --output /dev/full",
        std::string(build_paths::ex_bin_dir) + "/ex1_tanh_gradient --answer " + (c.sub / "ex1.txt").string() +
            " --output /dev/full"}) {
    Shell r = sh(cmd);
    EXPECT_EQ(r.exit_code, 3) << cmd << "\n" << r.out;
    EXPECT_NE(r.out.find("error:"), std::string::npos) << cmd << "\n" << r.out;
  }
}

TEST(FileSystem, SameFileForTwoOutputsIsRefused) {
  Case c("same");
  std::string out = (c.dir / "x.csv").string();
  Shell r = sh(exe() + " grade-class " + c.dir.string() + " --csv " + out + " --analysis " + c.dir.string() + "/./x.csv");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("name the same file"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST(FileSystem, FullTmpfsGivesAValidFallbackResultsJson) {
  Case c("full");
  fs::path mnt = c.dir / "mnt";
  if (!can_mount(mnt, "size=16k")) GTEST_SKIP() << "mount -t tmpfs is refused here (not root?)";
  fs::path root = c.dir / "ag";
  fs::create_directories(root);
  fs::create_symlink(c.sub, root / "submission");
  fs::create_symlink(mnt, root / "results");
  // Fill the file system but for 8 KB: the full results (~20 KB) cannot be written, the fallback can.
  sh("dd if=/dev/zero of=" + (mnt / "filler").string() + " bs=1k count=8 2>/dev/null");
  Shell r = sh("AUTOGRADER_ROOT=" + root.string() + " GRADLAB_EXERCISES_BIN=" + exe() + " " + autograder());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("error:"), std::string::npos) << r.out;  // the grader's failed write, in Gradescope's log
  Shell v = sh("/usr/bin/python3 " + validator() + " " + (mnt / "results.json").string() + " --expect-score 0");
  EXPECT_EQ(v.exit_code, 0) << v.out << "\n" << slurp(mnt / "results.json");
  // The grader itself reports the failed write.
  Shell g = sh(exe() + " grade --format gradescope " + c.sub.string() + " --output " + (mnt / "direct.json").string());
  EXPECT_EQ(g.exit_code, 3) << g.out;
  EXPECT_NE(g.out.find("direct.json"), std::string::npos) << g.out;
}

TEST(FileSystem, ReadOnlyResultsFolderIsReportedNotIgnored) {
  Case c("ro");
  fs::path mnt = c.dir / "mnt";
  if (!can_mount(mnt, "size=64k")) GTEST_SKIP() << "mount -t tmpfs is refused here (not root?)";
  ASSERT_EQ(sh("mount -o remount,ro " + mnt.string()).exit_code, 0);
  fs::path root = c.dir / "ag";
  fs::create_directories(root);
  fs::create_symlink(c.sub, root / "submission");
  fs::create_symlink(mnt, root / "results");
  Shell r = sh("AUTOGRADER_ROOT=" + root.string() + " GRADLAB_EXERCISES_BIN=" + exe() + " " + autograder());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("read-only"), std::string::npos) << r.out;
  Shell csv = sh(exe() + " grade-class " + c.dir.string() + " --csv " + (mnt / "g.csv").string());
  EXPECT_EQ(csv.exit_code, 3) << csv.out;
  EXPECT_NE(csv.out.find("g.csv"), std::string::npos) << csv.out;
}

TEST(FileSystem, MalformedMetadataIsNotedWithoutVariantsAndNamedWithThem) {
  Case c("metadata");
  fs::path root = c.dir / "ag";
  fs::create_directories(root / "results");
  fs::create_symlink(c.sub, root / "submission");
  for (const std::string& metadata : {std::string("{not json"), std::string("{\"users\": []}"),
                                      std::string("{\"users\": [{\"name\": \"x\", \"id\": null}]}")}) {
    std::ofstream(root / "submission_metadata.json") << metadata;
    Shell r = sh("AUTOGRADER_ROOT=" + root.string() + " GRADLAB_EXERCISES_BIN=" + exe() + " " + autograder());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    Shell v = sh("/usr/bin/python3 " + validator() + " " + (root / "results/results.json").string() + " --expect-score 110");
    EXPECT_EQ(v.exit_code, 0) << metadata << "\n" << v.out;
    EXPECT_NE(slurp(root / "results/results.json").find("not needed without variants"), std::string::npos);
    // With variants the id is needed: the failure names the field, in a valid results.json.
    Shell w = sh("AUTOGRADER_ROOT=" + root.string() + " GRADLAB_VARIANTS=1 GRADLAB_EXERCISES_BIN=" + exe() + " " + autograder());
    EXPECT_EQ(w.exit_code, 0) << w.out;
    std::string results = slurp(root / "results/results.json");
    EXPECT_NE(results.find("variant cannot be chosen"), std::string::npos) << results;
    EXPECT_EQ(sh("/usr/bin/python3 " + validator() + " " + (root / "results/results.json").string() + " --expect-score 0").exit_code, 0);
  }
}

TEST(FileSystem, BadEntriesInAClassFlagTheirRowsAndTheRestIsGraded) {
  Case c("class");
  fs::path cls = c.dir / "class";
  fs::create_directories(cls);
  fs::rename(c.sub, cls / "alice");
  fs::create_symlink("zed", cls / "zed");                 // a class entry that loops
  fs::create_directories(cls / "bob");
  fs::create_symlink("loop.txt", cls / "bob" / "loop.txt");
  fs::copy_file(answers_dir() + "/correct_ex1.txt", cls / "bob" / "ex1.txt");
  Shell r = sh(exe() + " grade-class " + cls.string() + " --csv " + (c.dir / "g.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::string csv = slurp(c.dir / "g.csv");
  EXPECT_NE(csv.find("\nalice,110,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nbob,10,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("loop.txt: skipped"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nzed,0,"), std::string::npos) << csv;
  EXPECT_NE(r.out.find("rows flagged"), std::string::npos) << r.out;
}
