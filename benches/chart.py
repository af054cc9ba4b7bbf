#!/usr/bin/env python3
"""Draws the charts of docs/performance.md from a saved benchmark run.

    python3 benches/run.py --json run.json
    python3 benches/chart.py run.json docs/performance.png

Left: async throughput (msg/s, log scale) by case for ours, Paho and the raw-socket client.
Right: sync latency p50 (log scale) by case for ours and Paho. Bars are medians over the
rounds, whiskers the min and max. A case a library could not run (n/a) has no bar.

Needs matplotlib (Debian: apt-get install python3-matplotlib); run.py itself does not.
"""

import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

LIBS = [("ours", "ours", "#1f77b4"), ("paho", "Paho 1.3.12", "#ff7f0e"),
        ("raw", "raw socket", "#7f7f7f")]


def load(path):
    """{(case, lib_label): [result, ...]} and the cases in first-seen order."""
    with open(path) as f:
        raw = json.load(f)
    samples, order = {}, []
    for r in raw:
        case = r["case"] + ("@" + r["broker"] if r.get("broker", "stock") != "stock" else "")
        if r["lib_label"] == "raw":
            case = "async_" + case[len("raw_"):]  # raw_qos1_64B sits beside async_qos1_64B
        if case not in order:
            order.append(case)
        samples.setdefault((case, r["lib_label"]), []).append(r)
    return samples, order


def bars(ax, samples, cases, key, libs, scale=1.0):
    width = 0.8 / len(libs)
    for i, (label, name, color) in enumerate(libs):
        xs, meds, lo, hi = [], [], [], []
        for x, case in enumerate(cases):
            vals = [r[key] * scale for r in samples.get((case, label), []) if key in r]
            if not vals:
                continue
            med = statistics.median(vals)
            xs.append(x + (i - (len(libs) - 1) / 2) * width)
            meds.append(med)
            lo.append(med - min(vals))
            hi.append(max(vals) - med)
        if xs:
            ax.bar(xs, meds, width, color=color, label=name, yerr=[lo, hi], capsize=2)
        else:
            ax.bar([], [], width, color=color, label=name + ": n/a")  # say so in the legend
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels(cases, rotation=40, ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    samples, order = load(argv[0])
    throughput = [c for c in order if c.startswith("async_")]
    latency = [c for c in order if not c.startswith("async_")
               and any("p50_us" in r for lib in ("ours", "paho")
                       for r in samples.get((c, lib), []))]

    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5.5))
    bars(left, samples, throughput, "msgs_per_s", LIBS)
    left.set_title("async throughput, msg/s (higher is better)")
    bars(right, samples, latency, "p50_us", LIBS[:2], scale=1e-3)
    right.set_title("sync latency p50, ms (lower is better)")
    fig.tight_layout()
    fig.savefig(argv[1], dpi=90)
    print("wrote " + argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
