/* The libmicrohttpd daemon and the request pipeline:
 *   read (bounded body) → route → content type / JSON → session or cookie
 *   + CSRF → password-change gate → account + sr_authz_require → handler
 *   (inline, or in the worker pool via suspend/resume) → response.
 * This file is the only one that drives libmicrohttpd (DATA-1, ACC-4). */
#include "http/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/decode.h"
#include "crypto/token.h"
#include "domain/access/access.h"
#include "domain/account/account.h"
#include "domain/cluster/cluster.h"
#include "domain/session/signin.h"
#include "domain/mail/mail.h"
#include "http/clientip.h"
#include "http/credentials.h"
#include "http/plain.h"
#include "http/request.h"
#include "http/response.h"
#include "http/workers.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

/* Bodies are buffered in our heap, outside libmicrohttpd's per-connection
 * pool, so most routes get a small ceiling; only bulk routes get the 1 MiB
 * of CONTRACTS.md. */
#define MAX_BODY_BYTES (1024 * 1024)
#define SMALL_BODY_BYTES (64 * 1024)
#define MAX_PROXIES 16

const char sr_tls_priorities[] =
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:"
        "+AES-256-GCM:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:"
        "%SERVER_PRECEDENCE";

struct sr_server {
        struct sr_app *app;
        struct MHD_Daemon *daemon;
        struct sr_plain *plain;
        struct sr_workers *workers;
        struct sr_cidr proxies[MAX_PROXIES];
        size_t n_proxies;
        char *key_pem, *cert_pem;
        char origin[256];
        pthread_t sweeper;
        bool sweeper_running;
        pthread_t listener; /* cluster messages, on a shared (PostgreSQL) store */
        bool listener_running;
        pthread_mutex_t stop_lock;
        pthread_cond_t stop_cond;
        bool stopping;
};

static const char *
query_value(void *ctx, const char *name)
{
        return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static void
req_free(struct sr_req *req)
{
        if (req == NULL)
                return;
        sr_buf_fini(&req->body);
        json_decref(req->call.body);
        json_decref(req->call.resp);
        sr_free(req->call.text_owned);
        sr_session_issued_fini(&req->call.issued);
        if (req->response != NULL)
                MHD_destroy_response(req->response);
        sr_free(req);
}

static void
peer_address(struct MHD_Connection *conn, char out[SR_CLIENTIP_MAX])
{
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(out, SR_CLIENTIP_MAX, "0.0.0.0");
        if (ci == NULL || ci->client_addr == NULL)
                return;
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                          SR_CLIENTIP_MAX);
        else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                          out, SR_CLIENTIP_MAX);
}

static struct sr_req *
req_new(struct sr_server *srv, struct MHD_Connection *conn, const char *method, const char *url)
{
        struct sr_req *req = sr_calloc(1, sizeof(*req));
        if (req == NULL)
                return NULL;
        req->srv = srv;
        req->conn = conn;
        req->started_ms = sr_clock_mono_ms();
        snprintf(req->method, sizeof(req->method), "%s", method);
        sr_id_new(req->request_id);
        sr_buf_init(&req->body, SMALL_BODY_BYTES);
        const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
        snprintf(req->user_agent, sizeof(req->user_agent), "%s", ua ? ua : "");

        char peer[SR_CLIENTIP_MAX], ip[SR_CLIENTIP_MAX];
        peer_address(conn, peer);
        const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
        sr_clientip_resolve(srv->proxies, srv->n_proxies, peer, xff, ip);
        sr_client_set_ip(&req->client, ip);
        req->client.user_agent = req->user_agent[0] ? req->user_agent : NULL;
        req->client.request_id = req->request_id;

        req->early_rc = sr_has_control(url) ? SR_E_INVALID_REQUEST
                                         : sr_router_match(method, url, &req->match);
        if (req->early_rc == SR_OK) {
                if (req->match.route->flags & SR_ROUTE_LARGE_BODY)
                        req->body.max_bytes = MAX_BODY_BYTES;
                const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                             "Content-Length");
                if (cl != NULL && strtoull(cl, NULL, 10) > req->body.max_bytes)
                        req->early_rc = SR_E_TOO_LARGE;
        }
        req->call.app = srv->app;
        req->call.client = &req->client;
        req->call.query = query_value;
        req->call.query_ctx = conn;
        req->call.device_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
                                                              "__Host-sr_device");
        return req;
}

