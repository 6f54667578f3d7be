/* SMTP delivery with libcurl (AUTH-6, AUTH-9). Any relay that is not on
 * loopback must speak TLS: STARTTLS is required (CURLUSESSL_ALL) or the
 * URL is smtps://, and the certificate and host name are always verified
 * when TLS is used. On loopback (127.0.0.0/8, ::1, localhost) plain SMTP
 * is allowed, for a local MTA or the test sink. Nothing here logs: the
 * message holds secrets (reset links) and personal data (addresses). */
#include "mailer/mailer.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 60L

static bool
host_is_loopback(const char *host)
{
        if (strcasecmp(host, "localhost") == 0)
                return true;
        unsigned char a[16];
        if (inet_pton(AF_INET, host, a) == 1)
                return a[0] == 127;
        if (inet_pton(AF_INET6, host, a) == 1) {
                static const unsigned char one[16] = {[15] = 1};
                static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
                return memcmp(a, one, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
        }
        return false;
}

enum sr_rc
sr_mailer_parse_url(const char *url, struct sr_smtp_target *ret)
{
        struct sr_smtp_target t;
        memset(&t, 0, sizeof(t));
        const char *p;
        if (url == NULL)
                return SR_E_VALIDATION;
        if (strncasecmp(url, "smtp://", 7) == 0) {
                p = url + 7;
        } else if (strncasecmp(url, "smtps://", 8) == 0) {
                p = url + 8;
                t.implicit_tls = true;
        } else {
                return SR_E_VALIDATION;
        }
        size_t auth_len = strcspn(p, "/?#");
        /* Credentials ("user:pass@") end at the last '@' of the authority. */
        const char *host = p;
        for (size_t i = 0; i < auth_len; i++)
                if (p[i] == '@')
                        host = p + i + 1;
        size_t rest = auth_len - (size_t)(host - p);
        size_t n;
        if (rest > 0 && host[0] == '[') {
                const char *close = memchr(host, ']', rest);
                if (close == NULL)
                        return SR_E_VALIDATION;
                host++;
                n = (size_t)(close - host);
                if (close[1] != ':' && close + 1 != p + auth_len)
                        return SR_E_VALIDATION;
        } else {
                n = strcspn(host, ":/?#");
                if (n > rest)
                        n = rest;
        }
        if (n == 0 || n >= sizeof(t.host))
                return SR_E_VALIDATION;
        memcpy(t.host, host, n);
        t.host[n] = '\0';
        t.loopback = host_is_loopback(t.host);
        *ret = t;
        return SR_OK;
}

struct upload {
        const char *p;
        size_t left;
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
        struct upload *u = arg;
        size_t room = size * nitems;
        size_t n = u->left < room ? u->left : room;
        memcpy(buf, u->p, n);
        u->p += n;
        u->left -= n;
        return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init(void)
{
        curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
set_tls(CURL *c, const struct sr_smtp_target *t)
{
        if (t->loopback && !t->implicit_tls) {
                curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_NONE);
                return;
        }
        /* Not on loopback: TLS or nothing, verified. */
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
}

static enum sr_rc
smtp_send(const char *url, const char *from, const char *rcpt, const char *msg, size_t len)
{
        struct sr_smtp_target t;
        if (sr_mailer_parse_url(url, &t) != SR_OK)
                return SR_E_IO;
        pthread_once(&curl_once, curl_init);
        if (curl_init_rc != CURLE_OK)
                return SR_E_IO;
        char from_env[300], rcpt_env[300];
        snprintf(from_env, sizeof(from_env), "<%s>", from);
        snprintf(rcpt_env, sizeof(rcpt_env), "<%s>", rcpt);
        CURL *c = curl_easy_init();
        if (c == NULL)
                return SR_E_NOMEM;
        struct curl_slist *rcpts = curl_slist_append(NULL, rcpt_env);
        if (rcpts == NULL) {
                curl_easy_cleanup(c);
                return SR_E_NOMEM;
        }
        struct upload u = {msg, len};
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_env);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(c, CURLOPT_READDATA, &u);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        set_tls(c, &t);
        CURLcode res = curl_easy_perform(c);
        curl_slist_free_all(rcpts);
        curl_easy_cleanup(c);
        return res == CURLE_OK ? SR_OK : SR_E_IO;
}

enum sr_rc
sr_mailer_send(const struct sr_config *cfg, const char *envelope_from, const char *rcpt,
               const char *msg, size_t len)
{
        if (cfg->smtp_url != NULL)
                return smtp_send(cfg->smtp_url, envelope_from, rcpt, msg, len);
        char dir[4096];
        int n = snprintf(dir, sizeof(dir), "%s/mail", cfg->data_dir);
        if (n < 0 || (size_t)n >= sizeof(dir))
                return SR_E_IO;
        return sr_mailer_maildir_write(dir, msg, len);
}
