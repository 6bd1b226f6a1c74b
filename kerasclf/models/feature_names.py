"""Feature-map specs, parsed without TensorFlow: the names behind `--features`.

    x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)    (by name, comma-separated)
    x1^i*x2^j                                      any monomial up to degree 10
    polyD   every x1^i x2^j with 1 <= i + j <= D   (e.g. poly3: 9 terms)

`kerasclf.models.features.FeatureMap` computes them.
"""

from __future__ import annotations

from kerasclf.validation import did_you_mean

FEATURE_NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
MAX_DEGREE = 10


def parse_features(spec: str) -> list[str]:
    """The feature names of a spec: a comma-separated list, or `polyD`.

    Example:
        >>> parse_features("poly2")
        ['x1', 'x2', 'x1^2', 'x1*x2', 'x2^2']
    """
    spec = spec.strip() if isinstance(spec, str) else spec
    if not isinstance(spec, str) or not spec:
        raise ValueError(
            "`features` must be feature names such as 'x1,x2,x1^2,x2^2' (in Python also a list, "
            "['x1', 'x2']) or 'polyD'. "
            f"Received: features={spec!r}."
        )
    if spec.startswith("poly"):
        degree = spec[4:]
        if not degree.isdigit() or not 1 <= int(degree) <= MAX_DEGREE:
            raise ValueError(
                f"`features` 'polyD' needs a degree D in 1..{MAX_DEGREE}. "
                f"Received: features={spec!r}."
            )
        return polynomial_names(int(degree))
    names = [name.strip() for name in spec.split(",")]
    for name in names:
        if name not in FEATURE_NAMES and not _is_monomial(name):
            raise ValueError(
                f"Unknown feature {name!r} in features={spec!r}."
                f"{did_you_mean(name, FEATURE_NAMES)} "
                f"Valid names: {', '.join(FEATURE_NAMES)}, or polyD."
            )
        powers = monomial_powers(name)
        if powers is not None and sum(powers) > MAX_DEGREE:
            raise ValueError(
                f"Feature {name!r} has degree {sum(powers)}; monomials go up to degree "
                f"{MAX_DEGREE}, as polyD does. Received: features={spec!r}."
            )
    if len(set(names)) != len(names):
        raise ValueError(f"`features` lists a feature twice. Received: features={spec!r}.")
    return names


def check_feature_names(spec: str) -> str:
    """Returns `spec` if `parse_features` accepts it."""
    parse_features(spec)
    return spec


def polynomial_names(degree: int) -> list[str]:
    """Names of the monomials x1^i x2^j with 1 <= i + j <= degree."""
    names = []
    for total in range(1, degree + 1):
        for power_x2 in range(total + 1):
            names.append(_monomial_name(total - power_x2, power_x2))
    return names


def _monomial_name(power_x1: int, power_x2: int) -> str:
    parts = [
        f"{variable}^{power}" if power > 1 else variable
        for variable, power in (("x1", power_x1), ("x2", power_x2))
        if power > 0
    ]
    return "*".join(parts)


def monomial_powers(name: str) -> tuple[int, int] | None:
    """The powers (p1, p2) of x1 and x2 in a monomial's name, or None if it is not one.

    Example:
        >>> monomial_powers("x1^2*x2"), monomial_powers("x1*x1"), monomial_powers("sin(x1)")
        ((2, 1), (2, 0), None)
    """
    powers = {"x1": 0, "x2": 0}
    for part in name.split("*"):
        variable, _, power = part.partition("^")
        if variable not in powers or (power and not power.isdigit()):
            return None
        powers[variable] += int(power or 1)
    return powers["x1"], powers["x2"]


def _is_monomial(name: str) -> bool:
    return monomial_powers(name) is not None
