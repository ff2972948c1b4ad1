// parallel_file: `kpilens report --threads N`: one file read by N threads, the way the page and
// Node read it (wasm/bindings/parallel_read.mjs; docs/architecture.md "Parallel reading"): the
// head, then one part per thread from the record start guessed at its cut (this thread reads
// the first straight into the dataset), merged in file order.
#pragma once

#include <cstddef>
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

// Reads the file at `path` (named `name` in the report) into `dataset`, between begin_file and
// end_file (both called here), with `threads` threads. `why`: what was refused, if anything.
ParallelRead read_file_in_parts(TicketDataset& dataset, const EngineConfig& config,
                                const std::string& path, const std::string& name, size_t threads,
                                std::string& why);

}  // namespace kpilens::cli
