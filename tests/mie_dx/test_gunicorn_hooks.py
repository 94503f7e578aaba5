"""gunicorn's hooks for /metrics across workers (mie_dx.gunicorn_hooks)."""

from types import SimpleNamespace

from mie_dx import gunicorn_hooks


def test_starting_empties_the_metrics_directory(tmp_path, monkeypatch):
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old worker's counts")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    gunicorn_hooks.on_starting(server=None)

    assert directory.is_dir()
    assert list(directory.iterdir()) == []


def test_an_exited_worker_is_marked_dead(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")

    gunicorn_hooks.child_exit(server=None, worker=SimpleNamespace(pid=4242))

    # Its live gauges go; its counters stay (they are totals since start).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_4242.db"]


def test_without_the_directory_setting_the_hooks_do_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    (tmp_path / "keep.db").write_bytes(b"")

    gunicorn_hooks.on_starting(server=None)
    gunicorn_hooks.child_exit(server=None, worker=SimpleNamespace(pid=1))

    assert (tmp_path / "keep.db").exists()
