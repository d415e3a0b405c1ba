#include "module/setup_encode.h"

#include <cstring>

#include "module/text_writer.h"

namespace secsetup {

namespace {

template <class Out>
void appendNumber(uint32_t v, Out& out) {
  char buf[10];
  const char* at = writeDecimalBefore(buf + sizeof(buf), v);
  out += std::string_view(at, static_cast<std::size_t>(buf + sizeof(buf) - at));
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
  // As encodeInto: mechanisms, one algorithm each, the SPI, then the ports that are set. The
  // longest line is 99 characters.
  const WireName* integrity = wireNameEntry(c.integrity);
  const WireName* cipher = wireNameEntry(c.cipher);
  out.clear();
  if (integrity == nullptr || cipher == nullptr) {
    encodeInto(makeAnswer(c, spiP, protectedPort, unprotectedPort), out);  // never in practice
    return;
  }
  TextWriter<128 + kTextWriterSlack> w;
  if (c.cipher != CipherAlg::None) {
    w.literal("esp / esp / ");
    w.padded16(integrity->text, integrity->len);
    w.literal(" / ");
    w.padded16(cipher->text, cipher->len);
    w.literal(" / ");
  } else {
    w.literal("esp / / ");
    w.padded16(integrity->text, integrity->len);
    w.literal(" / / ");
  }
  w.decimal(spiP);
  if (protectedPort != 0 || unprotectedPort != 0) {
    w.literal(" / ");
    if (protectedPort != 0) {
      w.literal("protected-port=");
      w.decimal(protectedPort);
      if (unprotectedPort != 0) {
        w.byte(';');
      }
    }
    if (unprotectedPort != 0) {
      w.literal("unprotected-port=");
      w.decimal(unprotectedPort);
    }
  }
  out.append(w.view());
}

std::string encodeSecuritySetup(const SecuritySetup& s) {
  std::string out;
  encodeSecuritySetup(s, out);
  return out;
}

}  // namespace secsetup
