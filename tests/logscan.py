"""Pytest plugin: the whole session's log output, scanned for personal data at the end.

Issue 10 promises "no personal data in logs". For the whole session a handler on the root
logger writes what production's console handler would write: the same formatter and the
same filters, built from settings.LOGGING (so the `mask_pii` filter is the one under
test). Celery workers started by the tests write their own log files (PORTAL_LOG_DIR, read
by portal/celery.py), and servers the fault tests start (gunicorn, ...) write theirs under
pytest's temporary folder. When the session ends every one of those files is scanned for
an ID number with a valid check character and for a mainland mobile number; a hit fails
the session and the offending lines are printed, masked.

A test may log an ID number on purpose: the filter masks it before it is written, so it is
not a finding. What is found is what a real log would have kept.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
from dataclasses import dataclass
from logging.config import DictConfigurator
from pathlib import Path

import pytest

# pytest's own log capture must not hide records from this handler: it adds its handlers
# next to ours, it does not replace the root logger's.
SESSION_LOG = "session.log"
PROCESS_LOGS = "processes"
MARKER = ".logscan-session"
# Logs of the servers the fault tests start, not of the portal: PostgreSQL's records the
# statement of every failed query with its literal values (a phone among them when a
# duplicate letter is refused), which is the database server's configuration to settle
# (log_min_error_statement), not something the portal's logging can mask.
NOT_OURS = {"postgres.log", "redis.log"}
_handler_key = pytest.StashKey["logging.Handler"]()
_findings_key = pytest.StashKey["list[Finding]"]()
_counts_key = pytest.StashKey["dict[str, int]"]()


@dataclass(frozen=True)
class Finding:
    path: Path
    line_number: int
    kind: str
    masked_line: str


def log_root() -> Path:
    """var/test-logs, or PORTAL_TEST_LOG_DIR (the plugin's own tests run a session inside
    the session and must not touch the outer one's folder)."""
    from django.conf import settings

    return Path(os.environ.get("PORTAL_TEST_LOG_DIR") or Path(settings.VAR_DIR) / "test-logs")


def log_folder(config: pytest.Config) -> Path:
    # One folder per session (several sessions may share a checkout); an xdist worker
    # writes into its controller's.
    owner = config.workerinput["logscan_pid"] if _is_xdist_worker(config) else os.getpid()
    return log_root() / f"session-{owner}"


def _forget_finished_sessions(root: Path) -> None:
    for folder in root.glob("session-*"):
        try:
            os.kill(int(folder.name.removeprefix("session-")), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, another user's


def production_console_handler(filename: Path) -> logging.Handler:
    """A file handler configured as settings.LOGGING's console handler: same level,
    formatter and filters; only the stream differs."""
    from django.conf import settings

    config = copy.deepcopy(settings.LOGGING)
    configurator = DictConfigurator(config)
    settings_config = configurator.config
    formatters = settings_config.get("formatters", {})
    for name in list(formatters):
        formatters[name] = configurator.configure_formatter(formatters[name])
    filters = settings_config.get("filters", {})
    for name in list(filters):
        filters[name] = configurator.configure_filter(filters[name])
    console = dict(settings_config["handlers"]["console"])
    console.pop("stream", None)
    console.update({"class": "logging.FileHandler", "filename": str(filename)})
    console.update({"encoding": "utf-8", "mode": "w"})
    return configurator.configure_handler(console)


def scan_text(text: str, path: Path, findings: list[Finding]) -> int:
    """Append every ID or mobile number in `text` to `findings`; returns the line count."""
    from portal import identity

    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        ids = [
            m.group(0)
            for m in identity.ID_NUMBER_IN_TEXT.finditer(line)
            if identity.is_valid_id_number(m.group(0))
        ]
        phones = identity.MOBILE_IN_TEXT.findall(line)
        if ids or phones:
            kind = " + ".join(
                label for label, hit in (("身份证号码", ids), ("手机号码", phones)) if hit
            )
            findings.append(Finding(path, number, kind, identity.scrub_text(line)[:300]))
    return len(lines)


def files_to_scan(folder: Path, basetemp: Path | None) -> list[Path]:
    files = sorted(folder.glob("session*.log")) + sorted((folder / PROCESS_LOGS).glob("*.log"))
    if basetemp is not None and basetemp.is_dir():
        # Servers started by the fault tests log into files of their test's tmp_path; a
        # session run inside this one (this plugin's own tests) left a MARKER in its folder
        # and scans its own files.
        nested = [marker.parent for marker in basetemp.rglob(MARKER)]
        files += sorted(
            path
            for path in basetemp.rglob("*.log")
            if path.is_file()
            and path.name not in NOT_OURS
            and not any(path.is_relative_to(n) for n in nested)
        )
    return files


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.LOGGING  # noqa: B018 - is there a Django configuration at all?
    except ImproperlyConfigured:
        return  # a run without Django (-p no:django): nothing of ours logs
    if not _is_xdist_worker(config):
        _forget_finished_sessions(log_root())
    folder = log_folder(config)
    (folder / PROCESS_LOGS).mkdir(parents=True, exist_ok=True)
    (folder / MARKER).touch()
    # Read by portal/celery.py in every worker the tests start (they inherit os.environ).
    os.environ["PORTAL_LOG_DIR"] = str(folder / PROCESS_LOGS)
    worker = config.workerinput["workerid"] if _is_xdist_worker(config) else ""
    name = f"session-{worker}.log" if worker else SESSION_LOG
    handler = production_console_handler(folder / name)
    logging.getLogger().addHandler(handler)
    config.stash[_handler_key] = handler


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: the workers write into the controller's folder."""
    node.workerinput["logscan_pid"] = os.getpid()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    handler = config.stash.get(_handler_key, None)
    if handler is None:
        return
    logging.getLogger().removeHandler(handler)
    handler.close()
    if _is_xdist_worker(config):
        return  # the controller scans every worker's file
    basetemp = None
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        basetemp = factory._basetemp  # None when no test asked for tmp_path
    findings: list[Finding] = []
    counts = {"files": 0, "lines": 0}
    for path in files_to_scan(log_folder(config), basetemp):
        counts["files"] += 1
        counts["lines"] += scan_text(
            path.read_text(encoding="utf-8", errors="replace"), path, findings
        )
    config.stash[_findings_key] = findings
    config.stash[_counts_key] = counts
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    findings = config.stash.get(_findings_key, None)
    counts = config.stash.get(_counts_key, None)
    if findings is None or counts is None:
        return
    if not findings:
        if config.getoption("verbose") > 0:
            terminalreporter.write_line(
                f"logscan: {counts['lines']} log lines in {counts['files']} files, "
                "no ID or mobile number"
            )
        return
    terminalreporter.section("personal data in the logs", sep="=", red=True, bold=True)
    terminalreporter.write_line(
        f"{len(findings)} log lines carry an ID or mobile number "
        f"({counts['lines']} lines in {counts['files']} files scanned); shown masked:"
    )
    for finding in findings[:50]:
        terminalreporter.write_line(
            f"{finding.path}:{finding.line_number}: {finding.kind}: {finding.masked_line}"
        )
