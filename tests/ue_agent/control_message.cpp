#include "tests/ue_agent/control_message.h"

#include <algorithm>
#include <cctype>

namespace secsetup::ue {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool echoed(const std::string& name) {
  return name == "via" || name == "v" || name == "from" || name == "f" || name == "to" ||
         name == "t" || name == "call-id" || name == "i" || name == "cseq";
}

}  // namespace

std::string ControlRequest::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? std::string() : it->second;
}

bool parseControlRequest(std::string_view text, ControlRequest& out) {
  std::size_t eol = text.find('\n');
  std::string_view first = trim(text.substr(0, eol));
  std::size_t sp = first.find(' ');
  if (sp == std::string_view::npos || first.substr(0, 4) == "SIP/") {
    return false;
  }
  out.method = std::string(first.substr(0, sp));
  while (eol != std::string_view::npos) {
    std::size_t start = eol + 1;
    eol = text.find('\n', start);
    std::string_view line = trim(text.substr(start, eol == std::string_view::npos ? eol : eol - start));
    if (line.empty()) {
      break;  // end of headers
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string name = lower(trim(line.substr(0, colon)));
    out.headers.emplace(name, std::string(trim(line.substr(colon + 1))));
    if (echoed(name)) {
      out.echo.append(line).append("\r\n");
    }
  }
  return true;
}

std::string formatResponse(const ControlRequest& req, int code, const std::string& reason,
                           const std::string& extraHeaders) {
  std::string r = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n" + req.echo;
  r += extraHeaders;
  r += "Content-Length: 0\r\n\r\n";
  return r;
}

}  // namespace secsetup::ue
