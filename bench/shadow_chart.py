"""The shadow cache's hit rate as an SVG bar chart (bench/shadow_bench.py --chart FILE).

One group of bars per (pattern, address spaces), one bar per cache size K, the height the
percentage of CR3 loads that found their shadow cached. Plain SVG text, so the chart needs
no plotting package and diffs as text when the figures change.
"""

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 50, 120, 30, 60
COLOURS = {1: "#c6dbef", 2: "#6baed6", 4: "#2171b5", 8: "#08306b"}


def _text(x, y, text, anchor="middle", size=11):
    return ('<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="%d" '
            'text-anchor="%s">%s</text>' % (x, y, size, anchor, text))


def hit_rate_svg(rates, spaces, title):
    """Return the SVG text for rates {(pattern, n, k): (hits, loads)} over spaces (N values)."""
    groups = [(p, n) for p in ("rr", "hotcold") for n in spaces]
    ks = sorted(COLOURS)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / len(groups)
    bar_w = group_w * 0.8 / len(ks)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">' % (WIDTH, HEIGHT),
           '<rect width="100%" height="100%" fill="white"/>', _text(WIDTH / 2, 18, title, size=13)]
    for pct in (0, 20, 40, 60, 80, 100):
        y = TOP + plot_h * (1 - pct / 100.0)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                   % (LEFT, y, LEFT + plot_w, y))
        out.append(_text(LEFT - 6, y + 4, "%d%%" % pct, anchor="end"))
    for g, (pattern, n) in enumerate(groups):
        x0 = LEFT + g * group_w + group_w * 0.1
        for i, k in enumerate(ks):
            hits, loads = rates.get((pattern, n, k), (0, 0))
            pct = 100.0 * hits / loads if loads else 0.0
            h = plot_h * pct / 100.0
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                       '<title>%s, %d spaces, K=%d: %.0f%%</title></rect>'
                       % (x0 + i * bar_w, TOP + plot_h - h, bar_w, h, COLOURS[k],
                          pattern, n, k, pct))
        out.append(_text(x0 + group_w * 0.4, TOP + plot_h + 16, "%d" % n))
    for label, first in (("round robin", 0), ("hot/cold", len(spaces))):
        out.append(_text(LEFT + (first + len(spaces) / 2.0) * group_w, TOP + plot_h + 36, label))
    out.append(_text(LEFT + plot_w / 2, HEIGHT - 6, "address spaces", size=10))
    for i, k in enumerate(ks):
        y = TOP + 10 + i * 20
        out.append('<rect x="%d" y="%d" width="14" height="14" fill="%s"/>'
                   % (WIDTH - RIGHT + 20, y, COLOURS[k]))
        out.append(_text(WIDTH - RIGHT + 40, y + 11, "K = %d" % k, anchor="start"))
    out.append("</svg>")
    return "\n".join(out) + "\n"
