#!/usr/bin/env python3
"""Internal latency of a live bot, from a market event to the signed order request, on loopback.

Starts build/exchange-sim and a live bot (binance_spot connector + the live_probe strategy with
`every_bar = true`, `order_type = "market"`: one market order per bar, alternating buy and sell),
then steps the simulator's clock BARS times (both sides' ORDERS limits raised so no order waits
for the rate budget: that wait is the venue's rule, not the host's latency). Each step publishes a closed kline; the bot's
connector turns it into a bar, the strategy submits, the risk chain approves, the host journals
the order durably (SQLite synchronous=FULL) and the connector signs and sends the POST.

The simulator measures, on CLOCK_MONOTONIC (one clock for both processes), from the moment the
kline frame was written to the bot's socket to the moment the order POST was fully read
(GET /_sim/latency). That span is the host's internal latency plus two loopback hops (tens of
microseconds). Prints p50 / p90 / p99 / max in microseconds.

  bench/live_latency.py [--build build] [--bars 300] [--state-dir DIR]

--state-dir puts the bot's state database there (e.g. /dev/shm to see the latency without a disk
fsync); the default is a temporary directory on the working disk, as a real bot would have.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Lines:
    """Collects a child's stderr lines on a thread; wait_for blocks until a predicate holds."""

    def __init__(self, stream):
        self.lines = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for raw in stream:
            with self.cv:
                self.lines.append(raw.decode(errors="replace"))
                self.cv.notify_all()
        with self.cv:
            self.lines.append(None)
            self.cv.notify_all()

    def count(self, needle):
        return sum(1 for l in self.lines if l is not None and needle in l)

    def wait_for(self, pred, timeout=60.0):
        with self.cv:
            if not self.cv.wait_for(lambda: pred() or (self.lines and self.lines[-1] is None), timeout):
                raise TimeoutError("timed out; last lines:\n" + "".join(l for l in self.lines[-20:] if l))
            if not pred():
                raise RuntimeError("the bot exited:\n" + "".join(l for l in self.lines[-40:] if l))


def http(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read().decode())


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bars", type=int, default=300)
    ap.add_argument("--state-dir", default=None)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="th-latency-")
    state_dir = a.state_dir or work
    state = os.path.join(state_dir, os.path.basename(work) + ".sqlite")  # a fresh bot: its run 1
    data = os.path.join(ROOT, "data", "BTCUSDT-5m-20230102-20230209.csv")
    sim = subprocess.Popen([os.path.join(a.build, "exchange-sim"), "--candles", data, "--key", "simkey:simsecret",
                            "--balance", "BTC:100", "--balance", "USDT:10000000",
                            "--orders-per-10s", "1000000"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    bot = None
    try:
        first = sim.stdout.readline().decode().strip()
        if not first.startswith("listening http://"):
            sys.exit("exchange-sim did not start: " + first)
        base = first[len("listening "):]
        env = dict(os.environ, TRADEHOST_MASTER_KEY="c" * 64, TRADEHOST_CREDENTIALS=os.path.join(work, "creds.enc"))
        exe = os.path.join(a.build, "tradehost")
        subprocess.run([exe, "credentials", "add", "sim", "--type", "hmac", "--api-key", "simkey"], input=b"simsecret\n",
                       env=env, check=True, capture_output=True)
        cfg = os.path.join(work, "bot.toml")
        with open(cfg, "w") as f:
            f.write(f"""[bot]
name = "latency"
mode = "live"
state = "{state}"
out = "{os.path.join(work, 'out')}"

[plugins]
paths = ["{os.path.join(a.build, 'plugins')}", "{os.path.join(a.build, 'live_fixtures')}"]

[[connector]]
name = "binance"
type = "binance_spot"
rest_url = "{base}"
ws_url = "{base.replace('http://', 'ws://')}"
credential = "sim"
orders_per_10s = 1000000    # the bench sends orders faster than Binance's 50 per 10 s

[[strategy]]
name = "probe"
type = "live_probe"
connector = "binance"
instruments = ["BTC/USDT"]
timeframe = "5m"
order_type = "market"
qty = "0.001"
every_bar = true
""")
        bot = subprocess.Popen([exe, "run", cfg], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        log = Lines(bot.stderr)
        log.wait_for(lambda: log.count("reconciled:") >= 1)
        log.wait_for(lambda: log.count("websocket open url=") >= 2)
        http("POST", base + "/_sim/latency", "{}")  # start from no samples
        for i in range(1, a.bars + 1):
            http("POST", base + "/_sim/advance", '{"candles":1}')
            log.wait_for(lambda: log.count(f"probe order latency-1-{i} FILLED") >= 1)
        samples = sorted(http("GET", base + "/_sim/latency")["samples_us"])
        print(f"live latency, market event -> signed order request received by the venue (loopback), "
              f"n={len(samples)} state={state_dir}")
        for p in (50, 90, 99):
            print(f"  p{p:<3} {percentile(samples, p):9.1f} us")
        print(f"  max  {samples[-1] if samples else float('nan'):9.1f} us")
    finally:
        if bot:
            bot.terminate()
            bot.wait(timeout=60)
        sim.terminate()
        sim.wait(timeout=30)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(state + suffix):
                os.remove(state + suffix)


if __name__ == "__main__":
    main()
