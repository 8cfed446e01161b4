"""``python -m crucial.worker FD``: the worker process main, serving tasks on the inherited pipe FD."""
import sys

from .main import serve

if __name__ == "__main__":
    serve(int(sys.argv[1]))
