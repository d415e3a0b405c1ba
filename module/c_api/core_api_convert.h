#pragma once
// Conversions used by core_api.cpp: C views to C++ facts, C++ actions to C buffers, module
// parameters to a Policy. Internal to the core.

#include <cstddef>
#include <string_view>

#include "kernel_ipsec/kernel_ipsec.h"
#include "module/store/contact_record.h"
#include "module/c_api/core_api.h"
#include "module/negotiation/engine.h"
#include "module/negotiation/policy.h"

namespace secsetup::capi {

std::string_view view(const secsetup_str_t& s);
bool parseIp(const secsetup_str_t& s, kipsec::IpAddress& out);
// The binary form when its family is set (4 or 6), else the text; false for anything else.
bool readIp(const secsetup_ip_t& bin, const secsetup_str_t& text, kipsec::IpAddress& out);
bool copyOut(char* dst, std::size_t cap, std::string_view v);
int toC(Status s);
// SECSETUP_OK, or SECSETUP_TRUNCATED when a protocol output did not fit its buffer.
int fillActions(const Actions& a, secsetup_actions_t* out);
Status buildPolicy(const secsetup_params_t* p, Policy& pol);
const char* phaseName(Phase p);

}  // namespace secsetup::capi
