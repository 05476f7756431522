#!/usr/bin/env python3
"""Where a QEMU guest's vCPUs are: scripts/vm asks this of a guest that hangs
or stalls, before it kills it, through QEMU's human monitor on a unix socket.

  vcpu-state.py SOCKET [SYSTEM_MAP] [--samples N]

Takes N samples (default 3, 0.2 s apart) of `info registers -a` and prints
one line per vCPU and sample, e.g.
  vcpu 0 sample 1: ffffffff8159335f default_idle+0xf halted
  vcpu 1 sample 1: ffffffffa0003bf7 module code running
  vcpu 1 sample 2: 0000557c3710abb5 user running
and last one verdict line, which scripts/vm reads:
  vcpu-verdict: cpu0-halted=yes|no|unknown module-code=yes|no|unknown
cpu0-halted is yes when vCPU 0 was halted (x86 HLT=1) in every sample;
module-code is yes when any sample of any vCPU ran at or above the x86_64
module area's start (x86_64 guests boot with nokaslr, so the kernel's text
lies below it on every kernel scripts/vm boots). arm64 reports neither
(QEMU's PC line has no halt state): both unknown. Exit 1 if the monitor
does not answer.
"""
import argparse
import bisect
import re
import socket
import sys
import time

# MODULES_VADDR of x86_64 without KASLR's larger image (our 7.2 builds);
# Debian's kernels (RANDOMIZE_BASE, booted nokaslr) load modules higher.
X86_64_MODULES_START = 0xFFFFFFFFA0000000


def monitor(path, command, timeout=5.0):
    """One command's answer from QEMU's human monitor."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(path)
    out = b""

    def until_prompt():
        nonlocal out
        out = b""
        deadline = time.monotonic() + timeout
        while not out.endswith(b"(qemu) ") and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk

    until_prompt()
    s.sendall(command.encode() + b"\n")
    until_prompt()
    s.close()
    # The monitor echoes the command with terminal escapes; drop them.
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode(errors="replace")).replace("\r", "")


def symbols(path):
    """Sorted (address, name) of the text symbols of a System.map, or []."""
    syms = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in "tTwW":
                    syms.append((int(parts[0], 16), parts[2]))
    except OSError:
        return []
    syms.sort()
    return syms


def name(syms, addrs, pc):
    i = bisect.bisect_right(addrs, pc) - 1
    return f"{syms[i][1]}+{pc - syms[i][0]:#x}" if i >= 0 else "?"


def main(argv):
    parser = argparse.ArgumentParser(description="where a QEMU guest's vCPUs are")
    parser.add_argument("socket", help="QEMU's human monitor, a unix socket")
    parser.add_argument("system_map", nargs="?", help="the guest kernel's System.map")
    parser.add_argument("--samples", type=int, default=3, help="samples, 0.2 s apart (default 3)")
    args = parser.parse_args(argv[1:])
    samples = max(1, args.samples)
    syms = symbols(args.system_map) if args.system_map else []
    addrs = [a for a, _ in syms]
    halted0, module, x86 = [], False, False
    for k in range(1, samples + 1):
        try:
            text = monitor(args.socket, "info registers -a")
        except OSError as e:
            print(f"vcpu-state: the QEMU monitor did not answer ({e})", file=sys.stderr)
            return 1
        # One block per vCPU: "CPU#n" then its registers.
        for cpu, block in re.findall(r"CPU#(\d+)\n(.*?)(?=CPU#\d+\n|\Z)", text, re.S):
            m = re.search(r"RIP=([0-9a-f]+) .*HLT=(\d)", block)
            if m:
                x86 = True
                pc, halted = int(m.group(1), 16), m.group(2) == "1"
                in_module = pc >= X86_64_MODULES_START
            else:
                m = re.search(r"PC=([0-9a-f]+)", block)
                if not m:
                    continue
                pc, halted, in_module = int(m.group(1), 16), None, None
            if pc < 1 << 63:
                where = "user"
            elif in_module:
                where = "module code"
            else:
                where = name(syms, addrs, pc) if syms else ""
            state = {True: "halted", False: "running", None: ""}[halted]
            print(f"vcpu {cpu} sample {k}: {pc:016x} {where} {state}".rstrip())
            if cpu == "0":
                halted0.append(halted)
            module = module or bool(in_module)
        if k < samples:
            time.sleep(0.2)
    if not x86 or not halted0:
        print("vcpu-verdict: cpu0-halted=unknown module-code=unknown")
    else:
        print(f"vcpu-verdict: cpu0-halted={'yes' if all(halted0) else 'no'} "
              f"module-code={'yes' if module else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
