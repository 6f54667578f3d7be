#pragma once
/* Random bearer tokens and ids. Tokens are 256 bits, base64url without
 * padding (43 chars); only their SHA-256 is ever stored. Ids are 128 bits,
 * lower-case hex (32 chars), random, never sequential. */
#include <stddef.h>

#include "crypto/secret.h"
#include "util/rc.h"

#define SR_TOKEN_CHARS 43
#define SR_TOKEN_HASH_BYTES 32
#define SR_ID_CHARS 32

/* New token text in *ret (a secret, caller frees). */
SR_NODISCARD enum sr_rc sr_token_new(struct sr_secret **ret);
/* SHA-256 of the token text. */
void sr_token_hash(const void *token, size_t len,
                   unsigned char ret_hash[SR_TOKEN_HASH_BYTES]);
/* 32 hex chars + NUL into out. */
void sr_id_new(char out[SR_ID_CHARS + 1]);
/* True when s is exactly SR_ID_CHARS lower-case hex chars. */
int sr_id_valid(const char *s);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void sr_hex(const unsigned char *in, size_t n, char *out);
