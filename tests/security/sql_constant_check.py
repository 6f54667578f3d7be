#!/usr/bin/env python3
"""Every SQL statement the store prepares is a compile-time constant (issue 6).

Checks, over every .c and .h file under src/:
  1. each call to db_stmt / db_prepare / db_tx_stmt / sqlite3_prepare* /
     sqlite3_exec (and libpq's PQexec / PQexecParams / PQprepare, for the
     PostgreSQL store when it lands) passes as its SQL argument
       - a string literal, or a concatenation of literals and macros that
         expand to literals (`"SELECT " USER_COLS " FROM users ..."`),
       - a `static const char NAME[] = <literals>` (or `*const NAME`),
       - `NAME[i]` of a `static const char *const NAME[] = {<literals>...}`,
       - `m->sql` / `tbl[i].sql` of the migration tables, when every entry of
         every `struct sr_migration` table is a literal,
       - or, inside one of the checked wrappers themselves, the wrapper's own
         parameter (the callers of the wrapper are checked instead);
  2. nothing in src/ builds SQL text at run time with sqlite3_mprintf,
     sqlite3_vmprintf, sqlite3_snprintf or sqlite3_str_*;
  3. no file under src/ outside src/store/ includes sqlite3.h or libpq-fe.h.

Exit 0 when clean, 1 on any violation (each printed as file:line: why),
2 on usage errors. Writes build/security/sql_constant_check.json (schema of
tools/security_report.py). `--self-test` first proves the checker rejects
every kind of violation above on synthetic sources.
"""
import json
import os
import re
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))

# function name -> index of the SQL argument
SQL_CALLS = {
    'db_stmt': 1,
    'db_prepare': 3,
    'db_tx_stmt': 1,
    'sqlite3_prepare': 1,
    'sqlite3_prepare_v2': 1,
    'sqlite3_prepare_v3': 1,
    'sqlite3_prepare16': 1,
    'sqlite3_prepare16_v2': 1,
    'sqlite3_prepare16_v3': 1,
    'sqlite3_exec': 1,
    'PQexec': 1,
    'PQexecParams': 1,
    'PQprepare': 2,
    'PQsendQuery': 1,
    'PQsendQueryParams': 1,
    'PQsendPrepare': 2,
    # The store's own entry points below the statement API: callers must
    # pass constants too.
    'db_conn_script': 1,
    'lite_exec_script': 1,
    'pg_simple': 1,
    'pg_params': 1,
}
# Functions that may forward their own `const char *` SQL parameter: the
# statement API (its callers are checked) and the drivers' entry points,
# reached only through db_stmt / db_conn_script (store/driver.h).
WRAPPERS = {'db_stmt', 'db_prepare', 'db_tx_stmt', 'db_conn_script',
            'lite_exec_script', 'lite_prepare', 'pg_simple', 'pg_params', 'pg_prepare',
            'pg_exec_script'}
# A driver may rewrite its parameter's placeholders (?N -> $N) before
# preparing: `translate(sql, ..., &out, ...)` makes `out` count as `sql`.
TRANSLATORS = {'pg_translate'}
DYNAMIC_SQL = re.compile(r'\b(sqlite3_v?mprintf|sqlite3_v?snprintf|sqlite3_str_\w+)\s*\(')
DB_HEADERS = re.compile(r'^\s*#\s*include\s*[<"]([^>"]*/)?(sqlite3\.h|libpq-fe\.h)[>"]', re.M)

STRING_RE = r'"(?:[^"\\\n]|\\.)*"'
CHAR_RE = r"'(?:[^'\\\n]|\\.)*'"


def strip_comments(text):
    """Blanks out comments (keeping newlines, so line numbers stay right)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            m = re.compile(STRING_RE if c == '"' else CHAR_RE).match(text, i)
            j = m.end() if m else i + 1
            out.append(text[i:j])
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def split_args(text, open_pos):
    """Given text[open_pos] == '(', returns (args, end) with top-level args."""
    depth = 0
    args, cur = [], []
    i, n = open_pos, len(text)
    while i < n:
        c = text[i]
        if c in '"\'':
            m = re.compile(STRING_RE if c == '"' else CHAR_RE).match(text, i)
            j = m.end() if m else i + 1
            cur.append(text[i:j])
            i = j
            continue
        if c in '([{':
            depth += 1
            if depth > 1:
                cur.append(c)
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append(''.join(cur).strip())
                return args, i + 1
            cur.append(c)
        elif c == ',' and depth == 1:
            args.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return None, n


def tokens(expr):
    """Splits an expression into string literals and other tokens."""
    return re.findall(STRING_RE + r'|[A-Za-z_]\w*|->|\S', expr)


class Source:
    def __init__(self, path, text):
        self.path = path
        self.raw = text
        self.text = strip_comments(text)

    def line_of(self, pos):
        return self.text.count('\n', 0, pos) + 1


def collect_macros(sources):
    """#define NAME <body> from every file (continuations joined)."""
    macros = {}
    for s in sources:
        joined = re.sub(r'\\\n', ' ', s.text)
        for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*(.*)$', joined, re.M):
            macros.setdefault(m.group(1), m.group(2).strip())
    return macros


