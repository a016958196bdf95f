# Reference values for src/stats/distances.ts (the kernels of `ecasim audit`).
# Run from the repository root: Rscript test/reference/audit.R
source("test/reference/common.R")

# Wasserstein-1 between two samples as the integral of |F_x - F_y| over the pooled values,
# computed with R's ecdf (an independent implementation of the definition).
w1 <- function(x, y) {
  t <- sort(unique(c(x, y)))
  fx <- ecdf(x)(t)
  fy <- ecdf(y)(t)
  sum(abs(fx - fy)[-length(t)] * diff(t))
}
cramers_v <- function(a, b) {
  tab <- table(a, b)
  tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
  k <- min(dim(tab))
  if (k < 2) return(0)
  chi <- suppressWarnings(chisq.test(tab, correct = FALSE))$statistic
  unname(sqrt(chi / (sum(tab) * (k - 1))))
}

cases <- list()
set.seed(20261123)
for (spec in list(
  list(name = "continuous-small", n = 8, m = 11, round = FALSE, shift = 0.3),
  list(name = "continuous-ties", n = 60, m = 45, round = TRUE, shift = 0.5),
  list(name = "continuous-large", n = 500, m = 700, round = FALSE, shift = 0.1)
)) {
  x <- rnorm(spec$n, 50, 10)
  y <- rnorm(spec$m, 50 + 10 * spec$shift, 12)
  if (spec$round) { x <- round(x / 5) * 5; y <- round(y / 5) * 5 }
  # paired data for the correlation
  u <- rnorm(spec$n)
  v <- 0.6 * u + rnorm(spec$n)
  ct <- cor.test(u, v)
  # categorical pair with association
  a <- sample(0:2, spec$n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
  b <- ifelse(runif(spec$n) < 0.6, a %% 2, sample(0:1, spec$n, replace = TRUE))
  # scores and labels for the AUC, with ties
  s <- round(c(rnorm(spec$n, 0.5), rnorm(spec$m, 0)), 1)
  l <- c(rep(1, spec$n), rep(0, spec$m))
  w <- suppressWarnings(wilcox.test(s[l == 1], s[l == 0], exact = FALSE))$statistic
  cases[[length(cases) + 1]] <- list(
    name = spec$name,
    x = x, y = y,
    ks = unname(suppressWarnings(ks.test(x, y))$statistic),
    wasserstein = w1(x, y),
    quantiles = list(p = c(0.01, 0.05, 0.25, 0.5, 0.9, 0.99),
                     q = unname(quantile(x, c(0.01, 0.05, 0.25, 0.5, 0.9, 0.99), type = 7))),
    u = u, v = v,
    cor = list(estimate = unname(ct$estimate), lower = ct$conf.int[1], upper = ct$conf.int[2]),
    a = a, b = b,
    cramersV = cramers_v(a, b),
    scores = s, labels = l,
    auc = unname(w) / (spec$n * spec$m)
  )
}
write_fixture("audit", cases)
