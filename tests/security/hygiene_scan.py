#!/usr/bin/env python3
"""Secrets hygiene scan (issue 6, DATA-5): looks for every canary the e2e
suite recorded (passwords, tokens, secrets, one-time passwords, recovery
codes, challenges, e-mail addresses, phone numbers, names, companies) in
every server log, every CLI log and every file of every kept data dir
(databases, -wal/-shm/-journal, keystores, config, TLS files), except each
data dir's mail/ Maildir (which holds delivered mail by design), and in any
core or crash file. Each canary is searched as is, lower-cased, JSON-escaped,
percent-encoded and in base64 / base64url. Zero hits required.

Usage: hygiene_scan.py ARTIFACTS_DIR OUT.json [--suite-exit N] [--suite-seconds S]
ARTIFACTS_DIR is what STRONGROOM_E2E_ARTIFACTS pointed at: canaries.txt and
servers/*/ (tests/support/server.mjs).
"""
import base64
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

MIN_LEN = 8        # shorter values (TOTP codes, short names) match by chance
MAX_LEN = 1024     # longer ones are hostile-input filler, never accepted


def load_canaries(path):
    kinds = collections.defaultdict(set)
    total = 0
    with open(path, encoding='utf-8', errors='surrogatepass') as fh:
        for line in fh:
            kind, _, raw = line.rstrip('\n').partition('\t')
            try:
                v = json.loads(raw)
            except ValueError:
                continue
            if isinstance(v, str):
                total += 1
                kinds[v].add(kind)
    return kinds, total


def variants(v):
    """(label, bytes) forms of one canary value."""
    try:
        b = v.encode('utf-8')
    except UnicodeEncodeError:  # a lone surrogate from the hostile-input suite
        b = v.encode('utf-8', errors='surrogatepass')
    out = {('raw', b)}
    low = v.lower().encode('utf-8', errors='surrogatepass')
    out.add(('lower-case', low))
    for ascii_only in (True, False):
        j = json.dumps(v, ensure_ascii=ascii_only)[1:-1].encode('utf-8', errors='surrogatepass')
        out.add(('json-escaped', j))
    out.add(('percent-encoded', urllib.parse.quote(b, safe='').encode()))
    out.add(('base64', base64.b64encode(b).rstrip(b'=')))
    out.add(('base64url', base64.urlsafe_b64encode(b).rstrip(b'=')))
    seen = set()
    res = []
    for label, x in sorted(out, key=lambda t: ['raw', 'lower-case', 'json-escaped', 'percent-encoded',
                                                'base64', 'base64url'].index(t[0])):
        if x not in seen and b'\n' not in x and b'\r' not in x and len(x) >= MIN_LEN:
            seen.add(x)
            res.append((label, x))
    return res


def category(rel):
    name = os.path.basename(rel)
    if name.endswith('.log') or name.endswith('.stdout.log'):
        return 'log'
    if name.startswith('core') or rel.startswith('crash:'):
        return 'core/crash'
    if 'keystore' in name or '/keys/' in rel:
        return 'keystore/keys'
    if name.endswith(('.db', '.db-wal', '.db-shm', '.db-journal', '-wal', '-shm', '-journal')):
        return 'database'
    return 'other data file'


def files_to_scan(art):
    out = []
    servers = os.path.join(art, 'servers')
    mail_skipped = 0
    if os.path.isdir(servers):
        for d, dirs, files in os.walk(servers):
            rel_d = os.path.relpath(d, servers)
            parts = rel_d.split(os.sep)
            # <base>/data/mail holds delivered mail by design.
            if len(parts) >= 3 and parts[1] == 'data' and parts[2] == 'mail':
                mail_skipped += len(files)
                continue
            for f in files:
                p = os.path.join(d, f)
                if os.path.isfile(p) and not os.path.islink(p):
                    out.append(p)
    return out, mail_skipped


def crash_files(art, root):
    found = []
    places = [(art, 6), (root, 2), ('/tmp', 2), ('/var/crash', 1), ('/var/lib/systemd/coredump', 1)]
    for base, depth in places:
        if not os.path.isdir(base):
            continue
        base_depth = base.rstrip('/').count('/')
        for d, dirs, files in os.walk(base):
            if d.count('/') - base_depth >= depth:
                dirs[:] = []
            dirs[:] = [x for x in dirs if x not in ('node_modules', '.git', 'servers')]
            for f in files:
                if f == 'core' or f.startswith('core.') and f[5:].split('.')[0].isdigit() or f.endswith('.crash'):
                    p = os.path.join(d, f)
                    if os.path.isfile(p):
                        found.append(p)
    return sorted(set(found))


