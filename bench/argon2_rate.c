/*
 * argon2_rate.c - raw argon2id hashes/s on this machine with the parameters
 * the server uses for passwords: crypto_pwhash_str, opslimit 2,
 * memlimit 19 MiB (libsodium, argon2id13, p = 1), on THREADS threads
 * (bench/run.sh passes the worker-pool size).
 *
 * Usage:  argon2_rate THREADS SECONDS
 * Prints: RESULT threads=N seconds=S hashes=H rate=R per_hash_ms=X
 * Build:  gcc -O2 -o argon2_rate argon2_rate.c -lsodium -lpthread
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPSLIMIT 2ULL
#define MEMLIMIT (19u * 1024u * 1024u)

static double seconds;
static double t0;

static double
now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
worker(void *arg)
{
        long *count = arg;
        static const char pw[] = "bench password of good length";
        char out[crypto_pwhash_STRBYTES];
        while (now() - t0 < seconds) {
                if (crypto_pwhash_str(out, pw, sizeof(pw) - 1, OPSLIMIT, MEMLIMIT) != 0) {
                        fprintf(stderr, "crypto_pwhash_str failed (out of memory?)\n");
                        exit(1);
                }
                (*count)++;
        }
        return NULL;
}

int
main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: %s THREADS SECONDS\n", argv[0]);
                return 2;
        }
        if (sodium_init() < 0)
                return 1;
        int n = atoi(argv[1]);
        seconds = atof(argv[2]);
        if (n < 1 || n > 64 || seconds <= 0)
                return 2;
        pthread_t th[64];
        long counts[64] = {0};
        t0 = now();
        for (int i = 0; i < n; i++)
                if (pthread_create(&th[i], NULL, worker, &counts[i]) != 0)
                        return 1;
        long total = 0;
        for (int i = 0; i < n; i++) {
                pthread_join(th[i], NULL);
                total += counts[i];
        }
        /* Every thread finishes the hash it started before the deadline, so
         * divide by the real elapsed time, not the nominal one. */
        double el = now() - t0;
        printf("RESULT threads=%d seconds=%.2f hashes=%ld rate=%.2f per_hash_ms=%.2f\n", n, el,
               total, (double)total / el, 1000.0 * el * n / (double)(total ? total : 1));
        return 0;
}
