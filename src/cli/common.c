/* Option parsing and error lines shared by subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int
sr_cli_opt(int argc, char **argv, int *i, const char *name, const char **ret)
{
        size_t n = strlen(name);
        const char *a = argv[*i];
        if (strncmp(a, name, n) != 0)
                return 0;
        if (a[n] == '=') {
                *ret = a + n + 1;
                return 1;
        }
        if (a[n] != '\0')
                return 0;
        if (*i + 1 >= argc)
                return -1;
        *ret = argv[++*i];
        return 1;
}

void
sr_cli_fail(const char *cmd, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "strongroom %s: ", cmd);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}
