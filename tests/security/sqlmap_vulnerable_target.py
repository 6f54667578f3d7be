#!/usr/bin/env python3
"""A deliberately injectable JSON API on 127.0.0.1, for sqlmap_run.mjs
--self-test only: proves that the sqlmap command line the harness builds
(JSON body with `*` markers, Authorization header, path and query markers)
does find an injection when there is one, so "0 findings" against strongroom
means something. Never expose it; it binds to loopback and exits with its
parent (stdin closed).

  POST /v1/items        {"name": "..."}   → SELECT ... WHERE name = '<name>'
  GET  /v1/items?q=...                    → SELECT ... WHERE name = '<q>'
Usage: sqlmap_vulnerable_target.py PORT
"""
import json
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

db = sqlite3.connect(':memory:', check_same_thread=False)
db.executescript("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);"
                 "INSERT INTO items (name) VALUES ('alpha'), ('beta'), ('gamma');")
lock = threading.Lock()


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def run(self, sql):
        try:
            with lock:
                rows = db.execute(sql).fetchall()  # the injection, on purpose
            self.answer(200, {'items': [{'id': r[0], 'name': r[1]} for r in rows]})
        except sqlite3.Error as e:
            self.answer(500, {'error': str(e)})

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query).get('q', [''])[0]
        self.run(f"SELECT id, name FROM items WHERE name = '{q}'")

    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        try:
            name = json.loads(self.rfile.read(n)).get('name', '')
        except ValueError:
            return self.answer(400, {'error': 'bad json'})
        self.run(f"SELECT id, name FROM items WHERE name = '{name}'")


def main():
    srv = ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print('ready', flush=True)
    sys.stdin.read()  # exit when the parent closes our stdin
    srv.shutdown()


if __name__ == '__main__':
    main()
