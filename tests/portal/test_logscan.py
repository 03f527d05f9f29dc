"""No personal data in logs: the production log filter masks it, and the session's log scan
(tests/logscan.py) fails a test run whose logs still carry it."""

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

from tests.logscan import Finding, production_console_handler, scan_text

BASE_DIR = Path(settings.BASE_DIR)
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def test_a_log_call_is_written_masked_by_the_production_handler(tmp_path):
    path = tmp_path / "console.log"
    handler = production_console_handler(path)
    logger = logging.getLogger("tests.logscan.unit")
    logger.addHandler(handler)
    try:
        logger.warning("信件来自 %s，电话 %s", ID_NUMBER, PHONE)
        try:
            raise ValueError(f"身份证号码 {ID_NUMBER} 已登记，手机 {PHONE}")
        except ValueError:
            logger.exception("核验失败")
    finally:
        logger.removeHandler(handler)
        handler.close()

    text = path.read_text(encoding="utf-8")
    assert ID_NUMBER not in text and PHONE not in text
    assert "信件来自 110105********002X，电话 138****5678" in text
    # The traceback repeats the exception's message: masked too.
    assert "ValueError: 身份证号码 110105********002X 已登记，手机 138****5678" in text
    # Same format as settings.LOGGING's "plain" formatter: time, level, logger, message.
    assert " WARNING tests.logscan.unit 信件来自" in text


def test_the_scan_finds_valid_id_numbers_and_mobiles_and_reports_them_masked(tmp_path):
    findings: list[Finding] = []
    text = "\n".join(
        [
            "ok line",
            f"id {ID_NUMBER} here",
            "not an id 110105194912310021 (wrong check character)",
            f"call {PHONE}",
            "order 12345678901 and 1381234567890 are not mobiles",
            "masked 110105********002X 138****5678",
        ]
    )
    lines = scan_text(text, tmp_path / "x.log", findings)
    assert lines == 6
    assert [(f.line_number, f.kind) for f in findings] == [(2, "身份证号码"), (4, "手机号码")]
    assert all(ID_NUMBER not in f.masked_line and PHONE not in f.masked_line for f in findings)


def _inner_session(tmp_path: Path, test_source: str) -> subprocess.CompletedProcess:
    """A pytest session inside this one, with only the log-scan plugin and one test."""
    folder = tmp_path / "inner"
    folder.mkdir()
    (folder / "test_inner.py").write_text(textwrap.dedent(test_source), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_TEST_LOG_DIR": str(tmp_path / "logs"),
    }
    env.pop("PORTAL_LOG_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.logscan", "-p", "no:randomly", "-p"]
        + ["no:cacheprovider", "-q", "--rootdir", str(folder), str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_session_that_logs_through_the_filter_passes(tmp_path):
    result = _inner_session(
        tmp_path,
        f"""
        import logging

        def test_logs_a_number_on_purpose():
            logging.getLogger("portal.anything").warning("核验 %s %s", "{ID_NUMBER}", "{PHONE}")
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (session_log,) = (tmp_path / "logs").glob("session-*/session.log")
    assert "核验 110105********002X 138****5678" in session_log.read_text(encoding="utf-8")


def test_a_session_whose_worker_log_holds_a_clear_number_fails_and_shows_it_masked(tmp_path):
    # A worker process that wrote an unmasked line, as one without the filter would.
    result = _inner_session(
        tmp_path,
        f"""
        import os
        from pathlib import Path

        def test_a_worker_wrote_its_log():
            folder = Path(os.environ["PORTAL_LOG_DIR"])
            (folder / "worker-1.log").write_text("task received: {PHONE} {ID_NUMBER}\\n")
        """,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 passed" in output
    assert "personal data in the logs" in output
    assert "worker-1.log:1: 身份证号码 + 手机号码: task received: 138****5678" in output
    assert PHONE not in output and ID_NUMBER not in output


def test_a_celery_worker_log_is_masked_and_kept_in_the_session_folder(tmp_path, monkeypatch):
    """What portal/celery.py does when a worker sets up its logging (the worker replaces
    the root logger's handlers, dropping settings.LOGGING's filtered console handler)."""
    from portal.celery import _mask_personal_data

    monkeypatch.setenv("PORTAL_LOG_DIR", str(tmp_path / "processes"))
    logger = logging.getLogger("tests.logscan.worker")
    stream = logging.StreamHandler(open(tmp_path / "stderr.log", "w", encoding="utf-8"))  # noqa: SIM115
    logger.addHandler(stream)
    logger.propagate = False
    try:
        _mask_personal_data(logger=logger, format="%(levelname)s %(message)s")
        logger.warning("task args: %s %s", ID_NUMBER, PHONE)
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.propagate = True
    (worker_file,) = (tmp_path / "processes").glob("worker-*.log")
    for path in (worker_file, tmp_path / "stderr.log"):
        text = path.read_text(encoding="utf-8")
        assert "110105********002X 138****5678" in text, path
        assert ID_NUMBER not in text and PHONE not in text
