"""Forward-stepwise Cox regression with SPSS COXREG ``/METHOD=FSTEP(LR)`` semantics, in numpy.

Why: the paper's multivariable models came from "forward-stepwise Cox regression" in SPSS 16. No
Python library implements SPSS's procedure, and the cohort reconstruction has to rerun it inside
optimisation loops, so it is written here on a small, fast Cox partial-likelihood engine.

The procedure, as the COXREG ``METHOD`` subcommand documentation describes it (IBM SPSS
Statistics Command Syntax Reference, COXREG > METHOD; CRITERIA defaults PIN(.05) POUT(.10)):

1. Start from the empty model.
2. Entry: for every candidate not in the model compute the *score* statistic for adding it,
   evaluated at the current model's estimates with the new coefficient(s) at 0. The candidate with
   the smallest p-value enters if that p < PIN.
3. Removal: after each entry, every variable in the model is tested with the likelihood-ratio
   statistic 2(logL(model) - logL(model without it)) (FSTEP(LR); FSTEP(COND) and FSTEP(WALD) are
   the other options, and COND is SPSS's default when FSTEP is written alone). The variable with
   the largest p-value is removed if that p > POUT, the model is refitted and removal is checked
   again; then go back to entry.
4. Stop when nothing enters or leaves, or when a step would return to a model already visited
   (SPSS: "the current model is the same as a previous one"); such a step is not taken.

A categorical candidate is a block of indicator columns entered and removed together (score and
LR tests with df = number of indicators), as SPSS does for variables named on CATEGORICAL. The
default reference level is the last one in sorted order, SPSS's default ``INDICATOR`` contrast;
the reference changes the hazard ratios shown but no test statistic, so never the selection.

Ties: ``ties="breslow"`` (default) is the approximation SPSS COXREG uses; ``"efron"`` is offered
for comparison with lifelines. On tie-free data they coincide.

Limitations: the paper does not say whether FSTEP(LR), (COND) or (WALD) was used; LR is assumed.
Convergence uses Newton-Raphson with step halving (at most 50 iterations); under monotone
likelihood (a covariate that perfectly separates events) coefficients run off towards infinity
as in SPSS, the fit is flagged ``converged=False`` in the final table, and its Wald numbers mean
little.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import chdtrc

from lungmets.stats.survival_stats import WALD_Z

__all__ = [
    "StepwiseResult",
    "cox_derivatives",
    "cox_newton",
    "forward_stepwise_cox",
    "score_test",
]

Ties = Literal["breslow", "efron"]


def _row(index: pd.Index, mask: NDArray[np.bool_]) -> object:
    """First flagged row label, as a plain Python value so messages read 'row 3', not np.int64."""
    label = index[mask][0]
    return label.item() if isinstance(label, np.generic) else label


class _RiskSets:
    """Sorting, risk-set and tie bookkeeping for one (time, event) data set, done once."""

    def __init__(self, time: NDArray[np.float64], event: NDArray[np.float64], ties: Ties) -> None:
        if ties not in ("breslow", "efron"):
            raise ValueError(f"ties must be 'breslow' or 'efron', got {ties!r}")
        self.order = np.argsort(time, kind="mergesort")
        t = time[self.order]
        e = event[self.order] > 0
        self.n = t.size
        self.event_rows = np.flatnonzero(e)
        ev_times, d = np.unique(t[e], return_counts=True)
        self.start = np.searchsorted(t, ev_times, side="left")
        j_of_death = np.searchsorted(ev_times, t[e])
        self.death_onehot = np.zeros((ev_times.size, self.event_rows.size))
        self.death_onehot[j_of_death, np.arange(self.event_rows.size)] = 1.0
        self.slot = np.repeat(np.arange(ev_times.size), d)
        if ties == "efron":
            self.frac = np.concatenate([np.arange(k) / k for k in d]) if d.size else np.zeros(0)
        else:
            self.frac = np.zeros(self.slot.size)


def _derivs(
    rs: _RiskSets, xs: NDArray[np.float64], beta: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Log partial likelihood, score vector and observed information for rows sorted by time."""
    eta = xs @ beta if xs.shape[1] else np.zeros(rs.n)
    eta = eta - eta.max()  # the log-likelihood is invariant to this shift; exp stays finite
    w = np.exp(eta)
    wx = w[:, None] * xs
    wxx = wx[:, :, None] * xs[:, None, :]
    r0 = np.cumsum(w[::-1])[::-1][rs.start]
    r1 = np.cumsum(wx[::-1], axis=0)[::-1][rs.start]
    r2 = np.cumsum(wxx[::-1], axis=0)[::-1][rs.start]
    ev = rs.event_rows
    m = rs.death_onehot
    d0 = m @ w[ev]
    d1 = m @ wx[ev]
    d2 = np.einsum("jn,nab->jab", m, wxx[ev])
    s, f = rs.slot, rs.frac
    phi = r0[s] - f * d0[s]
    psi = (r1[s] - f[:, None] * d1[s]) / phi[:, None]
    omega = (r2[s] - f[:, None, None] * d2[s]) / phi[:, None, None]
    loglik = float(eta[ev].sum() - np.log(phi).sum())
    grad = xs[ev].sum(axis=0) - psi.sum(axis=0)
    info = omega.sum(axis=0) - psi.T @ psi
    return loglik, grad, info


