#pragma once
/* RFC 9457 problem documents: each enum sr_rc maps to one status, one
 * stable code and a fixed title and detail. Details never carry request
 * data, secrets or personal data (DATA-5). */
#include <jansson.h>

#include "api/call.h"

unsigned sr_problem_status(enum sr_rc rc);
/* A new problem object; field errors from call (may be NULL) added. */
json_t *sr_problem_new(enum sr_rc rc, const struct sr_call *call);
