"""How many example sentences `zonelens topics show` prints contain a word of their topic's label.

    ./zl topics show --model MODEL_DIR | .venv/bin/python experiments/topics/examples_with_label_words.py
"""

import re
import sys

words, hit, total = [], 0, 0
for line in sys.stdin:
    m = re.match(r"\[(-?\d+)\] (\S+)", line)
    if m:
        words = m.group(2).split("·")
    elif line.startswith("  - "):
        total += 1
        hit += any(w in line for w in words)
print(f"{hit} of {total} example sentences contain a word of their topic's label")
