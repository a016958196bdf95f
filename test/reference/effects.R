# Fixtures for src/stats/binary.ts, continuous.ts and sensitivity.ts.
# Run from the repository root: Rscript test/reference/effects.R
source("test/reference/common.R")
set.seed(20260324)
# ---- sensitivity: E-values (VanderWeele & Ding 2017) -------------------------------------------
# The EValue package is not installed; its evalues.HR (EValue 4.1.3 docs:
# https://search.r-project.org/CRAN/refmans/EValue/html/evalues.HR.html) converts a HR to the RR
# scale (rare outcome: RR = HR; common: Table 2 of VanderWeele & Ding 2017,
# RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))) and reports E = RR + sqrt(RR (RR - 1)) after
# inverting RR < 1, for the estimate and the limit closest to 1 (1 if the interval covers 1).
hr_to_rr <- function(hr, rare) if (rare) hr else (1 - 0.5^sqrt(hr)) / (1 - 0.5^sqrt(1 / hr))
evalue_rr <- function(rr) { r <- ifelse(rr < 1, 1 / rr, rr); r + sqrt(r * (r - 1)) }
evalue_case <- function(hr, lo, hi, rare) {
  rr <- hr_to_rr(hr, rare)
  if (is.na(lo)) {
    rl <- NA; ru <- NA; lim <- NA
  } else {
    rl <- hr_to_rr(lo, rare); ru <- hr_to_rr(hi, rare)
    lim <- if (rl <= 1 && ru >= 1) 1 else evalue_rr(if (rr > 1) rl else ru)
  }
  list(hr = hr, lower = if (is.na(lo)) NULL else lo, upper = if (is.na(hi)) NULL else hi, rare = rare,
       expected = list(rr = rr, rrLower = rl, rrUpper = ru, estimate = evalue_rr(rr), limit = lim,
                       method = if (rare) "hr-rare" else "hr-common"))
}
evalues <- list(
  evalue_case(0.56, 0.46, 0.69, FALSE), # the evalues.HR help-page example
  evalue_case(0.56, 0.46, 0.69, TRUE),
  evalue_case(1.8, 1.2, 2.7, TRUE),
  evalue_case(1.8, 1.2, 2.7, FALSE),
  evalue_case(0.85, 0.66, 1.09, TRUE),  # interval covers 1
  evalue_case(1.3, 0.9, 1.9, FALSE),
  evalue_case(0.4, NA, NA, FALSE),      # no interval
  evalue_case(1, 0.8, 1.25, TRUE)
)

# ---- tipping point on the log-HR scale -------------------------------------------------------
tip_case <- function(log_hr, se, alpha, sided, direction, shifts) {
  z <- qnorm(1 - alpha / sided)
  tip <- if (direction == "benefit") -log_hr - z * se else -log_hr + z * se
  lh <- log_hr + shifts
  zs <- lh / se
  p <- if (sided == 2) 2 * pnorm(-abs(zs)) else if (direction == "benefit") pnorm(zs) else pnorm(-zs)
  sig <- if (direction == "benefit") lh + z * se < 0 else lh - z * se > 0
  list(logHr = log_hr, se = se, alpha = alpha, sided = sided, direction = direction, shifts = shifts,
       expected = list(shift = tip, estimate = exp(log_hr + tip), z = z,
                       grid = list(estimate = exp(lh), lower = exp(lh - z * se), upper = exp(lh + z * se),
                                   p = p, significant = sig)))
}
tipping <- list(
  tip_case(-0.5, 0.15, 0.05, 2, "benefit", seq(0, 0.5, by = 0.05)),
  tip_case(-0.2, 0.15, 0.05, 2, "benefit", seq(-0.3, 0.2, by = 0.1)),   # not significant
  tip_case(-0.35, 0.12, 0.025, 1, "benefit", seq(0, 0.3, by = 0.03)),
  tip_case(0.6, 0.2, 0.05, 2, "harm", seq(-0.6, 0, by = 0.1))
)

