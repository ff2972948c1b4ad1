// The Catch2 runner for the engine tests (Catch2 v2, Debian's catch2 package).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
