"""``python -m academy.content [courses] [quiz]``: the content check without an app."""

import sys
from pathlib import Path

from academy.content.library import load_library

ROOT = Path(__file__).resolve().parent.parent.parent


def main() -> int:
    courses = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "courses"
    quiz = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "quiz"
    library = load_library(courses.resolve(), quiz.resolve())
    for problem in library.problems:
        print(problem)  # noqa: T201 - a command-line report
    print(f"{len(library.courses)} courses, {len(library.banks)} banks, {len(library.exams)} exams, {len(library.problems)} problems")  # noqa: T201
    return 1 if library.problems else 0


sys.exit(main())
