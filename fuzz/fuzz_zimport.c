/* fuzz_zimport.c - the zone file importer (sd_zone_import, as `scaidnsctl zone import`
 * runs it): the input is the zone file, imported as example.com. into an empty keystore.
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": a refused file commits nothing
 * and says why; an accepted one leaves a zone with its SOA at the apex, every owner inside the
 * zone, and every record's content in canonical form (parsing it again gives it back), which
 * is what PowerDNS will be served. An import that wrote anything is undone (the keystore is
 * copied back from its empty template) so that every input starts alike.
 *
 * Files that mention CERT (or TYPE37) are skipped: ldns 1.8.3 leaks while it refuses a CERT
 * of type 0 (scaidns-api refuses those before ldns sees them, see rdata.c; here ldns reads
 * the file itself), and a known leak outside scaidns would stop every run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_world.h"
#include "keystore/rdata.h"
#include "keystore/zone.h"

/* Set up once by LLVMFuzzerInitialize: the harness's configuration. */
static fz_world world;
static sqlite3 *db, *template_db;
static char zone_path[256];
static int commits; /* transactions db committed (its commit hook counts) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sqlite3_commit_hook callback: counts; never turns a commit into a rollback. */
static int count_commit(void *arg)
{
    (*(int *)arg)++;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_world_init(&world, "zimport", 0);
    snprintf(zone_path, sizeof zone_path, "%s/input.zone", world.dir);
    db = fz_world_open(&world);
    if (sqlite3_open(":memory:", &template_db) != SQLITE_OK)
        fz_die("template keystore: out of memory");
    fz_db_copy(template_db, db);
    sqlite3_commit_hook(db, count_commit, &commits);
    return 0;
}

/* Aborts (a finding) with what is wrong about the imported zone. */
static void broken(const char *why, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_zimport: %s: %s %s\n", why, a ? a : "", b ? b : "");
    abort();
}

/* Checks what an accepted import stored for zone z (see the top of the file). */
static void check_stored(const sd_zone *z)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT s.name, s.type, r.content FROM rrsets s JOIN records r ON "
                           "r.rrset_id = s.id WHERE s.zone_id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        fz_die("%s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, z->id);
    int soa = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        const char *content = (const char *)sqlite3_column_text(st, 2);
        soa += strcmp(type, "SOA") == 0 && strcmp(name, z->name) == 0;
        if (!sd_name_in_zone(name, z->name))
            broken("an owner outside the zone", name, type);
        char *again = NULL;
        sd_err e;
        if (sd_rdata_canon(name, type, content, &again, &e) < 0)
            broken("stored content does not parse", content, e.msg);
        if (strcmp(again, content) != 0)
            broken("stored content is not canonical", content, again);
        free(again);
    }
    sqlite3_finalize(st);
    if (soa != 1)
        broken("the zone has no single SOA at its apex", z->name, NULL);
}

/* Returns 1 if the size bytes at data hold word, in any case. */
static int mentions(const uint8_t *data, size_t size, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= size; i++)
        if (strncasecmp((const char *)data + i, word, n) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mentions(data, size, "CERT") || mentions(data, size, "TYPE37"))
        return 0;
    FILE *f = fopen(zone_path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fz_die("cannot write %s", zone_path);
    sd_zone z;
    sd_err e;
    sd_err_clear(&e);
    int before = commits;
    int rc = sd_zone_import(db, "example.com.", zone_path, "fuzz", 1776938400, &z, &e);
    if (rc < 0 && (commits != before || e.code == 0 || !e.msg[0]))
        broken("a refused import committed or gave no reason", e.msg, NULL);
    if (rc == 0)
        check_stored(&z);
    if (commits != before)
        fz_db_copy(db, template_db);
    return 0;
}
