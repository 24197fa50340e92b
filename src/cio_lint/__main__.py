"""``python -m cio_lint``: the ``cio-lint`` command."""

from cio_lint.cli import run

if __name__ == "__main__":
    run()
