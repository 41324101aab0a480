/* migrations.h - the numbered SQL files of schema/, embedded at build time. */
#ifndef SCAIDNS_MIGRATIONS_H
#define SCAIDNS_MIGRATIONS_H

/* sd_migrations[i] is the text of schema/00(i+1)_*.sql. */
extern const char *const sd_migrations[];
extern const int sd_migration_count;

#endif
