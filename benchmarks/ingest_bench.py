"""Ingest throughput and peak memory for ../shared/corpora/city-2024, txt vs the docx twins.

Run: uv run python benchmarks/ingest_bench.py
Each format runs in its own child process (fresh DB), so peak RSS is per format.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-2024"


def child(fmt: str) -> None:
    from zonelens.ingest.run import ingest

    files = sorted((CITY / fmt).glob(f"*.{fmt}"))
    size = sum(f.stat().st_size for f in files)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        rep = ingest(files, Path(tmp) / "b.duckdb")
        dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"format": fmt, "files": len(files), "MB": round(size / 1e6, 2), "seconds": round(dt, 2),
                      "MB_per_s": round(size / 1e6 / dt, 2), "sentences": rep.sentences,
                      "sentences_per_s": round(rep.sentences / dt), "peak_rss_MB": round(peak),
                      "failures": len(rep.failures)}))


def main() -> None:
    if len(sys.argv) > 1:
        child(sys.argv[1])
        return
    if not CITY.is_dir():
        sys.exit(f"{CITY} not found: this benchmark needs ../shared beside the repository")
    print("format  files    MB  seconds  MB/s  sentences  sent/s  peak RSS MB")
    for fmt in ("txt", "docx"):
        out = subprocess.run([sys.executable, __file__, fmt], capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{r['format']:6} {r['files']:6} {r['MB']:5} {r['seconds']:8} {r['MB_per_s']:5} "
              f"{r['sentences']:10} {r['sentences_per_s']:7} {r['peak_rss_MB']:12}")


if __name__ == "__main__":
    main()
