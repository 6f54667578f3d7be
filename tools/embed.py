#!/usr/bin/env python3
"""Embed a file in the binary as `const char NAME[]` and `const size_t NAME_len`."""
import sys

src, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read()
with open(out, 'w') as f:
    f.write('#include <stddef.h>\n')
    f.write('const char %s[] = {\n' % name)
    for i in range(0, len(data), 16):
        f.write(', '.join(str(b) for b in data[i:i + 16]) + ',\n')
    f.write('0};\n')
    f.write('const size_t %s_len = %d;\n' % (name, len(data)))
