/* sd-keytool - test-only: generates one DNSSEC key with the keystore's key.c and prints it,
 * so that shell tests can compare it with other implementations (ldns, BIND, PowerDNS).
 *
 * Usage: sd-keytool ZONE ALG FLAGS [BITS]
 *
 * Output on stdout:
 *   line 1   ZONE. IN DNSKEY FLAGS 3 ALG BASE64
 *   line 2   ZONE. IN DS TAG ALG 2 HEX      (SHA-256)
 *   line 3   ZONE. IN DS TAG ALG 4 HEX      (SHA-384)
 *   line 4   empty
 *   line 5-  the private key in "Private-key-format: v1.2" text, as PowerDNS reads it
 *
 * Exit status 0 on success, 2 on bad usage, 1 when the keystore refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/key.h"

/* Prints the usage to stderr and returns the exit status for bad usage. */
static int usage(void)
{
    fprintf(stderr, "usage: sd-keytool ZONE ALG FLAGS [BITS]\n"
                    "  ALG 8, 10, 13, 14 or 15; FLAGS 256 or 257; BITS for RSA only\n");
    return 2;
}

/* Parses a decimal int in [0, max] into *v. 0, or -1 when it is not one. */
static int parse_int(const char *s, long max, int *v)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 0 || n > max)
        return -1;
    *v = (int)n;
    return 0;
}

int main(int argc, char **argv)
{
    int alg, flags, bits = 0;
    sd_key k;
    sd_err e = {0};
    char line[4096], hex[97];

    if (argc < 4 || argc > 5 || parse_int(argv[2], 255, &alg) != 0 ||
        parse_int(argv[3], 65535, &flags) != 0 || (argc == 5 && parse_int(argv[4], 65536, &bits)))
        return usage();
    if (sd_key_generate(alg, bits, (uint16_t)flags, &k, &e) != 0) {
        fprintf(stderr, "sd-keytool: %s\n", e.msg);
        return 1;
    }
    if (sd_dnskey_presentation(argv[1], k.flags, k.algorithm, k.public_b64, line, sizeof line) < 0)
        goto fail;
    printf("%s\n", line);
    for (int dt = 2; dt <= 4; dt += 2) {
        if (sd_ds_digest(argv[1], k.rdata, k.rdata_len, dt, hex, sizeof hex, &e) != 0 ||
            sd_ds_presentation(argv[1], k.key_tag, k.algorithm, dt, hex, line, sizeof line) < 0)
            goto fail;
        printf("%s\n", line);
    }
    printf("\n%s", k.private_text);
    sd_key_free(&k);
    return fflush(stdout) == 0 ? 0 : 1;
fail:
    fprintf(stderr, "sd-keytool: %s\n", e.msg[0] ? e.msg : "output too long");
    sd_key_free(&k);
    return 1;
}
