# Reference for fitCox's `varianceGroups`: each arm's part of the infinitesimal-jackknife
# variance of the treatment coefficient, from R's dfbeta residuals (residuals(fit, "dfbeta"),
# which are V·Uᵢ per observation): Σ_{i∈g} D²ᵢ₁.
# Each case also carries the whole dfbeta matrix (one row per observation), for fitCox's `dfbeta`.
# Run from the repository root: Rscript test/reference/variance-shares.R
source("test/reference/common.R")

lung2 <- na.omit(lung[, c("time", "status", "sex", "age", "ph.ecog")])
lung2$status <- lung2$status - 1
lung2$arm <- as.integer(lung2$sex == 2)
set.seed(20261202)
lung2$w <- round(runif(nrow(lung2), 0.2, 3), 3)

shares <- function(fit, arm) {
  d <- residuals(fit, type = "dfbeta")
  d1 <- if (is.matrix(d)) d[, 1] else d
  c(control = sum(d1[arm == 0]^2), treated = sum(d1[arm == 1]^2))
}

dfb <- function(fit) {
  d <- residuals(fit, type = "dfbeta")
  d <- if (is.matrix(d)) d else matrix(d, ncol = 1)
  lapply(seq_len(nrow(d)), function(i) unname(d[i, ]))
}

cases <- list()
for (ties in c("efron", "breslow")) {
  f1 <- coxph(Surv(time, status) ~ arm, data = lung2, ties = ties)
  f2 <- coxph(Surv(time, status) ~ arm + age + ph.ecog, data = lung2, ties = ties)
  f3 <- coxph(Surv(time, status) ~ arm + age, data = lung2, ties = ties, weights = w, robust = TRUE)
  cases[[length(cases) + 1]] <- list(name = paste("unadjusted", ties), ties = ties, covariates = list("arm"), weighted = FALSE, shares = as.list(shares(f1, lung2$arm)), dfbeta = dfb(f1))
  cases[[length(cases) + 1]] <- list(name = paste("adjusted", ties), ties = ties, covariates = list("arm", "age", "ph.ecog"), weighted = FALSE, shares = as.list(shares(f2, lung2$arm)), dfbeta = dfb(f2))
  cases[[length(cases) + 1]] <- list(name = paste("weighted", ties), ties = ties, covariates = list("arm", "age"), weighted = TRUE, shares = as.list(shares(f3, lung2$arm)), dfbeta = dfb(f3))
}
write_fixture("variance-shares", list(
  data = list(time = lung2$time, status = lung2$status, arm = lung2$arm, age = lung2$age, ph.ecog = lung2$ph.ecog, w = lung2$w),
  cases = cases
))
