/* strongroom: one binary, one subcommand per job. Process hygiene first:
 * umask 077, no core dumps, not dumpable (DATA-5: secrets never reach a
 * crash file). */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli/attest.h"
#include "cli/cli.h"

static const char usage[] =
        "usage: strongroom <command> [options]\n"
        "\n"
        "commands:\n"
        "  init     create a data directory, keys, certificate and first operator\n"
        "  serve    run the HTTPS server\n"
        "  audit    verify the tamper-evident audit chain (audit verify)\n"
        "  attest   print which claims this build enforces, with their settings\n"
        "\n"
        "Every command takes --help. strongroom --version prints the version.\n";

static void
harden_process(void)
{
        umask(077);
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int
main(int argc, char **argv)
{
        harden_process();
        if (argc < 2) {
                fputs(usage, stderr);
                return 2;
        }
        const char *cmd = argv[1];
        if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
                printf("strongroom %s\n", SR_VERSION);
                return 0;
        }
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
                fputs(usage, stdout);
                return 0;
        }
        if (strcmp(cmd, "init") == 0)
                return sr_cli_init(argc - 1, argv + 1);
        if (strcmp(cmd, "serve") == 0)
                return sr_cli_serve(argc - 1, argv + 1);
        if (strcmp(cmd, "audit") == 0)
                return sr_cli_audit(argc - 1, argv + 1);
        if (strcmp(cmd, "attest") == 0)
                return sr_cli_attest(argc - 1, argv + 1);
        fprintf(stderr, "strongroom: unknown command '%s' (see strongroom --help)\n", cmd);
        return 2;
}
