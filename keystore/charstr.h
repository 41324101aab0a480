/* charstr.h - the words of one record in zone file text: where its type and data start, the
 * octet length of its character-strings (RFC 1035 5.1: a quoted or bare word, backslash
 * escapes counting one octet), and splitting the long ones into 255-octet strings, as
 * PowerDNS does and BIND refuses. ldns refuses a string over 255 octets with a bare "could not
 * parse the RR's rdata"; these let the importer and the API say which and how long. */
#ifndef SCAIDNS_CHARSTR_H
#define SCAIDNS_CHARSTR_H

#include <stddef.h>

#define SD_CHARSTR_MAX 255 /* octets of one character-string */

/* Where the type word and the data of one record line (as ldns_fget_token_l returns it:
 * owner, or leading blanks for the previous owner, then TTL and class in either order, then
 * the type) start. */
typedef struct sd_rr_words {
    size_t type_at, type_len; /* the type word: line + type_at, type_len characters */
    size_t data_at;           /* the first data word (or the end of the line) */
} sd_rr_words;

/* Finds the type and the data of line. Returns 0, or -1 when there is no type word. */
int sd_rr_words_find(const char *line, sd_rr_words *w);

/* Returns the octet count of the longest character-string among the words of data (quoted
 * strings and bare words; '(' and ')' outside quotes are blanks). */
size_t sd_charstr_longest(const char *data);

/* Returns a new string (caller frees) holding data with every word of more than 255 octets
 * written as consecutive quoted strings of at most 255 octets (escapes kept whole), other
 * words unchanged, words joined by one space. *splits (may be NULL) gets the number of words
 * split. NULL when out of memory. */
char *sd_charstr_split(const char *data, size_t *splits);

#endif
