# Fixtures for src/stats/logistic.ts, propensity.ts and balance.ts.
# Run from the repository root: Rscript test/reference/propensity.R
source("test/reference/common.R")
set.seed(20260325)

# ---- logistic regression: glm(family = binomial), R's defaults (epsilon 1e-8, maxit 25) ------
glm_case <- function(name, y, X, w = NULL) {
  X <- as.data.frame(lapply(X, function(v) signif(v, 15)))
  if (!is.null(w)) w <- signif(w, 15)
  d <- cbind(y = y, X)
  warn <- character()
  fit <- withCallingHandlers(
    glm(y ~ ., data = d, family = binomial, weights = w),
    warning = function(wr) { warn <<- c(warn, conditionMessage(wr)); invokeRestart("muffleWarning") })
  cf <- coef(summary(fit))
  aliased <- names(coef(fit))[is.na(coef(fit))]
  list(name = name, y = y, x = unname(as.list(X)), names = names(X), weights = w,
       expected = list(
         names = rownames(cf), coefficients = unname(cf[, 1]), se = unname(cf[, 2]),
         statistic = unname(cf[, 3]), p = unname(cf[, 4]),
         deviance = fit$deviance, nullDeviance = fit$null.deviance, dfResidual = fit$df.residual,
         iterations = fit$iter, converged = fit$converged, fitted = unname(fitted(fit)),
         covariance = unname(as.vector(t(vcov(fit)))),
         fittedZeroOne = any(grepl("fitted probabilities numerically 0 or 1", warn)),
         aliased = I(aliased)))
}

sim_cohort <- function(n) {
  age <- round(rnorm(n, 63, 9))
  ecog <- rbinom(n, 1, 0.4)
  male <- rbinom(n, 1, 0.55)
  marker <- rlnorm(n, 1, 0.6)
  lp <- -0.4 + 0.04 * (age - 63) + 0.7 * ecog - 0.3 * male + 0.15 * marker
  treated <- rbinom(n, 1, plogis(lp))
  list(treated = treated, X = data.frame(age = age, ecog = ecog, male = male, marker = marker))
}
c1 <- sim_cohort(500)
c2 <- sim_cohort(60)
lungc <- na.omit(lung[, c("status", "age", "sex", "ph.ecog", "wt.loss")])
sep_x <- c(1:10)
logistic <- list(
  glm_case("simulated-n500", c1$treated, c1$X),
  glm_case("weighted-n60", c2$treated, c2$X, w = runif(60, 0.2, 3)),
  glm_case("small-n8", c(0, 0, 1, 0, 1, 1, 0, 1), data.frame(x = c(1.2, 2.3, 2.9, 3.1, 4.8, 5.0, 5.5, 7.1))),
  glm_case("lung-death", as.numeric(lungc$status == 2), lungc[, c("age", "sex", "ph.ecog", "wt.loss")]),
  glm_case("separation", c(0, 0, 0, 0, 0, 1, 1, 1, 1, 1), data.frame(x = sep_x, u = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3))),
  glm_case("collinear", c1$treated, data.frame(age = c1$X$age, marker = c1$X$marker,
                                               combo = c1$X$age + 2 * c1$X$marker))
)

# ---- propensity weights, ESS and score summaries ----------------------------------------------
# Weights by formula: ATT treated 1, controls e/(1-e); ATE 1/e, 1/(1-e); ATO (Li, Morgan &
# Zaslavsky 2018) 1-e, e; trimming (Crump et al. 2009) sets weight 0 outside [lo, hi].
# ESS = (sum w)^2 / sum w^2 per arm (Kish 1965). Score summaries: quantile(type = 7).
ps_weights <- function(e, t, estimand, trim) {
  w <- switch(estimand, ATT = ifelse(t == 1, 1, e / (1 - e)), ATE = ifelse(t == 1, 1 / e, 1 / (1 - e)),
              ATO = ifelse(t == 1, 1 - e, e))
  if (!is.null(trim)) w[e < trim[1] | e > trim[2]] <- 0
  w
}
ess <- function(w) sum(w)^2 / sum(w^2)
summ <- function(v) { q <- unname(quantile(v, c(0.25, 0.5, 0.75))); list(n = length(v), min = min(v), q1 = q[1], median = q[2], mean = mean(v), q3 = q[3], max = max(v)) }

