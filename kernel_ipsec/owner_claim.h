#pragma once
// One owner tag per network namespace. XFRM state is per namespace, and an instance removes
// at start (and at stop) every SA and policy carrying its owner tag: a second instance with
// the same tag in the same namespace would remove the first one's SAs. So an instance claims
// its tag for its lifetime before that first flush: it binds an abstract unix socket named
// after the tag. Abstract names are per network namespace, like XFRM state; they need no file
// system and vanish with the last descriptor, so a killed instance leaves no stale claim.
// The descriptor is close-on-exec; forked children inherit it, which only extends the claim
// to the instance's other processes.

#include <cstdint>

namespace secsetup::kipsec {

// The claim's descriptor (keep it open for the process lifetime), or -1 with err set:
// EADDRINUSE when another process in this network namespace holds the tag.
int claimOwnerTag(uint32_t tag, int& err) noexcept;

}  // namespace secsetup::kipsec
