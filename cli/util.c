/* util.c - helpers shared by the scaidnsctl commands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "keystore/db.h"

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("scaidnsctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_fail(const sd_err *e)
{
    return cli_error("%s", e->msg[0] ? e->msg : "failed");
}

sqlite3 *cli_open_db(const cli *c)
{
    sqlite3 *db = NULL;
    sd_err e;
    if (sd_db_open(c->cfg.db, 0, &db, &e) < 0) {
        cli_fail(&e);
        return NULL;
    }
    return db;
}

/* Removes argument i from c. */
static void drop_arg(cli *c, int i)
{
    for (int j = i; j < c->argc - 1; j++)
        c->argv[j] = c->argv[j + 1];
    c->argc--;
}

const char *cli_take_opt(cli *c, const char *name, int is_flag)
{
    size_t n = strlen(name);
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
            continue;
        if (a[2 + n] == '\0') {
            if (is_flag) {
                drop_arg(c, i);
                return "";
            }
            if (i + 1 >= c->argc)
                return NULL;
            const char *v = c->argv[i + 1];
            drop_arg(c, i);
            drop_arg(c, i);
            return v;
        }
        if (a[2 + n] == '=' && !is_flag) {
            drop_arg(c, i);
            return a + 3 + n;
        }
    }
    return NULL;
}

int cli_check_args(const cli *c, int min, int max, const char *usage)
{
    for (int i = 0; i < c->argc; i++)
        if (strncmp(c->argv[i], "--", 2) == 0)
            return cli_error("unknown option %s (usage: %s)", c->argv[i], usage);
    if (c->argc < min || c->argc > max)
        return cli_error("usage: %s", usage);
    return 0;
}