def _solve(info: NDArray[np.float64], g: NDArray[np.float64]) -> NDArray[np.float64]:
    try:
        return np.linalg.solve(info, g)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(info, g, rcond=None)[0]


def _newton(
    rs: _RiskSets, xs: NDArray[np.float64], beta0: NDArray[np.float64] | None = None
) -> tuple[NDArray[np.float64], float, NDArray[np.float64], bool]:
    p = xs.shape[1]
    beta = np.zeros(p) if beta0 is None else np.asarray(beta0, dtype=float).copy()
    ll, g, info = _derivs(rs, xs, beta)
    if p == 0:
        return beta, ll, info, True
    for _ in range(50):
        step = _solve(info, g)
        for _half in range(30):
            new = beta + step
            ll_new, g_new, info_new = _derivs(rs, xs, new)
            if ll_new >= ll - 1e-12:
                break
            step = step / 2
        done = abs(ll_new - ll) < 1e-11 and np.max(np.abs(step)) < 1e-8
        beta, ll, g, info = new, ll_new, g_new, info_new
        if done:
            return beta, ll, info, True
    return beta, ll, info, False


def _prepare(time: ArrayLike, event: ArrayLike, x: ArrayLike, ties: Ties):
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event, dtype=float).ravel()
    xm = np.asarray(x, dtype=float).reshape(t.size, -1)
    rs = _RiskSets(t, e, ties)
    return rs, xm[rs.order]