def literal_concat(expr, macros, depth=0):
    """True when expr is literals and macros expanding to literals only."""
    if depth > 20:
        return False
    expr = expr.strip()
    while expr.startswith('(') and expr.endswith(')'):
        args, end = split_args(expr, 0)
        if end != len(expr) or args is None or len(args) != 1:
            break
        expr = args[0].strip()
    toks = tokens(expr)
    if not toks:
        return False
    seen_literal = False
    for t in toks:
        if t.startswith('"'):
            seen_literal = True
        elif re.fullmatch(r'[A-Za-z_]\w*', t) and t in macros:
            if not literal_concat(macros[t], macros, depth + 1):
                return False
            seen_literal = True
        else:
            return False
    return seen_literal


def const_string_decl(src, name, macros):
    """static const char NAME[] = <literals>; or const char *const NAME = ...;"""
    pat = (r'\bconst\s+char\s+(?:\*\s*const\s+' + re.escape(name) + r'|' + re.escape(name) +
           r'\s*\[\s*\])\s*=\s*((?:' + STRING_RE + r'|[^;"])*);')
    found = list(re.finditer(pat, src.text))
    return bool(found) and all(literal_concat(m.group(1), macros) for m in found)


def const_string_table(src, name, macros):
    """static const char *const NAME[] = { <literals>, [X] = <literals>, ... };"""
    pat = r'\bconst\s+char\s*\*\s*const\s+' + re.escape(name) + r'\s*\[[^\]]*\]\s*=\s*\{'
    found = list(re.finditer(pat, src.text))
    if not found:
        return False
    for m in found:
        args, _ = split_args(src.text, m.end() - 1)
        if args is None:
            return False
        for a in args:
            if a == '':
                continue
            a = re.sub(r'^\[[^\]]*\]\s*=\s*', '', a)
            if not literal_concat(a, macros):
                return False
    return True


def migration_tables_constant(sources, macros, problems):
    """Every `struct sr_migration NAME[] = {{v, <literals>}, ..., {0, NULL}}`."""
    tables = 0
    ok = True
    for s in sources:
        for m in re.finditer(r'\bstruct\s+sr_migration\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{', s.text):
            tables += 1
            args, _ = split_args(s.text, m.end() - 1)
            for a in args or []:
                if a == '':
                    continue
                inner = a.strip()
                if not (inner.startswith('{') and inner.endswith('}')):
                    problems.append((s.path, s.line_of(m.start()), f'{m.group(1)}: entry is not {{version, sql}}'))
                    ok = False
                    continue
                parts, _ = split_args('(' + inner[1:-1] + ')', 0)
                sql = parts[1] if parts and len(parts) > 1 else ''
                if sql == 'NULL':
                    continue
                if not literal_concat(sql, macros):
                    problems.append((s.path, s.line_of(m.start()),
                                     f'{m.group(1)}: migration SQL is not a string literal: {sql[:60]}'))
                    ok = False
    return ok and tables > 0


def enclosing_function(src, pos):
    """(name, params) of the function definition enclosing pos (BSD style)."""
    best = None
    for m in re.finditer(r'^([A-Za-z_]\w*)\s*\(([^;{}]*)\)\s*\{', src.text[:pos], re.M):
        best = m
    if best is None:
        return None, ''
    return best.group(1), best.group(2)


def is_declaration(args):
    decl = re.compile(r'^(const\s+)?(struct|enum|unsigned|signed|char|int|long|void|size_t|'
                      r'sqlite3\w*|PG\w+)\b.*[\w\]]\s*$')
    return bool(args) and all(decl.match(a) and re.search(r'\s|\*', a) for a in args if a)


