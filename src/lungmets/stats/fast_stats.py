"""The calibration's fast statistics: Kaplan-Meier, log-rank and Cox on the tick grid, computed
the same to the last bit on every x86-64 CPU.

Why this module exists: the annealing in :mod:`lungmets.synthetic.calibrate` evaluates these
statistics hundreds of thousands of times and decides every move by comparing losses made of them.
Many moves leave a statistic mathematically unchanged, so exact ties are common, and a tie broken
differently by one last bit sends the chain elsewhere: the committed cohort then regenerates on
one machine and not on another.

Measured (probe of 2,000 states, every statistic's bits hashed, 2026-12): with numpy's AVX-512
kernels switched off (``NPY_DISABLE_CPU_FEATURES``) the Cox statistics changed (``np.exp`` on
vectors dispatches to AVX-512 code); with OpenBLAS forced to another kernel
(``OPENBLAS_CORETYPE``) the Cox statistics and the three-level log-rank changed (``@``,
``np.linalg.solve``, ``inv``, ``einsum``). Kaplan-Meier and two-group log-rank, made of
``bincount``, ``cumsum``, ``cumprod`` and elementwise arithmetic, never changed.

So the decision path uses only operations whose result the IEEE 754 standard fixes, in an order
that does not depend on the machine:

* elementwise ``+ - * /`` and ``sqrt`` (correctly rounded in any SIMD width), sequential
  ``cumsum``/``cumprod``/``bincount``, and sums over short axes;
* risk-set sums as reverse cumulative sums over patients sorted by time, instead of a matrix
  product (BLAS picks its kernel, and with it the order of additions, per CPU);
* linear systems of at most four unknowns solved by a Cholesky factorisation written out here,
  instead of LAPACK;
* ``exp`` and ``log`` only through Python's :mod:`math` on scalars (one code path of the C
  library, never numpy's SIMD kernels).

Pinning numpy's dispatch with environment variables instead was rejected: it must be set before
numpy is imported, so it cannot protect a calibration run inside a test or a notebook, and it
ties the result to an instruction set some machines lack. The remaining platform dependency is
the C library's ``exp``/``log`` (used by :mod:`math` and scipy's ``chdtrc``/``ndtr``): identical
on every x86-64 Linux with glibc, which the forced-dispatch test checks at every SIMD level
numpy offers; other platforms (aarch64, macOS) are not promised the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc

__all__ = [
    "CoxData",
    "counts",
    "cox_newton",
    "km_rows",
    "logrank_k",
    "logrank_pairs",
    "score_block_p",
    "score_p",
    "spd_inverse",
    "spd_solve",
]

_SINGULAR = 1e-10
"""A Cholesky pivot below this share of its diagonal entry means the matrix is singular."""


def spd_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Solve ``a x = b`` for a small symmetric positive-definite ``a`` (Cholesky, written out
    so the order of operations is fixed); None when ``a`` is singular or not positive."""
    n = a.shape[0]
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            acc = float(a[i, j])
            for k in range(j):
                acc -= low[i][k] * low[j][k]
            if i == j:
                if not acc > _SINGULAR * abs(float(a[i, i])):
                    return None
                low[i][i] = math.sqrt(acc)
            else:
                low[i][j] = acc / low[j][j]
    rhs = np.asarray(b, dtype=float)
    cols = rhs.reshape(n, -1)
    out = np.empty_like(cols)
    for c in range(cols.shape[1]):
        y = [0.0] * n
        for i in range(n):
            acc = float(cols[i, c])
            for k in range(i):
                acc -= low[i][k] * y[k]
            y[i] = acc / low[i][i]
        for i in reversed(range(n)):
            acc = y[i]
            for k in range(i + 1, n):
                acc -= low[k][i] * out[k, c]
            out[i, c] = acc / low[i][i]
    return out.reshape(rhs.shape)


def spd_inverse(a: np.ndarray) -> np.ndarray | None:
    """Inverse of a small symmetric positive-definite matrix (None when singular)."""
    return spd_solve(a, np.eye(a.shape[0]))


def _quadratic_form(v: np.ndarray, a: np.ndarray) -> float | None:
    """``v' a^-1 v`` (None when ``a`` is singular)."""
    x = spd_solve(a, v)
    return None if x is None else float((v * x).sum())


