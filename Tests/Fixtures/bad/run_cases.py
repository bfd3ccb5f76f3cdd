#!/usr/bin/env python3
"""Run every case of cases.tsv against the gridkeeper binary and check the bad-input contract.

    python3 Tests/Fixtures/bad/run_cases.py [--binary PATH] [--only SUBSTRING] [--verbose]

Needs the big files first: python3 tools/make_bad_corpus.py (rows whose file is missing are
reported as SKIP). Builds a base workspace once (init --crs EPSG:4549, then grids / road_duty /
roads / components from geodata/), and gives every case a fresh copy of it as {ws}. A fixture used as
`--ws {file}` is copied first, so the fixture in the repo is never opened for writing.

cases.tsv columns: file ('-' when the case needs no fixture), command (gridkeeper arguments, split like a POSIX shell; {file} = the
fixture, {ws} = the workspace copy), exit, stderr_contains.

Checked per case:
  * exit code == `exit`, and not killed by a signal
  * stderr contains `stderr_contains`, and no crash / stack trace text on stdout or stderr
  * if `exit` != 0: no output file left behind (assign/export write nothing on error), stderr names the file (its base name; not checked for exit 2, where the
    message names the bad argument), and the workspace ({ws}, or the
    copied `--ws {file}` fixture) is byte-identical afterwards (sha256)
  * every case: the fixture itself is unchanged, max RSS <= 2 GiB, stderr <= 64 KiB (a message
    must not echo megabytes of input). No case is timed: a first run on a new machine is slow, and
    speed belongs to tools/bench. A case still running after HARD_TIMEOUT is killed as a hang.
Prints one line per case and a summary; exit status 1 when any case fails.
"""
import argparse
import csv
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
GEODATA = os.path.join(ROOT, "geodata")
RSS_LIMIT_KB = 2 * 1024 * 1024
STDERR_LIMIT = 64 * 1024  # a message longer than this floods the terminal (it echoes the input)
HARD_TIMEOUT = 300.0  # a hang guard, not a speed check
CRASH_MARKERS = ["Fatal error", "Stack dump", "stack trace", "Backtrace", "Segmentation fault",
                 "Illegal instruction", "Current stack", "SIGSEGV", "SIGILL", "SIGABRT", "SIGTRAP"]


