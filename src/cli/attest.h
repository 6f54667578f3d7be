#pragma once
/* `strongroom attest --data-dir DIR [--json] [--master-key-file PATH]`:
 * for each claim of docs/claims.md, whether this build enforces it
 * (enforced, partial, no) and the active settings that decide it. */
#include <stdbool.h>
#include <stddef.h>

/* Runs the subcommand; argv[0] is "attest". Returns the exit status: 0 on
 * success, 1 when the data directory or its config cannot be read, 2 on bad
 * arguments (one line on stderr in both failure cases). */
int sr_cli_attest(int argc, char **argv);

/* The claim list, hand-copied from docs/claims.md into attest_claims.c
 * (tools/claims_coverage.py --check keeps the two in sync). */
size_t sr_attest_claim_count(void);
/* Sets *ret_id and *ret_title to static strings (nobody frees them) and
 * returns true, or returns false with both untouched when i is past the end. */
bool sr_attest_claim_at(size_t i, const char **ret_id, const char **ret_title);
