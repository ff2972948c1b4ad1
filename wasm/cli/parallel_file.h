// parallel_file: `kpilens report --threads N`: one file read by N threads, the way the page and
// Node read it (wasm/bindings/parallel_read.mjs; docs/architecture.md "Parallel reading"): the
// head, then one part per thread from the record start guessed at its cut (this thread reads
// the first straight into the dataset; a helper done first may take over the end of it, or of a
// slower helper's, and this thread, done first, the end of a helper's), merged in file order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine_config.h"
#include "ticket_dataset.h"

namespace kpilens::cli {

enum class ParallelRead {
  kDone,  // the file was read (in parts, or sequentially where the engine refused to split it)
  kSequential,  // a merge was refused: the dataset is partly merged; read everything again
                // sequentially
  kReadError,
};

// How the parts are rebalanced at their ends: a helper done first takes over the end of this
// thread's part, or of a slower helper's, and this thread, done first, the end of a slower
// helper's (docs/architecture.md, "The end of the first part, rebalanced", "The end of a helper's
// part, taken over"). The defaults are the CLI's.
struct Rebalancing {
  bool on = true;
  uint64_t step_bytes = uint64_t{8} << 20;  // how often this thread looks for a helper that is done
  uint64_t min_bytes = uint64_t{4} << 20;   // the fewest bytes worth a second task
  // Tests: ≥ 0, the fraction of what is left that this thread keeps, whatever the speeds; and
  // waiting, at its first look, until the first helper is done.
  double share = -1;
  bool wait_for_a_helper = false;
  // Tests: ≥ 0, the fraction of what is left that a helper keeps when this thread takes over the
  // end of its part, whatever the speeds; and each helper waiting, after its part's first read,
  // until this thread is done with its own and has taken over what it would of the helpers'. (Not
  // with wait_for_a_helper: each would wait for the other.)
  double helper_share = -1;
  bool wait_for_this_thread = false;
  // Tests: the last helper waiting, after its part's first read, until another helper has taken
  // over the end of its part (or every other helper is done), and this thread taking over none.
  bool hold_last_helper = false;
};

// The bytes whose reader changed (0: none): of this thread's part, handed over to a helper; of
// helpers' parts, taken over by this thread; of helpers' parts, passed on to another helper.
struct Moved {
  uint64_t handed = 0, taken = 0, passed = 0;
};

// Reads the file at `path` (named `name` in the report) into `dataset`, between begin_file and
// end_file (both called here), with `threads` threads. `why`: what was refused, if anything.
// `moved`, when given: the bytes whose reader changed.
ParallelRead read_file_in_parts(TicketDataset& dataset, const EngineConfig& config,
                                const std::string& path, const std::string& name, size_t threads,
                                std::string& why, const Rebalancing& rebalancing = {},
                                Moved* moved = nullptr);

}  // namespace kpilens::cli
