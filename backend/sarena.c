/* sarena.c - the guarded secret arena of sarena.h. */
#include "backend/sarena.h"

#include <sodium.h>
#include <string.h>

#define CHUNK 16384

struct sb_sarena_chunk {
    sb_sarena_chunk *next;
    size_t used, size; /* bytes of data[] */
    char data[];
};

char *sb_sarena_copy(sb_sarena *a, const char *data, size_t n)
{
    sb_sarena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK ? n : CHUNK;
        c = sodium_malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->size = size;
        a->head = c;
    }
    char *p = c->data + c->used;
    memcpy(p, data, n);
    c->used += n;
    return p;
}

void sb_sarena_reset(sb_sarena *a)
{
    while (a->head) {
        sb_sarena_chunk *next = a->head->next;
        sodium_free(a->head); /* wipes the whole block */
        a->head = next;
    }
}
