#!/usr/bin/env python3
"""bench/victims.py - sets up the victims of the wrong-password flood (bench/run.sh).

Signs up a second account (createAccount), signs its manager in (createSession)
and creates N users "<prefix>0" .. "<prefix>N-1" in it (createUser, no password:
the server sets a one-time password, so every victim has a real argon2id hash).
One keep-alive HTTPS connection; prints the account slug.

Usage: victims.py BASE_URL CAFILE N PREFIX
"""
import http.client
import json
import ssl
import sys
import urllib.parse

base, cafile, n, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(base)
ctx = ssl.create_default_context(cafile=cafile)
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=60)


def call(method, path, body, token=None, want=201):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status != want:
        sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)


pw = "victims manager password, long enough"
acc = call("POST", "/v1/accounts", {"company": "Flood victims", "email": "victims@example.com",
                                    "country": "NL", "region": "EU", "password": pw})
tok = call("POST", "/v1/session", {"account": acc["slug"], "identifier": "victims@example.com",
                                   "password": pw})["token"]
for k in range(n):
    call("POST", f"/v1/accounts/{acc['account_id']}/users",
         {"username": f"{prefix}{k}", "email": f"{prefix}{k}@example.com"}, token=tok)
print(acc["slug"])
