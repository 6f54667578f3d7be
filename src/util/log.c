/* JSON-lines logger. One line per call, written with a single write(2) so
 * lines from different threads never interleave.
 *
 * A line is logged per request, so the common case is built in a stack
 * buffer: when every key and value is printable ASCII without '"' or '\'
 * (ids, codes, numbers: nothing there needs escaping in JSON) the line is
 * copied out as is, in the order jansson would write it. Anything else
 * (a control byte, a quote, non-ASCII, a line too long) goes through
 * jansson, which does the escaping. */
#include "util/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

#define FAST_LINE_MAX 1024

static enum sr_log_level min_level = SR_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
sr_log_set_level(enum sr_log_level lvl)
{
        min_level = lvl;
}

static bool
plain(const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
                        return false;
        return true;
}

/* Appends "key":"value" (with a leading comma unless first); false when it
 * does not fit or needs escaping. */
static bool
put_pair(char *line, size_t *len, const char *k, const char *v)
{
        if (!plain(k) || !plain(v))
                return false;
        size_t kn = strlen(k), vn = strlen(v);
        size_t need = kn + vn + 6; /* , " " : " " */
        if (*len + need + 2 > FAST_LINE_MAX) /* room for "}\n" */
                return false;
        char *p = line + *len;
        if (*len > 1)
                *p++ = ',';
        *p++ = '"';
        memcpy(p, k, kn);
        p += kn;
        *p++ = '"';
        *p++ = ':';
        *p++ = '"';
        memcpy(p, v, vn);
        p += vn;
        *p++ = '"';
        *len = (size_t)(p - line);
        return true;
}

static void
emit(char *line, size_t n)
{
        ssize_t w SR_UNUSED = write(STDERR_FILENO, line, n);
}

static bool
fast_line(const char *ts, enum sr_log_level lvl, const char *msg, va_list ap)
{
        char line[FAST_LINE_MAX];
        size_t len = 1;
        line[0] = '{';
        if (!put_pair(line, &len, "time", ts) || !put_pair(line, &len, "level", level_names[lvl]) ||
            !put_pair(line, &len, "msg", msg))
                return false;
        const char *k;
        while ((k = va_arg(ap, const char *)) != NULL) {
                const char *v = va_arg(ap, const char *);
                if (v != NULL && !put_pair(line, &len, k, v))
                        return false;
        }
        line[len++] = '}';
        line[len++] = '\n';
        emit(line, len);
        return true;
}

static void
jansson_line(const char *ts, enum sr_log_level lvl, const char *msg, va_list ap)
{
        json_t *o = json_object();
        if (o == NULL)
                return;
        json_object_set_new(o, "time", json_string(ts));
        json_object_set_new(o, "level", json_string(level_names[lvl]));
        json_object_set_new(o, "msg", json_string(msg));
        const char *k;
        while ((k = va_arg(ap, const char *)) != NULL) {
                const char *v = va_arg(ap, const char *);
                if (v != NULL)
                        json_object_set_new(o, k, json_string(v));
        }
        char *line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (line == NULL)
                return;
        size_t n = strlen(line);
        line[n] = '\n';
        emit(line, n + 1);
        line[n] = '\0';
        free(line);
}

static void
vlog(enum sr_log_level lvl, const char *msg, va_list ap)
{
        if (lvl < min_level)
                return;
        char ts[32];
        sr_clock_format((int64_t)time(NULL), ts, sizeof(ts));
        va_list fast;
        va_copy(fast, ap);
        bool done = fast_line(ts, lvl, msg, fast);
        va_end(fast);
        if (!done)
                jansson_line(ts, lvl, msg, ap);
}

void
sr_log(enum sr_log_level lvl, const char *msg, ...)
{
        va_list ap;
        va_start(ap, msg);
        vlog(lvl, msg, ap);
        va_end(ap);
}

enum sr_rc
sr_log_rc(enum sr_rc rc, const char *what)
{
        sr_log(SR_LOG_ERROR, what, "code", sr_rc_name(rc), NULL);
        return rc;
}
