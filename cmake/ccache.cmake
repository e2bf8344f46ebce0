# Compiler cache: every C++ and CUDA compile goes through ccache when it is
# installed (scripts/setup.sh installs it). GRADLAB_CCACHE=OFF switches it off.
#
# Settings, passed to each compile through `env` so that nothing depends on a
# user's ccache.conf:
#   CCACHE_BASEDIR   this source tree: paths inside it are hashed relative to
#                    the compile's directory, so a second clone in another
#                    folder hits the entries the first one left.
#   CCACHE_NOHASHDIR the compile directory is not hashed even with -g (the
#                    sanitizer build is RelWithDebInfo); debug info may then
#                    name the first clone's build folder, which nothing reads.
#   CCACHE_DIR       outside the clone (default ~/.cache/gradlab-ccache), so
#                    it outlives `rm -rf build` and a fresh clone finds it.
#   CCACHE_MAXSIZE   bounded (default 6G; both passes with CUDA use about 1.5G).
#   CCACHE_SLOPPINESS pch_defines,time_macros: needed for precompiled headers.
option(GRADLAB_CCACHE "Compile through ccache when it is found" ON)
# The environment variable GRADLAB_CCACHE_DIR, when set, chooses another cache
# (for example an empty one, to time a cold build).
if(DEFINED ENV{GRADLAB_CCACHE_DIR})
  set(default_ccache_dir "$ENV{GRADLAB_CCACHE_DIR}")
else()
  set(default_ccache_dir "$ENV{HOME}/.cache/gradlab-ccache")
endif()
set(GRADLAB_CCACHE_DIR "${default_ccache_dir}" CACHE PATH "Where the compiler cache lives")
set(GRADLAB_CCACHE_MAXSIZE "6G" CACHE STRING "Upper bound on the compiler cache's size")

set(GRADLAB_CCACHE_STATUS "off")
if(GRADLAB_CCACHE)
  find_program(GRADLAB_CCACHE_PROGRAM ccache)
  find_program(GRADLAB_ENV_PROGRAM env)
  if(GRADLAB_CCACHE_PROGRAM AND GRADLAB_ENV_PROGRAM)
    set(launcher ${GRADLAB_ENV_PROGRAM}
        CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}
        CCACHE_NOHASHDIR=true
        CCACHE_DIR=${GRADLAB_CCACHE_DIR}
        CCACHE_MAXSIZE=${GRADLAB_CCACHE_MAXSIZE}
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        ${GRADLAB_CCACHE_PROGRAM})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
    set(CMAKE_CUDA_COMPILER_LAUNCHER ${launcher})
    set(GRADLAB_CCACHE_STATUS "on (${GRADLAB_CCACHE_PROGRAM}, cache ${GRADLAB_CCACHE_DIR}, at most ${GRADLAB_CCACHE_MAXSIZE})")
  else()
    set(GRADLAB_CCACHE_STATUS "off (ccache not found; scripts/setup.sh installs it)")
  endif()
endif()
message(STATUS "gradlab compiler cache: ${GRADLAB_CCACHE_STATUS}")
