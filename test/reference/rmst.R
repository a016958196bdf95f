# Reference values for src/stats/rmst.ts: survRM2::rmst2(time, status, arm, tau) without
# covariates. survRM2 is not installed here, so its method (rmst1 / rmst2, version 1.0-4) is
# written out below from survfit, and each arm is also checked against R survival's own
# restricted mean: summary(survfit(...), rmean = tau)$table[, c("rmean", "se(rmean)")].
# Run from the repository root: Rscript test/reference/rmst.R
source("test/reference/common.R")

# survRM2 1.0-4's default tau and its limit (rmst2.R, "initial check")
tau_bound <- function(time, status, arm) {
  idx <- arm == 0; tt <- time[idx]; tt0max <- max(tt); ss0max <- min(status[idx][tt == tt0max])
  idx <- arm == 1; tt <- time[idx]; tt1max <- max(tt); ss1max <- min(status[idx][tt == tt1max])
  ttmax <- max(tt0max, tt1max); ttmin <- min(tt0max, tt1max)
  if (ss0max == 1 & ss1max == 1) return(ttmax)
  if ((ss0max == 0 & ss1max == 1 & tt0max >= tt1max) | (ss0max == 1 & ss1max == 0 & tt1max > tt0max)) return(ttmax)
  ttmin
}

# survRM2's rmst1: area under the KM step function to tau, Greenwood plug-in variance
rmst_arm <- function(time, status, tau, alpha) {
  ft <- survfit(Surv(time, status) ~ 1)
  idx <- ft$time <= tau
  wk.time <- sort(c(ft$time[idx], tau))
  wk.surv <- ft$surv[idx]
  wk.n.risk <- ft$n.risk[idx]
  wk.n.event <- ft$n.event[idx]
  time.diff <- diff(c(0, wk.time))
  areas <- time.diff * c(1, wk.surv)
  rmst <- sum(areas)
  wk.var <- ifelse((wk.n.risk - wk.n.event) == 0, 0, wk.n.event / (wk.n.risk * (wk.n.risk - wk.n.event)))
  wk.var <- c(wk.var, 0)
  v <- sum(cumsum(rev(areas[-1]))^2 * rev(wk.var)[-1])
  se <- sqrt(v)
  z <- qnorm(1 - alpha / 2)
  tab <- summary(ft, rmean = tau)$table
  list(n = length(time), events = sum(ft$n.event[idx]),
       rmst = list(estimate = rmst, se = se, lower = rmst - z * se, upper = rmst + z * se),
       rmtl = list(estimate = tau - rmst, se = se, lower = tau - (rmst + z * se), upper = tau - (rmst - z * se)),
       variance = v,
       survival_rmean = unname(tab["rmean"]), survival_se_rmean = unname(tab["se(rmean)"]))
}

contrast <- function(est, se, alpha, log = FALSE) {
  z <- qnorm(1 - alpha / 2)
  p <- pnorm(-abs(est) / se) * 2
  if (log) list(estimate = exp(est), lower = exp(est - z * se), upper = exp(est + z * se), p = p, se = se)
  else list(estimate = est, lower = est - z * se, upper = est + z * se, p = p, se = se)
}

rmst_case <- function(name, time, status, arm, tau = NULL, alpha = 0.05) {
  bound <- tau_bound(time, status, arm)
  tau_used <- if (is.null(tau)) bound else tau
  stopifnot(tau_used <= bound)
  a1 <- rmst_arm(time[arm == 1], status[arm == 1], tau_used, alpha)
  a0 <- rmst_arm(time[arm == 0], status[arm == 0], tau_used, alpha)
  # survfit's stratified restricted means must agree with the per-arm ones
  tab <- summary(survfit(Surv(time, status) ~ arm), rmean = tau_used)$table
  stopifnot(isTRUE(all.equal(unname(tab[, "rmean"]), c(a0$rmst$estimate, a1$rmst$estimate), tolerance = 1e-12)))
  stopifnot(isTRUE(all.equal(unname(tab[, "se(rmean)"]), c(a0$rmst$se, a1$rmst$se), tolerance = 1e-12)))
  r1 <- a1$rmst$estimate; r0 <- a0$rmst$estimate
  l1 <- a1$rmtl$estimate; l0 <- a0$rmtl$estimate
  list(
    name = name,
    call = sprintf("survRM2::rmst2(time, status, arm%s, alpha = %s), method re-implemented",
                   if (is.null(tau)) "" else sprintf(", tau = %s", tau), alpha),
    input = list(time = time, status = status, arm = arm, tau = tau), confLevel = 1 - alpha,
    tau = tau_used, tau_bound = bound,
    control = a0, treated = a1,
    difference = contrast(r1 - r0, sqrt(a1$variance + a0$variance), alpha),
    ratio = contrast(log(r1) - log(r0), sqrt(a1$variance / r1^2 + a0$variance / r0^2), alpha, log = TRUE),
    rmtl_ratio = contrast(log(l1) - log(l0), sqrt(a1$variance / l1^2 + a0$variance / l0^2), alpha, log = TRUE)
  )
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

lung2 <- survival::lung
add(rmst_case("lung sex default tau", lung2$time, lung2$status - 1, 2 - lung2$sex))
add(rmst_case("lung sex tau 365", lung2$time, lung2$status - 1, 2 - lung2$sex, tau = 365))
add(rmst_case("lung sex tau 365 alpha 0.1", lung2$time, lung2$status - 1, 2 - lung2$sex, tau = 365, alpha = 0.1))
vet <- survival::veteran
add(rmst_case("veteran trt default tau", vet$time, vet$status, vet$trt - 1))
add(rmst_case("veteran trt tau 200", vet$time, vet$status, vet$trt - 1, tau = 200))
add(rmst_case("aml default tau", survival::aml$time, survival::aml$status, as.integer(survival::aml$x == "Maintained")))
add(rmst_case("ovarian rx", survival::ovarian$futime, survival::ovarian$fustat, survival::ovarian$rx - 1))
add(rmst_case("small n, control ends with event (case 2)", c(2, 4, 6, 8, 3, 5, 9, 10),
              c(1, 1, 0, 1, 1, 0, 1, 0), c(0, 0, 0, 0, 1, 1, 1, 1)))
add(rmst_case("small n, both end with events (case 1)", c(2, 4, 6, 8, 3, 5, 9, 10),
              c(1, 1, 0, 1, 1, 0, 1, 1), c(0, 0, 0, 0, 1, 1, 1, 1)))
add(rmst_case("small n, shorter arm censored (case 3)", c(2, 4, 6, 8, 3, 5, 9, 10),
              c(1, 1, 0, 0, 1, 0, 1, 1), c(0, 0, 0, 0, 1, 1, 1, 1)))
add(rmst_case("tau equal to an event time", c(2, 4, 6, 8, 3, 5, 9, 10),
              c(1, 1, 0, 0, 1, 0, 1, 1), c(0, 0, 0, 0, 1, 1, 1, 1), tau = 5))

set.seed(42)
n <- 500
arm <- rep(0:1, each = n / 2)
tt <- round(rexp(n, ifelse(arm == 1, 0.03, 0.05)), 1) + 0.1
cc <- round(runif(n, 1, 14), 1)
add(rmst_case("heavy censoring ties", pmin(tt, cc), as.integer(tt <= cc), arm))
add(rmst_case("heavy censoring ties tau 10", pmin(tt, cc), as.integer(tt <= cc), arm, tau = 10))

write_fixture("rmst", cases)
