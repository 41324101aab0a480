#!/usr/bin/env python3
"""oas_check.py OPENAPI.json SCHEMA=FILE...

Validates each JSON FILE against components/schemas/SCHEMA of the OpenAPI document (3.0,
nullable and allOf included) and prints one line per failure; exits 1 on any. Exits 3 when
the openapi-schema-validator module is not installed, so that the caller can say so."""
import json
import sys

try:
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
except ImportError:
    sys.exit(3)


def main():
    doc = json.load(open(sys.argv[1]))
    registry = Registry().with_resource("urn:oas", Resource.from_contents(doc, DRAFT4))
    bad = 0
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        schema = {"$ref": "urn:oas#/components/schemas/" + name}
        validator = OAS30Validator(schema, registry=registry)
        body = json.load(open(path))
        for err in validator.iter_errors(body):
            bad += 1
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{name} ({path}): at '{where}': {err.message[:200]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
