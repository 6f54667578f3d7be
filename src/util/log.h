#pragma once
/* JSON-lines logging to stderr. Only http/, cli/ and main.c log. Callers pass
 * ids, codes and numbers, never passwords, tokens, bodies or personal data
 * (DATA-5): there is no API here that takes a struct sr_secret. */
#include "util/rc.h"

enum sr_log_level { SR_LOG_DEBUG, SR_LOG_INFO, SR_LOG_WARN, SR_LOG_ERROR };

void sr_log_set_level(enum sr_log_level lvl);
/* Key/value string pairs, terminated by NULL:
 *   sr_log(SR_LOG_INFO, "request", "op", "getMe", "status", "200", NULL); */
void sr_log(enum sr_log_level lvl, const char *msg, ...) __attribute__((sentinel));
/* Logs "what" with rc's name at error level and returns rc unchanged. */
enum sr_rc sr_log_rc(enum sr_rc rc, const char *what);
