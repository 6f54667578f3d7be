#pragma once
/* TOTP (RFC 6238) through liboath (AUTH-8): HMAC-SHA-1, 30 s steps, 6
 * digits, a window of one step either side. Pure functions of the secret
 * and a policy time, so unit tests can drive them with any clock. The
 * secret is handled as base32 text (what users type into their app). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"
#include "util/rc.h"

#define SR_TOTP_STEP_S 30
#define SR_TOTP_DIGITS 6
#define SR_TOTP_WINDOW 1
#define SR_TOTP_SECRET_BYTES 20 /* 160 bits */
#define SR_TOTP_SECRET_CHARS 32 /* base32 of 20 bytes, no padding */

/* A new random secret as upper-case base32 text (caller frees). */
SR_NODISCARD enum sr_rc sr_totp_secret_new(struct sr_secret **ret_b32);
/* True when code is exactly six ASCII digits. */
bool sr_totp_code_format_ok(const char *code);
/* Time step of t. */
int64_t sr_totp_step(int64_t t);
/* SR_OK with *ret_step when code is the TOTP of a step within one step of
 * now and later than after_step (the last accepted one: no replay);
 * SR_E_INVALID_CREDENTIALS otherwise. */
SR_NODISCARD enum sr_rc sr_totp_check(const struct sr_secret *secret_b32, int64_t now,
                                      const char *code, int64_t after_step, int64_t *ret_step);
/* The code at time t into out (7 bytes), e.g. for tests. */
SR_NODISCARD enum sr_rc sr_totp_code(const struct sr_secret *secret_b32, int64_t t,
                                     char out[SR_TOTP_DIGITS + 1]);
