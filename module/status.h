#pragma once
// One status enum for the core, in the manner of strongSwan's status_t.

namespace secsetup {

enum class Status { Ok, Failed, AlreadyDone, NotFound, InvalidArg, ParseError, InvalidState, OutOfResources };

inline const char* toString(Status s) noexcept {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::Failed:
      return "failed";
    case Status::AlreadyDone:
      return "already done";
    case Status::NotFound:
      return "not found";
    case Status::InvalidArg:
      return "invalid argument";
    case Status::ParseError:
      return "parse error";
    case Status::InvalidState:
      return "invalid state";
    case Status::OutOfResources:
      return "out of resources";
  }
  return "unknown";
}

}  // namespace secsetup
