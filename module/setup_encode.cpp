#include "module/setup_encode.h"

namespace secsetup {

namespace {

template <class Out>
void appendNumber(uint32_t v, Out& out) {
  char buf[10];
  int n = 10;
  do {
    buf[--n] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out += std::string_view(buf + n, static_cast<std::size_t>(10 - n));
}

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
  appendNumber(value, out);
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
  appendNumber(s.saId, out);
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
  // As encodeInto: mechanisms, one algorithm each, the SPI, then the ports that are set.
  const bool conf = c.cipher != CipherAlg::None;
  out.clear();
  out += conf ? "esp / esp / " : "esp / / ";
  out += wireName(c.integrity);
  out += " / ";
  if (conf) {
    out += wireName(c.cipher);
    out += ' ';
  }
  out += "/ ";
  appendNumber(spiP, out);
  if (protectedPort == 0 && unprotectedPort == 0) {
    return;
  }
  out += " / ";
  bool first = true;
  appendParam("protected-port", protectedPort, first, out);
  appendParam("unprotected-port", unprotectedPort, first, out);
}

std::string encodeSecuritySetup(const SecuritySetup& s) {
  std::string out;
  encodeSecuritySetup(s, out);
  return out;
}

}  // namespace secsetup
