/* charstr.c - record words and character-strings in zone file text. */
#include "keystore/charstr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/name.h"

/* One word of a line. */
typedef struct word {
    size_t start, end; /* line + start .. line + end, quotes included */
    size_t octets;     /* octets it stands for (escapes count one) */
    int quoted;
} word;

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == '(' ||
           c == ')';
}

/* Reads the word at or after s + *at into w and moves *at past it. Returns 0, or -1 when
 * only blanks are left. */
static int next_word(const char *s, size_t *at, word *w)
{
    size_t p = *at, n = 0;
    while (s[p] && blank(s[p]))
        p++;
    if (!s[p])
        return -1;
    w->start = p;
    w->quoted = s[p] == '"';
    if (w->quoted) {
        p++;
        while (s[p] && s[p] != '"') {
            p += sd_name_escape_len(s + p);
            n++;
        }
        if (s[p] == '"')
            p++;
    } else {
        while (s[p] && !blank(s[p])) {
            p += sd_name_escape_len(s + p);
            n++;
        }
    }
    w->end = p;
    w->octets = n;
    *at = p;
    return 0;
}

/* Returns 1 when the word is a TTL (starts with a digit) or a class mnemonic. */
static int ttl_or_class(const char *s, const word *w)
{
    size_t n = w->end - w->start;
    const char *p = s + w->start;
    if (isdigit((unsigned char)*p))
        return 1;
    static const char *classes[] = {"IN", "CH", "HS", "CS", "NONE", "ANY"};
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
        if (strlen(classes[i]) == n && strncasecmp(p, classes[i], n) == 0)
            return 1;
    return n > 5 && strncasecmp(p, "CLASS", 5) == 0 && isdigit((unsigned char)p[5]);
}

int sd_rr_words_find(const char *line, sd_rr_words *out)
{
    size_t at = 0;
    word w;
    if (line[0] && !blank(line[0]) && next_word(line, &at, &w) < 0) /* the owner */
        return -1;
    for (int i = 0; i < 3; i++) {
        if (next_word(line, &at, &w) < 0)
            return -1;
        if (i < 2 && ttl_or_class(line, &w))
            continue;
        out->type_at = w.start;
        out->type_len = w.end - w.start;
        while (line[at] && blank(line[at]))
            at++;
        out->data_at = at;
        return 0;
    }
    return -1;
}

size_t sd_charstr_longest(const char *data)
{
    size_t at = 0, most = 0;
    word w;
    while (next_word(data, &at, &w) == 0)
        if (w.octets > most)
            most = w.octets;
    return most;
}

char *sd_charstr_split(const char *data, size_t *splits)
{
    size_t len = strlen(data), cap = len * 2 + 16, o = 0, at = 0, count = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    word w;
    while (next_word(data, &at, &w) == 0) {
        if (o)
            out[o++] = ' ';
        if (w.octets <= SD_CHARSTR_MAX) {
            memcpy(out + o, data + w.start, w.end - w.start);
            o += w.end - w.start;
            continue;
        }
        count++;
        size_t p = w.start + (size_t)w.quoted;
        size_t end = w.end - (w.quoted && data[w.end - 1] == '"' && w.end - 1 > w.start ? 1 : 0);
        /* Each piece of at least 255 characters adds at most 3 (two quotes and a space): out
         * stays within twice the length of data. */
        for (int first = 1; p < end; first = 0) {
            if (!first)
                out[o++] = ' ';
            out[o++] = '"';
            for (size_t n = 0; p < end && n < SD_CHARSTR_MAX; n++) {
                size_t l = sd_name_escape_len(data + p);
                if (p + l > end)
                    l = end - p;
                memcpy(out + o, data + p, l);
                o += l;
                p += l;
            }
            out[o++] = '"';
        }
    }
    out[o] = '\0';
    if (splits)
        *splits = count;
    return out;
}
