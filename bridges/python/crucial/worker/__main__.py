"""``python -m crucial.worker FD``: the worker process main, serving tasks on the inherited pipe FD."""
import sys

from .main import serve

USAGE = """usage: python -m crucial.worker FD

A crucial worker process: serves the tasks of the parent that started it on the inherited socket FD
(the executor's pool starts these itself; there is nothing to run by hand)."""

if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 1 and args[0] in ("-h", "--help"):
        print(USAGE)
        sys.exit(0)
    if len(args) != 1 or not args[0].isdigit():
        # argparse's habit: the usage and exit status 2, not a traceback, for a call by hand.
        print(f"{USAGE}\n\npython -m crucial.worker: expected one file descriptor number, got {' '.join(args) or 'nothing'}", file=sys.stderr)
        sys.exit(2)
    serve(int(args[0]))
