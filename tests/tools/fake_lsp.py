#!/usr/bin/env python3
# tests/tools/fake_lsp.py - a misbehaving language server for the bounds of
# test_lsp_tools (the real behaviour is tested with clangd and pylsp):
#   hang    reads its stdin and never answers
#   flood   answers initialize, then publishes 400 diagnostics for every
#           opened or changed document
import json
import sys

mode = sys.argv[1]
inp, out = sys.stdin.buffer, sys.stdout.buffer


def read():
    length = None
    while True:
        line = inp.readline()
        if not line:
            sys.exit(0)
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(inp.read(length))


def send(msg):
    body = json.dumps(msg).encode()
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()


while True:
    msg = read()
    if mode == "hang":
        continue
    method = msg.get("method")
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": msg["id"], "result": {"capabilities": {}}})
    elif method == "shutdown":
        send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
    elif method in ("textDocument/didOpen", "textDocument/didChange"):
        doc = msg["params"]["textDocument"]
        diags = [{"range": {"start": {"line": i, "character": 0},
                            "end": {"line": i, "character": 1}},
                  "severity": 1, "source": "fake",
                  "message": "problem number %d" % i} for i in range(400)]
        send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
              "params": {"uri": doc["uri"], "diagnostics": diags}})
