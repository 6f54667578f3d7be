#!/usr/bin/env python3
"""Claims coverage report: which tests name which claim.

Reads the claim IDs and titles from docs/claims.md, scans the tests
(tests/unit/*.c, tests/e2e/*.mjs, tests/browser/*.mjs, fuzz/*.c, bench/*)
for claim IDs in test names and comments, and writes
docs/claims-coverage.md: every claim with the tests that name it, a summary
count and the list of uncovered claims. Prints the summary line.

  python3 tools/claims_coverage.py            write the report
  python3 tools/claims_coverage.py --check    exit 1 if the report is stale,
                                              or if src/cli/attest_claims.c
                                              (the table `strongroom attest`
                                              uses) differs from docs/claims.md

A hit is attributed to the test it sits in: for node's test runner the
innermost test('...') / it('...') / describe('...') call whose name or body
holds it, or the call right below (or on the same line as) the comment; for
cmocka the enclosing function, or the cmocka_unit_test(name) on the same
line; otherwise the hit is listed as file:line. Claim IDs in string literals
that are not test names (assert messages, fixtures) do not count.

Standard library only; reads only files inside the repository; the output
depends only on their contents (sorted, no timestamps).
"""

import argparse
import re
import sys
from pathlib import Path

GROUPS = ("ACC", "AUTH", "DATA", "PRIV", "LIFE", "OPS")
CLAIM_RE = re.compile(r"\b(ACC|AUTH|DATA|PRIV|LIFE|OPS)-\d+\b")
DOC_CLAIM_RE = re.compile(
    r"^- \*\*((?:ACC|AUTH|DATA|PRIV|LIFE|OPS)-\d+) (.+?)\.?\*\*", re.M)
C_TABLE_RE = re.compile(
    r'\{\s*"((?:ACC|AUTH|DATA|PRIV|LIFE|OPS)-\d+)"\s*,\s*"((?:[^"\\\n]|\\.)*)"\s*\}')

CLAIMS_DOC = "docs/claims.md"
REPORT = "docs/claims-coverage.md"
ATTEST_TABLE = "src/cli/attest_claims.c"

JS_TEST_FUNCS = {"test", "it", "describe"}
JS_REGEX_AFTER_WORDS = {
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
    "throw", "case", "do", "else", "yield", "await",
}
JS_REGEX_AFTER_PUNCT = set("(,=:[!&|?{};+-*%<>~^")


def claim_key(cid):
    group, num = cid.split("-")
    return (GROUPS.index(group), int(num))


# --------------------------------------------------------------- lexers


class Tok:
    __slots__ = ("kind", "text", "line", "end_line")

    def __init__(self, kind, text, line, end_line=None):
        self.kind = kind          # comment, string, ident, punct, regex, num
        self.text = text
        self.line = line
        self.end_line = line if end_line is None else end_line


def _skip_quoted(src, i, quote):
    """Returns the index after the closing quote (or at the newline that
    ends an unterminated literal)."""
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if c == "\n":
            return i
        i += 1
    return n


def _skip_regex(src, i):
    """src[i] is the opening '/'. Returns the index after the flags, or -1
    when this is not a regex literal after all (no close on the line)."""
    n = len(src)
    i += 1
    in_class = False
    while i < n:
        c = src[i]
        if c == "\n":
            return -1
        if c == "\\":
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            i += 1
            while i < n and (src[i].isalnum() or src[i] == "_"):
                i += 1
            return i
        i += 1
    return -1


def lex_js(src):
    toks = []
    _lex_js_into(src, 0, 1, toks, stop_at_brace=False)
    return toks


def _lex_js_into(src, i, line, toks, stop_at_brace):
    """Lexes from i; with stop_at_brace, stops after the '}' that closes a
    template substitution. Returns (index, line)."""
    n = len(src)
    depth = 0
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r\f\v":
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            toks.append(Tok("comment", src[i:j], line))
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            text = src[i:j]
            toks.append(Tok("comment", text, line, line + text.count("\n")))
            line += text.count("\n")
            i = j
        elif c in "'\"":
            j = _skip_quoted(src, i + 1, c)
            toks.append(Tok("string", src[i + 1:j - 1] if src[j - 1:j] == c else src[i + 1:j], line))
            i = j
        elif c == "`":
            i, line = _lex_template(src, i, line, toks)
        elif c == "/" and _js_regex_allowed(toks):
            j = _skip_regex(src, i)
            if j < 0:
                toks.append(Tok("punct", c, line))
                i += 1
            else:
                toks.append(Tok("regex", src[i:j], line))
                i = j
        elif c.isalpha() or c in "_$":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "_$"):
                j += 1
            toks.append(Tok("ident", src[i:j], line))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "._"):
                j += 1
            toks.append(Tok("num", src[i:j], line))
            i = j
        else:
            if stop_at_brace:
                if c == "{":
                    depth += 1
                elif c == "}":
                    if depth == 0:
                        return i + 1, line
                    depth -= 1
            toks.append(Tok("punct", c, line))
            i += 1
    return i, line