def grep_hits(patterns, files):
    """{(file, matched bytes)} via grep -F (Aho-Corasick), byte-wise."""
    hits = collections.Counter()
    if not files or not patterns:
        return hits
    with tempfile.NamedTemporaryFile(delete=False) as pf:
        pf.write(b'\n'.join(sorted(patterns)) + b'\n')
        pat_path = pf.name
    with tempfile.NamedTemporaryFile(delete=False) as lf:
        lf.write(b'\0'.join(f.encode() for f in files) + b'\0')
        list_path = lf.name
    try:
        cmd = f'xargs -0 -a {list_path} grep -F -a -o -H --null -f {pat_path} --'
        p = subprocess.run(['bash', '-c', cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={**os.environ, 'LC_ALL': 'C'})
        if p.returncode not in (0, 1, 123):
            raise RuntimeError(f'grep failed ({p.returncode}): {p.stderr.decode(errors="replace")[:500]}')
        for line in p.stdout.split(b'\n'):
            if b'\0' in line:
                f, _, m = line.partition(b'\0')
                hits[(f.decode(errors='replace'), m)] += 1
    finally:
        os.unlink(pat_path)
        os.unlink(list_path)
    return hits


def redact(v):
    return f'{v[:3]}…({len(v)} chars)' if len(v) > 6 else '…'


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    art, out = os.path.abspath(argv[0]), argv[1]
    extra = dict(zip(argv[2::2], argv[3::2]))
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
    started = time.time()
    details, problems = [], []
    canary_file = os.path.join(art, 'canaries.txt')
    if not os.path.exists(canary_file):
        problems.append(f'no canaries recorded ({canary_file} missing): was the suite run with STRONGROOM_E2E_ARTIFACTS?')
        kinds, total = {}, 0
    else:
        kinds, total = load_canaries(canary_file)
    usable = {v: k for v, k in kinds.items() if MIN_LEN <= len(v.encode('utf-8', errors='surrogatepass')) <= MAX_LEN}
    skipped_short = sum(1 for v in kinds if len(v.encode('utf-8', errors='surrogatepass')) < MIN_LEN)
    skipped_long = sum(1 for v in kinds if len(v.encode('utf-8', errors='surrogatepass')) > MAX_LEN)
    by_pattern = collections.defaultdict(list)  # bytes -> [(value, variant)]
    for v in usable:
        for label, b in variants(v):
            by_pattern[b].append((v, label))

    files, mail_skipped = files_to_scan(art)
    crashes = crash_files(art, root)
    all_files = files + [c for c in crashes if c not in files]
    servers = len([d for d in os.listdir(os.path.join(art, 'servers'))]) if os.path.isdir(os.path.join(art, 'servers')) else 0
    if servers == 0:
        problems.append('no server directories kept: nothing to scan')
    if len(usable) < 50:
        problems.append(f'only {len(usable)} usable canaries: the e2e suite did not run (or recorded nothing)')

    hits = grep_hits(set(by_pattern), all_files)
    per_kind = collections.Counter()
    per_category = collections.Counter()
    pairs = set()
    for (f, m), n in hits.items():
        for v, label in by_pattern.get(m, []):
            rel = os.path.relpath(f, art) if f.startswith(art) else f'crash:{f}'
            key = (v, rel)
            if key in pairs:
                continue
            pairs.add(key)
            kinds_of = '/'.join(sorted(usable[v]))
            per_kind[kinds_of] += 1
            per_category[category(rel)] += 1
            details.append(f'{kinds_of} {redact(v)} found {label} in {rel} ({n}×)')
    details.sort()
    sizes = sum(os.path.getsize(f) for f in all_files if os.path.exists(f))
    kind_counts = collections.Counter(k for ks in usable.values() for k in ks)
    result = {
        'check': 'hygiene_scan',
        'tool': 'tests/security/hygiene_scan.py (grep -F over logs, data dirs and crash files)',
        'version': {'grep': subprocess.run(['grep', '--version'], stdout=subprocess.PIPE, text=True).stdout.split('\n')[0].split()[-1],
                    'python': sys.version.split()[0]},
        'ran': (f'the whole e2e suite with STRONGROOM_E2E_ARTIFACTS (exit {extra.get("--suite-exit", "?")}, '
                f'{extra.get("--suite-seconds", "?")} s); {len(usable)} canaries × up to 6 encodings '
                f'(raw, lower-case, JSON-escaped, percent-encoded, base64, base64url) searched in {len(all_files)} files '
                f'({sizes // 1024} KiB) of {servers} servers: serve/CLI logs, databases with -wal/-shm, keystores, '
                f'config and TLS files; {len(crashes)} core/crash files; mail/ Maildirs excluded ({mail_skipped} files)'),
        'started_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(started)),
        'findings': len(pairs) + len(problems),
        'details': problems + details[:200] + ([f'… {len(details) - 200} more'] if len(details) > 200 else []),
        'claims': ['DATA-5 passwords, tokens, secrets, one-time passwords, recovery codes and personal data the '
                   'e2e suite used appear in no log, no data-dir file (databases, WAL, keystore) and no crash output',
                   'DATA-2 personal data (e-mail, phone, name, company) is never persisted in clear'],
        'figures': {
            'canaries_recorded': total,
            'canaries_distinct': len(kinds),
            'canaries_scanned': len(usable),
            'canaries_by_kind': dict(sorted(kind_counts.items())),
            'skipped_shorter_than_8': skipped_short,
            'skipped_longer_than_1024': skipped_long,
            'patterns': len(by_pattern),
            'servers': servers,
            'files_scanned': len(all_files),
            'bytes_scanned': sizes,
            'mail_files_excluded': mail_skipped,
            'crash_files': crashes,
            'hits': len(pairs),
            'hits_by_kind': dict(per_kind),
            'hits_by_file_kind': dict(per_category),
            'suite_exit': extra.get('--suite-exit'),
            'suite_seconds': extra.get('--suite-seconds'),
            'scan_s': round(time.time() - started, 1),
            'runtime_s': round(time.time() - started + float(extra.get('--suite-seconds') or 0), 1),
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, 'w') as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
        fh.write('\n')
    for p in problems:
        print(f'PROBLEM {p}')
    for d in details[:50]:
        print(f'HIT {d}')
    print(f'hygiene_scan: {len(usable)} canaries ({", ".join(f"{k} {n}" for k, n in sorted(kind_counts.items()))}) '
          f'in {len(all_files)} files of {servers} servers ({sizes // 1024} KiB), {len(crashes)} crash files: '
          f'{len(pairs)} hit(s)')
    return 1 if pairs or problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