# ---- hazard-inflation tipping point with a closed-form "refit" -------------------------------
# refit(k) = { logHr = a + b log(k), se = s0 (1 + c (k - 1)) }; the flip solves
# a + b log k + z s0 (1 + c (k - 1)) = 0 (benefit), found here by uniroot to 1e-14.
infl_case <- function(a, b, s0, c, alpha, sided, grid) {
  z <- qnorm(1 - alpha / sided)
  f <- function(k) a + b * log(k) + z * s0 * (1 + c * (k - 1))
  sig <- sapply(grid, f) < 0
  flip <- which(sig != sig[1])[1]
  root <- if (is.na(flip)) NA else uniroot(f, c(grid[flip - 1], grid[flip]), tol = 1e-14)$root
  list(a = a, b = b, s0 = s0, c = c, alpha = alpha, sided = sided, grid = grid,
       expected = list(inflation = root, significant = sig[1], gridSignificant = sig))
}
inflation <- list(
  infl_case(-0.6, 0.5, 0.15, 0, 0.05, 2, seq(1, 3, by = 0.1)),
  infl_case(-0.45, 0.8, 0.12, 0.05, 0.05, 2, seq(1, 2, by = 0.25)),
  infl_case(-0.3, 0.6, 0.1, 0.02, 0.025, 1, c(1, 1.5, 2, 4, 8)),
  infl_case(-0.9, 0.1, 0.15, 0, 0.05, 2, seq(1, 3, by = 0.5))     # never flips
)

