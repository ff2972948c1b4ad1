// lzma_decode.c: the LZMA ("lzma alone", `xz --format=lzma`) decoder that unpacks the engine's wasm
// module in the page's worker, compiled to a small wasm module of its own
// (scripts/lib/lzma_wasm.mjs builds it with clang --target=wasm32; web/lzma_decode.js runs it and
// checks the header). Freestanding C, no libc: the caller lays out input, output and the
// probability array in the decoder's memory.
//
// Why wasm and not JavaScript: the decoder runs once per page, on cold code, on the critical path
// of a file given as the page opens (scripts/bench --first-kpis). The JavaScript decoder it
// replaces spent 150-360 ms in a Chromium worker under load (interpreted until V8 optimised its
// loop); wasm runs compiled code from the first byte (compiled in ~5 ms: wasm.SyncCompile in a
// Chromium trace).
//
// It follows the format's reference decoder (LzmaSpec.cpp in the LZMA SDK, public domain): a range
// coder over adaptive bit probabilities, literals coded with the previous byte as context, matches
// as (length, distance) with four repeated distances.
#include <stdint.h>

enum {
  PROB_INIT = 1024,  // probability 0.5 on 11 bits
  IS_MATCH = 0,      // 12 states × 16 position states
  IS_REP = IS_MATCH + 192,
  IS_REP_G0 = IS_REP + 12,
  IS_REP_G1 = IS_REP_G0 + 12,
  IS_REP_G2 = IS_REP_G1 + 12,
  IS_REP0_LONG = IS_REP_G2 + 12,  // 12 × 16
  POS_SLOT = IS_REP0_LONG + 192,  // 4 × 64
  SPEC_POS = POS_SLOT + 256,      // 1 + 128 − 14
  ALIGN = SPEC_POS + 115,         // 16
  MATCH_LENGTH = ALIGN + 16,  // a length coder: choice, choice 2, low 16 × 8, mid 16 × 8, high 256
  REP_LENGTH = MATCH_LENGTH + 514,
  LITERALS = REP_LENGTH + 514,  // 0x300 << (lc + lp)
  LENGTH_CHOICE_2 = 1,
  LENGTH_LOW = 2,
  LENGTH_MID = LENGTH_LOW + 128,
  LENGTH_HIGH = LENGTH_MID + 128,
};

typedef struct {
  const uint8_t* in;
  const uint8_t* in_end;
  uint32_t range;
  uint32_t code;
} Coder;

// Past the end of the input the coder reads zeros; the caller checks how far it read.
static inline uint32_t next_byte(Coder* c) {
  return c->in < c->in_end ? *c->in++ : (c->in++, 0u);
}

static inline uint32_t decode_bit(Coder* c, uint16_t* prob) {
  uint32_t p = *prob;
  uint32_t bound = (c->range >> 11) * p;
  uint32_t bit;
  if (c->code < bound) {
    c->range = bound;
    *prob = (uint16_t)(p + ((2048 - p) >> 5));
    bit = 0;
  } else {
    c->range -= bound;
    c->code -= bound;
    *prob = (uint16_t)(p - (p >> 5));
    bit = 1;
  }
  if (c->range < (1u << 24)) {
    c->range <<= 8;
    c->code = (c->code << 8) | next_byte(c);
  }
  return bit;
}

static inline uint32_t bit_tree(Coder* c, uint16_t* probs, int bits) {
  uint32_t m = 1;
  for (int i = 0; i < bits; i++) m = (m << 1) | decode_bit(c, probs + m);
  return m - (1u << bits);
}

static inline uint32_t reverse_tree(Coder* c, uint16_t* probs, int bits) {
  uint32_t m = 1;
  uint32_t symbol = 0;
  for (int i = 0; i < bits; i++) {
    uint32_t bit = decode_bit(c, probs + m);
    m = (m << 1) | bit;
    symbol |= bit << i;
  }
  return symbol;
}

static inline uint32_t length(Coder* c, uint16_t* coder, uint32_t pos_state) {
  if (decode_bit(c, coder) == 0) return bit_tree(c, coder + LENGTH_LOW + (pos_state << 3), 3);
  if (decode_bit(c, coder + LENGTH_CHOICE_2) == 0)
    return 8 + bit_tree(c, coder + LENGTH_MID + (pos_state << 3), 3);
  return 16 + bit_tree(c, coder + LENGTH_HIGH, 8);
}