static bool
unsafe_method(const char *m)
{
        return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static enum sr_rc
decode_body(struct sr_req *req)
{
        const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Type");
        size_t n = strlen("application/json");
        if (ct == NULL || strncasecmp(ct, "application/json", n) != 0 ||
            (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' '))
                return SR_E_UNSUPPORTED_MEDIA;
        if (req->body.len == 0)
                return SR_E_INVALID_JSON;
        json_error_t err;
        json_t *j = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &err);
        if (j == NULL)
                return SR_E_INVALID_JSON;
        req->call.body = j;
        if (!json_is_object(j)) {
                sr_decode_error(&req->call, "", "must be a JSON object");
                return SR_E_VALIDATION;
        }
        return SR_OK;
}

/* Bearer header first, then the cookie; CSRF for cookie + unsafe method. */
static enum sr_rc
authenticate(struct sr_req *req)
{
        struct sr_server *srv = req->srv;
        const char *token = NULL;
        enum sr_cred_kind kind = sr_http_credential(
                MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Authorization"),
                MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "__Host-sr_session"),
                &token);
        if (kind != SR_CRED_BEARER && kind != SR_CRED_COOKIE)
                return SR_E_UNAUTHENTICATED;
        req->via_cookie = kind == SR_CRED_COOKIE;
        /* ACC-9: API keys are bearer-only credentials with no session. */
        if (!req->via_cookie && sr_api_key_looks_like(token)) {
                req->call.actor = &req->actor;
                return sr_api_key_authenticate(srv->app, token, strlen(token), &req->actor);
        }
        enum sr_rc rc = sr_session_authenticate(srv->app, token, strlen(token), &req->actor,
                                                &req->session);
        if (rc != SR_OK)
                return rc;
        req->call.actor = &req->actor;
        req->call.session = &req->session;
        if (req->via_cookie && unsafe_method(req->method)) {
                const char *origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                                 "Origin");
                const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                               "Host");
                char host_origin[300] = "";
                if (host != NULL)
                        snprintf(host_origin, sizeof(host_origin), "https://%s", host);
                bool same = origin != NULL &&
                            (strcmp(origin, srv->origin) == 0 || strcmp(origin, host_origin) == 0);
                const char *csrf = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                               "X-CSRF-Token");
                if (!same || !sr_session_csrf_ok(srv->app, &req->actor, csrf))
                        return SR_E_CSRF;
        }
        return SR_OK;
}

/* Everything before the handler. */
static enum sr_rc
prepare(struct sr_req *req)
{
        const struct sr_route *route = req->match.route;
        enum sr_rc rc;
        for (size_t i = 0; i < req->match.n_params; i++)
                req->call.params[i] = req->match.params[i];
        if ((route->flags & SR_ROUTE_BODY) ||
            ((route->flags & SR_ROUTE_BODY_OPTIONAL) && req->body.len > 0)) {
                rc = decode_body(req);
                if (rc != SR_OK)
                        return rc;
        }
        if (route->flags & SR_ROUTE_PUBLIC)
                return SR_OK;
        rc = authenticate(req);
        if (rc != SR_OK)
                return rc;
        if (req->actor.pw_change_required && !(route->flags & SR_ROUTE_PW_CHANGE_OK))
                return SR_E_PASSWORD_CHANGE_REQUIRED;
        /* AUTH-8: where the account requires a second factor, a user without
         * one may only enrol it (and what a password change allows). */
        if (req->actor.second_factor_setup_required &&
            !(route->flags & (SR_ROUTE_PW_CHANGE_OK | SR_ROUTE_SF_SETUP_OK))) {
                req->call.problem_detail = "This account requires a second factor: enrol TOTP "
                                           "(enrollTotp, confirmTotp) before anything else.";
                return SR_E_FORBIDDEN;
        }
        struct sr_app *app = req->srv->app;
        /* ACC-8: the caller's own account may only be used from its list. */
        rc = sr_allowlist_check(app, &req->client, req->actor.account_id, req->actor.region,
                                req->actor.user_id);
        if (rc != SR_OK)
                return rc;
        struct sr_scope scope = {req->actor.account_id, NULL, NULL};
        if (route->flags & SR_ROUTE_ACCOUNT) {
                rc = sr_account_resolve(app, req->match.params[0], &req->account);
                if (rc != SR_OK)
                        return rc;
                req->call.account = &req->account;
                scope.account_id = req->account.id;
                /* ACC-8 for the target account; ACC-7 support grants. */
                if (strcmp(req->account.id, req->actor.account_id) != 0) {
                        rc = sr_allowlist_check(app, &req->client, req->account.id,
                                                req->account.region, NULL);
                        if (rc == SR_OK)
                                rc = sr_support_apply(app, &req->actor, &req->account);
                        if (rc != SR_OK)
                                return rc;
                }
        }
        if (route->flags & SR_ROUTE_SELF_TARGET)
                scope.target_user_id = req->match.params[1];
        /* ACC-4: the one central decision, from the route's action. */
        rc = sr_authz_require(&req->actor, route->action, &scope);
        if (req->call.account != NULL) {
                enum sr_rc arc = sr_support_record(app, &req->client, &req->actor, &req->account,
                                                   route->operation_id, rc);
                if (arc != SR_OK)
                        return arc;
        }
        return rc;
}