def _lex_template(src, i, line, toks):
    """src[i] is a backtick. Appends one string token with the raw text
    (substitutions kept as written). Tokens inside substitutions are lexed
    into a scratch list so their braces and parens stay out of the way."""
    n = len(src)
    start_line = line
    j = i + 1
    while j < n:
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == "`":
            break
        if c == "\n":
            line += 1
        if src.startswith("${", j):
            scratch = []
            j, line = _lex_js_into(src, j + 2, line, scratch, stop_at_brace=True)
            continue
        j += 1
    toks.append(Tok("string", src[i + 1:j], start_line, line))
    return min(j + 1, n), line


def _js_regex_allowed(toks):
    for t in reversed(toks):
        if t.kind == "comment":
            continue
        if t.kind == "punct":
            return t.text in JS_REGEX_AFTER_PUNCT
        if t.kind == "ident":
            return t.text in JS_REGEX_AFTER_WORDS
        return False
    return True


def lex_c(src):
    toks = []
    n = len(src)
    i = 0
    line = 1
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r\f\v\\":
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            toks.append(Tok("comment", src[i:j], line))
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            text = src[i:j]
            toks.append(Tok("comment", text, line, line + text.count("\n")))
            line += text.count("\n")
            i = j
        elif c in "'\"":
            j = _skip_quoted(src, i + 1, c)
            toks.append(Tok("string", src[i + 1:j], line))
            i = j
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            toks.append(Tok("ident", src[i:j], line))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "._"):
                j += 1
            toks.append(Tok("num", src[i:j], line))
            i = j
        else:
            toks.append(Tok("punct", c, line))
            i += 1
    return toks


# ------------------------------------------------------------ attribution


def _match_close(toks, open_idx, open_ch, close_ch):
    depth = 0
    for k in range(open_idx, len(toks)):
        t = toks[k]
        if t.kind != "punct":
            continue
        if t.text == open_ch:
            depth += 1
        elif t.text == close_ch:
            depth -= 1
            if depth == 0:
                return k
    return len(toks) - 1


def _next_code(toks, k, step):
    k += step
    while 0 <= k < len(toks) and toks[k].kind == "comment":
        k += step
    return k if 0 <= k < len(toks) else None


def _hits_in(tok):
    """Yields (claim_id, line) for every claim ID inside a token."""
    for m in CLAIM_RE.finditer(tok.text):
        yield m.group(0), tok.line + tok.text.count("\n", 0, m.start())


class Unit:
    """A named test (or function) and the token range it covers. `start`
    is where a comment right above it must end; [open, close] is the call
    or body; `lines` are lines whose trailing comments belong to it."""

    def __init__(self, name, start, open_idx, close, lines):
        self.name = name
        self.start = start
        self.open = open_idx
        self.close = close
        self.lines = lines


def js_units(toks):
    units = []
    name_toks = {}
    for k, t in enumerate(toks):
        if t.kind != "ident" or t.text not in JS_TEST_FUNCS:
            continue
        p = _next_code(toks, k, -1)
        if p is not None and toks[p].kind == "punct" and toks[p].text == ".":
            continue
        q = _next_code(toks, k, 1)
        while q is not None and toks[q].kind == "punct" and toks[q].text == ".":
            q = _next_code(toks, q, 1)      # test.skip(, describe.only(
            q = _next_code(toks, q, 1) if q is not None else None
        if q is None or toks[q].kind != "punct" or toks[q].text != "(":
            continue
        a = _next_code(toks, q, 1)
        if a is None or toks[a].kind != "string":
            continue
        close = _match_close(toks, q, "(", ")")
        end_line = toks[close].line
        units.append(Unit(toks[a].text, k, q, close, {end_line}))
        name_toks[a] = units[-1]
    return units, name_toks


