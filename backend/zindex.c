/* zindex.c - a zone's owner names, empty non-terminals, delegations and NSEC/NSEC3 chains,
 * computed the way PowerDNS's rectify computes them (pdns/dbdnsseckeeper.cc), so that what
 * the backend answers agrees with what PowerDNS would have stored in ordername/auth. */
#include "backend/store.h"

#include <stdlib.h>
#include <string.h>

static int cmp_names(const void *a, const void *b)
{
    return sb_dname_cmp(((const sb_name *)a)->name, ((const sb_name *)b)->name);
}

const sb_name *sb_zindex_find(const sb_zindex *x, const char *name)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = sb_dname_cmp(name, x->names[mid].name);
        if (r == 0)
            return &x->names[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Returns 1 when a strict ancestor of name, below the apex, is a delegation point. */
static int occluded(const sb_zindex *x, const char *zone, const char *name)
{
    if (strcmp(name, zone) == 0)
        return 0;
    for (const char *p = sb_dname_parent(name); p && strcmp(p, zone) != 0; p = sb_dname_parent(p)) {
        const sb_name *n = sb_zindex_find(x, p);
        if (n && (n->flags & SB_N_DELEG))
            return 1;
    }
    return 0;
}

int sb_zindex_auth(const sb_zindex *x, const char *name, const char *type)
{
    const sb_name *n = sb_zindex_find(x, name);
    if (!n)
        return 1;
    if (n->flags & SB_N_OCCLUDED)
        return 0;
    if ((n->flags & SB_N_DELEG) && strcmp(type, "DS") != 0)
        return 0;
    return 1;
}

void sb_zindex_free(sb_zindex *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        free(x->names[i].name);
    free(x->names);
    free(x->nsec);
    free(x->nsec3);
    free(x);
}

/* Marks name and its ancestors up to the apex as members of the NSEC3 chain. */
static void mark_nsec3(sb_zindex *x, const char *zone, const char *name)
{
    for (const char *p = name; p; p = sb_dname_parent(p)) {
        sb_name *n = (sb_name *)sb_zindex_find(x, p);
        if (n)
            n->flags |= SB_N_NSEC3;
        if (strcmp(p, zone) == 0)
            break;
    }
}

/* Sorts the NSEC3 indexes v by hash: a merge sort, since C11's qsort takes no context. */
static void sort_by_hash(const sb_zindex *x, size_t *v, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_by_hash(x, v, tmp, h);
    sort_by_hash(x, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = strcmp(x->names[v[i]].hash, x->names[v[j]].hash) <= 0 ? v[i++] : v[j++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Adds one entry (name copied) to a growing array. */
static int push(sb_name **arr, size_t *n, size_t *cap, const char *name, unsigned flags)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        sb_name *na = realloc(*arr, nc * sizeof *na);
        if (!na)
            return -1;
        *arr = na;
        *cap = nc;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    (*arr)[*n].name = copy;
    (*arr)[*n].flags = flags;
    (*arr)[*n].hash[0] = '\0';
    (*n)++;
    return 0;
}

sb_zindex *sb_zindex_build(const char *zone, const char *const *names, const char *const *types,
                           size_t n, int nsec3, const char *salt, int iterations, int optout)
{
    sb_zindex *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    size_t cap = 0;
    /* Every owner with its flags, and every ancestor down to the apex as a candidate
     * empty non-terminal; duplicates are merged after sorting. */
    for (size_t i = 0; i < n; i++) {
        unsigned f = SB_N_RECORDS;
        if (strcmp(types[i], "NS") == 0 && strcmp(names[i], zone) != 0)
            f |= SB_N_DELEG;
        if (strcmp(types[i], "DS") == 0)
            f |= SB_N_DS;
        if (push(&x->names, &x->n, &cap, names[i], f) < 0)
            goto fail;
        if (strcmp(names[i], zone) == 0)
            continue;
        for (const char *p = sb_dname_parent(names[i]); p && strcmp(p, zone) != 0;
             p = sb_dname_parent(p))
            if (push(&x->names, &x->n, &cap, p, 0) < 0)
                goto fail;
    }
    if (x->n)
        qsort(x->names, x->n, sizeof *x->names, cmp_names);
    size_t out = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (out > 0 && sb_dname_cmp(x->names[out - 1].name, x->names[i].name) == 0) {
            x->names[out - 1].flags |= x->names[i].flags;
            free(x->names[i].name);
            continue;
        }
        x->names[out++] = x->names[i];
    }
    x->n = out;
    for (size_t i = 0; i < x->n; i++)
        if (occluded(x, zone, x->names[i].name))
            x->names[i].flags |= SB_N_OCCLUDED;
    x->nsec = calloc(x->n ? x->n : 1, sizeof *x->nsec);
    x->nsec3 = calloc(x->n ? x->n : 1, sizeof *x->nsec3);
    if (!x->nsec || !x->nsec3)
        goto fail;
    if (!nsec3) {
        for (size_t i = 0; i < x->n; i++)
            if ((x->names[i].flags & (SB_N_RECORDS | SB_N_OCCLUDED)) == SB_N_RECORDS) {
                x->names[i].flags |= SB_N_NSEC;
                x->nsec[x->n_nsec++] = i;
            }
        return x;
    }
    /* PowerDNS: every record not below a delegation puts its owner and all ancestors in
     * the chain, except that with opt-out an NS record does not (an unsigned delegation
     * gets no NSEC3 of its own). */
    for (size_t i = 0; i < n; i++) {
        const sb_name *nm = sb_zindex_find(x, names[i]);
        if (!nm || (nm->flags & SB_N_OCCLUDED))
            continue;
        if (optout && strcmp(types[i], "NS") == 0)
            continue;
        mark_nsec3(x, zone, names[i]);
    }
    for (size_t i = 0; i < x->n; i++) {
        if (!(x->names[i].flags & SB_N_NSEC3))
            continue;
        if (sb_nsec3_hash(x->names[i].name, salt, iterations, x->names[i].hash,
                          sizeof x->names[i].hash) < 0)
            goto fail;
        x->nsec3[x->n_nsec3++] = i;
    }
    size_t *tmp = malloc((x->n_nsec3 ? x->n_nsec3 : 1) * sizeof *tmp);
    if (!tmp)
        goto fail;
    sort_by_hash(x, x->nsec3, tmp, x->n_nsec3);
    free(tmp);
    return x;
fail:
    sb_zindex_free(x);
    return NULL;
}