static void
log_request(struct sr_req *req)
{
        char status[8], ms[24];
        snprintf(status, sizeof(status), "%u", req->status);
        uint64_t latency = sr_clock_mono_ms() - req->started_ms;
        snprintf(ms, sizeof(ms), "%llu", (unsigned long long)latency);
        sr_metrics_request((int)req->status, latency);
        sr_log(SR_LOG_INFO, "request", "request_id", req->request_id, "method", req->method,
               "operation_id", req->match.route ? req->match.route->operation_id : "-", "status",
               status, "latency_ms", ms, "code",
               req->rc != SR_OK ? sr_rc_name(req->rc) : NULL, NULL);
}

static enum MHD_Result
finish(struct sr_req *req)
{
        if (req->response == NULL)
                sr_response_build(req, req->srv->origin);
        if (req->response == NULL)
                return MHD_NO;
        log_request(req);
        enum MHD_Result ret = MHD_queue_response(req->conn, req->status, req->response);
        MHD_destroy_response(req->response);
        req->response = NULL;
        return ret;
}

static void
worker_job(void *arg)
{
        struct sr_req *req = arg;
        req->rc = req->match.route->handler(&req->call);
        sr_response_build(req, req->srv->origin);
        req->state = REQ_DONE;
        MHD_resume_connection(req->conn);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
        (void)version;
        struct sr_server *srv = cls;
        struct sr_req *req = *con_cls;
        if (req == NULL) {
                req = req_new(srv, conn, method, url);
                if (req == NULL)
                        return MHD_NO;
                *con_cls = req;
                if (req->early_rc == SR_E_TOO_LARGE) {
                        req->rc = req->early_rc;
                        return finish(req); /* refuse before reading the body */
                }
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                if (req->early_rc == SR_OK) {
                        req->early_rc = sr_buf_append(&req->body, upload_data, *upload_data_size);
                        if (req->early_rc != SR_OK)
                                sr_buf_fini(&req->body);
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (req->state == REQ_DONE)
                return finish(req);
        if (req->state == REQ_WORKING)
                return MHD_YES;
        req->rc = req->early_rc != SR_OK ? req->early_rc : prepare(req);
        /* AUTH-3: a flood from a few addresses is throttled here, before it
         * can take places in the shared worker queue from everyone else. */
        if (req->rc == SR_OK && (req->match.route->flags & SR_ROUTE_THROTTLED))
                req->rc = sr_signin_throttle(srv->app, &req->client, &req->call.retry_after_s);
        if (req->rc != SR_OK)
                return finish(req);
        if (req->match.route->flags & SR_ROUTE_WORKER) {
                req->state = REQ_WORKING;
                MHD_suspend_connection(conn);
                if (sr_workers_submit(srv->workers, worker_job, req) != SR_OK) {
                        sr_metrics_busy();
                        req->rc = SR_E_BUSY;
                        req->state = REQ_DONE;
                        MHD_resume_connection(conn);
                }
                return MHD_YES;
        }
        req->rc = req->match.route->handler(&req->call);
        return finish(req);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
        (void)cls;
        (void)conn;
        (void)toe;
        req_free(*con_cls);
        *con_cls = NULL;
}

/* libmicrohttpd's own %HH decoding, except that a decoded NUL becomes
 * 0x01: a "%00" must never cut a path or argument short (what a proxy
 * checked and what we act on would differ); the control byte is then
 * refused as 400 invalid_request. */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
        (void)cls;
        (void)conn;
        size_t n = MHD_http_unescape(s);
        for (size_t i = 0; i < n; i++)
                if (s[i] == '\0')
                        s[i] = '\x01';
        return n;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
        /* Handshake failures from scanners are routine; keep them out of
         * the log unless debugging. */
        (void)cls;
        (void)fmt;
        (void)ap;
}

/* Waits up to seconds (0: not at all) for sr_server_stop; true once it
 * has been asked. */
static bool
wait_for_stop(struct sr_server *srv, int seconds)
{
        pthread_mutex_lock(&srv->stop_lock);
        if (!srv->stopping && seconds > 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += seconds;
                pthread_cond_timedwait(&srv->stop_cond, &srv->stop_lock, &ts);
        }
        bool stop = srv->stopping;
        pthread_mutex_unlock(&srv->stop_lock);
        return stop;
}

/* The scheduler thread: outbox delivery every second (mail may block on
 * the network, never on an HTTP thread), session sweep every 5 s, heap
 * trim after load; on a shared store, sign-up recovery every minute. */
static void *
sweeper_run(void *arg)
{
        struct sr_server *srv = arg;
        unsigned ticks = 0;
        uint64_t served_before = 0, served_at_trim = 0;
        while (!wait_for_stop(srv, 1)) {
                if (++ticks % 5 == 0)
                        sr_session_sweep(srv->app);
                /* Shared store: pending sign-ups of a crashed node. */
                if (ticks % 60 == 0 && sr_store_shared(srv->app->st))
                        sr_rc_ignore(sr_account_recover(srv->app));
                /* After a burst, each thread's malloc arena keeps what it
                 * freed (TLS records, JSON, rows): give it back once the
                 * server has been quiet for a tick, never under load. */
                uint64_t served = sr_metrics_requests_total();
                if (served == served_before && served != served_at_trim) {
                        malloc_trim(0);
                        served_at_trim = served;
                }
                served_before = served;
                sr_mail_deliver_pending(srv->app);
        }
        sr_session_sweep(srv->app); /* write last-seen back before exit */
        sr_store_thread_done();
        return NULL;
}

/* Hears the other nodes' changes (domain/cluster). Waits in short turns so
 * a stop is noticed; after a failed connect, waits a second first. */
static void *
listener_run(void *arg)
{
        struct sr_server *srv = arg;
        struct sr_cluster_listener cl = {0};
        do {
                sr_cluster_listen(srv->app, &cl, 250);
        } while (!wait_for_stop(srv, cl.l == NULL ? 1 : 0));
        sr_cluster_listener_fini(&cl);
        sr_store_thread_done();
        return NULL;
}

static enum sr_rc
read_file(const char *path, char **ret)
{
        FILE *f = fopen(path, "re");
        if (f == NULL)
                return SR_E_IO;
        struct sr_buf b;
        sr_buf_init(&b, 1024 * 1024);
        char chunk[4096];
        size_t n;
        enum sr_rc rc = SR_OK;
        while (rc == SR_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                rc = sr_buf_append(&b, chunk, n);
        fclose(f);
        if (rc == SR_OK && b.len == 0)
                rc = SR_E_IO;
        if (rc != SR_OK) {
                sr_buf_fini(&b);
                return rc;
        }
        *ret = sr_buf_take(&b);
        return SR_OK;
}

/* "127.0.0.1:8443", "[::1]:8443" or "0.0.0.0:8443". */
static enum sr_rc
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *ret_len)
{
        char host[64];
        const char *colon = strrchr(listen, ':');
        if (colon == NULL || colon == listen || (size_t)(colon - listen) >= sizeof(host))
                return SR_E_INVALID_REQUEST;
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        char *end = NULL;
        unsigned long port = strtoul(colon + 1, &end, 10);
        if (*end != '\0' || port == 0 || port > 65535)
                return SR_E_INVALID_REQUEST;
        memset(ss, 0, sizeof(*ss));
        size_t hn = strlen(host);
        if (host[0] == '[' && hn > 2 && host[hn - 1] == ']') {
                host[hn - 1] = '\0';
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
                        return SR_E_INVALID_REQUEST;
                *ret_len = sizeof(*s6);
                return SR_OK;
        }
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
                return SR_E_INVALID_REQUEST;
        *ret_len = sizeof(*s4);
        return SR_OK;
}

static void
origin_of(const char *url, char out[256])
{
        /* scheme://host[:port] — the part before the first '/' after "//". */
        const char *p = strstr(url, "//");
        const char *end = p ? strchr(p + 2, '/') : NULL;
        size_t n = end ? (size_t)(end - url) : strlen(url);
        snprintf(out, 256, "%.*s", (int)(n < 255 ? n : 255), url);
}

static enum sr_rc
start_daemon(struct sr_server *srv, const char *listen, char *err, size_t err_len)
{
        struct sockaddr_storage ss;
        socklen_t ss_len = 0;
        if (parse_listen(listen, &ss, &ss_len) != SR_OK) {
                snprintf(err, err_len, "bad --listen address (want HOST:PORT)");
                return SR_E_INVALID_REQUEST;
        }
        unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         MHD_ALLOW_SUSPEND_RESUME;
        if (ss.ss_family == AF_INET6)
                flags |= MHD_USE_IPv6;
        unsigned threads = srv->app->cfg->http_threads;
        srv->daemon = MHD_start_daemon(
                flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &ss,
                MHD_OPTION_HTTPS_MEM_KEY, srv->key_pem, MHD_OPTION_HTTPS_MEM_CERT, srv->cert_pem,
                MHD_OPTION_HTTPS_PRIORITIES, sr_tls_priorities, MHD_OPTION_CONNECTION_TIMEOUT,
                (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)16384,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)256,
                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
                MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_EXTERNAL_LOGGER,
                mhd_log, srv, MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,
                MHD_OPTION_END);
        if (srv->daemon == NULL) {
                snprintf(err, err_len, "cannot listen on %s", listen);
                return SR_E_IO;
        }
        return SR_OK;
}

