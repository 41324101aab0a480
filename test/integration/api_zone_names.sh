#!/usr/bin/env bash
# api_zone_names.sh - the RRset API takes the names and types zone files may hold (issue 18):
# an RFC 2317 "0/26" owner and escaped labels ("a\.b\000c") in the URL path (%2F, %5C), a
# literal '*' inside a name, ALIAS; it gives the names back in PowerDNS's escaped form, and
# refuses a TXT string over 255 octets naming the record and the length, the keystore
# unchanged.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/api.sh"
api_init
TOK=$(api_token ops zones:read,zones:write)
api_start
Z=/api/v1/domains/2.0.192.in-addr.arpa
expect 201 POST /api/v1/domains "$TOK" '{"name":"2.0.192.in-addr.arpa"}'
expect 200 PUT "$Z/rrsets/0%2F26/NS" "$TOK" '{"ttl":300,"records":["ns1.example.net."]}'
jcheck "0/26 is one label" '.name == "0/26.2.0.192.in-addr.arpa."'
expect 200 PUT "$Z/rrsets/A%5C.B%5C000c/TXT" "$TOK" '{"ttl":300,"records":["\"x\""]}'
jcheck "an escaped dot and a NUL octet, canonical" '.name == "a\\.b\\000c.2.0.192.in-addr.arpa."'
expect 200 PUT "$Z/rrsets/host.*.sub/ALIAS" "$TOK" '{"ttl":300,"records":["t.example.net."]}'
jcheck "a literal '*', an ALIAS" '.name == "host.*.sub.2.0.192.in-addr.arpa." and .type == "ALIAS"'
expect 200 GET "$Z/rrsets" "$TOK"
jcheck "the list holds them" '[.rrsets[].name] | index("a\\.b\\000c.2.0.192.in-addr.arpa.") != null'
expect 204 DELETE "$Z/rrsets/a%5C.b%5C000c.2.0.192.in-addr.arpa./TXT" "$TOK"
before=$(db_sum)
expect 400 PUT "$Z/rrsets/big/TXT" "$TOK" "{\"ttl\":300,\"records\":[\"\\\"$(printf 'x%.0s' {1..300})\\\"\"]}"
jcheck "a 300-octet TXT string is refused, naming it and its length" \
  '.error | startswith("TXT record of big.2.0.192.in-addr.arpa.: a character-string of 300 octets")'
expect 400 PUT "$Z/rrsets/a%5C256/A" "$TOK" '{"ttl":300,"records":["192.0.2.1"]}'
jcheck "a bad escape is refused" '.error | contains("above 255")'
check "the keystore is unchanged after the refusals" test "$before" = "$(db_sum)"
api_done
