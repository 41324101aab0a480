/* fuzz_key_import.c - the key importer (sd_key_import), which reads the private keys operators
 * paste into POST .../dnssec/import or give scaidnsctl: ISC "Private-key-format" text or PEM,
 * with an optional public half (a BIND .key file or PEM). The input is the private text; a
 * byte 0x01 in it starts the public text; the first byte, taken modulo 4, picks the role and
 * the algorithm hint (KSK or ZSK; none or 13).
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": a refused key says why, with a
 * 400; an accepted one is a key of a supported algorithm whose tag is that of its RDATA, and
 * its private text, imported again, gives the same text, RDATA and tag. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/key.h"
#include "keystore/key_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) naming what is wrong. */
static void broken(const char *why, const char *text)
{
    fprintf(stderr, "fuzz_key_import: %s\ntext: \"%.300s\"\n", why, text);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint16_t flags = data[0] & 1 ? SD_FLAGS_KSK : SD_FLAGS_ZSK;
    int alg = data[0] & 2 ? 13 : 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0'; /* JSON strings and files read as text: NUL terminated */
    char *pub = strchr(text, '\x01');
    if (pub)
        *pub++ = '\0';
    sd_key k, again;
    sd_err e;
    sd_err_clear(&e);
    if (sd_key_import(text, pub, alg, flags, &k, &e) == 0) {
        if (!sd_alg_supported(k.algorithm) || k.flags != flags || !k.private_text || !k.rdata)
            broken("an accepted key that is not a supported key of the flags asked", text);
        if (sd_key_tag(k.rdata, k.rdata_len) != k.key_tag)
            broken("a key tag that is not its RDATA's", text);
        sd_err e2;
        if (sd_key_import(k.private_text, NULL, k.algorithm, flags, &again, &e2) != 0)
            broken("its own private text is refused", text);
        if (strcmp(again.private_text, k.private_text) != 0 || again.key_tag != k.key_tag ||
            again.rdata_len != k.rdata_len || memcmp(again.rdata, k.rdata, k.rdata_len) != 0)
            broken("imported again, it is another key", text);
        sd_key_free(&again);
        sd_key_free(&k);
    } else if (e.code != SD_EBADINPUT || !e.msg[0]) {
        broken("refused without a 400 and a reason", text);
    }
    free(text);
    return 0;
}