// Decodes the range-coded data after the 13-byte header: `in` starts at the coder's first byte.
// `probs` has room for LITERALS + (0x300 << (lc + lp)) entries. Returns the bytes of input read
// (more than in_len: the stream ended early), or a negative error:
//   -1 bad range coder start, -2 a repeated match before any output, -3 a match reaching before the
//   start of the output, -4 a match running past out_size, -5 the stream ended before out_size.
int32_t lzma_decode(const uint8_t* in, uint32_t in_len, uint8_t* out, uint32_t out_size,
                    uint16_t* probs, uint32_t lc, uint32_t lp, uint32_t pb) {
  uint32_t prob_count = LITERALS + (0x300u << (lc + lp));
  for (uint32_t i = 0; i < prob_count; i++) probs[i] = PROB_INIT;
  Coder c = {in, in + in_len, 0xffffffffu, 0};
  if (next_byte(&c) != 0) return -1;
  for (int i = 0; i < 4; i++) c.code = (c.code << 8) | next_byte(&c);
  if (c.code == 0xffffffffu) return -1;

  const uint32_t pb_mask = (1u << pb) - 1;
  const uint32_t lp_mask = (1u << lp) - 1;
  uint32_t out_pos = 0;
  uint32_t state = 0;
  uint32_t rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0;
  while (out_pos < out_size) {
    uint32_t pos_state = out_pos & pb_mask;
    if (decode_bit(&c, probs + IS_MATCH + (state << 4) + pos_state) == 0) {
      uint32_t previous = out_pos > 0 ? out[out_pos - 1] : 0;
      uint16_t* base =
          probs + LITERALS + 0x300 * (((out_pos & lp_mask) << lc) + (previous >> (8 - lc)));
      uint32_t symbol = 1;
      if (state >= 7) {
        uint32_t match_byte = out[out_pos - rep0 - 1];
        do {
          uint32_t match_bit = (match_byte >> 7) & 1;
          match_byte <<= 1;
          uint32_t bit = decode_bit(&c, base + ((1 + match_bit) << 8) + symbol);
          symbol = (symbol << 1) | bit;
          if (match_bit != bit) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | decode_bit(&c, base + symbol);
      out[out_pos++] = (uint8_t)symbol;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    uint32_t len;
    if (decode_bit(&c, probs + IS_REP + state) != 0) {
      if (out_pos == 0) return -2;
      if (decode_bit(&c, probs + IS_REP_G0 + state) == 0) {
        if (decode_bit(&c, probs + IS_REP0_LONG + (state << 4) + pos_state) == 0) {
          state = state < 7 ? 9 : 11;
          out[out_pos] = out[out_pos - rep0 - 1];
          out_pos++;
          continue;
        }
      } else {
        uint32_t dist;
        if (decode_bit(&c, probs + IS_REP_G1 + state) == 0) {
          dist = rep1;
        } else {
          if (decode_bit(&c, probs + IS_REP_G2 + state) == 0) {
            dist = rep2;
          } else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(&c, probs + REP_LENGTH, pos_state);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(&c, probs + MATCH_LENGTH, pos_state);
      state = state < 7 ? 7 : 10;
      uint32_t slot = bit_tree(&c, probs + POS_SLOT + ((len < 3 ? len : 3) << 6), 6);
      if (slot < 4) {
        rep0 = slot;
      } else {
        uint32_t direct_count = (slot >> 1) - 1;
        uint32_t dist = (2 | (slot & 1)) << direct_count;
        if (slot < 14) {
          dist += reverse_tree(&c, probs + SPEC_POS + dist - slot, (int)direct_count);
        } else {
          uint32_t direct = 0;
          for (uint32_t i = direct_count - 4; i > 0; i--) {
            c.range >>= 1;
            uint32_t bit = 0;
            if (c.code >= c.range) {
              c.code -= c.range;
              bit = 1;
            }
            direct = (direct << 1) | bit;
            if (c.range < (1u << 24)) {
              c.range <<= 8;
              c.code = (c.code << 8) | next_byte(&c);
            }
          }
          dist += direct << 4;
          dist += reverse_tree(&c, probs + ALIGN, 4);
        }
        rep0 = dist;
        if (rep0 == 0xffffffffu) break;  // the end marker
      }
      if (rep0 >= out_pos) return -3;
    }
    len += 2;
    if (len > out_size - out_pos) return -4;
    for (uint32_t from = out_pos - rep0 - 1, end = out_pos + len; out_pos < end;)
      out[out_pos++] = out[from++];
  }
  if (out_pos != out_size) return -5;
  return (int32_t)(c.in - in);
}
