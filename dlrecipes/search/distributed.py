"""Searches in child processes.

- keras-tuner's own chief/worker mode on one machine: `launch` starts a chief (the oracle, a
  gRPC server) and N workers (trials) as subprocesses on 127.0.0.1, and stops them all when the
  search ends or when one of them dies. Each process runs `python -m
  dlrecipes.search.distributed SEARCH_DIR` with KERASTUNER_TUNER_ID ("chief", "tuner0", ...),
  KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT set; on a GPU machine each worker sees one GPU
  (CUDA_VISIBLE_DEVICES).
- `run_recycled` runs a search in a sequence of child processes of at most K trials each, every
  one resuming from the oracle's saved state: the TensorFlow backend keeps about 5 MB per
  traced training function even after `clear_session()` and `gc.collect()` (measured with plain
  Keras, docs/RESULTS.md), so a long search in one process grows without bound; a fresh
  process every K trials bounds it.
"""

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time

from dlrecipes.errors import ConfigError

HOST = "127.0.0.1"
RECYCLE_EXIT = 75  # os.EX_TEMPFAIL: the child ran its K trials, start the next one
TRIALS_PER_PROCESS_ENV = "DLRECIPES_TRIALS_PER_PROCESS"
PROCESS_LOG = "processes.jsonl"


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


def run_recycled(search_dir, trials_per_process, *, data_dir=None):
    """Run the search recorded in `search_dir` in child processes of at most
    `trials_per_process` trials each, until it is complete. Each child appends a line to
    `search_dir/processes.jsonl` (pid, trials run, resident memory after its first and last
    trial). Raises RuntimeError when a child fails; the search then continues with --resume."""
    from dlrecipes.validation import check_int

    check_int("trials_per_process", trials_per_process, minimum=1)
    command = [sys.executable, "-m", "dlrecipes.search.distributed", str(search_dir)]
    if data_dir:
        command += ["--data-dir", str(data_dir)]
    env = {**os.environ, TRIALS_PER_PROCESS_ENV: str(trials_per_process)}
    while True:
        code = subprocess.run(command, env=env).returncode
        if code == 0:
            return
        if code != RECYCLE_EXIT:
            raise RuntimeError(f"a search process failed (exit code {code}). Continue with --resume.")


def resident_mib():
    """This process' resident memory now (MiB), from /proc (peak from getrusage elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TrialBudget:
    """In a recycled child: counts finished trials, records memory, and ends the process with
    RECYCLE_EXIT after `TRIALS_PER_PROCESS_ENV` trials (the tuner has saved its state)."""

    def __init__(self, search_dir):
        self.limit = int(os.environ.get(TRIALS_PER_PROCESS_ENV, 0))
        self.log = os.path.join(search_dir, PROCESS_LOG)
        self.trials, self.first_mib = 0, None

    def trial_ended(self):
        if not self.limit:
            return
        self.trials += 1
        now = resident_mib()
        self.first_mib = self.first_mib or now
        if self.trials >= self.limit:
            self.write(now)
            sys.exit(RECYCLE_EXIT)

    def write(self, now=None):
        if self.limit and self.trials:
            record = {"pid": os.getpid(), "trials": self.trials, "first_trial_mib": self.first_mib,
                      "last_trial_mib": now or resident_mib()}
            with open(self.log, "a") as log:
                log.write(json.dumps(record) + "\n")


def main(argv=None):
    import argparse

    from dlrecipes.search.run import run_search

    parser = argparse.ArgumentParser(description="one process of a distributed or recycled search")
    parser.add_argument("search_dir")
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)
    if "KERASTUNER_TUNER_ID" not in os.environ and TRIALS_PER_PROCESS_ENV not in os.environ:
        raise SystemExit(
            "set KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT (see launch), "
            f"or {TRIALS_PER_PROCESS_ENV} (see run_recycled)"
        )
    import pathlib

    run_search(pathlib.Path(args.search_dir), data_dir=args.data_dir)


if __name__ == "__main__":
    main()
