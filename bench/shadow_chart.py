"""The shadow cache's hit rate as an SVG bar chart (bench/shadow_bench.py --chart FILE).

One group of bars per (pattern, address spaces), one bar per cache size K, the height the
percentage of CR3 loads that found their shadow cached. Drawn with matplotlib (Debian's
python3-matplotlib, as bench/bench_report.py's report.png; bench/run.sh installs it), with
the text kept as SVG text so the file stays small and diffs as text.
"""

KS = (1, 2, 4, 8)
PATTERNS = (("rr", "round robin"), ("hotcold", "hot/cold"))


def write_hit_rate_svg(path, rates, spaces, title):
    """Write the chart of rates {(pattern, n, k): (hits, loads)} over spaces (N values) to path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "skiff"   # the same figures give the same file
    groups = [(p, n) for p, _ in PATTERNS for n in spaces]
    width = 0.8 / len(KS)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    for i, k in enumerate(KS):
        heights = []
        for pattern, n in groups:
            hits, loads = rates.get((pattern, n, k), (0, 0))
            heights.append(100.0 * hits / loads if loads else 0.0)
        ax.bar([g + (i - (len(KS) - 1) / 2.0) * width for g in range(len(groups))], heights,
               width, label="K = %d" % k)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(["%s\n%d spaces" % (label if n == spaces[0] else "", n)
                        for (p, n), label in zip(groups, [l for _, l in PATTERNS
                                                          for _ in spaces])])
    ax.set_ylabel("CR3 loads that hit (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
