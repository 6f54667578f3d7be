#pragma once
/* Internal to http/: one request's state across the access-handler calls
 * of libmicrohttpd and, for slow routes, a worker thread. */
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/call.h"
#include "http/router.h"
#include "util/buf.h"

struct sr_server;

enum req_state { REQ_RECEIVING, REQ_WORKING, REQ_DONE };

struct sr_req {
        struct sr_server *srv;
        struct MHD_Connection *conn;
        enum req_state state;
        uint64_t started_ms;
        char method[8];
        char request_id[40];
        char user_agent[256];
        struct sr_match match;
        struct sr_buf body;
        enum sr_rc early_rc; /* set while reading (size, routing) */
        bool via_cookie;

        struct sr_client client;
        struct sr_actor actor;
        struct sr_session_info session;
        struct sr_account_ref account;
        struct sr_call call;
        enum sr_rc rc;

        struct MHD_Response *response;
        unsigned status;
};
