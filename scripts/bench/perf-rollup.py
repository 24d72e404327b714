#!/usr/bin/env python3
"""Rolls a `perf script -F comm,ip,sym,dso` dump of the service into areas of the login path.

Each sample is charged to the leaf-most frame that belongs to a known area: walking from the sampled instruction
towards the thread's root, runtime, base-library, libc, kernel and crypto frames are passed over until a frame
names a component (the validator, Npgsql, Kestrel, OpenTelemetry, ...). So the XML parser's time counts for the
validator that called it, a socket write for the database client or Kestrel that made it. Samples with no such
frame are charged by thread (GC, JIT) or as kernel/runtime. The areas add up to 100%."""
import re
import sys
from collections import Counter

FRAME_AREAS = [
    ("SAML validation (Acs.Core.Saml, System.Xml)", r"\[Acs\.Core\] Acs\.Core\.Saml\.|\[System\.Private\.Xml\]"),
    ("database client (Npgsql, Dapper, Acs.Data)", r"\[Npgsql\]|\[Dapper\]|\[Acs\.Data\]"),
    ("metrics and traces (OpenTelemetry, Metrics, Activity)", r"\[OpenTelemetry|System\.Diagnostics\.Metrics|System\.Diagnostics\.Activity|\[System\.Diagnostics\.DiagnosticSource\]"),
    ("logging", r"\[Microsoft\.Extensions\.Logging"),
    ("form reading", r"\[Microsoft\.AspNetCore\.WebUtilities\]|FormFeature|FormReader"),
    ("rate limiting", r"RateLimit"),
    ("HTTP server (Kestrel)", r"\[Microsoft\.AspNetCore\.Server\.Kestrel"),
    ("ASP.NET Core pipeline (routing, endpoint, DI, middleware)", r"\[Microsoft\.AspNetCore|\[Microsoft\.Extensions\.DependencyInjection|\[Microsoft\.Extensions\.Primitives"),
    ("login use case and endpoint (Acs.Core, Acs.Api)", r"\[Acs\.Core\]|\[Acs\.Api\]"),
]

THREAD_AREAS = [
    ("garbage collection (server GC threads)", r"^\.NET Server GC|^\.NET BGC"),
    ("JIT / tiered compilation", r"^\.NET Tiered Com"),
    ("socket event loop (.NET Sockets thread)", r"^\.NET Sockets"),
]


def owner(frame):
    """`ret [Asm] Ns.Type::Method(params) (dso)` -> `[Asm] Ns.Type::Method`: parameter types must not match."""
    head, sep, tail = frame.partition("::")
    if not sep:
        return frame
    return " ".join(head.split()[-2:]) + "::" + tail.split("(", 1)[0]


def samples(stream):
    comm, frames = None, []
    for line in stream:
        if not line.strip():
            if comm is not None:
                yield comm, frames
            comm, frames = None, []
        elif not line[0].isspace():
            comm, frames = line.strip(), []
        else:
            frames.append(line.strip())
    if comm is not None:
        yield comm, frames


def classify(comm, frames, frame_rx, thread_rx):
    for frame in frames:
        name = owner(frame)
        for area, rx in frame_rx:
            if rx.search(name):
                return area
    for area, rx in thread_rx:
        if rx.search(comm):
            return area
    if frames and "[kernel.kallsyms]" in frames[0]:
        return "kernel, no managed caller (scheduler, epoll, thread-pool wake-ups)"
    return "runtime, no managed caller (thread pool, allocator, stubs)"


def main():
    frame_rx = [(a, re.compile(r)) for a, r in FRAME_AREAS]
    thread_rx = [(a, re.compile(r)) for a, r in THREAD_AREAS]
    counts, total = Counter(), 0
    for comm, frames in samples(sys.stdin):
        total += 1
        counts[classify(comm, frames, frame_rx, thread_rx)] += 1
    print("| area | share of the service's CPU samples |")
    print("|---|---:|")
    for name, n in counts.most_common():
        print(f"| {name} | {100.0 * n / total:.1f}% |")
    print(f"| (samples) | {total} |")


if __name__ == "__main__":
    main()
