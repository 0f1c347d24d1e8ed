#!/usr/bin/env python3
"""Times the installed "java" kernel from launch to the first cell's result, with jupyter_client.

usage: python3 notebooks/kernel/measure-startup.py [RUNS]   (default 5 runs; prints each and the median)
Measures: start_kernel() -> kernel_info reply (ready) -> execute "1 + 1" -> execute_result received.
"""
import os
import statistics
import sys
import time

try:
    from jupyter_client.manager import start_new_kernel
except ImportError:
    # Debian's jupyter lives in /usr/bin/python3; another python3 may come first on PATH.
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise


def once():
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="java", startup_timeout=60)
    ready = time.perf_counter() - t0
    try:
        msg_id = kc.execute("1 + 1")
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_result":
                assert msg["content"]["data"]["text/plain"] == "2", msg
                break
            if msg["msg_type"] == "error":
                raise RuntimeError(msg["content"])
        first = time.perf_counter() - t0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return ready, first


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    firsts = []
    for i in range(runs):
        ready, first = once()
        firsts.append(first)
        print(f"run {i + 1}: kernel ready {ready:.2f} s, first cell result {first:.2f} s")
    print(f"median first cell result: {statistics.median(firsts):.2f} s over {runs} runs")


if __name__ == "__main__":
    main()
