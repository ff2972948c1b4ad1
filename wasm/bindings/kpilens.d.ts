// The JS face of the kpilens wasm module (hand-written: Emscripten 3.1.6 has no --emit-tsd).
// Build outputs: kpilens.node.cjs (Node, CommonJS, wasm inlined) and kpilens.web.js + kpilens.web.wasm
// (browser and workers: a classic script defining `createKpilens`; pass the .wasm bytes as
// `wasmBinary`). Both export the same factory; only the Node variant has `Dataset.reportCsv` and
// `Dataset.pushChunkAt`.

export interface Dataset {
  /** JSON array of config errors; "[]" when the config is usable. */
  configErrors(): string;
  /** Starts a new input file; `name` appears in the report and in rejected-row messages. */
  beginFile(name: string): void;
  /**
   * Address (in HEAPU8) of a reusable buffer of at least `size` bytes. Memory may grow during this
   * call: re-read module.HEAPU8 after it, then copy the chunk in with HEAPU8.set(bytes, address).
   */
  chunkBuffer(size: number): number;
  /** Feeds the first `size` bytes of the chunk buffer: one call per chunk (up to 1 MiB: FEED_BYTES in parallel_read.mjs). */
  pushChunk(size: number): void;
  /**
   * Node build only: feeds the `size` bytes at `address`, inside the chunk buffer (bytes past its end are
   * not fed). node_engine.mjs feedFile reads a file into the buffer's two halves in turn, the next slice while
   * this one is fed.
   */
  pushChunkAt?(address: number, size: number): void;
  endFile(): void;
  /**
   * What a file is, from its first bytes (64 KiB is plenty), already copied into the chunk buffer:
   * JSON `{"format", "encoding", "kind", "preset": id|null, "columns", "error"}`, kind one of "tickets",
   * "survey", "subscriptions", "invoices", "mrr", "customers", "orders", "events". The dataset is not
   * touched. Read "survey" files before "tickets" files: answers wait for their tickets, never the
   * other way round. Customer-success files may come in any order.
   */
  probeChunk(name: string, size: number): string;
  /** Data rows decoded so far over all files (for progress displays). */
  rowsRead(): number;
  /**
   * Parallel reading (docs/architecture.md "Parallel reading"). The pre-pass over the first `size`
   * bytes of the chunk buffer, `previousByte` the byte before them (0: none): line breaks × 2 +
   * (quotes mod 2). A CRLF straddling two chunks counts in the first.
   */
  countChunk(size: number, previousByte: number): number;
  /** Offset of the chunk's first record start given the quote state at its start; -1: none. */
  recordStart(size: number, inQuotes: boolean, previousByte: number): number;
  /**
   * After the head: the offset of the chunk's first record start, the quote state where it begins
   * being unknown (guessed from the records that follow: the file's delimiter and header width); -1:
   * none. The reader of the range before checks the guess (it must end there at a record start).
   */
  guessRecordStart(size: number, previousByte: number): number;
  /** "" when the file being read can be split after the bytes fed so far (its head), else why not. */
  partRefusal(): string;
  /** True when partRefusal() goes away with a longer head (fewer rows than the date-order inference reads, …). */
  headTooShort(): boolean;
  /**
   * After the same head: this dataset reads the part starting at file `offset`, line `line` (1 when
   * unknown: mergePart places the part's lines after those merged before it).
   */
  beginPart(offset: number, line: number): boolean;
  /**
   * Before the first mergePart (optional): does now what that merge would do first (settles this
   * dataset's total), so that the merging worker can do it while the other parts are still being read.
   */
  prepareMerge(): void;
  /**
   * Writes the part's state into a new array of its own, the module's `partState` (JS memory:
   * transfer it to the merging worker), and returns its size.
   */
  savePart(last: boolean): number;
  /**
   * Merges a part's state, the module's `mergeState` (set it first, to the `size` bytes savePart gave;
   * the engine copies what it needs out of it), in file order: JSON
   * `{"status": "merged"|"sequential"|"corrupt", "why"}`. "sequential": read everything again
   * sequentially (a case parts cannot reproduce); "corrupt": the bytes were refused, nothing changed.
   */
  mergePart(size: number): string;
  /** Finishes (once) and returns the report JSON (docs/report.md). */
  report(): string;
  /**
   * The report as the long CSV of docs/report.md (formula cells neutralised). Node variant
   * (kpilens.node.cjs) only: the web variant leaves it out to keep the page light (the CSV writer
   * and the JSON parser it needs), so there it is undefined.
   */
  reportCsv?(): string;
  /**
   * Every scored customer's health score as CSV (docs/report.md): `customer,score,band,` then
   * `<id>_raw,<id>_normalised,<id>_contribution` per component, lowest first. Finishes the report
   * first (as report() does); a header line alone when nothing is scored or the report failed.
   */
  healthCsv(): string;
  /** Frees the engine's memory; the object is unusable afterwards. */
  delete(): void;
}

export interface KpilensModule {
  Dataset: { new (configJson: string): Dataset };
  version(): string;
  /**
   * The top of the module's heap, in bytes: the most memory it has used since it started (data, stack and
   * heap; freed memory is reused, never given back). The memory's size is above it by up to a growth step.
   */
  heapTop(): number;
  HEAPU8: Uint8Array;
  /** The state the last Dataset.savePart wrote (take it, and set this back to null). */
  partState?: Uint8Array | null;
  /** The state Dataset.mergePart merges (set it before the call, and back to null after). */
  mergeState?: Uint8Array | null;
}

export default function createKpilens(options?: { wasmBinary?: ArrayBuffer }): Promise<KpilensModule>;
