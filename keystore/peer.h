/* peer.h - who may connect to scaidns's Unix sockets: a list of uids from the
 * configuration (backend-allowed-uids, api-socket-allowed-uids), checked against the
 * kernel's SO_PEERCRED of each accepted connection. */
#ifndef SCAIDNS_PEER_H
#define SCAIDNS_PEER_H

#include <stddef.h>
#include <sys/types.h>

#include "keystore/error.h"

#define SD_UIDS_MAX 32

typedef struct sd_uidlist {
    int any;  /* "*": every uid the socket's mode lets connect */
    size_t n; /* uids[0..n): always this process's uid and root first */
    uid_t uids[SD_UIDS_MAX];
    char unknown[256]; /* names the system does not know, comma separated (skipped) */
} sd_uidlist;

/* Parses spec, the value of configuration key key: user names or numeric uids separated by
 * commas (spaces around each ignored), or "*" alone for any uid. The uid this process runs
 * as and root are always in the list (both can read everything the process can anyway), so
 * "" allows only them. Names are looked up once, here. A name the system does not know is
 * skipped and listed in out->unknown for the caller to warn about: the list fails closed.
 * -SD_EBADINPUT, naming key, for an empty item, "*" beside other items, a uid that is out of
 * range (negative, or 4294967295) or more than SD_UIDS_MAX entries. */
int sd_uidlist_parse(const char *key, const char *spec, sd_uidlist *out, sd_err *e);

/* 1 when l lets uid connect, else 0. */
int sd_uidlist_allows(const sd_uidlist *l, uid_t uid);

/* The credentials of the process at the other end of the connected Unix socket fd, as the
 * kernel recorded them at connect (SO_PEERCRED). 0, or -1 with errno set. */
int sd_peer_cred(int fd, uid_t *uid, pid_t *pid);

#endif
