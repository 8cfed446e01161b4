#!/usr/bin/env python3
"""
Counts the test cases of a JUnit XML report (mocha's xunit reporter, pytest's --junitxml) and prints
"PASSED FAILED SKIPPED". A case with a <failure> or <error> is failed (pytest reports a collection
error as such a case), one with <skipped> is skipped, any other passed.

Exits 2 with a message on stderr when the report is missing, unreadable or holds no test case, so
the test command can tell "the runner said nothing" from "everything passed".
"""
import sys
import xml.etree.ElementTree as ET


def count(path: str) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            failed += 1
        elif "skipped" in tags:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: count-junit.py REPORT.xml", file=sys.stderr)
        return 2
    try:
        passed, failed, skipped = count(sys.argv[1])
    except (OSError, ET.ParseError) as e:
        print(f"no readable JUnit report at {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    if passed + failed + skipped == 0:
        print(f"the JUnit report {sys.argv[1]} holds no test case", file=sys.stderr)
        return 2
    print(passed, failed, skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
