#pragma once
/* Builds the libmicrohttpd response for a finished request: JSON or text
 * body, problem documents, cookies and the security headers every HTTPS
 * answer carries (DATA-1). */
#include "http/request.h"

/* Fills req->response and req->status from req->rc and req->call. */
void sr_response_build(struct sr_req *req, const char *public_origin);
/* Adds the headers of every response (also used by the plain port). */
void sr_response_security_headers(struct MHD_Response *r, bool https);
/* A problem response for rc without a call (plain port, early errors). */
struct MHD_Response *sr_response_problem(enum sr_rc rc, unsigned *ret_status);
