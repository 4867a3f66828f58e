"""What the forked copies a resolve starts (``omnidesk.core.forking``) cost, for the speed benchmarks.

A benchmark child calls :func:`watch` once: scoring children's ``score_pair``
calls are not seen by the parent, so the time spent waiting for their results
is counted instead, and each child's own memory (the pages it copied) is kept
to add to the parent's peak.  The child fitting the match model while the
records are read (``clustering.ModelFit``) is listed as such; it ends before
the scoring starts, so its memory counts beside the parent as it was then
(:func:`peak_mb`).
"""

from __future__ import annotations

import time

import omnidesk.core.forking as F


def watch() -> dict:
    """Start counting; returns the counts, updated as children end (``reset`` zeroes them)."""
    seen = {"waited": 0.0, "count": 0, "golden": 0, "private_mb": 0.0, "each": [], "fit_peak_mb": 0.0}
    result, close, answer = F.Forked.result, F.Worker.close, F.Worker.result

    def timed_result(self):
        t = time.perf_counter()
        fitting = self.name == "_fit"  # the match model's fit (clustering.ModelFit), not a scoring half
        try:
            return result(self)
        finally:
            if fitting:
                # It lived while the records were read, and is gone before the resolve's peak: what
                # it held counts beside this process as it was when it ended, not beside the peak.
                seen["fit_peak_mb"] = max(seen["fit_peak_mb"], high_water_mb() + self.private_mb)
            else:
                seen["waited"] += time.perf_counter() - t
                seen["count"] += 1
                seen["private_mb"] = max(seen["private_mb"], self.private_mb)
            seen["each"].append(("model fit" if fitting else "scoring", round(self.private_mb)))

    def answered(self):  # a scoring worker's half: waited for as a forked child's
        t = time.perf_counter()
        try:
            return answer(self)
        finally:
            if self.name != "_golden_rows":
                seen["waited"] += time.perf_counter() - t

    def closed(self):  # a child that answered requests (golden records, or scoring forked early)
        close(self)
        golden = self.name == "_golden_rows"
        if golden:
            seen["golden"] += 1
        else:
            seen["count"] += 1
        seen["private_mb"] = max(seen["private_mb"], self.private_mb)
        seen["each"].append(("golden records" if golden else "scoring", round(self.private_mb)))

    F.Forked.result, F.Worker.close, F.Worker.result = timed_result, closed, answered
    return seen


def reset(seen: dict) -> None:
    seen.update(waited=0.0, count=0, golden=0, private_mb=0.0, each=[], fit_peak_mb=0.0)


def peak_mb(process_peak_mb: float, seen: dict) -> float:
    """What the machine had to give at most: this process's peak with its biggest scoring or golden
    child beside it, or this process as it was when the fit's child ended with that child beside it."""
    return max(process_peak_mb + seen["private_mb"], seen.get("fit_peak_mb", 0.0))


def high_water_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux's VmHWM; the rusage peak elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
