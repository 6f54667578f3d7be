#!/usr/bin/env python3
"""Generates docs/security-report.md from the result files the security
checks write into build/security/*.json (issue 6).

Each result file has the schema
  {"check": name, "tool": name, "version": str | {tool: version},
   "ran": what ran, "started_at": time, "findings": N,
   "details": [str | {"severity": ..., "what": ...}], "claims": [str],
   "figures": {...}, "notes": [str]?}
The report lists tool versions, what ran, findings per check, the claims
each check proves (claim IDs such as DATA-1 are picked out of the claim
sentences), latency figures (every object with a p99_ms) and the other
figures. A check whose result file is older than the binary it tested is
marked stale; an expected check without a result file is listed as not run.

Usage: tools/security_report.py [--results DIR] [--out FILE] [--check]
  --check  exit 1 when any check has findings, is stale or is missing.
  --since T  result files written before epoch T are stale (make check-security passes its start).
"""
import argparse
import datetime as dt
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
# Checks make check-security runs; a missing one is reported as not run.
EXPECTED = [
    ('tls_scan', 'tests/security/tls_scan.sh'),
    ('sqlmap_ci', 'tests/security/sqlmap_ci.sh'),
    ('hostile_input', 'tests/e2e/hostile_input.test.mjs'),
    ('sql_constant_check', 'tests/security/sql_constant_check.py'),
    ('hygiene_scan', 'tests/security/hygiene_scan.sh'),
    ('durability_kill9', 'tests/security/durability_kill9.sh'),
    ('limits_attacks', 'tests/security/limits_attacks.sh'),
]
CLAIM_RE = re.compile(r'\b(ACC|AUTH|DATA|PRIV|LIFE|OPS)-\d+\b')


def claim_key(c):
    return (c.split('-')[0], int(c.split('-')[1]))


def md(s):
    """Escapes text for a Markdown table cell."""
    return str(s).replace('|', '\\|').replace('\n', ' ')


def version_text(v):
    if isinstance(v, dict):
        return ', '.join(f'{k} {val}' for k, val in v.items())
    return str(v) if v not in (None, '') else '—'


def detail_text(d):
    if isinstance(d, dict):
        sev = d.get('severity')
        what = d.get('what') or d.get('detail') or json.dumps(d, ensure_ascii=False)
        return f'**{sev}**: {what}' if sev else str(what)
    return str(d)


def fmt(v):
    if isinstance(v, float):
        return f'{v:g}'
    if isinstance(v, (list, tuple)):
        if all(not isinstance(x, (dict, list)) for x in v):
            return ', '.join(fmt(x) for x in v) if v else '—'
        if all(isinstance(x, (list, tuple)) and all(not isinstance(y, (dict, list)) for y in x) for x in v):
            return '; '.join(' '.join(fmt(y) for y in x) for x in v)
        return f'{len(v)} entries (see the JSON file)'
    if isinstance(v, dict):
        if all(not isinstance(x, (dict, list)) for x in v.values()):
            return ', '.join(f'{k}: {fmt(x)}' for k, x in v.items()) if v else '—'
        return f'{len(v)} entries (see the JSON file)'
    if v is None:
        return '—'
    return str(v)


def latency_rows(obj, path=()):
    """Every dict with a p99_ms → (path, n, p50, p99, max, errors)."""
    rows = []
    if isinstance(obj, dict):
        if 'p99_ms' in obj and not isinstance(obj['p99_ms'], dict):
            rows.append(('.'.join(path), obj.get('n'), obj.get('p50_ms'), obj.get('p99_ms'),
                         obj.get('max_ms'), obj.get('errors', 0) + obj.get('timeouts', 0)
                         if isinstance(obj.get('errors', 0), int) and isinstance(obj.get('timeouts', 0), int) else obj.get('errors')))
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                rows += latency_rows(v, path + (str(k),))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            if isinstance(v, dict):
                rows += latency_rows(v, path + (str(i),))
    return rows


def figure_rows(obj, path=(), depth=0, out=None):
    """Flattened figures without the latency objects, at most 3 levels deep."""
    out = [] if out is None else out
    for k, v in obj.items():
        p = path + (str(k),)
        if isinstance(v, dict) and 'p99_ms' in v:
            continue
        nested = isinstance(v, dict) and any(isinstance(x, (dict, list)) for x in v.values())
        if nested and (depth < 2 or latency_rows(v)) and depth < 4:
            figure_rows(v, p, depth + 1, out)
        else:
            out.append(('.'.join(p), fmt(v)))
    return out


def binary_mtime():
    b = os.environ.get('STRONGROOM_BIN', os.path.join(ROOT, 'build', 'strongroom'))
    try:
        return os.path.getmtime(b)
    except OSError:
        return None


