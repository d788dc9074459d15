"""``python -m vizlearn``: the same as the ``vizlearn`` command."""

from vizlearn.cli import cli

if __name__ == "__main__":
    cli(prog_name="vizlearn")
