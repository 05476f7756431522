#!/usr/bin/env python3
"""A stand-in for qemu-system-x86_64 that plays a scripted guest, for
scripts/vm's own tests (scripts/tests/test_vm_fake.sh): it writes the
scenario's console lines to the -chardev file, answers `info registers -a`
on the -monitor socket, and exits as the scenario says.

FAKE_QEMU_SCENARIO names a file of boots separated by lines `--- boot`;
FAKE_QEMU_STATE a directory where the boot count is kept. A boot's lines
are printed as they are, except:
  @sleep S          wait S seconds
  @cpu0 halted|running, @module yes|no
                    what the monitor reports from then on (default: vCPU 0
                    halted, vCPU 1 running kernel code, no module code)
  @file NAME TEXT   a file the guest's command wrote under /out
  @result STATUS    the guest's results (/out: the @files and dmesg.txt of
                    every line so far), then QPWBENCH-VM-STATUS STATUS and exit
  @damaged STATUS   the same with the base64 cut short
  @hang             stay until killed
Without @result, @damaged or @hang the guest powers off with no result.
"""
import base64
import io
import os
import re
import socket
import sys
import tarfile
import threading
import time

KERNEL_RIP = 0xFFFFFFFF8159335F	# default_idle+0xf in our 7.2-rt build
MODULE_RIP = 0xFFFFFFFFA0003BF7


def arg_value(args, flag, pattern):
    for i, a in enumerate(args[:-1]):
        if a == flag:
            m = re.search(pattern, args[i + 1])
            if m:
                return m.group(1)
    return None


def registers(state):
    blocks = []
    for cpu in (0, 1):
        halted = cpu == 0 and state["cpu0"] == "halted"
        rip = MODULE_RIP if cpu == 1 and state["module"] == "yes" else KERNEL_RIP
        blocks.append(f"CPU#{cpu}\nRAX=0000000000000000 RBX=0000000000000000\n"
                      f"RIP={rip:016x} RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 "
                      f"HLT={1 if halted else 0}\n")
    return "".join(blocks)


def serve_monitor(path, state):
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(4)
    while True:
        conn, _ = srv.accept()
        with conn:
            conn.sendall(b"QEMU 7.2.0 monitor - type 'help' for more information\r\n(qemu) ")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = conn.recv(1024)
                if not chunk:
                    break
                buf += chunk
            if b"info registers" in buf:
                conn.sendall(registers(state).replace("\n", "\r\n").encode() + b"(qemu) ")


def results(files, console_lines, status, damaged):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as tar:
        files = dict(files, **{"dmesg.txt": "".join(line + "\n" for line in console_lines)})
        for name, text in files.items():
            info = tarfile.TarInfo("./" + name)
            raw = text.encode()
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    b64 = base64.encodebytes(data.getvalue()).decode()
    if damaged:
        b64 = b64[: len(b64) // 2] + "\n"
    return ["QPWBENCH-VM-OUT-BEGIN", *b64.splitlines(), "QPWBENCH-VM-OUT-END",
            f"QPWBENCH-VM-STATUS {status}"]


def main(args):
    serial = arg_value(args, "-chardev", r"path=([^,]+)")
    monitor = arg_value(args, "-monitor", r"unix:([^,]+)")
    state_dir = os.environ["FAKE_QEMU_STATE"]
    count_file = os.path.join(state_dir, "boots")
    boot = int(open(count_file).read()) + 1 if os.path.exists(count_file) else 1
    with open(count_file, "w") as f:
        f.write(str(boot))
    boots = open(os.environ["FAKE_QEMU_SCENARIO"]).read().split("--- boot\n")
    lines = boots[min(boot, len(boots)) - 1].splitlines()
    state = {"cpu0": "halted", "module": "no"}
    if monitor:
        threading.Thread(target=serve_monitor, args=(monitor, state), daemon=True).start()
    out = open(serial, "a", buffering=1)
    printed, files = [], {}
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "@sleep":
            time.sleep(float(rest))
        elif word in ("@cpu0", "@module"):
            state[word[1:]] = rest
        elif word == "@file":
            name, _, text = rest.partition(" ")
            files[name] = text + "\n"
        elif word in ("@result", "@damaged"):
            for r in results(files, printed, rest, word == "@damaged"):
                out.write(r + "\n")
            return 0
        elif word == "@hang":
            while True:
                time.sleep(1)
        else:
            out.write(line + "\n")
            printed.append(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
