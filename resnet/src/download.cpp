#include "download.h"

#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>

#include "cifar_io.h"
#include "engine/core/error.h"
#include "output_file.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

std::string md5_of(const fs::path& file) {
  const std::string cmd = "md5sum " + quoted(file.string());
  std::FILE* pipe = popen(cmd.c_str(), "r");
  GL_CHECK(pipe, "download: cannot run md5sum");
  char buf[64] = {};
  const std::size_t n = std::fread(buf, 1, 32, pipe);
  pclose(pipe);
  return std::string(buf, n);
}

std::string by_hand(const fs::path& dir, const std::string& url) {
  return fmt::format(
      "to install the files by hand, fetch {} on a machine with a network, copy it here and run "
      "`tar -xzf cifar-10-binary.tar.gz -C {}`, so that {}/cifar-10-batches-bin/data_batch_1.bin "
      "exists (or run `resnet make-synthetic --out DIR` for a generated stand-in)",
      url, dir.string(), dir.string());
}
}  // namespace

void download_cifar10(const fs::path& dir, const std::string& url, const std::string& md5) {
  create_output_folder(dir, "download");
  check_folder_writable(dir, "download");
  const fs::path archive = dir / "cifar-10-binary.tar.gz";
  if (!fs::exists(archive) || md5_of(archive) != md5) {
    const fs::path part = temporary_name(archive);
    const std::string cmd = fmt::format("curl -fL --progress-bar --connect-timeout 10 --retry 2 -o {} {}",
                                        quoted(part.string()), quoted(url));
    std::printf("downloading %s\n", url.c_str());
    std::fflush(stdout);
    const int status = std::system(cmd.c_str());
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : status;
    if (rc != 0) {
      fs::remove(part);
      if (rc == 23) {  // curl's "write error"
        throw OutputError(fmt::format("download: writing {} failed (curl exit status 23: disk "
                                      "full or not writable?)", part.string()));
      }
      throw gl::Error(fmt::format("download: could not fetch {} (curl exit status {}; no network?); {}",
                                  url, rc, by_hand(dir, url)));
    }
    const std::string got = md5_of(part);
    if (got != md5) {
      fs::remove(part);
      throw gl::Error(fmt::format("download: {} has MD5 {}, expected {}: the download is damaged; "
                                  "run again, or {}", url, got, md5, by_hand(dir, url)));
    }
    std::error_code ec;
    fs::rename(part, archive, ec);
    if (ec) {
      fs::remove(part);
      throw OutputError(fmt::format("download: cannot rename {} to {}: {}", part.string(),
                                    archive.string(), ec.message()));
    }
  }
  std::printf("MD5 %s verified; unpacking into %s\n", md5.c_str(), dir.string().c_str());
  const std::string cmd = fmt::format("tar -xzf {} -C {}", quoted(archive.string()), quoted(dir.string()));
  GL_CHECK(std::system(cmd.c_str()) == 0, "download: unpacking {} failed; {}", archive.string(),
           by_hand(dir, url));
  const fs::path batches = locate_batches(dir);
  read_test_set(batches);  // validates one file end to end
  std::printf("CIFAR-10 ready in %s\n", batches.string().c_str());
}

}  // namespace resnet
