/* keystore_bench.c - how long enabling DNSSEC takes in the keystore, and how large the
 * keystore grows. Usage: scaidns-bench-keystore DIR ZONES ALGORITHM
 * Creates DIR/bench.db and a seal key pair, N zones with SOA/NS and a few records, then
 * enables DNSSEC on each (one transaction per zone, as the API does) and reports the time of
 * that phase, zones per second and the file size. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "keystore/seal.h"
#include "keystore/zone.h"

/* Seconds since an arbitrary start, monotonic. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s DIR ZONES ALGORITHM\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[2]), alg = atoi(argv[3]);
    char dbpath[4096], keypath[4096];
    snprintf(dbpath, sizeof dbpath, "%s/bench.db", argv[1]);
    snprintf(keypath, sizeof keypath, "%s/seal.key", argv[1]);
    sd_err e;
    sqlite3 *db;
    sd_seal_keys seal;
    sd_config cfg;
    sd_policy pol;
    sd_config_defaults(&cfg);
    sd_policy_from_config(&cfg, &pol);
    if (sd_seal_create(keypath, &e) < 0 || sd_seal_load_public(keypath, &seal, &e) < 0 ||
        sd_db_open(dbpath, SD_DB_CREATE, &db, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    sd_zone *zones = calloc((size_t)n, sizeof *zones);
    sd_zone_init init = {.ns = "ns1.example.net.,ns2.example.net.",
                         .soa_rname = "hostmaster.example.net.",
                         .with_records = 1};
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "zone%06d.bench.", i);
        if (sd_zone_create(db, name, &init, "bench", time(NULL), &zones[i], &e) < 0) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    }
    double t1 = now_s();
    sd_ctx ctx = {db, &seal, &pol, "bench", (int64_t)time(NULL)};
    for (int i = 0; i < n; i++) {
        if (sd_dnssec_enable(&ctx, &zones[i], alg, &e) < 0) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    }
    double t2 = now_s();
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sd_db_close(db);
    struct stat st;
    stat(dbpath, &st);
    printf("zones=%d algorithm=%d create_s=%.2f enable_s=%.2f enable_zones_per_s=%.1f "
           "db_bytes=%lld bytes_per_zone=%lld\n",
           n, alg, t1 - t0, t2 - t1, n / (t2 - t1), (long long)st.st_size,
           (long long)st.st_size / n);
    free(zones);
    return 0;
}
