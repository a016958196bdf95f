# Reference values for `ecasim analyze` end to end: two arms written as CSV by the test, analysed
# by R survival here. Run from the repository root: Rscript test/reference/analyze.R
# The "weighted" case has non-integer case weights (column w): survfit and coxph take them
# (coxph's variance is then robust, as its default), survdiff cannot (ecasim warns), and the RMST
# is survfit's weighted rmean with its se.
source("test/reference/common.R")

make_arm <- function(n, treated) {
  age <- round(rnorm(n, 64, 9))
  ecog <- sample(c("0", "1", "2"), n, replace = TRUE, prob = c(0.35, 0.5, 0.15))
  site <- sample(c("north", "south"), n, replace = TRUE)
  lp <- 0.02 * (age - 64) + 0.4 * (ecog == "1") + 0.9 * (ecog == "2") + log(0.7) * treated
  t_event <- rweibull(n, shape = 1.2, scale = 12 * exp(-lp / 1.2))
  t_cens <- runif(n, 6, 30)
  time <- pmax(round(pmin(t_event, t_cens), 1), 0.1) # rounding makes ties
  event <- as.integer(t_event <= t_cens)
  data.frame(time, event, age, ecog, site, stringsAsFactors = FALSE)
}

one_case <- function(name, tr, co, covariates, strata = NULL, tau = NULL, weights = NULL) {
  d <- rbind(cbind(tr, group = 1), cbind(co, group = 0))
  out_tr <- tr; out_co <- co
  if (is.null(weights)) {
    d$w <- 1; tr$w <- 1; co$w <- 1
  }
  rhs_strata <- if (is.null(strata)) "" else paste0(" + strata(", strata, ")")
  f_lr <- as.formula(paste0("Surv(time, event) ~ group", rhs_strata))
  lr <- survdiff(f_lr, data = d)
  cox <- coxph(f_lr, data = d, ties = "efron", weights = w)
  sc <- summary(cox)
  # the SE in use (robust when coxph's variance is) and both SEs by name
  ses <- function(fit, j) {
    model <- sqrt(diag(if (is.null(fit$naive.var)) vcov(fit) else fit$naive.var))[j]
    list(se = unname(sqrt(diag(vcov(fit)))[j]), seModel = unname(model),
         seRobust = if (is.null(fit$naive.var)) NULL else unname(sqrt(diag(vcov(fit)))[j]))
  }
  arm <- function(x) {
    fit <- survfit(Surv(time, event) ~ 1, data = x, weights = w)
    tab <- summary(fit)$table
    list(n = nrow(x), events = sum(x$event), median = list(estimate = unname(tab["median"]),
         lower = unname(tab["0.95LCL"]), upper = unname(tab["0.95UCL"])))
  }
  out <- list(
    name = name, covariates = covariates, strata = strata, treated = out_tr, control = out_co,
    arms = list(treated = arm(tr), control = arm(co)),
    logrank = list(statistic = lr$chisq, df = length(lr$n) - 1, p = 1 - pchisq(lr$chisq, length(lr$n) - 1)),
    cox = c(list(logHr = unname(coef(cox))), ses(cox, 1), list(hr = unname(exp(coef(cox))),
               lower = unname(sc$conf.int[, "lower .95"]), upper = unname(sc$conf.int[, "upper .95"]),
               p = unname(sc$coefficients[, "Pr(>|z|)"])))
  )
  if (!is.null(weights)) out$weights <- weights
  zph_model <- cox
  if (length(covariates) > 0) {
    f_adj <- as.formula(paste0("Surv(time, event) ~ group + ", paste(covariates, collapse = " + "), rhs_strata))
    adj <- coxph(f_adj, data = d, ties = "efron", weights = w)
    sa <- summary(adj)
    out$coxAdjusted <- c(list(logHr = unname(coef(adj)[1])), ses(adj, 1),
      list(hr = unname(exp(coef(adj))[1]), lower = unname(sa$conf.int[1, "lower .95"]),
      upper = unname(sa$conf.int[1, "upper .95"]), p = unname(sa$coefficients[1, "Pr(>|z|)"]),
      terms = lapply(split(seq_along(coef(adj))[-1], names(coef(adj))[-1]), function(j)
        c(list(coef = unname(coef(adj)[j])), ses(adj, j), list(p = unname(sa$coefficients[j, "Pr(>|z|)"]))))))
    zph_model <- adj
  }
  z <- cox.zph(zph_model, transform = "km", terms = FALSE)
  out$phTest <- list(global = list(statistic = unname(z$table["GLOBAL", "chisq"]), df = unname(z$table["GLOBAL", "df"]),
                                   p = unname(z$table["GLOBAL", "p"])))
  # RMST per arm as survfit computes it (rmean to tau, with its Greenwood-based se), difference by formula.
  if (is.null(tau)) tau <- min(max(tr$time), max(co$time))
  rm <- function(x) {
    tab <- summary(survfit(Surv(time, event) ~ 1, data = x, weights = w), rmean = tau)$table
    list(estimate = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
  }
  rt <- rm(tr); rc <- rm(co)
  dd <- rt$estimate - rc$estimate; se <- sqrt(rt$se^2 + rc$se^2)
  out$rmst <- list(tau = tau, treated = rt, control = rc,
    difference = list(estimate = dd, lower = dd - qnorm(0.975) * se, upper = dd + qnorm(0.975) * se))
  out
}

set.seed(4242)
tr <- make_arm(80, 1)
co <- make_arm(150, 0)
cases <- list(
  one_case("adjusted", tr, co, c("age", "ecog")),
  one_case("unadjusted", tr, co, character(0)),
  one_case("stratified", tr, co, c("age"), strata = "site")
)
# drawn after the other cases' data, so those stay as they were
tr_w <- cbind(tr, w = round(runif(nrow(tr), 0.5, 2), 3))
co_w <- cbind(co, w = round(runif(nrow(co), 0.5, 2), 3))
cases[[4]] <- one_case("weighted", tr_w, co_w, c("age", "ecog"), weights = "w")
write_fixture("analyze", cases)
