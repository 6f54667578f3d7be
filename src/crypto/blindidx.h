#pragma once
/* Blind indexes for exact-match look-ups over encrypted personal data
 * (DATA-2): HMAC-SHA-256(index_key, kind ‖ 0x00 ‖ normalised value). */
#include <stddef.h>

#include "util/rc.h"

#define SR_BLINDIDX_KEY_BYTES 32
#define SR_BLINDIDX_BYTES 32

void sr_blindidx(const unsigned char key[SR_BLINDIDX_KEY_BYTES], const char *kind,
                 const void *value, size_t value_len,
                 unsigned char ret[SR_BLINDIDX_BYTES]);
