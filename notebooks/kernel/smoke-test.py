#!/usr/bin/env python3
"""End-to-end check of the installed "java" kernel over the Jupyter protocol (jupyter_client).

usage: python3 notebooks/kernel/smoke-test.py      (exit 1 if any check fails)
The unit tests cover the kernel's parts without Jupyter; this covers what only a running kernel
shows: messages on the wire, the launcher agent keeping variables across imports, the class path
from kernel.json, display data of images and charts, and error replies naming the real exception.
"""
import inspect
import os
import sys
import time

try:
    from jupyter_client.manager import start_new_kernel
except ImportError:
    # Debian's jupyter lives in /usr/bin/python3; another python3 may come first on PATH.
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise


def run(kc, code):
    """Executes code; returns (reply content, iopub messages of that request)."""
    msg_id = kc.execute(code)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        messages.append(msg)
    reply = kc.get_shell_msg(timeout=120)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=120)
    return reply["content"], messages


def of_type(messages, kind):
    return [m["content"] for m in messages if m["msg_type"] == kind]


def tracebacks(messages):
    """The kernel's error tracebacks (with any "Caused by" chain), for a failing check's message."""
    return "\n".join(line for e in of_type(messages, "error") for line in e.get("traceback", []))


CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


@check("last expression is the cell's result")
def _(kc):
    reply, msgs = run(kc, "int a = 40;\na + 2")
    assert reply["status"] == "ok", reply
    assert of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "42", msgs


@check("trailing semicolon hides the result; stdout is streamed")
def _(kc):
    reply, msgs = run(kc, 'System.out.println("hello");\n"hidden";')
    assert not of_type(msgs, "execute_result"), msgs
    assert "hello" in "".join(s["text"] for s in of_type(msgs, "stream") if s["name"] == "stdout"), msgs


@check("variables keep their values when a later cell adds imports (launcher agent)")
def _(kc):
    run(kc, 'import java.nio.file.*;\nPath kept = Path.of("kept");')
    run(kc, "import org.knowm.xchart.*;\nimport org.nd4j.linalg.factory.*;")
    reply, msgs = run(kc, "kept")
    assert of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "kept", msgs


@check("a thrown exception is reported with its real class and message")
def _(kc):
    reply, msgs = run(kc, 'throw new IllegalArgumentException("deliberate");')
    assert reply["status"] == "error", reply
    assert reply["ename"] == "IllegalArgumentException" and reply["evalue"] == "deliberate", reply
    assert of_type(msgs, "error")[0]["ename"] == "IllegalArgumentException", msgs


@check("a compile error is reported with the compiler's message")
def _(kc):
    reply, _ = run(kc, "int y = undefinedThing;")
    assert reply["status"] == "error" and reply["ename"] == "CompilationException", reply
    assert "cannot find symbol" in reply["evalue"], reply


@check("a BufferedImage result renders as image/png")
def _(kc):
    reply, msgs = run(kc, "new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB)")
    assert "image/png" in of_type(msgs, "execute_result")[0]["data"], msgs


@check("display(chart) renders an XChart chart as image/png and image/svg+xml")
def _(kc):
    reply, msgs = run(kc, 'XYChart ch = new XYChartBuilder().width(200).height(120).title("t").build();\n'
                          'ch.addSeries("s", new double[] {0, 1}, new double[] {1, 2});\n'
                          'display(ch);')
    assert reply["status"] == "ok", reply
    data = of_type(msgs, "display_data")[0]["data"]
    assert "image/png" in data and "<svg" in data["image/svg+xml"], data.keys()


@check("updateDisplay replaces an earlier output (live charts)")
def _(kc):
    reply, msgs = run(kc, 'String liveId = display("step 0");\nupdateDisplay(liveId, "step 1");')
    assert reply["status"] == "ok", reply
    shown = of_type(msgs, "display_data")[0]
    updated = of_type(msgs, "update_display_data")[0]
    assert shown["transient"]["display_id"] == updated["transient"]["display_id"], msgs
    assert updated["data"]["text/plain"] == "step 1", updated


@check("the library's jars from kernel.json are on the class path (ND4J computes)")
def _(kc):
    reply, msgs = run(kc, "Nd4j.create(new float[] {1, 2, 3}).sumNumber().intValue()")
    assert reply["status"] == "ok", (reply, tracebacks(msgs))
    assert of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "6", msgs


@check("interrupt stops a running cell and the kernel carries on")
def _(kc, km):
    msg_id = kc.execute("long spins = 0;\nwhile (true) { spins++; }")
    time.sleep(1.0)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "error" and "interrupted" in reply["content"]["evalue"], reply["content"]
    _, msgs = run(kc, "spins > 0")
    assert of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "true", msgs


@check("%classpath on a missing path fails the cell")
def _(kc):
    reply, _ = run(kc, "%classpath /nonexistent/umedsam-check.jar")
    assert reply["status"] == "error" and "does not exist" in reply["evalue"], reply


def main():
    km, kc = start_new_kernel(kernel_name="java", startup_timeout=60)
    passed = failed = 0
    try:
        for name, fn in CHECKS:
            try:
                fn(*([kc, km][:len(inspect.signature(fn).parameters)]))
                passed += 1
                print(f"ok    {name}")
            except Exception as e:  # report every check, then fail
                failed += 1
                print(f"FAIL  {name}: {type(e).__name__}: {str(e)[:2000]}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    print(f"kernel smoke test: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