def c_units(toks):
    units = []
    depth = 0
    k = 0
    while k < len(toks):
        t = toks[k]
        if t.kind == "punct" and t.text in "{}":
            depth += 1 if t.text == "{" else -1
        elif depth == 0 and t.kind == "ident":
            q = _next_code(toks, k, 1)
            if q is not None and toks[q].kind == "punct" and toks[q].text == "(":
                rp = _match_close(toks, q, "(", ")")
                b = _next_code(toks, rp, 1)
                if b is not None and toks[b].kind == "punct" and toks[b].text == "{":
                    close = _match_close(toks, b, "{", "}")
                    start = k
                    while start > 0 and (toks[start - 1].kind == "ident" or
                                         (toks[start - 1].kind == "punct" and
                                          toks[start - 1].text == "*")):
                        start -= 1
                    units.append(Unit(t.text, start, b, close, {toks[close].line}))
                    k = close + 1
                    continue
        k += 1
    registered = {}
    for k, t in enumerate(toks):
        if t.kind == "ident" and t.text.startswith("cmocka_unit_test"):
            q = _next_code(toks, k, 1)
            a = _next_code(toks, q, 1) if q is not None else None
            if (q is not None and toks[q].text == "(" and a is not None and
                    toks[a].kind == "ident"):
                registered.setdefault(t.line, toks[a].text)
    return units, registered


def attribute(path, toks, units, comment_line_names):
    """Returns {claim_id: set of labels} for the claim IDs in the comments
    of one file. comment_line_names maps a line to the test registered on
    it (cmocka_unit_test), for comments on that line."""
    found = {}
    for k, t in enumerate(toks):
        if t.kind != "comment":
            continue
        for cid, line in _hits_in(t):
            label = _label_for_comment(path, toks, k, line, units, comment_line_names)
            found.setdefault(cid, set()).add(label)
    return found


def _label_for_comment(path, toks, k, line, units, comment_line_names):
    t = toks[k]
    if t.line in comment_line_names:
        return f"{path}: {comment_line_names[t.line]}"
    prev = _next_code(toks, k, -1)
    starts_line = prev is None or toks[prev].end_line < t.line
    nxt = _next_code(toks, k, 1)
    if starts_line and nxt is not None and toks[nxt].line - t.end_line <= 1:
        for u in units:
            if u.start == nxt:
                return f"{path}: {u.name}"
    inner = None
    for u in units:
        if u.open < k < u.close and (inner is None or u.open > inner.open):
            inner = u
    if inner is not None:
        return f"{path}: {inner.name}"
    if not starts_line:
        for u in units:
            if t.line in u.lines and u.close <= k:
                return f"{path}: {u.name}"
    return f"{path}:{line}"


def scan_js(path, src):
    toks = lex_js(src)
    units, name_toks = js_units(toks)
    found = attribute(path, toks, units, {})
    for k, u in name_toks.items():
        for cid, _ in _hits_in(toks[k]):
            found.setdefault(cid, set()).add(f"{path}: {u.name}")
    return found


def scan_c(path, src):
    toks = lex_c(src)
    units, registered = c_units(toks)
    return attribute(path, toks, units, registered)


def scan_plain(path, src):
    found = {}
    for no, text in enumerate(src.splitlines(), 1):
        for m in CLAIM_RE.finditer(text):
            found.setdefault(m.group(0), set()).add(f"{path}:{no}")
    return found


# ------------------------------------------------------------------ files


def test_files(root):
    files = []
    for pattern in ("tests/unit/*.c", "tests/e2e/*.mjs", "tests/browser/*.mjs",
                    "fuzz/*.c", "bench/*"):
        for p in root.glob(pattern):
            if p.is_file() and not p.name.startswith("."):
                files.append(p)
    return sorted(set(files), key=lambda p: p.relative_to(root).as_posix())


def scan_file(root, p):
    rel = p.relative_to(root).as_posix()
    try:
        src = p.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        sys.exit(f"claims_coverage: {rel}: {e.strerror}")
    if p.suffix in (".c", ".h"):
        return scan_c(rel, src)
    if p.suffix in (".mjs", ".js", ".cjs"):
        return scan_js(rel, src)
    return scan_plain(rel, src)


