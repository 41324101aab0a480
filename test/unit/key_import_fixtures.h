/* key_import_fixtures.h - keys made once by BIND 9.18's dnssec-keygen and OpenSSL 3's
 * genpkey (test material only: never used in any zone), for test_key_import.c and
 * test_import.c. */
static const char ZSK13_PRIVATE[] = "Private-key-format: v1.3\n"
                                    "Algorithm: 13 (ECDSAP256SHA256)\n"
                                    "PrivateKey: KHV4UPL8RzH9DQhowL/fJCC20GZ/2lVhw32gc5B2YOs=\n"
                                    "Created: 20261203183519\n"
                                    "Publish: 20261203183519\n"
                                    "Activate: 20261203183519\n";

static const char ZSK13_KEY[] =
    "; This is a zone-signing key, keyid 24522, for example.net.\n"
    "; Created: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "; Publish: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "; Activate: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "example.net. IN DNSKEY 256 3 13 GnxQOJMEgxXs4DC9+EG1Lishp0Ghe04zTs8kfeLb2KL9dyecB9b6Ja7k "
    "mptyhNT2cJGFBsErUmVOQVs+ObB6ng==\n";

static const char KSK13_PRIVATE[] = "Private-key-format: v1.3\n"
                                    "Algorithm: 13 (ECDSAP256SHA256)\n"
                                    "PrivateKey: Z3jrMT4FAH60hDDAcbCOFQfMQ/dz08GjL1UsR3H+zaM=\n"
                                    "Created: 20261203183519\n"
                                    "Publish: 20261203183519\n"
                                    "Activate: 20261203183519\n";

static const char KSK13_KEY[] =
    "; This is a key-signing key, keyid 5846, for example.net.\n"
    "; Created: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "; Publish: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "; Activate: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "example.net. IN DNSKEY 257 3 13 V441JRZ8z9RSD1abtEehnh6zyaQcDSZZ/Mfgi1RAI8FBCNqH88xg6hTm "
    "mUT6BLhiJEqiSS80w+cqDUJKt/dyRg==\n";