def git_describe():
    try:
        head = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no'],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        return f'{head}{" + uncommitted changes" if dirty else ""}' if head else 'unknown'
    except OSError:
        return 'unknown'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', default=os.path.join(ROOT, 'build', 'security'))
    ap.add_argument('--out', default=os.path.join(ROOT, 'docs', 'security-report.md'))
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--since', type=float, default=None,
                    help='epoch seconds the run started: older result files are marked stale')
    a = ap.parse_args()

    results = []
    for f in sorted(glob.glob(os.path.join(a.results, '*.json'))):
        try:
            with open(f) as fh:
                r = json.load(fh)
        except (OSError, ValueError) as e:
            results.append({'check': os.path.basename(f)[:-5], 'tool': '?', 'findings': 1,
                            'details': [f'unreadable result file: {e}'], '_file': f, '_mtime': 0})
            continue
        if not isinstance(r, dict) or 'check' not in r:
            continue
        r['_file'] = f
        r['_mtime'] = os.path.getmtime(f)
        results.append(r)
    bin_m = binary_mtime()
    by_name = {r['check']: r for r in results}
    order = [n for n, _ in EXPECTED if n in by_name] + sorted(n for n in by_name if n not in dict(EXPECTED))
    missing = [(n, s) for n, s in EXPECTED if n not in by_name]

    def stale(r):
        if a.since is not None and r.get('_mtime', 0) < a.since:
            return True
        return bin_m is not None and r.get('_mtime', 0) < bin_m

    lines = []
    w = lines.append
    now = dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    w('# Strongroom security report')
    w('')
    w(f'Generated by `tools/security_report.py` from `build/security/*.json` on {now}, '
      f'source {git_describe()}, on {os.cpu_count()} CPUs. `make check-security` (part of `make check`) '
      'runs every check below against the ASan/UBSan build and regenerates this file; each check fails '
      'the build on any finding. Tools nobody on the team wrote do the attacking: testssl, sslscan, sqlmap, '
      'libFuzzer (`make fuzz`), plus our own drivers for crash durability, resource limits and secrets hygiene.')
    w('')
    w('## Summary')
    w('')
    w('| check | tool | version | findings | claims | runtime |')
    w('|---|---|---|---|---|---|')
    total_findings = 0
    for n in order:
        r = by_name[n]
        f = r.get('findings', 0)
        total_findings += f if isinstance(f, int) else 0
        claims = sorted(set(m.group(0) for m in CLAIM_RE.finditer(' '.join(r.get('claims', [])))), key=claim_key)
        rt = (r.get('figures') or {}).get('runtime_s')
        verdict = f'**{f}**' if f else '0'
        if stale(r):
            verdict += ' (stale: not from this run)'
        w(f'| {md(n)} | {md(r.get("tool", ""))} | {md(version_text(r.get("version")))} | {verdict} | '
          f'{", ".join(claims) or "—"} | {fmt(rt) + " s" if rt is not None else "—"} |')
    for n, script in missing:
        w(f'| {md(n)} | `{script}` | — | not run | — | — |')
    w('')

    # Claims → checks
    claim_map = {}
    for n in order:
        for c in by_name[n].get('claims', []):
            for cid in sorted(set(m.group(0) for m in CLAIM_RE.finditer(c))):
                claim_map.setdefault(cid, []).append(n)
    if claim_map:
        w('## Claims and the checks that back them')
        w('')
        w('| claim | checks |')
        w('|---|---|')
        for cid in sorted(claim_map, key=claim_key):
            w(f'| {cid} | {", ".join(sorted(set(claim_map[cid])))} |')
        w('')

    lat = []
    for n in order:
        for row in latency_rows(by_name[n].get('figures') or {}):
            lat.append((n,) + row)
    if lat:
        w('## Latency under attack (p99)')
        w('')
        w('A session check measured by a separate client while each attack runs (ms).')
        w('')
        w('| check | measurement | n | p50 | p99 | max | errors |')
        w('|---|---|---|---|---|---|---|')
        for n, path, cnt, p50, p99, mx, err in lat:
            if p99 is None:
                continue
            w(f'| {md(n)} | {md(path)} | {fmt(cnt)} | {fmt(p50)} | **{fmt(p99)}** | {fmt(mx)} | {fmt(err)} |')
        w('')

    w('## Checks')
    for n in order:
        r = by_name[n]
        w('')
        w(f'### {n}')
        w('')
        w(f'- **Tool**: {r.get("tool", "")} ({version_text(r.get("version"))})')
        w(f'- **Ran**: {r.get("ran", "—")}')
        if r.get('started_at'):
            w(f'- **Started**: {r["started_at"]}{" — stale: older than this run or the binary" if stale(r) else ""}')
        w(f'- **Findings**: {r.get("findings", 0)}')
        if r.get('claims'):
            w('- **Proves**:')
            for c in r['claims']:
                w(f'  - {c}')
        details = r.get('details') or []
        if details:
            w('- **Details**:')
            for d in details[:40]:
                w(f'  - {detail_text(d)}')
            if len(details) > 40:
                w(f'  - … {len(details) - 40} more in `{os.path.relpath(r["_file"], ROOT)}`')
        for note in r.get('notes') or []:
            w(f'- **Note**: {note}')
        rows = figure_rows(r.get('figures') or {})
        if rows:
            w('')
            w('| figure | value |')
            w('|---|---|')
            for k, v in rows[:60]:
                w(f'| {md(k)} | {md(v)} |')
            if len(rows) > 60:
                w(f'| … | {len(rows) - 60} more in `{os.path.relpath(r["_file"], ROOT)}` |')
        for k, v in (r.get('figures') or {}).items():
            if isinstance(v, list) and 0 < len(v) <= 40 and all(isinstance(x, dict) for x in v):
                cols = []
                for x in v:
                    cols += [c for c in x if c not in cols]
                w('')
                w(f'{k}:')
                w('')
                w('| ' + ' | '.join(md(c) for c in cols) + ' |')
                w('|' + '---|' * len(cols))
                for x in v:
                    w('| ' + ' | '.join(md(fmt(x.get(c))) for c in cols) + ' |')
    if missing:
        w('')
        w('## Not run')
        w('')
        for n, script in missing:
            w(f'- {n} (`{script}`): no result file in `build/security/`.')
    w('')
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as fh:
        fh.write('\n'.join(lines))
    stale_n = sum(1 for n in order if stale(by_name[n]))
    print(f'security_report: {len(order)} checks, {total_findings} finding(s), {stale_n} stale, '
          f'{len(missing)} not run → {os.path.relpath(a.out, ROOT)}')
    if a.check and (total_findings or stale_n or missing):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
