# Reference values for test/stats/parity.test.ts (issue 12, "Parity on data the fixtures never
# had"): survival's built-in data sets on the edges the other fixtures miss. Every case carries
# the data it used. Run from the repository root:  Rscript test/reference/parity.R
#
#  - zph:     survival::cox.zph where covariates are in the thousands (gbsg's pgr and er in
#             fmol/l; pgr and veteran's karno multiplied by 1000) under every transform.
#  - wald:    summary(coxph(...))$waldtest when coxph.wtest's Cholesky (toler.chol relative to the
#             largest variance) drops a column: the statistic leaves it out, df stays the number of
#             coefficients (summary.coxph: df <- length(beta2)).
#  - balance: cobalt's default bal.tab() balance statistics, written out in base R because cobalt
#             is not installed here. The conventions are those of cobalt's source (GitHub
#             ngreifer/cobalt, read at 5.0.0, commit 3917ee7; unchanged on these points since 4.x):
#             * a covariate with exactly two distinct values is "Binary" (is_binary), made a
#               two-level factor and split into dummies; for levels other than 0/1 the first
#               (smaller) level's dummy is dropped (.C_drop_0_1), so the row is the indicator of
#               the larger value, named `<var>_<value>`; binary = "raw" (the default for a binary
#               treatment) reports the raw difference in proportions and no variance ratio;
#             * the standardisation factor s.d.denom follows the estimand
#               (.s.d.denom_from_estimand): ATT -> "treated" sd(x1); ATC -> "control";
#               ATE -> "pooled" sqrt((var(x1) + var(x0)) / 2); ATO and ATM -> "weighted": the SD
#               of the whole sample (both arms together) under the balancing weights,
#               col.w.v(x, w) = sum(w (x - m_w)^2) * sum(w) / (sum(w)^2 - sum(w^2)); the same
#               factor before and after weighting (the unadjusted column passes the balancing
#               weights as weighted.weights);
#             * variance ratios v1/v0 with col.w.v within each arm.
#  - logrank: survdiff with group codes that are not 0..k-1 (lung sex 1/2, veteran celltype
#             coded 2/4/6/8).
source("test/reference/common.R")

# ---- cox.zph --------------------------------------------------------------------------------
zph_case <- function(name, time, status, X, transforms) {
  X <- as.data.frame(X)
  d <- data.frame(time = time, status = status, X)
  fit <- coxph(as.formula(paste("Surv(time, status) ~", paste(names(X), collapse = " + "))),
               data = d)
  results <- lapply(transforms, function(tr) {
    z <- cox.zph(fit, transform = tr)
    list(transform = tr, terms = rownames(z$table), statistic = unname(z$table[, "chisq"]),
         df = unname(z$table[, "df"]), p = unname(z$table[, "p"]))
  })
  list(name = name, data = list(time = time, status = status, x = unname(as.list(X)),
                                names = names(X)),
       coef = unname(coef(fit)), results = results)
}
gb <- survival::gbsg
ve <- survival::veteran
zph <- list(
  zph_case("gbsg age pgr er nodes hormon", gb$rfstime, gb$status,
           gb[, c("age", "pgr", "er", "nodes", "hormon")], c("identity", "km", "rank", "log")),
  zph_case("gbsg meno grade pgr*1000", gb$rfstime, gb$status,
           data.frame(meno = gb$meno, grade = gb$grade, pgr1000 = gb$pgr * 1000),
           c("km", "rank", "log")), # identity: R's solve() itself refuses (rcond 7.6e-17)
  zph_case("veteran trt karno*1000 age", ve$time, ve$status,
           data.frame(trt = ve$trt, karno1000 = ve$karno * 1000, age = ve$age),
           c("km", "identity", "rank", "log"))
)

# ---- Wald test with a column dropped by coxph.wtest -----------------------------------------
wald_case <- function(name, time, status, X) {
  X <- as.data.frame(X)
  d <- data.frame(time = time, status = status, X)
  fit <- coxph(as.formula(paste("Surv(time, status) ~", paste(names(X), collapse = " + "))),
               data = d)
  s <- summary(fit)
  # what coxph.wtest kept: its df (the rank of the variance under cholesky2)
  wt <- survival:::coxph.wtest(fit$var, coef(fit), coxph.control()$toler.chol)
  list(name = name, data = list(time = time, status = status, x = unname(as.list(X)),
                                names = names(X)),
       coef = unname(coef(fit)),
       wald = list(statistic = fit$wald.test, df = unname(s$waldtest["df"]),
                   p = unname(s$waldtest["pvalue"]), rank = wt$df),
       score = list(statistic = unname(s$sctest["test"]), df = unname(s$sctest["df"])),
       likelihoodRatio = list(statistic = unname(s$logtest["test"]), df = unname(s$logtest["df"])))
}
lu <- na.omit(survival::lung[, c("time", "status", "age", "sex", "ph.ecog")])
lu$status <- lu$status - 1
wald <- list(
  wald_case("lung age*1e6 + sex", lu$time, lu$status,
            data.frame(age1e6 = lu$age * 1e6, sex = lu$sex)),
  wald_case("lung age*1e6 + sex + ph.ecog", lu$time, lu$status,
            data.frame(age1e6 = lu$age * 1e6, sex = lu$sex, ph.ecog = lu$ph.ecog)),
  wald_case("lung age + sex + ph.ecog (nothing dropped)", lu$time, lu$status,
            lu[, c("age", "sex", "ph.ecog")])
)

