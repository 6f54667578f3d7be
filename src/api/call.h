#pragma once
/* What an API handler sees: the decoded request and the resolved caller,
 * with no trace of the transport. A handler decodes call->body, makes one
 * domain call and renders call->resp; it never picks an error status
 * (http/problem.c maps the returned enum sr_rc). */
#include <jansson.h>
#include <stdbool.h>

#include "domain/app.h"
#include "domain/authz/authz.h"
#include "domain/identity/users.h"
#include "domain/session/session.h"

#define SR_CALL_MAX_ERRORS 16
#define SR_CALL_MAX_PARAMS 4

struct sr_field_error {
        char field[64];
        char reason[96];
};

struct sr_call {
        struct sr_app *app;
        const struct sr_client *client;
        const struct sr_actor *actor; /* NULL on public routes */
        const struct sr_session_info *session;
        const struct sr_account_ref *account; /* from {accountId}, resolved */
        const char *params[SR_CALL_MAX_PARAMS]; /* path parameters in order */
        json_t *body;                           /* request object or NULL */
        const char *(*query)(void *ctx, const char *name);
        const char *device_cookie; /* incoming __Host-sr_device value or NULL (AUTH-3) */
        void *query_ctx;

        /* Outputs. */
        int status;   /* 200 unless the handler says 201/204 */
        json_t *resp; /* owned by the call */
        const char *text_body, *text_type; /* instead of resp (metrics, web) */
        char *text_owned;                  /* freed with the call, if set */
        struct sr_session_issued issued;   /* set → cookie is set */
        int64_t retry_after_s;             /* Retry-After of a 429; 0 = default */
        const char *problem_detail;        /* static text replacing the problem's detail */
        bool clear_cookie;
        size_t n_errors;
        struct sr_field_error errors[SR_CALL_MAX_ERRORS];
};

typedef enum sr_rc (*sr_handler_fn)(struct sr_call *call);

/* Route flags. */
#define SR_ROUTE_PUBLIC 0x01      /* no session needed */
#define SR_ROUTE_WORKER 0x02      /* runs in the worker pool (slow work) */
#define SR_ROUTE_PW_CHANGE_OK 0x04 /* allowed while a password change is due */
#define SR_ROUTE_BODY 0x08        /* takes a JSON object body */
#define SR_ROUTE_ACCOUNT 0x10     /* first path parameter is {accountId} */
#define SR_ROUTE_OPTIONAL_AUTH 0x20 /* public, but uses a session if given */
#define SR_ROUTE_SELF_TARGET 0x40 /* {userId} (2nd parameter) may be the caller */
#define SR_ROUTE_THROTTLED 0x80  /* sign-in: the per-address bucket, before queueing */
#define SR_ROUTE_LARGE_BODY 0x400 /* bulk body up to 1 MiB (others: 64 KiB) */
#define SR_ROUTE_SF_SETUP_OK 0x100 /* allowed while a required second factor is not enrolled */
#define SR_ROUTE_BODY_OPTIONAL 0x200 /* a JSON object body is decoded when one is sent */

struct sr_route {
        const char *method;
        const char *path; /* "/v1/accounts/{accountId}/users/{userId}" */
        const char *operation_id;
        enum sr_action action;
        unsigned flags;
        sr_handler_fn handler;
};

/* The route table, terminated by an all-NULL entry. */
extern const struct sr_route sr_routes[];
