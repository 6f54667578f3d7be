#pragma once
/* A self-signed ECDSA P-256 certificate for 127.0.0.1, ::1 and localhost,
 * made with GnuTLS by `strongroom init` so a fresh install serves HTTPS. */
#include "util/rc.h"

SR_NODISCARD enum sr_rc sr_tls_make_selfsigned(const char *key_path, const char *cert_path);
