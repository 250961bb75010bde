"""What ``ast.parse`` raises for source that does not parse, named once for every caller."""

from __future__ import annotations

__all__ = ["PARSE_ERRORS"]

# Checked on 3.10.13, 3.11.7, 3.12.1 and 3.13.0 with hostile sources:
# - SyntaxError (IndentationError too): bad syntax, an unknown coding cookie, undecodable
#   bytes, more than 200 nested brackets, an int literal beyond 4300 digits;
# - ValueError: a NUL byte (3.10; 3.11 made it a SyntaxError);
# - MemoryError: the parser's stack overflows on deep nesting without brackets (100,000 unary
#   minuses, "not"s, "**"s, lambdas or conditional expressions); 3.12 added the message
#   "Parser stack overflowed"; no other cause is told apart by its type;
# - RecursionError: from 3.11, building the tree of a deep chain (a+a+..., a.b.c..., f()()...,
#   a[0][0]...), "maximum recursion depth exceeded during ast construction"; 3.10 builds it
#   and its compile() raises instead.
PARSE_ERRORS: tuple[type[Exception], ...] = (SyntaxError, ValueError, MemoryError, RecursionError)
