#pragma once
// What the kernel suite's programs share: "PASS <name>" / "FAIL <name>: why" lines (run.sh and
// scripts/test count them), address literals, and entering a namespace run.sh has built.

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "kernel_ipsec/kernel_ipsec.h"

namespace secsetup::kcheck {

// Failed checks so far; a program's exit status is 1 when any failed.
inline int& failures() {
  static int n = 0;
  return n;
}

inline void check(const std::string& name, bool ok, const std::string& why = "") {
  std::printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name.c_str(), ok || why.empty() ? "" : ": ",
              ok ? "" : why.c_str());
  std::fflush(stdout);
  failures() += ok ? 0 : 1;
}

inline kipsec::IpAddress ip(const char* s) {
  kipsec::IpAddress a;
  kipsec::IpAddress::parse(s, a);
  return a;
}

// Moves the calling thread into /run/netns/<name>; sockets opened afterwards belong there.
inline bool enterNs(const char* name) {
  const std::string path = std::string("/run/netns/") + name;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool ok = setns(fd, CLONE_NEWNET) == 0;
  close(fd);
  return ok;
}

}  // namespace secsetup::kcheck
