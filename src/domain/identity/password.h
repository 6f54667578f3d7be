#pragma once
/* Password policy (AUTH-2). This milestone enforces the default `nist`
 * profile (NIST SP 800-63B): at least 15 code points without a second
 * factor, at most 1024 bytes, no composition rules, no expiry. */
#include "crypto/secret.h"

#define SR_PASSWORD_MIN_CHARS_NIST 15

SR_NODISCARD enum sr_rc sr_password_check(const struct sr_secret *pw);
