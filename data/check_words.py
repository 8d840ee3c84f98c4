"""How to put each kind of problem right, in publishers' words: the schema's patterns with an example, and
what to do about a code that another table does not list. Read by data.checks."""
from __future__ import annotations

PATTERN_WORDS = {
    "[a-z0-9-]+": "use lower-case letters, digits and hyphens only, e.g. wres-2024-report",
    r"https?://[^\s]+": "give a web address that starts with http:// or https:// and has no spaces",
    "E09[0-9]{6}": "give the London borough's ONS code: E09 and six digits, e.g. E09000025 for Newham",
    "[A-Z0-9]{3,5}": "give the organisation's ODS code: 3 to 5 capital letters or digits, e.g. R1H",
    "[EKW]9[0-9]{7}": "give the area's ONS code: E, K or W, then 9 and seven digits, e.g. E92000001 for England",
}
FK_FIX = {"sources": "add a row for it to {file} (title, publisher, address, licence) or use a source_id {file} already has",
          "organisations": "use an ODS code listed in {file} (e.g. R1H), or ask the data team to add your organisation",
          "boroughs": "use one of the 33 London boroughs' codes in {file}"}
