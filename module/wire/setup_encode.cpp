#include "module/wire/setup_encode.h"

namespace secsetup {

namespace {

template <class Out>
void appendList(const FixedList<Token, kMaxAlgs>& list, Out& out) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) {
      out += ',';
    }
    out += list[i].view();
  }
}

template <class Out>
void appendParam(std::string_view name, uint32_t value, bool& first, Out& out) {
  if (value == 0) {
    return;
  }
  if (!first) {
    out += ';';
  }
  first = false;
  out += name;
  out += '=';
  appendDecimal(value, out);
}

// One encoder for both outputs (std::string and the engine's fixed buffer).
template <class Out>
void encodeInto(const SecuritySetup& s, Out& out) {
  out += s.intMech.view();
  out += " / ";
  if (!s.confMech.empty()) {
    out += s.confMech.view();
    out += ' ';
  }
  out += "/ ";
  appendList(s.intAlgs, out);
  out += " / ";
  if (!s.confAlgs.empty()) {
    appendList(s.confAlgs, out);
    out += ' ';
  }
  out += "/ ";
  appendDecimal(s.saId, out);
  bool hasInfo = s.port != 0 || s.protectedPort != 0 || s.unprotectedPort != 0 ||
                 !s.extraInfo.empty();
  if (!hasInfo) {
    return;
  }
  out += " / ";
  bool first = true;
  appendParam("port", s.port, first, out);
  appendParam("protected-port", s.protectedPort, first, out);
  appendParam("unprotected-port", s.unprotectedPort, first, out);
  for (const InfoParam& p : s.extraInfo) {
    if (!first) {
      out += ';';
    }
    first = false;
    out += p.name.view();
    out += '=';
    if (p.quoted) {
      out += '"';
      out += p.value.view();
      out += '"';
    } else {
      out += p.value.view();
    }
  }
}

}  // namespace

void encodeSecuritySetup(const SecuritySetup& s, std::string& out) {
  out.clear();
  out.reserve(96);
  encodeInto(s, out);
}

void encodeSecuritySetup(const SecuritySetup& s, SetupLine& out) {
  out.clear();
  encodeInto(s, out);
}

void encodeAnswer(const Choice& c, uint32_t spiP, uint16_t protectedPort,
                  uint16_t unprotectedPort, SetupLine& out) {
  encodeSecuritySetup(makeAnswer(c, spiP, protectedPort, unprotectedPort), out);
}

std::string encodeSecuritySetup(const SecuritySetup& s) {
  std::string out;
  encodeSecuritySetup(s, out);
  return out;
}

}  // namespace secsetup
