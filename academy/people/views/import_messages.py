"""The question importers' messages in the reader's language.

The readers in ``academy/content`` are plain Python without Flask, and the command line
shows their English text; the browser import page shows them through this table. A message
that is not in it (a parser's own wording, say) is shown as it came.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

Translate = Callable[[dict[str, str]], str]

_PATTERNS: list[tuple[re.Pattern[str], Translate]] = [(re.compile(p), t) for p, t in [
    (r"^HTML '(?P<found>.*)' is removed when the question is shown$",
     lambda m: _("HTML %(found)s is removed when the question is shown", found=m["found"])),
    (r"^image '(?P<name>.*)' is not in the file: put it beside the bank or remove it$",
     lambda m: _("the image %(name)s is not in the file: put it beside the bank or remove it", name=m["name"])),
    (r"^image '(?P<name>.*)' is not valid base64: left out$",
     lambda m: _("the image %(name)s is not valid base64 and is left out", name=m["name"])),
    (r"^an empty option is left out, as Moodle does$",
     lambda m: _("an empty option is left out, as Moodle does")),
    (r"^'\*' in the answer '(?P<answer>.*)' is a wildcard in Moodle; here it is a plain star$",
     lambda m: _("“*” in the answer %(answer)s is a wildcard in Moodle; here it is a plain star", answer=m["answer"])),
    (r"^no explanation: left as 待补充 for the author$",
     lambda m: _("no explanation: left as 待补充 for the author")),
    (r"^penalties for a second try are not carried: answers here are graded once$",
     lambda m: _("penalties for a second try are not carried: answers here are graded once")),
    (r"^case-sensitive answers are compared ignoring case here$",
     lambda m: _("case-sensitive answers are compared ignoring case here")),
    (r"^units are not carried: learners answer with the number only$",
     lambda m: _("units are not carried: learners answer with the number only")),
    (r"^ordering graded '(?P<grading>.*)' in Moodle is graded all-or-nothing here$",
     lambda m: _("ordering graded as %(grading)s in Moodle is graded all-or-nothing here", grading=m["grading"])),
    (r"^bank id '(?P<given>.*)' written as '(?P<safe>.*)'$",
     lambda m: _("the bank id %(given)s is written as %(safe)s", given=m["given"], safe=m["safe"])),
    (r"^expected option '(?P<expected>.*)\.' here, found '(?P<found>.*)'$",
     lambda m: _("option %(expected)s was expected here, %(found)s was found", expected=m["expected"], found=m["found"])),
    (r"^the file ends before this question's 'ANSWER: X' line$",
     lambda m: _("the file ends before this question's “ANSWER: X” line")),
    (r"^expected the question text before 'ANSWER:'$",
     lambda m: _("the question text is missing before “ANSWER:”")),
    (r"^expected at least two options 'A\. text', 'B\. text' before 'ANSWER:'$",
     lambda m: _("at least two options (“A. text”, “B. text”) are needed before “ANSWER:”")),
    (r"^answer '(?P<key>.*)' is not among the options (?P<first>\w)–(?P<last>\w)$",
     lambda m: _("the answer %(key)s is not among the options %(first)s–%(last)s", key=m["key"], first=m["first"],
                 last=m["last"])),
    (r"^two options have the same text$", lambda m: _("two options have the same text")),
    (r"^the sheet is empty$", lambda m: _("the sheet is empty")),
    (r"^missing column\(s\): (?P<columns>.*)$", lambda m: _("missing columns: %(columns)s", columns=m["columns"])),
    (r"^not UTF-8 text \(save the file as UTF-8 and try again\)$",
     lambda m: _("not UTF-8 text: save the file as UTF-8 and try again")),
    (r"^the file declares a DOCTYPE or entities, which Moodle never writes: refused$",
     lambda m: _("the file declares a DOCTYPE or entities, which Moodle never writes: refused")),
    (r"^a Moodle XML file has <quiz> as its root element$",
     lambda m: _("a Moodle XML file has <quiz> as its root element")),
]]


def translated(reason: str) -> str:
    """``reason`` in the current language when it is one of the known messages, else as it is."""
    for pattern, translate in _PATTERNS:
        match = pattern.match(reason)
        if match:
            return translate(match.groupdict())
    return reason
