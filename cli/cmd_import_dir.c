/* cmd_import_dir.c - scaidnsctl zone import DIR: every zone file of a directory, each zone in
 * its own transaction, so that one bad file stops only itself. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "keystore/db.h"
#include "keystore/zone.h"

/* The zone name a file name stands for: "example.com.zone", "example.com.db", "db.example.com"
 * and "example.com" all give "example.com". Writes into out (size len). */
static void zone_of_file(const char *file, char *out, size_t len)
{
    const char *start = strncmp(file, "db.", 3) == 0 ? file + 3 : file;
    size_t n = strlen(start);
    static const char *const suffixes[] = {".zone", ".db"};
    for (size_t i = 0; i < 2; i++) {
        size_t s = strlen(suffixes[i]);
        if (n > s && strcmp(start + n - s, suffixes[i]) == 0) {
            n -= s;
            break;
        }
    }
    snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), start);
}

/* Orders file names for a stable import order. */
static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_import_dir(cli *c, const char *dir, const sd_import_opts *o)
{
    DIR *d = opendir(dir);
    if (!d)
        return cli_error("cannot open directory %s (usage: zone import NAME FILE for one zone "
                         "file, zone import DIR for a directory of them)",
                         dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n] = strdup(ent->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    sqlite3 *db = cli_open_db(c);
    size_t ok = 0, failed = 0;
    for (size_t i = 0; db && i < n; i++) {
        char path[8192], zone[512];
        struct stat st;
        int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof path || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        zone_of_file(names[i], zone, sizeof zone);
        sd_zone z;
        sd_err e;
        sd_import_stats stats;
        if (sd_zone_import_opts(db, zone, path, o, "scaidnsctl", c->now, &z, &stats, &e) < 0) {
            cli_error("%s: %s", names[i], e.msg);
            failed++;
        } else {
            printf("%s %s\n", z.public_id, z.name);
            cli_import_summary(z.name, &stats);
            ok++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (!db)
        return 1;
    sd_db_close(db);
    fprintf(stderr, "scaidnsctl: imported %zu zone(s) from %s, %zu failed\n", ok, dir, failed);
    return failed ? 1 : 0;
}
