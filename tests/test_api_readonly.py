"""Static check: no code in the package can send a mutating HTTP request."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "openai_cost_tui"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
VERB_CALLS = {"post", "put", "patch", "delete"}
HTTP_LIBS = re.compile(
    r"^\s*(import|from)\s+(httpx|httpcore|requests|aiohttp|urllib3|urllib\.request|http\.client)\b", re.M
)
TEXT_PATTERNS = re.compile(
    r"""method\s*=\s*['"](POST|PUT|PATCH|DELETE)['"]|\.(post|put|patch|delete)\(""", re.I
)


def violations(source: str, name: str = "<src>") -> list[str]:
    """Mutating calls in ``source``: verb methods (in HTTP-using code) and mutating verb literals anywhere."""
    found: list[str] = []
    http = bool(HTTP_LIBS.search(source))
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        where = f"{name}:{node.lineno}"
        func = node.func
        if http and isinstance(func, ast.Attribute) and func.attr.lower() in VERB_CALLS:
            found.append(f"{where} .{func.attr}(")
        for kw in node.keywords:
            if (
                kw.arg == "method"
                and isinstance(kw.value, ast.Constant)
                and str(kw.value.value).upper() in MUTATING
            ):
                found.append(f"{where} method={kw.value.value!r}")
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            attr = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                attr in {"request", "build_request", "stream", "Request"}
                and node.args[0].value.upper() in MUTATING
            ):
                found.append(f"{where} {attr}({node.args[0].value!r}")
    if http:  # also a plain grep, in case the AST walk misses an odd spelling
        for match in TEXT_PATTERNS.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            found.append(f"{name}:{line} text {match.group(0)!r}")
    return sorted(set(found))


def test_package_sends_no_mutating_requests() -> None:
    problems: list[str] = []
    files = sorted(PACKAGE.rglob("*.py"))
    assert any(f.name == "client.py" for f in files)
    for path in files:
        problems += violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    assert problems == []


def test_the_checker_catches_mutating_calls() -> None:
    assert violations("import httpx\nhttpx.post('u')")
    assert violations("import httpx\nc = httpx.Client()\nc.delete('/x')")
    assert violations("from httpx import Client\nClient().request('PATCH', '/x')")
    assert violations("import httpx\nhttpx.Request('PUT', '/x')")
    assert violations("x.send(method='POST')")
    assert violations("import urllib.request\nurllib.request.Request('u', method='DELETE')")
    assert not violations("import httpx\nhttpx.get('u')")
    assert not violations("rows.delete().where(x)\nqueue.put(1)")  # no HTTP in this file (e.g. the store)
