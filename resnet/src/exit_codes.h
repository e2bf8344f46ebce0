// The `resnet` program's exit codes (resnet/README.md, "Exit codes"): few and
// stable, the same for every command; CLI11's own codes never reach the shell.
#pragma once
#include "engine/core/error.h"

namespace resnet {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,        // an input (data file, checkpoint, image) is missing, unreadable,
                         // malformed or does not fit the flags; the model folder is in
                         // use by another trainer
  kExitUsage = 2,        // a flag is unknown, missing, empty, malformed or out of range
  kExitDiverged = 3,     // training stopped on a NaN or infinite loss or parameter
  kExitIo = 74,          // an output could not be written (a file, a folder, standard output):
                         // sysexits.h's EX_IOERR; the message names the file
  kExitInterrupted = 130,  // Ctrl-C / SIGTERM / --stop-after-steps: checkpoint written
};

// A flag's value is wrong (exit code 2); the message names the flag.
struct UsageError : gl::Error {
  using gl::Error::Error;
};

// Writing an output failed (exit code 74); the message names the file and the
// system's reason (output_file.h).
struct OutputError : gl::Error {
  using gl::Error::Error;
};

// Runs f; a gl::Error it throws becomes a UsageError (for flag validation).
template <class F>
void as_usage_error(F&& f) {
  try {
    f();
  } catch (const UsageError&) {
    throw;
  } catch (const gl::Error& e) {
    throw UsageError(e.what());
  }
}

}  // namespace resnet
