"""A clean run prints nothing on stderr: workers still starting when the program ends leave quietly."""
from .programs import run_program

PROGRAM = """
    from crucial.lithops import FunctionExecutor

    print(FunctionExecutor(workers=1).map(lambda x: x + 1, [1]).get_result())
    # The pool grows to 8 processes and the program ends at once: 7 workers are still starting.
    FunctionExecutor(workers=8)
"""


def test_a_successful_map_with_workers_still_starting_prints_nothing_on_stderr():
    out = run_program(PROGRAM)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[2]"
    assert out.stderr == ""
