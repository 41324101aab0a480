/* fuzz_rdata.c - record content as the API and the zone importer store it (sd_rdata_canon:
 * ldns reads the content, its presentation is what PowerDNS is served). The input is the type
 * on the first line and the content after it, for owner www.example.com.; types the API
 * refuses before it reads any content (sd_type_canon, managed types) are skipped.
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": a refused content says why; an
 * accepted one is canonical for good: reading the stored form again gives it back unchanged
 * (else a GET and a PUT of the same RRset would change it, and an import would refuse it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/error.h"
#include "keystore/rdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t tl = (size_t)(nl - (const char *)data);
    char *type = strndup((const char *)data, tl < 16 ? tl : 16);
    char *content = strndup(nl + 1, size - tl - 1); /* a JSON string: cut at a NUL */
    if (!type || !content)
        abort();
    char canon_type[16];
    ldns_rr_type t;
    if (sd_type_canon(type, canon_type, sizeof canon_type, &t, NULL) < 0 || sd_type_is_managed(t)) {
        free(type);
        free(content);
        return 0;
    }
    char *canon = NULL, *again = NULL;
    sd_err e;
    sd_err_clear(&e);
    if (sd_rdata_canon("www.example.com.", canon_type, content, &canon, &e) < 0) {
        if (e.code != SD_EBADINPUT || !e.msg[0]) {
            fprintf(stderr, "fuzz_rdata: refused without a reason: %s \"%s\"\n", type, content);
            abort();
        }
    } else if (sd_rdata_canon("www.example.com.", canon_type, canon, &again, &e) < 0 ||
               strcmp(again, canon) != 0) {
        fprintf(stderr, "fuzz_rdata: %s \"%s\" is stored as \"%s\", which reads back as %s%s\n",
                type, content, canon, again ? "" : "an error: ", again ? again : e.msg);
        abort();
    }
    free(again);
    free(canon);
    free(content);
    free(type);
    return 0;
}
