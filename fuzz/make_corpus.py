#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/ from the repository's real recorded data and the
documents' examples quoted in the unit tests, plus the hand-made edge cases in fuzz/seeds/.

    fuzz/make_corpus.py        # rewrites fuzz/corpus/ (crash inputs in fuzz/corpus/*/crash-* are kept)

Sources: data/binance/cryptofeed/ (WebSocket frames, REST depth snapshots and exchangeInfo,
data/SOURCES.md), the JSON examples of tests/unit/binance/*_test.cpp (Binance's own documented
examples), config/bots/*.toml, data/*.csv|json and tests/unit/replay/data/ (cut to their first
rows). Every seed stays small: the corpus is checked in.
"""
import json
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
CAPTURES = os.path.join(ROOT, "data", "binance", "cryptofeed")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(target):
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if not n.startswith("crash-"):  # regression inputs stay
                os.remove(os.path.join(d, n))


def ws_frames(name):
    out = []
    with open(os.path.join(CAPTURES, name)) as f:
        for i, line in enumerate(f):
            line = line.rstrip("\n")
            if i == 0 or not line:
                continue
            out.append(line.split(": ", 1)[1])
    return out


def rest_bodies(name):
    out = []
    with open(os.path.join(CAPTURES, name)) as f:
        for line in f:
            line = line.rstrip("\n")
            if " -> " not in line:
                continue
            url, rest = line.split(" -> ", 1)
            out.append((url, rest.split(": ", 1)[1]))
    return out


def raw_strings(path):
    """The R"(...)" literals of a test file that hold JSON (adjacent literals joined)."""
    text = open(path).read()
    out = []
    for m in re.finditer(r'((?:R"\((?:.*?)\)"\s*)+)', text, re.S):
        parts = re.findall(r'R"\((.*?)\)"', m.group(1), re.S)
        s = "".join(parts).strip()
        if s[:1] in "{[":
            out.append(s)
    return out


def cut_snapshot(body, levels):
    d = json.loads(body)
    d["bids"] = d["bids"][:levels]
    d["asks"] = d["asks"][:levels]
    return json.dumps(d, separators=(",", ":"))


def binance_stream():
    reset("binance_stream")
    per_kind = {"depthUpdate": 6, "bookTicker": 3, "aggTrade": 2, "kline": 2}
    for capture in ("BINANCE.ws.1.0", "BINANCE_FUTURES.ws.1.0"):
        seen = {}
        for frame in ws_frames(capture):
            data = json.loads(frame)["data"]
            kind = data.get("e", "bookTicker")
            n = seen.get(kind, 0)
            if n >= per_kind.get(kind, 0):
                continue
            seen[kind] = n + 1
            write("binance_stream", f"{capture.split('.')[0].lower()}_{kind}_{n}", frame)
            if n == 0:  # the same payload without the combined-stream envelope
                write("binance_stream", f"{capture.split('.')[0].lower()}_{kind}_raw",
                      json.dumps(data, separators=(",", ":")))
    for path in ("market_data_test.cpp", "usdm_connector_test.cpp"):
        for i, s in enumerate(raw_strings(os.path.join(ROOT, "tests", "unit", "binance", path))):
            if len(s) < 4000:
                write("binance_stream", f"test_{path.split('_test')[0]}_{i}", s)


def binance_depth():
    reset("binance_depth")
    # A spot and a USD-M symbol: diffs buffered, the REST snapshot (its first 30 levels a side),
    # then the diffs that bridge and chain on from it, as DepthSynchroniser gets them.
    for venue, capture, rest, symbol in (("0", "BINANCE.ws.1.0", "BINANCE.http.0.0", "NKNUSDT"),
                                         ("1", "BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.http.0.0", "SUSHIUSDT"),
                                         ("1", "BINANCE_FUTURES.ws.1.0", "BINANCE_FUTURES.http.0.0", "AKROUSDT")):
        snapshot = next(b for u, b in rest_bodies(rest) if f"symbol={symbol}&" in u)
        diffs = [f for f in ws_frames(capture)
                 if json.loads(f)["data"].get("e") == "depthUpdate" and json.loads(f)["data"]["s"] == symbol]
        lines = diffs[:3] + [cut_snapshot(snapshot, 30)] + diffs[3:20]
        write("binance_depth", f"{symbol.lower()}_sync", venue + "\n" + "\n".join(lines) + "\n")


def binance_account():
    reset("binance_account")
    for path in ("account_messages_test.cpp", "usdm_messages_test.cpp", "spot_connector_test.cpp"):
        for i, s in enumerate(raw_strings(os.path.join(ROOT, "tests", "unit", "binance", path))):
            if len(s) < 4000:
                write("binance_account", f"{path.split('_test')[0]}_{i}", s)


def binance_rest():
    reset("binance_rest")
    for capture in ("BINANCE.0", "BINANCE_FUTURES.0"):
        url, body = rest_bodies(capture)[0]
        d = json.loads(body)
        d["symbols"] = d["symbols"][:4]
        d.pop("exchangeFilters", None)
        write("binance_rest", f"{capture.split('.')[0].lower()}_exchangeInfo", json.dumps(d, separators=(",", ":")))
    for path in ("exchange_info_test.cpp", "kline_history_test.cpp", "venue_error_test.cpp"):
        for i, s in enumerate(raw_strings(os.path.join(ROOT, "tests", "unit", "binance", path))):
            if len(s) < 4000:
                write("binance_rest", f"test_{path.split('_test')[0]}_{i}", s)


def graph():
    reset("graph")
    bots = os.path.join(ROOT, "config", "bots")
    for n in sorted(os.listdir(bots)):
        write("graph", n, open(os.path.join(bots, n), "rb").read())


def head_lines(path, n):
    with open(path, "rb") as f:
        return b"".join(f.readline() for _ in range(n))


def candles():
    reset("candles")
    # header bytes: format (0 Auto; +4 names the file .json), price_scale, qty_scale, tick - 1
    plans = [("data/BTCUSDT-5m-20230102-20230209.csv", 40, bytes([0, 2, 5, 9])),
             ("data/nautilus_btc-perp-20211231-20220201_1m.csv", 40, bytes([2, 1, 8, 0])),
             ("tests/unit/replay/data/binance_spot_1h_2024_ms.csv", 20, bytes([1, 8, 8, 0])),
             ("tests/unit/replay/data/binance_spot_1h_2025_us.csv", 20, bytes([0, 8, 8, 0])),
             ("tests/unit/replay/data/binance_um_futures_1m_header_ms.csv", 20, bytes([0, 1, 3, 0])),
             ("tests/unit/replay/data/ohlcv_1m_gaps.csv", 20, bytes([2, 1, 3, 0])),
             ("tests/unit/replay/data/nautilus_btc-perp_1m_head.csv", 20, bytes([0, 1, 4, 0]))]
    for rel, n, header in plans:
        write("candles", os.path.basename(rel), header + head_lines(os.path.join(ROOT, rel), n))
    for rel, header in (("tests/unit/replay/data/freqtrade_columns_5m.json", bytes([4, 1, 3, 0])),
                        ("tests/unit/replay/data/freqtrade_rows_1m.json", bytes([7, 8, 3, 0]))):
        write("candles", os.path.basename(rel), header + open(os.path.join(ROOT, rel), "rb").read())
    rows = json.load(open(os.path.join(ROOT, "data", "freqtrade_UNITTEST_BTC-1m.json")))[:30]
    write("candles", "freqtrade_UNITTEST_BTC-1m.json", bytes([4, 8, 8, 0]) + json.dumps(rows).encode())


def decimal():
    reset("decimal")
    texts = [(8, "0.35130000"), (0, "6195.00000000"), (4, "0.25974"), (2, "16727.30"), (8, "-0.010"),
             (5, "1e-5"), (3, "1.5E+3"), (1, ".5"), (1, "5."), (0, "9223372036854775807"),
             (0, "-9223372036854775808"), (18, "9.223372036854775807"), (2, "99999999999999999999"),
             (8, "0.00000001"), (2, "1e999999999999"), (2, "0e999999999999"), (3, "+7.6110")]
    for i, (scale, t) in enumerate(texts):
        write("decimal", f"seed_{i}", bytes([scale]) + t.encode())


def seeds():
    """Hand-made edge cases: fuzz/seeds/<target>/* are copied as they are."""
    base = os.path.join(ROOT, "fuzz", "seeds")
    if not os.path.isdir(base):
        return
    for target in os.listdir(base):
        for n in os.listdir(os.path.join(base, target)):
            write(target, "edge_" + n, open(os.path.join(base, target, n), "rb").read())


if __name__ == "__main__":
    binance_stream()
    binance_depth()
    binance_account()
    binance_rest()
    graph()
    candles()
    decimal()
    seeds()
