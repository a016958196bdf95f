# Fixtures for src/stats/combine.ts: fully-synthetic combining rules and CI overlap, by formula.
# Closed forms (no R package implements them), so the TS test compares at rtol 1e-12.
#   Raghunathan TE, Reiter JP, Rubin DB (2003). Multiple imputation for statistical disclosure
#     limitation. J Official Statistics 19:1-16.  T = (1 + 1/m) b - ubar, df = (m-1)(1 - ubar/((1+1/m) b))^2
#   Reiter JP (2002). Satisfying disclosure restrictions with synthetic data sets.
#     J Official Statistics 18:531-543.  Fallback T* = (n_syn/n) ubar, normal reference.
#   Karr AF et al. (2006). A framework for evaluating the utility of data altered to protect
#     confidentiality. Am Stat 60:224-232.  J = (1/2)[(U-L)/(u1-l1) + (U-L)/(u2-l2)].
# Run from the repository root: Rscript test/reference/combine.R
source("test/reference/common.R")
set.seed(20260323)

combine_rrr <- function(q, u, conf = 0.95, n_syn = 1, n_obs = 1) {
  m <- length(q)
  qbar <- mean(q); b <- var(q); ubar <- mean(u)
  tv <- (1 + 1 / m) * b - ubar
  a <- 1 - conf
  if (tv > 0) {
    df <- (m - 1) * (1 - ubar / ((1 + 1 / m) * b))^2
    se <- sqrt(tv)
    half <- qt(1 - a / 2, df) * se
    p <- 2 * pt(-abs(qbar / se), df)
    method <- "raghunathan-2003"
  } else {
    tv <- (n_syn / n_obs) * ubar
    df <- NA # Infinity: normal reference
    se <- sqrt(tv)
    half <- qnorm(1 - a / 2) * se
    p <- 2 * pnorm(-abs(qbar / se))
    method <- "reiter-2002-fallback"
  }
  list(estimate = qbar, se = se, lower = qbar - half, upper = qbar + half, statistic = qbar / se,
       p = p, df = df, m = m, between = b, within = ubar, totalVariance = tv, method = method)
}

cases <- list()
add <- function(name, q, u, conf = 0.95, n_syn = 1, n_obs = 1) {
  # round inputs to what the JSON carries, so expected values are computed from the same numbers
  q <- signif(q, 15); u <- signif(u, 15)
  cases[[length(cases) + 1]] <<- list(
    name = name, estimates = q, variances = u, confLevel = conf, nSyn = n_syn, nObs = n_obs,
    expected = combine_rrr(q, u, conf, n_syn, n_obs))
}
# typical log-HR replicates: large between-replicate spread
add("m5-spread", rnorm(5, -0.3, 0.2), rep(0.01, 5) * runif(5, 0.8, 1.2))
add("m20-spread", rnorm(20, -0.5, 0.15), 0.004 * runif(20, 0.8, 1.2), conf = 0.9)
add("m2", c(-0.2, 0.4), c(0.02, 0.03))
add("m50-near-boundary", rnorm(50, 0.1, 0.1), rep(0.0095, 50), conf = 0.99)
# T <= 0: fallback T* = ubar, and T* = (n_syn / n) ubar
add("fallback-default", c(-0.30, -0.31, -0.29, -0.30), rep(0.02, 4))
add("fallback-nsyn", c(-0.30, -0.31, -0.29, -0.30), rep(0.02, 4), n_syn = 200, n_obs = 100)

overlap <- function(l1, u1, l2, u2) {
  ov <- min(u1, u2) - max(l1, l2)
  0.5 * (ov / (u1 - l1) + ov / (u2 - l2))
}
ovl <- list()
addo <- function(name, l1, u1, l2, u2) {
  l1 <- signif(l1, 15); u1 <- signif(u1, 15); l2 <- signif(l2, 15); u2 <- signif(u2, 15)
  ovl[[length(ovl) + 1]] <<- list(name = name, l1 = l1, u1 = u1, l2 = l2, u2 = u2, expected = overlap(l1, u1, l2, u2))
}
addo("identical", 0.5, 0.9, 0.5, 0.9)
addo("partial", 0.52, 0.81, 0.6, 1.02)
addo("nested", 0.4, 1.2, 0.6, 0.8)
addo("touching", 0, 1, 1, 2)
addo("disjoint", 0.3, 0.5, 0.9, 1.4)
for (i in 1:5) {
  l <- sort(rnorm(2)); k <- sort(rnorm(2))
  addo(paste0("random-", i), l[1], l[2], k[1], k[2])
}