enum sr_rc
sr_server_start(struct sr_app *app, const char *listen, struct sr_server **ret, char *err,
                size_t err_len)
{
        struct sr_server *srv = sr_calloc(1, sizeof(*srv));
        if (srv == NULL)
                return SR_E_NOMEM;
        srv->app = app;
        pthread_mutex_init(&srv->stop_lock, NULL);
        pthread_cond_init(&srv->stop_cond, NULL);
        origin_of(app->cfg->public_url, srv->origin);
        char path[4096];
        enum sr_rc rc = sr_cidr_parse_list(app->cfg->trusted_proxies, srv->proxies, MAX_PROXIES,
                                           &srv->n_proxies);
        if (rc != SR_OK)
                snprintf(err, err_len, "bad trusted_proxies setting");
        if (rc == SR_OK) {
                snprintf(path, sizeof(path), "%s/tls/key.pem", app->cfg->data_dir);
                rc = read_file(path, &srv->key_pem);
        }
        if (rc == SR_OK) {
                snprintf(path, sizeof(path), "%s/tls/cert.pem", app->cfg->data_dir);
                rc = read_file(path, &srv->cert_pem);
        }
        if (rc == SR_E_IO)
                snprintf(err, err_len, "cannot read %s", path);
        if (rc == SR_OK)
                rc = sr_workers_new(app->cfg->worker_threads, app->cfg->worker_queue,
                                    &srv->workers);
        if (rc == SR_OK)
                rc = start_daemon(srv, listen, err, err_len);
        if (rc == SR_OK && app->cfg->plain_listen != NULL)
                rc = sr_plain_start(app->cfg->plain_listen, app->cfg->public_url, &srv->plain,
                                    err, err_len);
        if (rc == SR_OK) {
                if (pthread_create(&srv->sweeper, NULL, sweeper_run, srv) != 0)
                        rc = SR_E_INTERNAL;
                else
                        srv->sweeper_running = true;
        }
        if (rc == SR_OK && sr_store_shared(app->st)) {
                if (pthread_create(&srv->listener, NULL, listener_run, srv) != 0)
                        rc = SR_E_INTERNAL;
                else
                        srv->listener_running = true;
        }
        if (rc != SR_OK) {
                sr_server_stop(srv);
                return rc;
        }
        *ret = srv;
        return SR_OK;
}

void
sr_server_stop(struct sr_server *srv)
{
        if (srv == NULL)
                return;
        if (srv->daemon != NULL)
                MHD_quiesce_daemon(srv->daemon);
        sr_plain_stop(srv->plain);
        /* Finish queued sign-ins before the daemon goes: their connections
         * are suspended and must be resumed to be freed. */
        sr_workers_free(srv->workers);
        if (srv->daemon != NULL)
                MHD_stop_daemon(srv->daemon);
        pthread_mutex_lock(&srv->stop_lock);
        srv->stopping = true;
        pthread_cond_broadcast(&srv->stop_cond);
        pthread_mutex_unlock(&srv->stop_lock);
        if (srv->sweeper_running)
                pthread_join(srv->sweeper, NULL);
        if (srv->listener_running)
                pthread_join(srv->listener, NULL);
        pthread_mutex_destroy(&srv->stop_lock);
        pthread_cond_destroy(&srv->stop_cond);
        if (srv->key_pem != NULL)
                sodium_memzero(srv->key_pem, strlen(srv->key_pem));
        sr_free(srv->key_pem);
        sr_free(srv->cert_pem);
        sr_free(srv);
}