def read_claims(root):
    path = root / CLAIMS_DOC
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        sys.exit(f"claims_coverage: {CLAIMS_DOC}: {e.strerror}")
    claims = {}
    for cid, title in DOC_CLAIM_RE.findall(text):
        if cid in claims:
            sys.exit(f"claims_coverage: {CLAIMS_DOC}: {cid} is defined twice")
        claims[cid] = title.rstrip(".")
    if not claims:
        sys.exit(f"claims_coverage: {CLAIMS_DOC}: no claims found "
                 "(expected lines like '- **AUTH-7 Title.** ...')")
    return claims


def read_attest_table(root):
    path = root / ATTEST_TABLE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        return None, f"{ATTEST_TABLE}: {e.strerror}"
    table = {}
    for cid, title in C_TABLE_RE.findall(text):
        table[cid] = re.sub(r"\\(.)", r"\1", title)
    return table, None


# ----------------------------------------------------------------- report


def md_cell(s):
    s = " ".join(s.split())
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def build(root):
    claims = read_claims(root)
    hits = {}
    for p in test_files(root):
        for cid, labels in scan_file(root, p).items():
            hits.setdefault(cid, set()).update(labels)
    ids = sorted(claims, key=claim_key)
    covered = [c for c in ids if hits.get(c)]
    uncovered = [c for c in ids if not hits.get(c)]
    unknown = sorted((c for c in hits if c not in claims), key=claim_key)
    summary = (f"claims coverage: {len(covered)}/{len(ids)} claims have at least one test "
               f"({len(uncovered)} uncovered)")

    out = [
        "# Claims coverage",
        "",
        "Generated by `tools/claims_coverage.py` from `docs/claims.md` and the tests",
        "(`tests/unit/*.c`, `tests/e2e/*.mjs`, `tests/browser/*.mjs`, `fuzz/*.c`,",
        "`bench/*`). Do not edit: run `python3 tools/claims_coverage.py` to",
        "regenerate it; `--check` fails while it is stale.",
        "",
        "A test counts for a claim when the claim ID appears in its name or in a",
        "comment inside or right beside it. Hits outside any test are listed as",
        "`file:line`. Being named by a test is necessary for a claim to be done,",
        "not sufficient: `strongroom attest` says what the server enforces.",
        "",
        f"**Summary:** {len(covered)} of {len(ids)} claims have at least one test; "
        f"{len(uncovered)} have none.",
        "",
        "| Claim | Title | Tests |",
        "|---|---|---|",
    ]
    for cid in ids:
        labels = sorted(hits.get(cid, ()))
        cell = "<br>".join(md_cell(x) for x in labels) if labels else "—"
        out.append(f"| {cid} | {md_cell(claims[cid])} | {cell} |")
    out += ["", "## Uncovered claims", ""]
    out += [f"- {cid} {claims[cid]}" for cid in uncovered] or ["None."]
    if unknown:
        out += ["", "## IDs named by tests but missing from docs/claims.md", ""]
        for cid in unknown:
            out.append(f"- {cid}: " + "; ".join(md_cell(x) for x in sorted(hits[cid])))
    out.append("")
    return claims, "\n".join(out), summary, unknown


def check_attest_table(root, claims):
    table, err = read_attest_table(root)
    if err is not None:
        return [err]
    problems = []
    for cid in sorted(claims, key=claim_key):
        if cid not in table:
            problems.append(f"{ATTEST_TABLE}: {cid} is missing")
        elif table[cid] != claims[cid]:
            problems.append(f"{ATTEST_TABLE}: {cid} title is \"{table[cid]}\", "
                            f"docs/claims.md says \"{claims[cid]}\"")
    for cid in sorted(set(table) - set(claims), key=claim_key):
        problems.append(f"{ATTEST_TABLE}: {cid} is not in {CLAIMS_DOC}")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate or check docs/claims-coverage.md.")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the report is stale or the attest table is out of sync")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                    help="repository root (default: the parent of tools/)")
    args = ap.parse_args(argv)
    root = args.root.resolve()

    claims, text, summary, unknown = build(root)
    problems = check_attest_table(root, claims)
    for cid in unknown:
        print(f"claims_coverage: warning: tests name {cid}, which is not in {CLAIMS_DOC}",
              file=sys.stderr)
    report = root / REPORT
    if args.check:
        try:
            current = report.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            problems.append(f"{REPORT} is stale: run python3 tools/claims_coverage.py")
    else:
        report.write_text(text, encoding="utf-8")
    print(summary)
    for p in problems:
        print(f"claims_coverage: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
