#pragma once
// The test UE agent's control messages: SIP requests that the UE's SIPp sends to the agent
// (so that SIPp waits for the answer, which an <exec> cannot do), answered with SIP
// responses that SIPp matches by Call-ID. Only what the agent needs of SIP is here.

#include <map>
#include <string>
#include <string_view>

namespace secsetup::ue {

struct ControlRequest {
  std::string method;
  std::map<std::string, std::string> headers;  // lower-cased names, first occurrence
  std::string echo;  // Via, From, To, Call-ID and CSeq lines, for the response
  std::string header(const std::string& lowerName) const;
};

// False if the text is not a SIP request.
bool parseControlRequest(std::string_view text, ControlRequest& out);

// "SIP/2.0 <code> <reason>" with the echoed lines, any extra header lines, no body.
std::string formatResponse(const ControlRequest& req, int code, const std::string& reason,
                           const std::string& extraHeaders);

}  // namespace secsetup::ue
