"""``make bench``: every benchmark of the project, each printing its own ratios.

    python benchmarks/run.py [--sizes 200 1000] [--no-anchors]

Arguments go to the checker comparison; the site-build benchmark
(benchmarks/build_bench.py) runs after it when that module is present.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare_checkers  # noqa: E402  (a sibling script, not a package)


def main() -> int:
    compare_checkers.main(sys.argv[1:])
    build_bench = HERE / "build_bench.py"
    if build_bench.exists():
        return subprocess.run([sys.executable, str(build_bench)]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
