"""PDF recap rendering speed and memory (issue 4).

(a) Speed: a typical recap (one chart, a 60-row action table, 10 quotes: 4–5 pages) through
    `render_pdf` (the render worker subprocess, warm) against WeasyPrint alone rendering the
    same final HTML in this process, alternately, median of REPEATS. Target ≤ 1.2×.
(b) Memory: the render worker's resident memory over RENDERS renders of a 2-page recap (the
    issue's 300, in one long-lived worker; recycled every RECYCLE_AFTER), beside two plain
    WeasyPrint processes rendering the same HTML: one with a fresh FontConfiguration per
    render (WeasyPrint's default), one sharing a single FontConfiguration, never recycled.
    Target: peak < 300 MB. Growth per render is the slope of RSS over the renders after
    warm-up.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = int(os.environ.get("BENCH_RECAP_REPEATS", "5"))
RENDERS = int(os.environ.get("BENCH_RECAP_RENDERS", "300"))
PLAIN_RENDERS = int(os.environ.get("BENCH_RECAP_PLAIN_RENDERS", "60"))
WARM_UP = 10

PLAIN_LOOP = """
import sys
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
html = open(sys.argv[1]).read()
shared = FontConfiguration() if sys.argv[3] == "shared" else None
for _ in range(int(sys.argv[2])):
    HTML(string=html).write_pdf(font_config=shared or FontConfiguration())
    rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
    print(rss, flush=True)
"""


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _slope_kb(samples: list[int]) -> float:
    """KB per render: least-squares slope of RSS over the renders after warm-up."""
    points = samples[WARM_UP:]
    if len(points) < 2:
        return 0.0
    xs = range(len(points))
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, points, strict=True))
    return covariance / sum((x - mean_x) ** 2 for x in xs)


def speed() -> None:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from app.recaps.render import recap_pdf_html, render_pdf
    from tests.recaps.documents import typical_document

    html = recap_pdf_html(typical_document(quotes=10, action_items=60))
    fonts = FontConfiguration()
    pages = render_pdf(html).pages  # starts the worker: a one-off cost, not a render's
    HTML(string=html).write_pdf(font_config=fonts)
    worker: list[float] = []
    plain: list[float] = []
    plain_shared: list[float] = []
    for _ in range(REPEATS):
        for times, run in (
            (worker, lambda: render_pdf(html)),
            (plain, lambda: HTML(string=html).write_pdf()),
            (plain_shared, lambda: HTML(string=html).write_pdf(font_config=fonts)),
        ):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    w, p, s = (statistics.median(t) * 1000 for t in (worker, plain, plain_shared))
    print(f"typical recap: {pages} pages, {len(html) / 1024:.0f} KB of HTML, median of {REPEATS}")
    print(f"  render_pdf (worker subprocess)           {w:7.0f} ms")
    print(
        f"  WeasyPrint alone, in process             {p:7.0f} ms  → {w / p:.2f}×  (target ≤ 1.2×)"
    )
    print(f"  WeasyPrint alone, shared FontConfig      {s:7.0f} ms  → {w / s:.2f}×")


def memory() -> None:
    from app.recaps import render
    from app.recaps.render import recap_pdf_html, render_pdf, render_worker_pid
    from tests.recaps.documents import short_document

    html = recap_pdf_html(short_document())
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as file:
        file.write(html)
    # The two plain WeasyPrint processes run beside the worker (two cores): memory, not time.
    plain = {
        mode: subprocess.Popen(
            [sys.executable, "-c", PLAIN_LOOP, file.name, str(PLAIN_RENDERS), mode],
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("fresh", "shared")
    }
    render.stop_render_worker()
    samples: list[int] = []
    peak = 0
    pids: list[int] = []
    started = time.perf_counter()
    for _ in range(RENDERS):
        render_pdf(html)
        pid = render_worker_pid()
        assert pid is not None
        if not pids or pids[-1] != pid:
            pids.append(pid)
        samples.append(_rss_kb(pid))
        peak = max(peak, _rss_kb(pid, "VmHWM"))
    elapsed = time.perf_counter() - started
    first_life = samples[: render.RECYCLE_AFTER]
    print(
        f"render worker, {RENDERS} renders of a 2-page recap ({elapsed / RENDERS * 1000:.0f} ms "
        f"each), recycled every {render.RECYCLE_AFTER} ({len(pids)} processes):"
    )
    print(
        f"  RSS after render 1: {samples[0] / 1024:.0f} MB, after render {len(first_life)}: "
        f"{first_life[-1] / 1024:.0f} MB, after render {RENDERS}: {samples[-1] / 1024:.0f} MB"
    )
    print(f"  peak RSS {peak / 1024:.0f} MB (target < 300 MB)")
    print(f"  growth {_slope_kb(first_life):.0f} KB per render (shared FontConfiguration)")
    for mode, process in plain.items():
        out, _ = process.communicate()
        rss = [int(line) for line in out.split()]
        label = (
            "a fresh FontConfiguration per render" if mode == "fresh" else "one FontConfiguration"
        )
        print(
            f"plain WeasyPrint process, {len(rss)} renders, {label}, never recycled: "
            f"{rss[0] / 1024:.0f} → {rss[-1] / 1024:.0f} MB, {_slope_kb(rss):.0f} KB per render"
        )
    os.unlink(file.name)
    render.stop_render_worker()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="storyroom-bench-") as tmp:
        os.environ.setdefault("STORYROOM_VAR_DIR", tmp)
        speed()
        memory()


if __name__ == "__main__":
    main()
