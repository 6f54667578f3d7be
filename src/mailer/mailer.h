#pragma once
/* Outbound mail transport (AUTH-6, AUTH-9): hands one rendered message to
 * an SMTP relay (libcurl) or, with no relay configured, to the Maildir
 * DIR/mail/. This is the only code that includes curl.h; it knows nothing
 * about outboxes, kinds or retries (domain/mail/mail.c does). It blocks
 * on the network, so only the scheduler thread calls it. */
#include <stdbool.h>
#include <stddef.h>

#include "util/config.h"
#include "util/rc.h"

/* Delivers msg (RFC 5322, CRLF line ends) from envelope_from to rcpt:
 * over SMTP when cfg->smtp_url is set, else into cfg->data_dir/mail.
 * SR_E_IO for any delivery failure (the caller retries later). */
SR_NODISCARD enum sr_rc sr_mailer_send(const struct sr_config *cfg, const char *envelope_from,
                                       const char *rcpt, const char *msg, size_t len);

/* SMTP relay URL facts: scheme smtp:// or smtps://, the host, and whether
 * the host is loopback (127.0.0.0/8, ::1 or "localhost"), where plain SMTP
 * is allowed; any other host must speak TLS with a verified certificate.
 * SR_E_VALIDATION for any other scheme or a malformed URL. */
struct sr_smtp_target {
        char host[256];
        bool implicit_tls; /* smtps:// */
        bool loopback;
};
SR_NODISCARD enum sr_rc sr_mailer_parse_url(const char *url, struct sr_smtp_target *ret);

/* Writes msg into the Maildir dir (creating tmp/, new/, cur/ mode 0700):
 * a unique file in tmp/, fsync, rename into new/, fsync of new/. CRLF
 * line ends become LF as Maildir readers expect. */
SR_NODISCARD enum sr_rc sr_mailer_maildir_write(const char *dir, const char *msg, size_t len);