def check_call(src, fname, pos, args, ctx):
    idx = SQL_CALLS[fname]
    if args is None or len(args) <= idx:
        return f'{fname}: cannot read argument {idx + 1}'
    arg = args[idx]
    macros = ctx['macros']
    if literal_concat(arg, macros):
        return None
    a = arg.strip()
    if re.fullmatch(r'[A-Za-z_]\w*', a):
        if const_string_decl(src, a, macros):
            return None
        fn, params = enclosing_function(src, pos)
        if fn in WRAPPERS and re.search(r'\bconst\s+char\s*\*\s*' + re.escape(a) + r'\b', params):
            return None  # a checked wrapper forwarding its own parameter
        if fn in WRAPPERS:
            for t in TRANSLATORS:
                m = re.search(r'\b' + t + r'\s*\(\s*(\w+)\s*,[^;]*?&\s*' + re.escape(a) + r'\b',
                              src.text[:pos])
                if m and re.search(r'\bconst\s+char\s*\*\s*' + re.escape(m.group(1)) + r'\b',
                                   params):
                    return None  # the wrapper's parameter, placeholders rewritten
        return f'{fname}: SQL argument `{a}` is not a constant string'
    m = re.fullmatch(r'([A-Za-z_]\w*)\s*\[[^\]]*\]', a)
    if m and const_string_table(src, m.group(1), macros):
        return None
    if re.fullmatch(r'[A-Za-z_]\w*\s*(->|\.)\s*sql|[A-Za-z_]\w*\s*\[[^\]]*\]\s*\.\s*sql', a):
        if ctx['migrations_ok']:
            return None
        return f'{fname}: `{a}` reads a migration table that is not all literals'
    return f'{fname}: SQL argument `{a[:80]}` is not a constant string'


def scan(root):
    src_dir = os.path.join(root, 'src')
    sources = []
    for d, _, files in os.walk(src_dir):
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                p = os.path.join(d, f)
                with open(p, encoding='utf-8', errors='replace') as fh:
                    sources.append(Source(os.path.relpath(p, root), fh.read()))
    sources.sort(key=lambda s: s.path)
    problems = []
    ctx = {'macros': collect_macros(sources)}
    ctx['migrations_ok'] = migration_tables_constant(sources, ctx['macros'], problems)
    call_re = re.compile(r'\b(' + '|'.join(sorted(SQL_CALLS, key=len, reverse=True)) + r')\s*\(')
    calls = 0
    for s in sources:
        for m in call_re.finditer(s.text):
            prev = s.text[max(0, m.start() - 1):m.start()]
            if prev and (prev.isalnum() or prev == '_'):
                continue
            args, _ = split_args(s.text, m.end() - 1)
            if is_declaration(args):
                continue
            calls += 1
            why = check_call(s, m.group(1), m.start(), args, ctx)
            if why:
                problems.append((s.path, s.line_of(m.start()), why))
        for m in DYNAMIC_SQL.finditer(s.text):
            problems.append((s.path, s.line_of(m.start()), f'{m.group(1)}: SQL text built at run time'))
        under_store = s.path.startswith('src' + os.sep + 'store' + os.sep)
        for m in DB_HEADERS.finditer(s.text):
            if not under_store:
                problems.append((s.path, s.line_of(m.start()),
                                 f'includes {m.group(2)} outside src/store'))
    return {'files': len(sources), 'calls': calls, 'problems': problems}


