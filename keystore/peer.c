/* peer.c - uid lists and SO_PEERCRED. */
#define _GNU_SOURCE /* struct ucred */
#include "keystore/peer.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Adds uid to l unless it is there; -1 when l is full. */
static int add(sd_uidlist *l, uid_t uid)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->uids[i] == uid)
            return 0;
    if (l->n == SD_UIDS_MAX)
        return -1;
    l->uids[l->n++] = uid;
    return 0;
}

/* Notes name (len bytes) in l->unknown; a list that no longer fits ends in "...". */
static void note_unknown(sd_uidlist *l, const char *name, size_t len)
{
    size_t used = strlen(l->unknown), cap = sizeof l->unknown;
    size_t need = len + (used ? 1 : 0);
    if (used + need + 4 > cap) {
        if (used + 4 <= cap && (used < 3 || strcmp(l->unknown + used - 3, "...") != 0))
            memcpy(l->unknown + used, "...", 4);
        return;
    }
    if (used)
        l->unknown[used++] = ',';
    memcpy(l->unknown + used, name, len);
    l->unknown[used + len] = '\0';
}

/* Resolves one item (len bytes at s, trimmed, not empty) into l. */
static int add_item(sd_uidlist *l, const char *key, const char *s, size_t len, sd_err *e)
{
    char name[256];
    if (len >= sizeof name)
        return sd_fail(e, SD_EBADINPUT, "%s: '%.*s...' is too long for a user name", key, 32, s);
    memcpy(name, s, len);
    name[len] = '\0';
    if (isdigit((unsigned char)name[0])) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(name, &end, 10);
        if (errno || *end || v >= (unsigned long long)(uid_t)-1)
            return sd_fail(e, SD_EBADINPUT, "%s: '%s' is not a uid (0 to %u)", key, name,
                           (unsigned)((uid_t)-1 - 1));
        if (add(l, (uid_t)v) < 0)
            return sd_fail(e, SD_EBADINPUT, "%s: more than %d users", key, SD_UIDS_MAX);
        return 0;
    }
    if (name[0] == '-')
        return sd_fail(e, SD_EBADINPUT, "%s: '%s' is not a uid (0 to %u)", key, name,
                       (unsigned)((uid_t)-1 - 1));
    char buf[4096];
    struct passwd pw, *found = NULL;
    if (getpwnam_r(name, &pw, buf, sizeof buf, &found) != 0 || !found) {
        note_unknown(l, name, len);
        return 0;
    }
    if (add(l, found->pw_uid) < 0)
        return sd_fail(e, SD_EBADINPUT, "%s: more than %d users", key, SD_UIDS_MAX);
    return 0;
}

int sd_uidlist_parse(const char *key, const char *spec, sd_uidlist *out, sd_err *e)
{
    memset(out, 0, sizeof *out);
    add(out, getuid());
    add(out, 0);
    const char *p = spec;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return 0;
    for (int items = 0;; items++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        if (len == 0)
            return sd_fail(e, SD_EBADINPUT, "%s: an empty item in '%s'", key, spec);
        if (len == 1 && *p == '*') {
            if (items > 0 || end)
                return sd_fail(e, SD_EBADINPUT, "%s: '*' must stand alone", key);
            out->any = 1;
        } else if (add_item(out, key, p, len, e) < 0) {
            return -SD_EBADINPUT;
        }
        if (!end)
            return 0;
        p = end + 1;
    }
}

int sd_uidlist_allows(const sd_uidlist *l, uid_t uid)
{
    if (l->any)
        return 1;
    for (size_t i = 0; i < l->n; i++)
        if (l->uids[i] == uid)
            return 1;
    return 0;
}

int sd_peer_cred(int fd, uid_t *uid, pid_t *pid)
{
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
        return -1;
    if (len != sizeof cr) {
        errno = EPROTO;
        return -1;
    }
    *uid = cr.uid;
    *pid = cr.pid;
    return 0;
}
