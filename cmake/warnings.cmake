# Warnings are errors in our own code. Third-party headers come in as system
# includes, so they do not trip these flags.
add_library(ks_warnings INTERFACE)
target_compile_options(ks_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wdouble-promotion
  -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives on std::vector/std::string inlining at -O2+.
  target_compile_options(ks_warnings INTERFACE
    -Wno-stringop-overflow -Wno-array-bounds -Wno-restrict -Wno-maybe-uninitialized)
endif()

# ks_add_library(name SOURCES...) : a component library with our warnings.
function(ks_add_library name)
  add_library(${name} STATIC ${ARGN})
  target_link_libraries(${name} PRIVATE ks_warnings)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
