#pragma once
/* Invariant checks for the fuzz targets: a broken promise of the code
 * under test prints what was promised and aborts, so libFuzzer saves the
 * input as a crash. */
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, what)                                                             \
        do {                                                                               \
                if (!(cond)) {                                                             \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
                                (what));                                                   \
                        abort();                                                           \
                }                                                                          \
        } while (0)
