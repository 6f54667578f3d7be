/* JSON-lines logger. One line per call, written with a single write(2) so
 * lines from different threads never interleave. */
#include "util/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

static enum sr_log_level min_level = SR_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
sr_log_set_level(enum sr_log_level lvl)
{
        min_level = lvl;
}

static void
vlog(enum sr_log_level lvl, const char *msg, va_list ap)
{
        if (lvl < min_level)
                return;
        json_t *o = json_object();
        if (o == NULL)
                return;
        char ts[32];
        sr_clock_format((int64_t)time(NULL), ts, sizeof(ts));
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
        ssize_t w SR_UNUSED = write(STDERR_FILENO, line, n + 1);
        line[n] = '\0';
        free(line);
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