# ---- balance: cobalt's conventions by formula ------------------------------------------------
# cobalt FAQ vignette ("How are standardized mean differences computed in cobalt?") and col_w_smd /
# col_w_vr (cobalt R/col_w_stats.R): SMD = (weighted mean1 - weighted mean0) / s*, where s* is
# the same before and after weighting, cobalt's default s.d.denom for the estimand (cobalt source,
# .s.d.denom_from_estimand): "treated" (s1, unweighted) for the ATT, "pooled"
# sqrt((s1^2 + s0^2)/2) (unweighted) for the ATE, "weighted" (the SD of the whole sample under
# the balancing weights, col.w.v) for the ATO. Binary (0/1)
# covariates: raw difference in proportions (binary = "raw"). Variance ratio v1/v0 (treated over
# control) for continuous covariates with the weighted variance
# sum(w (x - m_w)^2) * sum(w) / (sum(w)^2 - sum(w^2)) (col.w.v).
wmean <- function(x, w) sum(w * x) / sum(w)
wvar <- function(x, w) { m <- wmean(x, w); sum(w * (x - m)^2) * sum(w) / (sum(w)^2 - sum(w^2)) }
balance <- function(X, t, w, estimand) {
  if (is.null(w)) w <- rep(1, length(t))
  rows <- lapply(names(X), function(nm) {
    x <- X[[nm]]
    bin <- all(x %in% c(0, 1))
    x1 <- x[t == 1]; x0 <- x[t == 0]; w1 <- w[t == 1]; w0 <- w[t == 0]
    rawU <- mean(x1) - mean(x0); rawA <- wmean(x1, w1) - wmean(x0, w0)
    if (bin) {
      list(name = nm, type = "binary", mean1 = wmean(x1, w1), mean0 = wmean(x0, w0), diff = rawA, diffUnadjusted = rawU,
           sdDenominator = NA, varianceRatio = NA, varianceRatioUnadjusted = NA)
    } else {
      s <- switch(estimand, ATT = sd(x1), ATE = sqrt((var(x1) + var(x0)) / 2), ATO = sqrt(wvar(x, w)))
      list(name = nm, type = "continuous", mean1 = wmean(x1, w1), mean0 = wmean(x0, w0), diff = rawA / s,
           diffUnadjusted = rawU / s, sdDenominator = s, varianceRatio = wvar(x1, w1) / wvar(x0, w0),
           varianceRatioUnadjusted = var(x1) / var(x0))
    }
  })
  rows
}

c3 <- sim_cohort(400)
X3 <- as.data.frame(lapply(c3$X, function(v) signif(v, 15)))
fit3 <- glm(c3$treated ~ ., data = X3, family = binomial)
e3 <- unname(fitted(fit3))
prop_case <- function(name, estimand, trim) {
  w <- ps_weights(e3, c3$treated, estimand, trim)
  t <- c3$treated
  list(name = name, estimand = estimand, trim = trim,
       expected = list(weights = w, essTreated = ess(w[t == 1]), essControl = ess(w[t == 0]),
                       trimmedTreated = sum(w == 0 & t == 1), trimmedControl = sum(w == 0 & t == 0),
                       balance = balance(X3, t, w, estimand)))
}
propensity <- list(
  treated = c3$treated, x = unname(as.list(X3)), names = names(X3), scores = e3,
  summaryTreated = summ(e3[c3$treated == 1]), summaryControl = summ(e3[c3$treated == 0]),
  outsideTreated = sum(e3[c3$treated == 1] < min(e3[c3$treated == 0]) | e3[c3$treated == 1] > max(e3[c3$treated == 0])),
  outsideControl = sum(e3[c3$treated == 0] < min(e3[c3$treated == 1]) | e3[c3$treated == 0] > max(e3[c3$treated == 1])),
  balanceUnweightedATT = balance(X3, c3$treated, NULL, "ATT"),
  balanceUnweightedATE = balance(X3, c3$treated, NULL, "ATE"),
  cases = list(
    prop_case("ATT", "ATT", NULL),
    prop_case("ATE", "ATE", NULL),
    prop_case("ATO", "ATO", NULL),
    prop_case("ATE-trim-0.1", "ATE", c(0.1, 0.9)),
    prop_case("ATT-trim-asym", "ATT", c(0.2, 0.95))
  )
)

# balance on real data: lung, female vs male as the "arms", arbitrary positive weights
lb <- na.omit(lung[, c("sex", "age", "ph.ecog", "wt.loss", "meal.cal")])
lbX <- data.frame(age = lb$age, ecog2 = as.numeric(lb$ph.ecog >= 2), wt.loss = lb$wt.loss, meal.cal = lb$meal.cal)
lbt <- as.numeric(lb$sex == 2)
lbw <- signif(runif(nrow(lb), 0.3, 2.5), 15)
lung_balance <- list(treated = lbt, x = unname(as.list(lbX)), names = names(lbX), weights = lbw,
                     att = balance(lbX, lbt, lbw, "ATT"), ate = balance(lbX, lbt, lbw, "ATE"))

write_fixture("propensity", list(logistic = logistic, propensity = propensity, lungBalance = lung_balance))
