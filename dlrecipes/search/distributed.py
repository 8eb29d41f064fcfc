"""keras-tuner's own chief/worker mode on one machine: a launcher that starts a chief (the
oracle, a gRPC server) and N workers (trials) as subprocesses on 127.0.0.1, and stops them all
when the search ends or when one of them dies.

Each process runs `python -m dlrecipes.search.distributed SEARCH_DIR` with
KERASTUNER_TUNER_ID ("chief", "tuner0", "tuner1", ...), KERASTUNER_ORACLE_IP and
KERASTUNER_ORACLE_PORT set; on a GPU machine each worker sees one GPU (CUDA_VISIBLE_DEVICES).
"""

import os
import signal
import socket
import subprocess
import sys
import time

from dlrecipes.errors import ConfigError

HOST = "127.0.0.1"


def _free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def visible_gpus():
    """Indices of the GPUs this machine shows (none on CPU-only machines)."""
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = [line for line in listing.stdout.splitlines() if line.startswith("GPU ")]
    return list(range(len(gpus)))


def _stop(processes, grace=10):
    """SIGTERM every process still running, then SIGKILL those that ignore it."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def launch(search_dir, *, workers=0, data_dir=None, poll=0.5):
    """Run the search recorded in `search_dir` with a chief and `workers` workers (0: one per
    visible GPU, at least one). Raises RuntimeError, after stopping everything, when a process
    fails."""
    from dlrecipes.search.run import read_search

    _, settings = read_search(search_dir)
    if settings.tuner == "coarse-to-fine":
        raise ConfigError("coarse-to-fine runs two searches one after the other; run it without --distributed.")
    gpus = visible_gpus()
    count = workers or max(1, len(gpus))
    port = _free_port()
    base_env = {**os.environ, "KERASTUNER_ORACLE_IP": HOST, "KERASTUNER_ORACLE_PORT": str(port)}
    command = [sys.executable, "-m", "dlrecipes.search.distributed", str(search_dir)]
    if data_dir:
        command += ["--data-dir", str(data_dir)]
    chief = subprocess.Popen(command, env={**base_env, "KERASTUNER_TUNER_ID": "chief"})
    team = []
    for index in range(count):
        env = {**base_env, "KERASTUNER_TUNER_ID": f"tuner{index}"}
        if gpus:
            env["CUDA_VISIBLE_DEVICES"] = str(gpus[index % len(gpus)])
        team.append(subprocess.Popen(command, env=env))
    print(f"distributed search: chief on {HOST}:{port}, {count} workers", flush=True)
    everyone = [chief, *team]
    try:
        while True:
            time.sleep(poll)
            dead = [p for p in everyone if p.poll() not in (None, 0)]
            if dead:
                raise RuntimeError(
                    f"a process of the distributed search died (exit codes {[p.returncode for p in dead]}); "
                    f"all stopped. Continue with --resume."
                )
            if chief.poll() == 0:
                break
    finally:
        _stop(everyone)
    # the chief wrote the results; report the best
    best = search_dir / "best_hyperparameters.json"
    if best.exists():
        print(f"chief reports the best: {best.read_text().strip()}", flush=True)


def main(argv=None):
    import argparse

    from dlrecipes.search.run import run_search

    parser = argparse.ArgumentParser(description="one process (chief or worker) of a distributed search")
    parser.add_argument("search_dir")
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)
    if "KERASTUNER_TUNER_ID" not in os.environ:
        raise SystemExit("set KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT (see launch)")
    import pathlib

    run_search(pathlib.Path(args.search_dir), data_dir=args.data_dir)


if __name__ == "__main__":
    main()
