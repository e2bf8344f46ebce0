"""`python -m gradlab [PROGRAM ARGS...]`: runs one of the package's programs,
or lists them (the same programs as the gradlab-<program> commands)."""
import sys

from gradlab._programs import PROGRAMS, run


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print("usage: python -m gradlab PROGRAM [ARGS...]   (or the command gradlab-PROGRAM [ARGS...])\n")
        print("programs:")
        for name, (_, what) in PROGRAMS.items():
            print(f"  {name:24s} {what}")
        return 0
    name = argv[0]
    if name not in PROGRAMS:
        print(f"gradlab: unknown program {name!r}; one of: {', '.join(PROGRAMS)}", file=sys.stderr)
        return 2
    return run(PROGRAMS[name][0], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
