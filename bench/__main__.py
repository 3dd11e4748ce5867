"""`make bench`: run every benchmark and print its figures (ratios against a raw baseline)."""

import importlib
import sys

BENCHMARKS = (
    "bench.attendance_import",
    "bench.dashboard",
    "bench.scorecard",
    "bench.recap_render",
    "bench.mail_send",
    "bench.throughput",
    "bench.load_faults",
    "bench.transcripts",
)


def main() -> None:
    only = sys.argv[1:]
    for name in BENCHMARKS:
        if only and name.rsplit(".", 1)[-1] not in only:
            continue
        print(f"\n== {name}", flush=True)
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
