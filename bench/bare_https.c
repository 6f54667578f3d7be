/*
 * bare_https.c - the baseline for bench/run.sh: a libmicrohttpd HTTPS "hello"
 * handler with the same TLS settings as `strongroom serve` (priorities,
 * TLS + internal polling thread + epoll, thread pool of 2, the server's own
 * certificate and key), answering a small JSON body.
 *
 * It answers on the SECOND access-handler call, as the server does: a
 * response queued on the first call (headers only) makes libmicrohttpd send
 * "Connection: close" and every request becomes a new TLS handshake
 * (DESIGN.md, "libmicrohttpd notes").
 *
 * Usage:  bare_https PORT CERT.pem KEY.pem     (runs until SIGTERM/SIGINT)
 * Build:  gcc -O2 -o bare_https bare_https.c $(pkg-config --cflags --libs libmicrohttpd)
 */
#define _GNU_SOURCE
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Same string as sr_tls_priorities in src/http/server.c. */
static const char prio[] =
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:"
        "+AES-256-GCM:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:"
        "%SERVER_PRECEDENCE";

static const char body[] = "{\"hello\":\"world\",\"ok\":true}";
static int marker;

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
        (void)cls;
        (void)url;
        (void)method;
        (void)version;
        (void)upload_data;
        if (*con_cls == NULL) { /* first call: headers only */
                *con_cls = &marker;
                return MHD_YES;
        }
        if (*upload_data_size != 0) { /* swallow any body */
                *upload_data_size = 0;
                return MHD_YES;
        }
        struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
                                                                 MHD_RESPMEM_PERSISTENT);
        if (r == NULL)
                return MHD_NO;
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ret;
}

static void
quiet_log(void *cls, const char *fmt, va_list ap)
{
        (void)cls;
        (void)fmt;
        (void)ap;
}

static char *
slurp(const char *path)
{
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
                perror(path);
                exit(1);
        }
        char *buf = malloc(65536);
        size_t n = buf ? fread(buf, 1, 65535, f) : 0;
        fclose(f);
        if (n == 0) {
                fprintf(stderr, "%s: empty or unreadable\n", path);
                exit(1);
        }
        buf[n] = '\0';
        return buf;
}

int
main(int argc, char **argv)
{
        if (argc != 4) {
                fprintf(stderr, "usage: %s PORT CERT.pem KEY.pem\n", argv[0]);
                return 2;
        }
        unsigned port = (unsigned)atoi(argv[1]);
        char *cert = slurp(argv[2]);
        char *key = slurp(argv[3]);

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, NULL); /* MHD threads inherit the mask */

        struct MHD_Daemon *d = MHD_start_daemon(
                MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL,
                NULL, &handler, NULL, MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                MHD_OPTION_HTTPS_PRIORITIES, prio, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)2,
                MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
        if (d == NULL) {
                fprintf(stderr, "bare_https: cannot start on port %u\n", port);
                return 1;
        }
        printf("listening %u\n", port);
        fflush(stdout);
        int sig = 0;
        sigwait(&set, &sig);
        MHD_stop_daemon(d);
        free(cert);
        free(key);
        return 0;
}