def counts(t: np.ndarray, e: np.ndarray, masks: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-group at-risk and event counts at the distinct times of ``t``: (n, d, times).

    The time axis is compressed to the distinct observed ticks (at most one per patient), which
    keeps every array tiny; all groups of one call share it, so their counts can be pooled.
    """
    times, inv = np.unique(t, return_inverse=True)
    k, m = masks.shape[0], times.size
    idx = (np.arange(k)[:, None] * m + inv[None, :]).ravel()
    c = np.bincount(idx, weights=masks.ravel(), minlength=k * m).reshape(k, m)
    d = np.bincount(idx, weights=(masks * e[None, :]).ravel(), minlength=k * m).reshape(k, m)
    n = np.cumsum(c[:, ::-1], axis=1)[:, ::-1]
    return n, d, times


def km_rows(n: np.ndarray, d: np.ndarray, months: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan-Meier median, SPSS SE and the curve for each row (SPSS/Collett definitions,
    identical to :func:`lungmets.stats.survival_stats.km_median_spss`); ``months`` are the times."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n > 0, d / np.maximum(n, 1), 0.0)
        s = np.cumprod(1.0 - q, axis=1)
        gw = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0), axis=1)
    ev = d > 0
    k, m = n.shape
    rows = np.arange(k)
    below = ev & (s <= 0.5 + 1e-10)
    has = below.any(axis=1)
    i_med = np.argmax(below, axis=1)
    upper = ev & (s >= 0.55 - 1e-10)
    has_u = upper.any(axis=1)
    i_u = m - 1 - np.argmax(upper[:, ::-1], axis=1)
    t_u = np.where(has_u, months[i_u], 0.0)
    s_u = np.where(has_u, s[rows, i_u], 1.0)
    low = ev & (s <= 0.45 + 1e-10)
    has_l = low.any(axis=1)
    i_l = np.argmax(low, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = (s_u - s[rows, i_l]) / (months[i_l] - t_u)
        se_s = s[rows, i_med] * np.sqrt(gw[rows, i_med])
        se_s = np.where(s[rows, i_med] == 0, 0.0, se_s)
        se = np.where(has & has_l, se_s / dens, np.nan)
    med = np.where(has, months[i_med], np.nan)
    return {"median": med, "se": se, "surv": s}


def logrank_pairs(na: np.ndarray, da: np.ndarray, n: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Two-group log-rank p for each row: group A counts against the pooled counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(n > 0, na / np.maximum(n, 1), 0.0)
        e = d * frac
        v = np.where(n > 1, d * frac * (1 - frac) * (n - d) / np.maximum(n - 1, 1), 0.0)
        stat = (da.sum(axis=1) - e.sum(axis=1)) ** 2 / v.sum(axis=1)
    return chdtrc(1, stat)


def logrank_k(nk: np.ndarray, dk: np.ndarray) -> float:
    """k-group log-rank p (rows = groups, columns = distinct times).

    A level that carries no variance (nobody at risk in it at any event time, or only ever
    alone at risk) adds nothing to the test and would make the covariance singular, exactly or
    only up to rounding when it is the level left out; it is dropped first, so the test is that
    of the remaining levels on one degree of freedom fewer (p = 1 when fewer than two remain).
    """
    n, d = nk.sum(axis=0), dk.sum(axis=0)
    keep = d > 0
    nk, dk, n, d = nk[:, keep], dk[:, keep], n[keep], d[keep]
    w = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1), 0.0) / n
    diag = (nk * w).sum(axis=1)
    var_diag = diag - (nk * nk * (w / n)).sum(axis=1)
    live = var_diag > _SINGULAR * np.maximum(diag, 1.0)
    if live.sum() < 2:
        return 1.0
    nk, dk = nk[live], dk[live]
    oe = dk.sum(axis=1) - (nk * (d / n)).sum(axis=1)
    cross = ((nk[:, None, :] * nk[None, :, :]) * (w / n)).sum(axis=2)
    var = np.diag((nk * w).sum(axis=1)) - cross
    stat = _quadratic_form(oe[:-1], var[:-1, :-1])
    return 1.0 if stat is None else float(chdtrc(oe.size - 1, stat))


@dataclass
class CoxData:
    """One endpoint sorted for risk-set sums at its distinct event times (Breslow ties, as
    SPSS): patient order by time, and where each event time's risk set starts in it."""

    order: np.ndarray  # (n,) patients by increasing time
    first: np.ndarray  # (J,) position in ``order`` of the first patient at risk at event j
    d: np.ndarray  # (J,) deaths at event j
    e: np.ndarray  # (n,) event flags

    @classmethod
    def build(cls, t: np.ndarray, e: np.ndarray) -> CoxData:
        order = np.argsort(t, kind="stable")
        taus, d = np.unique(t[e > 0], return_counts=True)
        first = np.searchsorted(t[order], taus, side="left")
        return cls(order, first, d.astype(float), e)

    def risk_sums(self, v: np.ndarray) -> np.ndarray:
        """Sum of ``v`` (rows = patients) over the risk set of each event time: a reverse
        cumulative sum over the time order, whose additions come in a fixed sequence."""
        tail = np.cumsum(v[self.order[::-1]], axis=0)[::-1]
        return tail[self.first]


def _weights(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """exp(x beta) for 0/1 covariates: a product of exp(beta_k) from :mod:`math`."""
    factors = np.array([math.exp(min(max(float(b), -30.0), 30.0)) for b in beta])
    return np.where(x == 1, factors[None, :], 1.0).prod(axis=1)


def _info_terms(cd: CoxData, x: np.ndarray, w: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score vector, information matrix and risk-set means of ``x`` at weights ``w``."""
    p = x.shape[1]
    xx = (x[:, :, None] * x[:, None, :]).reshape(x.shape[0], p * p)
    s0 = cd.risk_sums(w)
    mean = cd.risk_sums(w[:, None] * x) / s0[:, None]
    s2 = (cd.risk_sums(w[:, None] * xx) / s0[:, None]).reshape(-1, p, p)
    u = (x * cd.e[:, None]).sum(axis=0) - (cd.d[:, None] * mean).sum(axis=0)
    info = (cd.d[:, None, None] * (s2 - mean[:, :, None] * mean[:, None, :])).sum(axis=0)
    return u, info, mean


def cox_newton(cd: CoxData, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton fit of a Cox model with 0/1 covariates ``x``; returns beta, the information
    matrix and the risk weights exp(x beta). A singular information stops the iteration."""
    beta = np.zeros(x.shape[1])
    info = np.eye(x.shape[1])
    for _ in range(30):
        u, info, _ = _info_terms(cd, x, _weights(x, beta))
        step = spd_solve(info, u)
        if step is None:
            break
        step = np.clip(step, -2, 2)
        beta = beta + step
        if np.abs(step).max() < 1e-8:
            break
    return beta, info, _weights(x, beta)


def score_p(cd: CoxData, x: np.ndarray, w: np.ndarray, info_x: np.ndarray,
            z: np.ndarray) -> np.ndarray:
    """Score-test p for adding each single 0/1 column of ``z`` to the fitted model (x, w)."""
    s0 = cd.risk_sums(w)
    m_x = cd.risk_sums(w[:, None] * x) / s0[:, None]  # (J, p)
    m_z = cd.risk_sums(w[:, None] * z) / s0[:, None]  # (J, q); z is 0/1 so z^2 = z
    u = (z * cd.e[:, None]).sum(axis=0) - (cd.d[:, None] * m_z).sum(axis=0)
    i_zz = (cd.d[:, None] * (m_z - m_z * m_z)).sum(axis=0)
    zx = (cd.risk_sums((w[:, None, None] * z[:, :, None] * x[:, None, :]).reshape(z.shape[0], -1))
          .reshape(-1, z.shape[1], x.shape[1]) / s0[:, None, None])
    i_zx = (cd.d[:, None, None] * (zx - m_z[:, :, None] * m_x[:, None, :])).sum(axis=0)
    inv = spd_inverse(info_x)
    if inv is None:
        return np.ones(z.shape[1])
    eff = i_zz - ((i_zx[:, :, None] * inv[None, :, :]).sum(axis=1) * i_zx).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(eff > 1e-12, u * u / eff, 0.0)
    return chdtrc(1, stat)


def score_block_p(cd: CoxData, x: np.ndarray, w: np.ndarray, z: np.ndarray) -> float:
    """Score-test p for adding a block of 0/1 columns (a categorical factor) jointly."""
    p = x.shape[1]
    u, info, _ = _info_terms(cd, np.column_stack([x, z]), w)
    a_inv_b = spd_solve(info[:p, :p], info[:p, p:])
    if a_inv_b is None:
        return 1.0
    eff = info[p:, p:] - (info[p:, :p, None] * a_inv_b[None, :, :]).sum(axis=1)
    stat = _quadratic_form(u[p:], eff)
    return 1.0 if stat is None else float(chdtrc(z.shape[1], stat))
