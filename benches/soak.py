#!/usr/bin/env python3
"""Soak: publish through broker restarts with automatic reconnect and the file store.

    python3 benches/soak.py [--seconds 60] [--every 2] [--rate 1000] [--lib ours|paho|both]

Compiles benches/c/soak.c, starts a mosquitto of its own (persistent sessions, stopped
cleanly and started again on the same loopback port every --every seconds) and runs the
program against our libpaho-mqtt3a and/or Debian's. The program publishes QoS 1 and QoS 2 in
turn at --rate messages per second for --seconds, with automaticReconnect, sendWhileDisconnected
and MQTTCLIENT_PERSISTENCE_DEFAULT, and counts what a persistent QoS 2 subscriber receives.

Passes (exit 0) when, for each library run: nothing accepted was lost, no QoS 2 message
arrived twice, and resident memory at the end is within 10% of what it was after 5 s.
Not part of the CI test run (it takes a minute per library).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as bench  # noqa: E402  (the suite's broker, build and library helpers)


def soak_once(exe, libdir, label, args, workdir):
    broker = bench.Broker(workdir, "soak-" + label, extra_lines=[
        "persistence true",
        "persistence_location %s/" % os.path.join(workdir, "broker-soak-" + label),
        "autosave_interval 1",
    ])
    broker.start()
    store = tempfile.mkdtemp(prefix="store-", dir=workdir)
    stop = threading.Event()
    counter = {"restarts": 0}

    def loop():
        while not stop.wait(args.every):
            broker.stop()
            time.sleep(0.1)
            broker.start()
            counter["restarts"] += 1

    t = threading.Thread(target=loop, daemon=True)
    env = dict(os.environ, LD_LIBRARY_PATH=libdir)
    try:
        p = subprocess.Popen([exe, broker.uri, store, str(args.seconds), str(args.rate)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        t.start()
        # Restart only while it publishes; the drain that follows sees a steady broker.
        time.sleep(args.seconds)
        stop.set()
        t.join()
        out, err = p.communicate(timeout=120)
    finally:
        stop.set()
        broker.stop()
    result = None
    for line in out.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
    if result is None:
        bench.log("soak (%s): no result, exit %d\n%s" % (label, p.returncode, err[-2000:]))
        return None
    result["restarts"] = counter["restarts"]
    result["exit"] = p.returncode
    return result


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--every", type=float, default=2.0, help="seconds between broker restarts")
    ap.add_argument("--rate", type=int, default=1000, help="messages per second")
    ap.add_argument("--lib", choices=("ours", "paho", "both"), default="ours")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args(argv)

    ours = bench.stage_ours(os.path.join(bench.REPO, "build"), args.rebuild)
    workdir = tempfile.mkdtemp(prefix="soak-")
    exe = os.path.join(workdir, "soak")
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(bench.REPO, "include"),
           "-I", bench.BENCH_C, os.path.join(bench.BENCH_C, "soak.c"),
           os.path.join(bench.BENCH_C, "benchutil.c"), "-L", ours, "-lpaho-mqtt3a", "-lpthread", "-ldl",
           "-o", exe]
    bench.log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True)
    libs = {"ours": [("ours", ours)], "paho": [("paho", bench.PAHO_LIBDIR)],
            "both": [("ours", ours), ("paho", bench.PAHO_LIBDIR)]}[args.lib]
    ok = True
    print("| library | seconds | restarts | accepted | received | lost | QoS 2 dup | RSS 5 s kB | RSS end kB | growth | threads 5 s / end |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, libdir in libs:
        r = soak_once(exe, libdir, label, args, workdir)
        if r is None:
            ok = False
            print("| %s | no result |" % label)
            continue
        growth = (r["rss_end_kb"] - r["rss_5s_kb"]) / max(r["rss_5s_kb"], 1)
        print("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %+.1f%% | %d / %d |" % (
            label, r["seconds"], r["restarts"], r["accepted"], r["received"], r["lost"], r["dup"],
            r["rss_5s_kb"], r["rss_end_kb"], growth * 100, r["threads_5s"], r["threads_end"]))
        if label == "ours" and (r["lost"] or r["dup"] or growth > 0.10 or r["exit"] != 0):
            ok = False
    print("soak: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