# ---- binary: risk difference, risk ratio, odds ratio, Fisher ---------------------------------
# Newcombe (1998) method 10 from per-arm Wilson score limits WITHOUT continuity correction, taken
# from R itself: prop.test(x, n, correct = FALSE)$conf.int. The pooled z test is
# prop.test(c(x1, x0), c(n1, n0), correct = FALSE). Wald log RR / OR by formula, checked against
# glm (log and logit links) when there is no zero cell.
# JSON has no Infinity: infinite limits are written as the string "Inf".
inf_str <- function(v) if (is.infinite(v)) "Inf" else v
fisher_tight <- function(a, b, c, d, conf) {
  # fisher.test's equations (R 4.2.2 src/library/stats/R/fisher.test.R) solved on the log scale
  # with uniroot(tol = 1e-13) instead of the default tolerance.
  m <- a + c; n <- b + d; k <- a + b; x <- a
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(th) { d <- logdc + th * support; d <- exp(d - max(d)); d / sum(d) }
  mn <- function(th) sum(support * dn(th))
  pn <- function(th, upper) { d <- dn(th); if (upper) sum(d[support >= x]) else sum(d[support <= x]) }
  root <- function(f) uniroot(f, c(-50, 50), tol = 1e-13, extendInt = "yes", maxiter = 5000)$root
  est <- if (x == lo) 0 else if (x == hi) Inf else exp(root(function(t) mn(t) - x))
  al <- (1 - conf) / 2
  lower <- if (x == lo) 0 else exp(root(function(t) pn(t, TRUE) - al))
  upper <- if (x == hi) Inf else exp(root(function(t) pn(t, FALSE) - al))
  list(estimate = inf_str(est), lower = lower, upper = inf_str(upper))
}
# Miettinen & Nurminen (1985, Stat Med 4:213-226) score intervals for RR and OR, by formula (no
# package implementing them is installed): restricted MLEs from the quadratics of the paper, the
# N/(N-1) variance factor, limits by uniroot on the log scale (tol 1e-14).
mn_rr_z <- function(x1, n1, x0, n0, th) {
  N <- n1 + n0; A <- N * th; B <- -(n1 * th + x1 + n0 + x0 * th); C <- x1 + x0
  p0 <- (-B - sqrt(max(0, B^2 - 4 * A * C))) / (2 * A); p1 <- th * p0
  (x1 / n1 - th * x0 / n0) / sqrt((p1 * (1 - p1) / n1 + th^2 * p0 * (1 - p0) / n0) * N / (N - 1))
}
mn_or_z <- function(x1, n1, x0, n0, psi) {
  N <- n1 + n0; x <- x1 + x0
  if (abs(psi - 1) < 1e-12) p0 <- x / N else {
    A <- n0 * (psi - 1); B <- n1 * psi + n0 - x * (psi - 1)
    p0 <- (-B + sqrt(B^2 + 4 * A * x)) / (2 * A)
  }
  p1 <- psi * p0 / (1 + p0 * (psi - 1))
  (x1 - n1 * p1) * sqrt((1 / (n1 * p1 * (1 - p1)) + 1 / (n0 * p0 * (1 - p0))) * (N - 1) / N)
}
mn_interval <- function(zf, conf, unb_lo, unb_hi) {
  zc <- qnorm(1 - (1 - conf) / 2)
  root <- function(target) exp(uniroot(function(t) zf(exp(t)) - target, c(-5, 5), tol = 1e-14,
                                       extendInt = "downX", maxiter = 5000)$root)
  list(lower = if (unb_lo) 0 else root(zc), upper = if (unb_hi) "Inf" else root(-zc))
}
binary_case <- function(e1, n1, e0, n0, conf = 0.95) {
  z <- qnorm(1 - (1 - conf) / 2)
  p1 <- e1 / n1; p0 <- e0 / n0; rd <- p1 - p0
  se <- sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
  w1 <- suppressWarnings(prop.test(e1, n1, correct = FALSE, conf.level = conf))$conf.int
  w0 <- suppressWarnings(prop.test(e0, n0, correct = FALSE, conf.level = conf))$conf.int
  newc <- c(rd - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2), rd + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))
  pt2 <- suppressWarnings(prop.test(c(e1, e0), c(n1, n0), correct = FALSE))
  degenerate <- is.nan(pt2$p.value)
  rdres <- list(estimate = rd, se = se, waldLower = rd - z * se, waldUpper = rd + z * se,
                newcombeLower = newc[1], newcombeUpper = newc[2],
                statistic = if (degenerate) 0 else sign(rd) * sqrt(unname(pt2$statistic)),
                p = if (degenerate) 1 else pt2$p.value)
  # risk ratio
  corr <- if (e1 == 0 || e0 == 0) 0.5 else 0
  a <- e1 + corr; cc <- e0 + corr; m1 <- n1 + 2 * corr; m0 <- n0 + 2 * corr
  lrr <- log(a / m1) - log(cc / m0); serr <- sqrt(1 / a - 1 / m1 + 1 / cc - 1 / m0)
  if (corr == 0 && e1 < n1 && e0 < n0) {
    g <- suppressWarnings(glm(cbind(c(e1, e0), c(n1 - e1, n0 - e0)) ~ c(1, 0), family = binomial(link = "log"), control = glm.control(epsilon = 1e-14, maxit = 100)))
    stopifnot(isTRUE(all.equal(unname(coef(summary(g))[2, 1:2]), c(lrr, serr), tolerance = 1e-7)))
  }
  rr <- list(estimate = exp(lrr), logEstimate = lrr, se = serr, lower = exp(lrr - z * serr),
             upper = exp(lrr + z * serr), statistic = lrr / serr, p = 2 * pnorm(-abs(lrr / serr)), correction = corr,
             mn = mn_interval(function(t) mn_rr_z(e1, n1, e0, n0, t), conf, e1 == 0, e0 == 0))
  # odds ratio
  cells <- c(e1, n1 - e1, e0, n0 - e0)
  corr <- if (any(cells == 0)) 0.5 else 0
  cl <- cells + corr
  lor <- log(cl[1]) + log(cl[4]) - log(cl[2]) - log(cl[3]); seor <- sqrt(sum(1 / cl))
  if (corr == 0) {
    g <- suppressWarnings(glm(cbind(c(e1, e0), c(n1 - e1, n0 - e0)) ~ c(1, 0), family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100)))
    stopifnot(isTRUE(all.equal(unname(coef(summary(g))[2, ]), c(lor, seor, lor / seor, 2 * pnorm(-abs(lor / seor))), tolerance = 1e-7)))
  }
  or <- list(estimate = exp(lor), logEstimate = lor, se = seor, lower = exp(lor - z * seor),
             upper = exp(lor + z * seor), statistic = lor / seor, p = 2 * pnorm(-abs(lor / seor)), correction = corr,
             mn = mn_interval(function(t) mn_or_z(e1, n1, e0, n0, t), conf, e1 == 0 || e0 == n0, e0 == 0 || e1 == n1))
  # Fisher: R's p-value (exact), R's estimate/CI (default uniroot tolerance) and the tight solution
  ft <- fisher.test(matrix(c(e1, e0, n1 - e1, n0 - e0), 2), conf.level = conf)
  fisher <- list(p = ft$p.value, rEstimate = inf_str(unname(ft$estimate)), rLower = ft$conf.int[1], rUpper = inf_str(ft$conf.int[2]),
                 tight = fisher_tight(e1, n1 - e1, e0, n0 - e0, conf))
  list(events1 = e1, n1 = n1, events0 = e0, n0 = n0, confLevel = conf,
       expected = list(rd = rdres, rr = rr, or = or, fisher = fisher))
}
binary <- list(
  binary_case(15, 40, 8, 42),
  binary_case(3, 4, 1, 4),
  binary_case(120, 400, 95, 410, 0.9),
  binary_case(0, 25, 4, 30),         # zero events, treated
  binary_case(5, 20, 0, 18),         # zero events, control
  binary_case(0, 12, 0, 15),         # no events at all
  binary_case(12, 12, 9, 15),        # all events in one arm
  binary_case(1, 3, 2, 5, 0.99),     # tiny arms
  binary_case(7, 9, 7, 9),           # identical arms
  binary_case(480, 1000, 430, 1000)
)

