/* fuzz_ds.c - the DS parser (sd_ds_parse), which reads what operators paste into
 * confirm-ds-published ("tag alg type hex" or a whole DS line). The input is the text.
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": a refused text says why; an
 * accepted one gives fields in range and a digest of 1 to 128 hex digits that is the whole
 * of what follows the digest type (the text with its blanks taken out ends in it: no word of
 * the digest is lost), and the DS written back as "tag alg type digest" parses to the same. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle/dnssec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) naming what is wrong with the parse of text. */
static void broken(const char *why, const char *text, const sd_ds *ds)
{
    fprintf(stderr, "fuzz_ds: %s\ntext: \"%s\"\nparsed: %d %d %d %s\n", why, text, ds->key_tag,
            ds->algorithm, ds->digest_type, ds->digest);
    abort();
}

/* Checks an accepted parse of text (see the top of the file). */
static void check(const char *text, const sd_ds *ds)
{
    size_t n = strlen(ds->digest);
    if (ds->key_tag < 0 || ds->key_tag > 65535 || ds->algorithm < 0 || ds->algorithm > 255 ||
        ds->digest_type < 0 || ds->digest_type > 255)
        broken("a field out of range", text, ds);
    if (n == 0 || n > 128)
        broken("a digest of the wrong length", text, ds);
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)ds->digest[i]))
            broken("a digest that is not hex", text, ds);
    char *packed = malloc(strlen(text) + 1);
    size_t m = 0;
    if (!packed)
        abort();
    for (const char *p = text; *p; p++)
        if (*p != ' ' && *p != '\t')
            packed[m++] = *p;
    if (m < n || memcmp(packed + m - n, ds->digest, n) != 0)
        broken("the digest is not all that follows the digest type", text, ds);
    free(packed);
    char again[200];
    sd_ds back;
    sd_err e;
    snprintf(again, sizeof again, "%d %d %d %s", ds->key_tag, ds->algorithm, ds->digest_type,
             ds->digest);
    if (sd_ds_parse(again, &back, &e) < 0 || memcmp(&back, ds, sizeof back) != 0)
        broken("written back, it parses differently", text, ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* the API hands over JSON strings: NUL terminated, no NUL inside */
    sd_ds ds;
    sd_err e;
    sd_err_clear(&e);
    if (sd_ds_parse(text, &ds, &e) == 0)
        check(text, &ds);
    else if (e.code != SD_EBADINPUT || !e.msg[0])
        broken("refused without a reason", text, &ds);
    free(text);
    return 0;
}
