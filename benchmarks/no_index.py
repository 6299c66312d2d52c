"""A cold build without the search index, in a process of its own, for `run.py`'s
"cold without index" figure (the issue's comparison with MkDocs without its search plugin).

    python benchmarks/no_index.py SITE OUT

The build's own stages and output, exactly as `build.py build --no-cache` runs them, with
the index stage left out: since the index is made beside the list pages and exports, the
figure cannot be worked out by subtracting a stage's time from a full build.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timeline import parallel  # noqa: E402
from timeline.builder import Builder, BuildRun  # noqa: E402
from timeline.output import check_output_dir  # noqa: E402
from timeline.pipeline import Pipeline, StagedOutput  # noqa: E402
from timeline.project import open_site  # noqa: E402


class _Unindexed(StagedOutput):
    def index(self, run: BuildRun) -> None:
        """No search index."""


def main() -> None:
    start = time.perf_counter()
    site = open_site(Path(sys.argv[1]))
    out = Path(sys.argv[2]).resolve()
    check_output_dir(out, site.root)
    builder = Builder(site, drafts=False, parallel=True, keep=False)
    with parallel.fewer_collections():
        target = _Unindexed(out, None)
        try:
            Pipeline(builder, target).run()
        finally:
            target.discard()
    print(f"built without index in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