def cox_derivatives(
    time: ArrayLike, event: ArrayLike, x: ArrayLike, beta: ArrayLike, ties: Ties = "breslow"
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Cox log partial likelihood, its gradient and the observed information at ``beta``."""
    rs, xs = _prepare(time, event, x, ties)
    return _derivs(rs, xs, np.asarray(beta, dtype=float).ravel())


def cox_newton(
    time: ArrayLike, event: ArrayLike, x: ArrayLike, ties: Ties = "breslow"
) -> tuple[NDArray[np.float64], float, NDArray[np.float64], bool]:
    """Maximum partial-likelihood fit: (beta, loglik, information at beta, converged)."""
    rs, xs = _prepare(time, event, x, ties)
    return _newton(rs, xs)


def score_test(
    time: ArrayLike,
    event: ArrayLike,
    x_current: ArrayLike,
    x_new: ArrayLike,
    ties: Ties = "breslow",
) -> tuple[float, int, float]:
    """Score test for adding ``x_new`` to the model on ``x_current``: (statistic, df, p).

    U' I^-1 U with U and I evaluated at (beta_current fitted, beta_new = 0). The current model's
    part of U is zero at its maximum, so this equals SPSS's score statistic for entry.
    """
    t = np.asarray(time, dtype=float).ravel()
    xc = np.asarray(x_current, dtype=float).reshape(t.size, -1)
    xn = np.asarray(x_new, dtype=float).reshape(t.size, -1)
    rs, xs = _prepare(t, event, np.hstack([xc, xn]), ties)
    beta_c, _, _, _ = _newton(rs, xs[:, : xc.shape[1]])
    return _score(rs, xs, np.concatenate([beta_c, np.zeros(xn.shape[1])]), xn.shape[1])


def _score(
    rs: _RiskSets, xs: NDArray[np.float64], beta: NDArray[np.float64], df: int
) -> tuple[float, int, float]:
    _, g, info = _derivs(rs, xs, beta)
    stat = float(g @ _solve(info, g))
    return stat, df, float(chdtrc(df, stat))


@dataclass(frozen=True)
class StepwiseResult:
    """What SPSS prints for a forward-stepwise COXREG, as data frames.

    * ``steps``: one row per action: step, action ("enter"/"remove"), variable, statistic (score
      for entry, LR for removal), df, p.
    * ``selected``: candidates in the final model, in order of entry.
    * ``final``: one row per model column (a categorical block has one per indicator, named
      ``var[level]``): variable, coef, se, hr, ci_lower, ci_upper (Wald 95%), wald, p, converged.
    * ``block_tests``: per selected variable: Wald and LR (removal) statistic, df and p.
    * ``not_in_model``: score statistic, df, p for adding each remaining candidate to the final
      model (SPSS's "Variables not in the Equation").
    * ``loglik`` / ``loglik_null``: log partial likelihood of the final and empty models.
    * ``stop_reason``: why the procedure stopped.
    """

    steps: pd.DataFrame
    selected: tuple[str, ...]
    final: pd.DataFrame
    block_tests: pd.DataFrame
    not_in_model: pd.DataFrame
    loglik: float
    loglik_null: float
    ties: str
    stop_reason: str


def _design(
    df: pd.DataFrame,
    candidates: Sequence[str],
    categorical: Sequence[str],
    reference: Mapping[str, object],
) -> tuple[NDArray[np.float64], dict[str, list[int]], list[str]]:
    """Numeric design matrix, candidate -> column indices, column names."""
    cols: list[NDArray[np.float64]] = []
    names: list[str] = []
    blocks: dict[str, list[int]] = {}
    for var in candidates:
        s = df[var]
        is_cat = var in categorical or not pd.api.types.is_numeric_dtype(s)
        if is_cat:
            levels = sorted(pd.unique(s), key=str)
            ref = reference.get(var, levels[-1])
            if ref not in levels:
                raise ValueError(f"reference level {ref!r} of {var!r} not among {levels!r}")
            if len(levels) < 2:
                raise ValueError(f"categorical candidate {var!r} has a single level")
            idx = []
            for lev in levels:
                if lev == ref:
                    continue
                idx.append(len(names))
                cols.append((s == lev).to_numpy(float))
                names.append(f"{var}[{lev}]")
            blocks[var] = idx
        else:
            blocks[var] = [len(names)]
            cols.append(s.to_numpy(float))
            names.append(var)
    x = np.column_stack(cols) if cols else np.zeros((len(df), 0))
    return x, blocks, names


def forward_stepwise_cox(
    df: pd.DataFrame,
    duration_col: str,
    event_col: str,
    candidates: Sequence[str],
    entry_p: float = 0.05,
    removal_p: float = 0.10,
    ties: Ties = "breslow",
    categorical: Sequence[str] = (),
    reference: Mapping[str, object] | None = None,
) -> StepwiseResult:
    """SPSS COXREG ``/METHOD=FSTEP(LR)`` with ``/CRITERIA=PIN(entry_p) POUT(removal_p)``.

    Non-numeric candidates, and those named in ``categorical``, are entered as indicator blocks
    (``reference`` maps a variable to its reference level; default: last level in sorted order).
    Ties between candidates with equal p-values go to the one listed first.
    """
    cand = list(candidates)
    for c in [duration_col, event_col, *cand]:
        if c not in df.columns:
            raise KeyError(f"forward_stepwise_cox: column {c!r} not in data frame")
        miss = df[c].isna().to_numpy()
        if miss.any():
            raise ValueError(
                f"forward_stepwise_cox: missing value in column {c!r}, row {_row(df.index, miss)!r}"
            )
    if len(set(cand)) != len(cand):
        raise ValueError("forward_stepwise_cox: candidates listed twice")
    t = df[duration_col].to_numpy(float)
    e = df[event_col].to_numpy(float)
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        raise ValueError(f"forward_stepwise_cox: bad duration in column {duration_col!r}, "
                         f"row {_row(df.index, bad)!r}")
    bad = ~np.isin(e, (0.0, 1.0))
    if bad.any():
        raise ValueError(f"forward_stepwise_cox: event not 0/1 in column {event_col!r}, "
                         f"row {_row(df.index, bad)!r}")

    x, blocks, names = _design(df, cand, categorical, reference or {})
    rs = _RiskSets(t, e, ties)
    xs = x[rs.order]

    def columns(model: Sequence[str]) -> list[int]:
        return [i for v in model for i in blocks[v]]

    def fit(model: Sequence[str], warm: dict[int, float] | None = None):
        cols = columns(model)
        beta0 = np.array([warm.get(i, 0.0) for i in cols]) if warm else None
        beta, ll, info, ok = _newton(rs, xs[:, cols], beta0)
        return dict(zip(cols, beta, strict=True)), ll, info, ok

    def scores(model: Sequence[str], coef: dict[int, float]) -> list[tuple[str, float, int, float]]:
        base = columns(model)
        out = []
        for v in cand:
            if v in model:
                continue
            cols = base + blocks[v]
            beta = np.array([coef[i] for i in base] + [0.0] * len(blocks[v]))
            out.append((v, *_score(rs, xs[:, cols], beta, len(blocks[v]))))
        return out

    model: list[str] = []
    coef, ll, _, _ = fit(model)
    ll_null = ll
    visited = {frozenset()}
    steps: list[dict[str, object]] = []
    stop = "no candidate meets the entry criterion"
    step_no = 0
    while step_no < 4 * len(cand) + 4:
        sc = scores(model, coef)
        if not sc:
            stop = "all candidates are in the model"
            break
        best = min(sc, key=lambda r: r[3])
        if not best[3] < entry_p:
            stop = "no candidate meets the entry criterion"
            break
        if frozenset([*model, best[0]]) in visited:
            stop = "entry would return to a model already fitted"
            break
        model.append(best[0])
        visited.add(frozenset(model))
        step_no += 1
        steps.append(dict(step=step_no, action="enter", variable=best[0], statistic=best[1],
                          df=best[2], p=best[3]))
        coef, ll, _, _ = fit(model, coef)
        cycled = False
        while model:
            lr = []
            for v in model:
                rest = [w for w in model if w != v]
                _, ll_rest, _, _ = fit(rest, coef)
                stat = max(2.0 * (ll - ll_rest), 0.0)
                lr.append((v, stat, len(blocks[v]), float(chdtrc(len(blocks[v]), stat))))
            worst = max(lr, key=lambda r: r[3])
            if not worst[3] > removal_p:
                break
            rest = [w for w in model if w != worst[0]]
            if frozenset(rest) in visited:
                stop = "removal would return to a model already fitted"
                cycled = True
                break
            model = rest
            visited.add(frozenset(model))
            step_no += 1
            steps.append(dict(step=step_no, action="remove", variable=worst[0],
                              statistic=worst[1], df=worst[2], p=worst[3]))
            coef, ll, _, _ = fit(model, coef)
        if cycled:
            break
    else:
        stop = "step limit reached"

    coef, ll, info, ok = fit(model, coef)
    cols = columns(model)
    beta = np.array([coef[i] for i in cols])
    try:
        cov = np.linalg.inv(info) if cols else np.zeros((0, 0))
    except np.linalg.LinAlgError:  # singular information: no Wald inference for this model
        cov = np.full_like(info, np.nan)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    ok = ok and bool(np.isfinite(se).all())
    owner = {i: v for v in model for i in blocks[v]}
    with np.errstate(divide="ignore", invalid="ignore"):
        wald_terms = (beta / se) ** 2
    final = pd.DataFrame(
        {
            "variable": [owner[i] for i in cols],
            "coef": beta,
            "se": se,
            "hr": np.exp(beta),
            "ci_lower": np.exp(beta - WALD_Z * se),
            "ci_upper": np.exp(beta + WALD_Z * se),
            "wald": wald_terms,
            "p": chdtrc(1, wald_terms),
            "converged": ok,
        },
        index=pd.Index([names[i] for i in cols], name="term"),
    )
    block_rows = []
    for v in model:
        pos = [cols.index(i) for i in blocks[v]]
        b, c = beta[pos], cov[np.ix_(pos, pos)]
        wald = float(b @ _solve(c, b))
        _, ll_rest, _, _ = fit([w for w in model if w != v], coef)
        lr = max(2.0 * (ll - ll_rest), 0.0)
        k = len(pos)
        block_rows.append(dict(variable=v, df=k, wald=wald, p_wald=float(chdtrc(k, wald)),
                               lr=lr, p_lr=float(chdtrc(k, lr))))
    block_tests = pd.DataFrame(block_rows, columns=["variable", "df", "wald", "p_wald", "lr",
                                                    "p_lr"])
    not_in = pd.DataFrame(scores(model, coef), columns=["variable", "statistic", "df", "p"])
    steps_df = pd.DataFrame(steps, columns=["step", "action", "variable", "statistic", "df", "p"])
    return StepwiseResult(
        steps=steps_df,
        selected=tuple(model),
        final=final,
        block_tests=block_tests,
        not_in_model=not_in,
        loglik=float(ll),
        loglik_null=float(ll_null),
        ties=ties,
        stop_reason=stop,
    )
