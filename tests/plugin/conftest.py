"""The example suites under examples/ run in their own pytest processes, not here."""

collect_ignore = ["examples"]
