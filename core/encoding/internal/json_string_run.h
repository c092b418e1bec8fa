#ifndef PEDIGREE_CORE_ENCODING_INTERNAL_JSON_STRING_RUN_H_
#define PEDIGREE_CORE_ENCODING_INTERNAL_JSON_STRING_RUN_H_

// The scan the JSON reader and writer share: how many bytes of a string are
// the same in JSON text as in the string. Not part of the public API.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace pedigree::core::internal {

// Whether byte `c` stands for itself inside a JSON string: it is not a
// control character, '"', '\\' or a byte of a multibyte UTF-8 sequence
// (which the reader validates and the writer checks).
inline bool IsPlainJsonStringByte(unsigned char c) {
  return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

// Whether any of the eight bytes in `word` is not plain. The usual bit
// tricks: (x - 0x01..) & ~x & 0x80.. has a byte's top bit set where x has a
// zero byte (and possibly above one, which only adds detections of bytes
// that are found anyway).
inline bool HasNonPlainJsonStringByte(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighs = 0x8080808080808080;
  const auto has_zero_byte = [](uint64_t x) {
    return (x - kOnes) & ~x & kHighs;
  };
  const uint64_t control = (word - kOnes * 0x20) & ~word & kHighs;
  return ((word & kHighs) | control | has_zero_byte(word ^ (kOnes * '"')) |
          has_zero_byte(word ^ (kOnes * '\\'))) != 0;
}

// Returns the number of plain bytes at the start of [begin, end), eight at
// a time while it can.
inline size_t PlainJsonStringRun(const char* begin, const char* end) {
  const char* p = begin;
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    if (HasNonPlainJsonStringByte(word)) break;
    p += 8;
  }
  while (p != end && IsPlainJsonStringByte(static_cast<unsigned char>(*p))) {
    ++p;
  }
  return static_cast<size_t>(p - begin);
}

}  // namespace pedigree::core::internal

#endif  // PEDIGREE_CORE_ENCODING_INTERNAL_JSON_STRING_RUN_H_
