"""The CLI hides TensorFlow's C++ start-up log unless the user set TF_CPP_MIN_LOG_LEVEL."""

import os
import subprocess
import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[3])


def test_no_tensorflow_start_up_lines_on_stderr():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(PYTHONPATH=REPO, CUDA_VISIBLE_DEVICES="")
    run = subprocess.run(
        [sys.executable, "-m", "applications.cli", "list", "cnn6"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and "cnn6" in run.stdout
    for noise in ("absl::InitializeLog", "oneDNN", "cuda", "I0000"):
        assert noise not in run.stderr, run.stderr[-2000:]


def test_help_imports_no_tensorflow():
    code = (
        "import sys\n"
        "from applications.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('tensorflow' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=REPO),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("False"), run.stdout + run.stderr


def test_ctrl_c_during_tensorflow_import_is_one_line():
    code = (
        "import sys\n"
        "import applications.cli as cli\n"
        "def interrupted():\n"
        "    raise KeyboardInterrupt\n"
        "cli.quiet_tensorflow_start = interrupted\n"
        "sys.exit(cli.main(['list', 'cnn6']))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(PYTHONPATH=REPO)
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 130 and "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.stderr.strip() == "audiozoo list: interrupted"
