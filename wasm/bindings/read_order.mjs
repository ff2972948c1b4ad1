// read_order.mjs: the order a dataset's files are read in, by the kind each was probed as (the page's
// worker and node_engine.mjs; the CLI does the same in C++). Survey answers first (they wait for the
// tickets they join to), then customer-success files (a ticket's requester is noted for the health
// score only once the dataset has customer-success input: a ticket-only dataset keeps no state per
// requester), then tickets. Files of one rank keep their order: no figure depends on it.
const rank = (kind) => (kind === 'survey' ? 0 : kind === 'tickets' ? 2 : 1);

/** `items` sorted stably by the rank of `kindOf(item, index)`. */
export function inReadOrder(items, kindOf) {
  return items
    .map((item, index) => ({ item, index, rank: rank(kindOf(item, index)) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item);
}