# ---- balance, cobalt's defaults ---------------------------------------------------------------
col_w_v <- function(x, w) { m <- sum(w * x) / sum(w); sum(w * (x - m)^2) * sum(w) / (sum(w)^2 - sum(w^2)) }
wmean <- function(x, w) sum(w * x) / sum(w)
cobalt_balance <- function(X, t, w, estimand) {
  lapply(names(X), function(nm) {
    x <- X[[nm]]
    vals <- sort(unique(x))
    if (length(vals) == 2) {
      # binary: indicator of the larger value (cobalt keeps `x` itself for 0/1)
      level <- vals[2]
      b <- as.numeric(x == level)
      list(name = nm, type = "binary", level = level,
           cobaltName = if (all(vals == c(0, 1))) nm else paste0(nm, "_", level),
           mean1 = wmean(b[t == 1], w[t == 1]), mean0 = wmean(b[t == 0], w[t == 0]),
           mean1Unadjusted = mean(b[t == 1]), mean0Unadjusted = mean(b[t == 0]),
           diff = wmean(b[t == 1], w[t == 1]) - wmean(b[t == 0], w[t == 0]),
           diffUnadjusted = mean(b[t == 1]) - mean(b[t == 0]),
           sdDenominator = NA, varianceRatio = NA, varianceRatioUnadjusted = NA)
    } else {
      s <- switch(estimand,
                  ATT = sd(x[t == 1]),
                  ATE = sqrt((var(x[t == 1]) + var(x[t == 0])) / 2),
                  ATO = sqrt(col_w_v(x, w)))
      list(name = nm, type = "continuous", level = NA, cobaltName = nm,
           mean1 = wmean(x[t == 1], w[t == 1]), mean0 = wmean(x[t == 0], w[t == 0]),
           mean1Unadjusted = mean(x[t == 1]), mean0Unadjusted = mean(x[t == 0]),
           diff = (wmean(x[t == 1], w[t == 1]) - wmean(x[t == 0], w[t == 0])) / s,
           diffUnadjusted = (mean(x[t == 1]) - mean(x[t == 0])) / s,
           sdDenominator = s,
           varianceRatio = col_w_v(x[t == 1], w[t == 1]) / col_w_v(x[t == 0], w[t == 0]),
           varianceRatioUnadjusted = var(x[t == 1]) / var(x[t == 0]))
    }
  })
}
ps_weights <- function(e, t, estimand) {
  switch(estimand,
         ATT = ifelse(t == 1, 1, e / (1 - e)),
         ATE = ifelse(t == 1, 1 / e, 1 / (1 - e)),
         ATO = ifelse(t == 1, 1 - e, e))
}
balance_case <- function(name, X, t, ps_vars = names(X)) {
  e <- unname(fitted(glm(t ~ ., data = cbind(t = t, X[ps_vars]), family = binomial)))
  list(name = name, treated = t, x = unname(as.list(X)), names = names(X),
       estimands = lapply(c("ATO", "ATE", "ATT"), function(est) {
         w <- ps_weights(e, t, est)
         list(estimand = est, weights = w, rows = cobalt_balance(X, t, w, est))
       }))
}
lb <- na.omit(survival::lung[, c("ph.ecog", "age", "sex", "wt.loss", "meal.cal")])
# veteran: prior is coded 0/10; lung: sex is coded 1/2; gbsg: meno 0/1 and a grade 2-vs-3
# indicator coded 2/3 (grades 1 and 2 pooled as 2)
balance <- list(
  balance_case("veteran trt 2 vs 1", ve[, c("karno", "diagtime", "age", "prior")],
               as.numeric(ve$trt == 2)),
  # a propensity model on karno and age only, so that the other covariates stay unbalanced
  # after weighting and the adjusted differences exercise the denominator too
  balance_case("veteran trt 2 vs 1, propensity on karno + age",
               ve[, c("karno", "diagtime", "age", "prior")], as.numeric(ve$trt == 2),
               c("karno", "age")),
  balance_case("lung ph.ecog >= 1", lb[, c("age", "sex", "wt.loss", "meal.cal")],
               as.numeric(lb$ph.ecog >= 1)),
  balance_case("gbsg hormon", data.frame(age = gb$age, meno = gb$meno, size = gb$size,
                                         grade23 = ifelse(gb$grade == 3, 3, 2), pgr = gb$pgr),
               gb$hormon)
)

# ---- log-rank with group codes that are not 0..k-1 ------------------------------------------
lr_case <- function(name, time, status, group) {
  f <- survdiff(Surv(time, status) ~ group)
  list(name = name, time = time, status = status, group = group,
       codes = sort(unique(group)), n = as.vector(f$n), observed = unname(f$obs),
       expected = unname(f$exp), statistic = f$chisq, df = length(f$n) - 1, p = f$pvalue)
}
lung <- survival::lung
logrank <- list(
  lr_case("lung sex coded 1/2", lung$time, lung$status - 1, lung$sex),
  lr_case("veteran celltype coded 2/4/6/8", ve$time, ve$status, 2 * as.integer(ve$celltype))
)

write_fixture("parity", list(zph = zph, wald = wald, balance = balance, logrank = logrank))
