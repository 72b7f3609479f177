# Everything comes from Debian 12 packages; scripts/install-deps.sh installs them.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
find_package(fmt REQUIRED)
find_package(prometheus-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
find_library(SNAPPY_LIBRARY snappy REQUIRED)

# Asio as a header-only library compiled once into each binary.
add_library(ks_asio INTERFACE)
target_link_libraries(ks_asio INTERFACE Boost::boost Threads::Threads)
target_compile_definitions(ks_asio INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_HAS_STD_COROUTINE)
# Boost 1.74's Asio recognises coroutines by GCC's and MSVC's macros only;
# clang 14 has them too, with libstdc++'s <coroutine> (the KS_FUZZ build).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_definitions(ks_asio INTERFACE BOOST_ASIO_HAS_CO_AWAIT)
endif()