static const char RSA2048_PRIVATE[] =
    "Private-key-format: v1.3\n"
    "Algorithm: 8 (RSASHA256)\n"
    "Modulus: "
    "pkUgk9EIYBfv32a65wLMN0gaz6XWu9aKUYV82+LjSYnwfuOuwqrc4HnANehEuB+"
    "ZtVGDfCpn4YdtccPNgP2tf83vUmdA1OGntXQyyPNueDQFTYDwWp80N3+"
    "ykwjJsTIIepZWgkm43qxB6UwsZq2vas55wRnzxeX28gTM9yZkM2bQ9HcaJmbC5DC4SJjuX6TvASTHUphdaAKwW4opQ1v1t"
    "KfZAR8Vc2nDzfiOJJ56Ra0csH/"
    "TrbmS3LHl+xs4JrzF0pGRDTDsfap7tgcGernkLlr+V2eo7sz5joVZgYbMqOa6BfWr13ATRxJ5/Bb+zDZ3eFpwn1TblV4k/"
    "a1EhDLfNw==\n"
    "PublicExponent: AQAB\n"
    "PrivateExponent: "
    "DUO13fUEJ7O2gD+602kmukD3WpokBRI621a8kkeJ0w5nxZ0LuR4BHFYPiSgW1griAVQXxZUVz9Pfsv69lffRmpY8Qc+"
    "uSA1vNWD9bYigxy18lXqe3NaXR4Iu0IoX78Sfu9/jK5EOvZJHzoE0MvDSQ2wQzItHJleP7tjb3S+5OLHEjYA65/"
    "HXNoUjHVJypoBhvqi8EE8/YyZO14mA30q0cWgloFxmnvo5Y4doZJ8RC/Aq0UJjGh0HEmxJFp8/"
    "P0tGvbdCdNsrOytcP9zm12ApiZQFdpkCd9QmuHU4xuwNPUw96fo0Ie50YlBt2neJSEIw3omXYiRwNarPeg/7W9CGiQ==\n"
    "Prime1: "
    "0HMsgi7s+8YC/TwuLohgaWFcO92PWILd+xy2/SasJOL9grYl7wXOo3xY3LWoeZMShLnD/"
    "xnQzYeletCilWxOxv1agqILqKwDeQETuDsnl5hJLE7qLefUGxRYoRSQvLzptSRR8uS2RliFshQstd52DMuhx+"
    "UHqxl3JbqkOJ6WfB0=\n"
    "Prime2: "
    "zDLHtZTTX8lGNtbv5m1O243Oc0h6pY8g6/6mGvwUxq2Q/"
    "QoP3sqpUv4JMq47iBEHUmoAUDQhHonx2uf+jvxPPo087G6PCgZfuy0E3ZW/duuMt86fzRUb1cfiIwNe3q359ORgMhxuP/"
    "3/waTEODFt5/hyL/7gSucuceBd5ZFuYGM=\n"
    "Exponent1: "
    "yxS6cyaWmYBDn0XHVGxnSaOiAW0M39W3wJMsMBxCMDm5dGRTNrh4pkxaIsUUm0VPEGIPcnRLOkICVVH4ZA09/"
    "p4MVSLcqvrS80u6U43GN+oUuAc2HX0z5yH+awinLkn6gxEcicCLWKObtW/0U0elyTeGqUIYI3jO3MImhkbzI30=\n"
    "Exponent2: "
    "BZ1X1GxVK4sTPSrHyeQziOHrTUwu4yJ+Wz7TPma0A4p+NBb0vMGBymBlzFjyFhmxw9haTdpBFt/"
    "gII7EdxYE78leZXncwP/"
    "P3gus2JLngtOTOPKbfj4YV9Z5J1FOaH0MJGmrI3WYqnXHdIGdS5ZAWWKBcURm0mhs5ICw1EEdcdU=\n"
    "Coefficient: "
    "cjIRqWaohSKvgTOVD336oqCc4uQsRT/plgHOtUwU3TRUXlGUFcf7z7Nrl5V+THWe3ONH3wTrLXlWpzpaUStwpS8qU2/"
    "z+Bj+OBZaJfEF9pEhzkCHdqvbp6Q2fjwRoX39gU438L+DSAxZI4SL5mPFC7OknfCExQOIcOFoiZbtUO8=\n"
    "Created: 20261203183519\n"
    "Publish: 20261203183519\n"
    "Activate: 20261203183519\n";

static const char RSA2048_KEY[] =
    "; This is a zone-signing key, keyid 19389, for example.net.\n"
    "; Created: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "; Publish: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "; Activate: 20261203183519 (Thu Dec  3 18:35:19 2026)\n"
    "example.net. IN DNSKEY 256 3 8 AwEAAaZFIJPRCGAX799muucCzDdIGs+l1rvWilGFfNvi40mJ8H7jrsKq "
    "3OB5wDXoRLgfmbVRg3wqZ+GHbXHDzYD9rX/N71JnQNThp7V0Msjzbng0 "
    "BU2A8FqfNDd/spMIybEyCHqWVoJJuN6sQelMLGatr2rOecEZ88Xl9vIE "
    "zPcmZDNm0PR3GiZmwuQwuEiY7l+k7wEkx1KYXWgCsFuKKUNb9bSn2QEf "
    "FXNpw834jiSeekWtHLB/0625ktyx5fsbOCa8xdKRkQ0w7H2qe7YHBnq5 "
    "5C5a/ldnqO7M+Y6FWYGGzKjmugX1q9dwE0cSefwW/sw2d3hacJ9U25Ve JP2tRIQy3zc=\n";

