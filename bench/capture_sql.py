#!/usr/bin/env python3
"""Turns the statements one request sent, as PostgreSQL logged them, into a pgbench script.

Usage: capture_sql.py LOG OFFSET DATABASE OUT

Reads the server log from byte OFFSET (where it ended before the request), keeps the statements
of DATABASE that were executed (`log_min_duration_statement = 0` logs each with its duration:
simple statements such as BEGIN, and prepared ones with their parameters on the next line), puts
the parameters in as literals, and writes one statement per line to OUT. Prints how many.
"""

import re
import sys

log, offset, database, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

# "… UTC [pid] user@db LOG:  duration: 0.050 ms  execute s0: SELECT …" / "… statement: BEGIN"
entry = re.compile(r"^\S+ \S+ \S+ \[\d+\] \S*@(?P<db>\S+) (?P<level>[A-Z]+):  (?P<text>.*)$")
executed = re.compile(r"^duration: [\d.]+ ms  (?:execute [^:]*|statement): (?P<sql>.*)$")
parameters = re.compile(r"^parameters: (?P<list>.*)$")
parameter = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")

with open(log, "rb") as f:
    f.seek(offset)
    lines = f.read().decode("utf-8", "replace").splitlines()

statements = []
# Whether the last log entry was an executed statement: a parse or a bind is logged too, with
# the same parameters, and must not take them.
last_executed = False
for line in lines:
    m = entry.match(line)
    if m is None:
        # A statement written over several lines continues with a tab.
        if line.startswith("\t") and last_executed:
            statements[-1][0] += " " + line.strip()
        continue
    if m["db"] != database:
        continue
    text = m["text"]
    if m["level"] == "DETAIL":
        if last_executed and (p := parameters.match(text)):
            statements[-1][1] = {int(n): v for n, v in parameter.findall(p["list"])}
        continue
    last_executed = m["level"] == "LOG" and (e := executed.match(text)) is not None
    if last_executed:
        statements.append([e["sql"], {}])

with open(out, "w") as f:
    for sql, params in statements:
        # Highest numbers first, so that $1 does not eat into $10.
        for n in sorted(params, reverse=True):
            sql = sql.replace(f"${n}", params[n])
        f.write(sql.rstrip(";") + ";\n")
print(len(statements))
