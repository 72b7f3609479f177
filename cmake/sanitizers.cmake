if(KS_SANITIZE)
  set(_ks_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${_ks_san})
  add_link_options(${_ks_san})
endif()

# KS_FUZZ: every library gets libFuzzer's coverage instrumentation and the
# sanitizers; the fuzz targets link libFuzzer's main (tests/fuzz). -O1 keeps
# the build quick and the stack traces readable.
if(KS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KS_FUZZ needs clang (libFuzzer): CXX=clang++ CC=clang")
  endif()
  if(KS_SANITIZE)
    message(FATAL_ERROR "KS_FUZZ brings its own sanitizers; leave KS_SANITIZE off")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g)
  add_link_options(-fsanitize=address,undefined)
endif()
