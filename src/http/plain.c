/* Plain-HTTP listener that never serves data (DATA-1). */
#include "http/plain.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "util/alloc.h"

struct sr_plain {
        struct MHD_Daemon *daemon;
        char public_url[256];
};

int
sr_plain_may_redirect(const char *method, const char *path, int has_credentials)
{
        if (has_credentials)
                return 0;
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
                return 0;
        if (strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0 ||
            strcmp(path, "/openapi.json") == 0)
                return 0;
        return 1;
}

static enum MHD_Result
on_plain(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
         const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
        (void)version;
        (void)upload_data;
        (void)upload_data_size;
        (void)con_cls;
        struct sr_plain *p = cls;
        int creds = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization") != NULL ||
                    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie") != NULL;
        struct MHD_Response *r;
        unsigned status;
        if (sr_plain_may_redirect(method, url, creds) && strlen(url) < 2048) {
                char loc[2400];
                snprintf(loc, sizeof(loc), "%s%s", p->public_url, url);
                r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
                if (r != NULL)
                        MHD_add_response_header(r, "Location", loc);
                status = 308;
        } else {
                r = sr_response_problem(SR_E_HTTPS_REQUIRED, &status);
        }
        if (r == NULL)
                return MHD_NO;
        sr_response_security_headers(r, false);
        enum MHD_Result ret = MHD_queue_response(conn, status, r);
        MHD_destroy_response(r);
        return ret;
}

static void
quiet(void *cls, const char *fmt, va_list ap)
{
        (void)cls;
        (void)fmt;
        (void)ap;
}

enum sr_rc
sr_plain_start(const char *listen, const char *public_url, struct sr_plain **ret, char *err,
               size_t err_len)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        char host[64];
        const char *colon = strrchr(listen, ':');
        if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
                snprintf(err, err_len, "bad plain_listen (want IPv4:PORT)");
                return SR_E_INVALID_REQUEST;
        }
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        unsigned long port = strtoul(colon + 1, NULL, 10);
        if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || port == 0 || port > 65535) {
                snprintf(err, err_len, "bad plain_listen (want IPv4:PORT)");
                return SR_E_INVALID_REQUEST;
        }
        sa.sin_port = htons((uint16_t)port);
        struct sr_plain *p = sr_calloc(1, sizeof(*p));
        if (p == NULL)
                return SR_E_NOMEM;
        snprintf(p->public_url, sizeof(p->public_url), "%s", public_url);
        p->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                                     on_plain, p, MHD_OPTION_SOCK_ADDR, &sa,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
                                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
                                     MHD_OPTION_EXTERNAL_LOGGER, quiet, NULL, MHD_OPTION_END);
        if (p->daemon == NULL) {
                sr_free(p);
                snprintf(err, err_len, "cannot listen on %s", listen);
                return SR_E_IO;
        }
        *ret = p;
        return SR_OK;
}

void
sr_plain_stop(struct sr_plain *p)
{
        if (p == NULL)
                return;
        MHD_stop_daemon(p->daemon);
        sr_free(p);
}
