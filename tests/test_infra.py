"""Infrastructure: compose file, production settings, Celery wiring, /healthz, and the Procfile."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import pytest
from django.core.management import call_command
from ruamel.yaml import YAML

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
APP_SERVICES = ("web", "worker", "beat")


def run_python(code: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Run `python -c code` in the project with the current environment changed by `env`
    (a value of None removes the variable)."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "dsar.settings"}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
    }


# --- docker compose and the image ------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load((BASE_DIR / "docker-compose.yml").read_text())


def test_the_compose_file_validates_against_the_compose_specification():
    result = subprocess.run(
        [
            str(VENV_BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            "docker-compose.yml",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_file_runs_database_broker_web_worker_and_beat(compose):
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_waits_for_a_healthy_database_and_broker(compose, name):
    service = compose["services"][name]
    assert service["depends_on"]["db"] == {"condition": "service_healthy"}
    assert service["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert service["env_file"] == [{"path": ".env", "required": False}]
    assert service["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in service["environment"]["DATABASE_URL"]
    assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_web_and_worker_share_the_private_media_volume(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/app/var/media" in services[name]["volumes"]
        assert services[name]["environment"]["MEDIA_ROOT"] == "/app/var/media"
    assert "media" in compose["volumes"]
    assert "/app/var/" in " ".join(services["beat"]["command"])


def test_the_migrate_service_migrates_and_loads_the_directory(compose):
    command = " ".join(compose["services"]["migrate"]["command"])
    assert "migrate --noinput" in command
    assert "load_reference" in command


def test_the_image_has_the_same_system_packages_as_the_setup_script():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    script = (BASE_DIR / "scripts" / "system-deps.sh").read_text()
    packages = re.search(r"^packages=\(([^)]*)\)", script, re.MULTILINE)
    assert packages
    for package in packages.group(1).split():
        assert package in dockerfile
    assert "FROM python:3.11-slim-bookworm" in dockerfile
    assert "pip install -r requirements/base.in -c requirements/lock.txt" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "var"} <= set(ignored)


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (BASE_DIR / "dsar" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z0-9_]+)\"", settings_source))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= read
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"
    procfile = (BASE_DIR / "Procfile").read_text()
    assert set(re.findall(r"\$\{([A-Z_]+)", procfile)) <= listed


# --- production settings ---------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_production_settings_refuse_to_start_without_a_secret_key(secret):
    dotenv = BASE_DIR / ".env"
    if secret is None and dotenv.exists() and "DJANGO_SECRET_KEY" in dotenv.read_text():
        pytest.skip(".env sets DJANGO_SECRET_KEY, so it cannot be unset here")
    result = run_python("import django; django.setup()", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secret)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        **production_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_deployment_checklist_passes_under_production_settings():
    env = {**os.environ, **production_env()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Celery ----------------------------------------------------------------------------------


def test_the_celery_tasks_are_registered_under_their_fixed_names():
    from dsar.celery import app

    app.loader.import_default_modules()
    for name in (
        "tasks.reminders.reminders_dispatch",
        "tasks.reminders.reminder_send",
        "tasks.letters.letter_render",
    ):
        assert name in app.tasks


def test_celery_only_accepts_json():
    from dsar.celery import app

    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"


def test_without_redis_the_broker_is_a_folder_under_var_that_the_health_check_accepts():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from cases.health import broker_check\n"
        "print(settings.CELERY_BROKER_URL)\n"
        "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])\n"
        "print(broker_check()['ok'])\n"
    )
    result = run_python(code, DJANGO_DEBUG="1", REDIS_URL=None, CELERY_BROKER_URL=None)
    assert result.returncode == 0, result.stderr
    broker_url, folder, healthy = result.stdout.split()
    assert broker_url == "filesystem://"
    assert Path(folder).is_dir()
    assert Path(folder).resolve().is_relative_to(BASE_DIR / "var")
    assert healthy == "True"


# --- /healthz --------------------------------------------------------------------------------


def use_broker(monkeypatch: pytest.MonkeyPatch, settings, url: str) -> None:
    """Point Django's settings and the already-configured Celery app at `url`.

    The Celery app copies the CELERY_ settings once, so changing Django's settings alone does not
    move the app; its `conf` takes the new URL for every later connection.
    """
    from dsar.celery import app

    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", url)
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    monkeypatch.setitem(app.conf, "broker_transport_options", {})


@pytest.mark.django_db
@pytest.mark.redis
def test_healthz_answers_200_when_the_database_and_redis_answer(client, settings, monkeypatch):
    use_broker(monkeypatch, settings, REDIS_URL)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["broker"]["detail"] == "redis"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_the_broker_is_down(
    client, settings, monkeypatch
):
    use_broker(monkeypatch, settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


# --- ensure_admin ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_ensure_admin_creates_one_superuser_and_shows_its_password_only_once(monkeypatch):
    from cases.models import User

    monkeypatch.setenv("DJANGO_ADMIN_EMAIL", "Boss@Example.org")
    first = io.StringIO()
    call_command("ensure_admin", stdout=first)
    match = re.search(r"password: (\S+)", first.getvalue())
    assert match, first.getvalue()
    password = match.group(1)
    assert len(password) >= 20
    assert "/admin/" in first.getvalue()
    admin = User.objects.get(is_superuser=True)
    assert admin.email == "boss@example.org"
    assert admin.is_staff
    assert admin.check_password(password)

    second = io.StringIO()
    call_command("ensure_admin", stdout=second)
    assert "admin exists" in second.getvalue()
    assert "password" not in second.getvalue()
    assert password not in second.getvalue()
    assert User.objects.filter(is_superuser=True).count() == 1


# --- the Procfile, end to end ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def process_groups_alive(groups: set[int]) -> set[int]:
    """Pids of live (not zombie) processes whose process group is one of `groups`."""
    alive = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgid = fields[0], int(fields[2])
        if pgid in groups and state != "Z":
            alive.add(int(entry.name))
    return alive


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_procfile_starts_web_worker_and_beat_which_all_stop_together():
    from django.db import connection

    db = connection.settings_dict
    database_url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=quote(db["USER"] or "", safe=""),
        password=":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=db["NAME"],
    )
    # A Redis database of its own, so that this worker cannot take tasks queued by anything else.
    redis_url = urlunparse(urlparse(REDIS_URL)._replace(path="/15"))
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
    }
    honcho = subprocess.Popen(
        [str(VENV_BIN / "honcho"), "start", "-f", "Procfile"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(honcho.stdout), daemon=True)
    reader.start()

    def output() -> str:
        return "".join(lines)

    def wait_until(condition, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if honcho.poll() is not None:
                pytest.fail(f"honcho exited ({honcho.returncode}) before {what}:\n{output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{output()}")
            time.sleep(0.5)

    base = f"http://127.0.0.1:{port}"
    groups: set[int] = set()
    try:

        def landing_ok() -> bool:
            try:
                return http_get(base + "/")[0] == 200
            except OSError:
                return False

        wait_until(landing_ok, "GET / to answer 200")
        status, body = http_get(base + "/healthz")
        assert status == 200, body
        checks = json.loads(body)["checks"]
        assert checks["database"] == {"ok": True, "detail": "postgresql"}
        assert checks["broker"] == {"ok": True, "detail": "redis"}
        wait_until(lambda: re.search(r"worker\.1 .*celery@\S+ ready", output()), "the worker")
        wait_until(lambda: re.search(r"beat\.1 .*beat: Starting", output()), "beat")
        groups = {int(pid) for pid in re.findall(r"\w+\.1 started \(pid=(\d+)\)", output())}
        assert len(groups) == 3, output()
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait(timeout=10)
        groups |= {int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", output())}
        deadline = time.monotonic() + 10
        while process_groups_alive(groups) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftovers = process_groups_alive(groups)
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        reader.join(timeout=5)
    assert not leftovers, f"processes still running after honcho stopped: {leftovers}"
    for name in ("web", "worker", "beat"):
        assert re.search(rf"{name}\.1 stopped", output()), output()