def sha256(path):
    if not os.path.exists(path):
        return "missing"
    if os.path.isdir(path):
        h = hashlib.sha256()
        for dirpath, dirnames, filenames in sorted(os.walk(path)):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                h.update(os.path.relpath(p, path).encode() + b"\0" + sha256(p).encode())
            for name in dirnames:
                h.update(b"dir:" + name.encode())
        return "dir:" + h.hexdigest()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(binary, args, cwd, env):
    """Run, returning (status or -signal, stdout, stderr, seconds, max RSS in KiB)."""
    out_path, err_path = os.path.join(cwd, ".stdout"), os.path.join(cwd, ".stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        p = subprocess.Popen([binary] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > HARD_TIMEOUT:
                os.kill(p.pid, signal.SIGKILL)
                timed_out = True
            time.sleep(0.01)
        seconds = time.monotonic() - start
        p.returncode = 0  # reaped by wait4
    code = os.waitstatus_to_exitcode(status)
    with open(out_path, "rb") as f:
        stdout = f.read(1 << 20).decode("utf-8", "replace")
    with open(err_path, "rb") as f:
        stderr = f.read(1 << 20).decode("utf-8", "replace")
    if timed_out:
        stderr += "\n[run_cases: killed after %.0f s]" % HARD_TIMEOUT
    return code, stdout, stderr, seconds, usage.ru_maxrss, os.path.getsize(err_path)


def build_base(binary, directory):
    ws = os.path.join(directory, "ws.gpkg")
    steps = [["init", "--crs", "EPSG:4549", "--ws", ws],
             ["import", os.path.join(GEODATA, "grids.geojson"), "--layer", "grids", "--kind", "grid", "--ws", ws],
             ["import", os.path.join(GEODATA, "road_duty.geojson"), "--layer", "road_duty", "--kind", "duty", "--ws", ws],
             ["import", os.path.join(GEODATA, "roads.geojson"), "--layer", "roads", "--kind", "road", "--ws", ws],
             ["import", os.path.join(GEODATA, "components.csv"), "--layer", "components", "--kind", "component", "--ws", ws]]
    for step in steps:
        r = subprocess.run([binary] + step, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("base workspace: %s failed (%d): %s" % (" ".join(step), r.returncode, r.stderr))
    return ws


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "gridkeeper"))
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.tsv"))
    ap.add_argument("--only", help="run the cases whose file contains this substring")
    ap.add_argument("--verbose", "-v", action="store_true", help="print stderr of every case")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)

    with open(a.cases, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    work = tempfile.mkdtemp(prefix="gk-bad-")
    base = build_base(binary, os.path.join(work))
    failures, skipped, passed = [], 0, 0
    for n, row in enumerate(rows, 1):
        name, command, want, needle = row["file"], row["command"], int(row["exit"]), row["stderr_contains"]
        if a.only and a.only not in name:
            continue
        fixture = os.path.join(HERE, name) if name != "-" else None
        if fixture and not os.path.exists(fixture):
            print("SKIP  %-52s (missing; run tools/make_bad_corpus.py)" % name)
            skipped += 1
            continue
        case_dir = os.path.join(work, "case-%03d" % n)
        os.makedirs(case_dir)
        ws = os.path.join(case_dir, "ws.gpkg")
        shutil.copyfile(base, ws)
        file_arg, guarded = fixture, ws
        if fixture and "--ws {file}" in command:
            # The fixture is the workspace: work on a copy with the same base name.
            file_arg = os.path.join(case_dir, "wsfix", os.path.basename(name))
            os.makedirs(os.path.dirname(file_arg))
            (shutil.copytree if os.path.isdir(fixture) else shutil.copyfile)(fixture, file_arg)
            guarded = file_arg
        args = [t.replace("{file}", file_arg or "").replace("{ws}", ws) for t in shlex.split(command)]
        env = dict(os.environ)
        env["GRIDKEEPER_WS"] = os.path.join(case_dir, "default-ws.gpkg")
        fixture_before, guarded_before = sha256(fixture) if fixture else "", sha256(guarded)
        files_before = set(os.listdir(case_dir))
        code, stdout, stderr, seconds, rss, stderr_bytes = run(binary, args, case_dir, env)
        problems = []
        if code < 0:
            problems.append("killed by signal %d (%s)" % (-code, signal.Signals(-code).name))
        elif code != want:
            problems.append("exit %d, want %d" % (code, want))
        if needle and needle not in stderr:
            problems.append("stderr lacks %r" % needle)
        for marker in CRASH_MARKERS:
            if marker in stderr or marker in stdout:
                problems.append("crash text %r" % marker)
                break
        if want != 0:
            # Usage errors (exit 2) name the bad argument instead (stderr_contains checks that).
            if fixture and want != 2 and os.path.basename(name) not in stderr:
                problems.append("stderr does not name the file")
            if sha256(guarded) != guarded_before:
                problems.append("workspace changed")
            left = sorted(set(os.listdir(case_dir)) - files_before - {".stdout", ".stderr"})
            if left:
                problems.append("left files behind: " + ", ".join(left))
        if fixture and sha256(fixture) != fixture_before:
            problems.append("the fixture itself changed")
        if stderr_bytes > STDERR_LIMIT:
            problems.append("stderr is %d bytes (echoes the input?)" % stderr_bytes)
        if rss > RSS_LIMIT_KB:
            problems.append("max RSS %.2f GiB" % (rss / 1024 / 1024))
        first = stderr.strip().splitlines()[0] if stderr.strip() else "(no stderr)"
        status = "FAIL" if problems else "ok"
        label = name if fixture else "- (" + command.replace(" --ws {ws}", "") + ")"
        print("%-4s  %-52s exit %3d  %5.2fs %6dMiB  %s" % (status, label, code, seconds, rss // 1024, first[:150]))
        if problems:
            print("      -> " + "; ".join(problems))
            failures.append((label, problems))
        else:
            passed += 1
        if a.verbose and stderr.strip():
            for line in stderr.strip().splitlines()[:12]:
                print("      | " + line[:300])
        shutil.rmtree(case_dir, ignore_errors=True)
    print("\n%d passed, %d failed, %d skipped (binary %s)" % (passed, len(failures), skipped, binary))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
