#!/usr/bin/env python3
"""Writes a node-style build context for bench/context.sh: node-context.py DIR

2,000 source files under src/ and a 105,000-file node_modules/ (3,000 packages of 35 small files) that the context's
.dockerignore excludes, as a JavaScript project has it. Then, e.g.:
  CTX=DIR TOUCH=DIR/src/m00/s0/file0000.ts ROUNDS=3 bench/context.sh
"""
import os
import random
import sys

root = sys.argv[1]
rnd = random.Random(7)
block = os.urandom(1 << 20)  # content is sliced from one random block: generation must not dominate


def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    off = rnd.randint(0, len(block) - size)
    with open(path, "wb") as f:
        f.write(block[off:off + size])


for i in range(2000):
    write(os.path.join(root, "src", "m%02d" % (i % 50), "s%d" % (i // 50 % 4), "file%04d.ts" % i),
          rnd.randint(100, 8000))
n = 0
pkg = 0
while n < 105000:
    base = os.path.join(root, "node_modules", "pkg%04d" % pkg)
    for j in range(35):
        write(os.path.join(base, ("lib", "dist", "src", "types")[j % 4], "f%02d.js" % j), rnd.randint(50, 3000))
        n += 1
    pkg += 1
with open(os.path.join(root, ".dockerignore"), "w") as f:
    f.write("node_modules\n.git\n*.log\n")
with open(os.path.join(root, "Dockerfile"), "w") as f:
    f.write("FROM scratch\nCOPY . /app\n")
print("generated %d files" % (2000 + n), file=sys.stderr)
