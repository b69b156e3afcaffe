#include "collectors/scan/ns_set_interner.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace cproc {
namespace {

// Namespace inodes are sequential numbers: every word is mixed in, then the high bits folded.
uint64_t Hash(const NsSet& ns) {
  uint64_t h = 0;
  for (const NsId& id : ns) h = (h ^ id.Key()) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

}  // namespace

void NsSetInterner::Reset(const std::vector<NsSet>& sets) {
  last_ = 0;
  slots_.assign(std::max({slots_.size(), std::size_t{16}, std::bit_ceil(2 * sets.size())}), 0);
  for (std::size_t i = 0; i < sets.size(); ++i) Insert(sets, static_cast<uint32_t>(i));
}

uint32_t NsSetInterner::Intern(std::vector<NsSet>& sets, const NsSet& ns) {
  if (last_ != 0 && sets[last_ - 1] == ns) return last_ - 1;
  if (slots_.empty()) slots_.assign(16, 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t at = Hash(ns) & mask;; at = (at + 1) & mask) {
    const uint32_t slot = slots_[at];
    if (slot == 0) break;
    if (sets[slot - 1] == ns) {
      last_ = slot;
      return slot - 1;
    }
  }
  if (sets.size() >= kNoNsSet) throw std::length_error("too many namespace sets");
  const auto index = static_cast<uint32_t>(sets.size());
  sets.push_back(ns);
  // At most half full, so that a probe ends soon at an empty slot.
  if (2 * sets.size() > slots_.size()) {
    Grow(sets);
  } else {
    Insert(sets, index);
  }
  last_ = index + 1;
  return index;
}

void NsSetInterner::Insert(const std::vector<NsSet>& sets, uint32_t index) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = Hash(sets[index]) & mask;
  while (slots_[at] != 0) at = (at + 1) & mask;
  slots_[at] = index + 1;
}

void NsSetInterner::Grow(const std::vector<NsSet>& sets) {
  slots_.assign(2 * slots_.size(), 0);
  for (std::size_t i = 0; i < sets.size(); ++i) Insert(sets, static_cast<uint32_t>(i));
}

}  // namespace cproc
