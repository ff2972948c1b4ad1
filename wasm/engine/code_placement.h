// code_placement: what the wasm build (clang, with link-time optimisation across the engine) is
// told about where code goes. The native GCC builds ignore both; the native clang build of the fuzz
// targets takes the first only. (A build with KPILENS_ROW_PATH_APART, for scripts/profile, keeps
// the second's functions out of line, whatever the compiler.)
#pragma once

// Marks code that runs once per part or per report, never per row — merges and state
// (de)serialisation — to be optimised for size: the page's wasm weight has a budget
// (scripts/build-web.mjs), and clang (the wasm build) honours this per function even where LTO
// inlines across files. GCC has no such attribute.
#if defined(__clang__)
#define KPILENS_RARELY_RUN __attribute__((minsize))
#else
#define KPILENS_RARELY_RUN
#endif

// Marks a function of the row path that the wasm build inlines into its callers, across files: a
// call in wasm keeps its arguments and results in linear memory when they do not fit in registers
// (an optional<Timestamp>, a span), and LTO's inliner, weighing the code size, left these calls in.
// Measured with scripts/instructions (V8's generated code, the weekly report of 300k tickets):
// 1223.1 M -> 1138.1 M instructions, 10 KB more wasm (1.9 KB gzipped in the page). Not
// TicketGroup::feed: four call sites, 14 KB for 1 %. GCC inlines what it can see without being told
// (and refuses the attribute on a function defined out of line).
// KPILENS_ROW_PATH_APART (a CMake option, for scripts/profile --apart) keeps them out of line
// instead, so that a sampling profile shows their time apart from their callers'.
#if defined(KPILENS_ROW_PATH_APART) && KPILENS_ROW_PATH_APART
#define KPILENS_ROW_PATH_INLINE __attribute__((noinline))
#elif defined(__clang__) && defined(__EMSCRIPTEN__)
#define KPILENS_ROW_PATH_INLINE __attribute__((always_inline))
#else
#define KPILENS_ROW_PATH_INLINE
#endif
