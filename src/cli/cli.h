#pragma once
/* Subcommands. Each takes argv with argv[0] = the command name and returns
 * the process exit status; failures print one line on stderr. */

int sr_cli_init(int argc, char **argv);
int sr_cli_serve(int argc, char **argv);
int sr_cli_audit(int argc, char **argv);

/* Shared option parsing: "--name VALUE" or "--name=VALUE". Returns 1 and
 * advances *i when argv[*i] is the option, 0 when it is not, -1 when the
 * value is missing. */
int sr_cli_opt(int argc, char **argv, int *i, const char *name, const char **ret);
/* Prints "strongroom <cmd>: <msg>" on stderr. */
void sr_cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