# ecasim's rule for a real treated arm against synthetic control arms (src/stats/combine.ts
# combineExternalControl, docs/combining.md): uc is each replicate's control-arm part of u.
# tdf: the treated part's degrees of freedom nu_T (Inf: taken as known), in Satterthwaite's sum.
combine_external <- function(q, u, uc, conf = 0.95, pu = TRUE, tdf = Inf) {
  m <- length(q)
  qbar <- mean(q); b <- var(q); ubar <- mean(u); ucbar <- mean(uc); utbar <- ubar - ucbar
  vp <- if (pu) max(0, b - ucbar) else 0
  k <- 1 + 1 / m
  tv <- utbar + k * vp + ucbar / m
  spread <- (if (vp > 0) k^2 * vp * (vp + 2 * ucbar) / (m - 1) else 0) + utbar^2 / tdf
  df <- if (spread > 0) tv^2 / spread else NA
  se <- sqrt(tv)
  crit <- if (is.na(df)) qnorm(1 - (1 - conf) / 2) else qt(1 - (1 - conf) / 2, df)
  p <- if (is.na(df)) 2 * pnorm(-abs(qbar / se)) else 2 * pt(-abs(qbar / se), df)
  list(estimate = qbar, se = se, lower = qbar - crit * se, upper = qbar + crit * se,
       statistic = qbar / se, p = p, df = df, m = m, between = b, within = ubar,
       withinControl = ucbar, withinTreated = utbar, parameterVariance = vp, totalVariance = tv,
       treated = utbar, registry = vp, monteCarlo = (ucbar + vp) / m)
}
ext <- list()
adde <- function(name, q, u, uc, conf = 0.95, pu = TRUE, tdf = Inf) {
  q <- signif(q, 15); u <- signif(u, 15); uc <- signif(uc, 15)
  ext[[length(ext) + 1]] <<- list(name = name, estimates = q, variances = u, controlVariances = uc,
    confLevel = conf, parameterUncertainty = pu, treatedDf = if (is.finite(tdf)) tdf else NULL,
    expected = combine_external(q, u, uc, conf, pu, tdf))
}
# small registry: b well above the control-arm variance (V_P > 0, t reference)
adde("m10-registry-small", rnorm(10, -0.3, 0.15), rep(0.0133, 10) * runif(10, 0.95, 1.05), rep(0.003, 10) * runif(10, 0.95, 1.05))
adde("m20-conf90", rnorm(20, 0.1, 0.08), 0.012 * runif(20, 0.9, 1.1), 0.004 * runif(20, 0.9, 1.1), conf = 0.9)
# large registry: b below the control variance, V_P = 0, normal reference
adde("m10-vp-zero", rnorm(10, -0.2, 0.03), rep(0.02, 10), rep(0.009, 10))
# parameter uncertainty off: V_P = 0 by declaration
adde("m10-pu-off", rnorm(10, -0.3, 0.15), rep(0.0133, 10), rep(0.003, 10), pu = FALSE)
adde("m2", c(-0.2, 0.4), c(0.02, 0.03), c(0.01, 0.012))
# the treated part's degrees of freedom (2 d1 of a log HR with 34 treated events; n1 - 1 = 39)
adde("m10-treated-df", rnorm(10, -0.1, 0.12), 0.034 * runif(10, 0.95, 1.05), 0.008 * runif(10, 0.95, 1.05), tdf = 68)
adde("m10-vp-zero-treated-df", rnorm(10, 0.05, 0.02), rep(0.03, 10), rep(0.006, 10), tdf = 39)
adde("m10-pu-off-treated-df", rnorm(10, -0.3, 0.15), rep(0.0133, 10), rep(0.003, 10), pu = FALSE, tdf = 19)

write_fixture("combine", list(synthetic = cases, overlap = ovl, external = ext))