SELF_TEST_CASES = {
    # name: (files {relpath: text}, expected number of problems)
    'clean': ({
        'src/store/sqlite/x.c': '#define COLS "id, name"\n'
                                'static const char pragmas[] = "PRAGMA foreign_keys=ON;";\n'
                                'enum sr_rc\nf(struct sr_store *st)\n{\n'
                                '        static const char *const sql[] = {\n'
                                '                [0] = "SELECT " COLS " FROM t",\n'
                                '                [1] = "SELECT 1",\n        };\n'
                                '        db_prepare(st, DB_DATA, r, sql[k], &s);\n'
                                '        db_prepare(st, DB_DATA, r, "SELECT " COLS\n'
                                '                   " FROM t WHERE id = ?", &s);\n'
                                '        sqlite3_exec(db, pragmas, NULL, NULL, NULL);\n'
                                '        sqlite3_exec(db, m->sql, NULL, NULL, NULL);\n}\n'
                                'enum sr_rc\ndb_tx_stmt(struct sr_tx *tx, const char *sql, sqlite3_stmt **ret)\n'
                                '{\n        return db_stmt(tx->c, sql, ret);\n}\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {\n'
                                    '        {1, "CREATE TABLE a (x);" "CREATE INDEX i ON a(x);"},\n'
                                    '        {0, NULL},\n};\n',
        'src/store/sqlite/db.h': '#include <sqlite3.h>\n',
    }, 0),
    'variable': ({
        'src/store/sqlite/x.c': 'void\nf(void)\n{\n        char q[64];\n'
                                '        snprintf(q, sizeof q, "SELECT * FROM t WHERE n = \'%s\'", name);\n'
                                '        db_prepare(st, DB_DATA, r, q, &s);\n}\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, "CREATE TABLE a (x);"}, {0, NULL}};\n',
    }, 1),
    'mprintf': ({
        'src/store/sqlite/x.c': 'void\nf(void)\n{\n        char *q = sqlite3_mprintf("SELECT %Q", v);\n'
                                '        sqlite3_exec(db, q, NULL, NULL, NULL);\n}\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, "CREATE TABLE a (x);"}, {0, NULL}};\n',
    }, 2),
    'ternary-with-variable': ({
        'src/store/sqlite/x.c': 'void\nf(void)\n{\n        db_tx_stmt(tx, ok ? "SELECT 1" : other, &s);\n}\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, "CREATE TABLE a (x);"}, {0, NULL}};\n',
    }, 1),
    'non-constant-macro': ({
        'src/store/sqlite/x.c': '#define Q buf\nvoid\nf(void)\n{\n        db_stmt(c, "SELECT " Q, &s);\n}\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, "CREATE TABLE a (x);"}, {0, NULL}};\n',
    }, 1),
    'header-outside-store': ({
        'src/domain/x.c': '#include <sqlite3.h>\n',
        'src/http/y.c': '#include "libpq-fe.h"\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, "CREATE TABLE a (x);"}, {0, NULL}};\n',
    }, 2),
    'migration-from-variable': ({
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, dyn}, {0, NULL}};\n',
        'src/store/sqlite/x.c': 'void\nf(void)\n{\n        sqlite3_exec(db, m->sql, NULL, NULL, NULL);\n}\n',
    }, 2),
    'wrapper-param-outside-wrapper': ({
        'src/store/sqlite/x.c': 'enum sr_rc\nmy_helper(struct db_conn *c, const char *sql)\n{\n'
                                '        return db_stmt(c, sql, &s);\n}\n',
        'src/store/migrations/m.c': 'const struct sr_migration t[] = {{1, "CREATE TABLE a (x);"}, {0, NULL}};\n',
    }, 1),
}


def self_test():
    bad = []
    for name, (files, expected) in SELF_TEST_CASES.items():
        with tempfile.TemporaryDirectory() as d:
            for rel, text in files.items():
                p = os.path.join(d, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, 'w') as fh:
                    fh.write(text)
            got = scan(d)['problems']
            if len(got) != expected:
                bad.append(f'self-test {name}: expected {expected} problem(s), got {len(got)}: {got}')
    return bad


def main(argv):
    want_self_test = '--self-test' in argv
    out_dir = os.environ.get('SR_SECURITY_OUT', os.path.join(ROOT, 'build', 'security'))
    started = time.time()
    st_fail = self_test() if want_self_test else []
    for b in st_fail:
        print(b, file=sys.stderr)
    res = scan(ROOT)
    for path, line, why in res['problems']:
        print(f'{path}:{line}: {why}')
    findings = len(res['problems'])
    print(f'sql_constant_check: {res["calls"]} SQL calls in {res["files"]} files under src/, '
          f'{findings} violation(s)' + (f', self-test {len(SELF_TEST_CASES)} cases '
                                        f'{"FAILED" if st_fail else "ok"}' if want_self_test else ''))
    os.makedirs(out_dir, exist_ok=True)
    result = {
        'check': 'sql_constant_check',
        'tool': 'tests/security/sql_constant_check.py (static scan of src/)',
        'version': {'python': sys.version.split()[0]},
        'ran': (f'every call of {", ".join(sorted(SQL_CALLS))} in src/ ({res["calls"]} calls, '
                f'{res["files"]} files): SQL argument must be a literal, a macro concatenation of literals, '
                'a const literal table entry or a wrapper forwarding its parameter; no sqlite3_mprintf-style '
                'SQL building; sqlite3.h / libpq-fe.h only under src/store'
                + (f'; self-test of {len(SELF_TEST_CASES)} synthetic cases' if want_self_test else '')),
        'started_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(started)),
        'findings': findings + len(st_fail),
        'details': [f'{p}:{l}: {w}' for p, l, w in res['problems']] + st_fail,
        'claims': ['SQL only in src/store with constant strings and bound parameters (house rule; '
                   'injection defence behind DATA-2/ACC-4)'],
        'figures': {'sql_calls_checked': res['calls'], 'files_scanned': res['files'],
                    'runtime_s': round(time.time() - started, 2)},
    }
    with open(os.path.join(out_dir, 'sql_constant_check.json'), 'w') as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
        fh.write('\n')
    return 1 if findings or st_fail else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