# ---- continuous: Welch mean difference and Hedges' g -------------------------------------------
# Welch: t.test(x1, x0, var.equal = FALSE). Hedges' g by formula (Hedges 1981 exact J; variance of
# Hedges & Olkin 1985), cross-checked against metafor::escalc("SMD", vtype = "LS").
suppressPackageStartupMessages(library(metafor))
cont_case <- function(x1, x0, conf = 0.95) {
  x1 <- signif(x1, 15); x0 <- signif(x0, 15)
  tt <- t.test(x1, x0, var.equal = FALSE, conf.level = conf)
  n1 <- length(x1); n0 <- length(x0); m <- n1 + n0 - 2
  sp <- sqrt(((n1 - 1) * var(x1) + (n0 - 1) * var(x0)) / m)
  d <- (mean(x1) - mean(x0)) / sp
  J <- exp(lgamma(m / 2) - log(sqrt(m / 2)) - lgamma((m - 1) / 2))
  g <- J * d
  v <- (n1 + n0) / (n1 * n0) + g^2 / (2 * (n1 + n0))
  es <- escalc("SMD", m1i = mean(x1), sd1i = sd(x1), n1i = n1, m2i = mean(x0), sd2i = sd(x0), n2i = n0, vtype = "LS")
  stopifnot(isTRUE(all.equal(c(g, v), c(es$yi[1], es$vi[1]), tolerance = 1e-12)))
  z <- qnorm(1 - (1 - conf) / 2)
  list(x1 = x1, x0 = x0, confLevel = conf,
       expected = list(
         welch = list(estimate = unname(tt$estimate[1] - tt$estimate[2]), se = unname(tt$stderr),
                      df = unname(tt$parameter), statistic = unname(tt$statistic), p = tt$p.value,
                      lower = tt$conf.int[1], upper = tt$conf.int[2]),
         hedges = list(estimate = g, se = sqrt(v), lower = g - z * sqrt(v), upper = g + z * sqrt(v),
                       d = d, correction = J, sdPooled = sp)))
}
continuous <- list(
  cont_case(c(5.1, 6.3, 7.2, 5.9), c(4.2, 5.0, 4.8, 3.9, 4.4)),
  cont_case(rnorm(40, 1, 2), rnorm(55, 0.2, 1), 0.9),
  cont_case(rnorm(3, 10, 1), rnorm(2, 9, 3)),
  cont_case(rexp(200, 1 / 3), rexp(150, 1 / 2.5), 0.99),
  cont_case(c(1e6 + 1, 1e6 + 2, 1e6 + 4), c(1e6, 1e6 + 1, 1e6 + 1.5, 1e6 - 0.5))  # large offset
)

write_fixture("effects", list(binary = binary, continuous = continuous, evalues = evalues, tipping = tipping, inflation = inflation))
