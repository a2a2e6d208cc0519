"""A safe evaluator for the ``compute:`` line of numeric questions."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from statistics import NormalDist

_NORMAL = NormalDist()
FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "exp": math.exp, "ln": math.log, "log10": math.log10,
    "min": min, "max": max, "abs": abs, "round": round,
    "norm_cdf": _NORMAL.cdf, "norm_ppf": _NORMAL.inv_cdf,
}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}


def evaluate(expression: str) -> float:
    """Evaluate arithmetic with a few named functions; anything else raises ValueError."""
    try:
        tree = ast.parse(expression.replace("×", "*").replace("−", "-"), mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expression}") from None
    return float(_eval(tree.body))


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords:
        return FUNCTIONS[node.func.id](*(_eval(arg) for arg in node.args))
    raise ValueError(f"not allowed in compute: {ast.unparse(node)}")
