#pragma once
// The expiry a REGISTER asks for, or its 2xx grants (RFC 3261 10.2.1.1, 10.3): the first
// contact's expires parameter, else the Expires header. Read from the raw header values so
// that the glue need not have Kamailio parse (and allocate) the Contact and Expires headers.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kernel_ipsec/kernel_ipsec.h"

namespace secsetup {

// contact: the first Contact header's value; expires: the Expires header's value (either
// empty when absent). Seconds, or -1 when neither gives 1 to 10 digits within 32 bits.
long registerExpires(std::string_view contact, std::string_view expires) noexcept;

// The expires parameter of the first contact-param in a Contact value (a URI's own
// parameters inside <...> do not count); -1 when there is none or it is not a number.
long contactExpires(std::string_view contact) noexcept;

// The expiry a 2xx grants to one UE's own binding. The 2xx lists every binding of the
// address of record (RFC 3261 10.3), other UEs' and other UAs' too: the one that counts is
// the contact whose URI names the UE's address and the port its SAs protect; its expires
// parameter, else the Expires header. -1 when no contact names that address and port and
// there is no Expires header. contacts: the raw values of every Contact header (each may
// list several contacts).
long bindingExpires(const std::string_view* contacts, std::size_t count,
                    std::string_view expires, const kipsec::IpAddress& ue,
                    uint16_t port) noexcept;

}  // namespace secsetup
