/* The store's placeholders in PostgreSQL's spelling. */
#include "store/pg/translate.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

enum sr_rc
pg_translate(const char *sql, int max_params, char **ret, int *ret_n)
{
        size_t len = strlen(sql), marks = 0;
        for (const char *p = strchr(sql, '?'); p != NULL; p = strchr(p + 1, '?'))
                marks++;
        char *out = sr_malloc(len + marks * 12 + 1); /* "$" + an int, per mark */
        if (out == NULL)
                return SR_E_NOMEM;
        char *o = out;
        int next = 0, max = 0;
        char quote = 0;
        for (const char *p = sql; *p != '\0'; p++) {
                if (quote != 0) {
                        if (*p == quote)
                                quote = 0;
                        *o++ = *p;
                        continue;
                }
                if (*p == '\'' || *p == '"') {
                        quote = *p;
                        *o++ = *p;
                        continue;
                }
                if (*p != '?') {
                        *o++ = *p;
                        continue;
                }
                int n = 0;
                while (p[1] >= '0' && p[1] <= '9' && n < 1000)
                        n = n * 10 + (*++p - '0');
                if (n == 0)
                        n = ++next;
                if (n > max)
                        max = n;
                o += sprintf(o, "$%d", n);
        }
        *o = '\0';
        if (max > max_params) {
                sr_free(out);
                return SR_E_INTERNAL;
        }
        *ret = out;
        *ret_n = max;
        return SR_OK;
}