static const char RSA1024_PRIVATE[] =
    "Private-key-format: v1.3\n"
    "Algorithm: 8 (RSASHA256)\n"
    "Modulus: "
    "rlqzxihiB8H8UiIfUbd7FmCfIbhHYwApmvPUTVzFkxj/VxPKgagz3Swz8P6vCev+vue3A1/"
    "6vXBcVRoekzrT1sJ+rhFhdl2/"
    "owekTowpClEponBn9nu4lzQYs4WlL9UPk0Pggpx8bA1uaBeWkXTM2Z+0eTqHwksbm0nSkRF4RmE=\n"
    "PublicExponent: AQAB\n"
    "PrivateExponent: "
    "DmSKZpc60G0hCR6r+zDsRkKfoEb4DaIbzSDHq8M2xBfSLDwEAYQDFATsHL7JcEY890FliC/KIQ0/cf7/"
    "+yNmDTeGMP18BSi4LwnxEfA7iSvopOUi9qXIXGmrtlCHu+NY7XKVDor/7kGViONir6GD76dcmv/36afDi1Pxs6XBKqk=\n"
    "Prime1: "
    "2ryTUrNGWCfxEBPXlrTdMdVKztDjC2TBffz23aYvdh8P+b/UdrO1MJp0NLMJIcs7Jc+U/+jVpzEKMlyzcZtGew==\n"
    "Prime2: "
    "zA6MhFWrTVxF4fs5SWyJ5TrAaFcD4fEd00Bc9tQcJMrPBj9KTNkHC5b7gi/0A7gHXrhk0SYuno9IVolJQV/d0w==\n"
    "Exponent1: "
    "MAcz+favPXAXuEYDEm5IG0cQE/U9xSSsb7N5qRVyWmdbpKUAS8gNwsxHM8MUAD2VkSnRN5eyQfG8oW5FYG6NvQ==\n"
    "Exponent2: "
    "uA+rijboVNiVpJiCfQttexq6saNDuktO1t3ovTBoznstsHnoYFcnNroS1cTBe5VE+JilP88MIDQoUP522IRLxw==\n"
    "Coefficient: "
    "GbQk11OSEsOuTrJ1VeCgN+DGPOz49ct99Hapj+7bUyqINDkwiYRQYR8gmnGdBKQfpF0dqiqmZk60Ffr2xovoSA==\n"
    "Created: 20261203183520\n"
    "Publish: 20261203183520\n"
    "Activate: 20261203183520\n";

static const char ED15_PRIVATE[] = "Private-key-format: v1.3\n"
                                   "Algorithm: 15 (ED25519)\n"
                                   "PrivateKey: /wYENpA551+T6WNKkMSi4Be6Ra9YBh65+wYqouwXU48=\n"
                                   "Created: 20261203183520\n"
                                   "Publish: 20261203183520\n"
                                   "Activate: 20261203183520\n";

static const char ED15_KEY[] =
    "; This is a zone-signing key, keyid 35189, for example.net.\n"
    "; Created: 20261203183520 (Thu Dec  3 18:35:20 2026)\n"
    "; Publish: 20261203183520 (Thu Dec  3 18:35:20 2026)\n"
    "; Activate: 20261203183520 (Thu Dec  3 18:35:20 2026)\n"
    "example.net. IN DNSKEY 256 3 15 1z24vM3Ipz+1wk3+IZmGO7sm28TB9l9/687+oLMTfug=\n";

static const char ED448_PRIVATE[] =
    "Private-key-format: v1.3\n"
    "Algorithm: 16 (ED448)\n"
    "PrivateKey: hUzV/Va+wZJCL0hSTke9ruV4GBeLspkUQV4EFOenEh3075HXebyOz4asVJhvVMT7tMqhN1M0ndnj\n"
    "Created: 20261203183520\n"
    "Publish: 20261203183520\n"
    "Activate: 20261203183520\n";

static const char PEM_ED25519[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJH4NYkNmMinqIfJWiO5YIlc76uHx2t3LTot92K/5XxC\n"
    "-----END PRIVATE KEY-----\n";

static const char PEM_ED448[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MEcCAQAwBQYDK2VxBDsEOejZErofOoAWWswgLxPC6pyRPUO4tVaC2+uELe+gbLJo\n"
                                "UgBEaEyuWzNHcHMGBIHfq9c4ZVD8MgQrpg==\n"
                                "-----END PRIVATE KEY-----\n";

static const char PEM_P256[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLf8pa//EeRX4cPEe\n"
                               "pWaZocRntu0iYx+OgywLRIbHEzChRANCAAQ0pZkQ50lWj0A6KQQqxjkCLiJ0xPtw\n"
                               "eiO1XC/2eptS0D75TrEbNjWGYzoXlmqqCjBliWecUXxLI9JKqNM/BIlw\n"
                               "-----END PRIVATE KEY-----\n";
