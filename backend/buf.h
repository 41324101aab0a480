/* buf.h - a growable byte buffer for building reply lines without an allocation per reply:
 * the server keeps one per connection and reuses it, so once it has grown to the size of
 * the usual reply, answering allocates nothing. Also the JSON pieces the fast paths write
 * (escaped strings, integers). */
#ifndef SCAIDNS_BACKEND_BUF_H
#define SCAIDNS_BACKEND_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sb_buf {
    char *p;    /* NULL until the first write */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
} sb_buf;

/* Makes room for at least n more bytes. Returns 0, or -1 when out of memory (b unchanged).
 * Growing copies the old contents and wipes the old block before freeing it, since replies
 * may hold private keys. */
int sb_buf_reserve(sb_buf *b, size_t n);

/* Appends n bytes of s. Returns 0 or -1 (out of memory; b unchanged). */
int sb_buf_put(sb_buf *b, const char *s, size_t n);

/* Appends the NUL-terminated s. Returns 0 or -1. */
int sb_buf_puts(sb_buf *b, const char *s);

/* Appends s (n bytes) as a JSON string with its quotes, escaping '"', '\\' and control
 * bytes; other bytes are copied as they are (the caller passes valid UTF-8). Returns 0 or
 * -1. */
int sb_buf_json_str(sb_buf *b, const char *s, size_t n);

/* Appends v in decimal. Returns 0 or -1. */
int sb_buf_int(sb_buf *b, int64_t v);

/* Wipes the bytes in use and sets len to 0, keeping the allocation. */
void sb_buf_clear(sb_buf *b);

/* Wipes and frees the whole buffer; b is then empty and may be reused. NULL-safe. */
void sb_buf_free(sb_buf *b);

#endif
