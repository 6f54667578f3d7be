/* Responses. JSON bodies are freed with a wiping callback because some
 * carry a token or one-time password shown once (DATA-5). */
#include "http/response.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/problem.h"

#define COOKIE_NAME "__Host-sr_session"
#define DEVICE_COOKIE_NAME "__Host-sr_device"

static const char csp_api[] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
static const char csp_web[] = "default-src 'self'; script-src 'self'; style-src 'self';"
                              " img-src 'self' data:; connect-src 'self'; form-action 'self';"
                              " frame-ancestors 'none'; base-uri 'none'";

static void
wipe_free(void *p)
{
        if (p == NULL)
                return;
        sodium_memzero(p, strlen(p));
        free(p);
}

void
sr_response_security_headers(struct MHD_Response *r, bool https)
{
        if (https)
                MHD_add_response_header(r, "Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
        MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

/* Most bodies are small: dumped into the stack, then copied once into one
 * exact allocation (json_dumps grows its buffer by doubling and copies it
 * again at the end). Both copies are wiped. */
#define SMALL_BODY 2048

static struct MHD_Response *
json_response(json_t *body, const char *type)
{
        char small[SMALL_BODY];
        char *text = NULL;
        size_t n = json_dumpb(body, small, sizeof(small), JSON_COMPACT);
        if (n > 0 && n < sizeof(small)) {
                text = malloc(n + 1);
                if (text != NULL) {
                        memcpy(text, small, n);
                        text[n] = '\0';
                }
                sodium_memzero(small, n);
        } else if (n >= sizeof(small)) {
                sodium_memzero(small, sizeof(small));
                text = json_dumps(body, JSON_COMPACT);
                n = text != NULL ? strlen(text) : 0;
        }
        if (text == NULL)
                return NULL;
        struct MHD_Response *r =
                MHD_create_response_from_buffer_with_free_callback(n, text, wipe_free);
        if (r == NULL) {
                wipe_free(text);
                return NULL;
        }
        MHD_add_response_header(r, "Content-Type", type);
        return r;
}

struct MHD_Response *
sr_response_problem(enum sr_rc rc, unsigned *ret_status)
{
        json_t *p = sr_problem_new(rc, NULL);
        struct MHD_Response *r = p ? json_response(p, "application/problem+json") : NULL;
        json_decref(p);
        *ret_status = sr_problem_status(rc);
        return r;
}

static void
cookie_headers(struct sr_req *req, struct MHD_Response *r)
{
        const struct sr_call *c = &req->call;
        if (c->issued.token != NULL) {
                char buf[256];
                int n = snprintf(buf, sizeof(buf),
                                 COOKIE_NAME "=%s; Path=/; Secure; HttpOnly; SameSite=Lax",
                                 (const char *)c->issued.token->bytes);
                if (n > 0 && (size_t)n < sizeof(buf))
                        MHD_add_response_header(r, "Set-Cookie", buf);
                sodium_memzero(buf, sizeof(buf));
        }
        /* AUTH-3: the browser is known from now on (exempt from the
         * per-user lock, not from the per-address bucket). */
        if (c->issued.device_cookie != NULL) {
                char buf[160];
                int n = snprintf(buf, sizeof(buf),
                                 DEVICE_COOKIE_NAME "=%s; Path=/; Secure; HttpOnly; SameSite=Lax;"
                                                    " Max-Age=31536000",
                                 (const char *)c->issued.device_cookie->bytes);
                if (n > 0 && (size_t)n < sizeof(buf))
                        MHD_add_response_header(r, "Set-Cookie", buf);
                sodium_memzero(buf, sizeof(buf));
        }
        if (c->clear_cookie) {
                MHD_add_response_header(r, "Set-Cookie",
                                        COOKIE_NAME "=; Path=/; Secure; HttpOnly; SameSite=Lax;"
                                                    " Max-Age=0");
                MHD_add_response_header(r, "Clear-Site-Data", "\"cookies\", \"storage\"");
        }
}

void
sr_response_build(struct sr_req *req, const char *public_origin)
{
        (void)public_origin;
        struct sr_call *c = &req->call;
        struct MHD_Response *r = NULL;
        unsigned status;
        if (req->rc == SR_OK) {
                status = c->status ? (unsigned)c->status : 200;
                if (status == 204) {
                        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
                } else if (c->text_body != NULL) {
                        /* Static (openapi, web) or owned by the call, which
                         * outlives the response; copy to keep it simple. */
                        r = MHD_create_response_from_buffer(strlen(c->text_body),
                                                            (void *)c->text_body,
                                                            MHD_RESPMEM_MUST_COPY);
                        if (r != NULL)
                                MHD_add_response_header(r, "Content-Type", c->text_type);
                } else if (c->resp != NULL) {
                        r = json_response(c->resp, "application/json");
                }
        } else {
                json_t *p = sr_problem_new(req->rc, c);
                status = sr_problem_status(req->rc);
                r = p ? json_response(p, "application/problem+json") : NULL;
                json_decref(p);
                if (r != NULL && req->rc == SR_E_METHOD_NOT_ALLOWED)
                        MHD_add_response_header(r, "Allow", req->match.allow);
                if (r != NULL && (req->rc == SR_E_RATE_LIMITED || req->rc == SR_E_BUSY)) {
                        char secs[24] = "60";
                        if (req->rc == SR_E_BUSY)
                                snprintf(secs, sizeof(secs), "1");
                        else if (c->retry_after_s > 0)
                                snprintf(secs, sizeof(secs), "%lld", (long long)c->retry_after_s);
                        MHD_add_response_header(r, "Retry-After", secs);
                }
        }
        if (r == NULL) {
                r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
                status = 500;
        }
        if (r == NULL)
                return;
        sr_response_security_headers(r, true);
        /* Every HTML page (the app, the reset page) gets the web policy. */
        bool web = req->rc == SR_OK && c->text_body != NULL && c->text_type != NULL &&
                   strncmp(c->text_type, "text/html", 9) == 0;
        MHD_add_response_header(r, "Content-Security-Policy", web ? csp_web : csp_api);
        MHD_add_response_header(r, "X-Request-Id", req->request_id);
        cookie_headers(req, r);
        req->response = r;
        req->status = status;
}
